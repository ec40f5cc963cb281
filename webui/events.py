"""The agenda's events: what an indexed event page becomes (dates and hours, place, the
organiser's page), and one entry per event when several organisers announce it.

Every list of events on the portal goes through `upcoming()` (the agenda) or `next_events()`
(the short lists of the home, country, sector, region, partner, offer pages and the region
panel), so that an event announced by several organisers is listed once everywhere."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import g

from indexer.search import Hit
from portail.geo import country_name
from webui import content
from webui.ids import hash_of, page_id

PARIS = "Europe/Paris"
MAX_EVENTS = 2000  # more than the index holds: every event is read before merging


@dataclass(frozen=True)
class Source:
    """One organiser's page about an event."""

    id: str
    url: str
    title: str
    organiser: str


@dataclass(frozen=True)
class Event:
    """An event as the agenda shows it: dates and hours, place, what it is about, and the
    pages of the organisers that announce it (the first is the one the title links to)."""

    id: str
    url: str
    title: str
    start: date
    end: date
    days: tuple[date, ...]  # the days it is held, when not every day from start to end
    start_time: time | None
    end_time: time | None
    tz: str | None  # the zone of its hours
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
    sources: tuple[Source, ...] = ()

    @property
    def uid(self) -> str:
        return f"evenement-{hash_of(self.id)}"

    @property
    def place(self) -> str:
        if self.online:
            return "En ligne"
        country = country_name(self.country) if self.country else ""
        if self.city and country and self.country != "FR" and fold(self.city) != fold(country):
            return f"{self.city}, {country}"
        return self.city or country

    @property
    def organisers(self) -> list[str]:
        names = [s.organiser for s in self.sources] or [self.organiser or self.provider]
        return list(dict.fromkeys(n for n in names if n))

    @property
    def timed(self) -> bool:
        """The page gives its hours (else it is an all-day event)."""
        return self.start_time is not None and self.tz is not None

    @property
    def session_days(self) -> list[date]:
        if self.days:
            return list(self.days)
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    @property
    def starts_at(self) -> datetime | None:
        if not self.timed:
            return None
        return datetime.combine(self.start, self.start_time, ZoneInfo(self.tz))  # type: ignore[arg-type]

    @property
    def ends_at(self) -> datetime | None:
        """The end of the first day's session (each day has the same hours)."""
        if not self.timed or self.end_time is None:
            return None
        return datetime.combine(self.start, self.end_time, ZoneInfo(self.tz))  # type: ignore[arg-type]

    @property
    def time_note(self) -> str:
        """Whose clock the hours are on, when it may not be the reader's."""
        if not self.timed:
            return ""
        if self.tz != PARIS:
            return "heure locale"
        return "heure de Paris" if self.online or (self.country and self.country != "FR") else ""

    @property
    def categories(self) -> list[str]:
        step = content.step_map().get(self.step or "")
        return [*([step.label] if step else []), *(content.sector_label(s) for s in self.sectors)]

    @property
    def ics_description(self) -> str:
        parts = [self.description] if self.description else []
        if self.organisers:
            parts.append(f"Organisé par {join_french(self.organisers)}.")
        sources = self.sources or (Source(self.id, self.url, self.title, self.organiser),)
        if len(sources) == 1:
            parts.append(f"Programme et inscription : {sources[0].url}")
        else:
            lines = [f"- {s.organiser or s.title} : {s.url}" for s in sources]
            parts.append("Programme et inscription :\n" + "\n".join(lines))
        return "\n\n".join(parts)

    def overlaps(self, first: date, last: date) -> bool:
        return self.start <= last and self.end >= first


def event_of(hit: Hit) -> Event | None:
    """The agenda's view of an indexed event page; None without a start date."""
    found = hit.event or {}
    try:
        start = date.fromisoformat(str(found.get("start") or "")[:10])
        end = date.fromisoformat(str(found.get("end") or found["start"])[:10])
        days = tuple(date.fromisoformat(str(d)) for d in found.get("days") or ())
    except (KeyError, ValueError):
        return None
    identifier = page_id(hit.url, hit.title)
    organiser = str(found.get("organiser") or "")
    return Event(
        id=identifier,
        url=hit.url,
        title=hit.title or hit.url,
        start=start,
        end=max(start, end),
        days=days,
        start_time=_clock(found.get("start_time")),
        end_time=_clock(found.get("end_time")),
        tz=_zone(found.get("tz")),
        city=str(found.get("city") or ""),
        country=str(found.get("country") or "").upper(),
        online=bool(found.get("online")),
        organiser=organiser,
        provider=hit.provider,
        step=hit.step,
        sectors=tuple(hit.sectors),
        regions=tuple(hit.regions),
        countries=tuple(hit.countries),
        description=hit.description,
        first_seen=hit.first_seen,
        sources=(Source(identifier, hit.url, hit.title or hit.url, organiser or hit.provider),),
    )


def _clock(value: Any) -> time | None:
    try:
        return time.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _zone(value: Any) -> str | None:
    try:
        return str(ZoneInfo(str(value))) if value else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


