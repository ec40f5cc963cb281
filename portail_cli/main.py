"""The `portail` command line. Every message for people is in French."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from portail.language import plural
from portail.sources import ConfigError, load_sources

EXIT_CONFIG = 78  # EX_CONFIG: a setting, or the database's schema, this release cannot use
EXIT_SCHEMA = EXIT_CONFIG


class PortalGroup(click.Group):
    """The command group: a database at another schema, or a data directory that refuses a
    write (read-only, full), is said in French, never with a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        from portail.db import SchemaError
        from portail.paths import data_dir
        from portail.storage import EXIT_IOERR, refused_message, storage_problem

        try:
            return super().invoke(ctx)
        except SchemaError as exc:
            click.echo(f"Base de données refusée : {exc}.", err=True)
            sys.exit(EXIT_SCHEMA)
        except Exception as exc:
            reason = storage_problem(exc)
            if reason is None:
                raise
            click.echo(refused_message(reason, data_dir(create=False)), err=True)
            sys.exit(EXIT_IOERR)


@click.group(cls=PortalGroup, help="France International : le portail de l'export.")
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
    click.echo(
        f"{path} : valide, {plural(len(config.sources), 'source')} dont "
        f"{plural(enabled, 'activée')}."
    )


@main.command("demo-web", help="Sert le web de démonstration (site n sur le port PORT + n).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8800, show_default=True, type=int)
def demo_web(host: str, port: int) -> None:
    from demo.web import DemoWeb

    try:
        web = DemoWeb(host=host, base_port=port)
    except ValueError as exc:  # PORTAIL_DEMO_TODAY that is not a date
        click.echo(str(exc), err=True)
        sys.exit(2)
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
@click.option(
    "--sources",
    "sources_path",
    type=click.Path(),
    default=None,
    help="Fichier de sources (par défaut : sources.toml).",
)
@click.option("--source", "source_ids", multiple=True, help="Identifiant d'une source à collecter.")
@click.option(
    "--record",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Écrit le bilan de la collecte en JSON dans ce fichier (pour les programmes).",
)
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Manifeste du web de démonstration : ses liens morts prévus sont signalés à part, "
    "comme attendus.",
)
def crawl(
    sources_path: str | None,
    source_ids: tuple[str, ...],
    record: Path | None,
    manifest: Path | None,
) -> None:
    import json

    from crawlers.run import EXIT_BUSY, CrawlBusy, exit_code, run_crawl, run_record
    from portail.paths import data_dir
    from portail.storage import atomic_write

    config = _load_config(sources_path)
    expected = _dead_links(manifest) if manifest else frozenset()
    try:
        results = run_crawl(config, list(source_ids), data_dir(), expected=expected)
    except CrawlBusy as exc:
        click.echo(f"Collecte refusée : {exc}.", err=True)
        sys.exit(EXIT_BUSY)
    except KeyError as exc:
        click.echo(f"Collecte refusée : {exc.args[0]}.", err=True)
        sys.exit(2)
    if record is not None:
        atomic_write(record, json.dumps(run_record(results), ensure_ascii=False, indent=1))
    sys.exit(exit_code(results))


def _dead_links(manifest: Path) -> frozenset[str]:
    """The links a demo web's manifest says are dead on purpose; exit 2 if it is unreadable."""
    import json

    try:
        return frozenset(json.loads(manifest.read_text("utf-8")).get("dead_links", []))
    except (OSError, ValueError, AttributeError) as exc:
        click.echo(f"{manifest} : manifeste illisible ({exc}).", err=True)
        sys.exit(2)


@main.command(help="Exporte les pages du magasin en lignes JSON (sortie standard par défaut).")
@click.argument("file", required=False, type=click.Path())
def export(file: str | None) -> None:
    from portail.db import open_store
    from portail.export import write_export
    from portail.paths import data_dir
    from portail.storage import atomic_file

    store = open_store(data_dir())
    try:
        if file:
            with atomic_file(file) as out:  # the whole export, or the file as it was
                count = write_export(store, out)
            click.echo(f"{plural(count, 'page exportée')} dans {file}.", err=True)
        else:
            write_export(store, sys.stdout)
    finally:
        store.close()


