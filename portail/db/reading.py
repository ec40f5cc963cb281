"""What the web reads besides the index: read-only queries on pages and sources, and the
store's pages as open data (`portail export`).

Public pages read through a `Reader`: these queries and the news stream's on one read-only
connection per request (`webui.reader()`), with no write method at all."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import and_, select

from portail.db.base import Base, OnConnection, Queries
from portail.db.news import NewsReading
from portail.db.records import ExportRecord, SourceRecord
from portail.db.tables import enrichment, pages, sources

BATCH = 500


@dataclass(frozen=True)
class CrawledSource:
    id: str
    name: str
    organisation: str
    region: str


class WebReading(Queries):
    """The queries public pages run on pages and sources."""

    def texts(self, urls: Iterable[str]) -> dict[str, str]:
        """The stored text of each URL (pages missing from the store are left out)."""
        wanted = list(dict.fromkeys(urls))
        out: dict[str, str] = {}
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            rows = self.all(select(pages.c.url, pages.c.text).where(pages.c.url.in_(chunk)))
            out.update((r["url"], r["text"] or "") for r in rows)
        return out

    def crawled_sources(self) -> dict[str, CrawledSource]:
        """The sources the crawls have recorded, by id."""
        return {
            r["id"]: CrawledSource(r["id"], r["name"], r["organisation"], r["region"] or "")
            for r in self.all_as(SourceRecord, select(sources))
        }


class ReadingAPI(WebReading, Base):
    def export_rows(self) -> Iterator[ExportRecord]:
        """Every stored page with its enrichment (when current), as `portail export` writes;
        a twin folded into another page is that page's alias, not a page of its own."""
        query = (
            select(
                pages.c.url,
                pages.c.fetched_url,
                pages.c.source,
                pages.c.status,
                pages.c.title,
                pages.c.text,
                pages.c.published,
                pages.c.modified,
                enrichment.c.step,
                enrichment.c.kind,
                enrichment.c.countries,
                enrichment.c.regions,
                enrichment.c.sectors,
                enrichment.c.date,
                enrichment.c.relevant,
            )
            .select_from(
                pages.outerjoin(
                    enrichment,
                    and_(enrichment.c.url == pages.c.url, enrichment.c.version == pages.c.version),
                )
            )
            .where(pages.c.status != "twin")
            .order_by(pages.c.source, pages.c.url)
        )
        with self.engine.connect() as connection:
            for row in connection.execution_options(yield_per=500).execute(query).mappings():
                yield {
                    "url": row["fetched_url"] or row["url"],
                    "canonical_url": row["url"],
                    "source": row["source"],
                    "status": row["status"],
                    "title": row["title"],
                    "text": row["text"],
                    "step": row["step"] if row["relevant"] else None,
                    "kind": row["kind"],
                    "countries": json.loads(row["countries"]) if row["countries"] else [],
                    "regions": json.loads(row["regions"]) if row["regions"] else [],
                    "sectors": json.loads(row["sectors"]) if row["sectors"] else [],
                    "date": row["date"] or row["modified"] or row["published"],
                }


class Reader(WebReading, NewsReading, OnConnection):
    """What public pages read, on one connection that refuses writes (SQLite `mode=ro`,
    PostgreSQL read-only transactions); it has no write method."""
