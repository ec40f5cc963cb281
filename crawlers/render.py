"""When a page rendered in Chromium is ready to read: loaded, no fetch, XHR or added script
pending, and neither the network nor the document changed for QUIET_MS.

Playwright's `networkidle` waits a fixed 500 ms after the last request of any kind (images,
beacons…) and reads nothing of the document; this waits on what builds the content — the
page's own requests and its changes to the document — so a page is read as soon as its
script has rendered it, and a page still fetching or still writing is waited for (up to the
navigation timeout, then reported as an error, as `networkidle` was).
"""

from __future__ import annotations

import weakref
from typing import Any

from scrapy.http import Request, Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

QUIET_MS = 200
RENDER_TIMEOUT_MS = 30_000  # as long as a navigation may take

# Runs in every document before its own scripts: counts the requests a script makes (fetch,
# XHR, scripts added once the page has loaded) and notes the time of the last change to the
# document's nodes or text (attributes are left out: an animation does not build content).
WATCH_JS = """(() => {
  if (window.__portailRender) { return; }
  const w = window.__portailRender = { pending: 0, last: performance.now() };
  const touch = () => { w.last = performance.now(); };
  const start = () => { w.pending += 1; touch(); };
  const end = () => { w.pending -= 1; touch(); };
  if (window.fetch) {
    const fetch0 = window.fetch;
    window.fetch = function () {
      start();
      try {
        const answer = fetch0.apply(this, arguments);
        answer.then(end, end);
        return answer;
      } catch (error) { end(); throw error; }
    };
  }
  const send0 = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function () {
    start();
    this.addEventListener("loadend", end, { once: true });
    try { return send0.apply(this, arguments); } catch (error) { end(); throw error; }
  };
  const added = (node) => {
    // Before the load event, the load event itself waits for the page's scripts.
    if (node.tagName === "SCRIPT" && node.src && document.readyState === "complete") {
      start();
      node.addEventListener("load", end, { once: true });
      node.addEventListener("error", end, { once: true });
    }
  };
  new MutationObserver((records) => {
    touch();
    records.forEach((r) => r.addedNodes.forEach(added));
  }).observe(document, { childList: true, subtree: true, characterData: true });
})();"""

SETTLED_JS = """(quiet) => {
  const w = window.__portailRender;
  if (!w) { return true; }  // not a document our script ran in (a PDF, a download…)
  return document.readyState === "complete" && w.pending === 0
    && performance.now() - w.last >= quiet;
}"""


_watched: weakref.WeakSet[Any] = weakref.WeakSet()


async def watch(page: Any, request: Request | None) -> None:
    """Page init callback: install the watcher in every document the page loads (once: a
    page is navigated again for the next request)."""
    if page not in _watched:
        await page.add_init_script(WATCH_JS)
        _watched.add(page)


async def settle(page: Any, timeout_ms: float) -> None:
    """Wait until the page's content stopped building (see the module's docstring)."""
    await page.wait_for_function(SETTLED_JS, arg=QUIET_MS, polling=50, timeout=timeout_ms)


def render_meta(timeout_ms: float) -> dict[str, Any]:
    """The request meta that renders a page in Chromium and waits for its content."""
    from scrapy_playwright.page import PageMethod

    return {
        "playwright": True,
        "playwright_page_init_callback": "crawlers.render.watch",
        "playwright_page_goto_kwargs": {"wait_until": "load"},
        "playwright_page_methods": [PageMethod(settle, timeout_ms)],
    }


class PageReusingHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's download handler, navigating an idle page to the next address
    instead of opening and closing a page for every request (a new page costs Chromium a
    renderer: about 150 ms, and a quarter of a page's processor time).

    Needs CONCURRENT_REQUESTS <= PLAYWRIGHT_MAX_PAGES_PER_CONTEXT: idle pages stay open, so a
    request must never wait for a page to close."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.idle_pages: list[Any] = []

    async def _create_page(self, request: Request, spider: Any) -> Any:
        while self.idle_pages:
            page = self.idle_pages.pop()
            if not page.is_closed():
                break
        else:
            page = await super()._create_page(request, spider)
        request.meta["playwright_page"] = page  # so that a failure closes it
        return page

    async def _download_request(self, request: Request, spider: Any = None) -> Response:
        request.meta["playwright_include_page"] = True
        try:
            response = await super()._download_request(request, spider)
        except BaseException:
            page = request.meta.pop("playwright_page", None)
            if page is not None and not page.is_closed():
                await page.close()
            raise
        page = request.meta.pop("playwright_page", None)
        if page is not None and not page.is_closed():
            self.idle_pages.append(page)
        return response
