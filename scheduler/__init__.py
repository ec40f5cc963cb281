"""Unattended recrawls: APScheduler runs each enabled source on its own cron schedule.

Every run is `portail crawl --source ID` in its own process (Twisted's reactor cannot restart),
with a timeout, then `portail index`; how the crawl ended is read from its JSON record
(`--record`, `crawlers.run.run_record`) and its exit code, never from its French report. Runs
go through a single worker, so two crawls never run at once and the index has one writer; the
data directory's crawl lock also keeps cron-driven runs and the scheduler apart.
`sources.toml` is re-read when it changes (or on SIGHUP); an invalid file is reported and the
last valid schedule keeps running. Recrawls queued from the maintainers' console
(`portail.recrawl`) are handed to the same worker on the reload tick.
Every night the upkeep (`maintenance`) deletes the self-assessments abandoned past their
retention.

The export hotline's pass (`scheduler.hotline`: its outbox, reminders, escalations and purge)
runs every minute on a worker of its own, so that a long crawl never holds mail back.
"""

from __future__ import annotations

import json
import logging
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from portail import recrawl
from portail.cron import TIMEZONE, cron_trigger
from portail.db import Store, now, open_store
from portail.db.selfassessment import retention_days
from portail.sources import ConfigError, Source, SourcesConfig, load_sources

CRAWL_TIMEOUT = 4 * 3600.0
HOTLINE_EVERY = 60.0  # seconds between two passes of the hotline's outbox and reminders
INDEX_TIMEOUT = 3600.0
EXIT_BUSY = 75
MAINTENANCE_HOUR = 4  # the nightly upkeep (Paris time), away from the crawls' usual hours
TriggerFactory = Callable[[Source], BaseTrigger]


@dataclass
class RunResult:
    source: str
    status: str
    detail: str
    started: str
    finished: str


def structured_logger(data_dir: Path) -> logging.Logger:
    """One JSON line per run, to stdout and to a rotating file in the data directory."""
    # One logger per data directory: a process may drive several (the tests do).
    logger = logging.getLogger(f"portail.schedule.{data_dir.resolve()}")
    if not logger.handlers:
        (data_dir / "logs").mkdir(parents=True, exist_ok=True)
        file_handler = RotatingFileHandler(
            data_dir / "logs" / "schedule.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
        for handler in (file_handler, logging.StreamHandler(sys.stdout)):
            handler.setFormatter(logging.Formatter("%(message)s"))
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


class Runner:
    """Runs one source's crawl then the index update, each in its own process."""

    def __init__(
        self,
        sources_path: Path,
        data_dir: Path,
        crawl_timeout: float = CRAWL_TIMEOUT,
        index_timeout: float = INDEX_TIMEOUT,
    ):
        self.sources_path = sources_path
        self.data_dir = data_dir
        self.crawl_timeout = crawl_timeout
        self.index_timeout = index_timeout
        self.logger = structured_logger(data_dir)
        open_store(data_dir).close()  # the tables exist (or the schema error is said now)

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "portail_cli", *args]

    def run(self, source_id: str) -> RunResult:
        started = now()
        run_id = self._start(source_id, started)
        status, detail = self._crawl(source_id)
        if status == "ok":
            status, detail = self._index(detail)
        finished = now()
        self._finish(run_id, status, detail, finished)
        result = RunResult(source_id, status, detail, started, finished)
        self.logger.info(
            json.dumps(
                {"event": "run", **result.__dict__, **self._counts(source_id)}, ensure_ascii=False
            )
        )
        return result

    def _crawl(self, source_id: str) -> tuple[str, str]:
        record = self.data_dir / "logs" / f"crawl-{source_id}.json"
        record.parent.mkdir(parents=True, exist_ok=True)
        record.unlink(missing_ok=True)
        args = self.command(
            "crawl",
            "--sources",
            str(self.sources_path),
            "--source",
            source_id,
            "--record",
            str(record),
        )
        try:
            proc = subprocess.run(
                args,
                capture_output=True,
                text=True,
                timeout=self.crawl_timeout,
                env=self._env(),
                check=False,
            )
        except subprocess.TimeoutExpired:
            return "timeout", f"collecte arrêtée après {self.crawl_timeout:.0f} s"
        if proc.returncode == EXIT_BUSY:
            return "busy", proc.stderr.strip()[-500:]
        try:
            run = json.loads(record.read_text("utf-8"))
        except (OSError, ValueError):
            run = None
        if run is None:  # the crawl died before writing its record
            return "failed", (proc.stderr.strip() or proc.stdout.strip())[-500:] or (
                f"collecte arrêtée (code {proc.returncode})"
            )
        flags = [s["flag"] for s in run["sources"] if s.get("flag")]
        return ("failed" if flags or proc.returncode else "ok"), " ; ".join(flags)

    def _index(self, detail: str) -> tuple[str, str]:
        try:
            proc = subprocess.run(
                self.command("index"),
                capture_output=True,
                text=True,
                timeout=self.index_timeout,
                env=self._env(),
                check=False,
            )
        except subprocess.TimeoutExpired:
            return "failed", "indexation arrêtée (délai dépassé)"
        if proc.returncode != 0:
            return "failed", proc.stderr.strip()[-500:]
        return "ok", (detail + " " + proc.stdout.strip()).strip()

    def _env(self) -> dict[str, str]:
        import os

        return {**os.environ, "PORTAIL_DATA": str(self.data_dir)}

    def _start(self, source_id: str, started: str) -> int:
        store = open_store(self.data_dir)
        try:
            return store.start_run(source_id, started)
        finally:
            store.close()

    def _finish(self, run_id: int, status: str, detail: str, finished: str) -> None:
        store = open_store(self.data_dir)
        try:
            store.finish_run(run_id, status, detail, finished)
        finally:
            store.close()

    def _counts(self, source_id: str) -> dict[str, Any]:
        store = open_store(self.data_dir)
        try:
            last = store.crawls(source_id, limit=1)
            if not last:
                return {}
            row = last[0]
            return {
                "new": row["pages_new"],
                "changed": row["pages_changed"],
                "unchanged": row["pages_unchanged"],
                "gone": row["pages_gone"],
                "errors": row["errors"],
            }
        finally:
            store.close()


