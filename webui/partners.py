"""The partners: the members of the French export team and the regions (editorial directory,
data/directory.toml), and every organisation whose pages are indexed; one partner's role in the
journey, its offers (from the catalogue), its sites, its contacts and its resources by step.
Both have a JSON twin (`.json` suffix or `Accept: application/json`, see webui/twins.py)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort

from indexer.journey import Step
from indexer.search import Hit, SearchQuery
from portail.geo import regions
from webui import catalogue, content, directory, events, twins
from webui.directory import GROUPS

bp = Blueprint("partners", __name__)
PER_STEP = 3


@dataclass(frozen=True)
class PartnerRow:
    id: str
    name: str
    role: str
    count: int


@bp.get("/partenaires")
@bp.get("/partenaires.json", endpoint="index_json")
def index():  # type: ignore[no-untyped-def]
    s = content.searcher()
    providers = content.providers()
    rows = [(p, s.counts("step", provider=p.name)) for p in providers]
    counts = {p.name: p.count for p in providers}
    groups = [
        (
            label,
            [
                PartnerRow(p.id, p.name, p.role, sum(counts.get(n, 0) for n in p.providers))
                for p in directory.directory().partners
                if p.group == group
            ],
        )
        for group, label in GROUPS.items()
    ]
    councils = {r.code: r.council for r in directory.directory().regions.values()}
    return twins.page(
        "partners/index.html",
        twins.partners_document,
        rows=rows,
        groups=[(label, members) for label, members in groups if members],
        regions=[
            (r, councils.get(code, ""), counts.get(councils.get(code, ""), 0))
            for code, r in regions().items()
        ],
    )


@bp.get("/partenaires/<provider_id>")
@bp.get("/partenaires/<provider_id>.json", endpoint="provider_json")
def provider(provider_id: str):  # type: ignore[no-untyped-def]
    partner = directory.partner(provider_id)
    indexed = content.provider(provider_id)
    if partner is None and indexed is None:
        abort(404)
    names = partner.providers if partner else (indexed.name,)  # type: ignore[union-attr]
    name = partner.name if partner else indexed.name  # type: ignore[union-attr]
    s = content.searcher()
    by_step = []
    for step in content.step_map().values():
        count = sum(s.counts("step", provider=n).get(step.id, 0) for n in names)
        if count:
            hits = [
                h
                for n in names
                for h in s.search(SearchQuery(provider=n, step=step.id, per_page=PER_STEP)).hits
            ]
            by_step.append((step, count, hits[:PER_STEP]))
    offers = [o for o in catalogue.catalogue() if o.provider in names]
    contact_pages = [
        h
        for n in names
        for h in s.search(SearchQuery(provider=n, kind="contact", per_page=20)).hits
    ]
    kinds: dict[str, int] = {}
    region_counts: dict[str, int] = {}
    for n in names:
        for kind, c in s.counts("kind", provider=n).items():
            kinds[kind] = kinds.get(kind, 0) + c
        for code, c in s.counts("region", provider=n).items():
            region_counts[code] = region_counts.get(code, 0) + c
    return twins.page(
        "partners/provider.html",
        twins.partner_document,
        partner=partner,
        name=name,
        providers=[n for n in names if n in {p.name for p in content.providers()}],
        total=sum(kinds.values()),
        offers=offers,
        contacts=directory.merge_contacts(partner.contacts if partner else (), contact_pages),
        by_step=by_step,
        kinds=content.kinds_in_order(kinds),
        regions=region_counts,
        council_of=council_region(names),
        events=next_events_of(names),
        steps=listed_steps(offers, [step.id for step, _, _ in by_step], partner),
    )


def next_events_of(names: tuple[str, ...], n: int = 3) -> list[Hit]:
    """The next events that any of the partner's names announces, one entry per event."""
    found = {h.url: h for name in names for h in events.next_events(n, provider=name)}
    order = {e.url: i for i, e in enumerate(events.upcoming())}
    return sorted(found.values(), key=lambda h: order.get(h.url, len(order)))[:n]


def listed_steps(
    offers: list[catalogue.Offer], resource_steps: list[str], partner: directory.Partner | None
) -> list[Step]:
    """The steps a partner works at, as its page shows them: those of the offers it lists,
    else those of its resources; the directory's steps only when the portal holds nothing."""
    found = {o.step for o in offers if o.step} or set(resource_steps)
    if not found and partner is not None:
        found = set(partner.steps)
    return [step for step in content.step_map().values() if step.id in found]


def council_region(names: tuple[str, ...]) -> str | None:
    """The region whose council publishes under one of these names, if any."""
    return next(
        (r.code for r in directory.directory().regions.values() if r.council in names), None
    )
