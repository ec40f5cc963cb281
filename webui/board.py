"""The V.I.E. board's offers: every V.I.E. and V.I.A. offer of the index (the fields the indexer
read, see indexer/jobs.py), the ones open on a given day, their filters, facets and orders.

An offer is open until its application deadline, that day included: it leaves the board the
day after, whatever the crawls. An offer its source withdraws leaves at the next crawl (the
crawler marks its page gone, the indexer removes it).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from flask import current_app

from indexer.jobs import MISSIONS
from indexer.search import Hit, QueryError, SearchQuery, parse_query_args
from portail.geo import country_name
from webui import content
from webui.params import PastLastPage
from webui.zones import Zone, zone_of, zones

MAX_OFFERS = 10_000
CLOSING_SOON = 14  # days: an offer closing sooner shows « clôture dans N jours »
NEW_DAYS = 7  # days: an offer published since shows « nouvelle »
FILTERS = ("zone", "country", "sector", "duration", "start", "mission")
# Durations as the boards group them: (id, label, shortest, longest) in months.
DURATIONS = (
    ("6-11", "Moins d'un an (6 à 11 mois)", 1, 11),
    ("12-17", "De 12 à 17 mois", 12, 17),
    ("18-24", "De 18 à 24 mois", 18, 99),
)
MISSION_IDS = {"vie": "V.I.E.", "via": "V.I.A."}
SORTS = {
    "publication": "Les plus récentes d'abord",
    "deadline": "Date limite la plus proche d'abord",
    "start": "Début de mission le plus proche d'abord",
}
DEFAULT = "publication"
MONTH_RE = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])")
LAST = "9999-12-31"  # an offer without a date sorts after the dated ones


@dataclass(frozen=True)
class Offer:
    """A V.I.E. or V.I.A. offer as the board lists it; `url` is the original, to apply."""

    url: str
    title: str
    reference: str
    mission: str  # « V.I.E. » or « V.I.A. »
    company: str
    country: str
    city: str
    sectors: tuple[str, ...]
    months: int | None
    start: str  # ISO days, or empty when the offer does not say
    posted: str
    deadline: str
    telework: bool | None
    provider: str
    hit: Hit = field(compare=False, repr=False)

    @property
    def company_id(self) -> str:
        return content.slugify(self.company)

    @property
    def mission_id(self) -> str:
        return "via" if self.mission == "V.I.A." else "vie"

    @property
    def zone(self) -> Zone:
        return zone_of(self.country)

    @property
    def duration(self) -> str | None:
        """The id of its duration's group."""
        if self.months is None:
            return None
        return next((d for d, _, low, high in DURATIONS if low <= self.months <= high), None)

    def open_on(self, day: date) -> bool:
        return not self.deadline or self.deadline >= day.isoformat()

    def days_left(self, day: date) -> int | None:
        """Days until the deadline (0: it closes today); None without a deadline."""
        if not self.deadline:
            return None
        return (date.fromisoformat(self.deadline) - day).days

    def closing(self, day: date) -> str | None:
        """« Clôture aujourd'hui », « demain », « dans N jours »: for offers closing soon."""
        left = self.days_left(day)
        if left is None or not 0 <= left <= CLOSING_SOON:
            return None
        return {0: "Clôture aujourd'hui", 1: "Clôture demain"}.get(
            left, f"Clôture dans {left} jours"
        )

    def new_on(self, day: date) -> bool:
        if not self.posted:
            return False
        return 0 <= (day - date.fromisoformat(self.posted)).days < NEW_DAYS


def build_offer(hit: Hit) -> Offer | None:
    """The offer of an index entry; None when the indexer read no V.I.E. or V.I.A. in it."""
    job = hit.extra.get("job") or {}
    if job.get("mission") not in MISSIONS:
        return None
    return Offer(
        url=hit.url,
        title=hit.title or hit.url,
        reference=job.get("reference") or "",
        mission=job["mission"],
        company=job.get("company") or "",
        country=job.get("country") or "",
        city=job.get("city") or "",
        sectors=tuple(job.get("sectors") or hit.sectors),
        months=job.get("months"),
        start=job.get("start") or "",
        posted=job.get("posted") or hit.date or "",
        deadline=job.get("deadline") or "",
        telework=job.get("telework"),
        provider=hit.provider,
        hit=hit,
    )


_lock = threading.Lock()


def every_offer() -> list[Offer]:
    """Every V.I.E. and V.I.A. offer of the index, closed ones included (once a generation)."""
    results = content.searcher().search(SearchQuery(kind="vie", per_page=MAX_OFFERS))
    cached = current_app.extensions.get("vie_board")
    if cached and cached[0] is results:
        return cached[1]
    with _lock:
        offers = [o for o in map(build_offer, results.hits) if o is not None]
        current_app.extensions["vie_board"] = (results, offers)
    return offers


def open_offers(day: date) -> list[Offer]:
    """The offers open on `day`, the latest published first."""
    return sort([o for o in every_offer() if o.open_on(day)], DEFAULT)


def company_offers(company_id: str) -> list[Offer]:
    """Every offer of a company in the index (closed ones included)."""
    return [o for o in every_offer() if o.company_id == company_id]


# -- a page of the board -------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardPage:
    """One page of the board: the open offers, those that pass the filters in order, the page."""

    today: date
    filters: BoardFilters
    order: str
    open: list[Offer]
    chosen: list[Offer]
    page: int
    pages: int
    per_page: int

    @property
    def shown(self) -> list[Offer]:
        return self.chosen[(self.page - 1) * self.per_page : self.page * self.per_page]

    def args(self) -> dict[str, Any]:
        """The page's filters and order as query arguments (the default order left out)."""
        return {**self.filters.active(), **({"sort": self.order} if self.order != DEFAULT else {})}


