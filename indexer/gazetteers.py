"""Places named in a text: foreign countries and French regions.

Gazetteers of names matched on accent-folded words (a hyphen, a space and an apostrophe are
the same separator; leftmost-longest match, so « Guinée-Bissau » is never « Guinée »).
Countries start from pycountry's French (and English) names and add `data/countries.toml`;
regions come from `portail/data/regions.toml` and `departements.toml`. Only salient mentions
count: a name in the title, or one repeated in the text. Precision first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from indexer.lexicon import (
    DESCRIPTION_WEIGHT,
    MAX_CHARS,
    TITLE_WEIGHT,
    Tally,
    fold_aligned,
    normalise,
    url_words,
)
from portail.geo import departements
from portail.geo import regions as french_regions
from portail.schema import Field, List, Map, Str, Table, load_toml

COUNTRIES_FILE = Path(__file__).resolve().parent / "data" / "countries.toml"
# A country or a region is salient when named in the title, or with this weight in the text
# (a name counts 1, a city 0.75, an adjective 0.5).
COUNTRY_MIN_SCORE = 2.0
REGION_MIN_SCORE = 2.0
WORD_RE = re.compile(r"\w+")
SEPARATOR_RE = re.compile(r"[\s\-'.]{0,3}")
ARTICLES = frozenset({"la", "le", "les", "l", "de", "du", "des", "d", "et", "en", "a"})
# « franco-allemand » is about Germany; « latino-américain » is not about the United States.
ALLOWED_PREFIXES = frozenset({"franco"})
LANGUAGE_BEFORE = frozenset(
    {
        "in",
        "speak",
        "speaking",
        "fluent",
        "speaks",
        "en",
        "l",
        "parle",
        "parlez",
        "parler",
        "parlant",
        "maitrise",
        "maitrisez",
        "maitriser",
        "langue",
        "langues",
        "anglais",
        "francais",
        "traduit",
        "traduction",
        "traduite",
    }
)
LANGUAGE_AFTER = frozenset(
    {
        "speaking",
        "language",
        "speaker",
        "speakers",
        "courant",
        "courants",
        "couramment",
        "natif",
        "native",
        "bilingue",
        "lu",
        "ecrit",
        "parle",
        "obligatoire",
        "indispensable",
        "souhaite",
        "apprecie",
        "exige",
        "requis",
        "c1",
        "c2",
        "b1",
        "b2",
    }
)
APPELLATION_RE = re.compile(
    r"\b(?:vins?|cremants?|crus?|appellations?|aoc|aop|igp|fromages?)\s+(?:de|d'|du)\s*$"
)
ALIAS_WEIGHTS = {"name": 1.0, "variant": 1.0, "city": 0.75, "adjective": 0.5, "group": 1.0}


# -- gazetteers: countries and regions --------------------------------------------------------


@dataclass(frozen=True)
class Alias:
    codes: tuple[str, ...]  # () for an ignored phrase
    kind: str  # name | variant | city | adjective | group | ignore
    caps: tuple[int, ...]  # indexes of the words that must start with a capital
    all_caps: bool  # an acronym (« EAU »): must be written in capitals


@dataclass(frozen=True)
class Mention:
    code: str
    kind: str
    weight: float
    start: int
    end: int = 0  # character offset after the name (0 when unknown)


class Gazetteer:
    """Names of places, found in text by folded words, leftmost-longest."""

    def __init__(self, context: str = "") -> None:
        self.aliases: dict[tuple[str, ...], Alias] = {}
        self.first: dict[str, list[tuple[str, ...]]] = {}
        self.context = context  # "country" enables the language filter of adjectives

    def add(self, name: str, codes: Iterable[str], kind: str) -> None:
        name = normalise(name).strip()
        spans = list(WORD_RE.finditer(name))
        words = tuple(fold_aligned(m[0]) for m in spans)
        if not words or words in self.aliases:
            return
        caps = tuple(
            i for i, m in enumerate(spans) if m[0][0].isupper() and words[i] not in ARTICLES
        )
        all_caps = len(name) > 1 and name.isupper()
        self.aliases[words] = Alias(tuple(codes), kind, caps, all_caps)
        self.first.setdefault(words[0], []).append(words)

    def freeze(self) -> None:
        for candidates in self.first.values():
            candidates.sort(key=len, reverse=True)

    def find(self, text: str, cased: bool = True, query: bool = False) -> list[Mention]:
        """Every accepted mention in the text, in order (`cased=False` for URL words; `query`
        for searches: names in any case, acronyms in capitals)."""
        text = normalise(text[:MAX_CHARS])
        spans = [(m[0], m.start(), m.end()) for m in WORD_RE.finditer(fold_aligned(text))]
        mentions: list[Mention] = []
        first = self.first
        i = 0
        for hit in [k for k, (word, _, _) in enumerate(spans) if word in first]:
            if hit >= i:  # not inside the mention just found
                i = hit + (self._match(text, spans, hit, mentions, cased, query) or 1)
        return mentions

    def _match(
        self,
        text: str,
        spans: list[tuple[str, int, int]],
        i: int,
        mentions: list[Mention],
        cased: bool,
        query: bool = False,
    ) -> int:
        for words in self.first.get(spans[i][0], ()):
            n = len(words)
            window = spans[i : i + n]
            if tuple(w for w, _, _ in window) != words or not _joined(text, window):
                continue
            alias = self.aliases[words]
            if not self._accept(text, spans, i, window, alias, cased and not query, query):
                continue
            weight = ALIAS_WEIGHTS.get(alias.kind, 0.0)
            mentions.extend(
                Mention(code, alias.kind, weight, window[0][1], window[-1][2])
                for code in alias.codes
            )
            return n
        return 0

    def _accept(
        self,
        text: str,
        spans: list[tuple[str, int, int]],
        i: int,
        window: list[tuple[str, int, int]],
        alias: Alias,
        cased: bool,
        query: bool = False,
    ) -> bool:
        start = window[0][1]
        if alias.kind == "ignore":
            return True
        if alias.all_caps and not (
            (cased or query) and all(text[s:e].isupper() for _, s, e in window)
        ):
            return False
        if cased and any(not text[window[k][1]].isupper() for k in alias.caps):
            return False
        if (
            start > 0
            and text[start - 1] == "-"
            and i > 0
            and (spans[i - 1][0] not in ALLOWED_PREFIXES)
        ):
            return False
        if self.context == "region" and APPELLATION_RE.search(fold_aligned(text[:start])[-30:]):
            return False
        if alias.kind == "adjective" and self.context == "country":
            before = {w for w, _, _ in spans[max(0, i - 2) : i]}
            after = {w for w, _, _ in spans[i + len(window) : i + len(window) + 3]}
            if before & LANGUAGE_BEFORE or after & LANGUAGE_AFTER:
                return False
        return True


def _joined(text: str, window: list[tuple[str, int, int]]) -> bool:
    """The words of a multi-word name are separated by spaces, hyphens or apostrophes only."""
    return all(SEPARATOR_RE.fullmatch(text[a[2] : b[1]]) for a, b in pairwise(window))


def _inflect(adjective: str) -> list[str]:
    return [adjective] if adjective[-1:] in "sx" else [adjective, adjective + "s"]


def _iso(code: str) -> str | None:
    import pycountry

    return None if pycountry.countries.get(alpha_2=code) else f"code ISO inconnu « {code} »"


ISO = Str(pattern="[A-Z]{2}", check=_iso, label="un code ISO 3166-1 alpha-2")
NAMES = List(Str(nonempty=True))
COUNTRIES_SCHEMA = Table(
    {
        "excluded": Field(
            List(Str(pattern="[A-Z]{2}")), required=True, help="la France et ses territoires"
        ),
        "ignore": Field(Table({"phrases": Field(NAMES, required=True)}), required=True),
        "group": Field(
            Map(Table({"countries": Field(List(ISO), True), "names": Field(NAMES, True)}))
        ),
        "country": Field(
            Map(
                Table(
                    {
                        key: Field(NAMES)
                        for key in ("names", "variants", "adjectives", "cities", "skip")
                    }
                ),
                key=ISO,
            ),
            required=True,
        ),
        "english": Field(Table({"skip": Field(NAMES), "adjectives": Field(Map(NAMES, key=ISO))})),
    }
)


@cache
def _country_data() -> dict[str, object]:
    return load_toml(COUNTRIES_FILE, COUNTRIES_SCHEMA)


@cache
def country_gazetteer() -> Gazetteer:
    """pycountry's French names and the data file's variants, adjectives and cities."""
    data = _country_data()
    gazetteer = Gazetteer("country")
    for phrase in data["ignore"]["phrases"]:  # type: ignore[index]
        gazetteer.add(phrase, (), "ignore")
    extra: dict[str, dict[str, list[str]]] = data["country"]  # type: ignore[assignment]
    excluded = set(data["excluded"])  # type: ignore[call-overload]
    for code, names in _pycountry_names().items():
        skip = set(extra.get(code, {}).get("skip", []))
        for name in names - skip:
            gazetteer.add(
                name, () if code in excluded else (code,), "ignore" if code in excluded else "name"
            )
    english: dict[str, Any] = data.get("english", {})  # type: ignore[assignment]
    for code, name in _english_names(set(english.get("skip", []))).items():
        if code not in excluded:
            gazetteer.add(name, (code,), "name")
    for code, adjectives in english.get("adjectives", {}).items():
        for adjective in adjectives:
            gazetteer.add(adjective, (code,), "adjective")
    for code, entry in extra.items():
        for key, kind in (("names", "name"), ("variants", "variant"), ("cities", "city")):
            for name in entry.get(key, []):
                gazetteer.add(name, (code,), kind)
        for adjective in entry.get("adjectives", []):
            for form in _inflect(adjective):
                gazetteer.add(form, (code,), "adjective")
    gazetteer.freeze()
    return gazetteer


@cache
def group_gazetteer() -> Gazetteer:
    """Names of groups of countries (« Benelux »), used in titles only."""
    gazetteer = Gazetteer()
    for group in _country_data()["group"].values():  # type: ignore[attr-defined]
        for name in group["names"]:
            gazetteer.add(name, group["countries"], "group")
    gazetteer.freeze()
    return gazetteer


def _english_names(skip: set[str]) -> dict[str, str]:
    """pycountry's English usual names (« Japan », « Germany »), but those skipped."""
    import pycountry

    out = {}
    for country in pycountry.countries:
        name = getattr(country, "common_name", None) or country.name
        if "," not in name and "(" not in name and name not in skip:
            out[country.alpha_2] = name
    return out


