"""« Vouliez-vous dire … ? »: spelling corrections against the words of the index.

Whoosh's corrector walks the whole word list in Python for every word (about a second on
50,000 pages). Here the words of titles and bodies (as Whoosh keeps them unstemmed for
spelling: lower case, accents folded) are grouped by length into arrays; a misspelt word is
compared with all words of close length at once: first a cheap bound (letter counts), then
the Damerau-Levenshtein distance (adjacent swaps count as one edit) computed column by column
over every remaining candidate. Only words found in two documents or more are proposed.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from indexer.analysis import fold, stop_words

SPELL_FIELDS = ("spell_title", "spell_body")
MIN_DOCS = 2  # a word seen once is as likely a typo as a word
RARE_DOCS = 2  # a known word on this many pages or fewer may itself be a typo…
MORE_COMMON = 20  # …when a close word is on this many times more pages
ALPHABET = "abcdefghijklmnopqrstuvwxyz"
WORD = re.compile(r"[a-z]{3,24}")
WORD_BYTES = re.compile(rb"[a-z]{3,24}")


def max_distance(word: str) -> int:
    """Edits allowed: one for short words, two from eight letters."""
    return 1 if len(word) < 8 else 2


class Speller:
    """The index's vocabulary, ready to propose the closest known word."""

    def __init__(self, reader: Any):
        self.reader = reader
        self.fields = [name for name in SPELL_FIELDS if name in reader.schema]
        known: set[str] = set()
        for fieldname in self.fields:
            for raw in reader.lexicon(fieldname):
                if WORD_BYTES.fullmatch(raw):
                    known.add(raw.decode("ascii"))
        self.known = known
        by_length: dict[int, list[str]] = {}
        for word in sorted(known):
            by_length.setdefault(len(word), []).append(word)
        self._groups = {length: _Group(words) for length, words in by_length.items()}

    def correct(self, word: str) -> str | None:
        """The closest word found in at least two documents, most frequent first; None when
        nothing is close, or the word is known (unless it is rare and a close word is far
        more common: « exportter » on one page, « exporter » on hundreds)."""
        folded = fold(word)
        if not WORD.fullmatch(folded) or folded in stop_words():
            return None
        floor = MIN_DOCS
        if folded in self.known:
            seen = self._docs(folded)
            if seen > RARE_DOCS or len(folded) < 5:  # short known words are acronyms (PCI)
                return None
            floor = max(MIN_DOCS, MORE_COMMON * seen)
        limit = max_distance(folded)
        best: tuple[int, int, str] | None = None
        for length in range(len(folded) - limit, len(folded) + limit + 1):
            group = self._groups.get(length)
            if group is None:
                continue
            for distance, candidate in group.closest(folded, limit):
                if candidate == folded:
                    continue
                docs = self._docs(candidate)
                if docs < floor:
                    continue
                key = (distance, -docs, candidate)
                if best is None or key < best:
                    best = key
        return best[2] if best else None

    def _docs(self, word: str) -> int:
        return max(self.reader.doc_frequency(f, word) for f in self.fields)


class _Group:
    """Words of one length, as letter codes and letter counts."""

    def __init__(self, words: list[str]):
        self.words = words
        self.codes = np.array([[ord(c) for c in w] for w in words], dtype=np.int32)
        self.letters = _letter_counts(words)

    def closest(self, word: str, limit: int) -> list[tuple[int, str]]:
        # Each edit changes the letter counts by at most two: a cheap bound first.
        bound = np.abs(self.letters - _letter_counts([word])[0]).sum(axis=1)
        near = np.flatnonzero(bound <= 2 * limit)
        if not len(near):
            return []
        distances = _damerau(self.codes[near], [ord(c) for c in word])
        close = distances <= limit
        return [(int(d), self.words[i]) for d, i in zip(distances[close], near[close], strict=True)]


def edits(word: str, other: str) -> int:
    """Edits from one word to another (an adjacent swap counts as one)."""
    codes = np.array([[ord(c) for c in other]], dtype=np.int32)
    return int(_damerau(codes, [ord(c) for c in word])[0])


def _letter_counts(words: list[str]) -> np.ndarray:
    counts = np.zeros((len(words), len(ALPHABET)), dtype=np.int16)
    for row, word in enumerate(words):
        for char in word:
            index = ALPHABET.find(char)
            if index >= 0:
                counts[row, index] += 1
    return counts


def _damerau(words: np.ndarray, query: list[int]) -> np.ndarray:
    """Optimal-string-alignment distance from `query` to every row of `words` (same length)."""
    count, length = words.shape
    before = None
    previous = np.tile(np.arange(length + 1, dtype=np.int16), (count, 1))
    for i in range(1, len(query) + 1):
        current = np.empty((count, length + 1), dtype=np.int16)
        current[:, 0] = i
        for j in range(1, length + 1):
            cost = (words[:, j - 1] != query[i - 1]).astype(np.int16)
            value = np.minimum(
                np.minimum(previous[:, j], current[:, j - 1]) + 1, previous[:, j - 1] + cost
            )
            if before is not None and j > 1:
                swapped = (words[:, j - 2] == query[i - 1]) & (words[:, j - 1] == query[i - 2])
                value = np.where(swapped, np.minimum(value, before[:, j - 2] + 1), value)
            current[:, j] = value
        before, previous = previous, current
    return previous[:, length]
