"""The demo web's pages with their labels, as the crawler would store them (no crawl): the
labelled material of `portail eval` and `portail train`."""

from __future__ import annotations

import json
import tomllib
from typing import Any

from demo.offers import MANIFEST_TODAY
from demo.render import json_ld, plain_text
from demo.site import DEFAULT_BASE_PORT, DEFAULT_HOST, DEMO_DIR, Page, Site, load_sites


def demo_records() -> list[dict[str, Any]]:
    """Every page of the demo web with its labels, as the crawler would store it (no crawl):
    the manifest's pages, V.I.E. offers dated and closed as on the manifest's day."""
    sources = tomllib.loads((DEMO_DIR / "sources.toml").read_text("utf-8"))["source"]
    regions = {s["id"]: s.get("region") or None for s in sources}
    records = []
    for site in load_sites(today=MANIFEST_TODAY):
        origin = f"http://{DEFAULT_HOST}:{DEFAULT_BASE_PORT + site.n}"
        for page in site.pages:
            if page.job and site.board and not site.board.is_open(page, MANIFEST_TODAY):
                continue
            url = origin + page.path
            jsonld = json_ld(page, site, url)
            records.append(
                {
                    "id": url,
                    "url": url,
                    "title": page.title,
                    "text": page_text(site, page),
                    "description": page.description,
                    "structured": {
                        "jsonld": [json.loads(jsonld)] if jsonld else [],
                        "opengraph": {},
                    },
                    "source_id": site.id,
                    "source_region": regions.get(site.id),
                    "step": page.step or None,
                    "step2": page.step2 or None,
                    "relevant": bool(page.step),
                    "kind": page.kind,
                    "countries": list(page.countries),
                    "regions": list(page.regions),
                    "sectors": list(page.sectors),
                    "language": "fr",
                    "writer": "demo",
                }
            )
    return records


def page_text(site: Site, page: Page) -> str:
    """A page's text as rendered: an offer shows its key facts above its description."""
    text = plain_text(page.body)
    if page.job and site.board:
        return site.board.fiche_text(page) + "\n\n" + text
    return text
