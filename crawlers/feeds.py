"""RSS and Atom feeds read with feedparser: each entry's link, title, summary and date.

The spider follows the links like any other; the entries themselves are kept too (the item
pipeline writes them), because a feed says when a story was published and sums it up, and
because it may link to stories the crawl does not reach.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import feedparser
from w3lib.html import remove_tags

from crawlers.urls import clean_url

MAX_SUMMARY = 1000
MAX_TITLE = 500
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str
    summary: str
    published: str | None  # ISO 8601, UTC


class FeedError(ValueError):
    """A body that is no feed at all; the message is French."""


def read_feed(body: bytes, url: str) -> list[FeedEntry]:
    """The entries of a feed that have a link (relative links resolved against `url`)."""
    feed = feedparser.parse(body, response_headers={"content-location": url})
    if feed.bozo and not feed.entries:
        raise FeedError("flux RSS/Atom illisible")
    found: dict[str, FeedEntry] = {}
    for entry in feed.entries:
        link = (entry.get("link") or "").strip()
        if not link.startswith(("http://", "https://")):
            continue
        clean = clean_url(link)
        found.setdefault(
            clean,
            FeedEntry(
                url=clean,
                title=plain(entry.get("title") or "")[:MAX_TITLE],
                summary=plain(entry.get("summary") or entry.get("description") or "")[:MAX_SUMMARY],
                published=_when(entry),
            ),
        )
    return list(found.values())


def plain(markup: str) -> str:
    """The text of a feed field that may hold HTML."""
    return SPACES.sub(" ", html.unescape(remove_tags(markup))).strip()


def _when(entry: feedparser.FeedParserDict) -> str | None:
    """The entry's publication date (else its update date), in UTC."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if isinstance(parsed, time.struct_time):
            return datetime(*parsed[:6], tzinfo=UTC).isoformat()
    return None
