"""Measure the classifier against labelled pages: the demo web's, or the held-out set.

`portail eval` runs `evaluate(demo_records())`; `portail eval --heldout` the held-out texts of
`tests/data/heldout.jsonl`, written independently of the classifier and never tuned on.
"""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.classify import classify_page
from indexer.journey import STEP_IDS

ROOT = Path(__file__).resolve().parent.parent
HELDOUT_FILE = ROOT / "tests" / "data" / "heldout.jsonl"
OFF_TOPIC = "hors sujet"
MAX_ERRORS_SHOWN = 25


def demo_records() -> list[dict[str, Any]]:
    """Every page of the demo web with its labels, as the crawler would store it (no crawl)."""
    from demo.render import json_ld, plain_text
    from demo.site import DEFAULT_BASE_PORT, DEFAULT_HOST, DEMO_DIR, load_sites

    sources = tomllib.loads((DEMO_DIR / "sources.toml").read_text("utf-8"))["source"]
    regions = {s["id"]: s.get("region") or None for s in sources}
    records = []
    for site in load_sites():
        origin = f"http://{DEFAULT_HOST}:{DEFAULT_BASE_PORT + site.n}"
        for page in site.pages:
            url = origin + page.path
            jsonld = json_ld(page, site, url)
            records.append(
                {
                    "id": url,
                    "url": url,
                    "title": page.title,
                    "text": plain_text(page.body),
                    "description": page.description,
                    "structured": {
                        "jsonld": [json.loads(jsonld)] if jsonld else [],
                        "opengraph": {},
                    },
                    "source_id": site.id,
                    "source_region": regions.get(site.id),
                    "step": page.step or None,
                    "step2": page.step2 or None,
                    "relevant": bool(page.step),
                    "kind": page.kind,
                    "countries": list(page.countries),
                    "regions": list(page.regions),
                    "sectors": list(page.sectors),
                }
            )
    return records


def heldout_records(path: Path = HELDOUT_FILE) -> list[dict[str, Any]]:
    """The held-out texts and their labels (JSON lines)."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


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
    step_correct: int = 0
    kind_correct: int = 0
    kind_total: int = 0
    steps: dict[str, Counts] = field(default_factory=lambda: {s: Counts() for s in STEP_IDS})
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    off_topic: Counts = field(default_factory=Counts)  # the « not relevant » class
    countries: Counts = field(default_factory=Counts)
    regions: Counts = field(default_factory=Counts)
    sectors: Counts = field(default_factory=Counts)
    has_regions: bool = False
    has_sectors: bool = False
    errors: list[str] = field(default_factory=list)
    kind_errors: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.step_correct / self.total if self.total else 0.0

    @property
    def kind_accuracy(self) -> float:
        return self.kind_correct / self.kind_total if self.kind_total else 0.0


def evaluate(records: list[dict[str, Any]]) -> Report:
    """Classify every record and compare with its labels."""
    report = Report()
    for record in records:
        result = classify_page(
            record.get("url") or "",
            record.get("title") or "",
            record.get("text") or "",
            structured=record.get("structured"),
            source_id=record.get("source_id"),
            source_region=record.get("source_region"),
            description=record.get("description") or "",
        )
        gold_step = record.get("step") or None
        gold_relevant = bool(record.get("relevant", gold_step is not None))
        _score_step(report, record, gold_step, result.step)
        report.off_topic.add(
            {"x"} if not gold_relevant else set(), {"x"} if not result.relevant else set()
        )
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
            report.sectors.add(set(record["sectors"] or []), set(result.sectors))
    return report


def _score_step(
    report: Report, record: dict[str, Any], gold: str | None, predicted: str | None
) -> None:
    report.total += 1
    report.step_correct += gold == predicted
    report.confusion[(gold or OFF_TOPIC, predicted or OFF_TOPIC)] += 1
    for step, counts in report.steps.items():
        counts.add({step} if gold == step else set(), {step} if predicted == step else set())
    if gold != predicted:
        report.errors.append(_error(record, gold or OFF_TOPIC, predicted or OFF_TOPIC))


def _error(record: dict[str, Any], expected: str, found: str) -> str:
    where = record.get("url") or record.get("id") or "?"
    return f"{where} : attendu {expected}, trouvé {found} — {record.get('title', '')}"


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def format_report(report: Report) -> str:
    """The report in French, for people."""
    lines = [
        f"Pages évaluées : {report.total}",
        f"Étape : exactitude {_pct(report.accuracy)} ({report.step_correct}/{report.total})",
        "",
        f"{'Étape':<12} {'précision':>10} {'rappel':>8} {'F1':>6} {'pages':>6}",
    ]
    for step, c in report.steps.items():
        lines.append(
            f"{step:<12} {_pct(c.precision):>10} {_pct(c.recall):>8} {c.f1:>6.3f} {c.tp + c.fn:>6}"
        )
    lines += ["", "Matrice de confusion (lignes : attendu, colonnes : trouvé)"]
    labels = [*STEP_IDS, OFF_TOPIC]
    short = [label[:6] for label in labels]
    lines.append(" " * 12 + "".join(f"{s:>8}" for s in short))
    for gold in labels:
        row = "".join(f"{report.confusion[(gold, p)]:>8}" for p in labels)
        lines.append(f"{gold:<12}{row}")
    o = report.off_topic
    lines += [
        "",
        f"Hors sujet : précision {_pct(o.precision)}, rappel {_pct(o.recall)} "
        f"({o.tp} détectées sur {o.tp + o.fn}, {o.fp} pages pertinentes écartées à tort)",
        f"Pays : précision {_pct(report.countries.precision)}, "
        f"rappel {_pct(report.countries.recall)}",
    ]
    if report.has_regions:
        lines.append(
            f"Régions : précision {_pct(report.regions.precision)}, "
            f"rappel {_pct(report.regions.recall)}"
        )
    if report.has_sectors:
        lines.append(
            f"Secteurs : précision {_pct(report.sectors.precision)}, "
            f"rappel {_pct(report.sectors.recall)}"
        )
    lines.append(
        f"Type de contenu : exactitude {_pct(report.kind_accuracy)} "
        f"({report.kind_correct}/{report.kind_total})"
    )
    for label, errors in (
        ("Erreurs d'étape", report.errors),
        ("Erreurs de type", report.kind_errors),
    ):
        if errors:
            lines += ["", f"{label} ({len(errors)}) :"]
            lines += [f"  - {e}" for e in errors[:MAX_ERRORS_SHOWN]]
            if len(errors) > MAX_ERRORS_SHOWN:
                lines.append(f"  … et {len(errors) - MAX_ERRORS_SHOWN} autres")
    return "\n".join(lines)
