"""/agenda: upcoming export events by month, a few months a page, filtered by month, region,
country, sector and step; /agenda/archives: the past ones, latest first. Both have a JSON twin
(/agenda.json, /agenda/archives.json, or `Accept: application/json`). /agenda.ics (the
filtered list) and /agenda/<id>.ics (one event) as iCalendar; /agenda/flux.atom: the newest
upcoming events. An event that several organisers announce is one entry with all their links."""

from __future__ import annotations

import calendar as months_calendar
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from babel.dates import format_date
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    url_for,
)

from indexer.journey import STEP_IDS
from indexer.search import MAX_PAGE, Hit, QueryError, parse_query_args
from indexer.sectors import sectors
from portail.geo import regions
from webui import content, errors, events, feed, ical, params
from webui.events import MAX_EVENTS, Event, event_of, join_french, merge_events
from webui.ids import hash_of
from webui.links import page_window
from webui.openapi_parts import country_codes
from webui.openapi_parts import query_param as _param

bp = Blueprint("agenda", __name__)
MONTHS_PER_PAGE = 3  # a page of the agenda: the events of three months
INDEX_FILTERS = ("region", "country", "sector", "step")
FILTERS = ("month", *INDEX_FILTERS)
MONTH_RE = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
FILTER_LABELS = (
    ("month", "Mois", "Tous les mois"),
    ("region", "Région", "Toutes les régions"),
    ("country", "Pays", "Tous les pays"),
    ("sector", "Secteur", "Tous les secteurs"),
    ("step", "Étape du parcours", "Toutes les étapes"),
)


# -- filters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaFilters:
    month: str | None = None
    region: str | None = None
    country: str | None = None
    sector: str | None = None
    step: str | None = None

    def active(self) -> dict[str, Any]:
        return {name: value for name in FILTERS if (value := getattr(self, name))}

    def month_bounds(self) -> tuple[date, date] | None:
        if not self.month:
            return None
        year, month = (int(part) for part in self.month.split("-"))
        last = months_calendar.monthrange(year, month)[1]
        return date(year, month, 1), date(year, month, last)

    def keep(self, event: Event) -> bool:
        for name in INDEX_FILTERS:
            wanted = getattr(self, name)
            if wanted and wanted not in _values(event, name):
                return False
        bounds = self.month_bounds()
        return bounds is None or event.overlaps(*bounds)


def parse_filters(args: Mapping[str, str]) -> AgendaFilters:
    """Validate the agenda's arguments (the index filters as the search API does)."""
    query = parse_query_args({k: args.get(k, "") for k in INDEX_FILTERS})
    month = (args.get("month") or "").strip() or None
    if month:
        found = MONTH_RE.fullmatch(month)
        if not found:
            raise QueryError(
                f"Mois invalide : « {month[:20]} » "
                "(format attendu : AAAA-MM, par exemple 2027-03).",
                "month",
            )
        if not 1 <= int(found[1]) <= 9999:
            raise QueryError(f"Mois invalide : « {month} » (l'année va de 0001 à 9999).", "month")
    kept = {k: v for k, v in query.filters().items() if k in INDEX_FILTERS}
    return AgendaFilters(month=month, **kept)


def parse_page(args: Mapping[str, str]) -> int:
    return parse_query_args({"page": args.get("page", "")}).page


def upcoming(filters: AgendaFilters) -> list[Event]:
    """Events not yet over on `today`, soonest first, within the filters."""
    return [e for e in _all_upcoming() if filters.keep(e)]


def past(filters: AgendaFilters) -> list[Event]:
    """Events over before `today`, the latest first, within the filters."""
    return [e for e in _all_past() if filters.keep(e)]


def _all_upcoming() -> list[Event]:
    return events.upcoming()


def _all_past() -> list[Event]:
    if "agenda_past" not in g:
        hits = content.searcher().past_events(MAX_EVENTS, content.today())
        merged = merge_events(e for e in map(event_of, hits) if e is not None)
        g.agenda_past = sorted(merged, key=lambda e: (e.start, e.end, e.title), reverse=True)
    return list(g.agenda_past)


def every_event() -> list[Event]:
    """All dated events of the index, past ones included (for one event's .ics)."""
    return _all_upcoming() + _all_past()


