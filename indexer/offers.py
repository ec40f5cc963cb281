"""What an offer is for and what it brings: cues read in an offer page's words.

`data/offer_cues.toml` lists, for each kind of audience (« PME », « start-up »…) and of help
(« financement », « formation »…), the expressions that reveal it. The indexer reads them in
every page it classes as an offer and stores the result with the page (`extra["offer"]`), so the
catalogue never reads thousands of texts again; `load_cues` checks the file (every error at
once, in French, naming the entry and the key).

An audience named is not an audience required: an offer for « primo-exportateurs » is open to
TPE too. What an offer leaves out (`excluded`) is read apart: the audiences its words exclude
(« hors TPE », « les start-up ne sont pas éligibles ») and, when it is reserved to some
(« réservé aux ETI »), the others of their group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from portail.schema import Field, Int, List, Path_, Str, Table, load_toml, regex_problem

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
class Audience(Cue):
    group: str = ""  # audiences of one group are alternatives (« taille », « experience »)
    within: tuple[str, ...] = ()  # the audiences it is part of (a TPE is a PME)


@dataclass(frozen=True)
class Exclusion:
    """The expressions that exclude an audience, or reserve an offer to some."""

    before: tuple[re.Pattern[str], ...] = ()
    after: tuple[re.Pattern[str], ...] = ()
    reserved: tuple[re.Pattern[str], ...] = ()
    headings: tuple[re.Pattern[str], ...] = ()
    reach: int = 60


@dataclass(frozen=True)
class Cues:
    audience: tuple[Audience, ...]
    benefit: tuple[Cue, ...]
    exclusion: Exclusion = Exclusion()

    def labels(self, group: str) -> dict[str, str]:
        return {c.id: c.label for c in getattr(self, group)}


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
            List(Str(check=regex_problem), min_items=1),
            required=True,
            help="expressions régulières",
        ),
    }
)
AUDIENCE = Table(
    {
        **CUE.fields,
        "group": Field(
            Str(check=_identifier),
            help="groupe d'audiences qui s'excluent (une offre réservée à l'une écarte les autres)",
        ),
        "within": Field(
            List(Str(check=_identifier), unique=True),
            help="les audiences dont celle-ci fait partie (une TPE est une PME)",
        ),
    }
)
EXPRESSIONS = List(Str(check=regex_problem))
SCHEMA = Table(
    {
        "audience": Field(List(AUDIENCE)),
        "benefit": Field(List(CUE)),
        "exclusion": Field(
            Table(
                {
                    "before": Field(EXPRESSIONS, help="suivies de l'audience exclue (« hors »)"),
                    "after": Field(EXPRESSIONS, help="qui suivent l'audience exclue"),
                    "reserved": Field(EXPRESSIONS, help="suivies des seules audiences servies"),
                    "headings": Field(
                        EXPRESSIONS, help="titres d'une section d'éligibilité (« Pour qui ? »)"
                    ),
                    "reach": Field(Int(10, 300), help="portée en caractères"),
                }
            )
        ),
    }
)


def _duplicates(raw: dict[str, Any]) -> list[tuple[Path_, str]]:
    problems: list[tuple[Path_, str]] = []
    for group in ("audience", "benefit"):
        seen: set[str] = set()
        for i, entry in enumerate(raw.get(group, [])):
            if entry["id"] in seen:
                problems.append(((group, i, "id"), "identifiant en double"))
            seen.add(entry["id"])
    known = {e["id"] for e in raw.get("audience", [])}
    for i, entry in enumerate(raw.get("audience", [])):
        problems += [
            ((("audience", i, "within")), f"audience inconnue « {other} »")
            for other in entry.get("within", [])
            if other not in known
        ]
    return problems


def _compiled(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I) for p in patterns)


def load_cues(path: Path = CUES_FILE) -> Cues:
    """The cue file, checked: every error at once, in French, with its line and key."""
    raw = load_toml(path, SCHEMA, _duplicates)
    audience = tuple(
        Audience(
            e["id"],
            e["label"],
            _compiled(e["patterns"]),
            e.get("group", ""),
            tuple(e.get("within", [])),
        )
        for e in raw.get("audience", [])
    )
    benefit = tuple(
        Cue(e["id"], e["label"], _compiled(e["patterns"])) for e in raw.get("benefit", [])
    )
    rules = raw.get("exclusion", {})
    exclusion = Exclusion(
        _compiled(rules.get("before", [])),
        _compiled(rules.get("after", [])),
        _compiled(rules.get("reserved", [])),
        _compiled(rules.get("headings", [])),
        rules.get("reach", Exclusion.reach),
    )
    return Cues(audience, benefit, exclusion)


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
        "excluded": excluded_audiences("\n".join((title, description, text)), found),
        "benefits": [c.id for c, _ in benefits[:BENEFITS_SHOWN]],
        "summary": description or (lines[0] if lines else "")[:SUMMARY_CHARS],
    }


# -- whom an offer leaves out ----------------------------------------------------------------

CLAUSE_END = re.compile(r"[.;:!?()\n]")
HEADING_CHARS = 80
LINK = re.compile(r"\s*(?:,|\bet\b|\bou\b)?\s*(?:(?:les|des|la|le|aux|l'|l’|d'|d’)\s*)?", re.I)


def excluded_audiences(text: str, found: Cues | None = None) -> list[str]:
    """The audiences an offer's words exclude or, reserving the offer to others of their
    group, leave out (ids, in the file's order)."""
    found = found or cues()
    rules = found.exclusion
    excluded: set[str] = set()
    reserved: set[str] = set()
    for marker in rules.before:
        for m in marker.finditer(text):
            excluded |= _listed_after(text, m.end(), found.audience, rules.reach)
    for marker in rules.reserved:
        for m in marker.finditer(text):
            reserved |= _listed_after(text, m.end(), found.audience, rules.reach)
    for marker in rules.after:
        for m in marker.finditer(text):
            excluded |= _named_before(text, m.start(), found.audience, rules.reach)
    for sentence in _eligibility(text, rules.headings):
        reserved |= {a.id for a in found.audience if any(p.search(sentence) for p in a.patterns)}
    excluded |= _left_out_by(reserved, found.audience)
    return [a.id for a in found.audience if a.id in excluded]


def _listed_after(text: str, pos: int, audience: tuple[Audience, ...], reach: int) -> set[str]:
    """The audiences listed right after `pos` (« hors TPE et micro-entreprises »)."""
    out: set[str] = set()
    limit = pos + reach
    while pos < min(limit, len(text)):
        pos = LINK.match(text, pos).end()  # type: ignore[union-attr]
        named = [
            (m.end(), a.id)
            for a in audience
            for p in a.patterns
            if (m := p.match(text, pos)) is not None
        ]
        if not named:
            break
        out |= {i for _, i in named}
        pos = max(end for end, _ in named)
    return out


def _eligibility(text: str, headings: tuple[re.Pattern[str], ...]) -> list[str]:
    """The first sentence under each eligibility heading (« Entreprises éligibles »)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [
        CLAUSE_END.split(following)[0]
        for line, following in pairwise(lines)
        if len(line) <= HEADING_CHARS and any(h.search(line) for h in headings)
    ]


def _named_before(text: str, pos: int, audience: tuple[Audience, ...], reach: int) -> set[str]:
    """The audiences named in the clause that ends at `pos` (« les TPE ne sont pas… »)."""
    start = max(0, pos - reach)
    clause = text[start:pos]
    cut = max((m.end() for m in CLAUSE_END.finditer(clause)), default=0)
    clause = clause[cut:]
    return {a.id for a in audience if any(p.search(clause) for p in a.patterns)}


def _left_out_by(reserved: set[str], audience: tuple[Audience, ...]) -> set[str]:
    """The audiences that an offer reserved to `reserved` leaves out: the others of their
    groups, but those part of a reserved one (a TPE, when the offer is for PME)."""
    groups = {a.group for a in audience if a.id in reserved and a.group}
    return {
        a.id
        for a in audience
        if a.group in groups and a.id not in reserved and not reserved & set(a.within)
    }
