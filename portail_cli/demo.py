"""`portail demo`: the whole chain on the embedded demo web, for a first look."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from portail.paths import data_dir

DEMO_SOURCES = Path(__file__).resolve().parent.parent / "demo" / "sources.toml"


def run_demo(port: int) -> int:
    """Serve the demo web, crawl it, index it, then serve the portal until interrupted."""
    from demo.web import DemoWeb

    try:
        web = DemoWeb()
    except ValueError as exc:  # PORTAIL_DEMO_TODAY that is not a date
        click.echo(str(exc), err=True)
        return 2
    try:
        web.start()
    except OSError as exc:
        click.echo(
            f"Impossible de servir le web de démonstration (ports 8801–8812) : {exc}", err=True
        )
        return 1
    click.echo(
        f"1/3 Web de démonstration servi : {len(web.sites)} sites sur "
        f"{web.origin('bpifrance')} … {web.origin('agenda')}"
    )
    try:
        click.echo("2/3 Collecte des sites de démonstration…")
        crawl = subprocess.run(
            [sys.executable, "-m", "portail_cli", "crawl", "--sources", str(DEMO_SOURCES)],
            check=False,
        )
        if crawl.returncode not in (0, 1):
            click.echo("La collecte a échoué : voir les messages ci-dessus.", err=True)
            return crawl.returncode
        click.echo("3/3 Indexation…")
        index = subprocess.run([sys.executable, "-m", "portail_cli", "index"], check=False)
        if index.returncode != 0:
            return index.returncode
        import webui

        click.echo(
            f"Le portail est prêt : http://127.0.0.1:{port}/ (données : {data_dir()}). "
            "Ctrl+C pour arrêter."
        )
        webui.serve("127.0.0.1", port)
    except KeyboardInterrupt:
        pass
    finally:
        web.stop()
    return 0
