"""Classify a page: its step of the export journey, its kind, and what it is about.

Two voices, combined:

- **The rules**, transparent and tuned by editors in data files: the journey's weighted terms
  (`journey.toml`, matched on the page's analysed words, see `indexer.lexicon`) and the step
  rules (`data/steps.toml`, `indexer.steps`); the kind cues (`data/kinds.toml`,
  `indexer.kinds`); the export vocabulary (`data/relevance.toml`, `indexer.relevance`); the
  places and sectors (`indexer.gazetteers`, `indexer.sectors`).
- **The model** (`data/model.json`, `indexer.model`), trained by `portail train` on the
  labelled pages of the repository: it gives the probability that a page is export support,
  and the probabilities of its step and kind.

The step and the kind blend the rules' scores (normalised, a share of RULES_SHARE_STEPS and
RULES_SHARE_KINDS) with the model's probabilities; the relevance comes in three bands of the
model's probability (`indexer.relevance`). The shares and thresholds were chosen by
cross-validation across the writers of the dev half (`portail eval --cross-validate`).
**Pins** (`pins.toml`) fix the step and/or the kind of a URL and win over everything; the
editors' corrections (`indexer.corrections`) are applied after.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from indexer.gazetteers import country_salience, find_regions, salient_countries
from indexer.journey import KIND_IDS, STEP_IDS
from indexer.kinds import kind_scores
from indexer.lexicon import TITLE_WEIGHT, Lexicon, Tally, Tokens
from indexer.model import Model, default_model, features
from indexer.page import Page
from indexer.relevance import COUNTRY_EVIDENCE, EVIDENCE_MIN_WEIGHT, evidence, vocabulary
from indexer.relevance import decide as decide_relevance
from indexer.sectors import salient_sectors, sector_scores
from indexer.steps import KIND_STEP, decide, step_lexicon, step_scores
from indexer.titles import without_site_name
from portail.schema import Field, List, Str, Table, load_toml

PINS_FILE = Path(__file__).resolve().parent / "pins.toml"
# Steps and kinds: the rules' share in the blended scores, the model having the rest (chosen by
# cross-validation across the dev writers).
RULES_SHARE_STEPS = 0.2
RULES_SHARE_KINDS = 0.35


@dataclass(frozen=True)
class Classification:
    step: str | None
    steps: dict[str, float]
    relevant: bool
    kind: str
    countries: list[str]
    regions: list[str]
    sectors: list[str]
    confidence: float = 1.0  # how sure the relevance decision is (the model's probability)
    review: bool = False  # borderline: kept out of the journey, searchable, « à vérifier »
    candidate: str | None = None  # a page to review: the step it would have if kept


# -- pins ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pin:
    step: str | None  # None: not pinned; "" : pinned off-topic
    kind: str | None


def _http(url: str) -> str | None:
    return None if url.startswith(("http://", "https://")) else "doit être une adresse http(s)"


def _pin_has_something(entry: dict[str, Any]) -> str | None:
    return None if "step" in entry or "kind" in entry else "indiquer « step », « kind » ou les deux"


PINS_SCHEMA = Table(
    {
        "pin": Field(
            List(
                Table(
                    {
                        "url": Field(Str(check=_http), required=True, help="l'adresse épinglée"),
                        "step": Field(
                            Str(choices=("", *STEP_IDS)), help='l\'étape, ou "" : hors sujet'
                        ),
                        "kind": Field(Str(choices=KIND_IDS), help="le type de page"),
                        "note": Field(Str(), help="pourquoi elle est épinglée"),
                    },
                    check=_pin_has_something,
                )
            )
        )
    }
)


def load_pins(path: Path = PINS_FILE) -> dict[str, Pin]:
    """The editors' pins, checked; every error reported at once, in French (DataError)."""
    if not path.exists():
        return {}
    raw = load_toml(path, PINS_SCHEMA, labels={"pin": "url"})
    return {
        _pin_key(entry["url"]): Pin(entry.get("step"), entry.get("kind"))
        for entry in raw.get("pin", [])
    }


def _pin_key(url: str) -> str:
    return url.rstrip("/")


# -- the classifier -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rules:
    """The rules' findings on a page."""

    raw: dict[str, float]  # the step lexicon's scores
    kinds: dict[str, float]
    evidence: float  # export vocabulary (and a foreign country named)
    countries: list[str]
    sectors: dict[str, float]  # the sector lexicon's scores, in the page and in its title
    title_sectors: dict[str, float]


