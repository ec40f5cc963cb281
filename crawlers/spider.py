"""The one generic spider: a source of `sources.toml` crawled into the page store.

Discovery starts from the source's start URLs, sitemaps (and sitemap indexes) and feeds, then
follows in-site links within the source's hosts and its allow/deny rules. Requests carry the
validators of the last fetch, so an unchanged page costs a 304 and no rewrite; its stored
links are followed as if it had been downloaded again. Once nothing is left to follow, the
known pages that no link led to are asked for once more, without rendering: one that answers
404 or 410 (a withdrawn job offer, which its site's listings stopped linking) is gone at once;
one that still answers keeps the rule of pages no longer linked (gone after two crawls). The
spider only reads the store: what it finds goes to the item pipeline (`crawlers.pipelines`),
which writes it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import deferred_from_coro
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
from crawlers.render import RENDER_TIMEOUT_MS, render_meta
from crawlers.settings import BINARY_EXTENSIONS
from crawlers.soft404 import ErrorPages, probe_url
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
        self.refused: BaseException | None = None  # a write the data directory refused
        self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in source.start_urls})
        self.hosts = set(source.hosts)
        self.allow = [re.compile(p) for p in source.allow]
        self.deny = [re.compile(p) for p in source.deny]
        self.requested: set[str] = set()
        self.pages_done = 0
        self.errors = 0
        self.rechecked = False
        self.error_pages = ErrorPages()
        self.capped = False  # max_pages reached: nothing more is saved or followed

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.closed_with, signal=signals.spider_closed)
        crawler.signals.connect(spider.recheck_unreached, signal=signals.spider_idle)
        watch_too_large()  # now: Scrapy resets its loggers when the crawl process starts
        return spider

    # -- requests -----------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        await self.probe_error_pages()
        for url in self.source.sitemaps:
            yield Request(url, callback=self.parse_sitemap, errback=self.on_error, dont_filter=True)
        for url in self.source.feeds:
            yield Request(url, callback=self.parse_feed, errback=self.on_error, dont_filter=True)
        # Sites announce their sitemaps in robots.txt (read when none is configured); a
        # robots.txt that is not one is reported.
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

    async def probe_error_pages(self) -> None:
        """Ask each site for an address that cannot exist: a 200 shows its error page."""
        for start_url in dict.fromkeys(self.source.start_urls):
            asked = probe_url(start_url)
            meta: dict[str, Any] = {"dont_retry": True, "handle_httpstatus_all": True}
            if self.source.javascript:
                meta |= render_meta(RENDER_TIMEOUT_MS)
            try:
                response = await self.crawler.engine.download_async(
                    Request(asked, meta=meta, dont_filter=True)
                )
            except Exception:  # unreachable, refused by robots.txt…: the crawl will say so
                continue
            if response.status != 200:
                continue
            try:
                extracted = self.extract(response)
            except ExtractionError:
                continue
            if extracted is not None:
                self.error_pages.learn(asked, response.url, extracted)

    def parse_robots(self, response: Response) -> Iterator[Any]:
        if response.status != 200:
            return
        problem = robots_problem(response)
        if problem:
            yield self.error(response.url, problem)
            return
        if self.source.sitemaps or not isinstance(response, TextResponse):
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
        meta: dict[str, Any] = {"validators": not self.source.javascript}
        if self.source.javascript:
            meta |= render_meta(RENDER_TIMEOUT_MS)
        return Request(url, callback=self.parse_page, errback=self.on_error, meta=meta)

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
        if self.capped:
            return  # answers to requests sent before the cap: not saved, not counted
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
        if self.error_pages.is_error(request_url, response.url, extracted):
            yield from self.disguised_error(request_url)
            return
        page_url = self.page_url(response, extracted)
        if not extracted.noindex and (extracted.text or extracted.title):
            yield self.page(page_url, response, extracted)
        if extracted.links_found > len(extracted.links):
            yield self.error(
                response.url,
                f"page très chargée : {extracted.links_found} liens, seuls les "
                f"{len(extracted.links)} premiers sont suivis",
            )
        if not extracted.nofollow:
            yield from self.follow(extracted.links)
        self.check_cap()

    def check_cap(self) -> None:
        """At max_pages pages, stop: exactly that many pages are saved or confirmed."""
        if self.capped or self.pages_done < self.source.max_pages:
            return
        self.capped = True
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="closespider_pagecount"))

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
        self.check_cap()

    def disguised_error(self, request_url: str) -> Iterator[Any]:
        """An error page served with a 200 (soft 404): never stored as content. A known page
        answering it counts as missing (and, if the whole source does, trips the drop guard)."""
        known = self.store.fetch_info(request_url)
        if known is not None and known["status"] == "ok":
            yield SeenItem(known["page_url"], "missing")
            yield self.error(
                request_url, "page disparue : le site répond par une page d'erreur (soft 404)"
            )
        else:
            yield self.error(
                request_url, "lien mort déguisé : le site répond par une page d'erreur (soft 404)"
            )

    def vanished(self, request_url: str, status: int) -> Iterator[Any]:
        known = self.store.fetch_info(request_url)
        if known is not None:
            yield SeenItem(known["page_url"], "missing")
            yield self.error(request_url, f"page disparue ({status})")
        else:
            yield self.error(request_url, f"lien mort ({status})")

    # -- known pages that no link led to ------------------------------------------------

    def recheck_unreached(self, spider: scrapy.Spider) -> None:
        """Once idle, ask again (once) for the known pages this crawl did not reach."""
        if spider is not self or self.rechecked or self.capped:
            return
        self.rechecked = True
        urls = [
            u
            for u in self.store.unreached_urls(self.crawl_id, self.source.id)
            if u not in self.requested and self.allowed(u)
        ]
        for url in urls:
            self.requested.add(url)
            request = Request(
                url,
                callback=self.parse_recheck,
                errback=self.on_recheck_error,
                dont_filter=True,
                meta={"page_url": url},
            )
            self.crawler.engine.crawl(request)
        if urls:
            raise DontCloseSpider

    def parse_recheck(self, response: Response) -> Iterator[Any]:
        """A known page no link led to: gone if it answers 404 or 410, else left as it is."""
        if response.status in (404, 410):
            page_url = response.meta["page_url"]
            yield SeenItem(page_url, "missing")
            yield self.error(page_url, f"page disparue ({response.status})")

    def on_recheck_error(self, failure: Failure) -> None:
        """An unreachable page keeps the rule of pages no longer linked."""

    # -- errors and end -----------------------------------------------------------------

    def on_error(self, failure: Failure) -> Iterator[ErrorItem]:
        request = getattr(failure, "request", None)
        # The address as linked: the first of a redirect chain.
        url = request.meta.get("redirect_urls", [request.url])[0] if request is not None else "?"
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            reason = ignored_reason(str(failure.value))
            if reason:
                yield self.error(url, reason)
            return  # robots.txt and offsite rules: skipped on purpose, not an error
        if request is not None and request.url in TOO_LARGE_SEEN:
            yield self.error(url, TOO_LARGE)  # cut off mid-body (no length announced)
            return
        yield self.error(url, describe_failure(failure))

    def error(self, url: str, reason: str) -> ErrorItem:
        """An error for the crawl's report (written by the store pipeline)."""
        self.errors += 1
        return ErrorItem(url, reason)

    def closed_with(self, spider: scrapy.Spider, reason: str) -> None:
        if spider is self:
            self.finish_reason = reason


