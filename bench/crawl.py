"""Crawl throughput: the full crawler against a bare Scrapy spider, same site, same run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.site import GeneratedSite
from bench.table import Figure


@dataclass
class ChildRun:
    stdout: str
    seconds: float
    peak_mb: float
    cpu_seconds: float  # user + system: what other processes' load changes least


def run_child(args: list[str], env: dict[str, str] | None = None) -> ChildRun:
    """Run a child process to its end; its stdout, wall time, own peak RSS and CPU time."""
    started = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    with proc.stdout:
        out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} s'est terminé avec le code {proc.returncode}")
    return ChildRun(out, elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def source_block(source_id: str, origin: str, pages: int) -> str:
    """One `[[source]]` of sources.toml for a generated site."""
    return (
        f'[[source]]\nid = "{source_id}"\nname = "Site de mesure {source_id}"\n'
        f'start_urls = ["{origin}/p/0"]\ndepth = 30\nmax_pages = {pages + 10}\ndelay = 0.0\n\n'
    )


def portail_crawl(sources: Path, record: Path, source_ids: tuple[str, ...] = ()) -> list[str]:
    """The command line of `portail crawl` (run it with `crawl_env(data)`)."""
    args = [sys.executable, "-m", "portail_cli", "crawl", "--sources", str(sources)]
    args += ["--record", str(record)]
    for sid in source_ids:
        args += ["--source", sid]
    return args


def crawl_env(data: Path) -> dict[str, str]:
    return {**os.environ, "PORTAIL_DATA": str(data)}


def crawl_seconds(record: Path) -> float:
    """The crawl's own time (as `--record` writes it): the longest of its sources."""
    return max(s["seconds"] for s in json.loads(record.read_text("utf-8"))["sources"])


def count_pages(data: Path) -> int:
    from portail.db import open_store

    store = open_store(data)
    try:
        return store.count_pages("ok")
    finally:
        store.close()


def bare_crawl(origin: str, pages: int) -> tuple[int, float, ChildRun]:
    """Pages and seconds (crawl only) of the bare spider, and its whole process's run."""
    run = run_child([sys.executable, "-m", "bench.bare_spider", origin, str(pages)])
    count, seconds = run.stdout.split()
    return int(count), float(seconds), run


def cpu_ms_per_page(run: ChildRun, pages: int) -> float:
    """The CPU time of a whole crawl process (start-up included) per page it got."""
    return 1000 * run.cpu_seconds / max(pages, 1)


def main(pages: int = 5000) -> list[Figure]:
    """Crawl a generated site with both; the figures of the table."""
    site = GeneratedSite(pages)
    origin = site.start()
    try:
        bare_count, bare_seconds, bare = bare_crawl(origin, pages)
        with tempfile.TemporaryDirectory() as tmp:
            sources = Path(tmp) / "sources.toml"
            sources.write_text(source_block("mesure", origin, pages), "utf-8")
            data = Path(tmp) / "var"
            record = Path(tmp) / "record.json"
            run = run_child(portail_crawl(sources, record), crawl_env(data))
            full_seconds = crawl_seconds(record)
            full_count = count_pages(data)
    finally:
        site.stop()
    bare_rate = bare_count / bare_seconds
    full_rate = full_count / full_seconds
    bare_cpu, full_cpu = cpu_ms_per_page(bare, bare_count), cpu_ms_per_page(run, full_count)
    print(
        f"  araignée Scrapy nue : {bare_count} pages en {bare_seconds:.1f} s, "
        f"{bare_rate:.1f} pages/s, {bare.peak_mb:.0f} Mo, calcul {bare_cpu:.2f} ms par page"
    )
    print(
        f"  portail crawl : {full_count} pages en {full_seconds:.1f} s "
        f"(processus entier {run.seconds:.1f} s), "
        f"{full_rate:.1f} pages/s, {run.peak_mb:.0f} Mo, calcul {full_cpu:.2f} ms par page",
        flush=True,
    )
    spider = "araignée Scrapy nue"
    return [
        Figure("crawl_rate", "Collecte", "pages/s", full_rate, bare_rate, spider, "higher"),
        Figure(
            "crawl_peak_mb",
            "Collecte, mémoire maximale",
            "Mo",
            run.peak_mb,
            bare.peak_mb,
            spider,
            "lower",
        ),
        # CPU time moves far less than wall time when other processes share the cores.
        Figure(
            "crawl_cpu_ms",
            "Collecte, temps de calcul par page (processus entier)",
            "ms",
            full_cpu,
            bare_cpu,
            spider,
            "lower",
        ),
    ]


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
