"""Measure the classifier against labelled pages (JSON lines, format in docs/classement.md).

Figures: the step, strict (the labelled step) and lenient (or its defensible second step), a
dropped export page counting as wrong; relevance (off-topic pages rejected, export pages
dropped, pages left « à vérifier »); kinds (on export pages); countries, regions and sectors
(precision and recall); a confusion matrix. Beside them, a naive baseline computed in the same
run: every page relevant, the most frequent step and kind of the set.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.classify import Classification, Classifier, classify_page
from indexer.journey import STEP_IDS
from portail.language import decimal, plural

OFF_TOPIC = "hors sujet"
# The steps' names in the report's tables: short, in French, never cut.
STEP_NAMES = {
    "diagnostic": "diagnostic",
    "informer": "informer",
    "strategie": "stratégie",
    "prospecter": "prospecter",
    "gerer": "gérer",
    "implanter": "implanter",
}
MAX_ERRORS_SHOWN = 25
Record = Mapping[str, Any]
Classify = Callable[[Record], Classification]


def read_records(path: Path) -> list[dict[str, Any]]:
    """Labelled pages from a JSON-lines file."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def classify_record_with(classifier: Classifier | None = None) -> Classify:
    """A function classifying a labelled record as the indexer classifies a stored page."""

    def classify(record: Record) -> Classification:
        args = (record.get("url") or "", record.get("title") or "", record.get("text") or "")
        kwargs: dict[str, Any] = {
            "structured": record.get("structured"),
            "source_id": record.get("source_id"),
            "source_region": record.get("source_region"),
            "description": record.get("description") or "",
        }
        if classifier is None:
            return classify_page(*args, **kwargs)
        return classifier.classify(*args, **kwargs)

    return classify


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set[str], predicted: set[str]) -> None:
        self.tp += len(gold & predicted)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    total: int = 0
    export_pages: int = 0  # labelled relevant
    step_correct: int = 0  # strict, on export pages
    step_lenient: int = 0
    negatives: int = 0
    negatives_rejected: int = 0
    export_dropped: int = 0
    review: int = 0
    kind_correct: int = 0
    kind_total: int = 0
    steps: dict[str, Counts] = field(default_factory=lambda: {s: Counts() for s in STEP_IDS})
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    countries: Counts = field(default_factory=Counts)
    regions: Counts = field(default_factory=Counts)
    sectors: Counts = field(default_factory=Counts)
    shown_sectors: Counts = field(default_factory=Counts)  # on the pages the portal shows
    has_regions: bool = False
    has_sectors: bool = False
    errors: list[str] = field(default_factory=list)
    kind_errors: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.step_correct / self.export_pages if self.export_pages else 0.0

    @property
    def lenient(self) -> float:
        return self.step_lenient / self.export_pages if self.export_pages else 0.0

    @property
    def rejected(self) -> float:
        return self.negatives_rejected / self.negatives if self.negatives else 1.0

    @property
    def dropped(self) -> float:
        return self.export_dropped / self.export_pages if self.export_pages else 0.0

    @property
    def kind_accuracy(self) -> float:
        return self.kind_correct / self.kind_total if self.kind_total else 0.0


def evaluate(
    records: Iterable[Record],
    classify: Classify | None = None,
    results: Iterable[Classification] | None = None,
) -> Report:
    """Classify every record (or take the given results, in order) and compare."""
    report = Report()
    records = list(records)
    found = (
        list(results)
        if results is not None
        else [(classify or classify_record_with())(r) for r in records]
    )
    for record, result in zip(records, found, strict=True):
        add(report, record, result)
    return report


def add(report: Report, record: Record, result: Classification) -> None:
    gold = record.get("step") or None
    report.total += 1
    report.confusion[(gold or OFF_TOPIC, result.step or OFF_TOPIC)] += 1
    report.review += result.review
    for step, counts in report.steps.items():
        counts.add({step} if gold == step else set(), {step} if result.step == step else set())
    if gold is None:
        report.negatives += 1
        report.negatives_rejected += not result.relevant
        if result.relevant:
            report.errors.append(_error(record, OFF_TOPIC, result.step or OFF_TOPIC))
    else:
        report.export_pages += 1
        report.export_dropped += not result.relevant
        report.step_correct += result.step == gold
        report.step_lenient += result.step in (gold, record.get("step2"))
        if result.step != gold:
            report.errors.append(_error(record, gold, result.step or OFF_TOPIC))
        if record.get("kind"):
            report.kind_total += 1
            report.kind_correct += record["kind"] == result.kind
            if record["kind"] != result.kind:
                report.kind_errors.append(_error(record, record["kind"], result.kind))
    report.countries.add(set(record.get("countries") or []), set(result.countries))
    if "regions" in record:
        report.has_regions = True
        report.regions.add(set(record["regions"] or []), set(result.regions))
    if "sectors" in record:
        report.has_sectors = True
        gold, found = set(record["sectors"] or []), set(result.sectors)
        report.sectors.add(gold, found)
        if result.relevant or result.review:  # a page rejected is never listed: nor its sectors
            report.shown_sectors.add(gold, found)


