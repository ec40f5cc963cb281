"""`portail crawl`: every selected source crawled by one Scrapy process, with a progress line,
a per-source report, and an exclusive lock on the data directory."""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import IO, Any

from portail.db import CrawlCounts, Store, now, open_store
from portail.language import plural
from portail.sources import Source, SourcesConfig

EXIT_BUSY = 75  # EX_TEMPFAIL: another crawl holds the data directory


class CrawlBusy(Exception):
    """Another crawl holds the lock; the message says which."""


@dataclass
class SourceResult:
    source: Source
    crawl_id: int
    status: str
    counts: CrawlCounts
    flag: str | None
    errors: list[tuple[str, str]]
    seconds: float


@contextmanager
def crawl_lock(data_dir: Path, sources: list[Source]) -> Iterator[None]:
    """Hold the data directory's crawl lock, or raise CrawlBusy naming the running crawl."""
    path = data_dir / "crawl.lock"
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        raise CrawlBusy(_describe_holder(handle.read())) from None
    try:
        handle.seek(0)
        handle.truncate()
        json.dump(
            {"pid": os.getpid(), "sources": [s.id for s in sources], "started": now()}, handle
        )
        handle.flush()
        yield
    finally:
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _describe_holder(raw: str) -> str:
    try:
        info = json.loads(raw)
        sources = ", ".join(info["sources"])
        return (
            f"une collecte est déjà en cours (processus {info['pid']}, sources : {sources}, "
            f"démarrée le {info['started']})"
        )
    except (ValueError, KeyError, TypeError):
        return "une collecte est déjà en cours dans ce répertoire de données"


def run_crawl(
    config: SourcesConfig,
    source_ids: list[str],
    data_dir: Path,
    out: IO[str] = sys.stdout,
    err: IO[str] = sys.stderr,
    expected: frozenset[str] = frozenset(),
) -> list[SourceResult]:
    """Crawl the named sources (all enabled ones when none is named); return their results.
    `expected` holds the URLs known to be dead on purpose (the demo web's), reported apart."""
    sources = select_sources(config, source_ids)
    with crawl_lock(data_dir, sources):
        store = open_store(data_dir)
        try:
            results = _crawl(sources, store, data_dir, err)
        finally:
            store.close()
    print_report(results, out, expected)
    return results


def exit_code(results: list[SourceResult]) -> int:
    """1 when every source came back empty and flagged (a failed crawl), else 0."""
    failed = results and all(
        r.flag and r.counts.new + r.counts.unchanged + r.counts.changed == 0 for r in results
    )
    return 1 if failed else 0


def run_record(results: list[SourceResult]) -> dict[str, Any]:
    """The crawl's machine-readable record, written by `--record` (what the scheduler reads);
    each source's part is also kept with its crawl (`crawls.record`, what the console shows)."""
    return {
        "version": 1,
        "exit_code": exit_code(results),
        "sources": [source_record(r) for r in results],
    }


def source_record(r: SourceResult) -> dict[str, Any]:
    """One source's part of the record; `exit_code` is what a crawl of it alone ends with."""
    return {
        "source": r.source.id,
        "exit_code": exit_code([r]),
        "crawl_id": r.crawl_id,
        "status": r.status,
        "flag": r.flag,
        "seconds": round(r.seconds, 1),
        "counts": asdict(r.counts),
        "errors": [{"url": url, "reason": reason} for url, reason in r.errors],
    }


def select_sources(config: SourcesConfig, source_ids: list[str]) -> list[Source]:
    if not source_ids:
        return list(config.enabled())
    unknown = [sid for sid in source_ids if config.get(sid) is None]
    if unknown:
        known = ", ".join(s.id for s in config.sources)
        raise KeyError(f"source inconnue : {', '.join(unknown)} (sources connues : {known})")
    return [s for s in config.sources if s.id in source_ids]


