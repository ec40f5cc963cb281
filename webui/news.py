"""/actualites: the news stream of the export bodies, latest first, filtered by country,
region, sector and step, ten stories a page; /actualites/archives: the stories older than
NEWS_ARCHIVE_MONTHS months. Both have a JSON twin (.json, or `Accept: application/json`);
/actualites.atom is the Atom feed of the same filters.

A story that several bodies told (near-duplicates found by the indexer, `indexer/news.py`) is
one entry with every body's link, dated by its first telling. Other pages show a few stories
through `news_for(country=…, region=…, sector=…, step=…)`: the home page, the country and
region pages, and the sector pages.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from indexer.journey import STEP_IDS
from indexer.search import MAX_PAGE, parse_query_args
from indexer.sectors import sectors
from portail.db import NewsItemRecord
from portail.geo import regions
from webui import content, reader
from webui.ids import page_id
from webui.links import external_url, page_window
from webui.openapi_parts import country_codes
from webui.openapi_parts import query_param as _param

bp = Blueprint("news", __name__)
FILTERS = ("country", "region", "sector", "step")
FILTER_LABELS = (
    ("country", "Pays", "Tous les pays"),
    ("region", "Région", "Toutes les régions"),
    ("sector", "Secteur", "Tous les secteurs"),
    ("step", "Étape du parcours", "Toutes les étapes"),
)
PER_PAGE = 10
ATOM = "http://www.w3.org/2005/Atom"
DATED_BY = {
    "page": "publié le",
    "feed": "publié le",
    "modified": "mis à jour le",
    "seen": "repéré le",
}


# -- stories --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Telling:
    """One body's page (or feed entry) of a story."""

    url: str
    title: str
    provider: str
    published: str | None
    from_feed: bool


@dataclass(frozen=True)
class Story:
    id: str
    title: str
    summary: str
    url: str  # the first telling's page
    published: str | None  # ISO date of the first telling
    dated_by: str
    step: str | None
    countries: tuple[str, ...]
    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    tellings: tuple[Telling, ...]

    @property
    def providers(self) -> list[str]:
        return list(dict.fromkeys(t.provider for t in self.tellings))

    @property
    def date_label(self) -> str:
        return DATED_BY.get(self.dated_by, "publié le")

    def values(self, name: str) -> tuple[str, ...]:
        """The story's values of a filter."""
        if name == "step":
            return (self.step,) if self.step else ()
        return {"country": self.countries, "region": self.regions, "sector": self.sectors}[name]


def stories_of(rows: Iterable[NewsItemRecord]) -> list[Story]:
    """The news items grouped into their stories, the latest first."""
    grouped: dict[str, list[NewsItemRecord]] = {}
    for row in rows:
        grouped.setdefault(row["story"], []).append(row)
    stories = [_story(key, members) for key, members in grouped.items()]
    stories.sort(key=lambda s: s.title)
    stories.sort(key=lambda s: s.published or "", reverse=True)
    return stories


def _story(key: str, members: list[NewsItemRecord]) -> Story:
    members = sorted(
        members,
        key=lambda r: (r["url"] != key, r["published"] or "9999", r["from_feed"], r["url"]),
    )
    first = members[0]
    steps = Counter(r["step"] for r in members if r["step"])
    return Story(
        id=page_id(key, first["title"]),
        title=first["title"],
        summary=first["summary"],
        url=first["url"],
        published=min((r["published"] for r in members if r["published"]), default=None),
        dated_by=first["dated_by"],
        step=first["step"] or (steps.most_common(1)[0][0] if steps else None),
        countries=_union(members, "countries"),
        regions=_union(members, "regions"),
        sectors=_union(members, "sectors"),
        tellings=tuple(
            Telling(r["url"], r["title"], r["provider"], r["published"], bool(r["from_feed"]))
            for r in members
        ),
    )


def _union(
    members: list[NewsItemRecord], column: Literal["countries", "regions", "sectors"]
) -> tuple[str, ...]:
    values: dict[str, None] = {}
    for row in members:
        values.update(dict.fromkeys(json.loads(row[column] or "[]")))
    return tuple(values)


_lock = threading.Lock()


def all_stories() -> list[Story]:
    """Every story, the latest first (kept by the process while the news do not change)."""
    stamp = reader().news_stamp()
    with _lock:
        cache = current_app.extensions.setdefault("news", {})
        if cache.get("stamp") != stamp:
            cache.update(stamp=stamp, stories=stories_of(reader().news_items()))
        return list(cache["stories"])