@dataclass(frozen=True)
class _Learned:
    """The model's view of a page: its vector and the three heads' probabilities."""

    model: Model
    vector: tuple[Any, Any]
    relevant: float
    steps: dict[str, float]
    kinds: dict[str, float]

    @classmethod
    def of(cls, page: Page, model: Model | None) -> _Learned | None:
        if model is None:
            return None
        vector = model.vector(features(page.title, page.text, page.description, page.url))
        return cls(
            model,
            vector,
            model.proba("relevant", vector)["relevant"],
            model.proba("step", vector),
            model.proba("kind", vector),
        )


class Classifier:
    """Step lexicon, export vocabulary, pins and model, loaded once."""

    def __init__(self, pins_file: Path = PINS_FILE, model: Model | bool | None = True) -> None:
        """`model`: the repository's trained model (True), another one, or none (False)."""
        self.lexicon = step_lexicon()
        self.export_lexicon = vocabulary().export
        self.pins = load_pins(pins_file)
        self.model = default_model() if model is True else (model or None)

    def classify(
        self,
        url: str,
        title: str,
        text: str,
        *,
        structured: dict | None = None,
        source_id: str | None = None,
        source_region: str | None = None,
        description: str = "",
    ) -> Classification:
        # `source_id` is accepted but unused on purpose: per-source priors would fit the rules
        # to today's sites instead of the pages' words.
        # The site's name at the end of an HTML title says nothing of the step or the kind;
        # it may still name a region (« … - Team France Export Bretagne »).
        page = Page.build(url, without_site_name(title, url), text, description, structured)
        rules = self._rules(page, title, text, description, url)
        regions = find_regions(title, text, source_region, description, url)
        learned = _Learned.of(page, self.model)
        relevant, confidence, review = decide_relevance(
            page, rules.evidence, learned.relevant if learned else None
        )
        if structured and structured.get("hub"):
            # Listings, calendars and home pages (flagged by the crawler) lead to content;
            # they are not content themselves. A pin can still say otherwise.
            relevant, review = False, False
        kind = _blend(rules.kinds, learned.kinds if learned else None, RULES_SHARE_KINDS, KIND_IDS)
        kind = kind if relevant or review else "other"
        scores = _blended(
            step_scores(rules.raw, page, kind),
            learned.steps if learned else None,
            RULES_SHARE_STEPS,
            STEP_IDS,
        )
        if learned and kind in KIND_STEP:  # a V.I.E. offer is, by definition, a presence abroad
            scores = {s: float(s == KIND_STEP[kind]) for s in STEP_IDS}
        pin = self.pins.get(_pin_key(url))
        if pin and pin.step is not None:
            relevant, review, confidence = pin.step != "", False, 1.0
            scores = {s: float(s == pin.step) for s in STEP_IDS}
        if pin and pin.kind:
            kind = pin.kind
        elif pin and not relevant:
            kind = "other"
        candidate = decide(scores)[0] if review else None
        step, normalised = decide(scores) if relevant else (None, dict.fromkeys(STEP_IDS, 0.0))
        return Classification(
            step,
            normalised,
            relevant,
            kind,
            _countries(kind, rules.countries, regions),
            regions,
            salient_sectors(rules.sectors, rules.title_sectors, title_only=kind == "country"),
            confidence,
            review,
            candidate,
        )

    def _rules(self, page: Page, title: str, text: str, description: str, url: str) -> _Rules:
        """What the transparent rules say of a page."""
        fields = page.fields()
        frequencies = _frequencies(self.lexicon, fields)
        countries = salient_countries(country_salience(title, text, description, url))
        export = self.export_lexicon.score(_frequencies(self.export_lexicon, fields))["export"]
        found = evidence(self.lexicon, frequencies, export) + COUNTRY_EVIDENCE * bool(countries)
        return _Rules(
            self.lexicon.score(frequencies),
            kind_scores(page, countries),
            found,
            countries,
            sector_scores(fields),
            sector_scores([(page.title_tokens, TITLE_WEIGHT)]),
        )

    def explain(
        self,
        url: str,
        title: str,
        text: str,
        description: str = "",
        *,
        structured: dict | None = None,
        source_region: str | None = None,
    ) -> Explanation:
        """Why a page is classified as it is: the journey's terms found on it and the words
        that weighed most in the model's part, each toward (+) or against (−) the decision."""
        result = self.classify(
            url,
            title,
            text,
            structured=structured,
            source_region=source_region,
            description=description,
        )
        page = Page.build(url, without_site_name(title, url), text, description, structured)
        step = result.step or result.candidate
        learned = _Learned.of(page, self.model)
        features: dict[str, list[tuple[str, float]]] = {}
        if learned is not None:
            model, vector = learned.model, learned.vector
            relevance = model.heads["relevant"].labels[1 if result.relevant else 0]
            features["pertinence"] = model.explain("relevant", vector, relevance)
            if step:
                features["étape"] = model.explain("step", vector, step)
            if result.relevant or result.review:
                features["type"] = model.explain("kind", vector, result.kind)
        return Explanation(result, step, self._step_terms(page, step), features)

    def _step_terms(self, page: Page, step: str | None, n: int = 10) -> list[Term]:
        """The journey's terms found on a page, strongest first: toward `step` (+), or toward
        another step (−, named); without a step, the strong ones (export evidence) pleaded
        against keeping the page out."""
        found: dict[tuple[str, str | None], float] = {}
        for index, tf in _frequencies(self.lexicon, page.fields()).items():
            entry = self.lexicon.entries[index]
            damped = math.log2(1.0 + tf)
            toward: str | None = None
            if step and entry.weights.get(step, 0.0) > 0:
                weight = entry.weights[step] * damped
            else:
                toward = max(entry.weights, key=lambda label: entry.weights[label])
                weight = -entry.weights[toward] * damped
                if not step and entry.weights[toward] < EVIDENCE_MIN_WEIGHT:
                    continue
            key = (entry.term, toward)
            if weight:
                found[key] = found.get(key, 0.0) + weight
        ranked = sorted(found.items(), key=lambda pair: -abs(pair[1]))[:n]
        return [Term(term, round(weight, 2), other) for (term, other), weight in ranked]


