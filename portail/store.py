"""The page store: one SQLite file in the data directory, written by crawls, read by the rest.

Every write is its own transaction (WAL journal), so a crawl killed at any moment leaves the
store consistent. Pages are keyed by canonical URL; `fetches` remembers, per requested URL,
the validators (ETag, Last-Modified) for conditional requests and the page it led to.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,            -- canonical URL
    source TEXT NOT NULL,
    status TEXT NOT NULL,            -- ok | gone | error
    fetched_url TEXT,
    http_status INTEGER,
    content_type TEXT,
    title TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    published TEXT,
    modified TEXT,
    structured TEXT NOT NULL DEFAULT '{}',
    links TEXT NOT NULL DEFAULT '[]',
    content_hash TEXT,
    etag TEXT,
    last_modified TEXT,
    first_seen TEXT NOT NULL,
    last_fetched TEXT,
    last_changed TEXT,
    last_seen TEXT,
    gone_since TEXT,
    missed INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS pages_source ON pages(source, status);
CREATE INDEX IF NOT EXISTS pages_hash ON pages(source, content_hash);

CREATE TABLE IF NOT EXISTS fetches (
    url TEXT PRIMARY KEY,            -- URL as requested
    page_url TEXT NOT NULL,          -- the page it led to
    etag TEXT,
    last_modified TEXT
);

CREATE TABLE IF NOT EXISTS crawls (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,            -- running | finished | incomplete | interrupted
    reason TEXT,
    pages_new INTEGER NOT NULL DEFAULT 0,
    pages_changed INTEGER NOT NULL DEFAULT 0,
    pages_unchanged INTEGER NOT NULL DEFAULT 0,
    pages_gone INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    flag TEXT                        -- why this crawl's result needs a maintainer
);
CREATE INDEX IF NOT EXISTS crawls_source ON crawls(source, id);

CREATE TABLE IF NOT EXISTS crawl_pages (
    crawl_id INTEGER NOT NULL,
    page_url TEXT NOT NULL,
    outcome TEXT NOT NULL,           -- new | changed | unchanged | missing
    PRIMARY KEY (crawl_id, page_url)
);

CREATE TABLE IF NOT EXISTS crawl_errors (
    crawl_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    reason TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS sources (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    organisation TEXT NOT NULL,
    region TEXT NOT NULL DEFAULT '',
    updated TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS enrichment (
    url TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    step TEXT,
    steps TEXT NOT NULL DEFAULT '{}',
    relevant INTEGER NOT NULL DEFAULT 1,
    kind TEXT NOT NULL DEFAULT 'other',
    countries TEXT NOT NULL DEFAULT '[]',
    regions TEXT NOT NULL DEFAULT '[]',
    sectors TEXT NOT NULL DEFAULT '[]',
    date TEXT,
    extra TEXT NOT NULL DEFAULT '{}'
);
"""

PAGE_FIELDS = (
    "title",
    "text",
    "description",
    "language",
    "published",
    "modified",
    "structured",
    "links",
    "content_hash",
    "content_type",
)
FIELD_DEFAULTS: dict[str, Any] = {
    "title": "",
    "text": "",
    "description": "",
    "language": "",
    "structured": {},
    "links": [],
}


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass
class CrawlCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    gone: int = 0
    errors: int = 0


