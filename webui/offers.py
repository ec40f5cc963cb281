"""/offres: the catalogue of support offers, filtered by provider, step, region, sector, kind
of help and audience; /offres/<id>: one offer, its summary and the link to its provider's page."""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, abort, redirect, render_template, request, url_for

from indexer.search import parse_query_args
from portail.geo import regions
from webui import catalogue, content, links
from webui.catalogue import NATIONAL, Offer, OfferFilters

bp = Blueprint("offers", __name__)
PER_PAGE = 20
RELATED = 4
FILTER_LABELS = (
    ("step", "Étape du parcours", "Toutes les étapes"),
    ("provider", "Organisme", "Tous les organismes"),
    ("region", "Région de votre entreprise", "Toutes les régions"),
    ("sector", "Secteur", "Tous les secteurs"),
    ("aide", "Type d'aide", "Tous les types d'aide"),
    ("public", "Public", "Tous les publics"),
)


@bp.get("/offres")
def index():  # type: ignore[no-untyped-def]
    filters = catalogue.parse_filters(request.args)
    page = parse_query_args({"page": request.args.get("page", "")}).page
    offers = catalogue.catalogue()
    chosen = catalogue.select(offers, filters)
    pages = max(1, -(-len(chosen) // PER_PAGE))
    page = min(page, pages)
    args = filters.active()
    return render_template(
        "offers/index.html",
        offers=chosen[(page - 1) * PER_PAGE : page * PER_PAGE],
        total=len(chosen),
        all_total=len(offers),
        page=page,
        pages=pages,
        window=links.page_window(page, pages),
        page_url=lambda n: url_for("offers.index", **args, **({"page": n} if n > 1 else {})),
        filters=filters,
        filter_labels=FILTER_LABELS,
        options=filter_options(catalogue.facet_counts(offers, filters), filters),
        active=active_filters(filters),
    )


@bp.get("/offres/<offer_id>")
def offer(offer_id: str):  # type: ignore[no-untyped-def]
    found = catalogue.find(offer_id)
    if found is None:
        abort(404)
    if found.id != offer_id:  # retitled: the hash still finds it, at its current address
        return redirect(url_for("offers.offer", offer_id=found.id), code=301)
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

    return render_template(
        "offers/offer.html",
        offer=found,
        same_provider=same_provider[:RELATED],
        more_from_provider=len(same_provider),
        same_step=same_step[:RELATED],
        partner=directory.partner_for_provider(found.provider),
        events=content.searcher().upcoming_events(
            3, content.today(), **({"step": found.step} if found.step else {})
        ),
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
        rest = {k: v for k, v in args.items() if k != name}
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
