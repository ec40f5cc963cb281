"""Finding stored pages for the corrections page, reading their classification, and getting
a corrected page reindexed (at once when little else waits, else by the next `portail index`)."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.classify import default_classifier
from indexer.enrich import enrich_page
from indexer.index import IndexBusy, current_generation, update_index
from portail.store import Store, open_store

MAX_RESULTS = 30
MAX_WORDS = 6
WAITING = (
    "SELECT count(*) FROM pages p LEFT JOIN enrichment e ON e.url = p.url "
    "WHERE p.status = 'ok' AND (e.url IS NULL OR e.version <> p.version)"
)


@dataclass
class Verdict:
    """A page's classification, as the index holds it or as the classifier sees it now."""

    step: str | None
    steps: dict[str, float]
    relevant: bool
    kind: str
    countries: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)


def find_pages(store: Store, query: str) -> list[sqlite3.Row]:
    """Pages whose URL is (or starts with) the query, else whose title, URL or text hold
    every word of it; live pages first."""
    query = query.strip()
    if not query:
        return []
    select = (
        "SELECT p.url, p.title, p.source, p.status, e.step, e.kind, e.relevant "
        "FROM pages p LEFT JOIN enrichment e ON e.url = p.url WHERE "
    )
    order = " ORDER BY p.status <> 'ok', p.url LIMIT ?"
    if re.match(r"https?://", query, re.I):
        alias = store.db.execute("SELECT page_url FROM fetches WHERE url=?", (query,)).fetchone()
        exact = alias["page_url"] if alias else query
        return store.db.execute(
            select + "p.url = ? OR p.url LIKE ? ESCAPE '\\'" + order,
            (exact, _like(query) + "%", MAX_RESULTS),
        ).fetchall()
    words = query.split()[:MAX_WORDS]
    clause = " AND ".join(
        ["(p.title LIKE ? ESCAPE '\\' OR p.url LIKE ? ESCAPE '\\' OR p.text LIKE ? ESCAPE '\\')"]
        * len(words)
    )
    args: list[Any] = [f"%{_like(w)}%" for w in words for _ in range(3)]
    return store.db.execute(select + clause + order, (*args, MAX_RESULTS)).fetchall()


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class ToReview:
    """A page the classifier could not settle: out of the journey, searchable."""

    url: str
    title: str
    source: str
    confidence: float  # how sure the classifier is that the page is off-topic
    step: str | None  # the step it would have if kept


def pages_to_review(store: Store, limit: int = 200) -> list[ToReview]:
    """The pages left « à vérifier » by the last indexing, the least certain first."""
    rows = store.db.execute(
        "SELECT p.url, p.title, p.source, e.extra FROM enrichment e JOIN pages p ON p.url = e.url "
        "WHERE p.status = 'ok' AND e.extra LIKE '%\"review\"%'"
    ).fetchall()
    found = []
    for row in rows:
        review = json.loads(row["extra"] or "{}").get("review")
        if review:
            found.append(
                ToReview(
                    row["url"],
                    row["title"],
                    row["source"],
                    float(review.get("confidence") or 0.0),
                    review.get("step"),
                )
            )
    found.sort(key=lambda r: (r.confidence, r.url))
    return found[:limit]


def indexed_verdict(store: Store, url: str) -> Verdict | None:
    """What the index holds for a page (corrections applied); None before its indexing."""
    row = store.db.execute("SELECT * FROM enrichment WHERE url=?", (url,)).fetchone()
    if row is None:
        return None
    return Verdict(
        row["step"],
        json.loads(row["steps"]),
        bool(row["relevant"]),
        row["kind"],
        json.loads(row["countries"]),
        json.loads(row["regions"]),
        json.loads(row["sectors"]),
    )


def classifier_verdict(store: Store, page: sqlite3.Row) -> Verdict:
    """What the classifier alone makes of a stored page today, without any correction."""
    e = enrich_page(page, store.sources())
    return Verdict(e.step, e.steps, e.relevant, e.kind, e.countries, e.regions, e.sectors)


def explanation(page: sqlite3.Row) -> dict[str, list[tuple[str, float]]]:
    """The words that weighed most in the model's part of the page's classification."""
    return default_classifier().explain(
        page["url"], page["title"] or "", page["text"] or "", page["description"] or ""
    )


def mark_for_reindex(store: Store, url: str) -> None:
    """Make the next incremental `portail index` index this page again."""
    with store.transaction() as db:
        db.execute("UPDATE enrichment SET version = 0 WHERE url = ?", (url,))


def reindex_now(data_dir: Path, most: int) -> str:
    """Apply waiting changes to the index when few pages wait; say in French what happened."""
    later = "elle sera appliquée par la prochaine indexation (portail index)"
    if current_generation(data_dir) is None:
        return f"Aucun index n'existe encore : {later}."
    opened = open_store(data_dir)
    try:
        waiting = int(opened.db.execute(WAITING).fetchone()[0])
    finally:
        opened.close()
    if waiting > most:
        return f"{waiting} pages attendent leur indexation : {later}."
    try:
        update_index(data_dir, wait=5.0)
    except IndexBusy:
        return f"L'index est en cours de mise à jour : {later}."
    return "L'index est à jour : la correction s'applique déjà au portail."