def failing_sources(store: Store) -> dict[str, str]:
    """Sources whose last three runs failed, with the last reason; a success clears it."""
    return store.failing_sources()


class PortalScheduler:
    """The scheduler: one job per enabled source, one run at a time, live reloads."""

    def __init__(
        self,
        sources_path: Path,
        data_dir: Path,
        runner: Runner | None = None,
        trigger_for: TriggerFactory = cron_trigger,
        reload_every: float = 5.0,
    ):
        self.sources_path = Path(sources_path)
        self.data_dir = data_dir
        self.runner = runner or Runner(self.sources_path, data_dir)
        self.trigger_for = trigger_for
        self.logger = self.runner.logger
        self.scheduler = BackgroundScheduler(
            timezone=TIMEZONE,
            executors={
                "default": ThreadPoolExecutor(max_workers=1),
                "reload": ThreadPoolExecutor(max_workers=1),
                "hotline": ThreadPoolExecutor(max_workers=1),
            },
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 3600},
        )
        self.config: SourcesConfig | None = None
        self._mtime = 0.0
        self._lock = threading.Lock()
        self.reload_every = reload_every
        self._queued: set[str] = set()  # recrawls handed to the worker, not yet finished
        self._reindexing = False  # an indexing for the console's corrections is queued
        # Set on shutdown: the crawls queued behind the running one (every source due at the
        # same minute) are left to the next start instead of holding SIGTERM for minutes.
        self._stopping = threading.Event()

    def start(self) -> None:
        if not self.reload():
            raise ConfigError([f"{self.sources_path} : aucun calendrier valide à lancer"])
        self.scheduler.add_job(
            self.reload_if_changed,
            "interval",
            seconds=self.reload_every,
            id="__reload__",
            executor="reload",
        )
        self.scheduler.add_job(
            self.maintenance,
            CronTrigger(hour=MAINTENANCE_HOUR, minute=17, timezone=TIMEZONE),
            id="__maintenance__",
            executor="reload",
        )
        self.scheduler.add_job(
            self.hotline_pass,
            "interval",
            seconds=HOTLINE_EVERY,
            id="__hotline__",
            executor="hotline",
        )
        self.scheduler.start()

    def maintenance(self) -> int:
        """The nightly upkeep: abandoned self-assessments past their retention are deleted."""
        store = open_store(self.data_dir)
        try:
            count = store.purge_selfassessments(retention_days())
        finally:
            store.close()
        self.logger.info(
            json.dumps(
                {"event": "maintenance", "at": now(), "selfassessments_deleted": count},
                ensure_ascii=False,
            )
        )
        return count

    def hotline_pass(self) -> None:
        """One pass of the hotline: outbox, reminders and escalations, purge (one log line
        when it did something or failed)."""
        from scheduler.hotline import run_once

        store = open_store(self.data_dir)
        try:
            report = run_once(store, self.data_dir)
            details = {k: v for k, v in report.__dict__.items() if v}
        except Exception as exc:  # a bad settings file or a database error: crawls go on
            details = {"error": str(exc)[-500:]}
        finally:
            store.close()
        if details:
            self.logger.info(
                json.dumps({"event": "hotline", "at": now(), **details}, ensure_ascii=False)
            )

    def shutdown(self, wait: bool = True) -> None:
        self._stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)

    def reload_if_changed(self) -> None:
        try:
            mtime = self.sources_path.stat().st_mtime
        except OSError:
            mtime = self._mtime
        if mtime != self._mtime:
            self.reload()
        self.serve_queue()
        self.serve_reindex()

    def serve_reindex(self) -> None:
        """Pages the console queued for reindexing (corrections) are indexed by the single
        worker, between crawls: a web request never rebuilds the index itself."""
        if self._reindexing:
            return
        store = open_store(self.data_dir)
        try:
            waiting = store.reindex_pending()
        finally:
            store.close()
        if waiting:
            self._reindexing = True
            self.scheduler.add_job(self._reindex, id="reindex", replace_existing=True)

    def _reindex(self) -> None:
        try:
            status, detail = self.runner._index("")
            self.logger.info(
                json.dumps(
                    {"event": "reindex", "at": now(), "status": status, "detail": detail},
                    ensure_ascii=False,
                )
            )
        finally:
            self._reindexing = False

    def serve_queue(self) -> None:
        """Hand the recrawls queued from the console to the single worker, once each."""
        known = {s.id for s in self.config.sources} if self.config else set()
        for request in recrawl.pending(self.data_dir):
            if request.source in self._queued:
                continue
            if request.source not in known:
                recrawl.take(self.data_dir, request.source)
                self.logger.info(
                    json.dumps(
                        {"event": "recrawl_dropped", "at": now(), "source": request.source},
                        ensure_ascii=False,
                    )
                )
                continue
            self._queued.add(request.source)
            self.scheduler.add_job(
                self._run_queued,
                args=[request.source],
                id=f"now:{request.source}",
                replace_existing=True,
            )

    def _scheduled_crawl(self, source_id: str) -> RunResult | None:
        """A scheduled crawl, unless the scheduler is stopping."""
        return None if self._stopping.is_set() else self.runner.run(source_id)

    def _run_queued(self, source_id: str) -> RunResult | None:
        try:
            if self._stopping.is_set():
                return None  # the request stays queued for the next start
            request = recrawl.take(self.data_dir, source_id)
            self.logger.info(
                json.dumps(
                    {
                        "event": "recrawl",
                        "at": now(),
                        "source": source_id,
                        "by": request.by if request else "",
                    },
                    ensure_ascii=False,
                )
            )
            return self.runner.run(source_id)
        finally:
            self._queued.discard(source_id)

    def reload(self) -> bool:
        """Re-read the sources file; on any error keep the current jobs and say why (a
        reload runs on SIGHUP in the main thread: nothing may escape it)."""
        with self._lock:
            try:
                self._mtime = self.sources_path.stat().st_mtime
                config = load_sources(self.sources_path)
            except Exception as exc:
                errors = exc.errors if isinstance(exc, ConfigError) else [f"{exc!r}"]
                self.logger.info(
                    json.dumps(
                        {
                            "event": "reload_failed",
                            "at": now(),
                            "errors": errors,
                            "kept": sorted(self.next_runs()),
                        },
                        ensure_ascii=False,
                    )
                )
                return False
            self._apply(config)
            self.config = config
            self.logger.info(
                json.dumps(
                    {"event": "reloaded", "at": now(), "sources": [s.id for s in config.enabled()]},
                    ensure_ascii=False,
                )
            )
            return True

    def _apply(self, config: SourcesConfig) -> None:
        wanted = {f"crawl:{s.id}": s for s in config.enabled()}
        for job in self.scheduler.get_jobs():
            if job.id.startswith("crawl:") and job.id not in wanted:
                job.remove()
        for job_id, source in wanted.items():
            self.scheduler.add_job(
                self._scheduled_crawl,
                self.trigger_for(source),
                args=[source.id],
                id=job_id,
                name=source.name,
                replace_existing=True,
            )

    def next_runs(self) -> dict[str, datetime]:
        """When each source's next crawl is due (also before the scheduler has started)."""
        moment = datetime.now(ZoneInfo(TIMEZONE))
        out = {}
        for job in self.scheduler.get_jobs():
            if job.id.startswith("crawl:"):
                when = getattr(job, "next_run_time", None) or job.trigger.get_next_fire_time(
                    None, moment
                )
                out[job.id.removeprefix("crawl:")] = when
        return out


