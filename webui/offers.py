"""/offres: the catalogue of support offers, filtered by provider, kind of actor, step, region,
sector, kind of help and audience; /offres/<id>: one offer, its summary and the link to its
provider's page. Both have a JSON twin (`.json` suffix or `Accept: application/json`, see
webui/twins.py)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, abort, redirect, request, url_for

from indexer.search import parse_query_args
from portail.actors import ACTORS, actor_label
from portail.geo import regions
from webui import catalogue, content, events, links, params, twins
from webui.catalogue import NATIONAL, Offer, OfferFilters

bp = Blueprint("offers", __name__)
PER_PAGE = 20
RELATED = 4
FILTER_LABELS = (
    ("step", "Étape du parcours", "Toutes les étapes"),
    ("provider", "Organisme", "Tous les organismes"),
    ("acteur", "Type d'acteur", "Tous les acteurs"),
    ("region", "Région de votre entreprise", "Toutes les régions"),
    ("sector", "Secteur", "Tous les secteurs"),
    ("aide", "Type d'aide", "Tous les types d'aide"),
    ("public", "Public", "Tous les publics"),
)


@bp.get("/offres")
@bp.get("/offres.json", endpoint="index_json")
def index():  # type: ignore[no-untyped-def]
    filters = catalogue.parse_filters(request.args)
    page = parse_query_args({"page": request.args.get("page", "")}).page
    offers = catalogue.catalogue()
    chosen = catalogue.select(offers, filters)
    pages = max(1, -(-len(chosen) // PER_PAGE))
    params.check_page(page, pages)
    args = filters.active()
    return twins.page(
        "offers/index.html",
        twins.offers_document,
        offers=chosen[(page - 1) * PER_PAGE : page * PER_PAGE],
        total=len(chosen),
        all_total=len(offers),
        page=page,
        pages=pages,
        per_page=PER_PAGE,
        window=links.page_window(page, pages),
        page_url=lambda n: url_for("offers.index", **args, **({"page": n} if n > 1 else {})),
        filters=filters,
        filter_labels=FILTER_LABELS,
        options=filter_options(catalogue.facet_counts(offers, filters), filters),
        active=active_filters(filters),
    )


@bp.get("/offres/<offer_id>")
@bp.get("/offres/<offer_id>.json", endpoint="offer_json")
def offer(offer_id: str):  # type: ignore[no-untyped-def]
    found = catalogue.find(offer_id)
    if found is None:
        abort(404)
    if found.id != offer_id:  # retitled: the hash still finds it, at its current address
        return redirect(url_for(request.endpoint or "offers.offer", offer_id=found.id), code=301)
    offers = catalogue.catalogue()
    same_provider = sorted(
        (o for o in offers if o.provider == found.provider and o.id != found.id),
        key=lambda o: o.step != found.step,  # the same step first
    )
    same_step = [
        o
        for o in offers
        if o.step == found.step
        and o.provider != found.provider
        and (o.national or set(o.regions) & set(found.regions))
    ]
    from webui import directory

    return twins.page(
        "offers/offer.html",
        twins.offer_document,
        offer=found,
        same_provider=same_provider[:RELATED],
        more_from_provider=len(same_provider),
        same_step=same_step[:RELATED],
        partner=directory.partner_for_provider(found.provider),
        events=events.next_events(3, **({"step": found.step} if found.step else {})),
    )


def filter_options(
    counts: dict[str, Counter[str]], filters: OfferFilters
) -> dict[str, list[tuple[str, str]]]:
    """(value, « label (count) ») choices of each filter, the chosen value always listed."""
    steps = content.step_map()
    cue = catalogue.cues()
    out: dict[str, list[tuple[str, str]]] = {
        "step": [
            (s.id, f"Étape {s.number} : {s.label} ({counts['step'][s.id]})")
            for s in steps.values()
            if counts["step"][s.id] or filters.step == s.id
        ],
        "provider": sorted(
            ((p, f"{p} ({n})") for p, n in counts["provider"].items()),
            key=lambda o: content.sort_key(o[0]),
        ),
        "acteur": [
            (a, f"{label} ({counts['acteur'][a]})")
            for a, label in ACTORS.items()
            if counts["acteur"][a] or filters.acteur == a
        ],
        "aide": [
            (c.id, f"{c.label} ({counts['aide'][c.id]})")
            for c in cue.benefit
            if counts["aide"][c.id] or filters.aide == c.id
        ],
        "public": [
            (c.id, f"{c.label} ({counts['public'][c.id]})")
            for c in cue.audience
            if counts["public"][c.id] or filters.public == c.id
        ],
    }
    national = counts["region"][NATIONAL]
    region_options = [(NATIONAL, f"Offres nationales seulement ({national})")]
    for code, region in sorted(regions().items(), key=lambda r: content.sort_key(r[1].name)):
        region_options.append((code, f"{region.name} ({national + counts['region'][code]})"))
    out["region"] = region_options
    out["sector"] = sorted(
        ((v, f"{content.sector_label(v)} ({n})") for v, n in counts["sector"].items()),
        key=lambda o: content.sort_key(o[1]),
    )
    if filters.sector and filters.sector not in counts["sector"]:
        out["sector"].insert(0, (filters.sector, f"{content.sector_label(filters.sector)} (0)"))
    if filters.provider and filters.provider not in counts["provider"]:
        out["provider"].insert(0, (filters.provider, f"{filters.provider} (0)"))
    return out


def filter_value_label(name: str, value: str) -> str:
    if name == "region":
        return "Offres nationales" if value == NATIONAL else content.facet_label("region", value)
    if name == "acteur":
        return actor_label(value)
    if name in ("aide", "public"):
        group = "benefit" if name == "aide" else "audience"
        return catalogue.cues().labels(group).get(value, value)
    return content.facet_label(name, value)


def active_filters(filters: OfferFilters) -> list[tuple[str, str]]:
    """(« Label : value », URL without that filter) for each active filter."""
    args = filters.active()
    labels = {name: label for name, label, _ in FILTER_LABELS}
    out = []
    for name, value in args.items():
        rest: dict[str, Any] = {k: v for k, v in args.items() if k != name}
        out.append(
            (f"{labels[name]} : {filter_value_label(name, value)}", url_for("offers.index", **rest))
        )
    return out


def regions_label(offer: Offer) -> str:
    if offer.national:
        return "Toute la France"
    return ", ".join(content.facet_label("region", code) for code in offer.regions)


@bp.app_template_filter("offer_regions")
def _offer_regions(offer: Offer) -> str:
    return regions_label(offer)
