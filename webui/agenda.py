"""/agenda: upcoming export events by month, filtered by month, region, country, sector and
step; /agenda.ics (the filtered list) and /agenda/<id>.ics (one event) as iCalendar;
/agenda/flux.atom: the newest upcoming events. Past events leave the agenda (they stay
searchable)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from babel.dates import format_date
from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from indexer.search import Hit, QueryError, SearchQuery, parse_query_args
from portail.geo import country_name
from webui import content, feed, ical, links
from webui.ids import hash_of, page_id

bp = Blueprint("agenda", __name__)
MAX_EVENTS = 2000
PER_PAGE = 40
INDEX_FILTERS = ("region", "country", "sector", "step")
FILTERS = ("month", *INDEX_FILTERS)
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
FILTER_LABELS = (
    ("month", "Mois", "Tous les mois"),
    ("region", "Région", "Toutes les régions"),
    ("country", "Pays", "Tous les pays"),
    ("sector", "Secteur", "Tous les secteurs"),
    ("step", "Étape du parcours", "Toutes les étapes"),
)


@dataclass(frozen=True)
class Event:
    """An event as the agenda shows it: dates, place and what it is about."""

    id: str
    url: str
    title: str
    start: date
    end: date
    city: str
    country: str
    online: bool
    organiser: str
    provider: str
    step: str | None
    sectors: tuple[str, ...]
    regions: tuple[str, ...]
    countries: tuple[str, ...]
    description: str
    first_seen: str | None

    @property
    def uid(self) -> str:
        return f"evenement-{hash_of(self.id)}"

    @property
    def place(self) -> str:
        if self.online:
            return "En ligne"
        country = country_name(self.country) if self.country else ""
        if self.city and country and self.country != "FR":
            return f"{self.city}, {country}"
        return self.city or country

    @property
    def categories(self) -> list[str]:
        step = content.step_map().get(self.step or "")
        return [*([step.label] if step else []), *(content.sector_label(s) for s in self.sectors)]

    @property
    def ics_description(self) -> str:
        parts = [self.description] if self.description else []
        if self.organiser or self.provider:
            parts.append(f"Organisé par {self.organiser or self.provider}.")
        parts.append(f"Programme et inscription : {self.url}")
        return "\n\n".join(parts)

    def overlaps(self, first: date, last: date) -> bool:
        return self.start <= last and self.end >= first


def event_of(hit: Hit) -> Event | None:
    """The agenda's view of an indexed event page; None without a start date."""
    found = hit.event or {}
    try:
        start = date.fromisoformat(str(found.get("start") or "")[:10])
        end = date.fromisoformat(str(found.get("end") or found["start"])[:10])
    except (KeyError, ValueError):
        return None
    return Event(
        id=page_id(hit.url, hit.title),
        url=hit.url,
        title=hit.title or hit.url,
        start=start,
        end=max(start, end),
        city=str(found.get("city") or ""),
        country=str(found.get("country") or "").upper(),
        online=bool(found.get("online")),
        organiser=str(found.get("organiser") or ""),
        provider=hit.provider,
        step=hit.step,
        sectors=tuple(hit.sectors),
        regions=tuple(hit.regions),
        countries=tuple(hit.countries),
        description=hit.description,
        first_seen=hit.first_seen,
    )