@main.command(help="Met l'index à jour avec le magasin de pages (incrémental sauf --full).")
@click.option("--full", is_flag=True, help="Reconstruit un index neuf et le substitue d'un coup.")
@click.option(
    "--wait",
    default=60.0,
    show_default=True,
    type=float,
    help="Secondes d'attente si un autre processus indexe déjà.",
)
def index(full: bool, wait: float) -> None:
    from indexer.index import IndexBusy, update_index
    from portail.paths import data_dir

    interactive = sys.stderr.isatty()
    shown = {"tenth": -1}

    def progress(done: int, total: int) -> None:
        if interactive:  # one line, rewritten
            click.echo(f"\rIndexation : {done}/{total} pages", nl=False, err=True)
            return
        tenth = done * 10 // max(total, 1)
        if tenth > shown["tenth"]:  # a log: one line every tenth of the way
            shown["tenth"] = tenth
            click.echo(
                f"Indexation : {done}/{total} pages ({done * 100 // max(total, 1)} %)", err=True
            )

    from indexer.corrections import CorrectionsError

    try:
        report = update_index(data_dir(), full=full, wait=wait, progress=progress)
    except IndexBusy as exc:
        click.echo(f"Indexation refusée : {exc}.", err=True)
        sys.exit(75)
    except CorrectionsError as exc:
        for line in exc.errors:
            click.echo(line, err=True)
        click.echo("Corrections invalides : l'index n'a pas été modifié.", err=True)
        sys.exit(2)
    if interactive:
        click.echo("", err=True)
    kind = "reconstruit" if report.full else "mis à jour"
    click.echo(
        f"Index {kind} en {report.seconds:.1f} s : {plural(report.added, 'ajoutée')}, "
        f"{plural(report.updated, 'mise à jour', 'mises à jour')}, "
        f"{plural(report.removed, 'retirée')} ; {plural(report.total, 'page')} dans l'index."
    )
    news = report.news
    if news is not None:
        click.echo(
            f"Actualités : {news.stories} histoires en {news.items} articles ; "
            f"{news.added} ajoutés, {news.updated} mis à jour, {news.removed} retirés."
        )


