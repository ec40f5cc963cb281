"""The V.I.E. board's routes: an HTML shell, its script, and the JSON API the script reads.

`/api/offres?page=&par_page=&pays=&zone=&secteur=&type=&teletravail=` lists the open offers,
newest first, with facets; `/api/offres/<reference>` gives one offer; `/api/pages.json` and
`/api/page.json?path=` the board's other pages. A closed or removed offer is absent from the
API and from the sitemap, and its page answers 404. Without JavaScript, a page is an empty shell.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from demo.offers import MISSIONS, Board, job
from demo.render import body_html, json_ld, render_template
from demo.site import DEMO_DIR, Page, slugify

if TYPE_CHECKING:
    from demo.web import SiteApp

PER_PAGE = 10
MAX_PER_PAGE = 50
LISTING = ("/", "/offres")
YES, NO = ("oui", "1", "true"), ("non", "0", "false")


class BadRequest(ValueError):
    """A listing parameter that cannot be used; the message is French."""


@dataclass(frozen=True)
class Query:
    page: int
    per_page: int
    filters: dict[str, str]  # facet name → normalised value

    def href(self, base: str, page: int) -> str:
        params = {**self.filters, **({"page": str(page)} if page > 1 else {})}
        if self.per_page != PER_PAGE:
            params["par_page"] = str(self.per_page)
        return base + ("?" + urlencode(params) if params else "")


# Each facet: how an offer's values are read, and how a parameter is normalised (None: refused).
Facet = tuple[Callable[[Board, Page], list[str]], Callable[[Board, str], str | None]]
FACETS: dict[str, Facet] = {
    "pays": (
        lambda b, p: [job(p)["country"]],
        lambda b, v: v.upper() if len(v) == 2 and v.isalpha() else None,
    ),
    "zone": (
        lambda b, p: [slugify(job(p)["zone"])],
        lambda b, v: v if v in {slugify(c.zone) for c in b.countries.values()} else None,
    ),
    "secteur": (lambda b, p: list(p.sectors), lambda b, v: v if v in b.sectors else None),
    "type": (
        lambda b, p: [MISSIONS[job(p)["mission"]]],
        lambda b, v: v.lower() if v.lower() in MISSIONS.values() else None,
    ),
    "teletravail": (
        lambda b, p: ["oui" if job(p)["telework"] else "non"],
        lambda b, v: "oui" if v.lower() in YES else "non" if v.lower() in NO else None,
    ),
}


def parse_query(args: Mapping[str, str], board: Board) -> Query:
    """The listing's page, page size and filters; BadRequest names the faulty parameter."""
    page = _number(args.get("page", "1"), "page", 1, 10_000)
    per_page = _number(args.get("par_page", str(PER_PAGE)), "par_page", 1, MAX_PER_PAGE)
    filters = {}
    for name, (_values, normalise) in FACETS.items():
        raw = args.get(name, "").strip()
        if raw:
            value = normalise(board, raw)
            if value is None:
                raise BadRequest(f"valeur inconnue pour « {name} » : {raw}")
            filters[name] = value
    return Query(page, per_page, filters)


