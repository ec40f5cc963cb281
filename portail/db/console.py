"""The maintainers' console's part of the data layer: corrections, the recrawl queue, and
what the console shows of crawls and pages."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, or_, select

from portail.db.base import Base, now, upsert
from portail.db.records import (
    CorrectionRecord,
    CrawlRecord,
    FoundPageRecord,
    PageCountRecord,
    RecrawlRecord,
    ReviewRecord,
)
from portail.db.tables import corrections, crawls, enrichment, fetches, pages, recrawl_queue

MAX_RESULTS = 30
MAX_WORDS = 6


@dataclass(frozen=True)
class StoredCorrection:
    url: str
    step: str | None
    kind: str | None
    hidden: bool
    by: str
    at: str
    note: str


@dataclass(frozen=True)
class RecrawlRequest:
    source: str
    at: str
    by: str


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class ConsoleAPI(Base):
    # -- corrections ----------------------------------------------------------------------

    def corrections(self) -> dict[str, StoredCorrection]:
        return {
            r["url"]: StoredCorrection(
                r["url"], r["step"], r["kind"], bool(r["hidden"]), r["by"], r["at"], r["note"]
            )
            for r in self.all_as(CorrectionRecord, select(corrections).order_by(corrections.c.url))
        }

    def save_correction(self, correction: StoredCorrection) -> None:
        with self.begin() as db:
            upsert(
                db,
                corrections,
                {
                    "url": correction.url,
                    "step": correction.step,
                    "kind": correction.kind,
                    "hidden": int(correction.hidden),
                    "by": correction.by,
                    "at": correction.at,
                    "note": correction.note,
                },
                ["url"],
            )

    def remove_correction(self, url: str) -> bool:
        with self.begin() as db:
            return bool(db.execute(delete(corrections).where(corrections.c.url == url)).rowcount)

    # -- recrawls -------------------------------------------------------------------------

    def request_recrawl(self, source: str, by: str) -> RecrawlRequest:
        """Queue a recrawl; the request in force is returned (an earlier one if queued)."""
        with self.begin() as db:
            upsert(db, recrawl_queue, {"source": source, "at": now(), "by": by}, ["source"], [])
            row = db.execute(select(recrawl_queue).where(recrawl_queue.c.source == source)).one()
        return RecrawlRequest(row.source, row.at, row.by)

    def pending_recrawls(self) -> list[RecrawlRequest]:
        rows = self.all_as(
            RecrawlRecord,
            select(recrawl_queue).order_by(recrawl_queue.c.at, recrawl_queue.c.source),
        )
        return [RecrawlRequest(r["source"], r["at"], r["by"]) for r in rows]

    def take_recrawl(self, source: str) -> RecrawlRequest | None:
        """Remove a source's request (its run is starting) and return it."""
        with self.begin() as db:
            row = db.execute(select(recrawl_queue).where(recrawl_queue.c.source == source)).first()
            if row is None:
                return None
            db.execute(delete(recrawl_queue).where(recrawl_queue.c.source == source))
        return RecrawlRequest(row.source, row.at, row.by)

    # -- what the console shows -----------------------------------------------------------

    def last_crawls(self) -> list[CrawlRecord]:
        """Each source's last crawl."""
        last = select(func.max(crawls.c.id)).group_by(crawls.c.source)
        return self.all_as(CrawlRecord, select(crawls).where(crawls.c.id.in_(last)))

    def page_counts(self) -> list[PageCountRecord]:
        """Pages per source and status."""
        return self.all_as(
            PageCountRecord,
            select(pages.c.source, pages.c.status, func.count().label("count")).group_by(
                pages.c.source, pages.c.status
            ),
        )

    def find_pages(self, query: str) -> list[FoundPageRecord]:
        """Pages whose URL is (or starts with) the query, else whose title, URL or text hold
        every word of it; live pages first."""
        query = query.strip()
        if not query:
            return []
        columns = select(
            pages.c.url,
            pages.c.title,
            pages.c.source,
            pages.c.status,
            enrichment.c.step,
            enrichment.c.kind,
            enrichment.c.relevant,
        ).select_from(pages.outerjoin(enrichment, enrichment.c.url == pages.c.url))
        order = [(pages.c.status != "ok"), pages.c.url]
        if re.match(r"https?://", query, re.I):
            alias = self.one(select(fetches.c.page_url).where(fetches.c.url == query))
            exact = alias["page_url"] if alias else query
            condition = or_(pages.c.url == exact, pages.c.url.like(_like(query) + "%", escape="\\"))
        else:
            words = query.split()[:MAX_WORDS]
            condition = and_(
                *(
                    or_(
                        pages.c.title.like(f"%{_like(w)}%", escape="\\"),
                        pages.c.url.like(f"%{_like(w)}%", escape="\\"),
                        pages.c.text.like(f"%{_like(w)}%", escape="\\"),
                    )
                    for w in words
                )
            )
        return self.all_as(
            FoundPageRecord, columns.where(condition).order_by(*order).limit(MAX_RESULTS)
        )

    def pages_to_review(self) -> list[tuple[ReviewRecord, dict[str, Any]]]:
        """Live pages the last indexing left « à vérifier », with their review details."""
        rows = self.all_as(
            ReviewRecord,
            select(pages.c.url, pages.c.title, pages.c.source, enrichment.c.extra)
            .select_from(enrichment.join(pages, pages.c.url == enrichment.c.url))
            .where(pages.c.status == "ok", enrichment.c.extra.like('%"review"%')),
        )
        found = []
        for row in rows:
            review = json.loads(row["extra"] or "{}").get("review")
            if review:
                found.append((row, review))
        return found
