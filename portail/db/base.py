"""What every part of the data layer shares: the engine, transactions, and upserts that work
on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.dialects import postgresql, sqlite

Row = Mapping[str, Any]  # a row, read by column name (a record of `records.py` when typed)
R = TypeVar("R")  # a record of `records.py`


def now() -> str:
    """The current time, as the tables keep it (ISO 8601, UTC, seconds)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Queries:
    """How the read queries of a stage run: `one`, `all` and `scalar`, on an engine (`Base`)
    or on one read-only connection (`OnConnection`)."""

    def one(self, statement: Any, params: Mapping[str, Any] | None = None) -> Row | None:
        raise NotImplementedError

    def all(self, statement: Any) -> list[Row]:
        raise NotImplementedError

    def scalar(self, statement: Any) -> Any:
        raise NotImplementedError

    def one_as(
        self, record: type[R], statement: Any, params: Mapping[str, Any] | None = None
    ) -> R | None:
        """The first row of a query, as the record it is (a plain dict, typed)."""
        return cast("R | None", self.one(statement, params))

    def all_as(self, record: type[R], statement: Any) -> list[R]:
        """The rows of a query, as the records they are (plain dicts, typed)."""
        return cast("list[R]", self.all(statement))


class OnConnection(Queries):
    """Read queries on one connection, held for a while (a web request) then closed."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def close(self) -> None:
        self.connection.close()

    def one(self, statement: Any, params: Mapping[str, Any] | None = None) -> Row | None:
        found = self.connection.execute(statement, params).mappings().first()
        return dict(found) if found is not None else None

    def all(self, statement: Any) -> list[Row]:
        return [dict(r) for r in self.connection.execute(statement).mappings()]

    def scalar(self, statement: Any) -> Any:
        return self.connection.execute(statement).scalar()


class Base(Queries):
    """An engine and its transactions (one per write: a killed process loses nothing)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction: committed when the block ends, rolled back on any error."""
        with self.engine.begin() as connection:
            yield connection

    def one(self, statement: Any, params: Mapping[str, Any] | None = None) -> Row | None:
        with self.engine.connect() as connection:
            found = connection.execute(statement, params).mappings().first()
            return dict(found) if found is not None else None

    def all(self, statement: Any) -> list[Row]:
        with self.engine.connect() as connection:
            return [dict(r) for r in connection.execute(statement).mappings()]

    def scalar(self, statement: Any) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(statement).scalar()


def upsert(
    connection: Connection,
    table: Table,
    values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    update: Sequence[str] | None = None,
) -> None:
    """Insert, or on a key conflict update `update` (all other columns when None; nothing
    when empty)."""
    rows = [values] if isinstance(values, Mapping) else list(values)
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(rows)
    columns = [c for c in rows[0] if c not in keys] if update is None else list(update)
    if columns:
        statement = statement.on_conflict_do_update(
            index_elements=list(keys), set_={c: statement.excluded[c] for c in columns}
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    connection.execute(statement)
