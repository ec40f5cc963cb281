"""The indexer's part of the data layer: which pages the index must (re)read, and the
enrichment it derived (step, kind, places…), written only after the index commits."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, cast

from sqlalchemy import delete, func, or_, select, update

from portail.db.base import Base, now, upsert
from portail.db.records import EnrichmentRecord, PageRecord
from portail.db.tables import enrichment, pages, reindex_queue

ENRICHMENT_COLUMNS = (
    "url",
    "version",
    "step",
    "steps",
    "relevant",
    "kind",
    "countries",
    "regions",
    "sectors",
    "date",
    "extra",
)


class IndexingAPI(Base):
    """What `portail index` reads and writes."""

    def urls_to_index(self) -> list[str]:
        """Live pages not yet indexed, or changed since (or queued for a reindex)."""
        query = (
            select(pages.c.url)
            .select_from(pages.outerjoin(enrichment, enrichment.c.url == pages.c.url))
            .where(
                pages.c.status == "ok",
                or_(enrichment.c.url.is_(None), enrichment.c.version != pages.c.version),
            )
        )
        return [r["url"] for r in self.all(query)]

    def stale_urls(self) -> list[str]:
        """Indexed pages that are gone from the store, or no longer live."""
        query = (
            select(enrichment.c.url)
            .select_from(enrichment.outerjoin(pages, pages.c.url == enrichment.c.url))
            .where(or_(pages.c.url.is_(None), pages.c.status != "ok"))
        )
        return [r["url"] for r in self.all(query)]

    def enriched_urls(self) -> set[str]:
        return {r["url"] for r in self.all(select(enrichment.c.url))}

    def live_urls(self) -> list[str]:
        return [r["url"] for r in self.all(select(pages.c.url).where(pages.c.status == "ok"))]

    def rows(self, urls: Iterable[str]) -> Iterator[PageRecord]:
        """The stored pages of these URLs, in order (missing ones skipped)."""
        with self.engine.connect() as connection:
            for url in urls:
                found = connection.execute(select(pages).where(pages.c.url == url)).mappings()
                row = found.first()
                if row is not None:
                    yield cast(PageRecord, dict(row))

    def record_enrichment(
        self, rows: Iterable[tuple[Any, ...]], removed: Iterable[str], replace_all: bool = False
    ) -> None:
        """Save what the index now holds (after its commit); `replace_all` after a rebuild."""
        values = [dict(zip(ENRICHMENT_COLUMNS, row, strict=True)) for row in rows]
        with self.begin() as db:
            if replace_all:
                db.execute(delete(enrichment))
            for start in range(0, len(values), 500):
                upsert(db, enrichment, values[start : start + 500], ["url"])
            gone = list(removed)
            for start in range(0, len(gone), 500):
                db.execute(
                    delete(enrichment).where(enrichment.c.url.in_(gone[start : start + 500]))
                )

    def enrichment(self, url: str) -> EnrichmentRecord | None:
        return self.one_as(EnrichmentRecord, select(enrichment).where(enrichment.c.url == url))

    def mark_for_reindex(self, url: str) -> None:
        """Make the next incremental `portail index` index this page again."""
        with self.begin() as db:
            db.execute(update(enrichment).where(enrichment.c.url == url).values(version=0))
            upsert(db, reindex_queue, {"url": url, "at": now()}, ["url"])

    def clear_reindex_queue(self, before: str) -> None:
        """Forget the reindex requests an indexing that started at `before` has served."""
        with self.begin() as db:
            db.execute(delete(reindex_queue).where(reindex_queue.c.at <= before))

    def reindex_pending(self) -> int:
        """How many pages the console queued for reindexing (and not yet reindexed)."""
        return int(self.scalar(select(func.count()).select_from(reindex_queue)))
