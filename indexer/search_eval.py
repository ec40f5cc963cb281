"""Search quality on a graded query set: nDCG@10, P@5, R@10 and the zero-result rate.

The corpus (JSON lines `{"id","url","title","text",…}`) is stored as if crawled, classified and
indexed by the real pipeline, then each query (`{"id","query","judgements":{page id: grade}}`,
grades 2 answers it, 1 helps, 0 not relevant) is searched as the portal searches. Two
baselines run in the same process over the same texts: a naive BM25 (lower-cased words, no
stemming, any word matches) and Whoosh as shipped (its standard analyser, every word required,
BM25F with the title weighted ×2).

P@5 and R@10 count a page as relevant when its grade is 1 or 2; nDCG@10 uses gains 2^grade − 1
and the ideal ordering of all judged pages of the query; an unjudged page counts 0.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from whoosh import index as whoosh_index
from whoosh import qparser
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import ID, TEXT, Schema

from indexer.index import update_index
from indexer.search import Searcher, SearchQuery
from portail.db import open_store
from portail.language import decimal

Ranker = Callable[[str], list[str]]  # query → page ids, best first (at most 10 needed)
WORD = re.compile(r"\w+")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@dataclass
class QueryScore:
    id: str
    query: str
    ndcg: float
    precision: float
    recall: float
    results: int
    top: list[str]
    in_scope: bool = True  # False: the answers are pages the portal keeps out on purpose


@dataclass
class EngineReport:
    name: str
    scores: list[QueryScore] = field(default_factory=list)
    seconds: float = 0.0

    def mean(self, attribute: str, in_scope_only: bool = False) -> float:
        values = [getattr(s, attribute) for s in self.scores if s.in_scope or not in_scope_only]
        return sum(values) / len(values) if values else 0.0

    @property
    def zero_rate(self) -> float:
        return sum(s.results == 0 for s in self.scores) / len(self.scores) if self.scores else 0.0


def score_query(query: dict[str, Any], ranked: list[str], results: int) -> QueryScore:
    grades: dict[str, int] = {k: int(v) for k, v in query["judgements"].items()}
    top = ranked[:10]
    dcg = sum((2 ** grades.get(doc, 0) - 1) / math.log2(i + 2) for i, doc in enumerate(top))
    ideal = sorted(grades.values(), reverse=True)[:10]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    relevant = {doc for doc, g in grades.items() if g >= 1}
    precision = sum(doc in relevant for doc in ranked[:5]) / 5
    recall = len(relevant & set(top)) / len(relevant) if relevant else 1.0
    return QueryScore(
        query["id"],
        query["query"],
        dcg / idcg if idcg else 0.0,
        precision,
        recall,
        results,
        top,
        query.get("scope") != "hors-perimetre",
    )


def run(
    name: str, engine: Callable[[str], tuple[list[str], int]], queries: list[dict]
) -> EngineReport:
    report = EngineReport(name)
    started = time.perf_counter()
    for query in queries:
        ranked, results = engine(query["query"])
        report.scores.append(score_query(query, ranked, results))
    report.seconds = time.perf_counter() - started
    return report


# -- the portal's search ------------------------------------------------------------------------


def build_portal(corpus: list[dict[str, Any]], data_dir: Path) -> Searcher:
    """Store the corpus as crawled pages, index it with the real pipeline, open a searcher."""
    store = open_store(data_dir)
    try:
        crawls: dict[str, int] = {}
        for page in corpus:
            source = _source_id(page["url"])
            if source not in crawls:
                store.record_source(source, source, source, "")
                crawls[source] = store.start_crawl(source)
            fields = {
                "title": page.get("title") or "",
                "text": page.get("text") or "",
                "description": page.get("description") or "",
                "language": page.get("language") or "fr",
                "content_hash": str(hash((page["url"], page.get("text")))),
                "content_type": "text/html",
            }
            store.save_page(
                crawls[source], source, page["url"], page["url"], fields, None, None, 200
            )
    finally:
        store.close()
    update_index(data_dir, full=True, procs=1)
    return Searcher(data_dir)


def _source_id(url: str) -> str:
    host = urlsplit(url).hostname or "inconnu"
    return re.sub(r"[^a-z0-9-]+", "-", host.lower().removeprefix("www.")).strip("-")


def portal_engine(
    searcher: Searcher, ids: dict[str, str]
) -> Callable[[str], tuple[list[str], int]]:
    def search(text: str) -> tuple[list[str], int]:
        results = searcher.search(SearchQuery(text=text, per_page=10))
        return [ids.get(hit.url, hit.url) for hit in results.hits], results.total

    return search


# -- baselines ---------------------------------------------------------------------------------


class NaiveBM25:
    """Textbook BM25 (k1 = 1.2, b = 0.75) over lower-cased words of the title and the text;
    a page matches when it holds any word of the query."""

    def __init__(self, corpus: Iterable[dict[str, Any]], k1: float = 1.2, b: float = 0.75):
        self.ids: list[str] = []
        self.tfs: list[Counter[str]] = []
        postings: dict[str, list[int]] = {}
        for page in corpus:
            words = Counter(WORD.findall(f"{page.get('title', '')} {page.get('text', '')}".lower()))
            for word in words:
                postings.setdefault(word, []).append(len(self.ids))
            self.ids.append(page["id"])
            self.tfs.append(words)
        self.postings = postings
        self.lengths = [sum(tf.values()) for tf in self.tfs]
        self.average = sum(self.lengths) / max(1, len(self.lengths))
        self.k1, self.b = k1, b

    def __call__(self, text: str) -> tuple[list[str], int]:
        n = len(self.ids)
        scores: dict[int, float] = {}
        for word in set(WORD.findall(text.lower())):
            docs = self.postings.get(word, [])
            idf = math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
            for doc in docs:
                tf = self.tfs[doc][word]
                norm = self.k1 * (1 - self.b + self.b * self.lengths[doc] / self.average)
                scores[doc] = scores.get(doc, 0.0) + idf * tf * (self.k1 + 1) / (tf + norm)
        ranked = sorted(scores, key=lambda d: (-scores[d], d))
        return [self.ids[d] for d in ranked[:10]], len(scores)


class BareWhoosh:
    """Whoosh as shipped: StandardAnalyzer, every word required, BM25F, title weighted ×2."""

    def __init__(self, corpus: Iterable[dict[str, Any]], folder: Path):
        schema = Schema(
            id=ID(stored=True, unique=True),
            title=TEXT(analyzer=StandardAnalyzer(), field_boost=2.0),
            body=TEXT(analyzer=StandardAnalyzer()),
        )
        ix = whoosh_index.create_in(folder, schema)
        with ix.writer() as writer:
            for page in corpus:
                writer.add_document(id=page["id"], title=page.get("title", ""), body=page["text"])
        self.searcher = ix.searcher()
        self.parser = qparser.MultifieldParser(["title", "body"], schema)

    def __call__(self, text: str) -> tuple[list[str], int]:
        try:
            query = self.parser.parse(text)
        except Exception:  # the parser rejects some punctuation: count it as no result
            return [], 0
        results = self.searcher.search(query, limit=10)
        return [hit["id"] for hit in results], len(results)


# -- the whole evaluation ----------------------------------------------------------------------


@dataclass
class SearchEvaluation:
    queries: int
    pages: int
    engines: list[EngineReport]


@contextmanager
def _local_database() -> Iterator[None]:
    """The evaluation's store is a SQLite file of its scratch folder, never the database
    that PORTAIL_DATABASE_URL names."""
    saved = os.environ.pop("PORTAIL_DATABASE_URL", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["PORTAIL_DATABASE_URL"] = saved


def evaluate_search(
    corpus: list[dict[str, Any]], queries: list[dict[str, Any]], work: Path | None = None
) -> SearchEvaluation:
    """The portal and the two baselines on the same corpus and queries, in one run."""
    with tempfile.TemporaryDirectory(prefix="portail-eval-") as scratch, _local_database():
        folder = Path(work or scratch)
        ids = {page["url"]: page["id"] for page in corpus}
        searcher = build_portal(corpus, folder / "portal")
        (folder / "whoosh").mkdir(parents=True, exist_ok=True)
        bare = BareWhoosh(corpus, folder / "whoosh")
        engines = [
            run("Portail", portal_engine(searcher, ids), queries),
            run("BM25 naïf", NaiveBM25(corpus), queries),
            run("Whoosh nu", bare, queries),
        ]
        bare.searcher.close()
        searcher.close()
    return SearchEvaluation(len(queries), len(corpus), engines)


def format_search_report(result: SearchEvaluation, detail: bool = False) -> str:
    """The figures in French, for people."""
    lines = [
        f"Requêtes : {result.queries} — pages : {result.pages}",
        "",
        f"{'Moteur':<12} {'nDCG@10':>8} {'P@5':>6} {'R@10':>6} {'sans résultat':>14}",
    ]
    for engine in result.engines:
        lines.append(
            f"{engine.name:<12} {decimal(engine.mean('ndcg'), 3):>8} "
            f"{decimal(engine.mean('precision'), 3):>6} {decimal(engine.mean('recall'), 3):>6} "
            f"{decimal(100 * engine.zero_rate, 1):>12} %"
        )
    portal, naive = result.engines[0], result.engines[1]
    if naive.mean("ndcg"):
        ratio = portal.mean("ndcg") / naive.mean("ndcg")
        lines.append(f"\nnDCG@10 du portail / BM25 naïf : {decimal(ratio, 3)}")
    outside = sum(not s.in_scope for s in portal.scores)
    if outside:
        lines += [
            "",
            f"Sans les {outside} requêtes hors périmètre (leurs réponses sont des pages que le "
            "portail écarte exprès : embauche, création d'entreprise, voyageurs…) :",
        ]
        for engine in result.engines:
            lines.append(
                f"{engine.name:<12} {decimal(engine.mean('ndcg', True), 3):>8} "
                f"{decimal(engine.mean('precision', True), 3):>6} "
                f"{decimal(engine.mean('recall', True), 3):>6}"
            )
    if detail:
        lines += ["", "Requêtes les moins bien servies par le portail :"]
        worst = sorted(
            zip(portal.scores, naive.scores, strict=True), key=lambda pair: pair[0].ndcg
        )[:25]
        for mine, base in worst:
            lines.append(
                f"  - {mine.id} « {mine.query} » : nDCG {decimal(mine.ndcg, 2)} "
                f"(BM25 {decimal(base.ndcg, 2)}), "
                f"{mine.results} résultats"
            )
    return "\n".join(lines)
