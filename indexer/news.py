"""The news stream: the news pages and the feed entries as news items, and the items that tell
one story grouped into one.

`update_news` runs in `portail index`, after the index commit (the enrichment it reads is
then current), and is incremental: each item carries a fingerprint of what it was made from
(the page's version, its feed entry, its tags); only new and changed items get a signature
(indexer/dedup.py) and a story, by comparison with the items already there. A story keeps
the id of the item that started it — the first to tell it — so its address never changes.

An item is dated by its publication: the page's own date (schema.org, meta, <time>, « Publié
le »), else the date its feed gives, else the page's modification date, else the day the crawl
first saw it (`dated_by` says which). A feed entry whose link the crawl did not reach (outside
the source, or refused by its rules) is an item of its own, tagged from its title and summary;
its short text is compared like any other, so it only joins a story that it nearly repeats.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from indexer import dedup
from indexer.classify import classify_page
from portail.db import (
    FeedItemRecord,
    NewsPageRecord,
    SignedNewsItemRecord,
    SourceRecord,
    Store,
    now,
)

PARIS = ZoneInfo("Europe/Paris")
SUMMARY_CHARS = 300
# A feed entry that the classifier calls one of these is not news (agenda feeds list events).
NOT_NEWS = frozenset({"event", "vie", "offer", "contact"})


@dataclass
class Candidate:
    """What should be a news item now, before its signature and story."""

    url: str
    source: str
    provider: str
    title: str
    summary: str
    published: str | None
    dated_by: str
    from_feed: bool
    step: str | None
    countries: list[str]
    regions: list[str]
    sectors: list[str]
    fingerprint: str = ""

    @property
    def day(self) -> date | None:
        return date.fromisoformat(self.published) if self.published else None


@dataclass
class NewsReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    items: int = 0
    stories: int = 0


class _Pool:
    """The items already placed, as arrays for the comparisons (grown by doubling)."""

    def __init__(self) -> None:
        self.stories: list[str] = []
        self.size = 0
        self.days = np.zeros(64, dtype=np.int64)  # ordinals; -1 when undated
        self.signatures = np.zeros((64, dedup.PERMUTATIONS), dtype=np.uint64)

    def add(self, story: str, day: date | None, signature: np.ndarray) -> None:
        if self.size == len(self.days):
            self.days = np.concatenate([self.days, np.zeros_like(self.days)])
            self.signatures = np.vstack([self.signatures, np.zeros_like(self.signatures)])
        self.stories.append(story)
        self.days[self.size] = day.toordinal() if day else -1
        self.signatures[self.size] = signature
        self.size += 1

    def best(self, signature: np.ndarray, day: date | None) -> int | None:
        """The most similar item close enough in time and similar enough; None if none."""
        if not self.size:
            return None
        values = dedup.similarities(signature, self.signatures[: self.size])
        if day is not None:
            days = self.days[: self.size]
            near = (days < 0) | (np.abs(days - day.toordinal()) <= dedup.DAYS_APART)
            values = np.where(near, values, 0.0)
        found = int(np.argmax(values))
        return found if values[found] >= dedup.THRESHOLD else None


def update_news(store: Store, sources: Mapping[str, SourceRecord]) -> NewsReport:
    """Bring the `news` table up to date with the news pages and the feed entries."""
    wanted = candidates(store, sources)
    known = {row["url"]: row for row in store.news_items(with_signatures=True)}
    removed = [url for url in known if url not in wanted]
    changed = [
        c
        for url, c in wanted.items()
        if url not in known or known[url]["fingerprint"] != c.fingerprint
    ]
    report = NewsReport(removed=len(removed), items=len(wanted))
    pool = _Pool()
    for url, row in known.items():
        if url in wanted and row["fingerprint"] == wanted[url].fingerprint:
            pool.add(row["story"], wanted[url].day, dedup.from_hex(row["signature"]))
    texts = store.texts(c.url for c in changed if not c.from_feed)
    rows = []
    stamp = now()
    for item in sorted(changed, key=lambda c: (c.published or "9999", c.from_feed, c.url)):
        text = texts.get(item.url) or item.summary
        if not item.summary:
            item.summary = _lead(_without_title(text, item.title))
        signature = dedup.signature(f"{item.title}\n{text}")
        story = _story(item, signature, pool, known.get(item.url))
        pool.add(story, item.day, signature)
        rows.append(_row(item, story, signature, stamp))
        if item.url in known:
            report.updated += 1
        else:
            report.added += 1
    if rows or removed:
        store.save_news(rows, removed)
    report.stories = len(set(pool.stories))
    return report


def _story(
    item: Candidate, signature: np.ndarray, pool: _Pool, old: SignedNewsItemRecord | None
) -> str:
    """The story of the most similar item close in time; else a story of its own."""
    found = pool.best(signature, item.day)
    if found is not None:
        return pool.stories[found]
    taken = set(pool.stories)
    if old is not None and old["story"] not in taken:
        return str(old["story"])
    if item.url not in taken:
        return item.url
    # It started a story that others still tell, but no longer tells it.
    return f"{item.url}#{hashlib.sha1(item.fingerprint.encode()).hexdigest()[:8]}"


def _row(item: Candidate, story: str, signature: np.ndarray, stamp: str) -> tuple[Any, ...]:
    return (
        item.url,
        story,
        item.source,
        item.provider,
        item.title,
        item.summary,
        item.published,
        item.dated_by,
        int(item.from_feed),
        item.step,
        json.dumps(item.countries),
        json.dumps(item.regions),
        json.dumps(item.sectors),
        dedup.to_hex(signature),
        item.fingerprint,
        stamp,
    )


# -- what should be news ----------------------------------------------------------------------


def candidates(store: Store, sources: Mapping[str, SourceRecord]) -> dict[str, Candidate]:
    """The news pages and the feed entries that should be news items now, by URL."""
    feeds = _feed_entries(store.feed_items())
    out: dict[str, Candidate] = {}
    for row in store.news_pages():
        out[row["url"]] = _from_page(row, feeds.get(row["url"]), sources)
    for url, entry in feeds.items():
        if entry["page"] is None and url not in out:
            found = _from_feed(entry, sources)
            if found is not None:
                out[url] = found
    return out


def _feed_entries(rows: Iterable[FeedItemRecord]) -> dict[str, FeedItemRecord]:
    """One entry per linked page (the page's URL when the crawl reached it): the earliest
    date and the first summary of the feeds that list it."""
    out: dict[str, FeedItemRecord] = {}
    for row in rows:
        key = row["page"] or row["url"]
        entry = out.setdefault(key, row.copy())
        if row["published"] and (not entry["published"] or row["published"] < entry["published"]):
            entry["published"] = row["published"]
        entry["summary"] = entry["summary"] or row["summary"]
    return out


def _from_page(
    row: NewsPageRecord, entry: FeedItemRecord | None, sources: Mapping[str, SourceRecord]
) -> Candidate:
    feed_day = day_of(entry["published"]) if entry else None
    published, dated_by = next(
        (
            (value, how)
            for value, how in (
                (day_of(row["published"]), "page"),
                (feed_day, "feed"),
                (day_of(row["modified"]), "modified"),
                (day_of(row["first_seen"]), "seen"),
            )
            if value
        ),
        (None, "seen"),
    )
    item = Candidate(
        url=row["url"],
        source=row["source"],
        provider=_provider(sources, row["source"]),
        title=row["title"] or row["url"],
        summary=row["description"] or (entry["summary"] if entry else "") or "",
        published=published,
        dated_by=dated_by,
        from_feed=False,
        step=row["step"],
        countries=json.loads(row["countries"] or "[]"),
        regions=json.loads(row["regions"] or "[]"),
        sectors=json.loads(row["sectors"] or "[]"),
    )
    item.fingerprint = _fingerprint(item, "page", row["version"])
    return item


def _from_feed(entry: FeedItemRecord, sources: Mapping[str, SourceRecord]) -> Candidate | None:
    """A feed entry the crawl did not reach, as news (None when it is not news)."""
    source = sources.get(entry["source"])
    result = classify_page(
        entry["url"],
        entry["title"] or "",
        entry["summary"] or "",
        source_id=entry["source"],
        source_region=(source["region"] or None) if source else None,
        description=entry["summary"] or "",
    )
    if not result.relevant or result.kind in NOT_NEWS or not entry["title"]:
        return None
    published = day_of(entry["published"]) or day_of(entry["first_seen"])
    item = Candidate(
        url=entry["url"],
        source=entry["source"],
        provider=_provider(sources, entry["source"]),
        title=entry["title"],
        summary=entry["summary"] or "",
        published=published,
        dated_by="feed" if entry["published"] else "seen",
        from_feed=True,
        step=result.step,
        countries=list(result.countries),
        regions=list(result.regions),
        sectors=list(result.sectors),
    )
    item.fingerprint = _fingerprint(item, "feed", entry["changed"])
    return item


def _fingerprint(item: Candidate, kind: str, version: Any) -> str:
    """What an item was computed from: when it changes, its signature and story are redone."""
    parts = [
        dedup.DEDUP_VERSION,
        kind,
        version,
        item.published,
        item.dated_by,
        item.summary,
        item.provider,
        item.step,
        item.countries,
        item.regions,
        item.sectors,
    ]
    return hashlib.sha1(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def _provider(sources: Mapping[str, SourceRecord], source_id: str) -> str:
    source = sources.get(source_id)
    return str(source["organisation"]) if source else source_id


def _without_title(text: str, title: str) -> str:
    """A page's text without its first line when that line is its title (as stored)."""
    first, _, rest = text.partition("\n")
    return rest if first.strip() == title.strip() else text


def _lead(text: str) -> str:
    """The first sentences of a text, up to SUMMARY_CHARS characters."""
    text = " ".join(text.split())
    if len(text) <= SUMMARY_CHARS:
        return text
    cut = text[:SUMMARY_CHARS]
    end = cut.rfind(". ")
    return cut[: end + 1] if end > SUMMARY_CHARS // 2 else cut.rsplit(" ", 1)[0] + " …"


def day_of(value: str | None) -> str | None:
    """The date of an ISO 8601 value, in Paris when it has a time zone; None if it is none."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(PARIS)
    return parsed.date().isoformat()