# -- pages of months -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthPage:
    """A page of the agenda: a few months, each with its events."""

    months: list[tuple[date, list[Event]]]  # (first day of the month, its events)
    page: int
    pages: int
    total: int


def paginate(events: list[Event], page: int) -> MonthPage:
    """The events grouped by the month they start in, MONTHS_PER_PAGE months a page (a page
    past the last is a PastLastPage: 404)."""
    months: dict[date, list[Event]] = {}
    for event in events:
        months.setdefault(event.start.replace(day=1), []).append(event)
    grouped = list(months.items())
    pages = max(1, -(-len(grouped) // MONTHS_PER_PAGE))
    params.check_page(page, pages)
    shown = grouped[(page - 1) * MONTHS_PER_PAGE : page * MONTHS_PER_PAGE]
    return MonthPage(shown, page, pages, len(events))


# -- pages ----------------------------------------------------------------------------------------


def wants_json() -> bool:
    """The JSON twin: a .json address, or a client that prefers JSON to HTML."""
    return errors.wants_json()


@bp.get("/agenda")
def index():  # type: ignore[no-untyped-def]
    return _listing(archive=False)


@bp.get("/agenda.json")
def index_json():  # type: ignore[no-untyped-def]
    return _listing(archive=False)


@bp.get("/agenda/archives")
def archives():  # type: ignore[no-untyped-def]
    return _listing(archive=True)


@bp.get("/agenda/archives.json")
def archives_json():  # type: ignore[no-untyped-def]
    return _listing(archive=True)


def _listing(archive: bool):  # type: ignore[no-untyped-def]
    """The agenda or its archive, as a page or as JSON."""
    filters = parse_filters(request.args)
    page = parse_page(request.args)
    paged = paginate((past if archive else upcoming)(filters), page)
    endpoint = "agenda.archives" if archive else "agenda.index"
    args = filters.active()

    def page_url(number: int, external: bool = False, json: bool = False) -> str:
        target = f"{endpoint}_json" if json else endpoint
        values: dict[str, Any] = {**args}
        if number > 1:
            values["page"] = number
        return url_for(target, **values, _external=external)

    if wants_json():
        response = jsonify(listing_json(paged, filters, archive, page_url))
    else:
        response = Response(
            render_template(
                "agenda/archives.html" if archive else "agenda/index.html",
                months=[(m, month_label(m), events) for m, events in paged.months],
                total=paged.total,
                page=paged.page,
                pages=paged.pages,
                window=page_window(paged.page, paged.pages),
                page_url=page_url,
                filters=filters,
                filter_labels=FILTER_LABELS,
                options=filter_options(filters, archive),
                active=active_filters(filters, endpoint),
                ics_url=url_for("agenda.calendar", **args),
                json_url=page_url(paged.page, json=True),
                endpoint=endpoint,
            )
        )
    response.vary.add("Accept")
    return response


@bp.get("/agenda.ics")
def calendar() -> Response:
    filters = parse_filters(request.args)
    name = "France International : agenda de l'export"
    labels = [filter_value_label(k, v) for k, v in filters.active().items()]
    if labels:
        name += f" — {', '.join(labels)}"
    body = ical.calendar(upcoming(filters), name, content.today())
    return ics_response(body, "agenda-export.ics")


@bp.get("/agenda/<event_id>.ics")
def event_calendar(event_id: str) -> Response:
    wanted = hash_of(event_id)
    found = next(
        (e for e in every_event() if any(hash_of(s.id) == wanted for s in e.sources)), None
    )
    if found is None:
        abort(404)
    body = ical.calendar([found], found.title, content.today())
    return ics_response(body, f"{found.id}.ics")


@bp.get("/agenda/flux.atom")
def atom() -> Response:
    """The upcoming events the portal found most recently."""
    size = current_app.config["FEED_SIZE"]
    hits = content.searcher().upcoming_events(MAX_EVENTS, content.today())
    newest = sorted(hits, key=lambda h: h.first_seen or "", reverse=True)[:size]
    xml = feed.feed_xml(
        newest,
        url_for("agenda.atom", _external=True),
        "France International : nouveaux événements de l'export",
    )
    return Response(xml, content_type="application/atom+xml; charset=utf-8")


def ics_response(body: bytes, filename: str) -> Response:
    return Response(
        body,
        content_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# -- the JSON twin -------------------------------------------------------------------------------


def listing_json(
    paged: MonthPage,
    filters: AgendaFilters,
    archive: bool,
    page_url: Callable[..., str],
) -> dict[str, Any]:
    """The data of an agenda page: its months and events, its filters and its pages."""

    def link(number: int, wanted: bool) -> str | None:
        return page_url(number, external=True, json=True) if wanted else None

    return {
        "archive": archive,
        "total": paged.total,
        "page": paged.page,
        "pages": paged.pages,
        "months_per_page": MONTHS_PER_PAGE,
        "filters": filters.active(),
        "months": [
            {
                "month": first.strftime("%Y-%m"),
                "label": month_label(first),
                "events": [event_json(e) for e in events],
            }
            for first, events in paged.months
        ],
        "links": {
            "html": page_url(paged.page, external=True),
            "first": link(1, paged.page > 1),
            "previous": link(paged.page - 1, paged.page > 1),
            "next": link(paged.page + 1, paged.page < paged.pages),
            "last": link(paged.pages, paged.page < paged.pages),
            "calendar": None
            if archive
            else url_for("agenda.calendar", **filters.active(), _external=True),
        },
    }


EVENT_FIELDS = (
    "id",
    "title",
    "url",
    "start",
    "end",
    "days",
    "all_day",
    "start_time",
    "end_time",
    "timezone",
    "starts_at",
    "ends_at",
    "online",
    "city",
    "country",
    "place",
    "description",
    "organisers",
    "step",
    "sectors",
    "regions",
    "countries",
    "calendar",
)


def event_json(event: Event) -> dict[str, Any]:
    """One event as the JSON twin gives it."""
    starts, ends = event.starts_at, event.ends_at
    return {
        "id": event.id,
        "title": event.title,
        "url": event.url,
        "start": event.start.isoformat(),
        "end": event.end.isoformat(),
        "days": [d.isoformat() for d in event.days],
        "all_day": not event.timed,
        "start_time": _hhmm(event.start_time) if starts else None,
        "end_time": _hhmm(event.end_time) if starts else None,
        "timezone": event.tz if event.timed else None,
        "starts_at": starts.isoformat() if starts else None,
        "ends_at": ends.isoformat() if ends else None,
        "online": event.online,
        "city": event.city or None,
        "country": event.country or None,
        "place": event.place or None,
        "description": event.description,
        "organisers": [
            {"name": s.organiser or None, "url": s.url, "title": s.title} for s in event.sources
        ],
        "step": event.step,
        "sectors": list(event.sectors),
        "regions": list(event.regions),
        "countries": list(event.countries),
        "calendar": url_for("agenda.event_calendar", event_id=event.id, _external=True),
    }


# What a twin gives of an event's page wherever it lists one: its dates and place; and of an
# event of a short list (« Prochains événements »), every organiser too.
WHEN_WHERE = ("start", "end", "online", "city", "country", "place")
LISTED_FIELDS = (*WHEN_WHERE, "organisers")


def page_event_json(hit: Hit) -> dict[str, Any]:
    """The fields of AgendaEvent a page of the twins adds when it is an event's (none else)."""
    listed = hit.extra.get("listed")  # set by events.next_events
    event = listed or (event_of(hit) if hit.event else None)
    if event is None:
        return {}
    found = event_json(event)
    return {name: found[name] for name in (LISTED_FIELDS if listed else WHEN_WHERE)}


def page_schemas(page: dict[str, Any]) -> dict[str, Any]:
    """Schemas Page (an event's page adds WHEN_WHERE) and ListedEvent (LISTED_FIELDS), from
    the schema of a page of /api/search and the fields of AgendaEvent."""
    fields = openapi_schemas()["AgendaEvent"]["properties"]
    when_where = {
        name: {
            **fields[name],
            "description": "Pour la page d'un événement (comme dans "
            f"/agenda.json). {fields[name].get('description', '')}".strip(),
        }
        for name in WHEN_WHERE
    }
    with_event = {**page, "properties": {**page["properties"], **when_where}}
    listed = {
        **with_event,
        "description": "Un événement d'une liste « Prochains événements » : la page de son "
        "premier organisateur, ses dates, son lieu et la page de chaque organisateur qui "
        "l'annonce, comme dans /agenda.json.",
        "required": [*page["required"], *LISTED_FIELDS],
        "properties": {**with_event["properties"], "organisers": fields["organisers"]},
    }
    return {"Page": with_event, "ListedEvent": listed}


def _hhmm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


# -- labels and filter choices -----------------------------------------------------------------


def month_label(first: date) -> str:
    """date(2027, 3, 1) → « Mars 2027 »."""
    return format_date(first, "MMMM y", locale="fr_FR").capitalize()


@bp.app_template_filter("french_time")
def french_time(value: time | None) -> str:
    """time(11, 30) → « 11 h 30 », time(10) → « 10 h »."""
    if value is None:
        return ""
    return f"{value.hour} h {value.minute:02d}" if value.minute else f"{value.hour} h"


@bp.app_template_filter("join_french")
def _join_french_filter(names: list[str]) -> str:
    return join_french(names) if names else ""


def filter_value_label(name: str, value: str) -> str:
    if name == "month":
        year, month = value.split("-")
        return month_label(date(int(year), int(month), 1))
    return content.facet_label(name, value)


def filter_options(
    filters: AgendaFilters, archive: bool = False
) -> dict[str, list[tuple[str, str]]]:
    """Each filter's values among the listed events that pass the other filters."""
    listed = past if archive else upcoming
    out: dict[str, list[tuple[str, str]]] = {}
    for name in FILTERS:
        others = AgendaFilters(**{k: v for k, v in filters.active().items() if k != name})
        counts: dict[str, int] = {}
        for event in listed(others):
            for value in _values(event, name):
                counts[value] = counts.get(value, 0) + 1
        options = [(v, f"{filter_value_label(name, v)} ({n})") for v, n in counts.items()]
        if name == "month":
            options.sort(reverse=archive)
        elif name == "step":
            order = list(content.step_map())
            options.sort(key=lambda o: order.index(o[0]) if o[0] in order else len(order))
        else:
            options.sort(key=lambda o: content.sort_key(o[1]))
        chosen = getattr(filters, name)
        if chosen and chosen not in counts:
            options.insert(0, (chosen, filter_value_label(name, chosen)))
        out[name] = options
    return out


def _values(event: Event, name: str) -> list[str]:
    if name == "month":
        months, current = [], date(event.start.year, event.start.month, 1)
        while current <= event.end:
            months.append(current.strftime("%Y-%m"))
            if current.year == 9999 and current.month == 12:
                break
            current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
        return months
    if name == "region":
        return list(event.regions)
    if name == "country":
        return list(event.countries)
    if name == "sector":
        return list(event.sectors)
    return [event.step] if event.step else []


def active_filters(filters: AgendaFilters, endpoint: str = "agenda.index") -> list[tuple[str, str]]:
    args = filters.active()
    labels = {name: label for name, label, _ in FILTER_LABELS}
    return [
        (
            f"{labels[name]} : {filter_value_label(name, value)}",
            url_for(endpoint, **{k: v for k, v in args.items() if k != name}),
        )
        for name, value in args.items()
    ]


# -- the JSON twin's description (merged into /api/openapi.json) ---------------------------------


def openapi_paths() -> dict[str, Any]:
    """The OpenAPI operations of the agenda's JSON twin."""
    parameters = [
        _param(
            "month",
            "Mois (AAAA-MM) : les événements qui s'y tiennent.",
            # years 0001 to 9999 (0000 is refused with a 400)
            {"type": "string", "pattern": "^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])$"},
        ),
        _param(
            "region",
            "Région, code INSEE (par exemple 84).",
            {"type": "string", "enum": list(regions())},
        ),
        _param(
            "country",
            "Pays, code ISO 3166-1 alpha-2 (par exemple DE).",
            {"type": "string", "enum": country_codes()},
        ),
        _param("sector", "Secteur (identifiant).", {"type": "string", "enum": list(sectors())}),
        _param("step", "Étape du parcours export.", {"type": "string", "enum": list(STEP_IDS)}),
        _param(
            "page",
            f"Numéro de page ({MONTHS_PER_PAGE} mois par page ; au-delà de la dernière : 404).",
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
                    "200": _json_response("Les événements, mois par mois", "AgendaPage"),
                    "400": _json_response("Paramètre incorrect (message en français)", "Error"),
                    "404": _json_response(
                        "Page au-delà de la dernière (first_page : la première)", "Error"
                    ),
                },
            }
        }

    return {
        "/agenda.json": operation(
            "agenda", "Les événements à venir (l'agenda, ou /agenda avec Accept: application/json)"
        ),
        "/agenda/archives.json": operation(
            "agendaArchives", "Les événements passés, les plus récents d'abord"
        ),
    }


def openapi_schemas() -> dict[str, Any]:
    """The schemas of the agenda's JSON twin (OpenAPI 3.0)."""
    string = {"type": "string"}
    nullable = {"type": "string", "nullable": True}
    strings = {"type": "array", "items": string}
    link = {"type": "string", "format": "uri", "nullable": True}
    organiser = {
        "type": "object",
        "required": ["name", "url", "title"],
        "additionalProperties": False,
        "description": "Un organisateur qui annonce l'événement (le même objet dans tous les "
        "jumeaux JSON qui listent des événements).",
        "properties": {
            "name": {**nullable, "description": "L'organisateur, tel que sa page le nomme."},
            "url": {"type": "string", "format": "uri", "description": "Sa page de l'événement."},
            "title": string,
        },
    }
    event = {
        "type": "object",
        "required": list(EVENT_FIELDS),
        "additionalProperties": False,
        "properties": {
            "id": string,
            "title": string,
            "url": {
                "type": "string",
                "format": "uri",
                "description": "Page du premier organisateur.",
            },
            "start": {"type": "string", "format": "date"},
            "end": {"type": "string", "format": "date"},
            "days": {
                "type": "array",
                "items": {"type": "string", "format": "date"},
                "description": "Les jours où il se tient, quand ce ne sont pas tous les jours "
                "du début à la fin (vide sinon).",
            },
            "all_day": {
                "type": "boolean",
                "description": "Vrai quand la page ne donne pas d'heure.",
            },
            "start_time": {**nullable, "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
            "end_time": {**nullable, "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
            "timezone": {
                **nullable,
                "description": "Fuseau horaire (IANA) des heures : Europe/Paris en France et en "
                "ligne, celui du lieu à l'étranger.",
            },
            "starts_at": {"type": "string", "format": "date-time", "nullable": True},
            "ends_at": {"type": "string", "format": "date-time", "nullable": True},
            "online": {"type": "boolean"},
            "city": nullable,
            "country": {**nullable, "description": "Code ISO 3166-1 alpha-2 du lieu."},
            "place": {**nullable, "description": "Le lieu en clair (« En ligne » en ligne)."},
            "description": string,
            "organisers": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Organiser"},
                "minItems": 1,
                "description": (
                    "Les organisateurs qui l'annoncent, le premier étant celui de la page "
                    "donnée par url."
                ),
            },
            "step": {"type": "string", "nullable": True, "enum": [*STEP_IDS, None]},
            "sectors": strings,
            "regions": strings,
            "countries": strings,
            "calendar": {
                "type": "string",
                "format": "uri",
                "description": "Son fichier iCalendar.",
            },
        },
    }
    page = {
        "type": "object",
        "required": [
            "archive",
            "total",
            "page",
            "pages",
            "months_per_page",
            "filters",
            "months",
            "links",
        ],
        "additionalProperties": False,
        "properties": {
            "archive": {"type": "boolean", "description": "Vrai pour les événements passés."},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "months_per_page": {"type": "integer", "minimum": 1},
            "filters": {
                "type": "object",
                "additionalProperties": False,
                "properties": {name: string for name in FILTERS},
                "description": "Les filtres appliqués.",
            },
            "months": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["month", "label", "events"],
                    "additionalProperties": False,
                    "properties": {
                        "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                        "label": string,
                        "events": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/AgendaEvent"},
                        },
                    },
                },
            },
            "links": {
                "type": "object",
                "required": ["html", "first", "previous", "next", "last", "calendar"],
                "additionalProperties": False,
                "properties": {
                    "html": {"type": "string", "format": "uri"},
                    "first": link,
                    "previous": link,
                    "next": link,
                    "last": link,
                    "calendar": link,
                },
            },
        },
    }
    return {"AgendaPage": page, "AgendaEvent": event, "Organiser": organiser}


def _json_response(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }
