"""French text analysis shared by the index, the query parser and the classifier.

Elision (« l'export » → « export »), dotted acronyms (« V.I.E. » → « vie »), lower case,
accent folding *before* stemming (so « douanières » and « douanieres » meet), a French stop
list that is folded too and completed (« les », single letters), and Snowball stemming.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Tokenizer,
)
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

DOTTED_ACRONYM = re.compile(r"\b(?:[A-Za-z]\.){2,}(?:[A-Za-z]\b\.?)?")
TOKEN_PATTERN = r"\w+"
EXTRA_STOPS = {
    "les",
    "a",
    "b",
    "c",
    "d",
    "j",
    "l",
    "m",
    "n",
    "qu",
    "s",
    "t",
    "y",
    "lorsqu",
    "puisqu",
    "jusqu",
    "quoiqu",
    "aux",
    "cet",
    "cette",
    "ces",
    "leurs",
    "plus",
    "tout",
    "tous",
    "toute",
    "toutes",
    "dont",
    "ainsi",
    "comme",
    "entre",
    "sans",
    "sous",
    "chez",
    "vers",
    "afin",
}


def fold(text: str) -> str:
    """Lower case without accents (« Réglementation » → « reglementation »)."""
    text = text.lower()
    if text.isascii():
        return text
    for char in set(text).difference(_FOLDED):  # each character decomposed once per process
        decomposed = unicodedata.normalize("NFKD", char)
        _FOLDED[char] = "".join(c for c in decomposed if not unicodedata.combining(c))
        _FOLD_TABLE[ord(char)] = _FOLDED[char]
    return text.translate(_FOLD_TABLE).replace("œ", "oe")


_FOLDED: dict[str, str] = {}
_FOLD_TABLE: dict[int, str] = {}


def join_acronyms(text: str) -> str:
    """« V.I.E. » → « VIE », « P.M.E » → « PME »: dotted acronyms become one word."""
    return DOTTED_ACRONYM.sub(lambda m: m[0].replace(".", ""), text)


@cache
def stop_words() -> frozenset[str]:
    return frozenset(fold(w) for w in stopwords_for_language("fr")) | frozenset(EXTRA_STOPS)


class FrenchTokenizer(Tokenizer):
    """A regex tokenizer that first joins dotted acronyms; apostrophes split words."""

    def __init__(self) -> None:
        self.inner = RegexTokenizer(TOKEN_PATTERN)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FrenchTokenizer)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, value, **kwargs):  # type: ignore[no-untyped-def]
        return self.inner(join_acronyms(value), **kwargs)


def french_analyzer(stem: bool = True) -> Analyzer:
    """The analyzer of every French text field (and of queries against them)."""
    chain = (
        FrenchTokenizer()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=stop_words(), minsize=2)
    )
    return chain | StemFilter(lang="fr", cachesize=100_000) if stem else chain


@cache
def _analyzer() -> Analyzer:
    return french_analyzer()


def terms(text: str) -> list[str]:
    """The analysed terms of a text, in order (what the index stores for it)."""
    return [t.text for t in _analyzer()(text)]
