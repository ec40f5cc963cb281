"""The web front end: a Flask application in the State design system (DSFR).

`create_app()` builds the application; each area of the site is a blueprint in its own module,
named in `BLUEPRINTS` (a new area — offers, regions, countries, agenda, admin — is a module
with a `bp`, added there; its `<area>.index` endpoint then appears in the main navigation,
see `layout.NAVIGATION`). Public pages only read: the Whoosh index through
`indexer.search.Searcher` (one per process, kept on the app), the reference data of
`indexer.journey` and `portail.geo`, and the store through `reader()` (read-only); what people
enter (the console, the hotline, the self-assessment) goes through `store()`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask

if TYPE_CHECKING:
    from portail.db import Reader, Store

# Settings, with their defaults and what they mean (overridable through `test_config`).
DEFAULTS: dict[str, Any] = {
    "DATA_DIR": None,  # the data directory; None means $PORTAIL_DATA (default ./var)
    "TODAY": None,  # ISO date the agenda counts from; None means the real today
    "REGION_COOKIE": "region",  # name of the cookie that remembers the user's region
    "REGION_COOKIE_DAYS": 365,  # how long the region is remembered
    "FEED_SIZE": 30,  # entries in /flux.atom (and the other Atom feeds)
    "NEWS_ARCHIVE_MONTHS": 6,  # news older than this many months go to /actualites/archives
    "SEND_FILE_MAX_AGE_DEFAULT": 3600,  # browsers may keep the DSFR files an hour
    "SECRET_KEY": None,  # signs session cookies; None means <data>/secret_key, generated once
    "SESSION_COOKIE_SECURE": None,  # None means Secure except in debug and testing mode
    "SOURCES_FILE": None,  # the console's sources file; None means ./sources.toml or the demo's
    "PUBLIC_URL": None,  # base of absolute links; None means $PORTAIL_PUBLIC_URL (origin.py)
    "TRUSTED_PROXIES": None,  # reverse proxies believed; None means $PORTAIL_TRUSTED_PROXIES or 0
    "HSTS_SECONDS": 31_536_000,  # Strict-Transport-Security over HTTPS (0: no header)
}
# The areas of the site, one blueprint module each (webui/<name>.py defines `bp`).
BLUEPRINTS = (
    "journey",
    "search",
    "partners",
    "api",
    "feed",
    "admin",
    "offers",
    "regions",
    "countries",
    "agenda",
    "autodiagnostic",
    "hotline",
    "vie",
    "sectors",
    "news",
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The application factory (Flask tutorial style)."""
    from webui import origin

    app = origin.Portal(__name__)
    app.config.from_mapping(DEFAULTS)
    if test_config:
        app.config.from_mapping(test_config)
    origin.init_app(app)
    if app.config["DATA_DIR"] is None:
        from portail.paths import data_dir

        app.config["DATA_DIR"] = str(data_dir())
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    from indexer.search import Searcher
    from portail.db import open_store, reading_engine

    # One store (its engine and pool), one read-only engine and one searcher per process. A
    # database at an unknown schema stops the start. Public pages read through `reader()`, a
    # read-only connection per request kept on `flask.g`; the console and the forms people
    # fill in write through `store()`.
    app.extensions["store"] = open_store(Path(app.config["DATA_DIR"]))
    app.extensions["reading"] = reading_engine(Path(app.config["DATA_DIR"]))
    app.extensions["searcher"] = Searcher(Path(app.config["DATA_DIR"]))
    app.teardown_appcontext(_close_reader)

    from webui import errors, layout, region_panel, security, sessions, twins

    layout.init_app(app)
    twins.init_app(app)
    region_panel.init_app(app)
    security.init_app(app)
    sessions.init_app(app)
    errors.init_app(app)
    for name in BLUEPRINTS:
        app.register_blueprint(import_module(f"webui.{name}").bp)
    return app


def store() -> Store:
    """The data layer with its writes (the console, the hotline and self-assessment forms):
    the process's store, whose pool lends each query a connection."""
    from flask import current_app

    return current_app.extensions["store"]  # type: ignore[no-any-return]


def reader() -> Reader:
    """What a public page reads: one read-only connection for this request, opened on first
    use, kept on `flask.g` and closed when the request ends."""
    from flask import current_app, g

    if "reader" not in g:
        from portail.db import Reader

        g.reader = Reader(current_app.extensions["reading"].connect())
    return g.reader  # type: ignore[no-any-return]


def _close_reader(_error: BaseException | None) -> None:
    from flask import g

    opened = g.pop("reader", None)
    if opened is not None:
        opened.close()


def today(app: Flask) -> date:
    """The date the agenda counts from (fixed in tests through the TODAY setting)."""
    fixed = app.config.get("TODAY")
    return date.fromisoformat(fixed) if fixed else date.today()


def serve(
    host: str = "127.0.0.1", port: int = 8000, on_ready: Callable[[], None] | None = None
) -> None:
    """Serve the web UI with waitress (4 threads) until interrupted: `portail serve`.
    `on_ready` is called once the application is built (its settings and data accepted)."""
    import waitress

    app = create_app()
    if on_ready is not None:
        on_ready()
    waitress.serve(app, host=host, port=port, threads=4, ident="France International")
