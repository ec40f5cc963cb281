"""What the indexer adds to a stored page: its step, kind, places, sectors, dates and the
structured fields of events, V.I.E. offers, support offers and contacts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from indexer.classify import classify_page
from indexer.contacts import contact_fields
from indexer.corrections import Correction, apply_correction
from indexer.events import event_fields
from indexer.jobs import job_fields
from indexer.offers import offer_fields
from portail.db import PageRecord, SourceRecord


@dataclass
class Enrichment:
    url: str
    version: int
    step: str | None
    steps: dict[str, float]
    relevant: bool
    kind: str
    countries: list[str]
    regions: list[str]
    sectors: list[str]
    date: str | None
    event_start: str | None = None
    event_end: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def row(self) -> tuple[Any, ...]:
        extra = dict(self.extra)
        return (
            self.url,
            self.version,
            self.step,
            json.dumps(self.steps),
            int(self.relevant),
            self.kind,
            json.dumps(self.countries),
            json.dumps(self.regions),
            json.dumps(self.sectors),
            self.date,
            json.dumps(extra, ensure_ascii=False),
        )


def enrich_page(
    row: PageRecord,
    sources: Mapping[str, SourceRecord],
    corrections: Mapping[str, Correction] | None = None,
) -> Enrichment:
    """Classify a stored page (a maintainer's correction wins) and extract its fields."""

    structured = json.loads(row["structured"] or "{}")
    source = sources.get(row["source"])
    result = classify_page(
        row["url"],
        row["title"] or "",
        row["text"] or "",
        structured=structured,
        source_id=row["source"],
        source_region=(source["region"] or None) if source else None,
        description=row["description"] or "",
    )
    result = apply_correction(result, (corrections or {}).get(row["url"]))
    items = structured.get("jsonld", [])
    extra: dict[str, Any] = {}
    event = (
        event_fields(items, row["title"] or "", row["text"] or "")
        if result.kind == "event"
        else None
    )
    if event:
        extra["event"] = event
    posting = "JobPosting" in _types(items) or result.kind == "vie"
    job = _job(items, row, result) if posting else None
    if job:
        extra["job"] = job
        if job["sectors"]:  # the sectors the board declares are the offer's
            result = replace(result, sectors=job["sectors"])
    contact = contact_fields(structured, row["text"] or "") if result.kind == "contact" else None
    if contact:
        extra["contact"] = contact
    if result.kind == "offer":
        extra["offer"] = offer_fields(
            row["title"] or "", row["description"] or "", row["text"] or ""
        )
    if getattr(result, "review", False):
        # Borderline: out of the journey, searchable, listed « à vérifier » in the console.
        extra["review"] = {"confidence": round(result.confidence, 3), "step": result.candidate}
    date = (event or {}).get("start") or row["published"] or row["modified"]
    return Enrichment(
        url=row["url"],
        version=row["version"],
        step=result.step,
        steps=result.steps,
        relevant=result.relevant,
        kind=result.kind,
        countries=result.countries,
        regions=result.regions,
        sectors=result.sectors,
        date=date,
        event_start=(event or {}).get("start"),
        event_end=(event or {}).get("end"),
        extra=extra,
    )


def _job(items: list[dict[str, Any]], row: Any, result: Any) -> dict[str, Any] | None:
    job = job_fields(items, row["title"] or "", row["text"] or "", result.countries, result.sectors)
    if job and not job["posted"]:
        job["posted"] = (row["published"] or "")[:10]
    return job


def _types(items: list[dict[str, Any]]) -> set[str]:
    kinds = [item.get("@type") for item in items]
    return {str(k) for kind in kinds for k in (kind if isinstance(kind, list) else [kind])}
