"""The one generic spider: a source of `sources.toml` crawled into the page store.

Discovery starts from the source's start URLs, sitemaps (and sitemap indexes) and feeds, then
follows in-site links within the source's hosts and its allow/deny rules. Requests carry the
validators of the last fetch, so an unchanged page costs a 304 and no rewrite; its stored
links are followed as if it had been downloaded again. The spider only reads the store: what
it finds goes to the item pipeline (`crawlers.pipelines`), which writes it.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

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
from crawlers.feeds import FeedError, read_feed
from crawlers.pipelines import ErrorItem, FeedItem, PageItem, SeenItem
from crawlers.settings import BINARY_EXTENSIONS
from crawlers.urls import clean_url
from portail.db import Store
from portail.sources import Source

BINARY_RE = re.compile(r"\.(" + "|".join(BINARY_EXTENSIONS) + r")$", re.I)
HTML_TYPES = ("text/html", "application/xhtml+xml")


class SourceSpider(scrapy.Spider):
    """Crawls one source; yields requests, and items for the store pipeline."""

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

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        try:
            sitemap = Sitemap(response.body)
        except Exception:  # lxml raises several kinds on a broken XML body
            yield self.error(response.url, "plan du site (sitemap) illisible")
            return
        for entry in sitemap:
            loc = entry.get("loc", "")
            if sitemap.type == "sitemapindex":
                yield Request(loc, callback=self.parse_sitemap, errback=self.on_error)
            else:
                yield from self.follow([loc])

    def parse_feed(self, response: Response) -> Iterator[Any]:
        """A feed's entries are kept (the news stream reads them) and their links followed."""
        try:
            entries = read_feed(response.body, response.url)
        except FeedError as exc:
            yield self.error(response.url, str(exc))
            return
        yield FeedItem(clean_url(response.url), entries)
        yield from self.follow(e.url for e in entries)

    def parse_page(self, response: Response) -> Iterator[Any]:
        request_url = clean_url(response.request.url if response.request else response.url)
        if response.status == 304:
            yield from self.not_modified(request_url)
            return
        if response.status in (404, 410):
            yield from self.vanished(request_url, response.status)
            return
        try:
            extracted = self.extract(response)
        except ExtractionError as exc:
            yield self.error(response.url, str(exc))
            return
        if extracted is None:
            return
        page_url = self.page_url(response, extracted)
        if not extracted.noindex and (extracted.text or extracted.title):
            yield self.page(page_url, response, extracted)
        if not _nofollow(response):
            yield from self.follow(extracted.links)

    def extract(self, response: Response) -> Extracted | None:
        ctype = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
        if "application/pdf" in ctype or response.body[:5] == b"%PDF-":
            return extract_pdf(response.url, response.body)
        if isinstance(response, TextResponse) and (
            any(t in ctype for t in HTML_TYPES) or not ctype
        ):
            return extract_html(response.url, response.text)
        return None

    def page_url(self, response: Response, extracted: Extracted) -> str:
        """The page's key: its canonical link when it stays on the site, else its final URL."""
        canonical = extracted.canonical
        if canonical and urlsplit(canonical).netloc.lower() in self.hosts:
            return clean_url(canonical)
        return clean_url(response.url)

    def page(self, page_url: str, response: Response, extracted: Extracted) -> PageItem:
        """A page for the store pipeline (which saves it and folds its twins)."""
        self.pages_done += 1
        return PageItem(
            url=page_url,
            requested=clean_url(response.request.url if response.request else response.url),
            final=clean_url(response.url),
            fields=extracted.fields(),
            content_hash=extracted.content_hash(),
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            http_status=response.status,
        )

    def not_modified(self, request_url: str) -> Iterator[Any]:
        known = self.store.fetch_info(request_url)
        if known is None:
            return
        yield SeenItem(known["page_url"], "unchanged")
        self.pages_done += 1
        yield from self.follow(json.loads(known["links"] or "[]"))

    def vanished(self, request_url: str, status: int) -> Iterator[Any]:
        known = self.store.fetch_info(request_url)
        if known is not None:
            yield SeenItem(known["page_url"], "missing")
            yield self.error(request_url, f"page disparue ({status})")
        else:
            yield self.error(request_url, f"lien mort ({status})")

    # -- errors and end -----------------------------------------------------------------

    def on_error(self, failure: Failure) -> Iterator[ErrorItem]:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            message = str(failure.value)
            if "redirect" in message.lower():
                yield self.error(url, "trop de redirections (boucle ?)")
            return  # robots.txt and offsite rules: skipped on purpose, not an error
        yield self.error(url, describe_failure(failure))

    def error(self, url: str, reason: str) -> ErrorItem:
        """An error for the crawl's report (written by the store pipeline)."""
        self.errors += 1
        return ErrorItem(url, reason)

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
