"""The crawler's part of the data layer: pages, fetches, sources and crawl runs.

Every write is its own transaction, so a crawl killed at any moment leaves the tables
consistent. Pages are keyed by canonical URL; `fetches` remembers, per requested URL, the
validators (ETag, Last-Modified) for conditional requests and the page it led to.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import and_, bindparam, delete, func, insert, not_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from portail.db.base import Base, now, upsert
from portail.db.records import (
    CrawlErrorRecord,
    CrawlRecord,
    FetchRecord,
    PageRecord,
    PageVersionRecord,
    SameContentRecord,
    SourceRecord,
)
from portail.db.tables import (
    crawl_errors,
    crawl_pages,
    crawls,
    fetches,
    page_versions,
    pages,
    sources,
)

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
HISTORY_KEPT = 3  # previous contents kept per page
VERSION_FIELDS = (
    "url",
    "version",
    "status",
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


@dataclass
class CrawlCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    gone: int = 0
    errors: int = 0


def _value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


# -- the statements a crawl runs for every page, built once ------------------------------------
# (building a statement costs more than running it on SQLite: a fifth of a crawl's time went to
# SQLAlchemy assembling the same few statements again for each page)


def _bound(*names: str) -> dict[str, Any]:
    """Column → its bound parameter, named « b_<column> » (a column's own name is reserved in
    an UPDATE's values)."""
    return {name: bindparam(f"b_{name}") for name in names}


def _params(**values: Any) -> dict[str, Any]:
    return {f"b_{name}": value for name, value in values.items()}


_PAGE_STATE = select(pages.c.status, pages.c.content_hash).where(pages.c.url == bindparam("b_url"))
_INSERT_PAGE = insert(pages)
_PAGE_UNCHANGED = (
    update(pages)
    .where(pages.c.url == bindparam("b_url"))
    .values(**_bound("last_fetched", "last_seen", "etag", "last_modified", "fetched_url"), missed=0)
)
_PAGE_CHANGED = (
    update(pages)
    .where(pages.c.url == bindparam("b_url"))
    .values(
        **_bound(
            "source",
            "fetched_url",
            "http_status",
            "etag",
            "last_modified",
            "last_fetched",
            "last_changed",
            "last_seen",
            *PAGE_FIELDS,
        ),
        status="ok",
        gone_since=None,
        missed=0,
        version=pages.c.version + 1,
    )
)
_TWIN = select(pages.c.url).where(
    pages.c.source == bindparam("b_source"),
    pages.c.content_hash == bindparam("b_content_hash"),
    pages.c.status == "ok",
    pages.c.url != bindparam("b_url"),
)


@cache
def _upserts(dialect: str) -> tuple[Any, Any]:
    """(a fetch's validators, a page's outcome in a crawl) as upserts of this dialect. A page
    reached twice in one crawl keeps its first news (new, changed)."""
    insert_of = postgresql.insert if dialect == "postgresql" else sqlite.insert
    fetch = insert_of(fetches).values(**_bound("url", "page_url", "etag", "last_modified"))
    fetch = fetch.on_conflict_do_update(
        index_elements=["url"],
        set_={c: fetch.excluded[c] for c in ("page_url", "etag", "last_modified")},
    )
    outcome = insert_of(crawl_pages).values(
        crawl_id=bindparam("b_crawl_id"),
        page_url=bindparam("b_url"),
        outcome=bindparam("b_outcome"),
    )
    outcome = outcome.on_conflict_do_update(
        index_elements=["crawl_id", "page_url"],
        set_={"outcome": outcome.excluded.outcome},
        where=crawl_pages.c.outcome.not_in(["new", "changed"]),
    )
    return fetch, outcome


class CrawlingAPI(Base):
    """What a crawl reads and writes."""

    # -- sources --------------------------------------------------------------------------

    def record_source(
        self, source_id: str, name: str, organisation: str, region: str, actor: str = "public"
    ) -> None:
        """Remember who publishes a source (and what kind of actor it is), so that readers
        need no sources file."""
        with self.begin() as db:
            upsert(
                db,
                sources,
                {
                    "id": source_id,
                    "name": name,
                    "organisation": organisation,
                    "region": region,
                    "actor": actor,
                    "updated": now(),
                },
                ["id"],
            )

    def sources(self) -> dict[str, SourceRecord]:
        return {r["id"]: r for r in self.all_as(SourceRecord, select(sources))}

    # -- crawls ---------------------------------------------------------------------------

    def start_crawl(self, source: str) -> int:
        with self.begin() as db:
            db.execute(
                update(crawls)
                .where(crawls.c.source == source, crawls.c.status == "running")
                .values(status="interrupted", finished=now())
            )
            result = db.execute(
                insert(crawls)
                .values(source=source, started=now(), status="running")
                .returning(crawls.c.id)
            )
            return int(result.scalar_one())

    def finish_crawl(
        self,
        crawl_id: int,
        status: str,
        reason: str,
        flag: str | None,
        counts: CrawlCounts,
        nbytes: int,
        record: dict[str, Any] | None = None,
    ) -> None:
        with self.begin() as db:
            db.execute(
                update(crawls)
                .where(crawls.c.id == crawl_id)
                .values(
                    finished=now(),
                    status=status,
                    reason=reason,
                    flag=flag,
                    pages_new=counts.new,
                    pages_changed=counts.changed,
                    pages_unchanged=counts.unchanged,
                    pages_gone=counts.gone,
                    errors=counts.errors,
                    bytes=nbytes,
                    record=json.dumps(record, ensure_ascii=False) if record else None,
                )
            )

    def add_error(self, crawl_id: int, url: str, reason: str) -> None:
        with self.begin() as db:
            db.execute(insert(crawl_errors).values(crawl_id=crawl_id, url=url, reason=reason))

    def crawl(self, crawl_id: int) -> CrawlRecord | None:
        return self.one_as(CrawlRecord, select(crawls).where(crawls.c.id == crawl_id))

    def crawls(self, source: str | None = None, limit: int = 50) -> list[CrawlRecord]:
        query = select(crawls).order_by(crawls.c.id.desc()).limit(limit)
        if source:
            query = query.where(crawls.c.source == source)
        return self.all_as(CrawlRecord, query)

    def crawl_errors(self, crawl_id: int) -> list[CrawlErrorRecord]:
        return self.all_as(
            CrawlErrorRecord,
            select(crawl_errors.c.url, crawl_errors.c.reason).where(
                crawl_errors.c.crawl_id == crawl_id
            ),
        )

    def outcome_counts(self, crawl_id: int) -> dict[str, int]:
        rows = self.all(
            select(crawl_pages.c.outcome, func.count().label("n"))
            .where(crawl_pages.c.crawl_id == crawl_id)
            .group_by(crawl_pages.c.outcome)
        )
        return {r["outcome"]: int(r["n"]) for r in rows}

    # -- pages ----------------------------------------------------------------------------

    def page(self, url: str) -> PageRecord | None:
        return self.one_as(PageRecord, select(pages).where(pages.c.url == url))

    def fetch_info(self, url: str) -> FetchRecord | None:
        return self.one_as(
            FetchRecord,
            select(
                fetches,
                pages.c.links,
                pages.c.status,
            )
            .join(pages, pages.c.url == fetches.c.page_url)
            .where(fetches.c.url == url),
        )

    def _record_fetch(
        self, db: Any, url: str, page_url: str, etag: str | None, last_modified: str | None
    ) -> None:
        fetch, _ = _upserts(db.dialect.name)
        db.execute(
            fetch, _params(url=url, page_url=page_url, etag=etag, last_modified=last_modified)
        )

    def mark_seen(self, crawl_id: int, page_url: str, outcome: str) -> bool:
        """Note that this crawl reached a page; False when it was already noted."""
        with self.begin() as db:
            known = db.execute(
                select(crawl_pages.c.outcome).where(
                    crawl_pages.c.crawl_id == crawl_id, crawl_pages.c.page_url == page_url
                )
            ).first()
            if known is not None:
                return False
            upsert(
                db,
                crawl_pages,
                {"crawl_id": crawl_id, "page_url": page_url, "outcome": outcome},
                ["crawl_id", "page_url"],
                update=[],
            )
            if outcome != "missing":
                db.execute(
                    update(pages).where(pages.c.url == page_url).values(last_seen=now(), missed=0)
                )
        return True

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
        values = {k: _value(fields.get(k, FIELD_DEFAULTS.get(k))) for k in PAGE_FIELDS}
        with self.begin() as db:
            old = db.execute(_PAGE_STATE, {"b_url": url}).first()
            if old is None:
                outcome = "new"
                db.execute(
                    _INSERT_PAGE,
                    {
                        "url": url,
                        "source": source,
                        "status": "ok",
                        "fetched_url": fetched_url,
                        "http_status": http_status,
                        "etag": etag,
                        "last_modified": last_modified,
                        "first_seen": stamp,
                        "last_fetched": stamp,
                        "last_changed": stamp,
                        "last_seen": stamp,
                        **values,
                    },
                )
            elif old.content_hash == values["content_hash"] and old.status == "ok":
                outcome = "unchanged"
                db.execute(
                    _PAGE_UNCHANGED,
                    _params(
                        url=url,
                        last_fetched=stamp,
                        last_seen=stamp,
                        etag=etag,
                        last_modified=last_modified,
                        fetched_url=fetched_url,
                    ),
                )
            else:
                outcome = "new" if old.status != "ok" else "changed"
                self._keep_version(db, url, crawl_id, stamp)
                db.execute(
                    _PAGE_CHANGED,
                    _params(
                        url=url,
                        source=source,
                        fetched_url=fetched_url,
                        http_status=http_status,
                        etag=etag,
                        last_modified=last_modified,
                        last_fetched=stamp,
                        last_changed=stamp,
                        last_seen=stamp,
                        **values,
                    ),
                )
            self._record_fetch(db, fetched_url, url, etag, last_modified)
            self._note_outcome(db, crawl_id, url, outcome)
        return outcome

    def _note_outcome(self, db: Any, crawl_id: int, url: str, outcome: str) -> None:
        """Within one crawl, a page reached twice keeps its first news (new, changed)."""
        _, note = _upserts(db.dialect.name)
        db.execute(note, _params(crawl_id=crawl_id, url=url, outcome=outcome))

    def _keep_version(self, db: Any, url: str, crawl_id: int | None, stamp: str) -> None:
        """Copy a page's content into its history before it is replaced (last few kept)."""
        columns = [pages.c[name] for name in VERSION_FIELDS]
        row = db.execute(select(*columns).where(pages.c.url == url)).first()
        if row is None:
            return
        values = dict(zip(VERSION_FIELDS, row, strict=True))
        record = {**values, "crawl_id": crawl_id, "replaced": stamp}
        upsert(db, page_versions, record, ["url", "version"])
        old = (
            select(page_versions.c.version)
            .where(page_versions.c.url == url)
            .order_by(page_versions.c.version.desc())
            .offset(HISTORY_KEPT)
        )
        db.execute(
            delete(page_versions).where(
                page_versions.c.url == url, page_versions.c.version.in_(old)
            )
        )

    def history(self, url: str) -> list[PageVersionRecord]:
        """A page's previous contents, latest first."""
        return self.all_as(
            PageVersionRecord,
            select(page_versions)
            .where(page_versions.c.url == url)
            .order_by(page_versions.c.version.desc()),
        )

    def twin_of(self, source: str, content_hash: str, url: str) -> str | None:
        """Another live page of the source with the same content, if any."""
        row = self.one(_TWIN, _params(source=source, content_hash=content_hash, url=url))
        return row["url"] if row else None

    def fold_twin(self, loser: str, winner: str) -> None:
        """Fold a duplicate page into its twin without deleting anything: the duplicate's
        address now leads to the twin, and its row stays, marked `twin`, with its history
        (the index drops it at its next run)."""
        with self.begin() as db:
            db.execute(update(fetches).where(fetches.c.page_url == loser).values(page_url=winner))
            db.execute(
                update(pages)
                .where(pages.c.url == loser)
                .values(status="twin", version=pages.c.version + 1)
            )

    def same_content(self, source: str, content_hash: str) -> list[SameContentRecord]:
        """The pages of a source (live or folded) holding this content."""
        return self.all_as(
            SameContentRecord,
            select(pages.c.url, pages.c.status, pages.c.text).where(
                pages.c.source == source,
                pages.c.content_hash == content_hash,
                pages.c.status.in_(("ok", "twin")),
            ),
        )

    def undo_template(self, crawl_id: int, url: str, content_hash: str) -> bool:
        """A page this crawl found holding an error template (`content_hash`), not content: put
        back the last content it had that was not the template, whichever crawl replaced it
        (True), or, for a page that never had any, keep it out of the portal (status `error`,
        False). Either way the crawl counts it missing."""
        stamp = now()
        other = or_(
            page_versions.c.content_hash.is_(None), page_versions.c.content_hash != content_hash
        )
        with self.begin() as db:
            before = (
                db.execute(
                    select(page_versions)
                    .where(page_versions.c.url == url, page_versions.c.status == "ok", other)
                    .order_by(page_versions.c.version.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
            if before is not None:
                values = {k: before[k] for k in VERSION_FIELDS[3:]}  # the content
                self._keep_version(db, url, crawl_id, stamp)
                db.execute(
                    update(pages)
                    .where(pages.c.url == url)
                    .values(status="ok", version=pages.c.version + 1, **values)
                )
            else:
                db.execute(
                    update(pages)
                    .where(pages.c.url == url)
                    .values(status="error", version=pages.c.version + 1)
                )
            db.execute(update(fetches).where(fetches.c.url == url).values(page_url=url))
            db.execute(
                update(crawl_pages)
                .where(crawl_pages.c.crawl_id == crawl_id, crawl_pages.c.page_url == url)
                .values(outcome="missing")
            )
        return before is not None

    def reached(self, crawl_id: int, urls: list[str]) -> set[str]:
        """Which of these pages this crawl reached (saved, or found unchanged)."""
        rows = self.all(
            select(crawl_pages.c.page_url).where(
                crawl_pages.c.crawl_id == crawl_id,
                crawl_pages.c.page_url.in_(urls),
                crawl_pages.c.outcome != "missing",
            )
        )
        return {r["page_url"] for r in rows}

    def contents_before(self, crawl_id: int, urls: list[str]) -> set[str]:
        """The distinct contents these pages held, live, before this crawl changed them."""
        rows = self.all(
            select(page_versions.c.content_hash)
            .distinct()
            .where(
                page_versions.c.crawl_id == crawl_id,
                page_versions.c.url.in_(urls),
                page_versions.c.status == "ok",
                page_versions.c.content_hash.is_not(None),
            )
        )
        return {r["content_hash"] for r in rows}

    def contents_changed_by(self, crawl_id: int) -> set[str]:
        """The contents this crawl gave to pages (as new or changed ones)."""
        rows = self.all(
            select(pages.c.content_hash)
            .distinct()
            .join(crawl_pages, crawl_pages.c.page_url == pages.c.url)
            .where(
                crawl_pages.c.crawl_id == crawl_id,
                crawl_pages.c.outcome.in_(("new", "changed")),
                pages.c.content_hash.is_not(None),
            )
        )
        return {r["content_hash"] for r in rows}

    def unfinished_crawls(self, source: str, current: int) -> list[int]:
        """The crawls of a source killed (never closed) since its last closed one."""
        killed = []
        for row in self.crawls(source, limit=20):
            if row["id"] == current:
                continue
            if row["status"] != "interrupted":
                break
            killed.append(int(row["id"]))
        return killed

    def record_alias(
        self, fetched_url: str, page_url: str, etag: str | None, last_modified: str | None
    ) -> None:
        with self.begin() as db:
            self._record_fetch(db, fetched_url, page_url, etag, last_modified)

    def close_crawl(self, crawl_id: int, source: str, complete: bool) -> tuple[int, str | None]:
        """Apply what a crawl learnt about vanished pages; return (gone count, flag).

        A crawl that reached far fewer pages than the source has marks nothing gone: the
        site may be down or redesigned, and a maintainer decides.
        """
        live = int(
            self.scalar(
                select(func.count())
                .select_from(pages)
                .where(pages.c.source == source, pages.c.status == "ok")
            )
        )
        reached = int(
            self.scalar(
                select(func.count())
                .select_from(crawl_pages.join(pages, pages.c.url == crawl_pages.c.page_url))
                .where(
                    crawl_pages.c.crawl_id == crawl_id,
                    crawl_pages.c.outcome != "missing",
                    pages.c.source == source,
                )
            )
        )
        if not complete:
            return 0, None
        if live >= 5 and reached < 0.5 * live:
            return 0, (
                f"chute soudaine : {reached} pages atteintes pour {live} pages connues ; "
                "aucune page n'a été marquée disparue"
            )
        stamp = now()
        this_crawl = select(crawl_pages.c.page_url).where(crawl_pages.c.crawl_id == crawl_id)
        missing_here = this_crawl.where(crawl_pages.c.outcome == "missing")
        live_here = and_(pages.c.source == source, pages.c.status == "ok")
        with self.begin() as db:
            missing = db.execute(
                update(pages)
                .where(live_here, pages.c.url.in_(missing_here))
                .values(status="gone", gone_since=stamp, version=pages.c.version + 1)
            ).rowcount
            db.execute(
                update(pages)
                .where(live_here, not_(pages.c.url.in_(this_crawl)))
                .values(missed=pages.c.missed + 1)
            )
            vanished = db.execute(
                update(pages)
                .where(live_here, pages.c.missed >= 2)
                .values(status="gone", gone_since=stamp, version=pages.c.version + 1)
            ).rowcount
        return missing + vanished, None

    def retire_elsewhere(self, source: str, origins: list[str]) -> int:
        """Mark gone the live pages of a source found outside its sites' origins
        (« http://127.0.0.1:8801 »): the site moved, as the demo web does from one demo to the
        next. Return how many."""
        inside = or_(*(pages.c.url.startswith(o + "/", autoescape=True) for o in origins))
        with self.begin() as db:
            return int(
                db.execute(
                    update(pages)
                    .where(pages.c.source == source, pages.c.status == "ok", not_(inside))
                    .values(status="gone", gone_since=now(), version=pages.c.version + 1)
                ).rowcount
            )

    def unreached_urls(self, crawl_id: int, source: str) -> list[str]:
        """The source's live pages that this crawl has not reached (yet)."""
        reached = select(crawl_pages.c.page_url).where(crawl_pages.c.crawl_id == crawl_id)
        rows = self.all(
            select(pages.c.url)
            .where(pages.c.source == source, pages.c.status == "ok", not_(pages.c.url.in_(reached)))
            .order_by(pages.c.url)
        )
        return [r["url"] for r in rows]

    def pages(self, status: str | None = None, source: str | None = None) -> Iterator[PageRecord]:
        query = select(pages).order_by(pages.c.url)
        if status:
            query = query.where(pages.c.status == status)
        if source:
            query = query.where(pages.c.source == source)
        with self.engine.connect() as connection:
            for row in connection.execution_options(yield_per=500).execute(query).mappings():
                yield cast(PageRecord, dict(row))

    def count_pages(self, status: str = "ok") -> int:
        return int(
            self.scalar(select(func.count()).select_from(pages).where(pages.c.status == status))
        )

    def integrity_ok(self) -> bool:
        if self.engine.dialect.name != "sqlite":
            return True
        with self.engine.connect() as connection:
            return connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