@dataclass(frozen=True)
class Term:
    """A journey term found on a page: its weight for the decision, and the step it pulls
    toward when that is another one."""

    term: str
    weight: float
    other_step: str | None = None


@dataclass(frozen=True)
class Explanation:
    """A page's classification and why: the step terms of the rules, the model's features."""

    result: Classification
    step: str | None  # the step decided, or the one a page to review would have
    terms: list[Term]
    features: dict[str, list[tuple[str, float]]]  # per head of the model, strongest first


def _frequencies(lexicon: Lexicon, fields: Iterable[tuple[Tokens, float]]) -> Tally[int]:
    frequencies: Tally[int] = Tally()
    for tokens, weight in fields:
        for index, count in lexicon.count(tokens).items():
            frequencies[index] += weight * count
    return frequencies


def _normalised(scores: Mapping[str, float]) -> dict[str, float]:
    total = sum(v for v in scores.values() if v > 0)
    return {k: (max(v, 0.0) / total if total else 0.0) for k, v in scores.items()}


def _blended(
    rules: Mapping[str, float],
    learned: Mapping[str, float] | None,
    share: float,
    labels: tuple[str, ...],
) -> dict[str, float]:
    """The rules' scores (normalised) with `share` of the weight, the model's probabilities
    with the rest; the rules alone without a model."""
    if not learned:
        return {label: rules.get(label, 0.0) for label in labels}
    mine = _normalised(rules)
    weight = share if any(mine.values()) else 0.0
    return {
        label: weight * mine.get(label, 0.0) + (1 - weight) * learned.get(label, 0.0)
        for label in labels
    }


def _countries(kind: str, countries: list[str], regions: list[str]) -> list[str]:
    """A contact page of an office in a French region is no country's contact, even when it
    names one (« Grand Est : un diagnostic export aux portes de l'Allemagne »)."""
    return [] if kind == "contact" and regions else countries


def _blend(
    rules: Mapping[str, float],
    learned: Mapping[str, float] | None,
    share: float,
    labels: tuple[str, ...],
) -> str:
    """The best label of the blended scores (ties: the first label)."""
    scores = _blended(rules, learned, share, labels)
    return max(labels, key=lambda label: (scores[label], -labels.index(label)))


@cache
def default_classifier() -> Classifier:
    return Classifier()


def classify_page(
    url: str,
    title: str,
    text: str,
    *,
    structured: dict | None = None,
    source_id: str | None = None,
    source_region: str | None = None,
    description: str = "",
) -> Classification:
    """Classify one stored page (see the module docstring for the rules)."""
    return default_classifier().classify(
        url,
        title,
        text,
        structured=structured,
        source_id=source_id,
        source_region=source_region,
        description=description,
    )


def classify_record(record: dict) -> dict:
    """For `portail classify`: {"id","url","title","text"} → the classification as JSON."""
    result = classify_page(
        str(record.get("url") or ""), str(record.get("title") or ""), str(record.get("text") or "")
    )
    return {
        "id": record.get("id"),
        "step": result.step,
        "steps": result.steps,
        "relevant": result.relevant,
        "kind": result.kind,
        "countries": result.countries,
        "regions": result.regions,
        "sectors": result.sectors,
    }
