"""Two `portail serve` processes on one data directory (or on two data directories and one
PostgreSQL database) behave as one portal (issue 14): a login lockout counted on one is felt on
the other, a session opened on one is valid on the other and ends on both at logout, a
correction made on one is seen by the other, and once `portail index` has run both serve the
new index generation without a restart.

Real processes, real HTTP over loopback: nothing in memory is shared between the two."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html import unescape
from http.client import HTTPResponse

import pytest

from conftest import run_portail, sql
from portail.credentials import set_admin_password
from portail.db import open_store

PASSWORD = "une phrase de passe assez longue"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Node:
    """One `portail serve` process and a cookie jar of one's own (the cookies are Secure:
    they are sent by hand, as a browser behind the HTTPS proxy would)."""

    def __init__(self, data, port: int, database: str = ""):
        self.base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "PORTAIL_DATA": str(data), "PORTAIL_DATABASE_URL": database}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "portail_cli", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.cookies: dict[str, str] = {}

    def wait_ready(self, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise AssertionError(self.process.stderr.read().decode()[-2000:])
            try:
                with socket.create_connection(("127.0.0.1", int(self.base.rsplit(":", 1)[1]))):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"{self.base} ne répond pas")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stderr.close()

    def request(self, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response: HTTPResponse = OPENER.open(req, timeout=30)
        except urllib.error.HTTPError as error:
            response = error  # type: ignore[assignment]
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            if "Max-Age=0" in header or "expires=Thu, 01 Jan 1970" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        with response:
            text = unescape(response.read().decode("utf-8", "replace"))
        return response.status, dict(response.headers), text

    def token(self, path: str) -> str:
        _, _, page = self.request(path)
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def login(self, password: str = PASSWORD) -> int:
        form = {"csrf_token": self.token("/admin/connexion"), "nom": "Dominique"}
        return self.request("/admin/connexion", {**form, "mot_de_passe": password})[0]

    def found(self, words: str) -> set[str]:
        _, _, body = self.request("/api/search?" + urllib.parse.urlencode({"q": words}))
        return {hit["url"] for hit in json.loads(body)["results"]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def nodes(indexed_data, tmp_path):
    data = tmp_path / "var"
    shutil.copytree(indexed_data, data)
    set_admin_password(data, PASSWORD)
    pair = [Node(data, free_port()), Node(data, free_port())]
    try:
        for node in pair:
            node.wait_ready()
        yield data, pair
    finally:
        for node in pair:
            node.stop()


def test_a_lockout_a_session_and_a_logout_are_shared_by_both_processes(nodes):
    data, (a, b) = nodes
    for _ in range(5):
        assert a.login("pas le bon mot de passe") == 403
    assert b.login() == 429  # the failures were counted by the other process
    # The lockout lasts ten minutes: age the failures in the database instead of waiting.
    sql(data, "UPDATE login_attempts SET at = at - 3600")
    assert b.login() == 303
    assert b.request("/admin/sources")[0] == 200
    a.cookies = dict(b.cookies)  # the same browser, its next request sent to the other process
    assert a.request("/admin/sources")[0] == 200
    logout = {"csrf_token": b.token("/admin/sources")}
    assert b.request("/admin/deconnexion", logout)[0] == 303
    status, headers, _ = a.request("/admin/sources")  # the copied cookie is dead there too
    assert status == 302 and "/admin/connexion" in headers["Location"]


def test_a_correction_on_one_is_seen_by_the_other_and_both_serve_the_new_index(nodes):
    data, (a, b) = nodes
    (page,) = sql(
        data,
        "SELECT p.url, p.title FROM pages p JOIN enrichment e ON e.url = p.url "
        "WHERE e.relevant = 1 AND length(p.title) > 25 ORDER BY p.url LIMIT 1",
    )
    assert page["url"] in a.found(page["title"]) and page["url"] in b.found(page["title"])
    assert a.login() == 303
    b.cookies = dict(a.cookies)
    form = {"csrf_token": a.token("/admin/corrections"), "url": page["url"], "masquer": "1"}
    assert a.request("/admin/corrections/page", form)[0] == 303

    _, _, journal = b.request("/admin/corrections")
    assert page["url"] in journal and "Dominique" in journal
    assert page["url"] in b.found(page["title"])  # nothing indexed in a web request

    result = run_portail("index", data=data)
    assert result.returncode == 0, result.stderr[-2000:]
    end = time.monotonic() + 10
    while time.monotonic() < end and (
        page["url"] in a.found(page["title"]) or page["url"] in b.found(page["title"])
    ):
        time.sleep(0.2)
    assert page["url"] not in a.found(page["title"])
    assert page["url"] not in b.found(page["title"])


def test_the_sixth_wrong_password_is_refused_whichever_process_gets_it(nodes):
    _, (a, b) = nodes
    for node in (a, b, a, b, a):
        assert node.login("pas le bon mot de passe") == 403
    assert b.login("pas le bon mot de passe") == 429
    assert a.login("pas le bon mot de passe") == 429


def test_simultaneous_wrong_passwords_on_both_processes_get_five_tries_in_all(nodes):
    """The attempts are counted and recorded in one transaction: twelve guesses sent at once
    to two processes cannot slip more than five through."""
    from concurrent.futures import ThreadPoolExecutor

    data, pair = nodes
    browsers = []
    for i in range(12):
        browser = Node.__new__(Node)  # a cookie jar of its own on one of the two processes
        browser.base, browser.cookies = pair[i % 2].base, {}
        form = {"csrf_token": browser.token("/admin/connexion"), "nom": f"Essai {i}"}
        browsers.append((browser, {**form, "mot_de_passe": "pas le bon mot de passe"}))
    with ThreadPoolExecutor(len(browsers)) as pool:
        statuses = list(pool.map(lambda b: b[0].request("/admin/connexion", b[1])[0], browsers))
    assert sorted(statuses) == [403] * 5 + [429] * 7, statuses
    assert sql(data, "SELECT count(*) AS n FROM login_attempts")[0]["n"] == 5


def test_nodes_on_their_own_data_directories_share_a_lockout_through_postgresql(
    tmp_path, postgres_url, monkeypatch
):
    monkeypatch.setenv("PORTAIL_DATABASE_URL", postgres_url)
    open_store(tmp_path).close()  # migrated once here (tests/test_db.py races two migrations)
    pair = []
    for name in ("a", "b"):
        data = tmp_path / name
        data.mkdir()
        set_admin_password(data, PASSWORD)
        pair.append(Node(data, free_port(), database=postgres_url))
    try:
        for node in pair:
            node.wait_ready()
        a, b = pair
        for _ in range(5):
            assert a.login("pas le bon mot de passe") == 403
        assert b.login() == 429  # counted in the database both processes use
    finally:
        for node in pair:
            node.stop()
    assert not any((tmp_path / name / "pages.sqlite3").exists() for name in ("a", "b"))
