"""Sectors of activity: the `sector` facet, from the weighted terms of `data/sectors.toml`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from indexer.lexicon import (
    DESCRIPTION_WEIGHT,
    TITLE_WEIGHT,
    Lexicon,
    Tally,
    Tokens,
    analyse,
    check_terms,
)
from portail.schema import Field, List, Map, Num, Path_, Str, Table, load_toml

SECTORS_FILE = Path(__file__).resolve().parent / "data" / "sectors.toml"
# A sector is salient when its terms score this much in the page (see `Lexicon.score`): a page
# devoted to it, not one that names it in passing; or this much in the title alone.
SECTOR_MIN_SCORE = 12.0
SECTOR_TITLE_SCORE = 4.0


def _terms(table: dict[str, Any]) -> str | None:
    problems = check_terms(table, "terms")
    return "; ".join(p.removeprefix("terms, ") for p in problems) or None


SCHEMA = Table(
    {
        "sector": Field(
            List(
                Table(
                    {
                        "id": Field(Str(pattern="[a-z0-9-]+"), required=True, help="identifiant"),
                        "label": Field(Str(nonempty=True), required=True, help="libellé"),
                        "terms": Field(Map(Num(0, 10), check=_terms), required=True),
                    }
                ),
                min_items=1,
            ),
            required=True,
        )
    }
)


def duplicates(raw: dict[str, Any]) -> list[tuple[Path_, str]]:
    ids = [s["id"] for s in raw["sector"]]
    return [
        (("sector", i, "id"), "identifiant en double") for i, x in enumerate(ids) if x in ids[:i]
    ]


@cache
def _sector_data() -> list[dict[str, Any]]:
    return list(load_toml(SECTORS_FILE, SCHEMA, duplicates)["sector"])


def sectors() -> dict[str, str]:
    """Sector id → French label, in file order."""
    return {str(s["id"]): str(s["label"]) for s in _sector_data()}


@cache
def sector_lexicon() -> Lexicon:
    return Lexicon({str(s["id"]): s.get("terms", {}) for s in _sector_data()})  # type: ignore[misc]


def sector_scores(fields: Iterable[tuple[Tokens, float]]) -> dict[str, float]:
    """Sector scores of a page given its analysed fields and their weights."""
    lexicon = sector_lexicon()
    frequencies: Tally[int] = Tally()
    for tokens, weight in fields:
        for index, count in lexicon.count(tokens).items():
            frequencies[index] += weight * count
    return lexicon.score(frequencies)


def salient_sectors(
    scores: Mapping[str, float],
    title_scores: Mapping[str, float] | None = None,
    *,
    title_only: bool = False,
) -> list[str]:
    """The sectors a page is devoted to: scored high in the page, or named in its title.

    `title_only` for a country page: its body goes through the country's promising sectors
    (energy, health, agrifood…) without being devoted to any; only its title can say it is.
    """
    title_scores = title_scores or {}
    body_score = float("inf") if title_only else SECTOR_MIN_SCORE
    kept = [
        s
        for s, score in scores.items()
        if score >= body_score or title_scores.get(s, 0.0) >= SECTOR_TITLE_SCORE
    ]
    return sorted(kept, key=lambda s: -scores[s])


def find_sectors(title: str, text: str, description: str = "") -> list[str]:
    """Ids of the sectors a page is about, most salient first."""
    titled = (analyse(title), TITLE_WEIGHT)
    fields = [titled, (analyse(description), DESCRIPTION_WEIGHT), (analyse(text), 1.0)]
    return salient_sectors(sector_scores(fields), sector_scores([titled]))