# -- one entry per event -------------------------------------------------------------------------

# Words that say what kind of stand or meeting a page offers, not which event it is about.
# fmt: off
NOISE_WORDS = frozenset((
    "a", "au", "aux", "avec", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "pour",
    "sur", "un", "une", "the", "of", "and", "at", "in", "on",
    "pavillon", "pavillons", "france", "francais", "francaise", "espace", "stand", "stands",
    "rejoignez", "rejoindre", "participez", "exposez", "exposer", "salon", "edition", "regional",
    "regionale", "national", "nationale", "collectif", "collective", "delegation",
))
MONTH_WORDS = frozenset((
    "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre",
    "octobre", "novembre", "decembre",
))
# fmt: on
# Years, numbers and ordinals (« 2027 », « 10e », « 1re », « deuxième », « premier »).
ORDINAL = re.compile(r"^(?:\d+(?:e|er|re|ere|eme|nd|nde)?|premier|premiere|\w+ieme)$")


def fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def name_words(event: Event) -> frozenset[str]:
    """The words that name an event in its title: without years, ordinals, dates, its place,
    and the words of pavilions and stands (« Pavillon France à Foodex Japan 2027 » → foodex,
    japan)."""
    where = f"{event.city} {country_name(event.country) if event.country else ''}"
    place = set(fold(where).split())
    return frozenset(
        word
        for word in fold(event.title).split()
        if word not in NOISE_WORDS
        and word not in MONTH_WORDS
        and word not in place
        and not ORDINAL.match(word)
    )


def same_name(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two titles name the same event when the naming words of one are all in the other's."""
    return bool(a and b) and (a <= b or b <= a)


def merge_events(events: Iterable[Event]) -> list[Event]:
    """One entry per event: pages with the same dates, the same place and the same name (up to
    case, accents, years, ordinals and stands) are merged, keeping every organiser's link."""
    groups: dict[tuple[Any, ...], list[list[Event]]] = {}
    for event in events:
        place = ("en ligne",) if event.online else (fold(event.city), event.country)
        clusters = groups.setdefault((event.start, event.end, *place), [])
        words = name_words(event)
        home = next((c for c in clusters if any(same_name(words, name_words(o)) for o in c)), None)
        if home is None:
            clusters.append([event])
        else:
            home.append(event)
    return [_merged(c) for clusters in groups.values() for c in clusters]


def _merged(cluster: list[Event]) -> Event:
    """The entry of several pages about one event: the plainest title leads."""
    if len(cluster) == 1:
        return cluster[0]
    lead = min(cluster, key=lambda e: (len(e.title), e.url))
    others = [e for e in cluster if e is not lead]
    timed = next((e for e in [lead, *others] if e.timed), lead)
    return replace(
        lead,
        days=lead.days or next((e.days for e in others if e.days), ()),
        start_time=timed.start_time,
        end_time=timed.end_time,
        tz=timed.tz,
        sectors=_union(e.sectors for e in cluster),
        regions=_union(e.regions for e in cluster),
        countries=_union(e.countries for e in cluster),
        first_seen=min((e.first_seen for e in cluster if e.first_seen), default=None),
        sources=tuple(s for e in [lead, *others] for s in e.sources),
    )


def _union(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for group in groups for v in group))


def join_french(names: list[str]) -> str:
    """["A", "B", "C"] → « A, B et C »."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} et {names[-1]}"


# -- the lists of upcoming events ----------------------------------------------------------------


def upcoming() -> list[Event]:
    """Every event not yet over on `today`, one entry per event, soonest first (once a
    request)."""
    if "upcoming_events" not in g:
        hits = content.searcher().upcoming_events(MAX_EVENTS, content.today())
        merged = merge_events(e for e in map(event_of, hits) if e is not None)
        g.upcoming_events = sorted(merged, key=lambda e: (e.start, e.end, e.title))
    return list(g.upcoming_events)


def next_events(n: int, **filters: str) -> list[Hit]:
    """The next n events that an organiser's page within the filters announces, one entry per
    event: the page of its lead, with every organiser's page in `extra["sources"]` and the
    merged event in `extra["listed"]`."""
    wanted = {
        h.url for h in content.searcher().upcoming_events(MAX_EVENTS, content.today(), **filters)
    }
    pages = _upcoming_pages()
    chosen = [e for e in upcoming() if any(src.url in wanted for src in e.sources)]
    return [_listed(pages[e.url], e) for e in chosen[:n] if e.url in pages]


def _upcoming_pages() -> dict[str, Hit]:
    """The upcoming event pages by address (once a request: a page lists several events)."""
    if "upcoming_pages" not in g:
        hits = content.searcher().upcoming_events(MAX_EVENTS, content.today())
        g.upcoming_pages = {h.url: h for h in hits}
    return g.upcoming_pages


def _listed(hit: Hit, event: Event) -> Hit:
    """The lead's page, carrying the event (for the JSON twins) and every organiser's page."""
    return replace(hit, extra={**hit.extra, "sources": event.sources, "listed": event})