@main.command(help="Classe des textes (lignes JSON {id, url, title, text}) dans les six étapes.")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def classify(file) -> None:  # type: ignore[no-untyped-def]
    import json

    from indexer.classify import classify_record

    for number, line in enumerate(file, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("un objet JSON est attendu")
        except RecursionError:
            click.echo(f"ligne {number} : JSON imbriqué trop profondément", err=True)
            sys.exit(2)
        except ValueError as exc:
            click.echo(f"ligne {number} : JSON invalide ({exc})", err=True)
            sys.exit(2)
        click.echo(json.dumps(classify_record(record), ensure_ascii=False))


@main.command(
    "eval",
    help="Mesure la qualité : « portail eval » pour le classement (web de démo, moitiés dev et "
    "test des jeux au style des vrais sites, ou FICHIER…), « portail eval search » pour la "
    "recherche, « portail eval news » pour les doublons du fil d'actualités ; chaque chiffre "
    "à côté d'une référence calculée dans la même exécution.",
)
@click.argument("targets", nargs=-1)
@click.option(
    "--cross-validate",
    is_flag=True,
    help="Classement : la moitié dev mesurée par validation croisée entre rédacteurs.",
)
@click.option("--detail", is_flag=True, help="Liste les erreurs (ou les requêtes mal servies).")
def evaluate(targets: tuple[str, ...], cross_validate: bool, detail: bool) -> None:
    """TARGETS : rien, des fichiers de lignes JSON étiquetées, « search » [dev|dev2|dev3|test] ou
    « news »."""
    from portail_cli import evaluation

    if targets == ("news",):
        try:
            click.echo(evaluation.news_report(detail))
        except evaluation.DataError as exc:
            raise click.ClickException(str(exc)) from None
        return
    if targets[:1] == ("search",):
        halves = targets[1:] or tuple(evaluation.SEARCH_SETS)
        unknown = [h for h in halves if h not in evaluation.SEARCH_SETS]
        if unknown:
            *others, last = evaluation.SEARCH_SETS
            raise click.UsageError(
                f"jeu inconnu : « {unknown[0]} » ({', '.join(others)} ou {last})"
            )
        for half in halves:
            click.echo(evaluation.search_report(half, detail))
        return
    try:
        for text in evaluation.classification_reports(
            [Path(t) for t in targets], cross_validate, detail
        ):
            click.echo(text)
    except evaluation.DataError as exc:
        raise click.ClickException(str(exc)) from None


@main.command(help="Entraîne le modèle du classifieur sur les pages étiquetées du dépôt.")
@click.option(
    "--check",
    is_flag=True,
    help="Vérifie seulement que le modèle (indexer/data/model.json) correspond aux pages "
    "étiquetées.",
)
def train(check: bool) -> None:
    from portail_cli import evaluation

    problems = evaluation.train_model(check)
    for line in problems:
        click.echo(line, err=True)
    if problems:
        sys.exit(1)


@main.command(help="Sert le portail (serveur WSGI de production).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    import webui
    from webui.origin import SettingError

    def ready() -> None:
        click.echo(f"Portail servi sur http://{host}:{port}/ (Ctrl+C pour arrêter).")

    try:
        webui.serve(host, port, on_ready=ready)
    except SettingError as exc:
        click.echo(f"Réglage refusé : {exc}.", err=True)
        sys.exit(EXIT_CONFIG)


@main.command(
    help="Le travail principal sur le web de démo : servir, collecter, indexer, "
    "puis servir le portail sur http://127.0.0.1:5000."
)
@click.option("--port", default=5000, show_default=True, type=int)
def demo(port: int) -> None:
    from portail_cli.demo import run_demo

    sys.exit(run_demo(port))


@main.command(help="Lance les collectes périodiques (ou affiche la crontab équivalente).")
@click.option(
    "--sources",
    "sources_path",
    type=click.Path(),
    default=None,
    help="Fichier de sources (par défaut : sources.toml).",
)
@click.option("--crontab", is_flag=True, help="Affiche les lignes crontab équivalentes et sort.")
def schedule(sources_path: str | None, crontab: bool) -> None:
    from pathlib import Path

    import scheduler as scheduling
    from portail.paths import data_dir, default_sources

    path = Path(sources_path) if sources_path else default_sources()
    config = _load_config(str(path))
    if crontab:
        for line in scheduling.crontab_lines(config, path, data_dir()):
            click.echo(line)
        return

    def ready() -> None:
        click.echo(
            f"Planificateur démarré ({len(config.enabled())} sources, heure de Paris) ; "
            "Ctrl+C pour arrêter, SIGHUP pour relire les sources."
        )

    sys.exit(scheduling.run_forever(path, data_dir(), on_ready=ready))


def _register_admin() -> None:
    from portail_cli.admin import admin

    main.add_command(admin)


_register_admin()


@main.group(help="Vérifier les fichiers de données éditoriales.")
def data() -> None:
    pass


@data.command(
    "check",
    help="Valide chaque fichier de données éditoriales (parcours, types, secteurs, pays, "
    "fuseaux horaires, régions, requêtes, synonymes, offres, épingles, annuaire, hotline, "
    "corrections, sources du dépôt) ; "
    "code 0 ou 2.",
)
def data_check() -> None:
    from portail.schema import DataError

    problems = 0
    for name, check in _data_files():
        try:
            found = check()
            errors = found if isinstance(found, list) else []
        except DataError as exc:
            errors = exc.errors
        except ValueError as exc:  # the loaders that still raise their own errors
            errors = getattr(exc, "errors", None) or str(exc).splitlines()
        for line in errors:
            click.echo(line, err=True)
        problems += len(errors)
        if not errors:
            click.echo(f"{name} : valide.")
    if problems:
        click.echo(f"{problems} erreur{'s' if problems > 1 else ''} : à corriger.", err=True)
        sys.exit(2)


def _data_files():  # type: ignore[no-untyped-def]
    """(name, check) of every editorial data file; a check raises DataError or returns the
    French errors it found."""
    from indexer import (
        gazetteers,
        journey,
        kinds,
        offers,
        relevance,
        sectors,
        steps,
        synonyms,
        timezones,
        understand,
    )
    from indexer.classify import load_pins
    from portail import geo
    from portail.hotline import routing as hotline_routing
    from portail.hotline import settings as hotline_settings
    from portail.paths import data_dir
    from portail.schema import load_toml
    from portail.sources import load_sources
    from webui import content, diagnostic_spec, facts, vie, zones
    from webui.directory import DIRECTORY_FILE, check_directory

    return [
        ("indexer/journey.toml", lambda: load_toml(journey.JOURNEY_FILE, journey.SCHEMA)),
        ("indexer/data/steps.toml", lambda: steps.load_rules()),
        ("indexer/data/kinds.toml", lambda: kinds.load_cues()),
        ("indexer/data/relevance.toml", lambda: relevance.load_vocabulary()),
        (
            "indexer/data/sectors.toml",
            lambda: load_toml(sectors.SECTORS_FILE, sectors.SCHEMA, sectors.duplicates),
        ),
        (
            "indexer/data/countries.toml",
            lambda: load_toml(gazetteers.COUNTRIES_FILE, gazetteers.COUNTRIES_SCHEMA),
        ),
        (
            "indexer/data/timezones.toml",
            lambda: load_toml(timezones.TIMEZONES_FILE, timezones.SCHEMA),
        ),
        (
            "indexer/data/query.toml",
            lambda: load_toml(understand.QUERY_FILE, understand.SCHEMA),
        ),
        ("indexer/synonyms.toml", lambda: load_toml(synonyms.SYNONYMS_FILE, synonyms.SCHEMA)),
        ("indexer/data/offer_cues.toml", lambda: offers.load_cues()),
        ("indexer/pins.toml", lambda: load_pins()),
        ("portail/data/regions.toml", lambda: geo.load("regions.toml")),
        ("portail/data/departements.toml", lambda: geo.load("departements.toml")),
        (
            "webui/data/popular.toml",
            lambda: load_toml(content.DATA / "popular.toml", content.POPULAR_SCHEMA),
        ),
        ("webui/data/directory.toml", lambda: check_directory(DIRECTORY_FILE)),
        (
            "webui/data/zones.toml",
            lambda: load_toml(zones.ZONES_FILE, zones.SCHEMA, zones.coverage),
        ),
        (
            "webui/data/country_facts.toml",
            lambda: load_toml(facts.FACTS_FILE, facts.SCHEMA, facts.consistency),
        ),
        ("webui/data/autodiagnostic.toml", lambda: diagnostic_spec.load_spec()),
        ("portail/data/hotline.toml", lambda: hotline_routing.load_routing()),
        ("var/hotline-settings.toml", lambda: hotline_settings.load_settings(data_dir())),
        ("webui/data/vie.toml", lambda: load_toml(vie.ABOUT_FILE, vie.ABOUT_SCHEMA)),
        ("var/corrections.toml", lambda: _first_release_corrections(data_dir())),
        (
            "sources.toml",
            lambda: load_sources(Path(__file__).resolve().parents[1] / "sources.toml"),
        ),
    ]


def _first_release_corrections(folder: Path) -> None:
    """A corrections file of the first release, not yet imported: checked before it is."""
    from indexer.corrections import corrections_path, parse_corrections

    path = corrections_path(folder)
    if path.exists():
        parse_corrections(path.read_text("utf-8"), path.name)


@main.group(help="Gérer la base de données (son schéma, ses migrations).")
def db() -> None:
    pass


@db.command(
    "upgrade",
    help="Met la base de données au schéma actuel (SQLite du répertoire de données, ou "
    "PostgreSQL de PORTAIL_DATABASE_URL) ; sans effet si elle y est déjà.",
)
def db_upgrade() -> None:
    from indexer.corrections import CorrectionsError, import_corrections_file
    from portail.db import open_store
    from portail.db.engine import database_url, make_engine, upgrade
    from portail.paths import data_dir

    folder = data_dir()
    engine = make_engine(database_url(folder))
    try:
        before, after = upgrade(engine)
    finally:
        engine.dispose()
    if before == after:
        click.echo(f"La base de données est déjà au schéma {after}.")
    elif before is None:
        click.echo(f"Base de données créée au schéma {after}.")
    else:
        shown = before or "de la première version"
        click.echo(f"Base de données mise à jour : du schéma {shown} au schéma {after}.")
    store = open_store(folder)
    try:
        imported = import_corrections_file(store, folder)
    except CorrectionsError as exc:
        for line in exc.errors:
            click.echo(line, err=True)
        click.echo("Les corrections n'ont pas été importées : corrigez le fichier.", err=True)
        sys.exit(2)
    finally:
        store.close()
    if imported:
        click.echo(f"{plural(imported, 'correction importée')} de corrections.toml dans la base.")


@main.group(help="La hotline de l'export : envoi des courriels, relances, purge.")
def hotline() -> None:
    pass


@hotline.command(
    "run",
    help="Un passage : relance les guichets sans réponse (3 jours ouvrés), prévient le guichet "
    "national (7 jours), efface les données personnelles échues, puis envoie les courriels en "
    "attente. Le planificateur le fait chaque minute.",
)
def hotline_run() -> None:
    from portail.db import open_store
    from portail.paths import data_dir
    from portail.schema import DataError
    from scheduler.hotline import run_once

    store = open_store(data_dir())
    try:
        report = run_once(store, data_dir())
    except DataError as exc:
        for line in exc.errors:
            click.echo(line, err=True)
        click.echo("Réglages de la hotline invalides : rien n'a été envoyé.", err=True)
        sys.exit(2)
    finally:
        store.close()
    click.echo(
        f"Hotline : {report.sent} courriel(s) envoyé(s), {report.retried} à réessayer, "
        f"{report.failed} refusé(s), {report.uncertain} incertain(s), {report.waiting} en "
        f"attente de réglages ; {report.reminded} relance(s), {report.escalated} escalade(s), "
        f"{report.purged} demande(s) purgée(s)."
    )


@main.group(help="Gérer l'annuaire éditorial des partenaires et des contacts régionaux.")
def directory() -> None:
    pass


@directory.command("check", help="Valide l'annuaire éditorial (webui/data/directory.toml).")
@click.argument("path", required=False, type=click.Path())
def directory_check(path: str | None) -> None:
    from webui.directory import DIRECTORY_FILE, check_directory

    target = path or str(DIRECTORY_FILE)
    errors = check_directory(target)
    for line in errors:
        click.echo(line, err=True)
    if errors:
        sys.exit(2)
    click.echo(f"{target} : valide.")


@main.group(help="Gérer les autodiagnostics export anonymes.")
def autodiagnostic() -> None:
    pass


@autodiagnostic.command(
    "purge",
    help="Efface les autodiagnostics laissés inachevés depuis plus de --jours jours "
    "(PORTAIL_AUTODIAGNOSTIC_JOURS, 30 par défaut) ; le planificateur le fait chaque nuit.",
)
@click.option("--jours", type=click.IntRange(min=1), default=None, help="Durée de conservation.")
def autodiagnostic_purge(jours: int | None) -> None:
    from portail.db import open_store
    from portail.db.selfassessment import retention_days
    from portail.paths import data_dir

    days = jours or retention_days()
    store = open_store(data_dir())
    try:
        count = store.purge_selfassessments(days)
    finally:
        store.close()
    click.echo(
        f"{count} autodiagnostic{'s' if count > 1 else ''} inachevé{'s' if count > 1 else ''} "
        f"effacé{'s' if count > 1 else ''} (conservation : {days} jours)."
    )
