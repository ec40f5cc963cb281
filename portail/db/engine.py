"""Where the tables live: SQLite in the data directory by default, PostgreSQL when
`PORTAIL_DATABASE_URL` names one; and the schema's version (Alembic migrations).

A fresh database gets the current schema at once. A database at another version is refused
with the command that fixes it (`portail db upgrade`), never used half-migrated; a store made
by the first release (before migrations) is adopted by `portail db upgrade` without losing a
page.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc, inspect

from portail.db.tables import metadata

STORE_FILE = "pages.sqlite3"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
FIRST_RELEASE = "0001"  # the revision that describes the store of the first release


class SchemaError(RuntimeError):
    """The database is not at the schema this code knows; the message (French) says why."""


def database_url(data_dir: Path) -> str:
    """`PORTAIL_DATABASE_URL`, or the SQLite file of the data directory."""
    url = os.environ.get("PORTAIL_DATABASE_URL", "").strip()
    if url:
        return _with_driver(url)
    return f"sqlite:///{Path(data_dir).resolve() / STORE_FILE}"


def _with_driver(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, read_only: bool = False) -> Engine:
    """An engine with the settings each database needs (SQLite: WAL, busy timeout); a
    read-only one refuses every write (SQLite `mode=ro`, PostgreSQL read-only transactions)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        if read_only:
            url = f"sqlite:///file:{path}?mode=ro&uri=true"
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # A pool of open connections (SQLAlchemy's default for a file): opening one per
        # transaction, with its pragmas, and closing it (a WAL checkpoint when it is the last)
        # cost a crawl a fifth of its time.
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        options = {"options": "-c default_transaction_read_only=on"} if read_only else {}
        engine = create_engine(
            url, pool_pre_ping=True, pool_size=5, max_overflow=5, connect_args=options
        )
    _forget_across_forks(engine)
    return engine


def _forget_across_forks(engine: Engine) -> None:
    """A connection is never used by two processes (a gunicorn worker forked after the app
    opened its store, a crawl's child): one opened by another process is dropped, unclosed
    (closing it would disturb its owner), and replaced (SQLAlchemy's documented recipe)."""

    @event.listens_for(engine, "connect")
    def _owner(_dbapi: Any, record: Any) -> None:
        record.info["pid"] = os.getpid()

    @event.listens_for(engine, "checkout")
    def _same_owner(_dbapi: Any, record: Any, proxy: Any) -> None:
        if record.info.get("pid") != os.getpid():
            record.dbapi_connection = proxy.dbapi_connection = None
            raise exc.DisconnectionError("connexion ouverte par un autre processus")


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# -- versions -----------------------------------------------------------------------------------


def _config(engine: Engine, connection: Any = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(_config(None)).get_current_head())  # type: ignore[arg-type]


def current(engine: Engine) -> str | None:
    """The database's revision; "" for a store of the first release; None when empty."""
    with engine.connect() as connection:
        return _revision(connection)


def _revision(connection: Any) -> str | None:
    from alembic.migration import MigrationContext

    revision = MigrationContext.configure(connection).get_current_revision()
    if revision:
        return str(revision)
    return "" if "pages" in inspect(connection).get_table_names() else None


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to the current schema; (revision before, revision after). Two
    processes starting on an empty database (the scheduler and a web node) migrate it once:
    the second waits for the first, then finds nothing to do."""
    from alembic import command

    with _migration_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(742108)")
        before = _revision(connection)
        config = _config(engine, connection)
        if before == "":
            _adopt_first_release(connection)
            command.stamp(config, FIRST_RELEASE)
        command.upgrade(config, "head")
    return before, head()


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """SQLite: a lock file beside the database, held while it is migrated."""
    if engine.dialect.name != "sqlite" or not engine.url.database:
        yield
        return
    path = Path(str(engine.url.database).removeprefix("file:").split("?")[0] + ".migration.lock")
    with path.open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _adopt_first_release(connection: Any) -> None:
    """A store of the first release: create the first-release tables it may lack (the
    scheduler's `runs` was made on first use), so that revision 0001 describes it."""
    from portail.db.migrations.versions import v0001_first_release as first

    first.create_missing(connection)


def ensure_current(engine: Engine) -> None:
    """A fresh database gets the schema; one at another version is refused (SchemaError)."""
    latest = head()
    if current(engine) == latest:
        return
    revision = _settled_revision(engine)  # another process may be migrating it right now
    if revision is None:
        upgrade(engine)
        return
    if revision == latest:
        return
    if revision == "":
        raise SchemaError(
            "la base de données a été créée par une version précédente du portail : lancez "
            "« portail db upgrade » pour la mettre à jour (aucune page n'est perdue)"
        )
    if _is_known(revision):
        raise SchemaError(
            f"la base de données est au schéma {revision}, le portail attend {latest} : "
            "lancez « portail db upgrade »"
        )
    raise SchemaError(
        f"la base de données est au schéma {revision}, que ce logiciel ne connaît pas (il "
        f"attend {latest}) : elle a sans doute été mise à jour par une version plus récente"
    )


def _settled_revision(engine: Engine) -> str | None:
    """The revision read under the migration lock: once a migration under way has ended."""
    with _migration_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(742108)")
        return _revision(connection)


def _is_known(revision: str) -> bool:
    from alembic.script import ScriptDirectory

    try:
        return ScriptDirectory.from_config(_config(None)).get_revision(revision) is not None  # type: ignore[arg-type]
    except Exception:  # alembic raises its own errors for unknown revisions
        return False


__all__ = ["SchemaError", "database_url", "ensure_current", "make_engine", "metadata", "upgrade"]
