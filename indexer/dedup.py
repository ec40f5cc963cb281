"""Near-duplicate stories: MinHash signatures of word shingles, compared by their estimated
Jaccard similarity.

A text is reduced to its words (lower case, accents folded, digits kept: « bilan 2024 » is not
« bilan 2025 »), then to the set of its runs of SHINGLE words. Two texts that share most of
their runs tell the same story, even when one body rewrote the title, added a line or cut the
end. A signature keeps, for each of PERMUTATIONS hash functions, the least hash of the set; the
share of equal positions of two signatures estimates the Jaccard index of their sets (standard
error ≤ 0.045 with 128 functions), so a story is compared in a fixed, small size, stored with
its news item, and never needs its text again.

The threshold and the window of dates were chosen on the labelled pairs of
`eval/news/pairs.toml` (`portail eval news` measures them).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import date

import numpy as np

from indexer.analysis import fold

PERMUTATIONS = 128
SHINGLE = 3  # words per shingle
PRIME = 4294967311  # the first prime above 2**32: (a·x + b) mod PRIME stays within uint64
THRESHOLD = 0.35  # estimated Jaccard index from which two items tell one story
DAYS_APART = 45  # at most this many days between two tellings of one story
# Bumped when the signatures or the rule change: every news item is then compared again.
DEDUP_VERSION = 1

_rng = np.random.default_rng(20261206)  # fixed: signatures must compare across runs
_A = _rng.integers(1, PRIME, PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, PRIME, PERMUTATIONS, dtype=np.uint64)
_WORD = re.compile(r"[a-z0-9]+")
_EMPTY = np.full(PERMUTATIONS, 0xFFFFFFFF, dtype=np.uint64)


def words(text: str) -> list[str]:
    """The words of a text as compared: lower case, without accents, one letter words out."""
    return [w for w in _WORD.findall(fold(text)) if len(w) > 1]


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    """The runs of `size` consecutive words (the words themselves in a shorter text)."""
    found = words(text)
    if len(found) < size:
        return set(found)
    return {" ".join(found[i : i + size]) for i in range(len(found) - size + 1)}


def _hashes(items: Iterable[str]) -> np.ndarray:
    return np.fromiter(
        (
            int.from_bytes(hashlib.blake2b(item.encode(), digest_size=4).digest(), "little")
            for item in items
        ),
        dtype=np.uint64,
    )


def signature(text: str, size: int = SHINGLE) -> np.ndarray:
    """The MinHash signature of a text (PERMUTATIONS unsigned 32-bit values)."""
    hashed = _hashes(shingles(text, size))
    if not len(hashed):
        return _EMPTY.copy()
    values = (np.outer(hashed, _A) + _B) % PRIME
    return np.asarray(values.min(axis=0) & 0xFFFFFFFF, dtype=np.uint64)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The estimated Jaccard index of the two texts' shingles (0 for an empty text)."""
    if np.array_equal(a, _EMPTY) or np.array_equal(b, _EMPTY):
        return 0.0
    return float(np.count_nonzero(a == b)) / PERMUTATIONS


def similarities(one: np.ndarray, many: np.ndarray) -> np.ndarray:
    """The similarity of one signature to each row of a matrix of signatures."""
    if not len(many):
        return np.zeros(0)
    found = np.count_nonzero(many == one, axis=1) / PERMUTATIONS
    if np.array_equal(one, _EMPTY):
        return np.zeros(len(many))
    return np.where(np.all(many == _EMPTY, axis=1), 0.0, found)


def to_hex(sig: np.ndarray) -> str:
    return sig.astype("<u4").tobytes().hex()


def from_hex(text: str) -> np.ndarray:
    return np.frombuffer(bytes.fromhex(text), dtype="<u4").astype(np.uint64)


def close_in_time(a: date | None, b: date | None, days: int = DAYS_APART) -> bool:
    """Whether two dates may be those of one story (an undated item may match any)."""
    return a is None or b is None or abs((a - b).days) <= days


def same_story(
    a: np.ndarray,
    b: np.ndarray,
    day_a: date | None = None,
    day_b: date | None = None,
    threshold: float = THRESHOLD,
    days: int = DAYS_APART,
) -> bool:
    """Whether two items tell one story: close in time, and most of their words in common."""
    return close_in_time(day_a, day_b, days) and similarity(a, b) >= threshold
