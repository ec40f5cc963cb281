"""The demo web server: twelve sites on loopback, with the real web's mess built in.

Each site is a small WSGI app served by its own thread. `DemoWeb` starts them on fixed ports
(8800 + n, as `portail demo-web` does) or on ephemeral ports (tests), records an access log,
and lets tests change or remove a page to exercise incremental recrawls.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from demo import mess
from demo.offers import fixed_today
from demo.render import (
    as_markup,
    big_table,
    body_html,
    contact_html,
    json_ld,
    pdf_bytes,
    plain_text,
    render_template,
)
from demo.site import DEFAULT_BASE_PORT, DEFAULT_HOST, DEMO_DIR, Page, Site, load_sites, slugify

PER_PAGE = 8
SERVER_START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


@dataclass
class LogEntry:
    site: str
    method: str
    path: str
    status: int
    user_agent: str
    size: int


@dataclass
class DemoState:
    """What changes while the demo web runs: the log, hit counters and edits."""

    log: list[LogEntry] = field(default_factory=list)
    hits: Counter[tuple[str, str]] = field(default_factory=Counter)
    changed: dict[tuple[str, str], str] = field(default_factory=dict)
    removed: set[tuple[str, str]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


class SiteApp:
    """The WSGI application of one demo site."""

    def __init__(self, site: Site, web: DemoWeb):
        self.site = site
        self.web = web

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self.dispatch(request)
        full_path = request.full_path.rstrip("?")
        with self.web.state.lock:
            self.web.state.log.append(
                LogEntry(
                    self.site.id,
                    request.method,
                    full_path,
                    response.status_code,
                    request.headers.get("User-Agent", ""),
                    len(response.get_data()),
                )
            )
        return response(environ, start_response)

    # -- routing -------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        path = request.path
        with self.web.state.lock:
            self.web.state.hits[(self.site.id, path)] += 1
            hits = self.web.state.hits[(self.site.id, path)]
        special = mess.special_route(self, request, hits)
        if special is not None:
            return special
        if path == "/robots.txt":
            return self.text(mess.robots(self), "text/plain")
        if path == "/sitemap.xml" or path.startswith("/sitemaps/"):
            return self.sitemap(path)
        if path == "/":
            return self.home(request)
        if path.rstrip("/").startswith("/rubriques/"):
            return self.listing(request, path.rstrip("/").split("/")[2])
        if path == "/mentions-legales":
            return self.html_page(request, None, "Mentions légales", mess.LEGAL_NOTICE)
        page = self.site.by_path.get(path.lower().rstrip("/") or "/")
        if page is None or (self.site.id, page.path) in self.web.state.removed:
            return self.not_found(request)
        return self.content(request, page)

    # -- pages ---------------------------------------------------------------------------

    def content(self, request: Request, page: Page) -> Response:
        if page.media == "pdf":
            data = pdf_bytes(page.title, plain_text(page.body))
            return self.conditional(request, Response(data, mimetype="application/pdf"), page)
        markup = self.web.state.changed.get((self.site.id, page.path), page.body)
        html = body_html(markup, self.resolve) + contact_html(page, self.site)
        if page.media == "big":
            html += big_table()
        html += mess.after_body(self, page)
        return self.html_page(request, page, page.title, html)

    def html_page(self, request: Request, page: Page | None, title: str, html: str) -> Response:
        canonical = self.url(page.path) if page else self.url(request.full_path.rstrip("?"))
        context = {
            "site": self.site,
            "page": page,
            "title": title,
            "content": as_markup(html),
            "canonical": canonical,
            "description": page.description if page else "",
            "lang": "en" if page and page.path.startswith("/en/") else "fr",
            "jsonld": json_ld(page, self.site, canonical) if page else None,
            "nav_links": mess.nav_links(self),
            "section_links": self.section_links(),
            "footer_links": mess.footer_links(self),
            "related": mess.related(self, page) if page else [],
            "feed": mess.feed_url(self),
        }
        body = render_template(f"{self.site.layout}.html", **context)
        return self.conditional(request, self.html_response(body), page)

    def home(self, request: Request) -> Response:
        parts = [f"<p>{escape(self.site.tagline)}.</p>"]
        for section, pages in self.site.sections.items():
            items = "".join(f'<li><a href="{p.path}">{escape(p.title)}</a></li>' for p in pages[:3])
            parts.append(
                f'<h2><a href="{self.listing_href(section)}">{escape(section)}</a></h2>'
                f"<ul>{items}</ul>"
            )
        parts.append(mess.home_extra(self))
        return self.html_page(request, None, "Accueil", "\n".join(parts))

    def listing(self, request: Request, slug: str) -> Response:
        section = next((s for s in self.site.sections if slugify(s) == slug), None)
        if section is None:
            return self.not_found(request)
        mess.maybe_slow(self, section)
        pages = self.site.sections[section]
        try:
            number = max(1, int(request.args.get("page", "1")))
        except ValueError:
            number = 1
        count = max(1, -(-len(pages) // PER_PAGE))
        if number > count:
            return self.not_found(request)
        chunk = pages[(number - 1) * PER_PAGE : number * PER_PAGE]
        items = "".join(
            f'<li><a href="{p.path}">{escape(p.title)}</a><p>{escape(p.description)}</p></li>'
            for p in chunk
        )
        base = self.listing_href(section)
        pager = " ".join(
            f"<strong>{n}</strong>" if n == number else f'<a href="{base}?page={n}">{n}</a>'
            for n in range(1, count + 1)
        )
        if number < count:
            pager += f' <a rel="next" href="{base}?page={number + 1}">Page suivante</a>'
        html = f'<ul class="liste">{items}</ul><nav class="pager">{pager}</nav>'
        title = section if number == 1 else f"{section} (page {number})"
        return self.html_page(request, None, title, html)

    def sitemap(self, path: str) -> Response:
        if self.site.id == "bpifrance" and path == "/sitemap.xml":
            entries = "".join(
                f"<sitemap><loc>{self.url('/sitemaps/' + slugify(s) + '.xml')}</loc></sitemap>"
                for s in self.site.sections
            )
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns='
                f'"http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
            )
            return self.text(xml, "application/xml")
        pages = self.site.pages
        if path.startswith("/sitemaps/"):
            slug = path.removeprefix("/sitemaps/").removesuffix(".xml")
            pages = [p for p in pages if slugify(p.section) == slug]
            if not pages:
                return Response("introuvable", status=404)
        urls = "".join(
            f"<url><loc>{self.url(p.path)}</loc>"
            + (f"<lastmod>{p.date}</lastmod>" if p.date else "")
            + "</url>"
            for p in pages
            if mess.in_sitemap(self, p)
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns='
            f'"http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        )
        return self.text(xml, "application/xml")

    def not_found(self, request: Request) -> Response:
        body = render_template(
            f"{self.site.layout}.html",
            site=self.site,
            page=None,
            title="Page introuvable",
            lang="fr",
            canonical=None,
            content=as_markup("<p>Cette page n'existe pas ou plus.</p>"),
            nav_links=[],
            section_links=self.section_links(),
            footer_links=[],
            related=[],
            feed=None,
            description="",
            jsonld=None,
        )
        response = self.html_response(body)
        response.status_code = 404
        return response

    # -- helpers -------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"{self.web.origin(self.site.id)}{path}"

    def resolve(self, target: str) -> str:
        """Resolve a body link: `/path` in the site, or `site:<id>/path` to another demo site."""
        if target.startswith("site:"):
            site_id, _, path = target[5:].partition("/")
            if site_id in self.web.sites:
                return f"{self.web.origin(site_id)}/{path}"
            return "/" + path
        return target

    def listing_href(self, section: str) -> str:
        trailing = "/" if self.site.layout == "cms" else ""
        return f"/rubriques/{slugify(section)}{trailing}"

    def section_links(self) -> list[tuple[str, str]]:
        return [(s, self.listing_href(s)) for s in self.site.sections]

    def html_response(self, body: str) -> Response:
        if self.site.charset.lower() == "utf-8":
            return Response(body.encode("utf-8"), content_type="text/html; charset=utf-8")
        # Legacy sites declare their charset only in a meta tag.
        data = body.encode(self.site.charset, "xmlcharrefreplace")
        return Response(data, content_type="text/html")

    def text(self, text: str, mimetype: str) -> Response:
        return Response(text.encode("utf-8"), content_type=f"{mimetype}; charset=utf-8")

    def conditional(self, request: Request, response: Response, page: Page | None) -> Response:
        """Add ETag and Last-Modified; answer 304 when the client's copy is current."""
        data = response.get_data()
        etag = hashlib.md5(data).hexdigest()
        modified = self.last_modified(page)
        response.set_etag(etag)
        response.headers["Last-Modified"] = format_datetime(modified, usegmt=True)
        if etag in request.if_none_match or self.not_modified_since(request, modified):
            response.status_code = 304
            response.set_data(b"")
        return response

    def last_modified(self, page: Page | None) -> datetime:
        if page is not None:
            changed_at = self.web.changed_at.get((self.site.id, page.path))
            if changed_at:
                return changed_at
            if page.date:
                return datetime.fromisoformat(page.date).replace(tzinfo=UTC)
        return SERVER_START

    @staticmethod
    def not_modified_since(request: Request, modified: datetime) -> bool:
        header = request.headers.get("If-Modified-Since")
        if not header or request.headers.get("If-None-Match"):
            return False
        try:
            return modified <= parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return False


