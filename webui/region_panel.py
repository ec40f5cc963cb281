"""The user's region in view on every page that has room for it: a compact block with the
region's export adviser, a few of its offers and its next events (`_region_panel.html`).

Templates call `region_panel()` (a Jinja global): it reads the « Ma région » cookie, or takes
the region a page is about (the self-assessment's result), and is built once per request.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, g

from indexer.search import Hit
from portail.geo import Region, regions
from webui import catalogue, content, directory, events
from webui.catalogue import Offer
from webui.directory import Contact

OFFERS = 3
EVENTS = 3


@dataclass(frozen=True)
class RegionPanel:
    region: Region
    adviser: Contact | None  # the region's first contact shown (sourced, else crawled)
    offers: tuple[Offer, ...]  # the region's own offers, a few
    offer_count: int  # all of the region's own offers
    events: tuple[Hit, ...]  # its next events


def region_panel(code: str | None = None) -> RegionPanel | None:
    """The block of a region (the user's, by default), or None when none is chosen."""
    code = code or content.user_region()
    if code is None or code not in regions():
        return None
    built: dict[str, RegionPanel] = g.setdefault("region_panels", {})
    if code not in built:
        built[code] = build(code)
    return built[code]


def build(code: str) -> RegionPanel:
    listed = directory.region_contacts(content.searcher(), code)
    own = [o for o in catalogue.catalogue() if code in o.regions]
    next_ones = events.next_events(EVENTS, region=code)
    return RegionPanel(
        regions()[code],
        listed[0].contact if listed else None,
        tuple(own[:OFFERS]),
        len(own),
        tuple(next_ones),
    )


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(region_panel=region_panel)