@dataclass(frozen=True)
class AgendaFilters:
    month: str | None = None
    region: str | None = None
    country: str | None = None
    sector: str | None = None
    step: str | None = None

    def active(self) -> dict[str, str]:
        return {name: value for name in FILTERS if (value := getattr(self, name))}

    def index_filters(self) -> dict[str, str]:
        return {name: value for name in INDEX_FILTERS if (value := getattr(self, name))}

    def month_bounds(self) -> tuple[date, date] | None:
        if not self.month:
            return None
        year, month = (int(part) for part in self.month.split("-"))
        following = date(year + month // 12, month % 12 + 1, 1)
        return date(year, month, 1), date.fromordinal(following.toordinal() - 1)


def parse_filters(args: Mapping[str, str]) -> AgendaFilters:
    """Validate the agenda's arguments (the index filters as the search API does)."""
    query = parse_query_args({k: args.get(k, "") for k in INDEX_FILTERS})
    month = (args.get("month") or "").strip() or None
    if month and not MONTH_RE.match(month):
        raise QueryError(f"Mois invalide : « {month} » (format attendu : AAAA-MM).")
    kept = {k: v for k, v in query.filters().items() if k in INDEX_FILTERS}
    return AgendaFilters(month=month, **kept)


def upcoming(filters: AgendaFilters) -> list[Event]:
    """Events not yet over on `today`, soonest first, within the filters."""
    hits = content.searcher().upcoming_events(
        MAX_EVENTS, content.today(), **filters.index_filters()
    )
    events = [e for e in map(event_of, hits) if e is not None]
    bounds = filters.month_bounds()
    if bounds:
        events = [e for e in events if e.overlaps(*bounds)]
    return sorted(events, key=lambda e: (e.start, e.end, e.title))


def every_event() -> list[Event]:
    """All dated events of the index, past ones included (for one event's .ics)."""
    hits = content.searcher().search(SearchQuery(kind="event", per_page=MAX_EVENTS)).hits
    return [e for e in map(event_of, hits) if e is not None]


# -- pages ----------------------------------------------------------------------------------------


@bp.get("/agenda")
def index():  # type: ignore[no-untyped-def]
    filters = parse_filters(request.args)
    page = parse_query_args({"page": request.args.get("page", "")}).page
    events = upcoming(filters)
    pages = max(1, -(-len(events) // PER_PAGE))
    page = min(page, pages)
    shown = events[(page - 1) * PER_PAGE : page * PER_PAGE]
    args = filters.active()
    return render_template(
        "agenda/index.html",
        months=[
            (month_label(key), list(group))
            for key, group in groupby(shown, key=lambda e: (e.start.year, e.start.month))
        ],
        total=len(events),
        page=page,
        pages=pages,
        window=links.page_window(page, pages),
        page_url=lambda n: url_for("agenda.index", **args, **({"page": n} if n > 1 else {})),
        filters=filters,
        filter_labels=FILTER_LABELS,
        options=filter_options(filters),
        active=active_filters(filters),
        ics_url=url_for("agenda.calendar", **args),
    )


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
    found = next((e for e in every_event() if hash_of(e.id) == wanted), None)
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


# -- labels and filter choices -----------------------------------------------------------------


def month_label(key: tuple[int, int]) -> str:
    """(2027, 3) → « Mars 2027 »."""
    return format_date(date(key[0], key[1], 1), "MMMM y", locale="fr_FR").capitalize()


def filter_value_label(name: str, value: str) -> str:
    if name == "month":
        year, month = value.split("-")
        return month_label((int(year), int(month)))
    return content.facet_label(name, value)


def filter_options(filters: AgendaFilters) -> dict[str, list[tuple[str, str]]]:
    """Each filter's values among the upcoming events that pass the other filters."""
    out: dict[str, list[tuple[str, str]]] = {}
    for name in FILTERS:
        others = AgendaFilters(**{k: v for k, v in filters.active().items() if k != name})
        counts: dict[str, int] = {}
        for event in upcoming(others):
            for value in _values(event, name):
                counts[value] = counts.get(value, 0) + 1
        options = [(v, f"{filter_value_label(name, v)} ({n})") for v, n in counts.items()]
        if name == "month":
            options.sort()
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
            current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
        return months
    if name == "region":
        return list(event.regions)
    if name == "country":
        return list(event.countries)
    if name == "sector":
        return list(event.sectors)
    return [event.step] if event.step else []


def active_filters(filters: AgendaFilters) -> list[tuple[str, str]]:
    args = filters.active()
    labels = {name: label for name, label, _ in FILTER_LABELS}
    return [
        (
            f"{labels[name]} : {filter_value_label(name, value)}",
            url_for("agenda.index", **{k: v for k, v in args.items() if k != name}),
        )
        for name, value in args.items()
    ]
