"""What the indexer adds to a stored page: its step, kind, places, sectors, dates and the
structured fields of events, V.I.E. offers, support offers and contacts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from indexer.classify import classify_page
from indexer.corrections import Correction, apply_correction
from indexer.events import event_fields, jsonld_item, jsonld_text
from indexer.kinds import EMAIL, PHONE
from indexer.offers import offer_fields


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
    row: Any, sources: dict[str, Any], corrections: Mapping[str, Correction] | None = None
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
    job = _job(items)
    if job:
        extra["job"] = job
    contact = _contact(items, row["text"] or "") if result.kind == "contact" else None
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


def _job(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    item = jsonld_item(items, "JobPosting")
    if not item:
        return None
    location = item.get("jobLocation") or {}
    address = location.get("address", {}) if isinstance(location, dict) else {}
    return {
        "company": jsonld_text(item.get("hiringOrganization")),
        "city": address.get("addressLocality", "") if isinstance(address, dict) else "",
        "country": address.get("addressCountry", "") if isinstance(address, dict) else "",
        "start": str(item.get("jobStartDate") or "")[:10],
        "duration": str(item.get("duration") or ""),
    }


def _contact(items: list[dict[str, Any]], text: str) -> dict[str, Any]:
    item = jsonld_item(items, "Organization", "GovernmentOrganization", "LocalBusiness")
    point = (item or {}).get("contactPoint") or {}
    if isinstance(point, list):
        point = point[0] if point else {}
    emails = EMAIL.findall(text)
    phones = PHONE.findall(text)
    return {
        "name": jsonld_text((item or {}).get("name")),
        "address": jsonld_text((item or {}).get("address")),
        "phone": str(point.get("telephone") or (phones[0] if phones else "")),
        "email": str(point.get("email") or (emails[0] if emails else "")),
    }