def _crawl(sources: list[Source], store: Store, data_dir: Path, err: IO[str]) -> list[SourceResult]:
    from scrapy.crawler import CrawlerProcess

    from crawlers.settings import crawl_settings
    from crawlers.spider import SourceSpider

    process = CrawlerProcess(
        settings={
            "LOG_LEVEL": "ERROR",
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
            "LOG_INSTALL_ROOT_HANDLER": True,
        }
    )
    started = time.monotonic()
    crawls: list[tuple[Source, int, Any]] = []
    for source in sources:
        store.record_source(
            source.id, source.name, source.organisation, source.region, source.actor
        )
        crawl_id = store.start_crawl(source.id)
        # One spider class per source, so that each crawler gets its own settings.
        spider_cls = type(
            f"SourceSpider_{source.id}",
            (SourceSpider,),
            {"custom_settings": crawl_settings(source, data_dir)},
        )
        crawler = process.create_crawler(spider_cls)
        process.crawl(crawler, source=source, store=store, crawl_id=crawl_id)
        crawls.append((source, crawl_id, crawler))
    progress = Progress(err, [c for _, _, c in crawls])
    progress.start()
    from twisted.internet import reactor

    # Once running, after Scrapy has installed its own handlers (at startup), replace them.
    reactor.callWhenRunning(reactor.callLater, 0, _answer_signals, process)
    process.start()
    progress.stop()
    for _, _, crawler in crawls:  # a full or read-only disk: the command line says so (74)
        if crawler.spider is not None and crawler.spider.refused is not None:
            raise crawler.spider.refused
    elapsed = time.monotonic() - started
    return [_finish(store, source, cid, crawler, elapsed) for source, cid, crawler in crawls]


STOP_GRACE = 5.0  # seconds a stopping crawl has to close its spiders before it is cut short


def _answer_signals(process: Any) -> None:
    """SIGTERM or SIGINT: close the spiders (what was saved stays saved), and stop the reactor
    after STOP_GRACE seconds whatever is still downloading (a hanging or trickling server
    must not keep a service manager waiting); a second signal stops it at once."""
    import signal

    from twisted.internet import reactor

    def stop_now() -> None:
        if reactor.running:
            reactor.stop()  # type: ignore[misc]

    def first(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTERM, second)
        signal.signal(signal.SIGINT, second)
        reactor.callFromThread(process.stop)
        reactor.callFromThread(reactor.callLater, STOP_GRACE, stop_now)

    def second(signum: int, frame: Any) -> None:
        reactor.callFromThread(stop_now)

    signal.signal(signal.SIGTERM, first)
    signal.signal(signal.SIGINT, first)


def _finish(
    store: Store, source: Source, crawl_id: int, crawler: Any, elapsed: float
) -> SourceResult:
    spider = crawler.spider
    reason = getattr(spider, "finish_reason", "shutdown")
    complete = reason == "finished"
    gone, flag = store.close_crawl(crawl_id, source.id, complete)
    outcomes = store.outcome_counts(crawl_id)
    errors = [(r["url"], r["reason"]) for r in store.crawl_errors(crawl_id)]
    counts = CrawlCounts(
        new=outcomes.get("new", 0),
        changed=outcomes.get("changed", 0),
        unchanged=outcomes.get("unchanged", 0),
        gone=gone,
        errors=len(errors),
    )
    reached = counts.new + counts.changed + counts.unchanged
    if not complete:
        flag = _incomplete_reason(reason, source)
    elif reached == 0 and errors:
        flag = flag or f"source injoignable : {errors[0][1]}"
    stats = crawler.stats.get_stats() if crawler.stats else {}
    nbytes = int(stats.get("downloader/response_bytes", 0))
    status = "finished" if complete else "incomplete"
    result = SourceResult(source, crawl_id, status, counts, flag, errors, elapsed)
    store.finish_crawl(crawl_id, status, reason, flag, counts, nbytes, source_record(result))
    return result


def _incomplete_reason(reason: str, source: Source) -> str:
    if reason == "closespider_pagecount":
        return (
            f"collecte incomplète : plafond de {source.max_pages} pages atteint "
            "(max_pages) ; aucune page n'a été marquée disparue"
        )
    return f"collecte interrompue ({reason}) ; aucune page n'a été marquée disparue"


