"""The page store, read by the web: the full text of indexed pages and the crawled sources.

The index keeps a summary of each page; the catalogue reads cues (who an offer is for, what it
brings) in the whole text, through the data layer's read-only queries.
"""

from __future__ import annotations

from collections.abc import Iterable

from portail.db import CrawledSource
from webui import reader

__all__ = ["CrawledSource", "sources", "texts"]


def texts(urls: Iterable[str]) -> dict[str, str]:
    """The stored text of each URL (pages missing from the store are left out)."""
    return reader().texts(urls)


def sources() -> dict[str, CrawledSource]:
    """The sources the crawls have recorded, by id."""
    return reader().crawled_sources()
