"""What a search means: the words typed, turned into concepts the ranking can weigh.

A query such as « exporter du vin vers le marché japonais » becomes concepts: « exporter »,
« vin », and the country Japan (typed as an adjective: it matches pages tagged Japan, or that
name it, its adjective or its capital). Synonyms and acronyms of `synonyms.toml` make one
concept of their variants (« crédoc » or « crédit documentaire »). Question words (« comment »,
« quel ») weigh little. Words that point at a step of the journey (`query_cues` of
`journey.toml`) give it a mild preference. Quoted words must appear as written (a phrase);
`-mot` excludes; the two words after « sans » weigh little (« sans créer de filiale »: pages
about subsidiaries are not the answer). With `literal`, only the words typed count: no
synonyms, places or steps.

`Understood` keeps what was understood — countries, regions, step, kind of page, the synonyms
with the words as typed (`Synonym`), the words after « sans » — so that the search page and the
API can say it in French and offer to undo it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from whoosh.analysis import Analyzer

from indexer.analysis import french_analyzer, terms
from indexer.gazetteers import country_gazetteer, region_gazetteer
from indexer.journey import KIND_IDS, journey
from indexer.lexicon import normalise
from indexer.synonyms import groups
from portail.geo import country_name, regions
from portail.schema import Field, List, Map, Num, Str, Table, load_toml

QUERY_FILE = Path(__file__).resolve().parent / "data" / "query.toml"
QUOTED = re.compile(r'(-?)(?:"([^"]*)"|«\s*([^»]*?)\s*»)')
EXCLUDED_WORD = re.compile(r"(?:(?<=\s)|^)-(\w[\w'’.-]*)")
ISO_CODE = re.compile(r"\b[A-Z]{2}\b")


@dataclass(frozen=True)
class Alternative:
    """One way a concept may appear in a page: a word, or words in a row (a phrase)."""

    terms: tuple[str, ...]


@dataclass(frozen=True)
class Synonym:
    """Words typed that a synonym group expanded, and the group's other entries as
    `synonyms.toml` spells them (« filiale » → « succursale », « implantation à l'étranger »)."""

    typed: str
    others: tuple[str, ...]


@dataclass
class Concept:
    label: str  # as typed
    alternatives: list[Alternative]
    weight: float = 1.0
    required: bool = False  # a quoted phrase
    country: str | None = None
    region: str | None = None


@dataclass
class Understood:
    text: str
    concepts: list[Concept] = field(default_factory=list)
    excluded: list[Alternative] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    step: str | None = None
    kind: str | None = None  # the kind of page asked for (« qui contacter » : contact)
    synonyms: list[Synonym] = field(default_factory=list)  # the typed words that were expanded
    literal: bool = False  # only the words typed: no synonyms, places, steps or feedback
    without: list[str] = field(default_factory=list)  # the words after « sans », as typed

    @property
    def empty(self) -> bool:
        return not self.concepts

    @property
    def unwanted(self) -> set[str]:
        """The analysed forms of the words after « sans »."""
        return {t for word in self.without for t in terms(word)}


SCHEMA = Table(
    {
        "weak_weight": Field(Num(0, 1), required=True, help="poids des mots de question"),
        "weak_words": Field(List(Str(nonempty=True)), required=True),
        "iso_ignore": Field(List(Str(pattern="[A-Z]{2}")), required=True),
        "country_words": Field(Map(Str(pattern="[A-Z]{2}")), required=True),
        "kind_cues": Field(Map(List(Str(nonempty=True)), key=Str(choices=KIND_IDS))),
    }
)


@cache
def _analyzer() -> Analyzer:
    return french_analyzer()


@cache
def _query_data() -> dict[str, object]:
    return load_toml(QUERY_FILE, SCHEMA)


@cache
def _weak_words() -> dict[str, float]:
    """Analysed forms of question words and vague verbs, and their small weight."""
    data = _query_data()
    weight = float(data["weak_weight"])  # type: ignore[arg-type]
    return {t: weight for word in data["weak_words"] for t in terms(word)}  # type: ignore[attr-defined]


def _weak_weight() -> float:
    return float(_query_data()["weak_weight"])  # type: ignore[arg-type]


@cache
def _step_cues() -> list[tuple[tuple[str, ...], str, float]]:
    """(analysed words, step, weight) of the steps' query cues."""
    cues = []
    for step in journey()["step"]:
        for cue, weight in step.get("query_cues", {}).items():
            analysed = tuple(terms(cue))
            if analysed:
                cues.append((analysed, step["id"], float(weight)))
    return cues


SynonymEntry = tuple[tuple[str, ...], tuple[tuple[str, ...], ...], tuple[str, ...]]


@cache
def _synonym_table() -> list[SynonymEntry]:
    """(analysed variant, every analysed variant of its group, the group's entries as
    written), longest variant first."""
    table = []
    for group in groups():
        variants = tuple(dict.fromkeys(tuple(terms(v)) for v in group if terms(v)))
        for variant in variants:
            table.append((variant, variants, group))
    table.sort(key=lambda entry: -len(entry[0]))
    return table


@cache
def _country_forms(code: str) -> tuple[Alternative, ...]:
    """The words that name a country in pages: its names and adjectives (not its cities)."""
    gazetteer = country_gazetteer()
    forms = {tuple(terms(country_name(code)))}
    for words, alias in gazetteer.aliases.items():
        if code in alias.codes and alias.kind in ("name", "variant", "adjective"):
            forms.add(tuple(terms(" ".join(words))))
    return tuple(Alternative(f) for f in sorted(forms) if f)


@cache
def _region_forms(code: str) -> tuple[Alternative, ...]:
    region = regions()[code]
    forms = {tuple(terms(name)) for name in (region.name, *region.former)}
    return tuple(Alternative(f) for f in sorted(forms) if f)


def understand(text: str, literal: bool = False) -> Understood:
    """The concepts of a query (see the module docstring)."""
    text = normalise(text)
    result = Understood(text, literal=literal)
    free = _take_exclusions(_take_quotes(text, result), result)
    places = [] if literal else _places(free)
    if not literal:
        _take_without(free, result)
    pos = 0
    for start, end, kind, code in places:
        _word_concepts(free[pos:start], result, literal)
        result.concepts.append(_place_concept(free[start:end], kind, code, result))
        pos = end
    _word_concepts(free[pos:], result, literal)
    if not literal:
        result.step = _step(free)
        result.kind = _kind(text)
    return result


def _take_quotes(text: str, result: Understood) -> str:
    def take(m: re.Match[str]) -> str:
        words = tuple(terms(m[2] if m[2] is not None else m[3]))
        if words:
            if m[1]:
                result.excluded.append(Alternative(words))
            else:
                label = (m[2] if m[2] is not None else m[3]).strip()
                result.concepts.append(Concept(label, [Alternative(words)], required=True))
        return " "

    return QUOTED.sub(take, text)


def _take_exclusions(text: str, result: Understood) -> str:
    def take(m: re.Match[str]) -> str:
        words = tuple(terms(m[1]))
        if words:
            result.excluded.append(Alternative(words))
        return " "

    return EXCLUDED_WORD.sub(take, text)


def _places(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, « country » or « region », code) of the places a query names, in any case;
    acronyms (« EAU ») and ISO codes (« JP ») in capitals, but for a few (« usa »). Countries
    first: « Grande-Bretagne » is not the region « Bretagne »."""
    found: list[tuple[int, int, str, str]] = []

    def add(start: int, end: int, kind: str, code: str) -> None:
        if not any(a < end and start < b for a, b, _, _ in found):
            found.append((start, end, kind, code))

    for kind, gazetteer in (("country", country_gazetteer()), ("region", region_gazetteer())):
        for mention in gazetteer.find(text, query=True):
            if mention.end:
                add(mention.start, mention.end, kind, mention.code)
    lowercase: dict[str, str] = _query_data()["country_words"]  # type: ignore[assignment]
    for word in re.finditer(r"\w+", text):
        if word[0].lower() in lowercase:
            add(word.start(), word.end(), "country", lowercase[word[0].lower()])
    for code in ISO_CODE.finditer(text):
        if _iso_code(code[0], text):
            add(code.start(), code.end(), "country", code[0])
    return sorted(found)


def _iso_code(code: str, text: str) -> bool:
    """Two capital letters that are a country's ISO code (« export JP »), in a query that is
    not written in capitals."""
    import pycountry

    if text.isupper():
        return False
    ignored = set(_query_data()["iso_ignore"]) | {"FR", "UE", "EU"}  # type: ignore[call-overload]
    return code not in ignored and pycountry.countries.get(alpha_2=code) is not None


def _place_concept(typed: str, kind: str, code: str, result: Understood) -> Concept:
    own = Alternative(tuple(terms(typed)))
    if kind == "country":
        if code not in result.countries:
            result.countries.append(code)
        return Concept(typed.strip(), _unique([own, *_country_forms(code)]), country=code)
    if code not in result.regions:
        result.regions.append(code)
    return Concept(typed.strip(), _unique([own, *_region_forms(code)]), region=code)


def _unique(alternatives: list[Alternative]) -> list[Alternative]:
    return [a for a in dict.fromkeys(alternatives) if a.terms]


def _word_concepts(piece: str, result: Understood, literal: bool) -> None:
    """Plain words, with the synonym groups their words start; labels as typed."""
    tokens = [(t.text, t.startchar, t.endchar) for t in _analyzer()(piece, chars=True)]
    words = [word for word, _, _ in tokens]
    weak = _weak_words()
    unwanted = result.unwanted
    i = 0
    while i < len(words):
        found = None if literal else _synonyms_at(words, i)
        if found is not None:
            variant, variants, group = found
            label = piece[tokens[i][1] : tokens[i + len(variant) - 1][2]]
            weight = _weak_weight() if set(variant) <= unwanted else 1.0
            result.concepts.append(
                Concept(label, [Alternative(v) for v in variants], weight=weight)
            )
            others = tuple(v for v in group if tuple(terms(v)) != variant)
            result.synonyms.append(Synonym(label, others))
            i += len(variant)
            continue
        word, start, end = tokens[i]
        weight = weak.get(word, 1.0) if word not in unwanted else _weak_weight()
        result.concepts.append(Concept(piece[start:end], [Alternative((word,))], weight=weight))
        i += 1


WITHOUT = re.compile(r"\bsans\s+([^,.;:?!()]+)", re.I)
WITHOUT_WORDS = 2  # the analysed words after « sans » that it governs


def _take_without(text: str, result: Understood) -> None:
    """The words a query says it does without (« embaucher à l'étranger sans créer de
    filiale »): they weigh as little as question words, for a page that holds them may well
    answer (« sans filiale, faites héberger votre V.I.E. »), but they must not lead."""
    for m in WITHOUT.finditer(text):
        kept = 0
        for word in m[1].split():
            if terms(word) and kept < WITHOUT_WORDS:
                result.without.append(word)
                kept += 1


def _synonyms_at(words: list[str], i: int) -> SynonymEntry | None:
    for entry in _synonym_table():
        if tuple(words[i : i + len(entry[0])]) == entry[0]:
            return entry
    return None


@cache
def _kind_cues() -> list[tuple[tuple[str, ...], str]]:
    """(analysed words, kind) of the kinds' query cues, longest first."""
    cues = [
        (tuple(terms(cue)), kind)
        for kind, words in _query_data()["kind_cues"].items()  # type: ignore[attr-defined]
        for cue in words
        if terms(cue)
    ]
    return sorted(cues, key=lambda c: -len(c[0]))


def _kind(text: str) -> str | None:
    """The kind of page a query asks for, when it names one (the longest cue wins)."""
    words = terms(text)
    for cue, kind in _kind_cues():
        size = len(cue)
        if any(tuple(words[i : i + size]) == cue for i in range(len(words) - size + 1)):
            return kind
    return None


def _step(text: str) -> str | None:
    """The step a query's words point at most, when one step leads."""
    words = terms(text)
    scores: dict[str, float] = {}
    for cue, step, weight in _step_cues():
        size = len(cue)
        if any(tuple(words[i : i + size]) == cue for i in range(len(words) - size + 1)):
            scores[step] = scores.get(step, 0.0) + weight
    ranked = sorted(scores.values(), reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0] == ranked[1]):
        return None
    return max(scores, key=lambda s: scores[s])