def baseline(records: Iterable[Record]) -> Report:
    """The naive baseline: every page relevant, the set's most frequent step and kind."""
    records = list(records)
    step = _most_common(r.get("step") for r in records if r.get("step")) or STEP_IDS[0]
    kind = _most_common(r.get("kind") for r in records if r.get("step")) or "other"
    guess = Classification(step, {s: float(s == step) for s in STEP_IDS}, True, kind, [], [], [])
    return evaluate(records, results=[guess] * len(records))


def _most_common(values: Iterable[Any]) -> Any:
    counted = Counter(values)
    return counted.most_common(1)[0][0] if counted else None


def _error(record: Record, expected: str, found: str) -> str:
    where = record.get("id") or record.get("url") or "?"
    return f"{where} : attendu {expected}, trouvé {found} — {record.get('title', '')}"


def _pct(value: float) -> str:
    """« 95,8 % »: a share, written the French way."""
    return f"{decimal(100 * value, 1)} %"


def summary_lines(report: Report, baseline_report: Report | None = None) -> list[str]:
    """The headline figures, beside the baseline's when given."""
    rows = [
        ("Étape (stricte)", lambda r: r.accuracy),
        ("Étape (tolérante)", lambda r: r.lenient),
        ("Hors sujet écartées", lambda r: r.rejected),
        ("Pages export écartées", lambda r: r.dropped),
        ("Type de contenu", lambda r: r.kind_accuracy),
    ]
    head = f"{'':<24}{'classifieur':>12}" + (f"{'référence naïve':>18}" if baseline_report else "")
    lines = [head]
    for label, value in rows:
        line = f"{label:<24}{_pct(value(report)):>12}"
        if baseline_report:
            line += f"{_pct(value(baseline_report)):>18}"
        lines.append(line)
    return lines


def entity_lines(report: Report) -> list[str]:
    """Countries, regions and sectors (precision and recall), for the sets labelled with them."""
    lines = [f"Pays : {_precision_recall(report.countries)}"]
    if report.has_regions:
        lines.append(f"Régions : {_precision_recall(report.regions)}")
    if report.has_sectors:
        lines.append(
            f"Secteurs : {_precision_recall(report.sectors)} ; sur les pages que le portail "
            f"montre (parcours ou « à vérifier ») : {_precision_recall(report.shown_sectors)}"
        )
    return lines


def _precision_recall(counts: Counts) -> str:
    return f"précision {_pct(counts.precision)}, rappel {_pct(counts.recall)}"


def confusion_lines(report: Report) -> list[str]:
    """The confusion matrix of the steps (off-topic included), its labels written in full."""
    labels = [*STEP_IDS, OFF_TOPIC]
    lines = [
        "Matrice de confusion (lignes : attendu, colonnes : trouvé)",
        " " * 12 + "".join(f"{STEP_NAMES.get(label, label):>12}" for label in labels),
    ]
    for gold in labels:
        row = "".join(f"{report.confusion[(gold, found)]:>12}" for found in labels)
        lines.append(f"{STEP_NAMES.get(gold, gold):<12}{row}")
    return lines


def overview(report: Report, baseline_report: Report | None = None) -> list[str]:
    """What `portail eval` prints of a set: the figures, the places and sectors, the matrix."""
    return [
        *summary_lines(report, baseline_report),
        "",
        *entity_lines(report),
        "",
        *confusion_lines(report),
    ]


def format_report(report: Report, baseline_report: Report | None = None) -> str:
    """The report in French, for people."""
    export = plural(report.export_pages, "page export", "pages export")
    lines = [
        f"Pages évaluées : {report.total} ({export}, {report.negatives} hors sujet)",
        f"Étape : exactitude {_pct(report.accuracy)} ({report.step_correct}/"
        f"{report.export_pages}), tolérante {_pct(report.lenient)}",
        "",
        *summary_lines(report, baseline_report),
        "",
        f"{'Étape':<12} {'précision':>10} {'rappel':>8} {'F1':>6} {'pages':>6}",
    ]
    for step, c in report.steps.items():
        lines.append(
            f"{STEP_NAMES[step]:<12} {_pct(c.precision):>10} {_pct(c.recall):>8} "
            f"{decimal(c.f1, 3):>6} {c.tp + c.fn:>6}"
        )
    lines += ["", *confusion_lines(report), ""]
    lines += [
        f"Hors sujet : {plural(report.negatives_rejected, 'écartée')} sur {report.negatives} "
        f"({_pct(report.rejected)}) ; pages export écartées à tort : {report.export_dropped} "
        f"({_pct(report.dropped)}) ; pages laissées « à vérifier » : {report.review}",
        *entity_lines(report),
        f"Type de contenu : exactitude {_pct(report.kind_accuracy)} "
        f"({report.kind_correct}/{report.kind_total})",
    ]
    for label, errors in (
        ("Erreurs d'étape", report.errors),
        ("Erreurs de type", report.kind_errors),
    ):
        if errors:
            lines += ["", f"{label} ({len(errors)}) :"]
            lines += [f"  - {e}" for e in errors[:MAX_ERRORS_SHOWN]]
            if len(errors) > MAX_ERRORS_SHOWN:
                lines.append(f"  … et {plural(len(errors) - MAX_ERRORS_SHOWN, 'autre')}")
    return "\n".join(lines)
