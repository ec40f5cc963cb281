"""What the indexer adds to a stored page: its step, kind, places, sectors, dates and the
structured fields of events, V.I.E. offers, support offers and contacts."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from indexer.classify import classify_page
from indexer.corrections import Correction, apply_correction
from indexer.kinds import EMAIL, PHONE
from indexer.offers import offer_fields
from portail.frdates import event_dates


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
    event = _event(items, row["text"] or "", result.countries) if result.kind == "event" else None
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


def _typed(items: list[dict[str, Any]], *types: str) -> dict[str, Any] | None:
    for item in items:
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(k in types for k in kinds):
            return item
    return None


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("addressLocality") or "")
    if isinstance(value, list):
        return _text(value[0]) if value else ""
    return str(value or "")


def _event(items: list[dict[str, Any]], text: str, countries: list[str]) -> dict[str, Any] | None:
    """Dates and place of an event: JSON-LD Event first, else the French text."""
    item = _typed(items, "Event", "BusinessEvent", "ExhibitionEvent", "EducationEvent")
    if item and isinstance(item.get("startDate"), str):
        start = item["startDate"][:10]
        end = (item.get("endDate") or start)[:10]
        location = item.get("location") or {}
        address = location.get("address", {}) if isinstance(location, dict) else {}
        online = "Online" in str(item.get("eventAttendanceMode", "")) or (
            isinstance(location, dict) and location.get("@type") == "VirtualLocation"
        )
        country = address.get("addressCountry", "") if isinstance(address, dict) else ""
        return {
            "start": start,
            "end": end,
            "online": online,
            "city": "" if online else (_text(address) or _text(location)),
            "country": "" if online else (_text(country).upper()[:2] or _first(countries)),
            "organiser": _text(item.get("organizer")),
        }
    found = event_dates(text)
    if found is None:
        return None
    online = bool(
        re.search(r"\b(webinaire|webinar|en ligne|visioconférence|distanciel)\b", text[:3000], re.I)
    )
    return {
        "start": found[0],
        "end": found[1],
        "online": online,
        "city": "",
        "country": "" if online else _first(countries),
        "organiser": "",
    }


def _job(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    item = _typed(items, "JobPosting")
    if not item:
        return None
    location = item.get("jobLocation") or {}
    address = location.get("address", {}) if isinstance(location, dict) else {}
    return {
        "company": _text(item.get("hiringOrganization")),
        "city": address.get("addressLocality", "") if isinstance(address, dict) else "",
        "country": address.get("addressCountry", "") if isinstance(address, dict) else "",
        "start": str(item.get("jobStartDate") or "")[:10],
        "duration": str(item.get("duration") or ""),
    }


def _contact(items: list[dict[str, Any]], text: str) -> dict[str, Any]:
    item = _typed(items, "Organization", "GovernmentOrganization", "LocalBusiness")
    point = (item or {}).get("contactPoint") or {}
    if isinstance(point, list):
        point = point[0] if point else {}
    emails = EMAIL.findall(text)
    phones = PHONE.findall(text)
    return {
        "name": _text((item or {}).get("name")),
        "address": _text((item or {}).get("address")),
        "phone": str(point.get("telephone") or (phones[0] if phones else "")),
        "email": str(point.get("email") or (emails[0] if emails else "")),
    }


def _first(values: list[str]) -> str:
    return values[0] if values else ""
