"""The one generic spider: a source of `sources.toml` crawled into the page store.

Discovery starts from the source's start URLs, sitemaps (and sitemap indexes) and feeds, then
follows in-site links within the source's hosts and its allow/deny rules. Requests carry the
validators of the last fetch, so an unchanged page costs a 304 and no rewrite; its stored
links are followed as if it had been downloaded again.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import feedparser
import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure

from crawlers.extract import Extracted, ExtractionError, extract_html, extract_pdf
from crawlers.settings import BINARY_EXTENSIONS
from crawlers.urls import clean_url, rank
from portail.sources import Source
from portail.store import Store

BINARY_RE = re.compile(r"\.(" + "|".join(BINARY_EXTENSIONS) + r")$", re.I)
HTML_TYPES = ("text/html", "application/xhtml+xml")


class SourceSpider(scrapy.Spider):
    """Crawls one source; what it learns goes straight into the store, one transaction a page."""

    name = "source"
    handle_httpstatus_list = [304, 404, 410]
    custom_settings: dict[str, Any] = {}

    def __init__(self, source: Source, store: Store, crawl_id: int, **kwargs: Any):
        super().__init__(name=source.id, **kwargs)
        self.source = source
        self.store = store
        self.crawl_id = crawl_id
        self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in source.start_urls})
        self.hosts = set(source.hosts)
        self.allow = [re.compile(p) for p in source.allow]
        self.deny = [re.compile(p) for p in source.deny]
        self.requested: set[str] = set()
        self.pages_done = 0
        self.errors = 0

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.closed_with, signal=signals.spider_closed)
        return spider

    # -- requests -----------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        for url in self.source.sitemaps:
            yield Request(url, callback=self.parse_sitemap, errback=self.on_error, dont_filter=True)
        for url in self.source.feeds:
            yield Request(url, callback=self.parse_feed, errback=self.on_error, dont_filter=True)
        if not self.source.sitemaps:
            # Sites announce their sitemaps in robots.txt: read them when none is configured.
            for origin in dict.fromkeys(_origin(u) for u in self.source.start_urls):
                yield Request(
                    origin + "/robots.txt",
                    callback=self.parse_robots,
                    errback=self.on_robots_error,
                    dont_filter=True,
                    meta={"dont_retry": True},
                )
        for url in self.source.start_urls:
            request = self.page_request(url)
            if request is not None:
                yield request

    def parse_robots(self, response: Response) -> Iterator[Request]:
        if response.status != 200 or not isinstance(response, TextResponse):
            return
        for url in sitemap_urls_from_robots(response.text, base_url=response.url):
            if urlsplit(url).netloc.lower() in self.hosts:
                yield Request(url, callback=self.parse_sitemap, errback=self.on_error)

    def on_robots_error(self, failure: Failure) -> None:
        """No robots.txt, or an unreachable one: nothing to learn, and not an error."""

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() not in self.hosts:
            return False
        if BINARY_RE.search(parts.path):
            return False
        if (
            self.allow
            and url not in self.source.start_urls
            and not any(p.search(url) for p in self.allow)
        ):
            return False
        return not any(p.search(url) for p in self.deny)

    def page_request(self, url: str) -> Request | None:
        """A request for a page, with the last fetch's validators; None when not to fetch."""
        url = clean_url(url)
        if url in self.requested or not self.allowed(url):
            return None
        self.requested.add(url)
        headers: dict[str, str] = {}
        meta: dict[str, Any] = {}
        if self.source.javascript:
            meta = {
                "playwright": True,
                "playwright_page_goto_kwargs": {"wait_until": "networkidle"},
            }
        else:
            known = self.store.fetch_info(url)
            if known is not None and known["status"] == "ok":
                if known["etag"]:
                    headers["If-None-Match"] = known["etag"]
                if known["last_modified"]:
                    headers["If-Modified-Since"] = known["last_modified"]
        return Request(
            url, callback=self.parse_page, errback=self.on_error, headers=headers, meta=meta
        )

    def follow(self, links: Iterable[str]) -> Iterator[Request]:
        for link in links:
            request = self.page_request(link)
            if request is not None:
                yield request

    # -- callbacks ----------------------------------------------------------------------

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        try:
            sitemap = Sitemap(response.body)
        except Exception:  # lxml raises several kinds on a broken XML body
            self.record_error(response.url, "plan du site (sitemap) illisible")
            return
        for entry in sitemap:
            loc = entry.get("loc", "")
            if sitemap.type == "sitemapindex":
                yield Request(loc, callback=self.parse_sitemap, errback=self.on_error)
            else:
                yield from self.follow([loc])

    def parse_feed(self, response: Response) -> Iterator[Request]:
        feed = feedparser.parse(response.body)
        if feed.bozo and not feed.entries:
            self.record_error(response.url, "flux RSS/Atom illisible")
            return
        yield from self.follow(e.get("link", "") for e in feed.entries if e.get("link"))

    def parse_page(self, response: Response) -> Iterator[Request]:
        request_url = clean_url(response.request.url if response.request else response.url)
        if response.status == 304:
            yield from self.not_modified(request_url)
            return
        if response.status in (404, 410):
            self.vanished(request_url, response.status)
            return
        extracted = self.extract(response)
        if extracted is None:
            return
        page_url = self.page_url(response, extracted)
        if not extracted.noindex and (extracted.text or extracted.title):
            self.save(page_url, response, extracted)
        if not _nofollow(response):
            yield from self.follow(extracted.links)

    def extract(self, response: Response) -> Extracted | None:
        ctype = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
        try:
            if "application/pdf" in ctype or response.body[:5] == b"%PDF-":
                return extract_pdf(response.url, response.body)
            if isinstance(response, TextResponse) and (
                any(t in ctype for t in HTML_TYPES) or not ctype
            ):
                return extract_html(response.url, response.text)
        except ExtractionError as exc:
            self.record_error(response.url, str(exc))
        return None

    def page_url(self, response: Response, extracted: Extracted) -> str:
        """The page's key: its canonical link when it stays on the site, else its final URL."""
        canonical = extracted.canonical
        if canonical and urlsplit(canonical).netloc.lower() in self.hosts:
            return clean_url(canonical)
        return clean_url(response.url)

    def save(self, page_url: str, response: Response, extracted: Extracted) -> None:
        etag = _header(response, "ETag")
        last_modified = _header(response, "Last-Modified")
        request_url = clean_url(response.request.url if response.request else response.url)
        outcome = self.store.save_page(
            self.crawl_id,
            self.source.id,
            page_url,
            request_url,
            extracted.fields(),
            etag,
            last_modified,
            response.status,
        )
        if clean_url(response.url) != request_url:
            self.store.record_alias(clean_url(response.url), page_url, etag, last_modified)
        self.pages_done += 1
        if outcome != "unchanged":
            self.fold_twin(page_url, extracted.content_hash())

    def fold_twin(self, page_url: str, content_hash: str) -> None:
        """Identical content under two URLs: keep the shorter URL, alias the other."""
        twin = self.store.twin_of(self.source.id, content_hash, page_url)
        if twin is None:
            return
        keep, drop = sorted([twin, page_url], key=rank)
        self.store.merge_into(drop, keep)
        self.store.mark_seen(self.crawl_id, keep, "unchanged")

    def not_modified(self, request_url: str) -> Iterator[Request]:
        known = self.store.fetch_info(request_url)
        if known is None:
            return
        self.store.mark_seen(self.crawl_id, known["page_url"], "unchanged")
        self.pages_done += 1
        yield from self.follow(json.loads(known["links"] or "[]"))

    def vanished(self, request_url: str, status: int) -> None:
        known = self.store.fetch_info(request_url)
        if known is not None:
            self.store.mark_seen(self.crawl_id, known["page_url"], "missing")
            self.record_error(request_url, f"page disparue ({status})")
        else:
            self.record_error(request_url, f"lien mort ({status})")

    # -- errors and end -----------------------------------------------------------------

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            message = str(failure.value)
            if "redirect" in message.lower():
                self.record_error(url, "trop de redirections (boucle ?)")
            return  # robots.txt and offsite rules: skipped on purpose, not an error
        self.record_error(url, describe_failure(failure))

    def record_error(self, url: str, reason: str) -> None:
        self.errors += 1
        self.store.add_error(self.crawl_id, url, reason)

    def closed_with(self, spider: scrapy.Spider, reason: str) -> None:
        if spider is self:
            self.finish_reason = reason


def describe_failure(failure: Failure) -> str:
    """A French reason for a failed request."""
    if failure.check(HttpError):
        status = failure.value.response.status
        return f"erreur du serveur ({status})" if status >= 500 else f"refusée ({status})"
    name = failure.type.__name__ if failure.type else "Exception"
    # Scrapy wraps Twisted's errors in its own classes (DownloadConnectionRefusedError…).
    if failure.check(DNSLookupError) or "DNSLookup" in name:
        return "nom de domaine introuvable"
    if failure.check(ConnectionRefusedError) or "ConnectionRefused" in name:
        return "connexion refusée (site injoignable)"
    if failure.check(TimeoutError, TCPTimedOutError) or "Timeout" in name:
        return "délai d'attente dépassé"
    if "maxsize" in str(failure.value).lower() or "cancelled" in str(failure.value).lower():
        return "réponse trop volumineuse ou interrompue"
    return f"échec du téléchargement ({name} : {failure.getErrorMessage()[:200]})"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _nofollow(response: Response) -> bool:
    if not isinstance(response, TextResponse):
        return False
    robots = response.xpath("//meta[translate(@name,'ROBTS','robts')='robots']/@content").get()
    return bool(robots and "nofollow" in robots.lower())
