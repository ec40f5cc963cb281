"""Query expansion with the editable synonym groups of `synonyms.toml`."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from indexer.analysis import fold, join_acronyms
from portail.schema import Field, List, Str, Table, load_toml

SYNONYMS_FILE = Path(__file__).resolve().parent / "synonyms.toml"


SCHEMA = Table(
    {
        "groups": Field(
            List(
                List(
                    Str(nonempty=True),
                    check=lambda group: (
                        None
                        if len({_norm(v) for v in group}) >= 2
                        else "un groupe a au moins deux variantes distinctes"
                    ),
                )
            ),
            required=True,
        )
    }
)


@cache
def groups() -> tuple[tuple[str, ...], ...]:
    raw = load_toml(SYNONYMS_FILE, SCHEMA)
    return tuple(tuple(g) for g in raw["groups"])


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    out = []
    for group in groups():
        variants = sorted({_norm(v) for v in group}, key=len, reverse=True)
        alternation = "|".join(re.escape(v) for v in variants)
        out.append((re.compile(rf"(?<![\w'’])(?:{alternation})(?![\w'’])"), group))
    return tuple(out)


def _norm(text: str) -> str:
    return " ".join(fold(join_acronyms(text)).replace("’", "'").split())


def _quoted(variant: str) -> str:
    words = join_acronyms(variant).replace('"', " ")
    return f'"{words}"' if " " in words.strip() or "'" in words else words


def expand_synonyms(text: str) -> str:
    """Rewrite a query so that each synonym also matches: « crédoc » → (credoc OR "…")."""
    normalised = _norm(text)
    if '"' in text:
        return text  # the user quoted words on purpose: take them literally
    out: list[str] = []
    pos = 0
    spans: list[tuple[int, int, tuple[str, ...]]] = []
    for pattern, group in _patterns():
        for m in pattern.finditer(normalised):
            if not any(a < m.end() and m.start() < b for a, b, _ in spans):
                spans.append((m.start(), m.end(), group))
    if not spans:
        return text
    for start, end, group in sorted(spans):
        out.append(normalised[pos:start])
        alternatives = " OR ".join(dict.fromkeys(_quoted(v) for v in group))
        out.append(f"({alternatives})")
        pos = end
    out.append(normalised[pos:])
    return "".join(out)