class Store:
    """A connection to the page store; one per process (or thread)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- sources ------------------------------------------------------------------------

    def record_source(self, source_id: str, name: str, organisation: str, region: str) -> None:
        """Remember who publishes a source, so that readers need no sources file."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO sources VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "name=excluded.name, organisation=excluded.organisation, "
                "region=excluded.region, updated=excluded.updated",
                (source_id, name, organisation, region, now()),
            )

    def sources(self) -> dict[str, sqlite3.Row]:
        return {r["id"]: r for r in self.db.execute("SELECT * FROM sources")}

    # -- crawls -------------------------------------------------------------------------

    def start_crawl(self, source: str) -> int:
        with self.transaction() as db:
            db.execute(
                "UPDATE crawls SET status='interrupted', finished=? "
                "WHERE source=? AND status='running'",
                (now(), source),
            )
            cur = db.execute(
                "INSERT INTO crawls(source, started, status) VALUES (?, ?, 'running')",
                (source, now()),
            )
        return int(cur.lastrowid or 0)

    def finish_crawl(
        self,
        crawl_id: int,
        status: str,
        reason: str,
        flag: str | None,
        counts: CrawlCounts,
        nbytes: int,
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE crawls SET finished=?, status=?, reason=?, flag=?, pages_new=?, "
                "pages_changed=?, pages_unchanged=?, pages_gone=?, errors=?, bytes=? WHERE id=?",
                (
                    now(),
                    status,
                    reason,
                    flag,
                    counts.new,
                    counts.changed,
                    counts.unchanged,
                    counts.gone,
                    counts.errors,
                    nbytes,
                    crawl_id,
                ),
            )

    def add_error(self, crawl_id: int, url: str, reason: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO crawl_errors VALUES (?, ?, ?)", (crawl_id, url, reason))

    def crawl(self, crawl_id: int) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM crawls WHERE id=?", (crawl_id,)).fetchone()

    def crawls(self, source: str | None = None, limit: int = 50) -> list[sqlite3.Row]:
        sql = "SELECT * FROM crawls" + (" WHERE source=?" if source else "")
        args: tuple[Any, ...] = (source,) if source else ()
        return self.db.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()

    def crawl_errors(self, crawl_id: int) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT url, reason FROM crawl_errors WHERE crawl_id=?", (crawl_id,)
        ).fetchall()

    def outcome_counts(self, crawl_id: int) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT outcome, count(*) FROM crawl_pages WHERE crawl_id=? GROUP BY outcome",
            (crawl_id,),
        )
        return {outcome: n for outcome, n in rows}

    # -- pages --------------------------------------------------------------------------

    def page(self, url: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM pages WHERE url=?", (url,)).fetchone()

    def fetch_info(self, url: str) -> sqlite3.Row | None:
        return self.db.execute(
            "SELECT f.*, p.links, p.status FROM fetches f JOIN pages p ON p.url=f.page_url "
            "WHERE f.url=?",
            (url,),
        ).fetchone()

    def record_fetch(
        self,
        db: sqlite3.Connection,
        url: str,
        page_url: str,
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        db.execute(
            "INSERT INTO fetches VALUES (?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
            "page_url=excluded.page_url, etag=excluded.etag, "
            "last_modified=excluded.last_modified",
            (url, page_url, etag, last_modified),
        )

    def mark_seen(self, crawl_id: int, page_url: str, outcome: str) -> bool:
        """Note that this crawl reached a page; False when it was already noted."""
        with self.transaction() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO crawl_pages VALUES (?, ?, ?)", (crawl_id, page_url, outcome)
            )
            if cur.rowcount and outcome != "missing":
                db.execute("UPDATE pages SET last_seen=?, missed=0 WHERE url=?", (now(), page_url))
        return bool(cur.rowcount)

    def save_page(
        self,
        crawl_id: int,
        source: str,
        url: str,
        fetched_url: str,
        fields: dict[str, Any],
        etag: str | None,
        last_modified: str | None,
        http_status: int,
    ) -> str:
        """Insert or update a page in one transaction; return new, changed or unchanged."""
        stamp = now()
        values = {k: _db_value(fields.get(k, FIELD_DEFAULTS.get(k))) for k in PAGE_FIELDS}
        with self.transaction() as db:
            old = db.execute(
                "SELECT status, content_hash, version FROM pages WHERE url=?", (url,)
            ).fetchone()
            if old is None:
                outcome = "new"
                db.execute(
                    f"INSERT INTO pages(url, source, status, fetched_url, http_status, "
                    f"{', '.join(PAGE_FIELDS)}, etag, last_modified, first_seen, last_fetched, "
                    f"last_changed, last_seen) VALUES (?, ?, 'ok', ?, ?, "
                    f"{', '.join('?' * len(PAGE_FIELDS))}, ?, ?, ?, ?, ?, ?)",
                    (
                        url,
                        source,
                        fetched_url,
                        http_status,
                        *values.values(),
                        etag,
                        last_modified,
                        stamp,
                        stamp,
                        stamp,
                        stamp,
                    ),
                )
            elif old["content_hash"] == values["content_hash"] and old["status"] == "ok":
                outcome = "unchanged"
                db.execute(
                    "UPDATE pages SET last_fetched=?, last_seen=?, missed=0, etag=?, "
                    "last_modified=?, fetched_url=? WHERE url=?",
                    (stamp, stamp, etag, last_modified, fetched_url, url),
                )
            else:
                outcome = "new" if old["status"] != "ok" else "changed"
                sets = ", ".join(f"{k}=?" for k in PAGE_FIELDS)
                db.execute(
                    f"UPDATE pages SET {sets}, source=?, status='ok', fetched_url=?, "
                    "http_status=?, etag=?, last_modified=?, last_fetched=?, last_changed=?, "
                    "last_seen=?, gone_since=NULL, missed=0, version=version+1 WHERE url=?",
                    (
                        *values.values(),
                        source,
                        fetched_url,
                        http_status,
                        etag,
                        last_modified,
                        stamp,
                        stamp,
                        stamp,
                        url,
                    ),
                )
            self.record_fetch(db, fetched_url, url, etag, last_modified)
            # Within one crawl, a page reached twice keeps its first news (new, changed).
            db.execute(
                "INSERT INTO crawl_pages VALUES (?, ?, ?) "
                "ON CONFLICT(crawl_id, page_url) DO UPDATE SET outcome=CASE WHEN "
                "outcome IN ('new', 'changed') THEN outcome ELSE excluded.outcome END",
                (crawl_id, url, outcome),
            )
        return outcome

    def twin_of(self, source: str, content_hash: str, url: str) -> str | None:
        """Another live page of the source with the same content, if any."""
        row = self.db.execute(
            "SELECT url FROM pages WHERE source=? AND content_hash=? AND status='ok' AND url<>?",
            (source, content_hash, url),
        ).fetchone()
        return row["url"] if row else None

    def merge_into(self, loser: str, winner: str) -> None:
        """Fold a duplicate page into its twin: its URL becomes an alias of the twin."""
        with self.transaction() as db:
            db.execute("UPDATE fetches SET page_url=? WHERE page_url=?", (winner, loser))
            db.execute("DELETE FROM crawl_pages WHERE page_url=?", (loser,))
            db.execute("DELETE FROM enrichment WHERE url=?", (loser,))
            db.execute("DELETE FROM pages WHERE url=?", (loser,))

    def record_alias(
        self, fetched_url: str, page_url: str, etag: str | None, last_modified: str | None
    ) -> None:
        with self.transaction() as db:
            self.record_fetch(db, fetched_url, page_url, etag, last_modified)

    def close_crawl(self, crawl_id: int, source: str, complete: bool) -> tuple[int, str | None]:
        """Apply what a crawl learnt about vanished pages; return (gone count, flag).

        A crawl that reached far fewer pages than the source has marks nothing gone: the
        site may be down or redesigned, and a maintainer decides.
        """
        live = self.db.execute(
            "SELECT count(*) FROM pages WHERE source=? AND status='ok'", (source,)
        ).fetchone()[0]
        reached = self.db.execute(
            "SELECT count(*) FROM crawl_pages c JOIN pages p ON p.url=c.page_url "
            "WHERE c.crawl_id=? AND c.outcome<>'missing' AND p.source=?",
            (crawl_id, source),
        ).fetchone()[0]
        if not complete:
            return 0, None
        if live >= 5 and reached < 0.5 * live:
            return 0, (
                f"chute soudaine : {reached} pages atteintes pour {live} pages connues ; "
                "aucune page n'a été marquée disparue"
            )
        stamp = now()
        with self.transaction() as db:
            missing = db.execute(
                "UPDATE pages SET status='gone', gone_since=?, version=version+1 "
                "WHERE source=? AND status='ok' AND url IN (SELECT page_url FROM crawl_pages "
                "WHERE crawl_id=? AND outcome='missing')",
                (stamp, source, crawl_id),
            ).rowcount
            db.execute(
                "UPDATE pages SET missed=missed+1 WHERE source=? AND status='ok' AND url "
                "NOT IN (SELECT page_url FROM crawl_pages WHERE crawl_id=?)",
                (source, crawl_id),
            )
            vanished = db.execute(
                "UPDATE pages SET status='gone', gone_since=?, version=version+1 "
                "WHERE source=? AND status='ok' AND missed>=2",
                (stamp, source),
            ).rowcount
        return missing + vanished, None

    def pages(self, status: str | None = None, source: str | None = None) -> Iterator[sqlite3.Row]:
        sql, args = "SELECT * FROM pages WHERE 1=1", list[str]()
        if status:
            sql, args = sql + " AND status=?", [*args, status]
        if source:
            sql, args = sql + " AND source=?", [*args, source]
        yield from self.db.execute(sql + " ORDER BY url", args)

    def count_pages(self, status: str = "ok") -> int:
        return int(
            self.db.execute("SELECT count(*) FROM pages WHERE status=?", (status,)).fetchone()[0]
        )

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _db_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def store_path(data_dir: Path) -> Path:
    return data_dir / "pages.sqlite3"


def open_store(data_dir: Path) -> Store:
    return Store(store_path(data_dir))
