"""Publication dates written in French in a page's text (« Publié le 14 avril 2026 »)."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    "janvier": 1,
    "janv": 1,
    "février": 2,
    "fevrier": 2,
    "févr": 2,
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
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "décembre": 12,
    "decembre": 12,
    "déc": 12,
    "dec": 12,
}
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
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


# -- event dates written in French ---------------------------------------------------------

_DAY = r"(\d{1,2})(?:er)?"
_MONTH = r"([a-zéû]+)\.?"
_YEAR = r"(\d{4})"
RANGE_SAME_MONTH = re.compile(rf"\bdu\s+{_DAY}\s+(?:au|-)\s+{_DAY}\s+{_MONTH}\s+{_YEAR}", re.I)
RANGE_TWO_MONTHS = re.compile(
    rf"\bdu\s+{_DAY}\s+{_MONTH}(?:\s+{_YEAR})?\s+au\s+{_DAY}\s+{_MONTH}\s+{_YEAR}", re.I
)
DASH_RANGE = re.compile(rf"\b{_DAY}\s*[-–]\s*{_DAY}\s+{_MONTH}\s+{_YEAR}", re.I)
PUBLISHED_BEFORE = re.compile(CUE + r"\s*(?:le|:)?\s*$", re.I)
SINGLE_DAY = re.compile(
    rf"\b(?:le\s+)?(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)?\s*{_DAY}\s+"
    rf"{_MONTH}\s+{_YEAR}",
    re.I,
)


def event_dates(text: str) -> tuple[str, str] | None:
    """The first date range (or single day) of an event in French text, as ISO dates."""
    found: list[tuple[int, str, str]] = []
    for m in RANGE_TWO_MONTHS.finditer(text):
        y2 = int(m[6])
        y1 = int(m[3]) if m[3] else y2
        start = _iso_month(y1, m[2], int(m[1]))
        end = _iso_month(y2, m[5], int(m[4]))
        if start and end and start <= end:
            found.append((m.start(), start, end))
    for regex in (RANGE_SAME_MONTH, DASH_RANGE):
        for m in regex.finditer(text):
            start = _iso_month(int(m[4]), m[3], int(m[1]))
            end = _iso_month(int(m[4]), m[3], int(m[2]))
            if start and end and start <= end:
                found.append((m.start(), start, end))
    if not found:
        for m in SINGLE_DAY.finditer(text):
            if PUBLISHED_BEFORE.search(text[max(0, m.start() - 40) : m.start()]):
                continue  # « Publié le 20 novembre 2026 » dates the page, not the event
            day = _iso_month(int(m[3]), m[2], int(m[1]))
            if day:
                found.append((m.start(), day, day))
                break
    if not found:
        return None
    _, start, end = min(found)
    return start, end


def _iso_month(year: int, month_name: str, day: int) -> str | None:
    month = MONTHS.get(month_name.lower())
    return _iso(year, month, day) if month else None
