"""/vie: the V.I.E. board, the V.I.E. and V.I.A. offers crawled from the programme's board,
filtered by zone, country, sector, duration, start month and mission type, sorted by
publication, deadline or start, with « clôture dans N jours » badges; /vie.json its JSON twin
(or `Accept: application/json`), /vie.atom its Atom feed for the same filters;
/vie/entreprises/<id> (and its .json) a company's offers and what the V.I.E. means for an
exporter. Every offer links to its original page, where one applies."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time
from functools import cache, partial
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)

from indexer.journey import KIND_IDS, STEP_IDS
from indexer.search import Hit, SearchQuery
from portail.geo import country_name
from portail.schema import Field, List, Str, Table, load_toml
from webui import board, content, links
from webui.board import FILTERS, SORTS, BoardFilters, BoardPage, Offer
from webui.facts import CHECKED, URL

bp = Blueprint("vie", __name__)
PER_PAGE = 20
PER_KIND = 4  # the journey's V.I.E. pages of each kind on a company page
ATOM = "http://www.w3.org/2005/Atom"
ABOUT_FILE = Path(__file__).resolve().parent / "data" / "vie.toml"
FILTER_LABELS = (
    ("zone", "Zone", "Toutes les zones"),
    ("country", "Pays", "Tous les pays"),
    ("sector", "Secteur", "Tous les secteurs"),
    ("duration", "Durée", "Toutes les durées"),
    ("start", "Début de mission", "Tous les mois"),
    ("mission", "Type de mission", "V.I.E. et V.I.A."),
)
ABOUT_SCHEMA = Table(
    {
        "title": Field(Str(nonempty=True), required=True, help="titre"),
        "paragraphs": Field(List(Str(nonempty=True), min_items=1), required=True),
        "steps": Field(List(Str(choices=STEP_IDS), min_items=1, unique=True), required=True),
        "search": Field(Str(nonempty=True), required=True, help="mots de la recherche"),
        "kinds": Field(List(Str(choices=KIND_IDS), unique=True), required=True),
        "sources": Field(
            List(
                Table(
                    {
                        "label": Field(Str(nonempty=True), required=True),
                        "url": Field(URL, required=True),
                    }
                ),
                min_items=1,
            ),
            required=True,
            help="les pages officielles d'où viennent les chiffres des paragraphes",
        ),
        "checked": Field(CHECKED, required=True, help="date du relevé (AAAA-MM-JJ)"),
    }
)


@cache
def about() -> dict[str, Any]:
    """What the V.I.E. means for an exporter (edited in webui/data/vie.toml)."""
    return load_toml(ABOUT_FILE, ABOUT_SCHEMA)


def wants_json(suffix: bool) -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return suffix or best == "application/json"


def negotiated(response: Response) -> Response:
    response.vary.add("Accept")
    return response


# -- the board -----------------------------------------------------------------------------------


@bp.get("/vie")
@bp.get("/vie.json", defaults={"as_json": True}, endpoint="index_json")
def index(as_json: bool = False):  # type: ignore[no-untyped-def]
    listing = board.board_page(request.args, content.today(), PER_PAGE)
    counts = board.facet_counts(listing.open, listing.filters)
    if wants_json(as_json):
        return negotiated(jsonify(board_document(listing, counts)))
    return negotiated(Response(render_template("vie/index.html", **board_context(listing, counts))))


def page_url(listing: BoardPage, number: int, external: bool = False, json: bool = False) -> str:
    """The address of another page of the same listing (or of its JSON twin)."""
    values: dict[str, Any] = {**listing.args()}
    if number > 1:
        values["page"] = number
    endpoint = "vie.index_json" if json else "vie.index"
    return url_for(endpoint, **values, _external=external)


def board_context(listing: BoardPage, counts: dict[str, Counter[str]]) -> dict[str, Any]:
    """What the board's template shows."""
    return {
        "listing": listing,
        "offers": listing.shown,
        "total": len(listing.chosen),
        "open_total": len(listing.open),
        "today": listing.today,
        "page": listing.page,
        "pages": listing.pages,
        "window": links.page_window(listing.page, listing.pages),
        "page_url": partial(page_url, listing),
        "filters": listing.filters,
        "filter_labels": FILTER_LABELS,
        "options": board.options(counts, listing.filters),
        "active": active_filters(listing.filters, listing.order),
        "order": listing.order,
        "sorts": SORTS,
        "atom_url": url_for("vie.atom", **listing.filters.active()),
        "json_url": page_url(listing, listing.page, json=True),
        "about": about(),
        "steps": about_steps(),
    }


