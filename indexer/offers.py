"""What an offer is for and what it brings: cues read in an offer page's words.

`data/offer_cues.toml` lists, for each kind of audience (« PME », « start-up »…) and of help
(« financement », « formation »…), the expressions that reveal it. The indexer reads them in
every page it classes as an offer and stores the result with the page (`extra["offer"]`), so the
catalogue never reads thousands of texts again; `load_cues` checks the file (every error at
once, in French, naming the entry and the key).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

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


def load_cues(path: Path = CUES_FILE) -> Cues:
    """The cue file, checked: every error at once, in French, naming the entry and the key."""
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path.name} : TOML invalide ({exc})") from exc
    errors: list[str] = []
    groups: dict[str, tuple[Cue, ...]] = {}
    for group in ("audience", "benefit"):
        cues, seen = [], set()
        for i, entry in enumerate(raw.get(group, []), start=1):
            where = f"{path.name}, {group}[{i}] « {entry.get('id', '?')} »"
            cue_id, label = entry.get("id"), entry.get("label")
            if not isinstance(cue_id, str) or not re.fullmatch(r"[a-z0-9-]+", cue_id):
                errors.append(
                    f"{where}, id : identifiant invalide (lettres minuscules, chiffres et tirets)"
                )
            elif cue_id in seen:
                errors.append(f"{where}, id : identifiant en double")
            seen.add(cue_id)
            if not isinstance(label, str) or not label.strip():
                errors.append(f"{where}, label : libellé manquant")
            compiled = []
            for j, pattern in enumerate(entry.get("patterns", [])):
                try:
                    compiled.append(re.compile(pattern, re.I))
                except (re.error, TypeError) as exc:
                    errors.append(f"{where}, patterns[{j}] : expression régulière invalide ({exc})")
            if not compiled:
                errors.append(f"{where}, patterns : au moins une expression est nécessaire")
            cues.append(Cue(str(cue_id), str(label), tuple(compiled)))
        groups[group] = tuple(cues)
    if errors:
        raise ValueError("\n".join(errors))
    return Cues(groups["audience"], groups["benefit"])


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
