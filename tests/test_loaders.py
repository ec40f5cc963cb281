"""Bounded work in the loaders (issue 13): a small file nested thousands deep (10 KB of
`a = [[[[…]]]]`) is refused in one French line by every loader and entry point — `portail
sources check` (exit 2), the console's sources check (a page, not a 500), the scheduler on
SIGHUP (it lives on with its last schedule), `portail data check` on each data file, the
directory check, the corrections of the first release, `crawl`, `schedule`, `classify`."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DEMO_SOURCES, run_portail
from portail.credentials import set_admin_password
from portail_cli.main import _data_files, main
from webui import create_app

DEPTH = 5000
DEEP = {
    "arrays": "a = " + "[" * DEPTH + "]" * DEPTH + "\n",
    "inline tables": "a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n",
    "in a source": (
        '[[source]]\nid = "x"\nname = "X"\nstart_urls = ["https://x.fr/"]\n'
        "allow = " + "[" * DEPTH + "]" * DEPTH + "\n"
    ),
}
TOO_DEEP = "structure imbriquée trop profondément"


def assert_refused_in_french(done: subprocess.CompletedProcess[str], name: str) -> None:
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr
    assert any(name in line and TOO_DEEP in line for line in done.stderr.splitlines()), done.stderr[
        -2000:
    ]


@pytest.mark.parametrize("shape", list(DEEP))
def test_sources_check_refuses_a_deep_file_in_one_french_line(tmp_path, shape):
    path = tmp_path / "profond.toml"
    path.write_text(DEEP[shape], "utf-8")
    assert len(DEEP[shape]) <= 20_000
    assert_refused_in_french(run_portail("sources", "check", str(path), data=tmp_path), path.name)


def test_crawl_and_schedule_refuse_a_deep_sources_file_before_starting(tmp_path):
    path = tmp_path / "profond.toml"
    path.write_text(DEEP["arrays"], "utf-8")
    for command in ("crawl", "schedule"):
        done = run_portail(command, "--sources", str(path), data=tmp_path / "var", timeout=60)
        assert_refused_in_french(done, path.name)


def test_the_console_check_shows_the_french_error_of_a_deep_draft(tmp_path):
    set_admin_password(tmp_path, "une phrase de passe assez longue")
    client = create_app({"DATA_DIR": str(tmp_path), "TESTING": True}).test_client()
    page = client.get("/admin/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {
        "csrf_token": token,
        "nom": "Camille",
        "mot_de_passe": "une phrase de passe assez longue",
    }
    assert client.post("/admin/connexion", data=form).status_code == 303
    page = client.get("/admin/sources/verifier").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    for shape, text in DEEP.items():
        typed = client.post(
            "/admin/sources/verifier", data={"csrf_token": token, "brouillon": text}
        )
        assert typed.status_code in (200, 400), shape
        assert TOO_DEEP in unescape(typed.get_data(as_text=True)), shape
    from io import BytesIO

    upload = {"csrf_token": token, "fichier": (BytesIO(DEEP["arrays"].encode()), "profond.toml")}
    sent = client.post("/admin/sources/verifier", data=upload, content_type="multipart/form-data")
    assert sent.status_code in (200, 400)
    assert f"profond.toml : {TOO_DEEP}" in unescape(sent.get_data(as_text=True))


def events(log: Path) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text("utf-8").splitlines() if line.strip()]


def wait_for(log: Path, event: str, after: int, timeout: float = 30) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = [e for e in events(log)[after:] if e.get("event") == event]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"pas d'événement {event} : {events(log)[after:]}")


def test_the_scheduler_keeps_its_schedule_when_sighup_finds_a_deep_file(tmp_path):
    sources = tmp_path / "sources.toml"
    valid = DEMO_SOURCES.read_text("utf-8")
    sources.write_text(valid, "utf-8")
    data = tmp_path / "var"
    log = data / "logs" / "schedule.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "portail_cli", "schedule", "--sources", str(sources)],
        env={**os.environ, "PORTAIL_DATA": str(data)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        started = wait_for(log, "reloaded", 0, timeout=60)
        jobs = sorted(started["sources"])
        assert len(jobs) >= 10

        sources.write_text(DEEP["arrays"], "utf-8")
        seen = len(events(log))
        process.send_signal(signal.SIGHUP)
        failed = wait_for(log, "reload_failed", seen)
        assert any(TOO_DEEP in line for line in failed["errors"])
        assert failed["kept"] == jobs
        time.sleep(1)
        assert process.poll() is None, process.stderr.read()[-2000:]

        # Alive and still answering: a valid file with one source fewer is taken on SIGHUP.
        sources.write_text(valid.replace('id = "coface"', 'id = "coface"\nenabled = false'))
        seen = len(events(log))
        process.send_signal(signal.SIGHUP)
        reloaded = wait_for(log, "reloaded", seen)
        assert sorted(reloaded["sources"]) == [j for j in jobs if j != "coface"]
    finally:
        process.terminate()
        assert process.wait(30) == 0
        stderr = process.stderr.read()
        process.stderr.close()
    assert "Traceback" not in stderr


# -- the data files ---------------------------------------------------------------------------

DATA_FILES = [name for name, _ in _data_files() if not name.startswith("var/")]


@pytest.mark.parametrize("name", DATA_FILES)
def test_data_check_refuses_each_data_file_nested_too_deep(name, monkeypatch, tmp_path):
    real = Path.read_text

    def deep_for_this_file(self: Path, *args, **kwargs) -> str:
        if self.as_posix().endswith(name):
            return DEEP["arrays"]
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", deep_for_this_file)
    done = CliRunner().invoke(main, ["data", "check"], env={"PORTAIL_DATA": str(tmp_path)})
    assert done.exit_code == 2 and isinstance(done.exception, SystemExit), done.output[-2000:]
    file = Path(name).name
    refused = [line for line in done.output.splitlines() if TOO_DEEP in line]
    assert refused and all(file in line for line in refused), done.output[-2000:]
    assert f"{name} : valide." not in done.output.splitlines()


def test_data_check_refuses_deep_first_release_corrections(tmp_path):
    (tmp_path / "corrections.toml").write_text(DEEP["arrays"], "utf-8")
    assert_refused_in_french(run_portail("data", "check", data=tmp_path), "corrections.toml")
    upgrade = run_portail("db", "upgrade", data=tmp_path)
    assert_refused_in_french(upgrade, "corrections.toml")


def test_directory_check_refuses_a_deep_file(tmp_path):
    path = tmp_path / "annuaire.toml"
    path.write_text("[[partner]]\nid = " + "[" * DEPTH + "]" * DEPTH + "\n", "utf-8")
    assert_refused_in_french(run_portail("directory", "check", str(path), data=tmp_path), path.name)


def test_classify_refuses_a_deep_json_line(tmp_path):
    line = '{"id": "a", "text": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
    done = run_portail("classify", "-", data=tmp_path, stdin=line)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "ligne 1 : JSON imbriqué trop profondément" in done.stderr