def _pycountry_names() -> dict[str, set[str]]:
    """French names of every ISO 3166-1 country: usual, common and official."""
    import gettext

    import pycountry

    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    out: dict[str, set[str]] = {}
    for country in pycountry.countries:
        names = set()
        common = getattr(country, "common_name", None)
        if common:
            names.add(french.gettext(common))
        name = re.sub(r"\s*\(.*?\)", "", french.gettext(country.name))
        if "," in name:
            head, _, tail = (part.strip() for part in name.partition(","))
            if tail.lower().startswith("île"):
                names.add(f"{tail} {head}")
            elif not common:
                names.add(head)
        else:
            names.add(name)
        official = getattr(country, "official_name", None)
        if official:
            names.add(re.sub(r"^L'", "", french.gettext(official).replace("’", "'")))
        out[country.alpha_2] = names
    return out


@cache
def region_gazetteer() -> Gazetteer:
    """Regions by their names, bodies, cities, départements and inhabitants
    (`portail/data/regions.toml` and `departements.toml`). Paris and the other ambiguous names
    are left out: an event in Paris is national, « Somme » is a sum."""
    gazetteer = Gazetteer("region")
    for code, region in french_regions().items():
        for name in (region.name, *region.former, *region.bodies):
            gazetteer.add(name, (code,), "name")
        for city in (region.capital, *region.cities):
            if city not in ("Paris", "Saint-Denis"):
                gazetteer.add(city, (code,), "city")
        for adjective in region.adjectives:
            for form in _inflect(adjective):
                gazetteer.add(form, (code,), "adjective")
    for dep in departements().values():
        if "name" not in dep.ambiguous:
            gazetteer.add(dep.name, (dep.region,), "variant")
        if "prefecture" not in dep.ambiguous:
            gazetteer.add(dep.prefecture, (dep.region,), "city")
        if "demonyms" not in dep.ambiguous:
            for demonym in dep.demonyms:
                for form in _inflect(demonym):
                    gazetteer.add(form, (dep.region,), "adjective")
    gazetteer.freeze()
    return gazetteer