def board_document(listing: BoardPage, counts: dict[str, Counter[str]]) -> dict[str, Any]:
    """The JSON twin of a page of the board."""
    return {
        "today": listing.today.isoformat(),
        "total": len(listing.chosen),
        "open": len(listing.open),
        "page": listing.page,
        "pages": listing.pages,
        "per_page": listing.per_page,
        "sort": listing.order,
        "filters": listing.filters.active(),
        "offers": [offer_json(o, listing.today) for o in listing.shown],
        "facets": {
            name: [
                {"value": v, "label": board.value_label(name, v), "count": n}
                for v, n in counts[name].items()
            ]
            for name in FILTERS
        },
        "links": board_links(listing),
    }


def about_steps() -> list[Any]:
    """The journey's steps where the V.I.E. belongs."""
    return [content.step_map()[s] for s in about()["steps"]]


def board_links(listing: BoardPage) -> dict[str, Any]:
    page, pages = listing.page, listing.pages

    def link(number: int, wanted: bool) -> str | None:
        return page_url(listing, number, external=True, json=True) if wanted else None

    return {
        "html": page_url(listing, page, external=True),
        "atom": url_for("vie.atom", **listing.filters.active(), _external=True),
        "first": link(1, page > 1),
        "previous": link(page - 1, page > 1),
        "next": link(page + 1, page < pages),
        "last": link(pages, page < pages),
    }


def active_filters(filters: BoardFilters, order: str) -> list[tuple[str, str]]:
    """(« Label : value », URL without that filter) for each active filter."""
    args = filters.active()
    labels = {name: label for name, label, _ in FILTER_LABELS}
    keep: dict[str, Any] = {"sort": order} if order != "publication" else {}
    return [
        (
            f"{labels[name]} : {board.value_label(name, value)}",
            url_for("vie.index", **{k: v for k, v in args.items() if k != name}, **keep),
        )
        for name, value in args.items()
    ]


def offer_json(offer: Offer, today: date) -> dict[str, Any]:
    """One offer as the JSON twins give it."""
    return {
        "reference": offer.reference or None,
        "title": offer.title,
        "url": offer.url,
        "mission": offer.mission,
        "company": offer.company or None,
        "company_page": url_for("vie.company", company_id=offer.company_id, _external=True)
        if offer.company_id
        else None,
        "country": offer.country or None,
        "country_name": country_name(offer.country) if offer.country else None,
        "city": offer.city or None,
        "zone": {"id": offer.zone.id, "label": offer.zone.label} if offer.country else None,
        "sectors": [{"id": s, "label": content.sector_label(s)} for s in offer.sectors],
        "months": offer.months,
        "start": offer.start or None,
        "posted": offer.posted or None,
        "deadline": offer.deadline or None,
        "days_left": offer.days_left(today),
        "closing_soon": offer.closing(today) is not None,
        "new": offer.new_on(today),
        "telework": offer.telework,
        "provider": offer.provider,
    }


# -- the feed ------------------------------------------------------------------------------------


@bp.get("/vie.atom")
def atom() -> Response:
    """The latest published open offers that pass the filters."""
    filters = board.parse_filters(request.args)
    today = content.today()
    offers = board.select(board.open_offers(today), filters)[: current_app.config["FEED_SIZE"]]
    self_url = url_for("vie.atom", **filters.active(), _external=True)
    labels = [board.value_label(name, value) for name, value in filters.active().items()]
    title = "France International : offres de V.I.E. et de V.I.A."
    if labels:
        title += f" — {', '.join(labels)}"
    html_url = url_for("vie.index", **filters.active(), _external=True)
    xml = feed_xml(offers, self_url, html_url, title)
    return Response(xml, content_type="application/atom+xml; charset=utf-8")


