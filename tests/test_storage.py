"""A data directory that refuses writes (read-only, full): every command says so in one French
line and exits 74 (EX_IOERR), the console answers a French 503, and nothing is half-written.

The tests run as root, where chmod does not stop a write: they make a directory (or one file)
read-only with a read-only bind mount, else with the immutable attribute (chattr +i), and a
full disk with a tiny tmpfs; each is skipped, with its reason, only where none of these works."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from pathlib import Path

import pytest

from conftest import DEMO_SOURCES, run_portail, sql
from portail.credentials import set_admin_password
from portail.db import open_store
from portail.storage import EXIT_IOERR, atomic_write, storage_problem
from webui import create_app

PASSWORD = "une phrase de passe assez longue"


def _run(*args: object) -> bool:
    done = subprocess.run([str(a) for a in args], capture_output=True, check=False)
    return done.returncode == 0


def _writable(path: Path) -> bool:
    probe = (path if path.is_dir() else path.parent) / ".essai-ecriture"
    try:
        if path.is_dir():
            probe.write_text("x")
            probe.unlink()
        else:
            with path.open("ab"):
                pass
    except OSError:
        return False
    return True


@contextmanager
def read_only(path: Path) -> Iterator[str]:
    """`path` (a directory or a file) read-only, even for root, for the time of the block."""
    if _run("mount", "--bind", path, path):
        if _run("mount", "-o", "remount,ro,bind", path) and not _writable(path):
            try:
                yield "montage en lecture seule"
            finally:
                _run("umount", path) or _run("umount", "-l", path)
            return
        _run("umount", path) or _run("umount", "-l", path)
    targets = [path, *path.rglob("*")] if path.is_dir() else [path]
    if _run("chattr", "+i", *targets) and not _writable(path):
        try:
            yield "attribut immuable"
        finally:
            _run("chattr", "-i", *targets)
        return
    _run("chattr", "-i", *targets)
    pytest.skip(
        "ni montage en lecture seule ni chattr +i possibles ici : rien pour refuser "
        "une écriture à root"
    )


@contextmanager
def tiny_disk(path: Path, size: str = "256k") -> Iterator[Path]:
    """A tmpfs of `size` mounted on `path` (created), unmounted after the block."""
    path.mkdir(parents=True, exist_ok=True)
    if not _run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path):
        pytest.skip("montage d'un tmpfs impossible ici : pas de disque plein à simuler")
    try:
        yield path
    finally:
        _run("umount", path) or _run("umount", "-l", path)


def fill(folder: Path) -> None:
    """Write into `folder` until its disk is full."""
    with (folder / "lest").open("wb", buffering=0) as ballast:
        try:
            while True:
                ballast.write(b"\0" * 4096)
        except OSError:
            pass


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def add_pages(data: Path, count: int, size: int = 3000) -> list[str]:
    store = open_store(data)
    store.record_source("essai", "Essai", "Organisme", "")
    crawl = store.start_crawl("essai")
    urls = []
    for i in range(count):
        url = f"https://exemple.fr/page-{i}"
        text = f"Page {i} sur l'export vers le Japon. " + "mot " * (size // 4)
        fields = {"title": f"Page {i}", "text": text, "content_hash": str(i)}
        store.save_page(crawl, "essai", url, url, fields, None, None, 200)
        urls.append(url)
    store.close()
    return urls


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the commands -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ready_data(tmp_path_factory) -> Path:
    """A data directory at the current schema, with a password, two pages and their index."""
    data = tmp_path_factory.mktemp("lecture-seule") / "var"
    assert run_portail("db", "upgrade", data=data).returncode == 0
    add_pages(data, 2)
    assert run_portail("index", data=data).returncode == 0
    set_admin_password(data, PASSWORD)
    return data


COMMANDS = {
    "crawl": (["crawl", "--sources", str(DEMO_SOURCES), "--source", "douane"], None),
    "index": (["index", "--full"], None),
    "db upgrade": (["db", "upgrade"], None),
    "admin set-password": (["admin", "set-password"], "une autre phrase de passe\n" * 2),
    "export": (["export", "{data}/pages.jsonl"], None),
    "serve": (["serve", "--port", "{port}"], None),
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_on_a_read_only_data_dir_says_so_and_exits_74(ready_data, name):
    args, stdin = COMMANDS[name]
    args = [a.format(data=ready_data, port=free_port()) for a in args]
    before = snapshot(ready_data)
    with read_only(ready_data):
        done = run_portail(*args, data=ready_data, stdin=stdin, timeout=120)
    assert done.returncode == EXIT_IOERR, (name, done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("Écriture impossible")]
    assert re.search(r"lecture seule|non permise|impossible à ouvrir", line), line
    assert str(ready_data) in line and "rien n'a été écrit à moitié" in line
    assert snapshot(ready_data) == before


# `portail …` whose SQLite files cannot grow past a number of pages: the full disk that a crawl
# meets, the same on every machine (no mount needed). SQLite says « database or disk is full ».
CAPPED_PORTAIL = """
import os, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine

@event.listens_for(Engine, "connect")
def cap(connection, record):
    connection.execute("PRAGMA max_page_count = " + os.environ["PAGES_AT_MOST"])

