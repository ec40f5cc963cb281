"""`portail demo`: the whole chain on the embedded demo web, for a first look.

The demo web is served on free loopback ports (never on `portail demo-web`'s fixed ones), so
that a demo and the tests, or two demos, never collide; the sources and manifest it crawls
are rewritten to those ports, and the pages an earlier demo stored under other ports are
retired before the crawl. One demo at a time runs on a data folder: it holds the folder's
`demo.lock` while it runs, and a second demo on the same folder is refused (it would retire the
first one's pages and crawl them again under its own ports)."""

from __future__ import annotations

import fcntl
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from portail.language import plural
from portail.paths import data_dir

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
DEMO_SOURCES = DEMO_DIR / "sources.toml"
DEMO_MANIFEST = DEMO_DIR / "manifest.json"
HOST = "127.0.0.1"
LOCK_NAME = "demo.lock"


class DemoRunning(Exception):
    """Another demo runs on the data folder; its portal's port, when known."""

    def __init__(self, port: int | None) -> None:
        super().__init__(port)
        self.port = port


@contextmanager
def demo_lock(folder: Path, port: int) -> Iterator[None]:
    """Hold the data folder's demo lock while a demo runs (the lock file names its portal's
    port); raise DemoRunning when another demo holds it."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK_NAME).open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            held = handle.read().strip()
            raise DemoRunning(int(held) if held.isdigit() else None) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{port}\n")
        handle.flush()
        yield  # the lock goes with the file's closing, even if the process is killed


def running_message(folder: Path, running: DemoRunning, port: int) -> str:
    where = f" (portail sur http://{HOST}:{running.port}/)" if running.port else ""
    return (
        f"Une démonstration tourne déjà sur le dossier de données {folder}{where}. "
        "Deux démonstrations sur le même dossier se gêneraient : la seconde retirerait les pages "
        "de la première. Arrêtez-la (Ctrl+C) avant d'en relancer une, ou donnez à la nouvelle son "
        f"propre dossier : « PORTAIL_DATA=var-{port} make demo PORT={port} »."
    )


def port_taken(port: int, host: str = HOST) -> bool:
    """Whether another program already listens on the port (bound as waitress binds it)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def taken_message(port: int) -> str:
    return (
        f"Le port {port} est déjà pris (un autre portail ou un autre programme l'utilise) : "
        f"choisissez-en un autre, par exemple « make demo PORT={port + 1} » ou "
        f"« portail demo --port {port + 1} »."
    )


def run_demo(port: int) -> int:
    """Serve the demo web, crawl it, index it, then serve the portal until interrupted."""
    if port_taken(port):
        click.echo(taken_message(port), err=True)
        return 1
    folder = data_dir()
    try:
        with demo_lock(folder, port):
            return _run_demo(port)
    except DemoRunning as running:
        click.echo(running_message(folder, running, port), err=True)
        return 1


def _run_demo(port: int) -> int:
    """The demo itself, once it holds its data folder."""
    from demo.web import DemoWeb

    try:
        web = DemoWeb(ephemeral=True)
    except ValueError as exc:  # PORTAIL_DEMO_TODAY that is not a date
        click.echo(str(exc), err=True)
        return 2
    try:
        web.start()
    except OSError as exc:
        click.echo(f"Impossible de servir le web de démonstration : {exc}", err=True)
        return 1
    click.echo(
        f"1/3 Web de démonstration servi : {len(web.sites)} sites sur "
        f"{web.origin('bpifrance')} … {web.origin('agenda')}"
    )
    try:
        with tempfile.TemporaryDirectory(prefix="portail-demo-") as folder:
            code = _crawl_and_index(web, Path(folder))
        if code != 0:
            return code
        return _serve(port)
    except KeyboardInterrupt:
        return 0
    finally:
        web.stop()


def _crawl_and_index(web, folder: Path) -> int:  # type: ignore[no-untyped-def]
    """Crawl the demo web where it is served, then index; the exit code of what failed."""
    sources = folder / "sources.toml"
    sources.write_text(web.rewrite(DEMO_SOURCES.read_text("utf-8")), "utf-8")
    manifest = folder / "manifest.json"
    manifest.write_text(web.rewrite(DEMO_MANIFEST.read_text("utf-8")), "utf-8")
    retired = _retire_earlier_demos(sources)
    if retired:
        pages = plural(retired, "page retirée", "pages retirées")
        click.echo(
            f"   {pages} : une démonstration précédente les avait servies sur d'autres ports."
        )
    click.echo("2/3 Collecte des sites de démonstration…")
    command = [sys.executable, "-m", "portail_cli", "crawl", "--sources", str(sources)]
    crawl = subprocess.run([*command, "--manifest", str(manifest)], check=False)
    if crawl.returncode not in (0, 1):
        click.echo("La collecte a échoué : voir les messages ci-dessus.", err=True)
        return crawl.returncode
    click.echo("3/3 Indexation…")
    return subprocess.run([sys.executable, "-m", "portail_cli", "index"], check=False).returncode


def _retire_earlier_demos(sources: Path) -> int:
    """Mark gone the pages an earlier demo stored under other ports; how many."""
    from urllib.parse import urlsplit

    from portail.db import SchemaError, open_store
    from portail.sources import load_sources

    data_dir().mkdir(parents=True, exist_ok=True)
    try:
        store = open_store(data_dir())
    except SchemaError:
        return 0  # the crawl says it, with the command that repairs the database
    try:
        total = 0
        for source in load_sources(sources).sources:
            urls = [*source.start_urls, *source.sitemaps, *source.feeds]
            origins = sorted({f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in urls})
            total += store.retire_elsewhere(source.id, origins)
        return total
    finally:
        store.close()


def _serve(port: int) -> int:
    import webui

    if port_taken(port):  # taken while the demo crawled
        click.echo(taken_message(port), err=True)
        return 1
    click.echo(
        f"Le portail est prêt : http://{HOST}:{port}/ (données : {data_dir()}). "
        "Ctrl+C pour arrêter."
    )
    webui.serve(HOST, port)
    return 0