# -- filters, archives and the function other pages call ---------------------------------------


@dataclass(frozen=True)
class NewsFilters:
    country: str | None = None
    region: str | None = None
    sector: str | None = None
    step: str | None = None

    def active(self) -> dict[str, Any]:
        return {name: value for name in FILTERS if (value := getattr(self, name))}

    def keep(self, story: Story) -> bool:
        return all(value in story.values(name) for name, value in self.active().items())


def parse_filters(args: Mapping[str, str]) -> NewsFilters:
    """Validated filters (the search API's checks); QueryError names the bad one."""
    query = parse_query_args({k: args.get(k, "") for k in FILTERS})
    return NewsFilters(**{k: v for k, v in query.filters().items() if k in FILTERS})


def archive_before(today: date) -> str:
    """The date before which a story is archived: NEWS_ARCHIVE_MONTHS months before today."""
    months = int(current_app.config["NEWS_ARCHIVE_MONTHS"])
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - date.resolution).day
    return date(year, month, min(today.day, last)).isoformat()


def is_archived(story: Story, cutoff: str) -> bool:
    return bool(story.published) and story.published < cutoff  # type: ignore[operator]


def listed(filters: NewsFilters, archive: bool = False) -> list[Story]:
    """The current (or archived) stories within the filters, the latest first."""
    cutoff = archive_before(content.today())
    return [s for s in all_stories() if is_archived(s, cutoff) == archive and filters.keep(s)]


def news_for(
    country: str | None = None,
    region: str | None = None,
    sector: str | None = None,
    step: str | None = None,
    limit: int = 5,
) -> list[Story]:
    """The latest current stories about a country, a region, a sector or a step (ISO code,
    INSEE code, sector id, step id): what the home, country, region and sector pages show."""
    filters = NewsFilters(country=country, region=region, sector=sector, step=step)
    return listed(filters)[:limit]


# -- pages ----------------------------------------------------------------------------------------


