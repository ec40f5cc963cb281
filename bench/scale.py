"""Scale figures (issue 14, item 5): `python -m bench.scale`.

- crawl throughput with one `portail crawl` process for two sources against two processes,
  one per source, run side by side (the crawl lock is per data directory: two crawling
  processes are two data directories, i.e. two crawler nodes);
- index throughput of `portail index --full` with one and two processes (one indexer writes
  an index: its `procs` split the classification and Whoosh's segment writing); then, on that
  index, the web (search page and API) under gunicorn with 2 and 4 workers, beside a bare
  Flask answer under the same gunicorn;
- index throughput and search latency (p50/p95) at each corpus size (50k, 100k, 200k pages).

Long: the results file is rewritten after each step, with the load average beside each one,
so that a run stopped early keeps what it measured.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import web
from bench.crawl import count_pages, crawl_env, portail_crawl, source_block
from bench.index import build_store, percentile, search_latency
from bench.site import GeneratedSite
from bench.table import load_average
from indexer.index import update_index


class Results:
    """The scale figures, rewritten to a JSON file after each step."""

    def __init__(self, path: Path, settings: dict[str, Any]):
        self.path = path
        self.data: dict[str, Any] = {
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "settings": settings,
            "steps": [],
        }
        path.parent.mkdir(parents=True, exist_ok=True)

    def add(self, step: str, started: float, **figures: Any) -> None:
        entry = {
            "step": step,
            **figures,
            "seconds": round(time.monotonic() - started, 1),
            "load_average": load_average(),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self.data["steps"].append(entry)
        self.path.write_text(json.dumps(self.data, ensure_ascii=False, indent=1) + "\n", "utf-8")
        print(json.dumps(entry, ensure_ascii=False), flush=True)


def crawl_processes(results: Results, pages: int) -> None:
    """Two generated sites crawled by one process, then by two processes side by side."""
    sites = [GeneratedSite(pages), GeneratedSite(pages)]
    origins = [s.start() for s in sites]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sources = Path(tmp) / "sources.toml"
            sources.write_text(
                source_block("a", origins[0], pages) + source_block("b", origins[1], pages),
                "utf-8",
            )
            for procs in (1, 2):
                started = time.monotonic()
                groups = [("a", "b")] if procs == 1 else [("a",), ("b",)]
                datas = [Path(tmp) / f"var-{procs}-{i}" for i in range(len(groups))]
                children = [
                    subprocess.Popen(
                        portail_crawl(sources, data.with_suffix(".json"), ids),
                        env=crawl_env(data),
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                    for data, ids in zip(datas, groups, strict=True)
                ]
                codes = [c.wait() for c in children]
                seconds = time.monotonic() - started
                total = sum(count_pages(d) for d in datas)
                results.add(
                    f"collecte, {procs} processus",
                    started,
                    processes=procs,
                    pages=total,
                    wall_seconds=round(seconds, 1),
                    pages_per_s=round(total / seconds, 1),
                    exit_codes=codes,
                )
    finally:
        for site in sites:
            site.stop()


def index_processes(results: Results, pages: int, web_workers: list[int], requests: int) -> None:
    """`portail index --full` of the same store with one, then two processes; then the web
    on that index with each number of gunicorn workers."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "var"
        build_store(data, pages)
        for procs in (1, 2):
            started = time.monotonic()
            report = update_index(data, full=True, procs=procs)
            results.add(
                f"indexation de {pages} pages, {procs} processus",
                started,
                processes=procs,
                pages=report.total,
                index_seconds=round(report.seconds, 1),
                pages_per_s=round(report.total / report.seconds, 1),
            )
        web_steps(results, data, pages, web_workers, requests)


def web_steps(
    results: Results, data: Path, pages: int, web_workers: list[int], requests: int
) -> None:
    """The portal and the bare answer under gunicorn with each number of workers."""
    for workers in web_workers:
        started = time.monotonic()
        loads = web.at_rest(data, workers, requests)
        results.add(
            f"web, {workers} processus, corpus de {pages} pages",
            started,
            workers=workers,
            **{
                f"{key}_{name}": round(getattr(load, name), 1)
                for key, load in loads.items()
                for name in ("rps", "p50", "p99")
            },
            errors=sum(len(load.errors) for load in loads.values()),
        )


def corpus_size(results: Results, pages: int) -> None:
    """Index N pages (two processes) and time searches."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "var"
        started = time.monotonic()
        build_store(data, pages)
        report = update_index(data, full=True, procs=2)
        times = search_latency(data)
        index_mb = sum(f.stat().st_size for f in (data / "index").rglob("*") if f.is_file())
        results.add(
            f"corpus de {pages} pages",
            started,
            pages=report.total,
            index_seconds=round(report.seconds, 1),
            index_pages_per_s=round(report.total / report.seconds, 1),
            index_mb=round(index_mb / 2**20),
            search_p50_ms=round(statistics.median(times), 1),
            search_p95_ms=round(percentile(times, 0.95), 1),
            search_max_ms=round(max(times), 1),
        )
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--sizes", default="50000,100000,200000")
    parser.add_argument("--crawl-pages", type=int, default=2500, help="pages de chaque site")
    parser.add_argument("--index-pages", type=int, default=20_000, help="indexation 1 ou 2, web")
    parser.add_argument("--workers", default="2,4", help="processus gunicorn mesurés")
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--skip", default="", help="étapes sautées : crawl,index,sizes")
    parser.add_argument("--out", type=Path, default=Path("var/bench/echelle.json"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    workers = [int(w) for w in args.workers.split(",") if w]
    skip = set(args.skip.split(","))
    results = Results(args.out, vars(args) | {"out": str(args.out)})
    if "crawl" not in skip:
        crawl_processes(results, args.crawl_pages)
    if "index" not in skip:
        index_processes(results, args.index_pages, workers, args.requests)
    if "sizes" not in skip:
        for size in sizes:
            corpus_size(results, size)
    print(f"Résultats dans {args.out}")


if __name__ == "__main__":
    main()
