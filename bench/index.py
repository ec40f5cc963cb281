"""Indexing throughput and search latency on a generated corpus of French export pages.

The corpus is made of sentences drawn from the demo web's content, recombined into N pages
(about 500 words each) stored in a real page store. Indexing: `portail index --full` against a
bare Whoosh writer as released (same schema, no classification, no entities), both on the same
first pages of the corpus (2,000 by default), each timed alone in the same run; the portal's
rate on all N pages is a check. Then search latency p50/p95 over 200 varied 1–3 word queries
with facets and highlights on the portal's index of N pages, and the same queries by bare
Whoosh (top 10, highlights) on that same index for comparison.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.qparser import AndGroup, MultifieldParser

from bench.table import Figure
from demo.render import plain_text
from demo.site import load_sites
from indexer.index import current_generation, schema, update_index
from indexer.search import Searcher, SearchQuery
from portail.db import Store, open_store

QUERIES = [
    "douane",
    "export",
    "salon",
    "assurance prospection",
    "crédit documentaire",
    "V.I.E",
    "Allemagne",
    "filiale",
    "Incoterms",
    "prêt croissance",
    "diagnostic export",
    "Japon",
    "financement",
    "certificat d'origine",
    "mission",
    "TVA",
    "carnet ATA",
    "Bpifrance",
    "marché chinois",
    "recrutement",
    "formation export",
    "risque pays",
    "EORI",
    "agroalimentaire",
    "cosmétique Corée",
    "implantation Inde",
    "prospection Canada",
    "assurance crédit",
    "garantie de change",
    "étude de marché",
    "webinaire",
    "PME",
    "stratégie export",
    "plan export",
    "distributeur",
    "acheteurs",
    "Maroc",
    "Brésil",
    "vins",
    "aéronautique",
    "santé",
    "numérique",
    "OEA",
    "DAU",
    "logistique",
    "transport",
    "affacturage",
    "caution",
    "Viêt Nam",
    "Émirats",
    "Royaume-Uni",
    "Brexit",
    "sanctions",
    "double usage",
    "nomenclature",
    "origine préférentielle",
    "conseiller",
    "CCI",
    "Team France Export",
    "région",
    "Occitanie",
    "Bretagne",
    "subvention",
    "chèque export",
    "propriété intellectuelle",
    "brevet",
    "marque",
    "joint-venture",
    "investissement",
]
FILTERS = [
    {},
    {"step": "gerer"},
    {"kind": "offer"},
    {"step": "prospecter", "kind": "event"},
    {"country": "DE"},
    {"region": "84"},
]


def sentences() -> list[str]:
    out: list[str] = []
    for site in load_sites():
        for page in site.pages:
            text = " ".join(plain_text(page.body).split())
            out += [s for s in re.split(r"(?<=[.!?])\s+", text) if 40 < len(s) < 400]
    return out


def generated_pages(
    pages: int, first: int = 0, marker: str = "", seed: int = 7
) -> Iterator[dict[str, Any]]:
    """N generated pages (rows of the `pages` table), from demo sentences; `marker` is a word
    added to each title (to find them in the index)."""
    rng = random.Random(seed + first)
    pool = sentences()
    titles = [p.title for s in load_sites() for p in s.pages]
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    for i in range(first, first + pages):
        title = f"{rng.choice(titles)} ({i}) {marker}".strip()
        text = title + "\n" + "\n".join(rng.choice(pool) for _ in range(22))
        source = rng.choice(SOURCES)[0]
        yield {
            "url": f"https://bench.invalid/{source}/{i}",
            "source": source,
            "status": "ok",
            "title": title,
            "text": text,
            "content_hash": f"h{i}",
            "first_seen": stamp,
            "last_fetched": stamp,
            "last_changed": stamp,
            "last_seen": stamp,
        }


SOURCES = (
    ("bpifrance", "Bpifrance"),
    ("douane", "Douane"),
    ("tresor", "DG Trésor"),
    ("region-ara", "Région Auvergne-Rhône-Alpes"),
    ("coface", "Coface"),
)


def build_store(data: Path, pages: int, first: int = 0, marker: str = "") -> None:
    """N generated pages in the data directory's page store, in large transactions."""
    from sqlalchemy import insert

    from portail.db.tables import pages as pages_table

    store = open_store(data)
    try:
        for sid, org in SOURCES:
            store.record_source(sid, sid, org, "84" if sid == "region-ara" else "")
        batch: list[dict[str, Any]] = []
        for row in generated_pages(pages, first, marker):
            batch.append(row)
            if len(batch) == 5000:
                _insert(store, insert(pages_table), batch)
                batch = []
        _insert(store, insert(pages_table), batch)
    finally:
        store.close()


