"""The hotline's background work: send the outbox, remind and escalate, purge personal data.

`run_once` is one pass (`portail hotline run`, and the scheduler's job every minute).

Why a mail is never sent twice, and never lost
----------------------------------------------
A request and its mails are stored in one transaction before anything is sent (the web request
only stores): a process killed before, during or after that transaction leaves either nothing
or everything, and what is stored waits in the outbox until a sender takes it.

SMTP cannot be part of our transaction: between the server's « 250 » at the end of DATA and
our « sent » commit a crash is always possible, and nothing then tells whether the server
took the mail. Resending whatever was not marked sent would be at-least-once (a duplicate
after such a crash); never resending would be at-most-once (a loss after a crash before the
DATA). Exactly-once as seen by the recipient comes from narrowing the doubt to that one
moment and never resolving it by guessing:

1. A sender claims a row (`pending` → `sending`, an atomic update: two schedulers never take
   the same row) with a lease, opens the session, and has MAIL FROM and RCPT TO accepted.
2. Only then, just before DATA, the row is committed as `transmitting`.
3. The server's « 250 » is followed at once by the `sent` commit.

A sender that dies in step 1 has sent nothing: its claim expires and the row is `pending`
again (sent later, once). A server that refuses the mail (an SMTP error reply) has not taken
it: the row is retried later with a growing delay, or `failed` on a permanent refusal. A row
still `transmitting` when its lease expires is the one case of doubt: it becomes `uncertain`
and is never resent by itself; the console shows it with its Message-ID (the same on every
attempt, drawn when the row was stored) so that a maintainer searches the desk's mailbox and
either marks it received or sends it again — with that same Message-ID, which mail systems use
to recognise a duplicate. So a row is sent automatically at most once after its DATA began,
and every row not yet at DATA is sent exactly once.
"""

from __future__ import annotations

import smtplib
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from portail.db import OutboxRecord, Store
from portail.hotline import service
from portail.hotline.routing import Routing, routing
from portail.hotline.settings import HotlineSettings, load_settings

LEASE = timedelta(minutes=10)  # longer than any SMTP session: a claim older is a dead sender's
RETRY_BASE = 60  # seconds before the first retry; doubled each time, up to RETRY_MAX
RETRY_MAX = 3600
RECEIPT_SENT = "[accusé de réception envoyé ; son lien personnel de suivi n'est pas conservé]"


