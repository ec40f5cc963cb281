"""When a page rendered in Chromium is read (crawlers/render.py): once its script's requests
(fetch, XHR, a script added after load), chained and slower than the quiet window, have
answered and it stopped writing; a page that never stops writing is an error, not a page."""

from __future__ import annotations

import asyncio
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright

from conftest import CHROMIUM, chromium_or_skip
from crawlers import render
from crawlers.settings import CHROMIUM_ARGS

pytestmark = pytest.mark.browser

SLOW = 0.3  # seconds: each answer comes after the quiet window has passed
assert SLOW * 1000 > render.QUIET_MS

SHELL = (
    '<!DOCTYPE html><html lang="fr"><head><title>Coquille</title></head><body>'
    '<main id="app">Chargement…</main><script>{}</script></body></html>'
)
SCRIPTS = {
    # Two fetches, the second asked once the first answered.
    "/fetch": 'fetch("/api/a").then(r => r.text()).then(a => fetch("/api/" + a))'
    '.then(r => r.text()).then(t => { document.getElementById("app").textContent = t; });',
    "/xhr": 'const x = new XMLHttpRequest(); x.open("GET", "/api/b"); x.onload = () => '
    '{ document.getElementById("app").textContent = x.responseText; }; x.send();',
    # A script added once the page has loaded, slow to come, that renders the page.
    "/script": 'window.addEventListener("load", () => { const s = document.createElement("script");'
    ' s.src = "/api/render.js"; document.head.appendChild(s); });',
    "/forever": 'setInterval(() => { document.getElementById("app").textContent = Date.now(); },'
    " 20);",
}
ANSWERS = {
    "/api/a": "b",
    "/api/b": "Contenu rendu",
    "/api/render.js": 'document.getElementById("app").textContent = "Contenu rendu";',
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path in SCRIPTS:
            body, ctype = SHELL.format(SCRIPTS[self.path]), "text/html"
        elif self.path in ANSWERS:
            time.sleep(SLOW)
            body, ctype = ANSWERS[self.path], "text/plain"
        else:
            self.send_error(404)
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", f"{ctype}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def origin():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


async def read_rendered(urls: list[str], timeout_ms: float) -> list[str]:
    """Each page's text as the crawler reads it (loaded, watched, settled), or "timeout"."""
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context()
        read = await asyncio.gather(*(read_one(context, url, timeout_ms) for url in urls))
        await browser.close()
    return read


async def read_one(context, url: str, timeout_ms: float) -> str:
    page = await context.new_page()
    await render.watch(page, None)
    await page.goto(url, wait_until="load")
    try:
        await render.settle(page, timeout_ms)
    except PlaywrightTimeout:
        return "timeout"
    return await page.inner_text("#app")


def test_a_page_is_read_once_its_requests_answered_and_it_stopped_writing(origin):
    chromium_or_skip()
    paths = ["/fetch", "/xhr", "/script", "/forever"]
    read = asyncio.run(read_rendered([origin + p for p in paths], timeout_ms=1000))
    assert dict(zip(paths, read, strict=True)) == {
        "/fetch": "Contenu rendu",
        "/xhr": "Contenu rendu",
        "/script": "Contenu rendu",
        "/forever": "timeout",
    }