def ignored_reason(message: str) -> str | None:
    """The report's line for a request Scrapy dropped, or None when dropped on purpose."""
    lower = message.lower()
    if lower.startswith("redirect loop: "):
        return "boucle de redirections : " + message.split(": ", 1)[1]
    if "redirect" in lower:
        return "trop de redirections (plus de 5)"
    if "max size" in lower or "maxsize" in lower or "larger than" in lower:
        return TOO_LARGE
    return None


TOO_LARGE = "réponse trop volumineuse (plus de 10 Mo, une fois décompressée) : ignorée"
# Scrapy cancels a body that outgrows DOWNLOAD_MAXSIZE with a bare CancelledError, and says
# why only in a warning: the warning is read here, by request URL.
TOO_LARGE_SEEN: set[str] = set()
REQUEST_IN_MESSAGE = re.compile(r"larger than download max size .* in request <\w+ (\S+)>")


class _TooLargeWatch(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        found = REQUEST_IN_MESSAGE.search(record.getMessage())
        if found:
            TOO_LARGE_SEEN.add(found.group(1))


def watch_too_large() -> None:
    """Listen to the download handlers' warnings about bodies past the size limit."""
    logger = logging.getLogger("scrapy.core.downloader.handlers")  # and its http11 child
    if not any(isinstance(h, _TooLargeWatch) for h in logger.handlers):
        logger.addHandler(_TooLargeWatch(logging.WARNING))
    logger.setLevel(logging.WARNING)  # the console handler still shows only errors


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
    message = str(failure.value).lower()
    if "max size" in message or "maxsize" in message or "larger than" in message:
        return TOO_LARGE
    if "cancel" in message or "CancelledError" in name:
        return "téléchargement interrompu"
    return f"échec du téléchargement ({name} : {failure.getErrorMessage()[:200]})"


ROBOTS_LINE = re.compile(
    r"^\s*(?:user-agent|disallow|allow|sitemap|crawl-delay|host|request-rate|visit-time|"
    r"noindex|clean-param)\s*:",
    re.I,
)


ALLOW_ALL = "la collecte le traite comme « tout autorisé »"


def robots_problem(response: Response) -> str | None:
    """Why a robots.txt is not one (then Scrapy allows everything), or None."""
    body = response.body[:512_000]
    ctype = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
    if "html" in ctype or body.lstrip()[:15].lower().startswith((b"<!doctype", b"<html")):
        return f"robots.txt illisible (une page HTML) : {ALLOW_ALL}"
    if b"\x00" in body:
        return f"robots.txt illisible (contenu binaire) : {ALLOW_ALL}"
    lines = [
        line.strip()
        for line in body.decode("utf-8", "replace").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    known = sum(bool(ROBOTS_LINE.match(line)) for line in lines)
    if lines and known < len(lines) / 2:
        return (
            f"robots.txt illisible ({len(lines) - known} lignes sur {len(lines)} sans directive "
            f"reconnue) : {ALLOW_ALL}"
        )
    return None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