def host_regions(url: str) -> list[str]:
    """Regions whose bodies' web addresses the URL's host contains (« adnormandie.fr »)."""
    host = re.sub(r"^[a-z]+://", "", (url or "").lower()).split("/")[0].split(":")[0]
    return [
        code
        for code, region in french_regions().items()
        if any(piece in host for piece in region.hosts)
    ]


# -- salience ---------------------------------------------------------------------------------


@dataclass
class Salience:
    """Weighted mentions of places in a page, by field; `early` holds the places mentioned in
    a heading or in the first half of the text (where a page says what it is about)."""

    title: Tally[str] = field(default_factory=Tally)
    body: Tally[str] = field(default_factory=Tally)
    early: set[str] = field(default_factory=set)

    def score(self, code: str) -> float:
        return TITLE_WEIGHT * self.title[code] + self.body[code]

    def codes(self) -> set[str]:
        return set(self.title) | set(self.body)


def _tally(mentions: Iterable[Mention], kinds: Iterable[str] | None = None) -> Tally[str]:
    allowed = set(kinds) if kinds is not None else None
    tally: Tally[str] = Tally()
    for m in mentions:
        if allowed is None or m.kind in allowed:
            tally[m.code] += m.weight
    return tally


def _headings(text: str) -> list[tuple[int, int]]:
    """Spans of the lines that look like headings: short, capitalised, unpunctuated."""
    spans, offset = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if (
            3 <= len(stripped) <= 80
            and stripped[0].isupper()
            and stripped[-1] not in ".;:,!?"
            and len(stripped.split()) >= 2
        ):
            spans.append((offset, offset + len(line)))
        offset += len(line) + 1
    return spans


