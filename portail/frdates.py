"""Dates written in French in a page's text: publication dates (« Publié le 14 avril 2026 »),
the dates of an event (« du 12 au 14 mars 2027 », « les mardis 9 et 16 mars 2027 ») and its
hours (« de 10 h à 11 h 30 », « à 14h »).

Regular expressions cut each date out of the text and a table of French month names reads
it. Measured by `python -m bench.dates` on the demo web's 43 dated event pages (start and end
both right, median time a page): these patterns 43 of 43 in 0.24 ms; the same cut-out dates
read by dateparser (languages=["fr"]) 43 of 43 in 1.8 ms, so it is not used;
`dateparser.search_dates` alone 14 of 43 in 82 ms. The earlier patterns missed « les 15 et
16 juin », « du lundi 12 au jeudi 15 avril » and « les mardis 9 et 16 mars »."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta

MONTHS = {
    "janvier": 1,
    "janv": 1,
    "février": 2,
    "fevrier": 2,
    "févr": 2,
    "fevr": 2,
    "fév": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "décembre": 12,
    "decembre": 12,
    "déc": 12,
    "dec": 12,
}
# Every alternative of CUE contains one of these (a cheap test before the regexes).
CUE_STEMS = ("publi", "mis", "actualis", "modifi", "post")
CUE = r"(?:publié|publiée|mis à jour|mise à jour|actualisé|modifié|date de publication|posté)"
NUMERIC = re.compile(CUE + r"\s*(?:le|:)?\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", re.I)
WRITTEN = re.compile(
    CUE + r"\s*(?:le|:)?\s*(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)?\s*"
    r"(\d{1,2})(?:er)?\s+([a-zéû]+)\.?\s+(\d{4})",
    re.I,
)


def find_date(text: str) -> str | None:
    """The ISO date that follows a publication cue in the text, or None."""
    head = text[:4000] + "\n" + text[-1500:]
    lowered = head.lower()
    if not any(stem in lowered for stem in CUE_STEMS):  # most pages: no cue, no regex scan
        return None
    for m in WRITTEN.finditer(head):
        month = MONTHS.get(m[2].lower())
        if month:
            iso = _iso(int(m[3]), month, int(m[1]))
            if iso:
                return iso
    for m in NUMERIC.finditer(head):
        iso = _iso(int(m[3]), int(m[2]), int(m[1]))
        if iso:
            return iso
    return None


def _iso(year: int, month: int, day: int) -> str | None:
    found = _date(year, month, day)
    return found.isoformat() if found else None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# -- event dates ------------------------------------------------------------------------------

_WEEKDAY = r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)s?\s+)?"
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"


def _day(name: str) -> str:
    return rf"{_WEEKDAY}(?P<{name}>\d{{1,2}})(?:er\b|ᵉʳ)?"


def _month(name: str) -> str:
    return rf"(?P<{name}>{_MONTH})"


def _year(name: str) -> str:
    return rf"(?P<{name}>\d{{4}})\b"


# « du 30 septembre au 2 octobre 2027 », « du lundi 12 au jeudi 15 avril 2027 »,
# « 9-13 octobre 2027 », « les mardis 9 et 16 mars 2027 », « les 9, 10 et 11 juin 2027 ».
RANGES = (
    re.compile(
        rf"\bdu\s+{_day('d1')}\s+{_month('m1')}(?:\s+{_year('y1')})?\s+au\s+"
        rf"{_day('d2')}\s+{_month('m2')}\s+{_year('y2')}",
        re.I,
    ),
    re.compile(
        rf"\bdu\s+{_day('d1')}\s+(?:au|-|–)\s+{_day('d2')}\s+{_month('m2')}\s+{_year('y2')}",
        re.I,
    ),
    re.compile(rf"\b{_day('d1')}\s*[-–]\s*{_day('d2')}\s+{_month('m2')}\s+{_year('y2')}", re.I),
    re.compile(
        rf"\b(?:les?\s+)?{_day('d1')}(?P<more>(?:\s*,\s*\d{{1,2}}(?:er)?)*)\s+et\s+"
        rf"{_day('d2')}\s+{_month('m2')}\s+{_year('y2')}",
        re.I,
    ),
)
SINGLE_DAY = re.compile(rf"\b(?:le\s+)?{_day('d2')}\s+{_month('m2')}\s+{_year('y2')}", re.I)
# A date after these words is the page's or a deadline's, not the event's.
NOT_THE_EVENT = re.compile(
    CUE + r"\s*(?:le|:)?\s*$|(?:jusqu'|jusqu’|avant le|limite[^.\n]{0,30}|clôture[^.\n]{0,30})"
    r"\s*(?:au|le|:)?\s*$",
    re.I,
)


@dataclass(frozen=True)
class EventDates:
    """When an event takes place, and where the text says so."""

    start: date
    end: date
    days: tuple[date, ...]  # the days it is held, when not every day from start to end
    at: int  # offset of the mention in the text
    until: int  # offset just after it


def event_dates(text: str) -> tuple[str, str] | None:
    """The first date range (or single day) of an event in French text, as ISO dates."""
    found = find_event_dates(text)
    return (found.start.isoformat(), found.end.isoformat()) if found else None


def find_event_dates(text: str) -> EventDates | None:
    """The event's dates: the first range or list of days, else the first single day that
    neither dates the page nor sets a deadline."""
    found = all_event_dates(text)
    ranges = [d for d in found if d.start != d.end]
    chosen = ranges or found
    return chosen[0] if chosen else None


def all_event_dates(text: str) -> list[EventDates]:
    """Every mention of event dates in the text, in order: ranges, lists of days and single
    days (but those of the page's publication or of a deadline)."""
    found = [d for regex in RANGES for m in regex.finditer(text) if (d := _read(m))]
    for m in SINGLE_DAY.finditer(text):
        if any(d.at <= m.start() < d.until for d in found):
            continue  # the end of a range already read
        if not NOT_THE_EVENT.search(text[max(0, m.start() - 40) : m.start()]):
            found += [d for d in [_read(m)] if d]
    return sorted(found, key=lambda d: d.at)


def _read(m: re.Match[str]) -> EventDates | None:
    """The dates of one matched mention; None when they do not exist or run backwards."""
    groups = m.groupdict()
    year2, month2 = int(groups["y2"]), _month_number(groups["m2"])
    end = _date(year2, month2, int(groups["d2"]))
    first_month = _month_number(groups.get("m1") or groups["m2"])
    first_year = int(groups.get("y1") or year2)
    start = _date(first_year, first_month, int(groups.get("d1") or groups["d2"]))
    if start is None or end is None or not start <= end <= start + timedelta(days=366):
        return None
    days: tuple[date, ...] | None = ()
    if groups.get("more") is not None:
        days = _listed_days(start, end, m["more"])
    if days is None:
        return None
    return EventDates(start, end, days, m.start(), m.end())


def _listed_days(start: date, end: date, more: str) -> tuple[date, ...] | None:
    """« les 9, 10 et 11 juin »: the days listed, () when they are every day from start to
    end, None when the list does not run forwards."""
    listed = [start]
    for written in [*re.findall(r"\d+", more), str(end.day)]:
        day = _date(end.year, end.month, int(written))
        if day is None or day <= listed[-1]:
            return None
        listed.append(day)
    return () if len(listed) == (end - start).days + 1 else tuple(listed)


def _month_number(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


# -- event hours ------------------------------------------------------------------------------

_HOUR = r"(\d{1,2})\s?(?:h|heures?)(?:\s?(\d{2}))?(?!\w)|(\d{1,2}):(\d{2})(?!\d)"
HOUR_RANGE = re.compile(
    rf"(?:\bde\s+)?(?P<from>{_HOUR})\s*(?:à|[-–])\s*(?P<to>{_HOUR})",
    re.I,
)
HOUR_START = re.compile(rf"(?:\bà|\bdès|\bà partir de)\s+(?P<from>{_HOUR})", re.I)
SCHEDULE_CUE = re.compile(r"^\s*(?:horaires?|heures?)\s*:\s*", re.I | re.M)
EARLIEST = 6
SENTENCE_END = re.compile(r"[.!?;]\s|\n")


def event_hours(text: str, mentions: list[EventDates]) -> tuple[time, time | None] | None:
    """The hours of an event: in a sentence that gives its dates (« le 9 mars 2027 de 10 h à
    11 h 30 »), else on a line of practical details (« horaires : de 9 h à 18 h »)."""
    for found in mentions:
        sentence_start, sentence_end = sentence_around(text, found.at, found.until)
        hours = _hours(text[found.until : sentence_end]) or _hours(text[sentence_start : found.at])
        if hours:
            return hours
    for m in SCHEDULE_CUE.finditer(text):
        line_end = text.find("\n", m.end())
        hours = _hours(text[m.end() : line_end if line_end >= 0 else len(text)])
        if hours:
            return hours
    return None


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The offsets of the sentence holding text[start:end]."""
    before = [m.end() for m in SENTENCE_END.finditer(text, 0, start)]
    after = SENTENCE_END.search(text, end)
    return (before[-1] if before else 0), (after.start() if after else len(text))


def _hours(text: str) -> tuple[time, time | None] | None:
    """The first hour range (or starting hour) in a piece of text."""
    m = HOUR_RANGE.search(text)
    if m:
        begin, finish = _clock(m["from"]), _clock(m["to"])
        if begin and finish and finish > begin:
            return begin, finish
        if begin:
            return begin, None
    m = HOUR_START.search(text)
    begin = _clock(m["from"]) if m else None
    # « à 2 h de Paris » is a distance: a lone starting hour is one of the working day's.
    return (begin, None) if begin and begin.hour >= EARLIEST else None


def _clock(written: str) -> time | None:
    numbers = [int(n) for n in re.findall(r"\d+", written)]
    hour, minute = numbers[0], (numbers[1] if len(numbers) > 1 else 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None