class QuietHandler(WSGIRequestHandler):
    """The demo server keeps its own access log (`DemoWeb.requested`); no console noise."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class DemoWeb:
    """Serves every demo site; `ports` maps site id to port (0 for an ephemeral one).

    The V.I.E. board has a clock: `today` (else `PORTAIL_DEMO_TODAY`, AAAA-MM-JJ) fixes the
    day it starts on; without one it follows the real calendar. Its offers' dates are counted
    from `dates_from` (by default the clock's first day), so offers close as the clock moves on
    (`move_clock`), like they do on the real board as days pass.
    """

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        base_port: int = DEFAULT_BASE_PORT,
        ephemeral: bool = False,
        demo_dir: Path = DEMO_DIR,
        today: date | str | None = None,
        dates_from: date | None = None,
    ):
        self.host = host
        self.demo_dir = demo_dir
        self._fixed_today = fixed_today(today)
        self._clock_moved = timedelta(0)
        self.dates_from = dates_from or self.today
        self.sites = {s.id: s for s in load_sites(demo_dir, self.dates_from)}
        self.ports = {sid: 0 if ephemeral else base_port + s.n for sid, s in self.sites.items()}
        self.state = DemoState()
        self.changed_at: dict[tuple[str, str], datetime] = {}
        self._servers: list[BaseWSGIServer] = []
        self._threads: list[threading.Thread] = []

    def start(self) -> DemoWeb:
        for sid, site in self.sites.items():
            server = make_server(
                self.host,
                self.ports[sid],
                SiteApp(site, self),
                threaded=True,
                request_handler=QuietHandler,
            )
            self.ports[sid] = server.server_port
            self._servers.append(server)
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        # Each shutdown waits for its server's next poll: wait for all of them at once.
        stopping = [threading.Thread(target=s.shutdown) for s in self._servers]
        for thread in stopping:
            thread.start()
        for thread in stopping:
            thread.join()
        for server in self._servers:
            server.server_close()
        self._servers.clear()

    def origin(self, site_id: str) -> str:
        return f"http://{self.host}:{self.ports[site_id]}"

    def default_origin(self, site_id: str) -> str:
        return f"http://{DEFAULT_HOST}:{DEFAULT_BASE_PORT + self.sites[site_id].n}"

    def rewrite(self, text: str) -> str:
        """Rewrite default-port URLs (manifest, demo sources) to the ports actually served."""
        for sid in self.sites:
            text = text.replace(self.default_origin(sid), self.origin(sid))
        return text

    def change(self, site_id: str, path: str, body: str) -> None:
        """Replace a page's body (its ETag and Last-Modified change with it)."""
        self.state.changed[(site_id, path)] = body
        self.changed_at[(site_id, path)] = datetime.now(UTC).replace(microsecond=0)

    def remove(self, site_id: str, path: str) -> None:
        """Make a page answer 404 from now on (listings still link to it, as stale ones do;
        the V.I.E. board, built from its API, drops it everywhere)."""
        self.state.removed.add((site_id, path))

    def remove_offer(self, reference: str) -> Page:
        """Withdraw a V.I.E. offer from the board, as its source would; returns its page."""
        site = self.sites["vie"]
        page = site.board.by_reference(reference) if site.board else None
        if page is None:
            raise KeyError(f"offre inconnue : {reference}")
        self.remove(site.id, page.path)
        return page

    def is_live(self, site_id: str, page: Page) -> bool:
        """Not removed and, for a V.I.E. offer, open on the web's today."""
        if (site_id, page.path) in self.state.removed:
            return False
        board = self.sites[site_id].board
        return page.job is None or board is None or board.is_open(page, self.today)

    @property
    def today(self) -> date:
        """The board's clock: its fixed first day, else the real today, moved by `move_clock`."""
        return (self._fixed_today or date.today()) + self._clock_moved

    def move_clock(self, days: int) -> date:
        """Move the board's clock (its offers' dates stay put); returns the new today."""
        self._clock_moved += timedelta(days=days)
        return self.today

    def requested(self, site_id: str | None = None) -> list[LogEntry]:
        with self.state.lock:
            return [e for e in self.state.log if site_id in (None, e.site)]

    def bytes_served(self) -> int:
        with self.state.lock:
            return sum(e.size for e in self.state.log)

    def serve_forever(self, banner: str = "") -> None:
        """Block until interrupted, printing the sites' addresses once they are served."""
        self.start()
        if banner:
            print(banner, flush=True)
            for sid, site in self.sites.items():
                print(f"  {self.origin(sid)}/  {site.name} ({len(site.pages)} pages)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()


def manifest_json(web: DemoWeb) -> str:
    return json.dumps(mess.manifest(web), ensure_ascii=False, indent=1)
