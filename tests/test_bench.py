"""`make bench --quick` runs end to end: one table where every figure has its baseline and
ratio, no web error under load, and the pages of the index update visible without a restart.
Structure only: figures on a shared machine are never asserted."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

EXPECTED = {
    "crawl_rate",
    "crawl_cpu_ms",
    "index_rate",
    "search_p50",
    "search_p95",
    "web_page_rps",
    "web_page_p50",
    "web_page_p99",
    "web_api_rps",
    "load_rps",
    "load_p50",
    "load_p99",
}


def test_quick_bench_writes_one_complete_table(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    table = json.loads((tmp_path / "resultats-rapides.json").read_text("utf-8"))
    figures = {f["key"]: f for f in table["figures"]}
    assert set(figures) >= EXPECTED
    for figure in figures.values():
        assert figure["value"] > 0 and figure["baseline"] > 0, figure
        assert figure["baseline_label"]
        assert math.isclose(figure["ratio"], figure["value"] / figure["baseline"], rel_tol=1e-2)
        assert figure["better"] in ("higher", "lower")
    checks = table["checks"]
    assert checks["web_errors_under_load"] == 0, checks["web_error_examples"]
    assert checks["requests_under_load"] > 0
    assert checks["background_exit_codes"] == [0, 0, 0]
    assert checks["new_pages_visible"] is True
    assert checks["workers_checked"] == 2
    assert set(checks["new_pages_found"]) == {"zorgmesure", "quasarmesure"}
    assert all(total > 0 for total in checks["new_pages_found"].values())
    markdown = (tmp_path / "resultats-rapides.md").read_text("utf-8")
    assert markdown.count("\n| ") == len(figures) + 1  # the header, then one row per figure
    assert "Tableau écrit dans" in run.stdout


def test_the_dates_bench_prints_the_patterns_and_dateparser_figures(capsys):
    from bench import dates

    samples = dates.agenda_pages()
    assert len(samples) >= 40 and all(s.start <= s.end for s in samples)
    assert dates.main(["--repeat", "1", "--limit", "2"]) == 0
    out = capsys.readouterr().out
    found = re.findall(r"^  - (.+) : (\d+) sur (\d+), (\d+\.\d\d) ms par page$", out, re.M)
    assert [f[0] for f in found] == list(dates.METHODS)
    assert all(int(f[2]) == 2 and 0 <= int(f[1]) <= 2 for f in found)
    assert found[0][1] == "2"  # the patterns read the agenda's dates right (test_frdates too)


def test_only_crawl_runs_the_crawl_measurement_alone(tmp_path, monkeypatch, capsys):
    """`--only crawl` (the crawl itself is measured by the quick bench above)."""
    from bench import __main__ as bench_main
    from bench.table import Figure

    sizes = []

    def crawl(pages: int) -> list[Figure]:
        sizes.append(pages)
        return [Figure("crawl_rate", "Collecte", "pages/s", 90.0, 150.0, "nue", "higher")]

    monkeypatch.setattr(bench_main.crawl, "main", crawl)
    monkeypatch.setattr(bench_main, "measure_index_and_web", lambda *a: pytest.fail("mesuré"))
    bench_main.main(["--only", "crawl", "--crawl-pages", "12", "--out", str(tmp_path)])
    assert sizes == [12]
    table = json.loads((tmp_path / "resultats-collecte.json").read_text("utf-8"))
    assert [f["key"] for f in table["figures"]] == ["crawl_rate"]
    assert table["settings"] == {"crawl_pages": 12}
    assert table["title"].endswith("collecte seule")
    assert "resultats-collecte.md" in capsys.readouterr().out