@dataclass
class PassReport:
    """What one pass did (one JSON line in the scheduler's log)."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    uncertain: int = 0
    waiting: int = 0  # due, but no mail server or address is configured
    reminded: int = 0
    escalated: int = 0
    purged: int = 0
    errors: list[str] = field(default_factory=list)


class Refused(Exception):
    """The server refused the mail (it did not take it); `permanent` for a 5xx reply."""

    def __init__(self, message: str, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


def run_once(
    store: Store,
    data_dir: Path,
    at: datetime | None = None,
    settings: HotlineSettings | None = None,
    rules: Routing | None = None,
) -> PassReport:
    """Reminders and escalations, the purge, then the outbox (so their mails go out now)."""
    moment = at or datetime.now(UTC)
    settings = settings or load_settings(data_dir)
    report = PassReport()
    follow = service.follow_up(store, rules or routing(), moment)
    report.reminded, report.escalated = follow["reminded"], follow["escalated"]
    report.purged = service.purge(store, settings.retention_days, moment)
    send_outbox(store, settings, moment, report)
    return report


def send_outbox(
    store: Store, settings: HotlineSettings, at: datetime, report: PassReport | None = None
) -> PassReport:
    """Send every mail due, over one SMTP session; a failure leaves the rest for later."""
    report = report or PassReport()
    if not settings.smtp.configured:
        report.waiting = len(store.outbox(["pending"]))
        return report
    rows = store.claim_outbox(service.stamp(at), service.stamp(at - LEASE))
    if not rows:
        return report
    try:
        connection = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        for row in rows:
            _retry(store, row, at, f"serveur de courrier injoignable ({_describe(exc)})", report)
        return report
    try:
        for row in rows:
            _send_row(store, connection, settings, row, at, report)
    finally:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
    return report


def _send_row(
    store: Store,
    connection: smtplib.SMTP,
    settings: HotlineSettings,
    row: OutboxRecord,
    at: datetime,
    report: PassReport,
) -> None:
    recipient = row["to_address"] or settings.address(row["to_desk"]) or ""
    if not recipient:
        report.waiting += 1
        store.outbox_state(
            row["id"],
            "pending",
            service.stamp(at),
            f"aucune adresse configurée pour « {row['to_desk']} »",
            claimed=None,
            next_attempt=service.stamp(at + timedelta(seconds=RETRY_MAX)),
        )
        return
    try:
        _envelope(connection, settings.smtp.sender, recipient)
    except Refused as exc:
        _refused(store, row, at, str(exc), exc.permanent, report)
        return
    except (OSError, smtplib.SMTPException) as exc:
        _retry(store, row, at, f"envoi interrompu ({_describe(exc)})", report)
        return
    store.outbox_state(row["id"], "transmitting", service.stamp(at))
    try:
        code, reply = connection.data(_wire(_message(row, settings.smtp.sender, recipient)))
    except (OSError, smtplib.SMTPException) as exc:  # no reply: did the server take it?
        report.uncertain += 1
        store.outbox_state(
            row["id"],
            "uncertain",
            service.stamp(at),
            f"transmission interrompue sans réponse du serveur ({_describe(exc)}) : vérifier "
            "la réception avant de renvoyer",
        )
        return
    if code != 250:  # an error reply: the server did not take it
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        _refused(store, row, at, f"message refusé ({code} {text})", code >= 500, report)
        return
    # The receipt holds the private link: once sent, the outbox does not keep it (only the
    # token's hash is stored anywhere).
    kept = {"body": RECEIPT_SENT} if row["kind"] == "receipt" else {}
    store.outbox_state(row["id"], "sent", service.stamp(at), **kept)
    report.sent += 1


def _envelope(connection: smtplib.SMTP, sender: str, recipient: str) -> None:
    """MAIL FROM and RCPT TO, each accepted, or Refused."""
    code, reply = connection.mail(sender)
    if code != 250:
        connection.rset()
        raise Refused(f"expéditeur refusé ({code} {reply.decode(errors='replace')})", code >= 500)
    code, reply = connection.rcpt(recipient)
    if code not in (250, 251):
        connection.rset()
        raise Refused(f"destinataire refusé ({code} {reply.decode(errors='replace')})", code >= 500)


def _message(row: OutboxRecord, sender: str, recipient: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = row["subject"]
    message["Message-ID"] = row["message_id"]
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row["body"])
    return message


def _wire(message: EmailMessage) -> bytes:
    """The message as SMTP carries it: lines ended by CRLF (a bare LF is refused by careful
    servers, and makes the whole message one over-long line)."""
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def _connect(settings: HotlineSettings) -> smtplib.SMTP:
    smtp = settings.smtp
    connection = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    connection.ehlo()
    if smtp.starttls:
        connection.starttls()
        connection.ehlo()
    if smtp.user:
        connection.login(smtp.user, smtp.password)
    return connection


def _retry(store: Store, row: OutboxRecord, at: datetime, error: str, report: PassReport) -> None:
    delay = min(RETRY_BASE * 2 ** max(row["attempts"] - 1, 0), RETRY_MAX)
    store.outbox_state(
        row["id"],
        "pending",
        service.stamp(at),
        error,
        claimed=None,
        next_attempt=service.stamp(at + timedelta(seconds=delay)),
    )
    report.retried += 1


def _refused(
    store: Store, row: OutboxRecord, at: datetime, error: str, permanent: bool, report: PassReport
) -> None:
    if permanent:
        store.outbox_state(row["id"], "failed", service.stamp(at), error, claimed=None)
        report.failed += 1
    else:
        _retry(store, row, at, error, report)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error
        text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "délai dépassé"
    return str(exc) or type(exc).__name__
