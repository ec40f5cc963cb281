"""`python -m bench.dates`: how well and how fast the event dates of the demo web's agenda
pages are read, by portail/frdates.py's patterns and by dateparser.

Each event page of the demo web (its text as rendered, the dates its content file gives as
the answer) is read three ways; a page counts when both its start and its end are right:
- the patterns (`find_event_dates`), as the indexer reads it;
- the same cut-out dates read by `dateparser.parse(…, languages=["fr"])`: the mention the
  patterns chose, its day, month and year words handed to dateparser;
- `dateparser.search.search_dates` alone on the text: its first date is the start, the latest
  of the dates it finds in the 31 days that follow is the end.
Times are the median of one page (`--repeat` runs, the fastest kept). Needs the `bench` extra
(dateparser)."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from demo.records import page_text
from demo.site import load_sites
from portail.frdates import RANGES, SINGLE_DAY, find_event_dates

Reader = Callable[[str], tuple[date, date] | None]
SEARCH_SPAN = timedelta(days=31)
SHOWN_MISSES = 5


@dataclass(frozen=True)
class Sample:
    url: str
    text: str
    start: date
    end: date


@dataclass(frozen=True)
class Figure:
    method: str
    right: int
    total: int
    median_ms: float
    missed: tuple[str, ...]


def agenda_pages() -> list[Sample]:
    """The demo web's event pages that give dates, with the dates their content file gives."""
    out = []
    for site in load_sites():
        for page in site.pages:
            event = page.event or {}
            if page.kind != "event" or not event.get("start"):
                continue
            start = date.fromisoformat(str(event["start"])[:10])
            end = date.fromisoformat(str(event.get("end") or event["start"])[:10])
            out.append(Sample(f"{site.id}{page.path}", page_text(site, page), start, end))
    return out


def by_patterns(text: str) -> tuple[date, date] | None:
    found = find_event_dates(text)
    return (found.start, found.end) if found else None


def by_dateparser_on_cut_out(text: str) -> tuple[date, date] | None:
    """The mention the patterns chose, its dates read by dateparser instead of the month
    table."""
    import dateparser

    found = find_event_dates(text)
    if found is None:
        return None
    mention = text[found.at : found.until]
    groups = next(
        (m.groupdict() for regex in (*RANGES, SINGLE_DAY) if (m := regex.match(mention))), None
    )
    if groups is None:
        return None
    first = f"{groups.get('d1') or groups['d2']} {groups.get('m1') or groups['m2']} "
    first += groups.get("y1") or groups["y2"]
    last = f"{groups['d2']} {groups['m2']} {groups['y2']}"
    settings = {"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month", "year"]}
    start, end = (dateparser.parse(s, languages=["fr"], settings=settings) for s in (first, last))
    return (start.date(), end.date()) if start and end else None


def by_search_dates(text: str) -> tuple[date, date] | None:
    """dateparser alone: the first date it finds in the text, and the last of the month after."""
    from dateparser.search import search_dates

    found = search_dates(text, languages=["fr"]) or []
    dates = [d.date() for _, d in found]
    if not dates:
        return None
    start = dates[0]
    return start, max(d for d in dates if start <= d <= start + SEARCH_SPAN)


METHODS: dict[str, Reader] = {
    "motifs de portail/frdates.py": by_patterns,
    "dateparser sur les dates découpées par les motifs": by_dateparser_on_cut_out,
    "dateparser.search_dates seul": by_search_dates,
}


def measure(name: str, read: Reader, samples: list[Sample], repeat: int) -> Figure:
    """How many pages a method reads right, and its median time a page."""
    read(samples[0].text)  # the first call loads dateparser's language data
    times, missed = [], []
    for sample in samples:
        best = float("inf")
        for _ in range(repeat):
            began = time.perf_counter()
            got = read(sample.text)
            best = min(best, time.perf_counter() - began)
        times.append(best)
        if got != (sample.start, sample.end):
            missed.append(sample.url)
    median = statistics.median(times) * 1000
    return Figure(name, len(samples) - len(missed), len(samples), median, tuple(missed))


def report(figures: list[Figure]) -> str:
    lines = ["Dates des pages d'agenda du web de démonstration (début et fin justes) :"]
    for f in figures:
        lines.append(f"  - {f.method} : {f.right} sur {f.total}, {f.median_ms:.2f} ms par page")
        lines += [f"      manquée : {url}" for url in f.missed[:SHOWN_MISSES]]
        if len(f.missed) > SHOWN_MISSES:
            lines.append(f"      et {len(f.missed) - SHOWN_MISSES} autres")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dates", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="lectures de chaque page (3)")
    parser.add_argument("--limit", type=int, default=0, help="les N premières pages seulement")
    args = parser.parse_args(argv)
    samples = agenda_pages()[: args.limit or None]
    figures = [measure(name, read, samples, args.repeat) for name, read in METHODS.items()]
    print(report(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
