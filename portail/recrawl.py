"""Recrawls asked for by a maintainer: a small queue file the scheduler consumes.

`<data>/recrawl-queue.json` holds at most one request per source (asking again keeps the
first request). The console appends; `schedule.PortalScheduler` reads it on its reload tick
and runs each queued source through its single worker, removing the request when the run
starts — so a request survives a scheduler restart until it is served.
"""

from __future__ import annotations

import json
import os
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from pathlib import Path

from portail.filelock import locked
from portail.store import now

QUEUE_FILE = "recrawl-queue.json"


@dataclass(frozen=True)
class RecrawlRequest:
    source: str
    at: str
    by: str


def queue_path(data_dir: Path) -> Path:
    return Path(data_dir) / QUEUE_FILE


def _locked(data_dir: Path) -> AbstractContextManager[None]:
    return locked(queue_path(data_dir))


def _read(data_dir: Path) -> list[RecrawlRequest]:
    try:
        raw = json.loads(queue_path(data_dir).read_text("utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError):
        return []  # a damaged queue is dropped: asking again is cheap
    items = raw.get("requests", []) if isinstance(raw, dict) else []
    return [
        RecrawlRequest(str(i["source"]), str(i.get("at", "")), str(i.get("by", "")))
        for i in items
        if isinstance(i, dict) and isinstance(i.get("source"), str)
    ]


def _write(data_dir: Path, requests: list[RecrawlRequest]) -> None:
    path = queue_path(data_dir)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"requests": [asdict(r) for r in requests]}, ensure_ascii=False, indent=1),
        "utf-8",
    )
    os.replace(tmp, path)


def request_recrawl(data_dir: Path, source_id: str, by: str) -> RecrawlRequest:
    """Queue a recrawl of a source; return the request in force (an earlier one if queued)."""
    with _locked(data_dir):
        requests = _read(data_dir)
        for request in requests:
            if request.source == source_id:
                return request
        request = RecrawlRequest(source_id, now(), by)
        _write(data_dir, [*requests, request])
        return request


def pending(data_dir: Path) -> list[RecrawlRequest]:
    """The queued requests, oldest first."""
    with _locked(data_dir):
        return _read(data_dir)


def take(data_dir: Path, source_id: str) -> RecrawlRequest | None:
    """Remove a source's request from the queue (its run is starting) and return it."""
    with _locked(data_dir):
        requests = _read(data_dir)
        found = next((r for r in requests if r.source == source_id), None)
        if found is not None:
            _write(data_dir, [r for r in requests if r.source != source_id])
        return found
