"""The `portail` command line. Every message for people is in French."""

from __future__ import annotations

import sys

import click

from portail.sources import ConfigError, load_sources


@click.group(help="France International : le portail de l'export.")
def main() -> None:
    """Entry point of the console script."""


@main.group(help="Gérer les fichiers de sources.")
def sources() -> None:
    pass


@sources.command("check", help="Valide un fichier sources.toml (sources.toml par défaut).")
@click.argument("path", required=False, default="sources.toml", type=click.Path())
def sources_check(path: str) -> None:
    try:
        config = load_sources(path)
    except ConfigError as exc:
        for line in exc.errors:
            click.echo(line, err=True)
        count = len(exc.errors)
        click.echo(f"{count} erreur{'s' if count > 1 else ''} : fichier refusé.", err=True)
        sys.exit(2)
    enabled = len(config.enabled())
    click.echo(f"{path} : valide, {len(config.sources)} sources dont {enabled} activées.")


@main.command("demo-web", help="Sert le web de démonstration (site n sur le port PORT + n).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8800, show_default=True, type=int)
def demo_web(host: str, port: int) -> None:
    from demo.web import DemoWeb

    web = DemoWeb(host=host, base_port=port)
    click.echo("Web de démonstration servi (Ctrl+C pour arrêter) :")
    try:
        web.serve_forever()
    except OSError as exc:
        click.echo(
            f"Impossible d'ouvrir les ports {port + 1}–{port + len(web.sites)} : {exc}", err=True
        )
        sys.exit(1)
