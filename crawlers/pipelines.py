"""The item pipeline: what the spider finds reaches the store here, and only here.

The spider yields four kinds of items: a page to save (`PageItem`), a page reached without a
new copy — unchanged (304) or vanished (404/410) — (`SeenItem`), the entries of a feed
(`FeedItem`) and an error to report (`ErrorItem`). The pipeline writes each through the data
layer, one transaction per item, so a crawl killed at any moment leaves the store consistent.

Identical content under two URLs is folded into the page with the shorter URL, without deleting
anything. But many pages of a source turning into the same short text in one crawl are not
twins: it is an error template (a soft 404 the spider could not recognise). So nothing is folded
while the crawl runs: the contents found under several addresses are settled when it ends —
folded as twins, or, when they are a template, the pages get back the last content they had
before it and count as missing, so that a source whose pages all collapse trips the drop guard
instead of losing them. A crawl killed before its end folded nothing; the next crawl of its
source first puts back the pages it left holding a template.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from scrapy.utils.defer import deferred_from_coro

from crawlers.feeds import FeedEntry
from crawlers.soft404 import SHORT_PAGE_WORDS
from crawlers.urls import rank
from portail.db import SameContentRecord, Store, open_store
from portail.storage import storage_problem

# Pages of one source sharing one content, at which they are a template and not twins (three
# when the text is short, as error pages are).
TEMPLATE_PAGES = 4
TEMPLATE_SHORT_PAGES = 3


@dataclass
class PageItem:
    url: str  # the page's key: its canonical URL (or its final URL)
    requested: str  # the URL as requested
    final: str  # the URL of the response (after redirects)
    fields: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""
    etag: str | None = None
    last_modified: str | None = None
    http_status: int = 200


@dataclass
class SeenItem:
    page_url: str
    outcome: str  # unchanged | missing


@dataclass
class FeedItem:
    feed: str  # the feed's URL
    entries: list[FeedEntry]


@dataclass
class ErrorItem:
    url: str
    reason: str


class StorePipeline:
    """Writes the spider's items into the store of the crawl's data directory."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.store: Store | None = None
        self.shared: set[str] = set()  # contents found under several addresses in this crawl

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        with self.refusal():
            self.store = open_store(self.crawler.settings["PORTAIL_DATA_DIR"])
            spider = self.crawler.spider
            for crawl_id in self.store.unfinished_crawls(spider.source.id, spider.crawl_id):
                contents = self.store.contents_changed_by(crawl_id)
                settle(self.store, spider.source.id, crawl_id, contents, fold=False)

    def close_spider(self) -> None:
        if self.store is None:
            return
        try:
            spider = self.crawler.spider
            if spider.refused is None:
                with self.refusal():
                    found = settle(self.store, spider.source.id, spider.crawl_id, self.shared)
                    for url, reason in found:
                        self.store.add_error(spider.crawl_id, url, reason)
                    spider.errors += len(found)
        finally:
            self.store.close()

    @contextmanager
    def refusal(self) -> Iterator[None]:
        """A write the data directory refuses (disk full, read-only) stops the crawl: nothing
        more can be saved, and the command line says so (exit 74) instead of « terminée »."""
        try:
            yield
        except Exception as exc:
            spider = self.crawler.spider
            if storage_problem(exc) is None or spider is None:
                raise
            if spider.refused is None:
                spider.refused = exc
                engine = self.crawler.engine
                deferred_from_coro(engine.close_spider_async(reason="stockage"))

    def process_item(self, item: Any) -> Any:
        spider = self.crawler.spider
        if spider.refused is not None or self.store is None:
            return item  # the crawl is stopping: the disk takes no more
        with self.refusal():
            self._write(self.store, spider, item)
        return item

    def _write(self, store: Store, spider: Any, item: Any) -> None:
        if isinstance(item, PageItem):
            self._save(store, spider, item)
        elif isinstance(item, SeenItem):
            store.mark_seen(spider.crawl_id, item.page_url, item.outcome)
        elif isinstance(item, FeedItem):
            store.save_feed_entries(spider.source.id, item.feed, map(asdict, item.entries))
        elif isinstance(item, ErrorItem):
            store.add_error(spider.crawl_id, item.url, item.reason)

    def _save(self, store: Store, spider: Any, item: PageItem) -> None:
        store.save_page(
            spider.crawl_id,
            spider.source.id,
            item.url,
            item.requested,
            item.fields,
            item.etag,
            item.last_modified,
            item.http_status,
        )
        if item.final != item.requested:
            store.record_alias(item.final, item.url, item.etag, item.last_modified)
        # Unchanged pages count too: a killed crawl may have left them holding a template.
        if store.twin_of(spider.source.id, item.content_hash, item.url) is not None:
            self.shared.add(item.content_hash)


def is_template(group: list[SameContentRecord], converged: int) -> bool:
    """Whether pages of one source holding one content are a template rather than twins:
    many of them, or (`converged`) several that held different contents before this crawl
    and all turned into this one in it — twins found are a new address of a known page."""
    short = all(len(p["text"].split()) <= SHORT_PAGE_WORDS for p in group)
    return converged >= 2 or len(group) >= (TEMPLATE_SHORT_PAGES if short else TEMPLATE_PAGES)


def settle(
    store: Store, source: str, crawl_id: int, contents: set[str], fold: bool = True
) -> list[tuple[str, str]]:
    """Decide, once a crawl is over, what its contents found under several addresses are: a
    template (its pages get their previous content back and count as missing) or twins
    (folded into one, unless `fold` is false); return the template pages' errors."""
    errors = []
    for content_hash in sorted(contents):
        group = store.same_content(source, content_hash)
        urls = [p["url"] for p in group]
        if is_template(group, len(store.contents_before(crawl_id, urls))):
            reason = f"page disparue : le site sert le même texte à {len(group)} pages"
            reason += " (page d'erreur déguisée ?)"
            for url in sorted(store.reached(crawl_id, urls)):
                restored = store.undo_template(crawl_id, url, content_hash)
                errors.append((url, reason + ("; contenu précédent conservé" if restored else "")))
        elif fold and len(group) > 1:
            keep = min((p["url"] for p in group), key=rank)
            for page in group:
                if page["url"] != keep and page["status"] == "ok":
                    store.fold_twin(page["url"], keep)
            store.mark_seen(crawl_id, keep, "unchanged")
    return errors
