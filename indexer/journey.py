"""The six steps of the export journey and the kinds of page, from `journey.toml`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from portail.schema import Field, List, Map, Num, Str, Table, load_toml

JOURNEY_FILE = Path(__file__).resolve().parent / "journey.toml"
STEP_IDS = ("diagnostic", "informer", "strategie", "prospecter", "gerer", "implanter")
KIND_IDS = ("offer", "guide", "event", "news", "contact", "country", "vie", "other")


@dataclass(frozen=True)
class Step:
    id: str
    label: str
    short: str
    description: str
    number: int
    terms: dict[str, float] = field(default_factory=dict)


def _terms(table: dict[str, Any]) -> str | None:
    from indexer.lexicon import check_terms

    problems = check_terms(table, "terms")
    return "; ".join(p.removeprefix("terms, ") for p in problems) or None


SCHEMA = Table(
    {
        "step": Field(
            List(
                Table(
                    {
                        "id": Field(Str(choices=STEP_IDS), required=True),
                        "label": Field(Str(nonempty=True), required=True, help="libellé"),
                        "short": Field(Str(nonempty=True), required=True, help="question courte"),
                        "description": Field(Str(nonempty=True), required=True),
                        "terms": Field(
                            Map(Num(0, 10), check=_terms),
                            required=True,
                            help="termes pondérés du classifieur",
                        ),
                        "query_cues": Field(
                            Map(Num(0, 10)), help="mots d'une recherche qui désignent l'étape"
                        ),
                    }
                ),
                check=lambda steps: (
                    None
                    if [s.get("id") for s in steps] == list(STEP_IDS)
                    else f"les six étapes sont attendues dans l'ordre : {', '.join(STEP_IDS)}"
                ),
            ),
            required=True,
        ),
        "kinds": Field(Map(Str(nonempty=True), key=Str(choices=KIND_IDS)), required=True),
    }
)


@cache
def journey() -> dict[str, Any]:
    return load_toml(JOURNEY_FILE, SCHEMA)


@cache
def steps() -> tuple[Step, ...]:
    """The six steps, in journey order."""
    return tuple(
        Step(s["id"], s["label"], s["short"], s["description"], i, dict(s.get("terms", {})))
        for i, s in enumerate(journey()["step"], start=1)
    )


def step(step_id: str) -> Step | None:
    return next((s for s in steps() if s.id == step_id), None)


def kind_labels() -> dict[str, str]:
    return dict(journey()["kinds"])
