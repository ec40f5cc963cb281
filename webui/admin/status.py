"""What the console shows of each source: its last crawl, its pages, its flags, its queue
and its next scheduled run — read from the sources file, the page store and the queue."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from portail.cron import next_run
from portail.db import FAILURES_TO_FLAG, RecrawlRequest, Store, records
from portail.sources import ConfigError, Source, SourcesConfig, load_sources

RUNNING = "running"
RECORDS = 5  # crawl records shown on a source's page
RECORD_ERRORS = 5  # errors listed per record (the others are counted)


@dataclass
class SourceStatus:
    id: str
    name: str
    organisation: str
    source: Source | None  # None: known to the store only (removed from the sources file)
    last: records.CrawlRecord | None = None  # the last crawl
    pages: dict[str, int] = field(default_factory=dict)  # by status: ok, gone, error
    flags: list[str] = field(default_factory=list)
    queued: RecrawlRequest | None = None
    next_run: datetime | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.source and self.source.enabled)

    @property
    def duration(self) -> float | None:
        return crawl_duration(self.last) if self.last is not None else None

    @property
    def running(self) -> bool:
        return self.last is not None and self.last["status"] == RUNNING


def read_config(path: Path) -> tuple[SourcesConfig | None, list[str]]:
    """The sources file, or None with its errors (in French)."""
    try:
        return load_sources(path), []
    except ConfigError as exc:
        return None, exc.errors


def crawl_duration(crawl: records.CrawlRecord) -> float | None:
    """Seconds a crawl took (None while it runs or when its times are unreadable)."""
    try:
        start = datetime.fromisoformat(crawl["started"])
        end = datetime.fromisoformat(crawl["finished"]) if crawl["finished"] else None
    except (TypeError, ValueError):
        return None
    return (end - start).total_seconds() if end else None


def statuses(store: Store, config: SourcesConfig | None, data_dir: Path) -> list[SourceStatus]:
    """Every source of the sources file, then those only the store still knows."""
    known = store.sources()
    rows: dict[str, SourceStatus] = {}
    for source in config.sources if config else ():
        rows[source.id] = SourceStatus(
            source.id, source.name, source.organisation, source, next_run=next_run(source)
        )
    for sid, row in sorted(known.items()):
        rows.setdefault(sid, SourceStatus(sid, row["name"], row["organisation"], None))
    for crawl in store.last_crawls():
        if crawl["source"] not in rows:
            rows[crawl["source"]] = SourceStatus(
                crawl["source"], crawl["source"], crawl["source"], None
            )
        rows[crawl["source"]].last = crawl
    for counted in store.page_counts():
        if counted["source"] in rows:
            rows[counted["source"]].pages[counted["status"]] = counted["count"]
    failing = store.failing_sources()
    for request in store.pending_recrawls():
        if request.source in rows:
            rows[request.source].queued = request
    for status in rows.values():
        status.flags = _flags(status, failing.get(status.id))
    return list(rows.values())


def _flags(status: SourceStatus, failing: str | None) -> list[str]:
    flags = []
    if failing:
        flags.append(f"{FAILURES_TO_FLAG} échecs de suite : {failing}")
    if status.last is not None and status.last["flag"]:
        flags.append(status.last["flag"])
    if status.last is not None and status.last["status"] in ("incomplete", "interrupted"):
        reason = f" ({status.last['reason']})" if status.last["reason"] else ""
        flags.append(f"dernière collecte {STATUS_LABELS[status.last['status']]}{reason}")
    return flags


@dataclass(frozen=True)
class CrawlRecord:
    """A crawl's machine-readable record (`crawls.record`), as the console shows it."""

    started: str
    status: str
    counts: dict[str, int]
    exit_code: int | None  # None: the crawl left no record (running, killed, older release)
    problems: list[str]


def crawl_records(crawls: Sequence[records.CrawlRecord], limit: int = RECORDS) -> list[CrawlRecord]:
    """The records of the last crawls, newest first (`crawls` as `Store.crawls` gives them)."""
    return [_crawl_record(row) for row in crawls[:limit]]


def _crawl_record(row: records.CrawlRecord) -> CrawlRecord:
    try:
        record = json.loads(row["record"] or "")
    except ValueError:
        return CrawlRecord(
            row["started"],
            row["status"],
            {},
            None,
            ["aucun bilan enregistré (collecte en cours, arrêtée avant sa fin ou antérieure)"],
        )
    errors = record.get("errors") or []
    problems = [record["flag"]] if record.get("flag") else []
    problems += [f"{e['url']} : {e['reason']}" for e in errors[:RECORD_ERRORS]]
    if len(errors) > RECORD_ERRORS:
        problems.append(f"… et {len(errors) - RECORD_ERRORS} autres erreurs")
    return CrawlRecord(
        row["started"],
        record.get("status", ""),
        record.get("counts") or {},
        record.get("exit_code"),
        problems,
    )


def runs(store: Store, source_id: str, limit: int = 10) -> list[records.RunRecord]:
    """The scheduler's last runs of a source (crawl then index), newest first."""
    return store.runs(source_id, limit)


STATUS_LABELS = {
    "running": "en cours",
    "finished": "terminée",
    "incomplete": "incomplète",
    "interrupted": "interrompue",
}
EXIT_LABELS = {0: "0 (réussie)", 1: "1 (échec : aucune page atteinte)"}
RUN_LABELS = {
    "running": "en cours",
    "ok": "réussie",
    "failed": "échec",
    "timeout": "délai dépassé",
    "busy": "refusée (collecte déjà en cours)",
}
PAGE_LABELS = {"ok": "en ligne", "gone": "disparues", "error": "en erreur"}
