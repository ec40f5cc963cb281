"""French text analysis shared by the index, the query parser and the classifier.

Elision (« l'export » → « export »), dotted acronyms (« V.I.E. » → « vie »), compounds after
a prefix (« sous-traitance » → « soustraitance »), lower case, accent folding *before* stemming
(so « douanières » and « douanieres » meet), a French stop list that is folded too and
completed (« les », single letters), and Snowball stemming after the plural « s » is taken off
(so « crédits » meets « crédit »).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache, lru_cache
from itertools import pairwise

from whoosh.analysis import (
    Analyzer,
    Filter,
    StopFilter,
    Token,
    Tokenizer,
)
from whoosh.lang import stopwords_for_language
from whoosh.lang.snowball.french import FrenchStemmer

DOTTED_ACRONYM = re.compile(r"\b(?:[A-Za-z]\.){2,}(?:[A-Za-z]\b\.?)?")
# Bumped whenever the analysis changes what terms a text gives: an index built by another
# version is rebuilt in full by the next `portail index`.
ANALYSIS_VERSION = 4
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
    folded = _FOLD_MEMO.get(text)
    if folded is None:
        folded = _fold(text)
        if len(text) <= MEMO_LETTERS:  # words are met again and again; texts are not
            if len(_FOLD_MEMO) >= MEMO_WORDS:
                _FOLD_MEMO.clear()
            _FOLD_MEMO[text] = folded
    return folded


MEMO_LETTERS = 40
MEMO_WORDS = 400_000
_FOLD_MEMO: dict[str, str] = {}


def _fold(text: str) -> str:
    text = text.lower()
    if text.isascii():
        return text
    for char in set(text).difference(_FOLDED):  # each character decomposed once per process
        decomposed = unicodedata.normalize("NFKD", char)
        _FOLDED[char] = "".join(c for c in decomposed if not unicodedata.combining(c))
        _FOLD_TABLE[ord(char)] = _FOLDED[char]
    return text.translate(_FOLD_TABLE).replace("œ", "oe").replace("æ", "ae")


_FOLDED: dict[str, str] = {}
_FOLD_TABLE: dict[int, str] = {}


class _WithoutSettings(Filter):
    """A filter with no settings: any two are equal (Whoosh compares the analyzers of a
    schema)."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))


class FoldFilter(_WithoutSettings):
    """Lower case, accents, ligatures and « œ » folded (« Œuvre », « ﬁnancé » → « oeuvre »,
    « finance »), the same way for pages and queries."""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        memo = _FOLD_MEMO  # `fold`'s own memo, read here first: one call less per word
        for t in tokens:
            t.text = memo.get(t.text) or fold(t.text)
            yield t


def join_acronyms(text: str) -> str:
    """« V.I.E. » → « VIE », « P.M.E » → « PME »: dotted acronyms become one word."""
    return DOTTED_ACRONYM.sub(lambda m: m[0].replace(".", ""), text)


@cache
def stop_words() -> frozenset[str]:
    return frozenset(fold(w) for w in stopwords_for_language("fr")) | frozenset(EXTRA_STOPS)


