"""The news stream's part of the data layer: the feed entries the crawler reads (its
`feed_entries`), the news items the indexer derives from them and from the news pages (its
`news`), and what the web reads of them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, overload

from sqlalchemy import and_, delete, func, select

from portail.db.base import Base, Queries, now, upsert
from portail.db.records import (
    FeedItemRecord,
    NewsItemRecord,
    NewsPageRecord,
    SignedNewsItemRecord,
)
from portail.db.tables import enrichment, feed_entries, fetches, news, pages

FEED_FIELDS = ("title", "summary", "published")
NEWS_COLUMNS = (
    "url",
    "story",
    "source",
    "provider",
    "title",
    "summary",
    "published",
    "dated_by",
    "from_feed",
    "step",
    "countries",
    "regions",
    "sectors",
    "signature",
    "fingerprint",
    "updated",
)
BATCH = 500


class NewsReading(Queries):
    """What the web reads of the news stream (also through a read-only `Reader`)."""

    @overload
    def news_items(self, with_signatures: Literal[False] = False) -> list[NewsItemRecord]: ...

    @overload
    def news_items(self, with_signatures: Literal[True]) -> list[SignedNewsItemRecord]: ...

    def news_items(
        self, with_signatures: bool = False
    ) -> list[NewsItemRecord] | list[SignedNewsItemRecord]:
        """The news items (signatures and fingerprints only when asked: the indexer's)."""
        if with_signatures:
            return self.all_as(SignedNewsItemRecord, select(news))
        columns = [c for c in news.c if c.name not in ("signature", "fingerprint")]
        return self.all_as(NewsItemRecord, select(*columns))

    def news_stamp(self) -> tuple[int, str]:
        """How many news items there are and when the last changed: the web's cache key."""
        query = select(func.count().label("n"), func.max(news.c.updated).label("latest"))
        row = self.one(query.select_from(news)) or {}
        return int(row.get("n") or 0), str(row.get("latest") or "")


class NewsAPI(NewsReading, Base):
    # -- the crawler's ------------------------------------------------------------------------

    def save_feed_entries(
        self, source: str, feed: str, entries: Iterable[Mapping[str, Any]]
    ) -> int:
        """Record the entries a feed lists now (url, title, summary, published); an entry
        that left the feed is kept: the news it links to stays news. How many changed."""
        stamp = now()
        wanted = {e["url"]: e for e in entries}
        with self.begin() as db:
            known = {
                r["url"]: r
                for r in db.execute(
                    select(feed_entries).where(feed_entries.c.feed == feed)
                ).mappings()
            }
            rows, changes = [], 0
            for url, entry in wanted.items():
                old = known.get(url)
                values = {
                    k: entry.get(k) or ("" if k != "published" else None) for k in FEED_FIELDS
                }
                changed = old is None or any(old[k] != values[k] for k in FEED_FIELDS)
                changes += changed
                rows.append(
                    {
                        "feed": feed,
                        "url": url,
                        "source": source,
                        **values,
                        "first_seen": old["first_seen"] if old else stamp,
                        "last_seen": stamp,
                        "changed": stamp if changed else old["changed"],  # type: ignore[index]
                    }
                )
            for start in range(0, len(rows), BATCH):
                upsert(db, feed_entries, rows[start : start + BATCH], ["feed", "url"])
        return changes

    # -- the indexer's ------------------------------------------------------------------------

    def news_pages(self) -> list[NewsPageRecord]:
        """The live pages the index holds as relevant news, with their enrichment."""
        query = (
            select(
                pages.c.url,
                pages.c.source,
                pages.c.title,
                pages.c.description,
                pages.c.published,
                pages.c.modified,
                pages.c.first_seen,
                pages.c.version,
                enrichment.c.step,
                enrichment.c.countries,
                enrichment.c.regions,
                enrichment.c.sectors,
            )
            .select_from(
                pages.join(
                    enrichment,
                    and_(enrichment.c.url == pages.c.url, enrichment.c.version == pages.c.version),
                )
            )
            .where(pages.c.status == "ok", enrichment.c.kind == "news", enrichment.c.relevant == 1)
        )
        return self.all_as(NewsPageRecord, query)

    def feed_items(self) -> list[FeedItemRecord]:
        """Every feed entry, with the live page its link leads to (after redirects, when the
        crawl fetched it) and what the index says of that page: None when there is none."""
        target = func.coalesce(fetches.c.page_url, feed_entries.c.url)
        live = select(pages.c.url).where(pages.c.status == "ok").subquery()
        query = (
            select(
                feed_entries,
                live.c.url.label("page"),
                enrichment.c.kind,
                enrichment.c.relevant,
            )
            .select_from(
                feed_entries.outerjoin(fetches, fetches.c.url == feed_entries.c.url)
                .outerjoin(live, live.c.url == target)
                .outerjoin(enrichment, enrichment.c.url == live.c.url)
            )
            .order_by(feed_entries.c.url, feed_entries.c.first_seen)
        )
        return self.all_as(FeedItemRecord, query)

    def save_news(self, rows: Iterable[tuple[Any, ...]], removed: Iterable[str]) -> None:
        """Write news items (NEWS_COLUMNS) and forget those no longer news, in one go."""
        values = [dict(zip(NEWS_COLUMNS, row, strict=True)) for row in rows]
        gone = list(removed)
        with self.begin() as db:
            for start in range(0, len(gone), BATCH):
                db.execute(delete(news).where(news.c.url.in_(gone[start : start + BATCH])))
            for start in range(0, len(values), BATCH):
                upsert(db, news, values[start : start + BATCH], ["url"])
