"""The six steps of the export journey and the kinds of page, from `journey.toml`."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

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


@cache
def journey() -> dict[str, Any]:
    return tomllib.loads(JOURNEY_FILE.read_text("utf-8"))


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