class FrenchTokenizer(Tokenizer):
    """Words with exact character offsets in the original text (for highlighting), where
    dotted acronyms are one word (« V.I.E. » → « VIE ») and the names of countries and French
    regions made of several words are one word too (« Grande-Bretagne » → « grandebretagne »,
    so that « Bretagne » never matches it). Apostrophes split words (elision)."""

    compounds = True  # « sous-traitance » one word (the search's reading); a class default,
    # so that a tokenizer pickled in an index's schema before it existed reads as before

    def __init__(self, compounds: bool = True):
        self.compounds = compounds

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FrenchTokenizer) and other.compounds == self.compounds

    def __hash__(self) -> int:
        return hash((type(self), self.compounds))

    def __call__(  # type: ignore[no-untyped-def]
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        spans = word_spans(value, self.compounds) if tokenize else [(value, 0, len(value))]
        for pos, (text, start, end) in enumerate(spans):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


WORD_OR_ACRONYM = re.compile(r"(?:[^\W\d_]\.){2,}(?:[^\W\d_](?![\w]))?\.?|\w+")
JOINERS = re.compile(r"[\s\-'’]{1,3}")


def word_spans(text: str, compounds: bool = True) -> list[tuple[str, int, int]]:
    """(word, start, end) of each word of a text, acronyms, place names and (unless told
    otherwise) compounds joined. The result is shared: callers must not change it."""
    key = (text, compounds)
    spans = _SPANS_MEMO.get(key)
    if spans is None:
        spans = [
            (m[0].replace(".", ""), m.start(), m.end()) for m in WORD_OR_ACRONYM.finditer(text)
        ]
        spans = _join_places(text, spans)
        if compounds:
            spans = _join_compounds(text, spans)
        if len(_SPANS_MEMO) >= SPANS_MEMO_TEXTS:
            _SPANS_MEMO.clear()  # atomic: the web's threads share it
        _SPANS_MEMO[key] = spans
    return spans


# A page's text is tokenized again for its spelling words (Whoosh's `spelling=True`): the last
# few texts keep their words.
SPANS_MEMO_TEXTS = 8
_SPANS_MEMO: dict[tuple[str, bool], list[tuple[str, int, int]]] = {}


# Prefixes written as a word before a hyphen (« sous-traitance », « après-vente »,
# « co-exposant »): the compound is one word, for « sous » is a stop word and « traitance »
# alone would meet « traité » and « traitement ».
PARTICLES = frozenset(
    {
        "sous",
        "non",
        "apres",
        "avant",
        "contre",
        "co",
        "auto",
        "pre",
        "post",
        "semi",
        "multi",
        "anti",
        "extra",
        "demi",
    }
)
PARTICLE_LETTERS = max(len(p) for p in PARTICLES)  # longer words are not looked up
# The same compounds typed with a space (« sous traitance », « service apres vente »).
SPACED_COMPOUNDS = frozenset(
    {
        "soustraitance",
        "soustraitances",
        "soustraitant",
        "soustraitants",
        "soustraitante",
        "soustraitantes",
        "soustraiter",
        "apresvente",
        "nonpaiement",
        "autodiagnostic",
        "prediagnostic",
        "autoevaluation",
        "coexposant",
        "coexposants",
        "contregarantie",
        "contregaranties",
        "cofinancement",
        "prefinancement",
        "autoentrepreneur",
        "coentreprise",
        "coentreprises",
    }
)
HYPHENS = frozenset("-‐‑")


def _join_compounds(text: str, spans: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    hits = [
        i
        for i, (word, _, _) in enumerate(spans)
        if len(word) <= PARTICLE_LETTERS and fold(word) in PARTICLES
    ]
    if not hits:
        return spans
    out: list[tuple[str, int, int]] = []
    i, n = 0, len(spans)
    for hit in hits:
        if hit < i or hit + 1 >= n:
            continue
        word, start, end = spans[hit]
        following, next_start, next_end = spans[hit + 1]
        between = text[end:next_start]
        joined = fold(word) + fold(following)
        # Not before an acronym: « non-UE » keeps « UE ».
        hyphened = between in HYPHENS and following.isalpha() and not following.isupper()
        if hyphened or (between == " " and joined in SPACED_COMPOUNDS):
            out.extend(spans[i:hit])
            out.append((word + following, start, next_end))
            i = hit + 2
    out.extend(spans[i:])
    return out


def _join_places(text: str, spans: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    table = place_names()
    if not table:
        return spans
    memo = _FOLD_MEMO
    hits = [i for i, (word, _, _) in enumerate(spans) if (memo.get(word) or fold(word)) in table]
    if not hits:
        return spans
    out: list[tuple[str, int, int]] = []
    i = 0
    for hit in hits:
        if hit < i:  # inside a name just joined
            continue
        size, name = _place_at(text, spans, hit, table)
        if size:
            out.extend(spans[i:hit])
            out.append((name, spans[hit][1], spans[hit + size - 1][2]))
            i = hit + size
    out.extend(spans[i:])
    return out


def _place_at(
    text: str, spans: list[tuple[str, int, int]], i: int, table: PlaceNames
) -> tuple[int, str]:
    """The word count and joined name of the longest place name starting at word i, or 0."""
    for size in table[fold(spans[i][0])]:  # longest first
        window = spans[i : i + size]
        if len(window) == size and all(
            JOINERS.fullmatch(text[a[2] : b[1]]) for a, b in pairwise(window)
        ):
            name = "".join(fold(w) for w, _, _ in window)
            if name in table.names:
                return size, name
    return 0, ""


class PlaceNames(dict[str, tuple[int, ...]]):
    """First word of a multi-word place name → the word counts of the names it starts
    (longest first); `names` holds the joined names."""

    names: frozenset[str] = frozenset()

    def digest(self) -> str:
        """A short fingerprint of the joined names: the index is rebuilt when they change."""
        return hashlib.sha1("\n".join(sorted(self.names)).encode()).hexdigest()[:12]


_places: PlaceNames | None = None


def place_names() -> PlaceNames:
    """Multi-word names of countries, cities and French regions, from the gazetteers."""
    global _places
    if _places is None:
        _places = PlaceNames()  # set first: the gazetteers analyse no text, but be safe
        from indexer.gazetteers import country_gazetteer, region_gazetteer

        sizes: dict[str, set[int]] = {}
        names = set()
        for gazetteer in (country_gazetteer(), region_gazetteer()):
            for words in gazetteer.aliases:
                if len(words) > 1:
                    sizes.setdefault(words[0], set()).add(len(words))
                    names.add("".join(words))
        table = PlaceNames({w: tuple(sorted(s, reverse=True)) for w, s in sizes.items()})
        table.names = frozenset(names)
        _places = table
    return _places


def french_analyzer(stem: bool = True, compounds: bool = True) -> Analyzer:
    """The analyzer of every French text field (and of queries against them); the classifier
    reads words without stemming and without joining compounds (its rules and its model were
    written and trained on words as they were before compounds were joined)."""
    tokenizer = FrenchTokenizer(compounds)
    chain = tokenizer | FoldFilter() | StopFilter(stoplist=stop_words(), minsize=2)
    if not stem:
        return chain
    return chain | FrenchStemFilter() | JoinedPhrases()


# Words whose Snowball stem would meet another word's: « pays » would meet « payé »,
# « important » « import », « visa » « viser ».
STEM_KEPT = {
    "pays": "pays",
    "visa": "visa",
    "visas": "visa",
    "important": "important",
    "importante": "important",
    "importants": "important",
    "importantes": "important",
    "importance": "important",
}
# Stems of one word that Snowball leaves apart: « payé », « paye » meet « payer », « paiement ».
STEM_ALIASES = {"pay": "pai"}


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball stem of a folded word, its plural « s » taken off first: Snowball gives
    « crédits » → « credit » but « crédit » → « cred », « conseillers » → « conseiller » but
    « conseiller » → « conseil », « étrangers » → « etranger » but « étranger » → « etrang »."""
    kept = STEM_KEPT.get(word)
    if kept is not None:
        return kept
    if len(word) >= 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    stemmed: str = _snowball(word)
    return STEM_ALIASES.get(stemmed, stemmed)


_snowball = FrenchStemmer().stem


class FrenchStemFilter(_WithoutSettings):
    """`stem` on every word (left out, like Whoosh's StemFilter, where Whoosh wants the words
    as written: the spelling words)."""

    is_morph = True

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for t in tokens:
            if not t.stopped:
                t.text = stem(t.text)
            yield t


JOINER = " "  # joins the words of a known phrase into one term (no analysed word has a space)


class JoinedPhrases(_WithoutSettings):
    """When a page is indexed (never for a query, a snippet or the spelling words): after each
    run of analysed words, in consecutive positions, that forms a multi-word variant of the
    synonyms (« team franc export », « volontariat international entrepris »), one more term,
    the run joined by a space, at the run's first position. A search for that variant then
    reads one posting list instead of the positions of every page holding its words (which
    made the first such search on 50,000 pages take up to a second)."""

    is_morph = True  # left out where Whoosh wants the words as written (the spelling words)

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        table = joined_phrases()
        recent: list[tuple[str, int, int, int]] = []  # (word, position, start, end)
        for t in tokens:
            if t.mode != "index" or not t.positions:
                yield t
                continue
            word, pos = t.text, t.pos
            start, end = getattr(t, "startchar", 0), getattr(t, "endchar", 0)
            yield t
            recent.append((word, pos, start, end))
            if len(recent) > table.longest:
                del recent[0]
            for size in table.get(word, ()):  # longest first, ending with this word
                run = recent[-size:]
                if (
                    len(run) == size
                    and all(b[1] == a[1] + 1 for a, b in pairwise(run))
                    and tuple(w for w, _, _, _ in run) in table.phrases
                ):
                    t.text = JOINER.join(w for w, _, _, _ in run)
                    t.pos = run[0][1]
                    if t.chars:
                        t.startchar, t.endchar = run[0][2], end
                    t.boost = 1.0
                    yield t


class PhraseTable(dict[str, tuple[int, ...]]):
    """Last word of a known phrase → the word counts of the phrases it ends (longest first);
    `phrases` holds them (tuples of analysed words)."""

    phrases: frozenset[tuple[str, ...]] = frozenset()
    longest: int = 0

    def digest(self) -> str:
        """A short fingerprint of the phrases: the index is rebuilt when they change."""
        joined = sorted(JOINER.join(p) for p in self.phrases)
        return hashlib.sha1("\n".join(joined).encode()).hexdigest()[:12]


_phrases: PhraseTable | None = None


def joined_phrases() -> PhraseTable:
    """The multi-word variants of the synonyms, analysed (the words of a search's phrase
    alternatives): what `JoinedPhrases` joins at indexing."""
    global _phrases
    if _phrases is None:
        _phrases = PhraseTable()  # set first: analysing the variants below joins nothing
        from indexer.synonyms import groups

        found = {tuple(terms(variant)) for group in groups() for variant in group}
        phrases = frozenset(p for p in found if len(p) > 1)
        sizes: dict[str, set[int]] = {}
        for phrase in phrases:
            sizes.setdefault(phrase[-1], set()).add(len(phrase))
        table = PhraseTable({w: tuple(sorted(n, reverse=True)) for w, n in sizes.items()})
        table.phrases = phrases
        table.longest = max((len(p) for p in phrases), default=0)
        _phrases = table
    return _phrases


@cache
def _analyzer() -> Analyzer:
    return french_analyzer()


def terms(text: str) -> list[str]:
    """The analysed terms of a text, in order (what the index stores for it)."""
    return [t.text for t in _analyzer()(text)]
