"""The scheduler: sources on their schedule, never two runs at once, timeouts, reloads,
the crawl lock shared with cron, and failing sources flagged then cleared."""

from __future__ import annotations

import itertools
import threading
import time

from apscheduler.triggers.interval import IntervalTrigger

import scheduler as scheduling
from conftest import run_portail, sql
from crawlers.run import crawl_lock
from portail.db import open_store
from portail.sources import load_sources


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


class RecordingRunner(scheduling.Runner):
    """The real Runner's bookkeeping, with a short sleep instead of a crawl process."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.spans: list[tuple[str, float, float]] = []
        self.lock = threading.Lock()

    def _crawl(self, source_id):
        start = time.monotonic()
        time.sleep(0.3)
        with self.lock:
            self.spans.append((source_id, start, time.monotonic()))
        return "ok", ""

    def _index(self, detail):
        return "ok", detail


def every_second(source):
    return IntervalTrigger(seconds=1)


def test_crontab_prints_one_line_per_enabled_source(demo_web, make_sources, tmp_path):
    sources = make_sources(
        demo_web,
        '\n[[source]]\nid = "off"\nname = "Off"\n'
        'start_urls = ["http://127.0.0.1:9/"]\nenabled = false\n',
    )
    result = run_portail("schedule", "--sources", str(sources), "--crontab", data=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [ln for ln in result.stdout.splitlines() if "crawl" in ln]
    assert len(lines) == 14 and "CRON_TZ=Europe/Paris" in result.stdout
    assert lines[0].startswith("*/30 * * * * ") and "--source bpifrance" in lines[0]
    assert not any("--source off" in ln for ln in lines)


def test_sources_run_on_their_schedule_and_never_overlap(demo_web, make_sources, tmp_path):
    sources = make_sources(demo_web)
    runner = RecordingRunner(sources, tmp_path)
    sched = scheduling.PortalScheduler(sources, tmp_path, runner=runner, trigger_for=every_second)
    sched.start()
    try:
        assert wait_for(lambda: len(runner.spans) >= 6, 20)
    finally:
        sched.shutdown()
    spans = sorted(runner.spans, key=lambda s: s[1])
    assert {s[0] for s in spans} >= {"bpifrance", "coface"}
    for (_, _, end), (_, start, _) in itertools.pairwise(spans):
        assert start >= end - 0.01, "two runs overlapped"
    assert sql(tmp_path, "SELECT count(*) FROM runs WHERE status='ok'")[0][0] >= 6
    log = (tmp_path / "logs" / "schedule.log").read_text("utf-8")
    assert '"event": "run"' in log and '"status": "ok"' in log


def test_a_stop_leaves_the_queued_crawls_to_the_next_start(demo_web, make_sources, tmp_path):
    """Every source due at the same minute queues behind one worker: a stop (SIGTERM) waits
    for the crawl under way, not for all of them."""
    sources = make_sources(demo_web)
    runner = RecordingRunner(sources, tmp_path)
    sched = scheduling.PortalScheduler(sources, tmp_path, runner=runner, trigger_for=every_second)
    sched.start()
    assert wait_for(lambda: len(runner.spans) >= 1, 20)
    sched.shutdown()
    ran = len(runner.spans)
    assert ran < len(load_sources(sources).enabled()) - 2
    assert sql(tmp_path, "SELECT count(*) FROM runs")[0][0] == ran  # none begun and dropped


def test_a_broken_sources_file_keeps_the_last_schedule(demo_web, make_sources, tmp_path):
    sources = make_sources(demo_web)
    sched = scheduling.PortalScheduler(sources, tmp_path, runner=RecordingRunner(sources, tmp_path))
    assert sched.reload()
    before = set(sched.next_runs())
    sources.write_text(sources.read_text("utf-8") + "\n[[source]]\nid = 'x'\n", "utf-8")
    assert not sched.reload()
    assert (
        set(sched.next_runs())
        == before
        == {s.id for s in load_sources(make_sources(demo_web, name="fresh.toml")).enabled()}
    )
    text = make_sources(demo_web, name="fresh.toml").read_text("utf-8")
    sources.write_text(text.replace('id = "coface"', 'id = "coface"\nenabled = false'), "utf-8")
    assert sched.reload()
    assert "coface" not in sched.next_runs() and "bpifrance" in sched.next_runs()


def test_a_hanging_crawl_is_killed_at_its_timeout(demo_web, make_sources, tmp_path):
    sources = make_sources(demo_web)
    runner = scheduling.Runner(sources, tmp_path, crawl_timeout=1.0)
    result = runner.run("cci-international")  # its first listing answers in 1.5 s
    assert result.status == "timeout" and "arrêtée après 1 s" in result.detail
    store = open_store(tmp_path)
    assert store.integrity_ok()
    store.close()


def test_the_scheduler_and_a_cron_run_exclude_each_other(demo_web, make_sources, tmp_path):
    sources = make_sources(demo_web)
    runner = scheduling.Runner(sources, tmp_path)
    with crawl_lock(tmp_path, load_sources(sources).sources[:1]):
        result = runner.run("douane")
    assert result.status == "busy" and "une collecte est déjà en cours" in result.detail


def test_three_failures_flag_a_source_and_a_success_clears_it(demo_web, make_sources, tmp_path):
    sources = make_sources(demo_web)
    dead = tmp_path / "dead.toml"
    dead.write_text(
        sources.read_text("utf-8").replace(demo_web.origin("ccef"), "http://127.0.0.1:9"), "utf-8"
    )
    failing = scheduling.Runner(dead, tmp_path)
    for _ in range(3):
        assert failing.run("ccef").status == "failed"
    store = open_store(tmp_path)
    assert "ccef" in scheduling.failing_sources(store)
    store.close()

    class CrawlOnly(scheduling.Runner):
        def _index(self, detail):
            return "ok", detail

    assert CrawlOnly(sources, tmp_path).run("ccef").status == "ok"
    store = open_store(tmp_path)
    assert "ccef" not in scheduling.failing_sources(store)
    store.close()


class IndexingRunner(RecordingRunner):
    """An indexing that takes a moment and, like `portail index`, serves the reindex queue."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.indexings = 0

    def _index(self, detail):
        started = scheduling.now()
        time.sleep(0.4)
        with self.lock:
            self.indexings += 1
        store = open_store(self.data_dir)
        store.clear_reindex_queue(started)
        store.close()
        return "ok", detail


def test_the_console_reindex_queue_is_served_once_between_crawls(demo_web, make_sources, tmp_path):
    sources = make_sources(demo_web)
    runner = IndexingRunner(sources, tmp_path)
    sched = scheduling.PortalScheduler(sources, tmp_path, runner=runner, reload_every=0.1)
    sched.start()
    try:
        time.sleep(0.3)
        assert runner.indexings == 0  # nothing queued, nothing indexed
        store = open_store(tmp_path)
        store.mark_for_reindex("https://exemple.fr/a")
        store.mark_for_reindex("https://exemple.fr/b")
        assert wait_for(lambda: runner.indexings >= 1, 5)
        time.sleep(0.5)  # a few more reload ticks: the queue is empty, nothing more to do
        assert runner.indexings == 1 and store.reindex_pending() == 0
        store.close()
    finally:
        sched.shutdown()
    log = (tmp_path / "logs" / "schedule.log").read_text("utf-8")
    assert log.count('"event": "reindex"') == 1 and '"status": "ok"' in log
