"""The page store, read-only: the full text of indexed pages and the crawled sources.

The index keeps a 700-character summary of each page; the catalogue reads cues (who an offer
is for, what it brings) in the whole text, so it opens the store's SQLite file read-only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from portail.store import store_path

BATCH = 500  # SQLite's limit on bound parameters is far above this


@dataclass(frozen=True)
class CrawledSource:
    id: str
    name: str
    organisation: str
    region: str


@contextmanager
def _connect() -> Iterator[sqlite3.Connection | None]:
    path = store_path(Path(current_app.config["DATA_DIR"]))
    if not path.exists():
        yield None
        return
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        yield db
    finally:
        db.close()


def texts(urls: Iterable[str]) -> dict[str, str]:
    """The stored text of each URL (pages missing from the store are left out)."""
    wanted = list(dict.fromkeys(urls))
    out: dict[str, str] = {}
    with _connect() as db:
        if db is None:
            return out
        for i in range(0, len(wanted), BATCH):
            chunk = wanted[i : i + BATCH]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(f"SELECT url, text FROM pages WHERE url IN ({marks})", chunk)
            out.update((url, text or "") for url, text in rows)
    return out


def sources() -> dict[str, CrawledSource]:
    """The sources the crawls have recorded, by id."""
    with _connect() as db:
        if db is None:
            return {}
        try:
            rows = db.execute("SELECT id, name, organisation, region FROM sources").fetchall()
        except sqlite3.OperationalError:  # a store older than the sources table
            return {}
    return {row[0]: CrawledSource(row[0], row[1], row[2], row[3] or "") for row in rows}