def _body_salience(
    gazetteer: Gazetteer, text: str, description: str, kinds: Iterable[str] | None = None
) -> tuple[Tally[str], set[str]]:
    """Weighted mentions in the description and the body (headings count double)."""
    text = normalise(text[:MAX_CHARS])
    headings = _headings(text)
    allowed = set(kinds) if kinds is not None else None
    tally = Tally(
        {
            code: DESCRIPTION_WEIGHT * weight
            for code, weight in _tally(gazetteer.find(description), kinds).items()
        }
    )
    early: set[str] = set()
    half = len(text) / 2
    for m in gazetteer.find(text):
        if allowed is not None and m.kind not in allowed:
            continue
        heading = any(a <= m.start < b for a, b in headings)
        tally[m.code] += m.weight * (2 if heading else 1)
        if heading or m.start <= half:
            early.add(m.code)
    return tally, early


def country_salience(title: str, text: str, description: str = "", url: str = "") -> Salience:
    """Where and how often each country is named in a page."""
    gazetteer = country_gazetteer()
    title_mentions = gazetteer.find(title) + group_gazetteer().find(title)
    title_mentions += gazetteer.find(url_words(url), cased=False)
    title_mentions += [Mention(code, "name", 1.0, 0) for code in _url_country_codes(url)]
    body, early = _body_salience(gazetteer, text, description)
    return Salience(_tally(title_mentions), body, early)


def _url_country_codes(url: str) -> list[str]:
    """ISO codes in a URL's path after a « pays » segment (« /Pays/DE/… »)."""
    import pycountry

    excluded = set(_country_data()["excluded"])  # type: ignore[call-overload]
    found = re.findall(r"/(?:pays|country|countries)/([A-Za-z]{2})(?=/|$)", url or "", re.I)
    return [
        c.upper()
        for c in found
        if pycountry.countries.get(alpha_2=c.upper()) and c.upper() not in excluded
    ]


def salient_countries(salience: Salience) -> list[str]:
    """Countries named in the title or the URL; otherwise those the text dwells on.

    A country named only in the text must score COUNTRY_MIN_SCORE (twice that when the title
    names another country), be named early or in a heading, and not be far behind the most
    named country: precision first.
    """
    titled = [code for code in salience.title if salience.title[code] > 0]
    others = [code for code in salience.body if code not in titled]
    floor = COUNTRY_MIN_SCORE * (2 if titled else 1)
    best = max((salience.body[c] for c in others), default=0.0)
    kept = titled + [
        c
        for c in others
        if salience.body[c] >= floor and c in salience.early and salience.body[c] >= best / 2
    ]
    return sorted(kept, key=lambda c: (-salience.score(c), c))


def find_countries(title: str, text: str, description: str = "", url: str = "") -> list[str]:
    """ISO alpha-2 codes of the countries a page is about, most salient first."""
    return salient_countries(country_salience(title, text, description, url))


REGION_BODY_KINDS = ("name", "variant", "adjective")


def find_regions(
    title: str, text: str, source_region: str | None = None, description: str = "", url: str = ""
) -> list[str]:
    """INSEE codes of the French regions a page is about; a regional source's own region
    first, unless the page is clearly about another region."""
    gazetteer = region_gazetteer()
    title_tally = _tally(gazetteer.find(title) + gazetteer.find(url_words(url), cased=False))
    for code in host_regions(url):
        title_tally[code] += 1.0
    body, _ = _body_salience(gazetteer, text, description, REGION_BODY_KINDS)
    salience = Salience(title_tally, body)
    kept = [
        code for code in salience.codes() if title_tally[code] > 0 or body[code] >= REGION_MIN_SCORE
    ]
    kept.sort(key=lambda c: (-salience.score(c), c))
    if source_region:
        if source_region in kept:
            kept.remove(source_region)
        elif body[source_region] == 0 and any(title_tally[c] > 0 for c in kept):
            return kept  # a regional source's page about another region
        kept.insert(0, source_region)
    return kept
