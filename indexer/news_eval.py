"""Measure the near-duplicate rule of the news stream on labelled pairs (`portail eval news`).

The labelled items are the demo web's news pages and the crafted items of
`eval/news/pairs.toml`; its pairs say which two items tell one story, and every other two demo
news pages are different stories. For each threshold the report gives the precision and the
recall of « same story », with the window of dates and without it, beside the rule's own
threshold (`indexer.dedup`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from indexer import dedup
from portail.language import decimal
from portail.schema import Bool, Field, List, Str, Table, load_toml

DATE = Str(pattern=r"[0-9]{4}-[0-9]{2}-[0-9]{2}", label="une date AAAA-MM-JJ")
SCHEMA = Table(
    {
        "item": Field(
            List(
                Table(
                    {
                        "id": Field(Str(pattern=r"[a-z0-9-]+"), required=True),
                        "title": Field(Str(nonempty=True), required=True),
                        "date": Field(DATE, required=True),
                        "text": Field(Str(nonempty=True), required=True),
                    }
                )
            ),
            help="les items écrits pour ce jeu",
        ),
        "pair": Field(
            List(
                Table(
                    {
                        "a": Field(Str(nonempty=True), required=True),
                        "b": Field(Str(nonempty=True), required=True),
                        "same": Field(Bool(), required=True),
                        "note": Field(Str(), help="pourquoi"),
                    }
                ),
                min_items=1,
            ),
            required=True,
        ),
    }
)
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    text: str
    day: date | None


@dataclass(frozen=True)
class Pair:
    a: Item
    b: Item
    same: bool
    note: str = ""


@dataclass(frozen=True)
class Scores:
    threshold: float
    window: bool
    true_pos: int
    false_pos: int
    false_neg: int
    true_neg: int

    @property
    def precision(self) -> float:
        found = self.true_pos + self.false_pos
        return self.true_pos / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_pos + self.false_neg
        return self.true_pos / wanted if wanted else 1.0


class PairsError(ValueError):
    """A pairs file naming an item that does not exist; the message is French."""


def load_pairs(path: Path, demo_items: Iterable[Item]) -> list[Pair]:
    """The labelled pairs: those of the file, then every other two demo items as different."""
    raw = load_toml(path, SCHEMA)
    demo = {item.id: item for item in demo_items}
    items = dict(demo)
    for entry in raw.get("item", []):
        items[entry["id"]] = Item(
            entry["id"], entry["title"], entry["text"], date.fromisoformat(entry["date"])
        )
    pairs, labelled = [], set()
    for n, entry in enumerate(raw["pair"]):
        missing = [key for key in ("a", "b") if entry[key] not in items]
        if missing:
            raise PairsError(
                f"{path.name}, pair[{n}].{missing[0]} : item inconnu « {entry[missing[0]]} »"
            )
        pairs.append(
            Pair(items[entry["a"]], items[entry["b"]], entry["same"], entry.get("note", ""))
        )
        labelled.add(frozenset((entry["a"], entry["b"])))
    for a, b in itertools.combinations(sorted(demo), 2):
        if frozenset((a, b)) not in labelled:
            pairs.append(Pair(demo[a], demo[b], False, "deux actualités du web de démonstration"))
    return pairs


def scored(pairs: list[Pair]) -> list[tuple[Pair, float]]:
    """Each pair with the estimated similarity of its two items."""
    signatures: dict[str, Any] = {}
    for pair in pairs:
        for item in (pair.a, pair.b):
            if item.id not in signatures:
                signatures[item.id] = dedup.signature(f"{item.title}\n{item.text}")
    return [(p, dedup.similarity(signatures[p.a.id], signatures[p.b.id])) for p in pairs]


def measure(similar: list[tuple[Pair, float]], threshold: float, window: bool) -> Scores:
    counts = {(True, True): 0, (True, False): 0, (False, True): 0, (False, False): 0}
    for pair, value in similar:
        close = not window or dedup.close_in_time(pair.a.day, pair.b.day)
        counts[(close and value >= threshold, pair.same)] += 1
    return Scores(
        threshold,
        window,
        counts[(True, True)],
        counts[(True, False)],
        counts[(False, True)],
        counts[(False, False)],
    )


def report(pairs: list[Pair], detail: bool = False) -> str:
    """The French report: precision and recall by threshold, with and without the window."""
    similar = scored(pairs)
    same = sum(1 for p in pairs if p.same)
    lines = [
        f"{len(pairs)} paires étiquetées : {same} de la même histoire, {len(pairs) - same} "
        f"d'histoires différentes ; fenêtre de {dedup.DAYS_APART} jours.",
        f"{'seuil':<8}{'fenêtre : précision':>19} {'rappel':>7}{'':3}"
        f"{'sans fenêtre : précision':>24} {'rappel':>7}",
    ]
    for threshold in sorted({*THRESHOLDS, dedup.THRESHOLD}):
        with_window, without = measure(similar, threshold, True), measure(similar, threshold, False)
        mark = f"{'':2}← la règle" if threshold == dedup.THRESHOLD else ""
        lines.append(
            f"{threshold:<8.2f}{_pct(with_window.precision):>19} {_pct(with_window.recall):>7}"
            f"{'':3}{_pct(without.precision):>24} {_pct(without.recall):>7}{mark}"
        )
    lines.append(_margins(similar))
    if detail:
        lines += _errors(similar)
    return "\n".join(lines)


def _pct(value: float) -> str:
    return f"{decimal(value * 100, 1)} %"


def _margins(similar: list[tuple[Pair, float]]) -> str:
    lowest = min((v for p, v in similar if p.same), default=0.0)
    close = [v for p, v in similar if not p.same and dedup.close_in_time(p.a.day, p.b.day)]
    highest = max(close, default=0.0)
    return (
        f"similarité la plus basse d'une même histoire : {lowest:.2f} ; la plus haute de deux "
        f"histoires proches dans le temps : {highest:.2f}"
    )


def _errors(similar: list[tuple[Pair, float]]) -> list[str]:
    out = []
    for pair, value in similar:
        found = dedup.close_in_time(pair.a.day, pair.b.day) and value >= dedup.THRESHOLD
        if found != pair.same:
            what = "confondues" if found else "manquée"
            out.append(f"  {what} ({value:.2f}) : {pair.a.id} / {pair.b.id} — {pair.note}")
    return out or ["  aucune erreur avec la règle"]
