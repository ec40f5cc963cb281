"""The step of the journey by the rules: the journey's weighted terms (`journey.toml`), then
the kind, URL and title rules of `data/steps.toml`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from indexer.journey import STEP_IDS, steps
from indexer.kinds import cues as kind_cues
from indexer.lexicon import Lexicon, check_terms
from indexer.page import Page
from portail.schema import Field, Map, Num, Str, Table, load_toml, regex_problem

STEPS_FILE = Path(__file__).resolve().parent / "data" / "steps.toml"
# A V.I.E. job offer is, by definition, a lasting presence abroad.
KIND_STEP = {"vie": "implanter"}


SCHEMA = Table(
    {
        "assessment_title": Field(Str(nonempty=True, check=regex_problem), required=True),
        "url": Field(
            Table(
                {
                    "bonus": Field(Num(0, 20), required=True),
                    "words": Field(Map(Str(choices=STEP_IDS)), required=True),
                }
            ),
            required=True,
        ),
    }
)


@dataclass(frozen=True)
class StepRules:
    assessment_title: re.Pattern[str]
    url_bonus: float
    url_words: dict[str, str]


def load_rules(path: Path = STEPS_FILE) -> StepRules:
    raw: dict[str, Any] = load_toml(path, SCHEMA)
    return StepRules(
        re.compile(raw["assessment_title"]), float(raw["url"]["bonus"]), dict(raw["url"]["words"])
    )


@cache
def rules() -> StepRules:
    return load_rules()


@cache
def step_lexicon() -> Lexicon:
    """The journey's terms of every step, checked."""
    tables: dict[str, Mapping[str, float]] = {}
    errors = []
    for step in steps():
        errors += check_terms(step.terms, f"journey.toml, étape « {step.id} », terms")
        tables[step.id] = step.terms
    if errors:
        raise ValueError("\n".join(errors))
    return Lexicon(tables)


def step_scores(raw: Mapping[str, float], page: Page, kind: str) -> dict[str, float]:
    """The lexicon's scores with the kind's lean, the URL's hints and the title rules."""
    r = rules()
    scores = {s: raw.get(s, 0.0) for s in STEP_IDS}
    bonus = kind_cues().step_bonus.get(kind)
    if bonus:
        scores[bonus[0]] += bonus[1]
    for segment in page.segments:
        if segment in r.url_words:
            scores[r.url_words[segment]] += r.url_bonus
    if kind in KIND_STEP:
        scores[KIND_STEP[kind]] = max(scores.values()) + r.url_bonus
    elif r.assessment_title.search(page.folded_title):
        scores["diagnostic"] = max(scores.values()) + r.url_bonus
    return scores


def decide(scores: Mapping[str, float]) -> tuple[str, dict[str, float]]:
    """The best step and the scores normalised to sum to 1."""
    total = sum(scores.values())
    if total <= 0:
        return "informer", {s: float(s == "informer") for s in STEP_IDS}
    normalised = {s: round(scores[s] / total, 4) for s in STEP_IDS}
    best = max(STEP_IDS, key=lambda s: scores[s])
    return best, normalised