def feed_xml(offers: list[Offer], self_url: str, html_url: str, title: str) -> bytes:
    """The Atom document of the offers (built as XML, so every text is escaped)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "fr"})
    _text(feed, "id", self_url)
    _text(feed, "title", title)
    _text(feed, "updated", max((_stamp(o.posted) for o in offers), default=_stamp("")))
    _link(feed, self_url, "self", "application/atom+xml")
    _link(feed, html_url, "alternate", "text/html")
    _text(ET.SubElement(feed, f"{{{ATOM}}}author"), "name", "France International")
    for offer in offers:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", offer.url)
        _text(entry, "title", offer.title)
        _link(entry, links.external_url(offer.url), "alternate", "text/html")
        _text(entry, "updated", _stamp(offer.posted))
        if offer.posted:
            _text(entry, "published", _stamp(offer.posted))
        _text(ET.SubElement(entry, f"{{{ATOM}}}author"), "name", offer.company or offer.provider)
        mission = ET.SubElement(entry, f"{{{ATOM}}}category")
        mission.attrib.update(term=offer.mission_id, label=offer.mission)
        for sector in offer.sectors:
            category = ET.SubElement(entry, f"{{{ATOM}}}category")
            category.attrib.update(term=sector, label=content.sector_label(sector))
        _text(entry, "summary", summary(offer))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def summary(offer: Offer) -> str:
    """« V.I.E. de 18 mois chez X à Munich (Allemagne), dès le 1er mars 2027 ; … »."""
    from webui.layout import french_date

    where = ", ".join(p for p in (offer.city, country_name(offer.country)) if p)
    parts = [offer.mission + (f" de {offer.months} mois" if offer.months else "")]
    if offer.company:
        parts.append(f"chez {offer.company}")
    if where:
        parts.append(f"à {where}")
    text = " ".join(parts)
    if offer.start:
        text += f", à partir du {french_date(offer.start)}"
    if offer.deadline:
        text += f" ; candidatures jusqu'au {french_date(offer.deadline)}"
    return text + "."


def _stamp(day: str) -> str:
    if not day:
        return datetime.now(UTC).replace(microsecond=0).isoformat()
    return datetime.combine(date.fromisoformat(day), time(), tzinfo=UTC).isoformat()


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{tag}").text = text


def _link(parent: ET.Element, href: str, rel: str, kind: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", {"href": href, "rel": rel, "type": kind})


# -- a company -----------------------------------------------------------------------------------


@bp.get("/vie/entreprises/<company_id>")
@bp.get("/vie/entreprises/<company_id>.json", defaults={"as_json": True}, endpoint="company_json")
def company(company_id: str, as_json: bool = False):  # type: ignore[no-untyped-def]
    every = board.company_offers(company_id)
    if not every:
        abort(404)
    today = content.today()
    page = {
        "company_id": company_id,
        "name": every[0].company,
        "offers": board.sort([o for o in every if o.open_on(today)], "deadline"),
        "today": today,
        "about": about(),
        "steps": about_steps(),
        "journey": journey_pages(),
    }
    if wants_json(as_json):
        return negotiated(jsonify(company_document(page)))
    return negotiated(Response(render_template("vie/company.html", **page)))


def company_document(page: dict[str, Any]) -> dict[str, Any]:
    """The JSON twin of a company's page."""
    company_id, today = page["company_id"], page["today"]
    return {
        "id": company_id,
        "name": page["name"],
        "url": url_for("vie.company", company_id=company_id, _external=True),
        "today": today.isoformat(),
        "total": len(page["offers"]),
        "offers": [offer_json(o, today) for o in page["offers"]],
        "about": {"title": page["about"]["title"], "paragraphs": page["about"]["paragraphs"]},
        "steps": [
            {
                "id": s.id,
                "label": s.label,
                "url": url_for("journey.step", step_id=s.id, _external=True),
            }
            for s in page["steps"]
        ],
        "pages": [page_json(hit) for hits in page["journey"].values() for hit in hits],
    }


def journey_pages() -> dict[str, list[Hit]]:
    """The journey's pages about the V.I.E. for companies (aids, guides), by kind."""
    s = content.searcher()
    words = about()["search"]
    return {
        kind: hits
        for kind in about()["kinds"]
        if (hits := s.search(SearchQuery(text=words, kind=kind, per_page=PER_KIND)).hits)
    }


def page_json(hit: Hit) -> dict[str, Any]:
    return {"title": hit.title, "url": hit.url, "kind": hit.kind, "provider": hit.provider}


# -- templates -----------------------------------------------------------------------------------


@bp.app_template_filter("offer_place")
def offer_place(offer: Offer) -> str:
    """« Munich, Allemagne »."""
    return ", ".join(
        p for p in (offer.city, country_name(offer.country) if offer.country else "") if p
    )