sys.argv[0] = "portail"
from portail_cli.main import main
main()
"""


def test_a_crawl_that_fills_the_disk_stops_and_says_so_with_74(tmp_path, demo_web, make_sources):
    data = tmp_path / "var"
    assert run_portail("db", "upgrade", data=data).returncode == 0
    pages = sql(data, "PRAGMA page_count")[0][0]
    sources = make_sources(demo_web)
    env = {**os.environ, "PORTAIL_DATA": str(data), "PAGES_AT_MOST": str(pages + 40)}
    args = ["crawl", "--sources", str(sources), "--source", "coface", "--source", "ccef"]
    done = subprocess.run(
        [sys.executable, "-c", CAPPED_PORTAIL, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == EXIT_IOERR, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "terminée" not in done.stdout, done.stderr[-3000:]
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("Écriture impossible")]
    assert "plus de place sur le disque" in line and str(data) in line, line
    assert sql(data, "PRAGMA integrity_check")[0][0] == "ok"
    saved = sql(data, "SELECT count(*) FROM pages")[0][0]
    assert 0 < saved < 100, saved  # it stopped at the first refused write


def test_an_export_to_a_full_disk_leaves_the_previous_file_whole(tmp_path):
    data = tmp_path / "var"
    add_pages(data, 40)
    with tiny_disk(tmp_path / "plein", "64k") as disk:
        target = disk / "pages.jsonl"
        target.write_text("l'export précédent\n", "utf-8")
        done = run_portail("export", str(target), data=data)
        assert done.returncode == EXIT_IOERR, done.stderr[-2000:]
        assert "plus de place sur le disque" in done.stderr and "Traceback" not in done.stderr
        assert target.read_text("utf-8") == "l'export précédent\n"
        assert sorted(p.name for p in disk.iterdir()) == ["pages.jsonl"]
    complete = run_portail("export", str(tmp_path / "pages.jsonl"), data=data)
    assert complete.returncode == 0 and "40 pages exportées" in complete.stderr


def test_a_new_password_on_a_full_disk_keeps_the_old_one(tmp_path):
    with tiny_disk(tmp_path / "var", "256k") as data:
        set_admin_password(data, PASSWORD)
        before = (data / "admin.toml").read_text("utf-8")
        fill(data)
        again = "une autre phrase longue\n" * 2
        done = run_portail("admin", "set-password", data=data, stdin=again)
        assert done.returncode == EXIT_IOERR and "plus de place" in done.stderr, done.stderr
        (data / "lest").unlink()
        assert (data / "admin.toml").read_text("utf-8") == before
        assert sorted(p.name for p in data.iterdir()) == ["admin.toml"]


def test_a_file_written_atomically_is_the_old_one_or_the_new_one(tmp_path):
    with tiny_disk(tmp_path / "petit", "64k") as disk:
        target = disk / "bilan.json"
        atomic_write(target, "ancien")
        with pytest.raises(OSError) as refused:
            atomic_write(target, "x" * 200_000)
        assert storage_problem(refused.value).startswith("plus de place sur le disque")
        assert target.read_text() == "ancien" and [p.name for p in disk.iterdir()] == [target.name]
        atomic_write(target, "nouveau")
        assert target.read_text() == "nouveau"


# -- the console ------------------------------------------------------------------------------


def test_the_console_answers_a_french_503_when_the_database_refuses_a_write(tmp_path):
    data = tmp_path / "var"
    (url,) = add_pages(data, 1)
    set_admin_password(data, PASSWORD)
    app = create_app({"DATA_DIR": str(data), "TESTING": True, "SOURCES_FILE": str(DEMO_SOURCES)})
    client = app.test_client()
    page = client.get("/admin/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "nom": "Camille", "mot_de_passe": PASSWORD}
    assert client.post("/admin/connexion", data=form).status_code == 303
    page = client.get("/admin/corrections").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    store = app.extensions["store"]
    with read_only(data / "pages.sqlite3"):
        # The app's pooled connections were opened before: a disk remounted read-only refuses
        # their writes too, a read-only bind mount only new ones. Reopen them through it.
        store.engine.dispose()
        assert client.get("/admin/corrections").status_code == 200  # reading still works
        writes = [
            ("/admin/corrections/page", {"url": url, "masquer": "1"}),
            ("/admin/sources/douane/collecter", {}),
        ]
        for path, fields in writes:
            response = client.post(path, data={"csrf_token": token, **fields})
            body = unescape(response.get_data(as_text=True))
            assert response.status_code == 503, (path, body[-500:])
            assert "Service momentanément indisponible" in body and "rien n'a été modifié" in body
            assert "lecture seule" in body and str(data) not in body
            assert response.headers["Retry-After"] == "300"
    store.engine.dispose()  # the connections opened through the read-only mount
    assert sql(data, "SELECT count(*) AS n FROM corrections")[0]["n"] == 0
    assert sql(data, "SELECT count(*) AS n FROM recrawl_queue")[0]["n"] == 0
    assert client.post(writes[0][0], data={"csrf_token": token, **writes[0][1]}).status_code == 303


def test_the_api_says_a_refused_write_in_json(tmp_path, monkeypatch):
    """Any request whose store refuses a write (here the web's store itself) is a 503."""
    app = create_app({"DATA_DIR": str(tmp_path), "TESTING": True})

    def refuse(*args, **kwargs):
        raise OSError(30, "Read-only file system", str(tmp_path / "index"))

    monkeypatch.setattr(app.extensions["searcher"], "search", refuse)
    response = app.test_client().get("/api/search?q=export")
    assert response.status_code == 503
    assert "lecture seule" in response.get_json()["error"] and str(tmp_path) not in response.text


def test_an_unexpected_os_error_stays_a_500(tmp_path, monkeypatch):
    app = create_app({"DATA_DIR": str(tmp_path), "TESTING": True})

    def fail(*args, **kwargs):
        raise OSError(99, "something else")

    monkeypatch.setattr(app.extensions["searcher"], "search", fail)
    assert app.test_client().get("/api/search?q=export").status_code == 500


def test_the_exit_status_74_is_documented():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    assert "74" in readme and "EX_IOERR" in readme
    assert os.EX_IOERR == EXIT_IOERR