class Progress:
    """A live progress line on stderr while Scrapy's reactor runs."""

    def __init__(self, stream: IO[str], crawlers: list[Any], interval: float = 1.0):
        self.stream = stream
        self.crawlers = crawlers
        self.interval = interval
        self.started = time.monotonic()
        self.tty = stream.isatty()
        self.last_print = 0.0
        self.call: Any = None

    def start(self) -> None:
        from twisted.internet import task

        self.call = task.LoopingCall(self.tick)
        self.call.start(self.interval, now=False)

    def stop(self) -> None:
        if self.call is not None and self.call.running:
            self.call.stop()
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()

    def tick(self) -> None:
        spiders = [c.spider for c in self.crawlers if c.spider is not None]
        pages = sum(s.pages_done for s in spiders)
        errors = sum(s.errors for s in spiders)
        active = [s.source.id for s in spiders if getattr(s, "finish_reason", None) is None]
        elapsed = time.monotonic() - self.started
        line = (
            f"Collecte en cours : {plural(pages, 'page')}, {plural(errors, 'erreur')}, "
            f"{pages / max(elapsed, 0.1):.0f} pages/s, {plural(len(active), 'source active')} "
            f"({', '.join(active[:4])}{'…' if len(active) > 4 else ''})"
        )
        if self.tty:
            self.stream.write("\r" + line[:150].ljust(150))
            self.stream.flush()
        elif time.monotonic() - self.last_print >= 10:
            self.stream.write(line + "\n")
            self.stream.flush()
            self.last_print = time.monotonic()


STATUS_FR = {"finished": "terminée", "incomplete": "incomplète"}


def grouped_errors(errors: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """The errors by nature (their reason, the numbers of a « page très chargée » aside),
    the most frequent first, each with its addresses."""
    groups: dict[str, list[str]] = {}
    for url, reason in errors:
        groups.setdefault(reason, []).append(url)
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


def print_report(
    results: list[SourceResult], out: IO[str], expected: frozenset[str] = frozenset()
) -> None:
    """The per-source table (its errors: the unexpected ones), then flags, the links broken on
    purpose (expected), and the errors."""
    header = (
        f"{'Source':<24} {'Nouvelles':>9} {'Modifiées':>9} {'Inchangées':>10} "
        f"{'Disparues':>9} {'Erreurs':>7}  État"
    )
    out.write(header + "\n" + "-" * len(header) + "\n")
    total = CrawlCounts()
    for r in results:
        foreseen_here = sum(url in expected for url, _ in r.errors)
        c = replace(r.counts, errors=max(0, r.counts.errors - foreseen_here))
        state = STATUS_FR.get(r.status, r.status) + (" ⚠" if r.flag else "")
        out.write(
            f"{r.source.id:<24} {c.new:>9} {c.changed:>9} {c.unchanged:>10} "
            f"{c.gone:>9} {c.errors:>7}  {state}\n"
        )
        for key in ("new", "changed", "unchanged", "gone", "errors"):
            setattr(total, key, getattr(total, key) + getattr(c, key))
    out.write(
        f"{'Total':<24} {total.new:>9} {total.changed:>9} {total.unchanged:>10} "
        f"{total.gone:>9} {total.errors:>7}\n"
    )
    flagged = [r for r in results if r.flag]
    if flagged:
        out.write("\nÀ examiner :\n")
        for r in flagged:
            out.write(f"  - {r.source.id} : {r.flag}\n")
    foreseen = [(r, url, reason) for r in results for url, reason in r.errors if url in expected]
    if foreseen:
        out.write(
            f"\nLiens cassés exprès par le web de démonstration ({len(foreseen)}, attendus : "
            "ce ne sont pas des erreurs, ni comptés comme telles) :\n"
        )
        for r, url, reason in foreseen:
            out.write(f"  - {r.source.id} : {url} — {reason}\n")
    errors = [(r, [e for e in r.errors if e[0] not in expected]) for r in results]
    if any(found for _, found in errors):
        out.write("\nProblèmes rencontrés, par nature :\n")
        for r, found in errors:
            for reason, urls in grouped_errors(found):
                shown = ", ".join(urls[:3]) + (
                    f" et {len(urls) - 3} autres" if len(urls) > 3 else ""
                )
                out.write(f"  - {r.source.id} : {reason} — {shown}\n")
    elif foreseen:
        out.write("\nAucune autre erreur.\n")
    out.flush()