def board_page(args: Mapping[str, str], today: date, per_page: int) -> BoardPage:
    """The page the arguments ask for; QueryError names a bad argument, PastLastPage a page
    past the last (the one rule of webui/params.py: a 404 that links to the first page)."""
    filters, order = parse_filters(args), parse_sort(args)
    page = parse_query_args({"page": args.get("page", "")}).page
    offers = open_offers(today)
    chosen = sort(select(offers, filters), order)
    pages = max(1, -(-len(chosen) // per_page))
    if page > pages:
        raise PastLastPage(page, pages)
    return BoardPage(today, filters, order, offers, chosen, page, pages, per_page)


# -- filters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardFilters:
    zone: str | None = None
    country: str | None = None
    sector: str | None = None
    duration: str | None = None
    start: str | None = None
    mission: str | None = None

    def active(self) -> dict[str, Any]:
        return {name: value for name in FILTERS if (value := getattr(self, name))}


def parse_filters(args: Mapping[str, str]) -> BoardFilters:
    """Validate the board's filters; QueryError (→ 400) names the bad one, in French."""
    values = {name: (args.get(name) or "").strip() or None for name in FILTERS}
    if values["country"]:
        values["country"] = parse_query_args({"country": values["country"]}).country
    if values["zone"] and values["zone"] not in {z.id for z in zones()}:
        raise QueryError(f"Zone inconnue : « {values['zone'][:40]} ».")
    if values["sector"] and values["sector"] not in content.sector_labels():
        raise QueryError(f"Secteur inconnu : « {values['sector'][:40]} ».")
    if values["duration"] and values["duration"] not in {d[0] for d in DURATIONS}:
        raise QueryError(
            f"Durée inconnue : « {values['duration'][:20]} » (valeurs : 6-11, 12-17, 18-24)."
        )
    if values["start"] and not MONTH_RE.fullmatch(values["start"]):
        raise QueryError(
            f"Mois de début invalide : « {values['start'][:20]} » (format attendu : AAAA-MM)."
        )
    if values["mission"] and values["mission"] not in MISSION_IDS:
        raise QueryError("Le type de mission vaut « vie » (V.I.E.) ou « via » (V.I.A.).")
    return BoardFilters(**values)


def parse_sort(args: Mapping[str, str]) -> str:
    sort = (args.get("sort") or DEFAULT).strip()
    if sort not in SORTS:
        raise QueryError("Le tri vaut « publication », « deadline » (date limite) ou « start ».")
    return sort


TESTS: dict[str, Callable[[Offer], list[str]]] = {
    "zone": lambda o: [o.zone.id],
    "country": lambda o: [o.country] if o.country else [],
    "sector": lambda o: list(o.sectors),
    "duration": lambda o: [o.duration] if o.duration else [],
    "start": lambda o: [o.start[:7]] if o.start else [],
    "mission": lambda o: [o.mission_id],
}


def select(offers: list[Offer], filters: BoardFilters, skip: str | None = None) -> list[Offer]:
    """The offers that pass every active filter (but `skip`)."""
    active = [(n, v) for n, v in filters.active().items() if n != skip]
    return [o for o in offers if all(v in TESTS[n](o) for n, v in active)]


def sort(offers: list[Offer], order: str) -> list[Offer]:
    """Latest published first; or soonest deadline, or soonest start (undated last)."""
    if order == "publication":
        return sorted(offers, key=lambda o: (o.posted, o.reference), reverse=True)
    key = "deadline" if order == "deadline" else "start"
    return sorted(offers, key=lambda o: (getattr(o, key) or LAST, o.posted, o.reference))


def facet_counts(offers: list[Offer], filters: BoardFilters) -> dict[str, Counter[str]]:
    """For each filter, how many offers each value gives with the other filters kept."""
    return {
        name: Counter(v for o in select(offers, filters, skip=name) for v in TESTS[name](o))
        for name in FILTERS
    }


def value_label(name: str, value: str) -> str:
    """The French label of a filter's value."""
    if name == "zone":
        return next((z.label for z in zones() if z.id == value), value)
    if name == "country":
        return country_name(value)
    if name == "sector":
        return content.sector_label(value)
    if name == "duration":
        return next((label for d, label, _, _ in DURATIONS if d == value), value)
    if name == "start":
        from webui.agenda import month_label

        year, month = value.split("-")
        return month_label(date(int(year), int(month), 1))
    return MISSION_IDS.get(value, value)


def _label_key(name: str, value: str) -> Any:
    return content.sort_key(value_label(name, value))


def options(
    counts: dict[str, Counter[str]], filters: BoardFilters
) -> dict[str, list[tuple[str, str]]]:
    """Each filter's (value, « label (count) ») choices, in its natural order; the chosen
    value is always listed."""
    in_order = [z.id for z in zones()] + [d[0] for d in DURATIONS]
    order: dict[str, Callable[[str], Any]] = {
        "zone": lambda v: in_order.index(v) if v in in_order else len(in_order),
        "duration": lambda v: in_order.index(v) if v in in_order else len(in_order),
        "start": lambda v: v,
        "mission": lambda v: v,
    }
    out = {}
    for name in FILTERS:
        values = list(counts[name])
        chosen = getattr(filters, name)
        if chosen and chosen not in counts[name]:
            values.append(chosen)
        key = order.get(name) or partial(_label_key, name)
        out[name] = [
            (v, f"{value_label(name, v)} ({counts[name][v]})") for v in sorted(values, key=key)
        ]
    return out
