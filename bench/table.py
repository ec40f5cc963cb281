"""The bench's one table: each figure beside its bare baseline measured in the same run, and
their ratio; written as Markdown and JSON."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` shows them."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


@dataclass
class Figure:
    key: str
    label: str
    unit: str
    value: float
    baseline: float
    baseline_label: str
    better: str  # "higher" or "lower"

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("inf")

    def as_dict(self) -> dict[str, Any]:
        # Four significant digits: a small ratio (a web page against Flask's fixed answer,
        # 0.0455) keeps its precision, which three decimals did not.
        return {**asdict(self), "ratio": float(f"{self.ratio:.4g}")}


@dataclass
class Table:
    title: str
    settings: dict[str, Any]
    figures: list[Figure] = field(default_factory=list)
    checks: dict[str, Any] = field(default_factory=dict)
    loads: dict[str, str] = field(default_factory=dict)
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def add(self, *figures: Figure) -> None:
        self.figures.extend(figures)

    def note_load(self, stage: str) -> None:
        self.loads[stage] = load_average()

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "started": self.started,
            "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
            "settings": self.settings,
            "load_average": self.loads,
            "figures": [f.as_dict() for f in self.figures],
            "checks": self.checks,
        }

    def markdown(self) -> str:
        lines = [
            f"# {self.title}",
            "",
            f"Mesuré le {self.started} sur {os.cpu_count()} cœurs (Python "
            f"{platform.python_version()}) ; réglages : "
            + ", ".join(f"{k} = {v}" for k, v in self.settings.items())
            + ".",
            "",
            "| mesure | portail | référence nue | référence | rapport | meilleur si |",
            "|---|---:|---:|---|---:|---|",
        ]
        for f in self.figures:
            lines.append(
                f"| {f.label} ({f.unit}) | {_num(f.value)} | {_num(f.baseline)} | "
                f"{f.baseline_label} | {f.ratio:.2f} | "
                f"{'plus haut' if f.better == 'higher' else 'plus bas'} |"
            )
        lines += ["", "Vérifications :", ""]
        lines += [f"- {k} : {_check(v)}" for k, v in self.checks.items()]
        lines += ["", "Charge de la machine (uptime : 1, 5, 15 min) :", ""]
        lines += [f"- {k} : {v}" for k, v in self.loads.items()]
        return "\n".join(lines) + "\n"

    def write(self, folder: Path, name: str = "resultats") -> tuple[Path, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        md, js = folder / f"{name}.md", folder / f"{name}.json"
        md.write_text(self.markdown(), "utf-8")
        js.write_text(json.dumps(self.as_dict(), ensure_ascii=False, indent=1) + "\n", "utf-8")
        return md, js


def _num(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}"


def _check(value: Any) -> str:
    if value is True:
        return "oui"
    if value is False:
        return "NON"
    return str(value)
