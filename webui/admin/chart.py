"""A source's crawl history as a server-side SVG bar chart: one stacked bar per crawl
(unchanged, changed and new pages, then errors). Colours are SVG attributes, so the chart
needs neither script nor inline style; the template adds the same figures as a table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from portail.db import Row

WIDTH = 720
HEIGHT = 220
LEFT = 48  # room for the axis labels
BOTTOM = 24
TOP = 10
MAX_BAR = 48
# (crawls column, French label, DSFR colour)
SERIES = (
    ("pages_unchanged", "inchangées", "#929292"),
    ("pages_changed", "modifiées", "#6a6af4"),
    ("pages_new", "nouvelles", "#18753c"),
    ("errors", "erreurs", "#ce0500"),
)


@dataclass(frozen=True)
class Segment:
    y: float
    height: float
    colour: str
    label: str
    value: int


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    label: str  # the crawl's date, for the axis and the tooltip
    total: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    ticks: tuple[tuple[float, int], ...]  # (y, value) of the horizontal grid lines
    legend: tuple[tuple[str, str], ...]  # (label, colour)
    baseline: float


def history_chart(crawls: Sequence[Row]) -> Chart:
    """The chart of crawls given newest first (as `Store.crawls` returns them)."""
    ordered = list(reversed(crawls))
    top = max((sum(c[key] or 0 for key, _, _ in SERIES) for c in ordered), default=0)
    scale_max = _round_up(max(top, 1))
    plot = HEIGHT - TOP - BOTTOM
    baseline = float(TOP + plot)
    slot = (WIDTH - LEFT) / max(len(ordered), 1)
    bars = []
    for i, crawl in enumerate(ordered):
        y = baseline
        segments = []
        for key, label, colour in SERIES:
            value = int(crawl[key] or 0)
            height = plot * value / scale_max
            y -= height
            if value:
                segments.append(Segment(round(y, 1), round(height, 1), colour, label, value))
        width = min(slot * 0.7, MAX_BAR)
        bars.append(
            Bar(
                round(LEFT + i * slot + (slot - width) / 2, 1),
                round(width, 1),
                _day(crawl["started"]),
                sum(s.value for s in segments),
                tuple(segments),
            )
        )
    parts = next(n for n in (4, 2, 1) if scale_max % n == 0)
    ticks = tuple(
        (round(baseline - plot * k / parts, 1), scale_max * k // parts) for k in range(parts + 1)
    )
    return Chart(
        WIDTH,
        HEIGHT,
        tuple(bars),
        ticks,
        tuple((label, colour) for _, label, colour in SERIES),
        baseline,
    )


def _day(started: str | None) -> str:
    """« 2026-11-27T… » → « 27/11/2026 »."""
    day = (started or "")[:10].split("-")
    return "/".join(reversed(day)) if len(day) == 3 else ""


def _round_up(value: int) -> int:
    """A round axis maximum: 1, 2, 4 or 5 times a power of ten, at least `value`."""
    magnitude = 1
    while True:
        for step in (1, 2, 4, 5):
            if step * magnitude >= value:
                return step * magnitude
        magnitude *= 10
