"""Shared fixtures: the demo web on ephemeral loopback ports, data directories, sources."""

from __future__ import annotations

import json
import os
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
