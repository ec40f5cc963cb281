"""The fault suite, kill side: SIGKILL at random moments of a crawl, an incremental index and a
full rebuild. After each: the store passes its integrity check and holds no duplicate, the
index still answers, and once the work is run again to its end, the index equals the store.

Each kill lands once the work has really begun (its first progress line), after a random extra
delay; a test fails if the work ended before its kill. `make test` runs two crawl kills, one
kill of an incremental index and one of a full rebuild; `make soak` (SOAK=1) twenty crawl kills,
ten of each index."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from conftest import run_portail, sql
from indexer.index import current_generation
from indexer.search import Searcher, SearchQuery

SOAK = bool(os.environ.get("SOAK"))
SEEDS = range(20) if SOAK else range(2)
INDEX_RUNS = [("full" if seed % 2 else "incremental", seed) for seed in range(20 if SOAK else 2)]


def index_urls(data: Path) -> set[str]:
    ix = whoosh_index.open_dir(current_generation(data))
    with ix.searcher() as searcher:
        return {fields["url"] for fields in searcher.all_stored_fields()}


def live_urls(data: Path) -> set[str]:
    return {r[0] for r in sql(data, "SELECT url FROM pages WHERE status = 'ok'")}


def store_is_sound(data: Path) -> None:
    assert sql(data, "PRAGMA integrity_check")[0][0] == "ok"
    assert sql(data, "PRAGMA foreign_key_check") == []
    dupes = sql(data, "SELECT url FROM pages GROUP BY url HAVING count(*) > 1")
    assert dupes == []
    orphans = sql(
        data,
        "SELECT f.url FROM fetches f LEFT JOIN pages p ON p.url = f.page_url WHERE p.url IS NULL",
    )
    assert orphans == []


def kill_during(args: list[str], data: Path, started: str, extra: float) -> None:
    """Run `portail` with `args`; once its stderr shows `started` (its first progress line)
    and `extra` more seconds have passed, SIGKILL it — failing if it had already ended."""
    env = {**os.environ, "PORTAIL_DATA": str(data)}
    log = data.parent / f"kill-{time.monotonic_ns()}.err"
    with log.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "portail_cli", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        deadline = time.monotonic() + 120
        while started not in log.read_text("utf-8") and proc.poll() is None:
            assert time.monotonic() < deadline, "le travail n'a pas commencé"
            time.sleep(0.05)
        time.sleep(extra)
        ended = proc.poll()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert ended is None, f"fini (code {ended}) avant d'être tué : {log.read_text('utf-8')}"


def kill_after_pages(args: list[str], data: Path, pages: int) -> None:
    """Run `portail` with `args` and SIGKILL it once its crawl has stored `pages` pages —
    failing if it had already ended: the kill lands mid-crawl however fast the machine."""
    env = {**os.environ, "PORTAIL_DATA": str(data)}
    last = sql(data, "SELECT coalesce(max(id), 0) FROM crawls")[0][0]
    proc = subprocess.Popen(
        [sys.executable, "-m", "portail_cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    counted = f"SELECT count(*) FROM crawl_pages WHERE crawl_id > {last}"
    while proc.poll() is None and sql(data, counted)[0][0] < pages:
        assert time.monotonic() < deadline, "la collecte n'avance pas"
        time.sleep(0.01)
    ended = proc.poll()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert ended is None, f"fini (code {ended}) avant d'être tué"


@pytest.mark.parametrize("seed", SEEDS)
def test_a_crawl_killed_at_random_loses_nothing(crawled_data, demo_web, tmp_path, seed):
    rng = random.Random(seed)
    data = tmp_path / "var"
    shutil.copytree(crawled_data["data"], data)
    before = live_urls(data)
    # Two of the demo web's sources keep the recrawl short (39 pages); the kill lands after a
    # random number of them are stored, before the first half is done.
    crawl = ["crawl", "--sources", str(crawled_data["sources"]), "--source", "coface"]
    crawl += ["--source", "ccef"]
    kill_after_pages(crawl, data, rng.randint(1, 15))
    store_is_sound(data)
    assert live_urls(data) >= before  # an unchanged web: nothing lost, nothing gone
    result = run_portail(*crawl, data=data)
    assert result.returncode == 0, result.stderr[-2000:]
    store_is_sound(data)
    assert live_urls(data) == before


@pytest.mark.parametrize("mode,seed", INDEX_RUNS)
def test_an_index_killed_at_random_still_answers_and_catches_up(indexed_data, tmp_path, mode, seed):
    rng = random.Random(1000 + seed)
    data = tmp_path / "var"
    shutil.copytree(indexed_data, data)
    total = Searcher(data).search(SearchQuery(text="export")).total
    # Work for the incremental run: every page changed (a new version to index).
    sql(data, "UPDATE pages SET version = version + 1 WHERE status = 'ok'")
    args = ["index", *(["--full"] if mode == "full" else [])]
    kill_during(args, data, "Indexation :", rng.uniform(0.0, 2.0))
    store_is_sound(data)
    assert Searcher(data).search(SearchQuery(text="export")).total == total
    result = run_portail("index", data=data)
    assert result.returncode == 0, result.stderr[-2000:]
    assert index_urls(data) == live_urls(data)
    left = [p for p in (data / "index").glob("gen-*") if not (p / "FORMAT").exists()]
    assert left == []
