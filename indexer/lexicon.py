"""Analysed words and weighted lexicons: what the rules match on.

A text's words are analysed as the search index analyses them (`indexer.analysis`: elision,
accents folded before stemming, stop words); a `Lexicon` holds weighted terms and phrases per
label (the journey's steps, the sectors, the export vocabulary) and scores a text by them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TypeVar

from whoosh.lang import stemmer_for_language

from indexer.analysis import fold, french_analyzer, stop_words

# Field weights: a word in the title says more than one in the body (as in the index).
TITLE_WEIGHT = 3.0
DESCRIPTION_WEIGHT = 1.5
# Hard cap on the text analysed: enough for any article, bounded cost for a 1 MB table.
MAX_CHARS = 30_000

K = TypeVar("K")


class Tally(dict[K, float]):
    """Weights by key; a missing key weighs 0 (and is not added by reading it)."""

    def __missing__(self, key: K) -> float:
        return 0.0


# -- text -----------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """NFC, typographic apostrophes and non-breaking spaces made plain."""
    text = unicodedata.normalize("NFC", text)
    return text.replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ")


def fold_aligned(text: str) -> str:
    """Lower case without accents, one character for one (offsets stay valid)."""
    missing = set(text).difference(_FOLDED)
    for char in missing:
        decomposed = unicodedata.normalize("NFKD", char.lower())
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        _FOLDED[char] = base[0] if base else char
        _FOLD_TABLE[ord(char)] = _FOLDED[char]
    return text.translate(_FOLD_TABLE)


_FOLDED: dict[str, str] = {}
_FOLD_TABLE: dict[int, str] = {}


def url_words(url: str) -> str:
    """The words of a URL's path (« /pays/afrique-du-sud » → « pays afrique du sud »)."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url or "").split("?")[0]
    return " ".join(re.split(r"[\W_]+", path)).strip()


# -- analysed terms ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tokens:
    """A text's analysed words: folded forms (stop words removed) and their stems, aligned."""

    words: tuple[str, ...]
    stems: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.words)


@cache
def _plain_analyzer():  # type: ignore[no-untyped-def]
    return french_analyzer(stem=False, compounds=False)


@cache
def _stemmer():  # type: ignore[no-untyped-def]
    return cache(stemmer_for_language("fr"))


@lru_cache(maxsize=32)  # a page's title and URL words are read by the rules and the model
def analyse(text: str) -> Tokens:
    """The analysed words of a text: the search's elision, acronyms, place names, folding and
    stop words, then plain Snowball (the search also joins compounds and takes plurals off)."""
    stem = _stemmer()
    words = tuple(t.text for t in _plain_analyzer()(normalise(text)[:MAX_CHARS]))
    return Tokens(words, tuple(stem(w) for w in words))


@dataclass
class Entry:
    """One term or phrase of a lexicon, with its weight for each label."""

    term: str
    stems: tuple[str, ...]
    words: tuple[str, ...] | None  # exact words when the term starts with « = »
    weights: dict[str, float] = field(default_factory=dict)
    near: tuple[str, str] | None = None  # « a ~ b »: two stems within NEAR_WINDOW words


NEAR_WINDOW = 6


class Lexicon:
    """Weighted terms and phrases per label, matched on analysed words.

    Syntax of a term: words (stemmed: « crédits documentaires » finds « crédit documentaire »);
    `=words` for exact, unstemmed words; `a ~ b` for two words within six words of each other.
    Weight 0 blocks a phrase (it is matched, longest first, and scores nothing).
    """

    def __init__(self, tables: Mapping[str, Mapping[str, float]]) -> None:
        self.entries: list[Entry] = []
        by_key: dict[tuple[object, ...], Entry] = {}
        for label, terms in tables.items():
            for term, weight in terms.items():
                for entry in _entries(term):
                    key = (entry.stems, entry.words, entry.near)
                    known = by_key.setdefault(key, entry)
                    known.weights[label] = max(known.weights.get(label, 0.0), float(weight))
        self.entries = list(by_key.values())
        self.labels = tuple(tables)
        self.first: dict[str, list[int]] = {}
        self.near: list[int] = []
        for i, entry in enumerate(self.entries):
            if entry.near:
                self.near.append(i)
            else:
                self.first.setdefault(entry.stems[0], []).append(i)
        for candidates in self.first.values():
            candidates.sort(key=lambda i: -len(self.entries[i].stems))

    def count(self, tokens: Tokens) -> Counter[int]:
        """How often each entry occurs (leftmost-longest phrases; proximity pairs)."""
        found: Counter[int] = Counter()
        stems, words, n = tokens.stems, tokens.words, len(tokens)
        i = 0
        while i < n:
            step = 1
            for index in self.first.get(stems[i], ()):
                entry = self.entries[index]
                size = len(entry.stems)
                if stems[i : i + size] == entry.stems and (
                    entry.words is None or words[i : i + size] == entry.words
                ):
                    found[index] += 1
                    step = size
                    break
            i += step
        if self.near:
            self._count_near(stems, found)
        return found

    def _count_near(self, stems: tuple[str, ...], found: Counter[int]) -> None:
        positions: dict[str, list[int]] = {}
        for i, stem in enumerate(stems):
            positions.setdefault(stem, []).append(i)
        for index in self.near:
            left, right = self.entries[index].near  # type: ignore[misc]
            rights = positions.get(right, [])
            hits = sum(
                1 for p in positions.get(left, []) if any(abs(p - q) <= NEAR_WINDOW for q in rights)
            )
            if hits:
                found[index] += hits

    def score(self, frequencies: Mapping[int, float]) -> dict[str, float]:
        """Score per label: each entry's weight times log2(1 + its weighted frequency)."""
        scores = dict.fromkeys(self.labels, 0.0)
        for index, tf in frequencies.items():
            damped = math.log2(1.0 + tf)
            for label, weight in self.entries[index].weights.items():
                scores[label] += weight * damped
        return scores


def _entries(term: str) -> list[Entry]:
    """The lexicon entries of one term: its analysed forms, singular and plural."""
    stem = _stemmer()
    if "~" in term:
        sides = [analyse(side).stems for side in term.split("~", 1)]
        if all(len(side) == 1 for side in sides):
            return [Entry(term, (), None, near=(sides[0][0], sides[1][0]))]
        return []
    if term.startswith("="):
        words = analyse(term[1:]).words
        return [Entry(term, tuple(stem(w) for w in words), words)] if words else []
    forms = {analyse(variant).stems for variant in _plurals(term)}
    return [Entry(term, stems, None) for stems in sorted(forms) if stems]


def _plurals(term: str) -> list[str]:
    """The term, and the term with each word put in the plural (stems may differ)."""
    stops = stop_words()
    plural = [
        w if w[-1:] in "sxz" or len(w) < 3 or "'" in w or fold(w) in stops else w + "s"
        for w in term.split()
    ]
    return [term, " ".join(plural)]


def check_terms(tables: Mapping[str, object], where: str) -> list[str]:
    """Errors (in French) of a table of weighted terms, as editors write them."""
    errors = []
    if not isinstance(tables, dict):
        return [f"{where} : une table de termes pondérés est attendue"]
    for term, weight in tables.items():
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            errors.append(f"{where}, terme « {term} » : le poids doit être un nombre")
        elif weight < 0:
            errors.append(f"{where}, terme « {term} » : le poids doit être positif ou nul")
        elif not _entries(term):
            errors.append(f"{where}, terme « {term} » : ne contient que des mots vides")
    return errors
