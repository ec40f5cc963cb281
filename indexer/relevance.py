"""Is a page about export support? The evidence of the rules and the model's confidence.

The rules count the export vocabulary: the journey's strong terms and the words of
`data/relevance.toml` that say « export » without pointing at a step (French and English),
plus a foreign country named. A service page (legal notice, cookies, error) is never relevant,
nor a page with almost no export vocabulary. Otherwise the model's probability decides, in
three bands: relevant, to review (out of the journey, searchable, « à vérifier »), off-topic.
Without a model, the vocabulary's density decides, and English pages are out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from indexer.lexicon import Lexicon, check_terms
from indexer.page import Page
from portail.schema import Field, Map, Num, Str, Table, load_toml, regex_problem

RELEVANCE_FILE = Path(__file__).resolve().parent / "data" / "relevance.toml"
EVIDENCE_MIN_WEIGHT = 2.0  # journey terms this strong count as export evidence
COUNTRY_EVIDENCE = 3.0  # a page about a foreign country is a step towards export
# Without the model: the evidence must reach RELEVANT_MIN_EVIDENCE, and RELEVANCE_DENSITY per
# square root of the page's analysed words (a long page needs more).
RELEVANT_MIN_EVIDENCE = 8.0
RELEVANCE_DENSITY = 0.6
# With the model: a page is relevant from this probability; between REVIEW_FROM and it, it is
# kept out of the journey but stays searchable, flagged « à vérifier » for an editor.
RELEVANT_FROM = 0.55
REVIEW_FROM = 0.3
# Below this much export vocabulary (French or English), a page is off-topic whatever the model
# says: a page with no word the model knows gets only its prior.
EVIDENCE_FLOOR = 3.0


def _terms(table: dict[str, Any]) -> str | None:
    problems = check_terms(table, "terms")
    return "; ".join(p.removeprefix("terms, ") for p in problems) or None


SCHEMA = Table(
    {
        "terms": Field(Map(Num(0, 10), check=_terms), required=True),
        "service_pages": Field(
            Table({"title": Field(Str(nonempty=True, check=regex_problem), required=True)}),
            required=True,
        ),
    }
)


@dataclass(frozen=True)
class Vocabulary:
    export: Lexicon
    service_title: re.Pattern[str]


def load_vocabulary(path: Path = RELEVANCE_FILE) -> Vocabulary:
    raw: dict[str, Any] = load_toml(path, SCHEMA)
    return Vocabulary(Lexicon({"export": raw["terms"]}), re.compile(raw["service_pages"]["title"]))


@cache
def vocabulary() -> Vocabulary:
    return load_vocabulary()


def evidence(steps: Lexicon, step_frequencies: Mapping[int, float], export: float) -> float:
    """The export evidence: each strong journey term's best weight, damped, plus the export
    vocabulary's score."""
    best = (max(steps.entries[i].weights.values()) for i in step_frequencies)
    strong = sum(
        weight * math.log2(1 + tf)
        for weight, tf in zip(best, step_frequencies.values(), strict=True)
        if weight >= EVIDENCE_MIN_WEIGHT
    )
    return strong + export


def decide(page: Page, evidence: float, probability: float | None) -> tuple[bool, float, bool]:
    """(relevant, confidence, to review) — see the module docstring."""
    if vocabulary().service_title.search(page.folded_title) or evidence < EVIDENCE_FLOOR:
        return False, 1.0, False
    if probability is None:
        size = max(len(page.body), 1)
        dense = evidence >= max(RELEVANT_MIN_EVIDENCE, RELEVANCE_DENSITY * math.sqrt(size))
        return dense and not page.english(), 1.0, False
    if probability >= RELEVANT_FROM:
        return True, probability, False
    return False, 1.0 - probability, probability >= REVIEW_FROM
