"""/regions: the directory of regional export contacts; /regions/<code>: one region's contacts,
export sites, offers, events and resources (INSEE codes). Both have a JSON twin (`.json` suffix
or `Accept: application/json`, see webui/twins.py)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, abort

from indexer.search import SearchQuery
from portail.geo import Region, regions
from webui import catalogue, content, directory, events, news, pages, twins
from webui.directory import Link

bp = Blueprint("regions", __name__)
OVERSEAS = ("01", "02", "03", "04", "06")


@dataclass(frozen=True)
class RegionRow:
    region: Region
    contacts: int
    resources: int
    events: int


@bp.get("/regions")
@bp.get("/regions.json", endpoint="index_json")
def index():  # type: ignore[no-untyped-def]
    s = content.searcher()
    counts = s.counts("region")
    rows = []
    for code, region in regions().items():
        entry = directory.directory().regions.get(code)
        editorial = len(entry.contacts) if entry else 0
        crawled = len(directory.region_contact_pages(s, code))
        listed = len(events.next_events(100, region=code))
        rows.append(RegionRow(region, editorial + crawled, counts.get(code, 0), listed))
    return twins.page(
        "regions/index.html",
        twins.regions_document,
        metropolitan=[r for r in rows if r.region.code not in OVERSEAS],
        overseas=[r for r in rows if r.region.code in OVERSEAS],
    )


@bp.get("/regions/<code>")
@bp.get("/regions/<code>.json", endpoint="region_json")
def region(code: str):  # type: ignore[no-untyped-def]
    found = regions().get(code)
    if found is None:
        abort(404)
    s = content.searcher()
    entry = directory.directory().regions.get(code)
    contacts = directory.region_contacts(s, code)
    offers = [o for o in catalogue.catalogue() if code in o.regions]
    steps = s.counts("step", region=code)
    return twins.page(
        "regions/region.html",
        twins.region_document,
        region=found,
        council=entry.council if entry else "",
        sites=(entry.sites if entry else ()) + tuple(crawled_sites(code)),
        editorial=[c for c in contacts if c.editorial],
        crawled=[c for c in contacts if not c.editorial],
        offers=offers,
        events=events.next_events(6, region=code),
        news=news.news_for(region=code),
        steps=[
            (step, steps[step.id]) for step in content.step_map().values() if steps.get(step.id)
        ],
        latest=s.search(SearchQuery(region=code, sort="date", per_page=5)).hits,
        total=sum(s.counts("kind", region=code).values()),
    )


def crawled_sites(code: str) -> list[Link]:
    """The home pages of the regional sources the portal crawls for this region."""
    s = content.searcher()
    out = []
    for source in pages.sources().values():
        if source.region != code:
            continue
        hits = s.search(SearchQuery(provider=source.organisation, region=code, per_page=1)).hits
        if hits:
            parts = urlsplit(hits[0].url)
            out.append(
                Link(
                    f"{source.name} (site collecté par le portail)",
                    f"{parts.scheme}://{parts.netloc}/",
                )
            )
    return out


@bp.app_template_filter("phone_uri")
def phone_uri(phone: str) -> str:
    """« 04 72 10 45 80 » → « tel:0472104580 » (dialled as published)."""
    return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")
