"""The hotline's mail, through a real SMTP server on loopback (aiosmtpd): a server down then
up delivers each mail once, later; a sender killed by SIGKILL loses nothing and sends
nothing twice; an uncertain transmission is never resent by itself."""

from __future__ import annotations

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller

from portail.db import open_store
from portail.hotline import service
from portail.hotline.routing import routing
from portail.hotline.settings import load_settings
from scheduler.hotline import LEASE, run_once

LABELS = {"subject": routing().subjects, "step": {}, "size": routing().sizes, "sector": {}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sink:
    """An SMTP handler that keeps what it accepted; `stall` holds DATA without a reply."""

    def __init__(self) -> None:
        self.accepted: list[email.message.Message] = []
        self.received_data = 0  # DATA exchanges that reached the handler
        self.stall = False

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.received_data += 1
        while self.stall:
            await asyncio.sleep(0.05)
        message = email.message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.accepted.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """Start (and stop) real SMTP servers on loopback ports: `start(port)` → its Sink."""
    controllers: list[Controller] = []

    def start(port: int) -> Sink:
        sink = Sink()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return sink

    yield start
    for controller in controllers:
        for handler in [controller.handler]:
            handler.stall = False
        controller.stop()


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never says a word (a stuck mail server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def configure(data, port: int) -> None:
    (data / "hotline-settings.toml").write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsender = "hotline@portail.test"\n'
        "timeout = 20\n"
        '[addresses]\n"bpifrance-53" = "bpi-bretagne@guichet.test"\n'
        'default = "orientation@guichet.test"\n',
        "utf-8",
    )


@pytest.fixture
def data(tmp_path, monkeypatch):
    for name in ("PORTAIL_DATABASE_URL", "PORTAIL_SMTP_HOST", "PORTAIL_SMTP_PORT"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "var"
    path.mkdir()
    return path


def store_request(data, at: datetime) -> str:
    store = open_store(data)
    try:
        done = service.submit(
            store,
            routing(),
            service.Submission(
                "financement",
                "strategie",
                "",
                "Financer un salon.",
                "",
                "pme",
                "",
                "53",
                "",
                "Jeanne Essai",
                "jeanne@example.org",
                "",
            ),
            LABELS,
            lambda token: f"http://portail.test/hotline/suivi/{token}",
            at,
        )
    finally:
        store.close()
    return done.reference


def outbox(data) -> list[dict]:
    store = open_store(data)
    try:
        return [dict(r) for r in store.outbox()]
    finally:
        store.close()


def one_pass(data, at: datetime):
    store = open_store(data)
    try:
        return run_once(store, data, at=at, settings=load_settings(data))
    finally:
        store.close()


def ids(messages) -> list[str]:
    return sorted(m["Message-ID"] for m in messages)


def test_mail_held_while_the_server_is_down_is_delivered_once_when_it_is_up(data, smtp_server):
    port = free_port()
    configure(data, port)
    t0 = datetime.now(UTC)
    store_request(data, t0)
    down = one_pass(data, t0)
    assert (down.sent, down.retried) == (0, 2)
    rows = outbox(data)
    assert {r["status"] for r in rows} == {"pending"}
    assert all("injoignable" in r["last_error"] for r in rows)
    sink = smtp_server(port)
    assert one_pass(data, t0 + timedelta(seconds=30)).sent == 0  # not due before its delay
    assert one_pass(data, t0 + timedelta(seconds=61)).sent == 2
    assert one_pass(data, t0 + timedelta(hours=2)).sent == 0
    rows = outbox(data)
    assert {r["status"] for r in rows} == {"sent"}
    assert ids(sink.accepted) == sorted(r["message_id"] for r in rows)
    to = {m["X-Envelope-To"]: m for m in sink.accepted}
    assert set(to) == {"jeanne@example.org", "bpi-bretagne@guichet.test"}
    receipt = to["jeanne@example.org"]
    assert receipt["Subject"].startswith("Votre demande HL-")
    assert "http://portail.test/hotline/suivi/" in receipt.get_payload(decode=True).decode()
    assert all("/hotline/suivi/" not in r["body"] for r in rows)  # not kept once sent


def portail_hotline_run(data) -> subprocess.Popen[str]:
    env = {**os.environ, "PORTAIL_DATA": str(data)}
    env.pop("PORTAIL_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "portail_cli", "hotline", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(
    data, status: str, proc: subprocess.Popen[str], every: bool = False, seconds: float = 30
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [r["status"] == status for r in outbox(data)]
        if all(found) if every else any(found):
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError(f"no mail reached « {status} »: {outbox(data)}")


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)  # waits, and closes its pipes
    assert proc.returncode == -signal.SIGKILL


def test_a_sender_killed_before_the_server_answers_loses_nothing(data, silent_server, smtp_server):
    configure(data, silent_server)
    store_request(data, datetime.now(UTC))
    proc = portail_hotline_run(data)
    wait_for(data, "sending", proc, every=True)
    kill(proc)
    assert {r["status"] for r in outbox(data)} == {"sending"}  # claimed by the dead sender
    port = free_port()
    configure(data, port)
    sink = smtp_server(port)
    now = datetime.now(UTC)
    assert one_pass(data, now).sent == 0  # its claim is still a live lease
    assert one_pass(data, now + LEASE + timedelta(seconds=1)).sent == 2
    assert one_pass(data, now + LEASE + timedelta(hours=1)).sent == 0
    assert ids(sink.accepted) == sorted(r["message_id"] for r in outbox(data))
    assert {r["status"] for r in outbox(data)} == {"sent"}


def test_a_sender_killed_during_data_never_resends_that_mail_by_itself(data, smtp_server):
    port = free_port()
    configure(data, port)
    sink = smtp_server(port)
    sink.stall = True
    store_request(data, datetime.now(UTC))
    proc = portail_hotline_run(data)
    wait_for(data, "transmitting", proc)
    deadline = time.monotonic() + 10
    while not sink.received_data and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sink.received_data == 1  # the server has the mail, but never said it took it
    kill(proc)
    sink.stall = False
    later = datetime.now(UTC) + LEASE + timedelta(seconds=1)
    report = one_pass(data, later)
    rows = {r["kind"]: r for r in outbox(data)}
    assert rows["receipt"]["status"] == "uncertain"
    assert "vérifier la réception" in rows["receipt"]["last_error"]
    assert rows["desk"]["status"] == "sent"  # the dead sender never reached it: sent once
    assert report.sent == 1
    assert one_pass(data, later + timedelta(hours=3)).sent == 0
    delivered = [m["Message-ID"] for m in sink.accepted]
    assert rows["receipt"]["message_id"] not in delivered
    # A maintainer checked the mailbox and sends it again: the same Message-ID, once.
    store = open_store(data)
    try:
        assert store.settle_outbox(rows["receipt"]["id"], resend=True, at=service.stamp(later))
    finally:
        store.close()
    assert one_pass(data, later + timedelta(hours=4)).sent == 1
    assert sorted(m["Message-ID"] for m in sink.accepted) == sorted(
        r["message_id"] for r in outbox(data)
    )


def test_a_permanent_refusal_is_failed_and_a_missing_address_waits(data, smtp_server):
    port = free_port()
    (data / "hotline-settings.toml").write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsender = "hotline@portail.test"\n', "utf-8"
    )
    sink = smtp_server(port)
    at = datetime.now(UTC)
    store_request(data, at)
    report = one_pass(data, at)
    rows = {r["kind"]: r for r in outbox(data)}
    assert rows["receipt"]["status"] == "sent" and report.sent == 1
    assert rows["desk"]["status"] == "pending" and report.waiting == 1
    assert "aucune adresse configurée pour « bpifrance-53 »" in rows["desk"]["last_error"]
    assert len(sink.accepted) == 1


def test_a_portal_killed_right_after_storing_a_request_loses_nothing(data, smtp_server):
    """The real `portail serve` takes a request through its three steps and is killed by
    SIGKILL as soon as it has answered: the request and both its mails are there, and the
    scheduler's pass delivers each once."""
    import http.cookiejar
    import re
    import urllib.parse
    import urllib.request

    mail_port, web_port = free_port(), free_port()
    configure(data, mail_port)
    env = {**os.environ, "PORTAIL_DATA": str(data), "PORTAIL_COOKIE_SECURE": "0"}
    env.pop("PORTAIL_DATABASE_URL", None)
    web = subprocess.Popen(
        [sys.executable, "-m", "portail_cli", "serve", "--port", str(web_port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{web_port}"
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                page = opener.open(base + "/hotline", timeout=5).read().decode()
                break
            except OSError:
                assert web.poll() is None and time.monotonic() < deadline, web.communicate()
                time.sleep(0.2)
        steps = [
            {
                "etape_formulaire": "1",
                "sujet": "douane",
                "etape": "gerer",
                "pays": "GB",
                "message": "Quelles formalités pour vendre nos fromages au Royaume-Uni ?",
            },
            {"etape_formulaire": "2", "taille": "micro", "region": "28"},
            {
                "etape_formulaire": "3",
                "nom": "Luc Essai",
                "courriel": "luc@example.org",
                "consentement": "oui",
            },
        ]
        carried: dict[str, str] = {}
        for values in steps:
            carried = {
                **dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)),
                **values,
            }
            body = urllib.parse.urlencode(carried).encode()
            response = opener.open(base + "/hotline", data=body, timeout=10)
            page = response.read().decode()
        assert "/hotline/suivi/" in response.url and "transmise à" in page
    finally:
        kill(web)
    rows = outbox(data)
    assert [(r["kind"], r["status"], r["to_desk"]) for r in rows] == [
        ("receipt", "pending", ""),
        ("desk", "pending", "douane-28"),
    ]
    sink = smtp_server(mail_port)
    at = datetime.now(UTC)
    assert one_pass(data, at).sent == 2
    assert one_pass(data, at + timedelta(hours=1)).sent == 0
    assert ids(sink.accepted) == sorted(r["message_id"] for r in outbox(data))
    assert {m["X-Envelope-To"] for m in sink.accepted} == {
        "luc@example.org",
        "orientation@guichet.test",
    }


def test_the_scheduler_reminds_and_escalates_by_mail_on_a_fast_clock(data, smtp_server):
    port = free_port()
    configure(data, port)
    sink = smtp_server(port)
    monday = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Paris
    store_request(data, monday)
    assert one_pass(data, monday).sent == 2
    thursday = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)  # 3 working days later
    report = one_pass(data, thursday)
    assert (report.reminded, report.escalated, report.sent) == (1, 0, 1)
    assert one_pass(data, thursday + timedelta(days=1)).sent == 0
    wednesday = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)  # 7 working days later
    report = one_pass(data, wednesday)
    assert (report.reminded, report.escalated, report.sent) == (0, 1, 1)
    subjects = [(m["X-Envelope-To"], m["Subject"].split(" :")[0]) for m in sink.accepted[2:]]
    assert subjects == [
        ("bpi-bretagne@guichet.test", "Relance"),
        ("orientation@guichet.test", "Escalade"),
    ]


def test_the_scheduler_runs_the_hotline_pass_and_logs_it(data, smtp_server, tmp_path):
    from scheduler import PortalScheduler

    port = free_port()
    configure(data, port)
    sink = smtp_server(port)
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nid = "x"\nname = "X"\nstart_urls = ["http://127.0.0.1:9/"]\n')
    scheduler = PortalScheduler(sources, data)
    store_request(data, datetime.now(UTC))
    scheduler.hotline_pass()
    assert len(sink.accepted) == 2
    log = (data / "logs" / "schedule.log").read_text("utf-8")
    assert '"event": "hotline"' in log and '"sent": 2' in log
