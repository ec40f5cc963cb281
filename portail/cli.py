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


def _load_config(path: str | None):
    from portail.paths import default_sources

    try:
        return load_sources(path or default_sources())
    except ConfigError as exc:
        for line in exc.errors:
            click.echo(line, err=True)
        click.echo("Fichier de sources invalide : rien n'a été collecté.", err=True)
        sys.exit(2)


@main.command(help="Collecte les sources activées (ou celles nommées par --source).")
@click.option("--sources", "sources_path", type=click.Path(), default=None,
              help="Fichier de sources (par défaut : sources.toml).")
@click.option("--source", "source_ids", multiple=True, help="Identifiant d'une source à collecter.")
def crawl(sources_path: str | None, source_ids: tuple[str, ...]) -> None:
    from crawlers.run import EXIT_BUSY, CrawlBusy, run_crawl
    from portail.paths import data_dir

    config = _load_config(sources_path)
    try:
        results = run_crawl(config, list(source_ids), data_dir())
    except CrawlBusy as exc:
        click.echo(f"Collecte refusée : {exc}.", err=True)
        sys.exit(EXIT_BUSY)
    except KeyError as exc:
        click.echo(f"Collecte refusée : {exc.args[0]}.", err=True)
        sys.exit(2)
    if results and all(r.flag and r.counts.new + r.counts.unchanged + r.counts.changed == 0
                       for r in results):
        sys.exit(1)


@main.command(help="Exporte les pages du magasin en lignes JSON (sortie standard par défaut).")
@click.argument("file", required=False, type=click.Path())
def export(file: str | None) -> None:
    from portail.export import write_export
    from portail.paths import data_dir
    from portail.store import open_store

    store = open_store(data_dir())
    try:
        if file:
            with open(file, "w", encoding="utf-8") as out:
                count = write_export(store, out)
            click.echo(f"{count} pages exportées dans {file}.", err=True)
        else:
            write_export(store, sys.stdout)
    finally:
        store.close()
