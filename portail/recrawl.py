"""Recrawls asked for by a maintainer: a queue in the database that the scheduler consumes.

At most one request per source (asking again keeps the first request). The console appends;
`schedule.PortalScheduler` reads the queue on its reload tick and runs each queued source
through its single worker, removing the request when the run starts — so a request survives a
scheduler restart until it is served, whichever web node took it.
"""

from __future__ import annotations

from pathlib import Path

from portail.db import RecrawlRequest, open_store

__all__ = ["RecrawlRequest", "pending", "request_recrawl", "take"]


def request_recrawl(data_dir: Path, source_id: str, by: str) -> RecrawlRequest:
    """Queue a recrawl of a source; return the request in force (an earlier one if queued)."""
    store = open_store(data_dir)
    try:
        return store.request_recrawl(source_id, by)
    finally:
        store.close()


def pending(data_dir: Path) -> list[RecrawlRequest]:
    """The queued requests, oldest first."""
    store = open_store(data_dir)
    try:
        return store.pending_recrawls()
    finally:
        store.close()


def take(data_dir: Path, source_id: str) -> RecrawlRequest | None:
    """Remove a source's request from the queue (its run is starting) and return it."""
    store = open_store(data_dir)
    try:
        return store.take_recrawl(source_id)
    finally:
        store.close()