def _insert(store: Store, statement: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        with store.begin() as db:
            db.execute(statement, rows)


@contextmanager
def stock_whoosh() -> Iterator[None]:
    """Whoosh exactly as released, without the indexer's fix (see indexer.index)."""
    fixed = W3PerDocReader._cached_reader
    W3PerDocReader._cached_reader = getattr(fixed, "stock", fixed)
    try:
        yield
    finally:
        W3PerDocReader._cached_reader = fixed


def bare_build(data: Path, target: Path, procs: int) -> float:
    """A bare Whoosh writer (as released) on the same schema: stored fields only, no
    enrichment; pages per second."""
    store = open_store(data)
    target.mkdir()
    ix = whoosh_index.create_in(target, schema())
    started = time.monotonic()
    count = 0
    with stock_whoosh():
        writer = ix.writer(limitmb=256, procs=procs, multisegment=procs > 1)
        for row in store.pages("ok"):
            writer.add_document(
                url=row["url"],
                title=row["title"],
                body=row["text"],
                summary=row["text"][:700],
                source=row["source"],
                provider=row["source"],
                relevant=True,
            )
            count += 1
        writer.commit()
    store.close()
    return count / (time.monotonic() - started)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def query_set(n: int = 200) -> list[tuple[str, dict[str, str]]]:
    """N varied 1–3 word queries, each with one of the filter sets."""
    rng = random.Random(3)
    out = []
    for i in range(n):
        words = rng.sample(QUERIES, rng.choice([1, 1, 2, 3]))
        text = " ".join(words) if len(words) > 1 and i % 3 else words[0]
        out.append((text, rng.choice(FILTERS)))
    return out


def search_latency(data: Path, queries: int = 200) -> list[float]:
    searcher = Searcher(data)
    searcher.search(SearchQuery(text="export"))  # open the searcher and warm facet postings
    times = []
    for text, filters in query_set(queries):
        started = time.perf_counter()
        searcher.search(SearchQuery(text=text, **filters))  # type: ignore[arg-type]
        times.append((time.perf_counter() - started) * 1000)
    return times


def bare_latency(target: Path, queries: int = 200) -> list[float]:
    ix = whoosh_index.open_dir(target)
    parser = MultifieldParser(["title", "body"], ix.schema, group=AndGroup)
    times = []
    with ix.searcher() as s:
        for text, _ in query_set(queries):
            started = time.perf_counter()
            results = s.search(parser.parse(text), limit=10)
            for hit in results:
                hit.highlights("body", text=hit["summary"])
            _ = results.estimated_length()
            times.append((time.perf_counter() - started) * 1000)
    return times


def main(
    pages: int = 50_000,
    procs: int = 2,
    keep: Path | None = None,
    queries: int = 200,
    ratio_pages: int = 2000,
) -> tuple[list[Figure], dict[str, Any]]:
    """The indexing figure: `portail index --full` and the bare Whoosh writer on the same first
    `ratio_pages` pages, each timed alone; then the portal indexes all N pages (its rate is a
    check) and searches are timed on that index, by the portal and by bare Whoosh. With `keep`,
    the portal's data directory is left there (for the web bench)."""
    ratio_pages = min(ratio_pages, pages)
    with tempfile.TemporaryDirectory() as tmp:
        data = keep or Path(tmp) / "var"
        data.mkdir(parents=True, exist_ok=True)
        print(f"  corpus : {pages} pages générées…", flush=True)
        build_store(data, pages)
        sample = data
        if ratio_pages < pages:  # the first pages of the corpus, generated again alike
            sample = Path(tmp) / "premieres"
            build_store(sample, ratio_pages)
        bare_rate = bare_build(sample, Path(tmp) / "bare", procs)
        print(f"  écrivain Whoosh nu, {ratio_pages} pages : {bare_rate:.1f} pages/s", flush=True)
        rate = _portal_build(sample, procs)  # right after the bare writer, on the same pages
        full_rate = _portal_build(data, procs) if sample != data else rate
        ours = search_latency(data, queries)
        generation = current_generation(data)
        assert generation is not None
        bare = bare_latency(generation, queries)
    print(
        f"  recherche ({queries} requêtes, facettes et extraits) : p50 "
        f"{statistics.median(ours):.0f} ms, p95 {percentile(ours, 0.95):.0f} ms ; "
        f"Whoosh nu sur le même index (top 10, extraits) : p50 "
        f"{statistics.median(bare):.0f} ms, p95 {percentile(bare, 0.95):.0f} ms",
        flush=True,
    )
    whoosh = f"Whoosh nu sur le même index de {pages} pages (10 premiers, extraits, ET)"
    figures = [
        Figure(
            "index_rate",
            f"Indexation, {ratio_pages} premières pages",
            "pages/s",
            rate,
            bare_rate,
            f"écrivain Whoosh nu, {procs} processus, mêmes {ratio_pages} pages",
            "higher",
        ),
        Figure(
            "search_p50",
            f"Recherche p50, index de {pages} pages",
            "ms",
            statistics.median(ours),
            statistics.median(bare),
            whoosh,
            "lower",
        ),
        Figure(
            "search_p95",
            f"Recherche p95, index de {pages} pages",
            "ms",
            percentile(ours, 0.95),
            percentile(bare, 0.95),
            whoosh,
            "lower",
        ),
    ]
    return figures, {f"index_rate_{pages}_pages": round(full_rate, 1)}


def _portal_build(data: Path, procs: int) -> float:
    """`portail index --full` on a data directory; pages per second."""
    report = update_index(data, full=True, procs=procs)
    rate = report.total / report.seconds
    print(
        f"  portail index --full : {report.total} pages en {report.seconds:.0f} s, "
        f"{rate:.1f} pages/s",
        flush=True,
    )
    return rate


if __name__ == "__main__":
    found, checks = main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
    for figure in found:
        print(json.dumps(figure.as_dict(), ensure_ascii=False))
    print(checks)