def crontab_lines(config: SourcesConfig, sources_path: Path, data_dir: Path) -> list[str]:
    """The crontab equivalent of the schedule: one line per enabled source."""
    portail = shlex.quote(str(Path(sys.executable).with_name("portail")))
    env = f"PORTAIL_DATA={shlex.quote(str(data_dir))}"
    src = shlex.quote(str(sources_path.resolve()))
    lines = [
        "# France International : collectes périodiques (heure de Paris)",
        f"CRON_TZ={TIMEZONE}",
    ]
    for source in config.enabled():
        lines.append(
            f"{source.schedule} {env} {portail} crawl --sources {src} --source "
            f"{source.id} && {env} {portail} index"
        )
    return lines


def run_forever(
    sources_path: Path, data_dir: Path, on_ready: Callable[[], None] | None = None
) -> int:
    """`portail schedule`: run until interrupted; SIGHUP reloads the sources file. `on_ready`
    is called once the store is accepted (a schema this release does not know is refused
    before anything is announced)."""
    scheduler = PortalScheduler(sources_path, data_dir)
    if on_ready is not None:
        on_ready()
    # Before the first schedule is logged: a SIGHUP sent as soon as it is must not kill us.
    signal.signal(signal.SIGHUP, lambda *_: scheduler.reload())
    try:
        scheduler.start()
    except ConfigError as exc:
        for line in exc.errors:
            print(line, file=sys.stderr)
        return 2
    for source_id, when in sorted(scheduler.next_runs().items()):
        print(f"  {source_id} : prochaine collecte le {when:%d/%m/%Y à %H:%M}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(3600):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown()
    return 0