def _number(text: str, name: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise BadRequest(f"« {name} » doit être un entier de {low} à {high}")
    return value


def matches(board: Board, page: Page, filters: dict[str, str], skip: str = "") -> bool:
    return all(
        value in FACETS[name][0](board, page) for name, value in filters.items() if name != skip
    )


def live_offers(app: SiteApp) -> list[Page]:
    """The offers the board shows now: open, not removed, newest first."""
    board = _board(app)
    offers = [p for p in board.offers if app.web.is_live(app.site.id, p)]
    return sorted(offers, key=lambda p: (job(p)["posted"], job(p)["reference"]), reverse=True)


def facets(board: Board, offers: list[Page], filters: dict[str, str]) -> dict[str, Any]:
    """For each facet, its values with their counts under the other filters."""
    out: dict[str, Any] = {}
    for name, (values, _normalise) in FACETS.items():
        counts = Counter(
            v for p in offers if matches(board, p, filters, skip=name) for v in values(board, p)
        )
        out[name] = [
            {"valeur": v, "libelle": _label(board, name, v), "nombre": n}
            for v, n in sorted(counts.items(), key=lambda vn: slugify(_label(board, name, vn[0])))
        ]
    return out


def _label(board: Board, facet: str, value: str) -> str:
    if facet == "pays":
        return board.countries[value].name
    if facet == "zone":
        return next(c.zone for c in board.countries.values() if slugify(c.zone) == value)
    if facet == "secteur":
        return board.sectors[value]
    if facet == "type":
        return next(m for m, v in MISSIONS.items() if v == value)
    return {"oui": "Télétravail possible", "non": "Sans télétravail"}[value]


# -- routes ---------------------------------------------------------------------------------


def route(app: SiteApp, request: Request) -> Response | None:
    """The board's own routes; None lets the site's common routes answer."""
    response = asset_or_api(app, request)
    if response is not None:
        return compressed(request, response)
    path, site = request.path, app.site
    if path in LISTING:
        return listing_shell(app, request)
    if path.startswith("/rubriques/"):
        return app.not_found(request)  # the board's listings exist only through its API
    page = site.by_path.get(path)
    if page is None:
        return None
    if not app.web.is_live(site.id, page):
        return app.not_found(request)
    return shell(app, request, page, app.url(page.path))


def asset_or_api(app: SiteApp, request: Request) -> Response | None:
    """The script and the JSON API, which only the browser fetches."""
    path = request.path
    if path == "/static/app.js":
        script = (DEMO_DIR / "static" / "app.js").read_bytes()
        response = Response(script, content_type="application/javascript; charset=utf-8")
        response.cache_control.public = True
        response.cache_control.max_age = 3600
        return response
    if path == "/api/offres":
        return listing_api(app, request)
    if path.startswith("/api/offres/"):
        return offer_api(app, path.removeprefix("/api/offres/"))
    if path == "/api/pages.json":
        return pages_api(app)
    if path == "/api/page.json":
        return page_api(app, request.args.get("path", ""))
    return None


def compressed(request: Request, response: Response) -> Response:
    """Gzip the body for clients that accept it, as the real board's server does."""
    response.vary.add("Accept-Encoding")
    data = response.get_data()
    if "gzip" in request.accept_encodings and len(data) > 512:
        response.set_data(gzip.compress(data, mtime=0))
        response.content_encoding = "gzip"
    return response


def listing_api(app: SiteApp, request: Request) -> Response:
    board = _board(app)
    try:
        query = parse_query(request.args, board)
    except BadRequest as error:
        return as_json({"erreur": str(error)}, 400)
    offers = live_offers(app)
    found = [p for p in offers if matches(board, p, query.filters)]
    count = max(1, -(-len(found) // query.per_page))
    if query.page > count:
        return as_json({"erreur": f"la page {query.page} n'existe pas (dernière : {count})"}, 404)
    chunk = found[(query.page - 1) * query.per_page : query.page * query.per_page]
    return as_json(
        {
            "aujourdhui": app.web.today.isoformat(),
            "total": len(found),
            "page": query.page,
            "pages": count,
            "par_page": query.per_page,
            "filtres": query.filters,
            "offres": [board.summary(p, app.url(p.path)) for p in chunk],
            "facettes": facets(board, offers, query.filters),
            "precedente": query.href("/api/offres", query.page - 1) if query.page > 1 else None,
            "suivante": query.href("/api/offres", query.page + 1) if query.page < count else None,
        }
    )


def offer_api(app: SiteApp, reference: str) -> Response:
    board = _board(app)
    page = board.by_reference(reference)
    if page is None or not app.web.is_live(app.site.id, page):
        return as_json({"erreur": f"offre introuvable ou close : {reference}"}, 404)
    url = app.url(page.path)
    body = app.web.state.changed.get((app.site.id, page.path), page.body)
    return as_json(
        board.summary(page, url)
        | {
            "fiche": board.fiche(page),
            "description_html": body_html(body, app.resolve),
            "jsonld": board.job_posting(page, url),
        }
    )


def pages_api(app: SiteApp) -> Response:
    pages = [p for p in app.site.pages if p.job is None and app.web.is_live(app.site.id, p)]
    return as_json([{"path": p.path, "title": p.title, "section": p.section} for p in pages])


def page_api(app: SiteApp, path: str) -> Response:
    page = app.site.by_path.get(path)
    if page is None or not app.web.is_live(app.site.id, page):
        return as_json({"erreur": "introuvable"}, 404)
    body = app.web.state.changed.get((app.site.id, page.path), page.body)
    return as_json(
        {
            "title": page.title,
            "description": page.description,
            "html": body_html(body, app.resolve),
            "jsonld": json_ld(page, app.site, app.url(page.path)),
        }
    )


def listing_shell(app: SiteApp, request: Request) -> Response:
    """The listing's shell; its canonical address keeps the page and the filters."""
    try:
        query = parse_query(request.args, _board(app))
    except BadRequest:
        return app.not_found(request)
    return shell(app, request, None, app.url(query.href("/offres", query.page)))


def shell(app: SiteApp, request: Request, page: Page | None, canonical: str) -> Response:
    from demo.mess import nav_links  # mess routes here

    html = render_template(
        "js.html", site=app.site, canonical=canonical, nav_links=nav_links(app), content=None
    )
    return app.conditional(request, app.html_response(html), page)


def as_json(data: Any, status: int = 200) -> Response:
    text = json.dumps(data, ensure_ascii=False)
    return Response(text, status=status, content_type="application/json; charset=utf-8")


def _board(app: SiteApp) -> Board:
    assert app.site.board is not None
    return app.site.board
