"""Shared fixtures: the demo web on ephemeral loopback ports, data directories, sources."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from demo.web import DemoWeb

ROOT = Path(__file__).resolve().parent.parent
DEMO_SOURCES = ROOT / "demo" / "sources.toml"
MANIFEST = ROOT / "demo" / "manifest.json"
CHROMIUM = "/usr/bin/chromium"


def chromium_or_skip() -> None:
    """Browser tests need Debian's Chromium; in CI its absence is a failure, not a skip."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail("Chromium est introuvable (/usr/bin/chromium) : .ci/run doit l'installer.")
    pytest.skip("Chromium n'est pas installé (apt-get install chromium)")


@pytest.fixture(scope="session")
def demo_web():
    """The demo web, served for the whole session on ephemeral loopback ports. Its V.I.E.
    board's clock stays on the session's first day: a suite that runs past midnight must not
    see offers close between the crawl and the checks."""
    web = DemoWeb(ephemeral=True, today=date.today()).start()
    yield web
    web.stop()


@pytest.fixture
def fresh_demo_web():
    """A demo web of one's own, for tests that change or remove pages (its clock fixed, and
    moved only by the test)."""
    web = DemoWeb(ephemeral=True, today=date.today()).start()
    yield web
    web.stop()


@pytest.fixture(scope="session")
def manifest(demo_web):
    """The manifest with its URLs rewritten to the session demo web's ports."""
    return json.loads(demo_web.rewrite(MANIFEST.read_text("utf-8")))


@pytest.fixture
def make_sources(tmp_path):
    """Write a demo sources file pointing at `web`, optionally with extra text; return its path."""

    def make(web: DemoWeb, extra: str = "", name: str = "sources.toml") -> Path:
        path = tmp_path / name
        path.write_text(web.rewrite(DEMO_SOURCES.read_text("utf-8")) + extra, "utf-8")
        return path

    return make


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    path = tmp_path / "var"
    path.mkdir()
    monkeypatch.setenv("PORTAIL_DATA", str(path))
    return path


def run_portail(
    *args: str, data: Path, stdin: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the real `portail` command line in its own process, on a given data directory."""
    env = {**os.environ, "PORTAIL_DATA": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "portail_cli", *args],
        env=env,
        text=True,
        input=stdin,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="session")
def crawled_data(demo_web, tmp_path_factory):
    """The whole demo web crawled once for the session: (data dir, sources file, result, log)."""
    chromium_or_skip()
    root = tmp_path_factory.mktemp("crawl")
    sources = root / "sources.toml"
    sources.write_text(demo_web.rewrite(DEMO_SOURCES.read_text("utf-8")), "utf-8")
    data = root / "var"
    before = len(demo_web.requested())
    result = run_portail("crawl", "--sources", str(sources), data=data)
    log = demo_web.requested()[before:]
    assert result.returncode == 0, result.stderr[-3000:]
    return {"data": data, "sources": sources, "result": result, "log": log}


@pytest.fixture(scope="session")
def indexed_data(crawled_data, tmp_path_factory):
    """A copy of the crawled data directory, indexed: for index, search and web tests."""
    data = tmp_path_factory.mktemp("indexed") / "var"
    shutil.copytree(crawled_data["data"], data)
    result = run_portail("index", data=data)
    assert result.returncode == 0, result.stderr[-3000:]
    return data


# -- PostgreSQL: a throwaway cluster from Debian's package, for the data-layer tests ----------


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """A PostgreSQL server on a free loopback port, for the session; its base URL."""
    import socket
    import time

    binaries = _postgres_bin()
    if binaries is None:
        if os.environ.get("CI"):
            pytest.fail(
                "PostgreSQL est introuvable (/usr/lib/postgresql) : .ci/run doit l'installer."
            )
        pytest.skip("PostgreSQL n'est pas installé (apt-get install postgresql)")
    import tempfile

    # Not under pytest's temporary folder: the postgres user must reach it (its parents
    # are private to root).
    root = Path(tempfile.mkdtemp(prefix="portail-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the server as the postgres user
        shutil.chown(root, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data = root / "data"
    subprocess.run(
        [*as_postgres, str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            *as_postgres,
            str(binaries / "postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-k",
            str(root),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"postgresql://postgres@127.0.0.1:{port}"
    import psycopg

    for _ in range(100):
        try:
            psycopg.connect(f"{url}/postgres", connect_timeout=1).close()
            break
        except psycopg.OperationalError:
            time.sleep(0.1)
    else:
        server.terminate()
        pytest.fail("le serveur PostgreSQL de test n'a pas démarré")
    yield url
    server.terminate()
    server.wait(timeout=30)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty PostgreSQL database for one test; its URL."""
    import uuid

    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return f"{postgres_server}/{name}"


def sql(data: Path, query: str, *params: object) -> list[sqlite3.Row]:
    """Run SQL on a data directory's SQLite store, for assertions on what the data layer
    wrote (tests only: the application goes through `portail.db`)."""
    connection = sqlite3.connect(data / "pages.sqlite3", timeout=30)
    connection.row_factory = sqlite3.Row
    try:
        with connection:
            return connection.execute(query, params).fetchall()
    finally:
        connection.close()
