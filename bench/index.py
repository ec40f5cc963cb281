"""Indexing throughput and search latency on a generated corpus of French export pages.

The corpus is made of sentences drawn from the demo web's content, recombined into N pages
(about 500 words each) stored in a real page store. Figures: `portail index --full` against a
bare Whoosh writer (same schema, no classification, no entities) in the same run: Whoosh as
released, and also with the indexer's fix to Whoosh (a disk check per posting, remembered).
Then search latency p50/p95 over 200 varied 1–3 word queries with facets and highlights, and
the same queries on bare Whoosh (top 10, highlights) for comparison.
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

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.qparser import AndGroup, MultifieldParser

from demo.render import plain_text
from demo.site import load_sites
from indexer.index import schema, update_index
from indexer.search import Searcher, SearchQuery
from portail.db import Store

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


def build_store(data: Path, pages: int) -> None:
    """N generated pages in a real page store, written in large transactions."""
    rng = random.Random(7)
    pool = sentences()
    titles = [p.title for s in load_sites() for p in s.pages]
    store = Store(data / "pages.sqlite3")
    for sid, org in (
        ("bpifrance", "Bpifrance"),
        ("douane", "Douane"),
        ("tresor", "DG Trésor"),
        ("region-ara", "Région Auvergne-Rhône-Alpes"),
        ("coface", "Coface"),
    ):
        store.record_source(sid, sid, org, "84" if sid == "region-ara" else "")
    stamp = datetime.now(UTC).isoformat()
    rows = []
    for i in range(pages):
        title = f"{rng.choice(titles)} ({i})"
        text = title + "\n" + "\n".join(rng.choice(pool) for _ in range(22))
        source = rng.choice(["bpifrance", "douane", "tresor", "region-ara", "coface"])
        rows.append(
            (
                f"https://bench.invalid/{source}/{i}",
                source,
                "ok",
                title,
                text,
                f"h{i}",
                stamp,
                stamp,
                stamp,
            )
        )
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO pages(url, source, status, title, text, content_hash, "
            "first_seen, last_fetched, last_changed) VALUES (?,?,?,?,?,?,?,?,?)",
            rows,
        )
    store.close()


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
    """A bare Whoosh writer on the same schema: stored fields only, no enrichment."""
    store = Store(data / "pages.sqlite3")
    target.mkdir()
    ix = whoosh_index.create_in(target, schema())
    started = time.monotonic()
    writer = ix.writer(limitmb=256, procs=procs, multisegment=procs > 1)
    count = 0
    for row in store.db.execute("SELECT url, title, text, source FROM pages"):
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
    rng = random.Random(3)
    out = []
    for i in range(n):
        words = rng.sample(QUERIES, rng.choice([1, 1, 2, 3]))
        text = " ".join(words) if len(words) > 1 and i % 3 else words[0]
        out.append((text, rng.choice(FILTERS)))
    return out


def search_latency(data: Path) -> list[float]:
    searcher = Searcher(data)
    searcher.search(SearchQuery(text="export"))  # open the searcher and warm facet postings
    times = []
    for text, filters in query_set():
        started = time.perf_counter()
        searcher.search(SearchQuery(text=text, **filters))
        times.append((time.perf_counter() - started) * 1000)
    return times


def bare_latency(target: Path) -> list[float]:
    ix = whoosh_index.open_dir(target)
    parser = MultifieldParser(["title", "body"], ix.schema, group=AndGroup)
    times = []
    with ix.searcher() as s:
        for text, _ in query_set():
            started = time.perf_counter()
            results = s.search(parser.parse(text), limit=10)
            for hit in results:
                hit.highlights("body", text=hit["summary"])
            _ = results.estimated_length()
            times.append((time.perf_counter() - started) * 1000)
    return times


def main(pages: int = 50_000, procs: int = 2, keep: Path | None = None) -> dict[str, float]:
    """Run the benchmark; with `keep`, the indexed data directory is left there (web bench)."""
    with tempfile.TemporaryDirectory() as tmp:
        data = keep or Path(tmp) / "var"
        data.mkdir(parents=True, exist_ok=True)
        print(f"Corpus : {pages} pages générées…", flush=True)
        build_store(data, pages)
        with stock_whoosh():
            bare_rate = bare_build(data, Path(tmp) / "bare", procs)
        print(f"  écrivain Whoosh nu : {bare_rate:.1f} pages/s", flush=True)
        fixed_rate = bare_build(data, Path(tmp) / "bare-fixed", procs)
        print(
            f"  écrivain Whoosh nu avec le correctif de l'indexeur : {fixed_rate:.1f} pages/s",
            flush=True,
        )
        report = update_index(data, full=True, procs=procs)
        rate = report.total / report.seconds
        print(
            f"  portail index --full : {report.total} pages en {report.seconds:.0f} s, "
            f"{rate:.1f} pages/s ({rate / bare_rate:.0%} de l'écrivain nu, objectif ≥ 50 %)",
            flush=True,
        )
        ours = search_latency(data)
        bare = bare_latency(Path(tmp) / "bare")
    figures = {
        "bare_rate": bare_rate,
        "bare_fixed_rate": fixed_rate,
        "index_rate": rate,
        "p50": statistics.median(ours),
        "p95": percentile(ours, 0.95),
        "bare_p50": statistics.median(bare),
        "bare_p95": percentile(bare, 0.95),
    }
    print(
        f"  recherche (200 requêtes, facettes et extraits) : p50 {figures['p50']:.0f} ms, "
        f"p95 {figures['p95']:.0f} ms (objectif p95 < 150 ms)"
    )
    print(
        f"  Whoosh nu (top 10, extraits, sans facettes) : p50 {figures['bare_p50']:.0f} ms, "
        f"p95 {figures['bare_p95']:.0f} ms"
    )
    print(json.dumps({k: round(v, 1) for k, v in figures.items()}))
    return figures


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 50_000,
        keep=Path(sys.argv[2]) if len(sys.argv) > 2 else None,
    )
