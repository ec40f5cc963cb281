"""Downloader middlewares of the crawl: validators added when a request leaves (not when it is
queued), and redirect loops named instead of silently dropped."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from crawlers.urls import clean_url

REDIRECTS = (301, 302, 303, 307, 308)


class ValidatorsMiddleware:
    """Adds the last fetch's ETag and Last-Modified to a page request as it is sent, so that
    the queue holds bare addresses and the store is read only for pages actually fetched."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidatorsMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        if not request.meta.get("validators") or spider is None:
            return
        known = spider.store.fetch_info(request.url)
        if known is None or known["status"] != "ok":
            return
        if known["etag"]:
            request.headers.setdefault("If-None-Match", known["etag"])
        if known["last_modified"]:
            request.headers.setdefault("If-Modified-Since", known["last_modified"])


class RedirectLoopMiddleware:
    """A redirect back to an address of the same chain is a loop: named in the report (Scrapy
    would drop the second visit as a duplicate, and say nothing)."""

    def process_response(self, request: Request, response: Response) -> Response:
        raw = response.headers.get(b"Location")
        if response.status not in REDIRECTS or not raw:
            return response
        location = raw.decode("latin-1")
        target = clean_url(urljoin(request.url, location))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in {clean_url(url) for url in chain}:
            steps = " → ".join([*chain, target])
            raise IgnoreRequest(f"redirect loop: {steps}")
        return response
