"""`portail train`: learn the classifier's model (`indexer.model`) from labelled pages.

The pages are those of the repository (the demo web's manifest of labels, the dev half of the
evaluation sets, the training sets); never a test half. Training is deterministic: the same
pages give the same file (coefficients rounded), so CI can check that `data/model.json` is in
sync with the labelled data (`portail train --check`).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from indexer.model import FEATURES_VERSION, MODEL_FILE, features, sparse_vector
from indexer.titles import without_site_name

MIN_DF = 3  # a feature must appear in this many training pages
DIGITS = 4  # coefficients are rounded (a stable file, a small diff)
# Inverse regularisation per head, chosen by cross-validation across writers on the dev data.
C = {"relevant": 4.0, "step": 30.0, "kind": 30.0}
RELEVANT_LABELS = ("off_topic", "relevant")
BALANCED_KINDS = True


def record_features(record: Mapping[str, Any]) -> Counter[str]:
    """A labelled page's features, its title read as the classifier reads it."""
    url = str(record.get("url") or "")
    return features(
        without_site_name(str(record.get("title") or ""), url),
        str(record.get("text") or ""),
        str(record.get("description") or ""),
        url,
    )


def train(records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The model's JSON document, trained on labelled records (see `indexer.evaluate`)."""
    records = list(records)
    counts = [record_features(r) for r in records]
    vocabulary, idf = _vocabulary(counts)
    index = {f: i for i, f in enumerate(vocabulary)}
    matrix = _matrix(counts, index, idf)
    relevant = [bool(r.get("step")) for r in records]
    heads = {
        "relevant": _head(
            matrix,
            [RELEVANT_LABELS[int(r)] for r in relevant],
            C["relevant"],
            balanced=True,
        ),
        "step": _head(
            matrix[[i for i, r in enumerate(relevant) if r]],
            [str(r["step"]) for r, keep in zip(records, relevant, strict=True) if keep],
            C["step"],
        ),
        "kind": _head(
            matrix[[i for i, r in enumerate(relevant) if r]],
            [str(r["kind"]) for r, keep in zip(records, relevant, strict=True) if keep],
            C["kind"],
            balanced=BALANCED_KINDS,
        ),
    }
    return {
        "features_version": FEATURES_VERSION,
        "trained_on": {
            "pages": len(records),
            "relevant": sum(relevant),
            "steps": dict(sorted(Counter(r["step"] for r in records if r.get("step")).items())),
        },
        "vocabulary": vocabulary,
        "idf": [round(float(v), DIGITS) for v in idf],
        "heads": heads,
    }


def _vocabulary(counts: list[Counter[str]]) -> tuple[list[str], np.ndarray]:
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    vocabulary = sorted(f for f, n in df.items() if n >= MIN_DF)
    total = len(counts)
    # Rounded here so that training sees exactly the idf the file keeps.
    idf = np.array(
        [round(math.log((1 + total) / (1 + df[f])) + 1, DIGITS) for f in vocabulary],
        dtype=np.float64,
    )
    return vocabulary, idf


def _matrix(counts: list[Counter[str]], index: dict[str, int], idf: np.ndarray) -> Any:
    """Each page as the model sees it (`Model.vector`), one row per page."""
    rows, cols, values = [], [], []
    for row, c in enumerate(counts):
        indices, weights = sparse_vector(c, index, idf)
        rows += [row] * len(indices)
        cols += [int(i) for i in indices]
        values += [float(w) for w in weights]
    return sparse.csr_matrix((values, (rows, cols)), shape=(len(counts), len(index)))


def _head(matrix: Any, labels: list[str], c: float, balanced: bool = False) -> dict[str, Any]:
    model = LogisticRegression(
        C=c, max_iter=5000, class_weight="balanced" if balanced else None, tol=1e-6
    )
    model.fit(matrix, labels)
    return {
        "labels": [str(label) for label in model.classes_],
        "coef": [[round(float(v), DIGITS) for v in row] for row in model.coef_],
        "intercept": [round(float(v), DIGITS) for v in model.intercept_],
    }


def write_model(document: dict[str, Any], path: Path = MODEL_FILE) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")


def differences(
    document: dict[str, Any], path: Path = MODEL_FILE, tolerance: float = 2e-3
) -> list[str]:
    """How the model file differs from a freshly trained document (empty: in sync)."""
    if not path.exists():
        return [f"{path.name} est absent : lancer « portail train »."]
    saved = json.loads(path.read_text("utf-8"))
    problems = []
    for key in ("features_version", "trained_on", "vocabulary"):
        if saved.get(key) != document.get(key):
            problems.append(f"{path.name} : « {key} » ne correspond plus aux pages étiquetées.")
    if problems:
        return problems
    for name, head in document["heads"].items():
        old = saved["heads"].get(name)
        if old is None or old["labels"] != head["labels"]:
            problems.append(f"{path.name} : la tête « {name} » a changé d'étiquettes.")
            continue
        gap = float(np.max(np.abs(np.array(old["coef"]) - np.array(head["coef"]))))
        if gap > tolerance:
            problems.append(f"{path.name} : les coefficients de « {name} » diffèrent ({gap:.4f}).")
    return problems


def cross_validate(records: Sequence[Mapping[str, Any]], group: str = "writer") -> list[Any]:
    """Out-of-fold classifications: the pages of each writer (or other group) classified with a
    model trained without any of them, as pages written in a style never seen would be."""
    from indexer.classify import Classifier
    from indexer.evaluate import classify_record_with
    from indexer.model import Model

    keys = [str(r.get(group) or "?") for r in records]
    results: list[Any] = [None] * len(records)
    for held in sorted(set(keys)):
        model = Model.from_json(train(r for r, k in zip(records, keys, strict=True) if k != held))
        classify = classify_record_with(Classifier(model=model))
        for i, key in enumerate(keys):
            if key == held:
                results[i] = classify(records[i])
    return results
