"""What an offer is for and what it brings: cues read in an offer page's words.

`data/offer_cues.toml` lists, for each kind of audience (« PME », « start-up »…) and of help
(« financement », « formation »…), the expressions that reveal it. The indexer reads them in
every page it classes as an offer and stores the result with the page (`extra["offer"]`), so the
catalogue never reads thousands of texts again; `load_cues` checks the file (every error at
once, in French, naming the entry and the key).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from portail.schema import Field, List, Path_, Str, Table, load_toml

CUES_FILE = Path(__file__).resolve().parent / "data" / "offer_cues.toml"
TITLE_SCORE, DESCRIPTION_SCORE, TEXT_CAP = 3, 2, 5
AUDIENCE_MIN, BENEFIT_MIN, BENEFITS_SHOWN = 1, 3, 3
SUMMARY_CHARS = 400


@dataclass(frozen=True)
class Cue:
    id: str
    label: str
    patterns: tuple[re.Pattern[str], ...]

    def score(self, title: str, description: str, text: str) -> int:
        found = sum(len(p.findall(text)) for p in self.patterns)
        return (
            TITLE_SCORE * any(p.search(title) for p in self.patterns)
            + DESCRIPTION_SCORE * any(p.search(description) for p in self.patterns)
            + min(TEXT_CAP, found)
        )


@dataclass(frozen=True)
class Cues:
    audience: tuple[Cue, ...]
    benefit: tuple[Cue, ...]

    def labels(self, group: str) -> dict[str, str]:
        return {c.id: c.label for c in getattr(self, group)}


def _regex(pattern: str) -> str | None:
    try:
        re.compile(pattern, re.I)
    except re.error as exc:
        return f"expression régulière invalide ({exc})"
    return None


def _identifier(value: str) -> str | None:
    if re.fullmatch(r"[a-z0-9-]+", value):
        return None
    return "identifiant invalide (lettres minuscules, chiffres et tirets)"


CUE = Table(
    {
        "id": Field(
            Str(check=_identifier),
            required=True,
            help="identifiant, dans l'adresse du filtre (/offres?public=pme)",
        ),
        "label": Field(Str(nonempty=True), required=True, help="ce que la page affiche"),
        "patterns": Field(
            List(Str(check=_regex), min_items=1), required=True, help="expressions régulières"
        ),
    }
)
SCHEMA = Table({"audience": Field(List(CUE)), "benefit": Field(List(CUE))})


def _duplicates(raw: dict[str, Any]) -> list[tuple[Path_, str]]:
    problems: list[tuple[Path_, str]] = []
    for group in ("audience", "benefit"):
        seen: set[str] = set()
        for i, entry in enumerate(raw.get(group, [])):
            if entry["id"] in seen:
                problems.append(((group, i, "id"), "identifiant en double"))
            seen.add(entry["id"])
    return problems


def load_cues(path: Path = CUES_FILE) -> Cues:
    """The cue file, checked: every error at once, in French, with its line and key."""
    raw = load_toml(path, SCHEMA, _duplicates)
    audience, benefit = (
        tuple(
            Cue(e["id"], e["label"], tuple(re.compile(p, re.I) for p in e["patterns"]))
            for e in raw.get(group, [])
        )
        for group in ("audience", "benefit")
    )
    return Cues(audience, benefit)


@cache
def cues() -> Cues:
    return load_cues()


def offer_fields(
    title: str, description: str, text: str, found: Cues | None = None
) -> dict[str, Any]:
    """Who an offer is for, what it brings (its three strongest kinds of help) and its summary
    (the description, else the first paragraph of the text after the title)."""
    found = found or cues()
    scored = [(c, c.score(title, description, text)) for c in found.benefit]
    benefits = sorted((cs for cs in scored if cs[1] >= BENEFIT_MIN), key=lambda cs: -cs[1])
    lines = [line for line in text.splitlines()[1:] if len(line) > 80]
    return {
        "audience": [
            c.id for c in found.audience if c.score(title, description, text) >= AUDIENCE_MIN
        ],
        "benefits": [c.id for c, _ in benefits[:BENEFITS_SHOWN]],
        "summary": description or (lines[0] if lines else "")[:SUMMARY_CHARS],
    }
