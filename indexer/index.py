"""`portail index`: bring the Whoosh index up to date with the page store.

The index lives in generations under `<data>/index/`: `CURRENT` names the live one. An
incremental run updates the live generation (Whoosh commits are atomic: a killed writer leaves
the previous commit searchable); `--full` builds a fresh generation and swaps `CURRENT`
atomically, so searches keep working during a rebuild. The store's `enrichment` table records
which version of each page the index holds, written only after the index commit.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import multiprocessing
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.multiproc import SubWriterTask
from whoosh.writing import LockError

from indexer.analysis import ANALYSIS_VERSION, french_analyzer, joined_phrases, place_names
from indexer.corrections import Correction, load_corrections
from indexer.enrich import Enrichment, enrich_page
from indexer.news import NewsReport, update_news
from portail.actors import DEFAULT_ACTOR
from portail.db import PageRecord, SourceRecord, Store, now, open_store

INDEX_DIR = "index"
SUMMARY_CHARS = 1500
PARALLEL_MIN_PAGES = 2000  # fewer pages: starting worker processes costs more than it saves
MAX_PROCS = 4
PR_SET_PDEATHSIG = 1
# Bumped when the index's fields change; with the analysis version, a generation built
# otherwise is rebuilt in full by the next `portail index`.
SCHEMA_VERSION = 4  # 4: summaries cut after a word; 3: each page's actor, V.I.E. offers' fields


def index_format() -> str:
    """What an index generation depends on besides the pages: the analysis (its version and
    the place names it joins, from the gazetteers' data files) and the fields."""
    places, phrases = place_names().digest(), joined_phrases().digest()
    return f"analysis {ANALYSIS_VERSION}/{places}/{phrases}, schema {SCHEMA_VERSION}"


Progress = Callable[[int, int], None]


class IndexBusy(Exception):
    """Another process is writing the index."""


@dataclass
class IndexReport:
    full: bool
    added: int = 0
    updated: int = 0
    removed: int = 0
    total: int = 0
    seconds: float = 0.0
    generation: str = ""
    news: NewsReport | None = None


def _remember_missing_columns() -> None:
    """Whoosh 2.7.4 asks the disk, once per posting written, whether a field without lengths
    (keywords, ids) has a length column: a third of a commit's time. A finished segment's
    files never change, so its per-document reader may remember the answer."""
    original = W3PerDocReader._cached_reader
    if getattr(original, "remembers_missing", False):
        return

    def cached_reader(self: Any, fieldname: str, column: Any) -> Any:
        if fieldname not in self._readers:
            self._readers[fieldname] = original(self, fieldname, column)
        return self._readers[fieldname]

    cached_reader.remembers_missing = True  # type: ignore[attr-defined]
    cached_reader.stock = original  # type: ignore[attr-defined]
    W3PerDocReader._cached_reader = cached_reader


_remember_missing_columns()


def _subwriters_die_with_the_indexer() -> None:
    """Whoosh's writer processes are forked: they share the indexer's lock file, and would keep
    it (and run on) if the indexer were killed. They die with it instead."""
    run = SubWriterTask.run
    if getattr(run, "dies_with_parent", False):
        return

    def run_until_parent_dies(self: Any) -> Any:
        _die_with_parent()
        return run(self)

    run_until_parent_dies.dies_with_parent = True  # type: ignore[attr-defined]
    SubWriterTask.run = run_until_parent_dies


_subwriters_die_with_the_indexer()


def schema() -> Schema:
    fr = french_analyzer()
    return Schema(
        url=ID(stored=True, unique=True),
        title=TEXT(analyzer=fr, stored=True, field_boost=3.0, spelling=True),
        body=TEXT(analyzer=fr, spelling=True),
        summary=STORED,
        description=STORED,
        provider=ID(stored=True),
        actor=ID(stored=True),
        source=ID(stored=True),
        step=ID(stored=True),
        steps=STORED,
        kind=ID(stored=True),
        countries=KEYWORD(stored=True, commas=True),
        regions=KEYWORD(stored=True, commas=True),
        sectors=KEYWORD(stored=True, commas=True),
        language=ID(stored=True),
        relevant=BOOLEAN(stored=True),
        searchable=BOOLEAN(),  # relevant, or borderline (« à vérifier »): found by searches
        date=DATETIME(stored=True, sortable=True),
        first_seen=DATETIME(stored=True, sortable=True),
        updated=DATETIME(stored=True, sortable=True),  # the page's own date, not the crawl's
        event_start=DATETIME(stored=True, sortable=True),
        event_end=DATETIME(stored=True),
        extra=STORED,
    )


def index_root(data_dir: Path) -> Path:
    return data_dir / INDEX_DIR


def current_generation(data_dir: Path) -> Path | None:
    pointer = index_root(data_dir) / "CURRENT"
    try:
        name = pointer.read_text("utf-8").strip()
    except FileNotFoundError:
        return None
    path = index_root(data_dir) / name
    return path if name and whoosh_index.exists_in(path) else None


@contextmanager
def indexer_lock(data_dir: Path, wait: float) -> Iterator[None]:
    """One indexer at a time: wait up to `wait` seconds for the lock, then give up."""
    root = index_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    handle = (root / "indexer.lock").open("a+")
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.close()
                raise IndexBusy("un autre processus met déjà l'index à jour") from None
            time.sleep(0.2)
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def update_index(
    data_dir: Path,
    full: bool = False,
    wait: float = 60.0,
    progress: Progress | None = None,
    procs: int = 0,
) -> IndexReport:
    """Index new and changed pages, remove gone ones; rebuild from scratch when `full`.

    A rebuild of many pages uses `procs` processes (0: one per core, up to four)."""
    started = time.monotonic()
    with indexer_lock(data_dir, wait):
        store = open_store(data_dir)
        began = now()
        try:
            live = current_generation(data_dir)
            _remove_abandoned_generations(index_root(data_dir), live)
            corrections = load_corrections(store)
            if full or live is None or not _same_format(live):
                report = _rebuild(data_dir, store, progress, procs, corrections)
            else:
                report = _incremental(live, store, progress, corrections)
            store.clear_reindex_queue(began)
            sources = store.sources()
            report.news = update_news(store, sources)
        finally:
            store.close()
    report.seconds = time.monotonic() - started
    return report


def _incremental(
    generation: Path, store: Store, progress: Progress | None, corrections: dict[str, Correction]
) -> IndexReport:
    report = IndexReport(full=False, generation=generation.name)
    ix = whoosh_index.open_dir(generation)
    urls = store.urls_to_index()
    stale = store.stale_urls()
    known = store.enriched_urls()
    if not urls and not stale:
        report.total = ix.doc_count()
        return report
    try:
        writer = ix.writer(timeout=30.0, limitmb=256)
    except LockError:
        raise IndexBusy("l'index est verrouillé par un autre processus") from None
    done: list[Enrichment] = []
    try:
        for enrichment, doc in _documents(store, urls, corrections, progress):
            writer.update_document(**doc)
            done.append(enrichment)
            if enrichment.url in known:
                report.updated += 1
            else:
                report.added += 1
        for url in stale:
            writer.delete_by_term("url", url)
        report.removed = len(stale)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    _record(store, done, stale)
    report.total = ix.doc_count()
    return report


def _rebuild(
    data_dir: Path,
    store: Store,
    progress: Progress | None,
    procs: int,
    corrections: dict[str, Correction],
) -> IndexReport:
    root = index_root(data_dir)
    name = "gen-" + datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    path = root / name
    path.mkdir(parents=True)
    ix = whoosh_index.create_in(path, schema())
    report = IndexReport(full=True, generation=name)
    urls = store.live_urls()
    procs = procs or (min(MAX_PROCS, os.cpu_count() or 1) if len(urls) >= PARALLEL_MIN_PAGES else 1)
    writer = ix.writer(limitmb=256, procs=procs, multisegment=procs > 1)
    done: list[Enrichment] = []
    try:
        for enrichment, doc in _documents(store, urls, corrections, progress, procs):
            writer.add_document(**doc)
            done.append(enrichment)
        writer.commit()
    except BaseException:
        writer.cancel()
        shutil.rmtree(path, ignore_errors=True)
        raise
    (path / "FORMAT").write_text(index_format() + "\n", "utf-8")
    _swap(root, name)
    _record(store, done, [], replace_all=True)
    report.added = len(done)
    report.total = ix.doc_count()
    _remove_old_generations(root, keep=name)
    return report


def _documents(
    store: Store,
    urls: list[str],
    corrections: dict[str, Correction],
    progress: Progress | None,
    procs: int = 1,
) -> Iterator[tuple[Enrichment, dict[str, Any]]]:
    """Each page's enrichment and Whoosh document, with progress every 200 pages.

    With `procs` > 1 and many pages, pages are classified in that many worker processes
    (spawned: they inherit no lock and no open index file), in order.
    """
    sources = store.sources()
    if procs > 1 and len(urls) >= PARALLEL_MIN_PAGES:
        context = multiprocessing.get_context("spawn")
        with context.Pool(
            procs, initializer=_start_worker, initargs=(sources, corrections)
        ) as pool:
            # The pool reads its input in a thread of its own: it gets its own connection.
            prepared = pool.imap(_prepare, store.rows(urls), chunksize=32)
            for i, item in enumerate(prepared, start=1):
                yield item
                if progress and (i % 200 == 0 or i == len(urls)):
                    progress(i, len(urls))
        return
    for i, row in enumerate(store.rows(urls), start=1):
        enrichment = enrich_page(row, sources, corrections)
        yield enrichment, document(row, enrichment, sources)
        if progress and (i % 200 == 0 or i == len(urls)):
            progress(i, len(urls))


_worker_state: dict[str, Any] = {}


def _start_worker(sources: Mapping[str, SourceRecord], corrections: dict[str, Correction]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    _die_with_parent()
    _worker_state.update(sources=sources, corrections=corrections)


def _die_with_parent() -> None:
    """Linux: a worker is killed when the indexer dies, even by SIGKILL."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: workers end when their queue closes
        pass


def _prepare(row: PageRecord) -> tuple[Enrichment, dict[str, Any]]:
    sources, corrections = _worker_state["sources"], _worker_state["corrections"]
    enrichment = enrich_page(row, sources, corrections)
    return enrichment, document(row, enrichment, sources)


def _same_format(generation: Path) -> bool:
    """Whether a generation was built with today's analysis and fields (else: rebuild it)."""
    try:
        return (generation / "FORMAT").read_text("utf-8").strip() == index_format()
    except OSError:
        return False


def _swap(root: Path, name: str) -> None:
    """Point CURRENT at a new generation, atomically."""
    tmp = root / "CURRENT.tmp"
    tmp.write_text(name + "\n", "utf-8")
    with tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, root / "CURRENT")


def _remove_old_generations(root: Path, keep: str) -> None:
    """After a swap: remove the generations older than the one just replaced, which web
    processes may still be reading for a moment (they reopen within half a second)."""
    previous = sorted(
        (p for p in root.glob("gen-*") if p.is_dir() and p.name != keep and _finished(p)),
        key=lambda p: p.name,
    )
    for path in previous[:-1]:
        shutil.rmtree(path, ignore_errors=True)


def _remove_abandoned_generations(root: Path, live: Path | None) -> None:
    """Remove what killed rebuilds left behind — unfinished generations (no FORMAT written)
    and finished ones that never went live — keeping the live one and the one before it.
    Called under the indexer's lock, so no rebuild is under way."""
    if live is None:
        return  # nothing live: the rebuild about to run replaces everything
    older = sorted(p.name for p in root.glob("gen-*") if _finished(p) and p.name < live.name)
    keep = {live.name, *older[-1:]}
    for path in root.glob("gen-*"):
        if path.is_dir() and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def _finished(generation: Path) -> bool:
    return (generation / "FORMAT").exists()


def _record(
    store: Store, done: list[Enrichment], removed: list[str], replace_all: bool = False
) -> None:
    store.record_enrichment((e.row() for e in done), removed, replace_all)


def document(row: PageRecord, e: Enrichment, sources: Mapping[str, SourceRecord]) -> dict[str, Any]:
    """The Whoosh document of a stored page and its enrichment."""
    source = sources.get(row["source"])
    text = row["text"] or ""
    body_lines = text.split("\n")
    if body_lines and body_lines[0].strip() == (row["title"] or "").strip():
        body_lines = body_lines[1:]
    summary = summary_of(" ".join(body_lines))
    doc: dict[str, Any] = {
        "url": row["url"],
        "title": row["title"] or row["url"],
        "body": f"{row['description'] or ''}\n{text}",
        "summary": summary,
        "description": row["description"] or "",
        "provider": source["organisation"] if source else row["source"],
        "actor": (source.get("actor") if source else None) or DEFAULT_ACTOR,
        "source": row["source"],
        "step": e.step or "",
        "steps": json.dumps(e.steps),
        "kind": e.kind,
        "countries": ",".join(e.countries),
        "regions": ",".join(e.regions),
        "sectors": ",".join(e.sectors),
        "language": row["language"] or "",
        "relevant": e.relevant,
        "searchable": e.relevant or "review" in e.extra,
        "first_seen": _datetime(row["first_seen"]),
        "extra": json.dumps(e.extra, ensure_ascii=False),
    }
    for key, value in (
        ("date", e.date),
        ("updated", own_date(row)),
        ("event_start", e.event_start),
        ("event_end", e.event_end),
    ):
        parsed = _datetime(value)
        if parsed is not None:
            doc[key] = parsed
    return doc


def summary_of(text: str) -> str:
    """The text with its whitespace collapsed, cut after a whole word with « … » when longer
    than SUMMARY_CHARS (snippets end where it ends)."""
    text = " ".join(text.split())
    if len(text) <= SUMMARY_CHARS:
        return text
    cut = text.rfind(" ", 0, SUMMARY_CHARS)
    return text[: cut if cut > 0 else SUMMARY_CHARS - 1].rstrip(" ,;:") + "…"


def own_date(row: Any) -> str | None:
    """The date a page gives itself: its modification date, else its publication date (the
    later of the two when both are read), never the day it was crawled."""
    dates = [d for d in (row["published"], row["modified"]) if _datetime(d) is not None]
    return max(dates, key=lambda d: _datetime(d)) if dates else None  # type: ignore[arg-type,return-value]


def _datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)