def wants_json() -> bool:
    if request.path.endswith(".json"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


@bp.get("/actualites")
@bp.get("/actualites.json", endpoint="index_json")
def index() -> Response:
    return _listing(archive=False)


@bp.get("/actualites/archives")
@bp.get("/actualites/archives.json", endpoint="archives_json")
def archives() -> Response:
    return _listing(archive=True)


@dataclass(frozen=True)
class Listing:
    """One page of the stream or of its archives."""

    filters: NewsFilters
    archive: bool
    stories: list[Story]
    total: int
    page: int
    pages: int

    @property
    def endpoint(self) -> str:
        return "news.archives" if self.archive else "news.index"

    def page_url(self, number: int, external: bool = False, as_json: bool = False) -> str:
        values: dict[str, Any] = {**self.filters.active()}
        if number > 1:
            values["page"] = number
        target = f"{self.endpoint}_json" if as_json else self.endpoint
        return url_for(target, **values, _external=external)


def listing(args: Mapping[str, str], archive: bool) -> Listing:
    """The page the query asks for (past the last, the last); QueryError for bad arguments."""
    filters = parse_filters(args)
    wanted = parse_query_args({"page": args.get("page", "")}).page
    found = listed(filters, archive)
    pages = max(1, -(-len(found) // PER_PAGE))
    number = min(wanted, pages)
    shown = found[(number - 1) * PER_PAGE : number * PER_PAGE]
    return Listing(filters, archive, shown, len(found), number, pages)


def _listing(archive: bool) -> Response:
    page = listing(request.args, archive)
    response = jsonify(listing_json(page)) if wants_json() else Response(_render(page))
    response.vary.add("Accept")
    return response


def _render(page: Listing) -> str:
    return render_template(
        "news/archives.html" if page.archive else "news/index.html",
        stories=page.stories,
        total=page.total,
        page=page.page,
        pages=page.pages,
        window=page_window(page.page, page.pages),
        page_url=page.page_url,
        filters=page.filters,
        filter_labels=FILTER_LABELS,
        options=filter_options(page.filters, page.archive),
        active=active_filters(page.filters, page.endpoint),
        endpoint=page.endpoint,
        cutoff=archive_before(content.today()),
        months=current_app.config["NEWS_ARCHIVE_MONTHS"],
        atom_url=url_for("news.atom", **page.filters.active()),
        json_url=page.page_url(page.page, as_json=True),
    )


def filter_options(filters: NewsFilters, archive: bool) -> dict[str, list[tuple[str, str]]]:
    """Each filter's values among the stories that pass the other filters, with counts."""
    out: dict[str, list[tuple[str, str]]] = {}
    for name in FILTERS:
        others = NewsFilters(**{k: v for k, v in filters.active().items() if k != name})
        counts = Counter(v for s in listed(others, archive) for v in s.values(name))
        options = [(v, f"{content.facet_label(name, v)} ({n})") for v, n in counts.items()]
        if name == "step":
            order = list(STEP_IDS)
            options.sort(key=lambda o: order.index(o[0]) if o[0] in order else len(order))
        else:
            options.sort(key=lambda o: content.sort_key(o[1]))
        chosen = getattr(filters, name)
        if chosen and chosen not in counts:
            options.insert(0, (chosen, content.facet_label(name, chosen)))
        out[name] = options
    return out


def active_filters(filters: NewsFilters, endpoint: str) -> list[tuple[str, str]]:
    args = filters.active()
    labels = {name: label for name, label, _ in FILTER_LABELS}
    return [
        (
            f"{labels[name]} : {content.facet_label(name, value)}",
            url_for(endpoint, **{k: v for k, v in args.items() if k != name}),
        )
        for name, value in args.items()
    ]


# -- the Atom feed --------------------------------------------------------------------------------


@bp.get("/actualites.atom")
def atom() -> Response:
    """The latest stories within the filters, archived ones included, as Atom."""
    filters = parse_filters(request.args)
    size = current_app.config["FEED_SIZE"]
    stories = [s for s in all_stories() if filters.keep(s)][:size]
    self_url = url_for("news.atom", **filters.active(), _external=True)
    labels = [content.facet_label(k, v) for k, v in filters.active().items()]
    title = "France International : actualités de l'export"
    if labels:
        title += f" — {', '.join(labels)}"
    xml = atom_xml(
        stories, self_url, title, url_for("news.index", **filters.active(), _external=True)
    )
    return Response(xml, content_type="application/atom+xml; charset=utf-8")


def _stamp(day: str | None) -> str:
    if not day:
        return datetime.now(UTC).replace(microsecond=0).isoformat()
    return datetime.fromisoformat(day).replace(tzinfo=UTC).isoformat()


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def atom_xml(stories: list[Story], self_url: str, title: str, html_url: str) -> bytes:
    """The Atom document: one entry per story, a link to every body's page."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "fr"})
    _add(feed, "id", self_url)
    _add(feed, "title", title)
    _add(feed, "subtitle", "Les actualités des acteurs publics de l'export, sans doublons.")
    _add(feed, "updated", max((_stamp(s.published) for s in stories), default=_stamp(None)))
    _add(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    _add(feed, "link", rel="alternate", href=html_url, type="text/html")
    _add(_add(feed, "author"), "name", "France International")
    for story in stories:
        entry = _add(feed, "entry")
        _add(entry, "id", story.url)
        _add(entry, "title", story.title)
        _add(entry, "link", rel="alternate", href=external_url(story.url))
        for telling in story.tellings[1:]:
            _add(
                entry, "link", rel="related", href=external_url(telling.url), title=telling.provider
            )
        _add(entry, "published", _stamp(story.published))
        _add(entry, "updated", _stamp(story.published))
        for provider in story.providers:
            _add(_add(entry, "author"), "name", provider)
        step = content.step_map().get(story.step or "")
        if step:
            _add(entry, "category", term=step.id, label=step.label)
        for name, values in (("country", story.countries), ("sector", story.sectors)):
            for value in values:
                _add(entry, "category", term=value, label=content.facet_label(name, value))
        if story.summary:
            _add(entry, "summary", story.summary)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


# -- the JSON twin --------------------------------------------------------------------------------


def story_json(story: Story) -> dict[str, Any]:
    return {
        "id": story.id,
        "title": story.title,
        "summary": story.summary,
        "url": story.url,
        "published": story.published,
        "dated_by": story.dated_by,
        "step": story.step,
        "countries": list(story.countries),
        "regions": list(story.regions),
        "sectors": list(story.sectors),
        "links": [
            {
                "url": t.url,
                "title": t.title,
                "provider": t.provider,
                "published": t.published,
                "from_feed": t.from_feed,
            }
            for t in story.tellings
        ],
    }


def listing_json(page: Listing) -> dict[str, Any]:
    def link(number: int, wanted: bool) -> str | None:
        return page.page_url(number, external=True, as_json=True) if wanted else None

    return {
        "archive": page.archive,
        "archived_before": archive_before(content.today()),
        "total": page.total,
        "page": page.page,
        "pages": page.pages,
        "per_page": PER_PAGE,
        "filters": page.filters.active(),
        "stories": [story_json(s) for s in page.stories],
        "links": {
            "html": page.page_url(page.page, external=True),
            "atom": url_for("news.atom", **page.filters.active(), _external=True),
            "first": link(1, page.page > 1),
            "previous": link(page.page - 1, page.page > 1),
            "next": link(page.page + 1, page.page < page.pages),
            "last": link(page.pages, page.page < page.pages),
        },
    }


# -- the JSON twin's description (merged into /api/openapi.json) ---------------------------------


def openapi_paths() -> dict[str, Any]:
    parameters = [
        _param(
            "country",
            "Pays, code ISO 3166-1 alpha-2 (par exemple DE ; minuscules acceptées).",
            {"type": "string", "enum": country_codes()},
        ),
        _param(
            "region",
            "Région, code INSEE (par exemple 84).",
            {"type": "string", "enum": list(regions())},
        ),
        _param("sector", "Secteur (identifiant).", {"type": "string", "enum": list(sectors())}),
        _param("step", "Étape du parcours export.", {"type": "string", "enum": list(STEP_IDS)}),
        _param(
            "page",
            f"Numéro de page ({PER_PAGE} histoires par page ; au-delà de la dernière, la "
            "dernière).",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        ),
    ]

    def operation(name: str, summary: str) -> dict[str, Any]:
        return {
            "get": {
                "operationId": name,
                "summary": summary,
                "parameters": parameters,
                "responses": {
                    "200": _json_response("Les histoires, les plus récentes d'abord", "NewsPage"),
                    "400": _json_response("Paramètre incorrect (message en français)", "Error"),
                },
            }
        }

    return {
        "/actualites.json": operation(
            "news",
            "Les actualités de l'export (ou /actualites avec Accept: application/json) ; une "
            "histoire racontée par plusieurs organismes n'y figure qu'une fois",
        ),
        "/actualites/archives.json": operation(
            "newsArchives", "Les actualités archivées (plus anciennes que la période courante)"
        ),
    }


def openapi_schemas() -> dict[str, Any]:
    string = {"type": "string"}
    nullable = {"type": "string", "nullable": True}
    strings = {"type": "array", "items": string}
    link = {"type": "string", "format": "uri", "nullable": True}
    telling = _closed(
        {
            "url": {"type": "string", "format": "uri", "description": "La page de l'organisme."},
            "title": string,
            "provider": {**string, "description": "L'organisme qui la publie."},
            "published": {"type": "string", "format": "date", "nullable": True},
            "from_feed": {
                "type": "boolean",
                "description": "Vrai quand le portail ne connaît la page que par son flux "
                "RSS ou Atom.",
            },
        }
    )
    story = _closed(
        {
            "id": string,
            "title": string,
            "summary": string,
            "url": {"type": "string", "format": "uri", "description": "Sa première page."},
            "published": {
                "type": "string",
                "format": "date",
                "nullable": True,
                "description": "La date de sa première publication.",
            },
            "dated_by": {
                "type": "string",
                "enum": list(DATED_BY),
                "description": "D'où vient la date : la page, son flux, sa date de mise à "
                "jour, ou le jour où la collecte l'a vue.",
            },
            "step": {**nullable, "enum": [*STEP_IDS, None]},
            "countries": strings,
            "regions": strings,
            "sectors": strings,
            "links": {"type": "array", "items": telling, "minItems": 1},
        }
    )
    page = _closed(
        {
            "archive": {"type": "boolean", "description": "Vrai pour les archives."},
            "archived_before": {
                "type": "string",
                "format": "date",
                "description": "Les histoires publiées avant cette date sont archivées.",
            },
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "filters": {
                "type": "object",
                "additionalProperties": False,
                "properties": {name: string for name in FILTERS},
            },
            "stories": {"type": "array", "items": {"$ref": "#/components/schemas/NewsStory"}},
            "links": _closed(
                {
                    "html": {"type": "string", "format": "uri"},
                    "atom": {"type": "string", "format": "uri"},
                    "first": link,
                    "previous": link,
                    "next": link,
                    "last": link,
                }
            ),
        }
    )
    return {"NewsPage": page, "NewsStory": story}


def _closed(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }


def _json_response(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }
