"""Shared fixtures: the demo web on ephemeral loopback ports, data directories, sources."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
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
    """The demo web, served for the whole session on ephemeral loopback ports."""
    web = DemoWeb(ephemeral=True).start()
    yield web
    web.stop()


@pytest.fixture
def fresh_demo_web():
    """A demo web of one's own, for tests that change or remove pages."""
    web = DemoWeb(ephemeral=True).start()
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
        [sys.executable, "-m", "portail", *args],
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
