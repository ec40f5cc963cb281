"""The learned part of the classifier: linear models over a page's analysed words.

Three heads share one vocabulary: `relevant` (is the page about export support?), `step`
(which of the six steps) and `kind`. Each is a logistic regression trained by `portail train`
(`indexer.train`) on the labelled pages of the repository (the demo web, the dev half of the
evaluation sets and the training sets), never on a test half. The file `data/model.json` holds
the vocabulary, the idf weights and the coefficients: reading it needs no learning library,
and every decision can be explained by the words that weighed most.

Features: the words of the title (prefixed `t:`), of the URL's path (`u:`) and of the text (its
first `TEXT_CHARS` characters, with the description), single words and pairs in a row, as the
index analyses them (stems, accents folded, stop words out); weighed 1 + log(tf) × idf, then
scaled to unit length. (Feeding the rules' own scores to the model as features was tried: it
learnt to trust rules written on the demo web's wording, and did worse on other writers than
blending the two, see `indexer.classify`.)
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from indexer.lexicon import analyse, url_words

MODEL_FILE = Path(__file__).resolve().parent / "data" / "model.json"
FEATURES_VERSION = 1
TEXT_CHARS = 5000


def features(title: str, text: str, description: str = "", url: str = "") -> Counter[str]:
    """The counts of a page's features (see the module docstring)."""
    counts: Counter[str] = Counter()
    _add(counts, analyse(title).stems, "t:")
    _add(counts, analyse(url_words(url)).stems, "u:", pairs=False)
    _add(counts, analyse(f"{description}\n{text[:TEXT_CHARS]}").stems, "")
    return counts


def _add(counts: Counter[str], stems: tuple[str, ...], prefix: str, pairs: bool = True) -> None:
    counts.update(prefix + s for s in stems)
    if pairs:
        counts.update(f"{prefix}{a}_{b}" for a, b in pairwise(stems))


@dataclass(frozen=True)
class Head:
    """One logistic regression: a row of coefficients per label (one row for two labels)."""

    labels: tuple[str, ...]
    coef: np.ndarray  # (rows, features)
    intercept: np.ndarray  # (rows,)

    def proba(self, indices: np.ndarray, values: np.ndarray) -> dict[str, float]:
        logits = self.coef[:, indices] @ values + self.intercept
        if len(self.labels) == 2:  # binary: one row for the second label
            p = 1.0 / (1.0 + math.exp(-float(logits[0])))
            return {self.labels[0]: 1.0 - p, self.labels[1]: p}
        exp = np.exp(logits - logits.max())
        probs = exp / exp.sum()
        return {label: float(p) for label, p in zip(self.labels, probs, strict=True)}

    def contributions(
        self, indices: np.ndarray, values: np.ndarray, label: str
    ) -> list[tuple[int, float]]:
        """(feature index, weight × value) for one label's row."""
        if len(self.labels) == 2:
            row = self.coef[0] * (1 if label == self.labels[1] else -1)
        else:
            row = self.coef[self.labels.index(label)]
        return [(int(i), float(row[i] * v)) for i, v in zip(indices, values, strict=True)]


class Model:
    def __init__(self, vocabulary: list[str], idf: np.ndarray, heads: dict[str, Head]):
        self.vocabulary = vocabulary
        self.index = {feature: i for i, feature in enumerate(vocabulary)}
        self.idf = idf
        self.heads = heads

    @classmethod
    def from_json(cls, data: dict) -> Model:
        if data.get("features_version") != FEATURES_VERSION:
            raise ValueError(
                "model.json a été entraîné sur d'autres caractéristiques : relancer "
                "« portail train »"
            )
        heads = {
            name: Head(
                tuple(head["labels"]),
                np.array(head["coef"], dtype=np.float32),
                np.array(head["intercept"], dtype=np.float32),
            )
            for name, head in data["heads"].items()
        }
        return cls(list(data["vocabulary"]), np.array(data["idf"], dtype=np.float32), heads)

    def vector(self, counts: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices, values): the known words' tf-idf, scaled to unit length."""
        return sparse_vector(counts, self.index, self.idf)

    def proba(self, head: str, vector: tuple[np.ndarray, np.ndarray]) -> dict[str, float]:
        return self.heads[head].proba(*vector)

    def explain(
        self, head: str, vector: tuple[np.ndarray, np.ndarray], label: str, n: int = 8
    ) -> list[tuple[str, float]]:
        """The features that weighed most for (positive) and against (negative) a label."""
        found = self.heads[head].contributions(*vector, label)
        found.sort(key=lambda pair: -abs(pair[1]))
        return [(self.vocabulary[i], round(w, 3)) for i, w in found[:n] if w]


def sparse_vector(
    counts: Mapping[str, int], index: Mapping[str, int], idf: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Known word features: 1 + log(tf) times idf, scaled to unit length."""
    pairs = sorted(
        (index[f], (1.0 + math.log(c)) * float(idf[index[f]]))
        for f, c in counts.items()
        if f in index
    )
    if not pairs:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    indices = np.array([i for i, _ in pairs], dtype=np.int64)
    values = np.array([v for _, v in pairs], dtype=np.float32)
    return indices, values / np.float32(np.linalg.norm(values))


@cache
def default_model() -> Model | None:
    """The trained model of the repository, or None when it has not been trained."""
    if not MODEL_FILE.exists():
        return None
    return Model.from_json(json.loads(MODEL_FILE.read_text("utf-8")))
