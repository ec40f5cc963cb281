"""Reading a page's classification for the console, and queueing a corrected page for the
scheduler's next indexing (a web request never rebuilds the index itself)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from indexer.classify import Explanation, default_classifier
from indexer.enrich import enrich_page
from portail.db import FoundPageRecord, PageRecord, Store


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
    review: bool = False  # borderline: out of the journey, searchable, « à vérifier »
    confidence: float | None = None  # how sure the relevance decision is, when known

    @property
    def searchable(self) -> bool:
        return self.relevant or self.review


@dataclass(frozen=True)
class ToReview:
    """A page the classifier could not settle: out of the journey, searchable."""

    url: str
    title: str
    source: str
    confidence: float  # how sure the classifier is that the page is off-topic
    step: str | None  # the step it would have if kept


def find_pages(store: Store, query: str) -> list[FoundPageRecord]:
    """Pages whose URL is (or starts with) the query, else whose title, URL or text hold
    every word of it; live pages first."""
    return store.find_pages(query)


def pages_to_review(store: Store, limit: int = 200) -> list[ToReview]:
    """The pages left « à vérifier » by the last indexing, the least certain first."""
    found = [
        ToReview(
            row["url"],
            row["title"],
            row["source"],
            float(review.get("confidence") or 0.0),
            review.get("step"),
        )
        for row, review in store.pages_to_review()
    ]
    found.sort(key=lambda r: (r.confidence, r.url))
    return found[:limit]


def indexed_verdict(store: Store, url: str) -> Verdict | None:
    """What the index holds for a page (corrections applied); None before its indexing."""
    row = store.enrichment(url)
    if row is None:
        return None
    review = json.loads(row["extra"] or "{}").get("review")
    return Verdict(
        row["step"],
        json.loads(row["steps"]),
        bool(row["relevant"]),
        row["kind"],
        json.loads(row["countries"]),
        json.loads(row["regions"]),
        json.loads(row["sectors"]),
        review=bool(review),
        confidence=review.get("confidence") if review else None,
    )


def classifier_verdict(store: Store, page: PageRecord, why: Explanation) -> Verdict:
    """What the classifier alone makes of a stored page today, without any correction."""
    e = enrich_page(page, store.sources())
    return Verdict(
        e.step,
        e.steps,
        e.relevant,
        e.kind,
        e.countries,
        e.regions,
        e.sectors,
        review="review" in e.extra,
        confidence=why.result.confidence,
    )


def explanation(store: Store, page: PageRecord) -> Explanation:
    """The classifier's decision on a stored page and why: the rules' terms, the model's
    features."""
    source = store.sources().get(page["source"])
    return default_classifier().explain(
        page["url"],
        page["title"] or "",
        page["text"] or "",
        page["description"] or "",
        structured=json.loads(page["structured"] or "{}"),
        source_region=(source["region"] or None) if source else None,
    )


def queue_reindex(store: Store, url: str) -> str:
    """Queue a page for the scheduler's next indexing; say in French when it applies."""
    store.mark_for_reindex(url)
    return (
        "Elle s'appliquera au portail à la prochaine indexation : dans quelques secondes si le "
        "planificateur (portail schedule) tourne, sinon au prochain « portail index »."
    )
