"""The JSON twins of the browsing pages (Datasette's rule: every page has one).

A page's view registers its twin's address (`/offres.json`, endpoint `<endpoint>_json`) on the
same function and answers through `page()`: the HTML page, or — for a `.json` address or a
client that prefers JSON — the document built from the very context the template gets, so both
show the same data under the same filters. Every HTML page whose endpoint has a twin announces
it (`<link rel="alternate" type="application/json">`, see `twin_url`). The documents are
described in /api/openapi.json (webui/twin_schemas.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request, url_for

from indexer.search import Hit
from webui import content, errors, news
from webui.catalogue import Offer
from webui.directory import Contact, Link, ListedContact

Document = Callable[[dict[str, Any]], dict[str, Any]]


def page(template: str, document: Document, **context: Any) -> Response:
    """The HTML page or its JSON twin, from one context."""
    if errors.wants_json():
        response = jsonify(document(context))
    else:
        response = Response(render_template(template, **context))
    response.vary.add("Accept")
    return response


def twin_url() -> str | None:
    """The address of this page's JSON twin, with its arguments (None when it has none)."""
    endpoint = request.endpoint or ""
    twin = f"{endpoint}_json"
    if not endpoint or endpoint.endswith("_json") or twin not in current_app.view_functions:
        return None
    args = {k: v for k, v in request.args.items(multi=False) if not k.startswith("_")}
    return url_for(twin, **{**args, **(request.view_args or {})})


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"json_twin": twin_url()})


def link(endpoint: str, **values: Any) -> str:
    """An absolute address on the portal (the JSON documents give absolute links)."""
    return url_for(endpoint, **values, _external=True)


# -- pieces shared by the documents ----------------------------------------------------------


def page_of(hit: Hit) -> dict[str, Any]:
    """A crawled page, as /api/search gives it (schema Page)."""
    from webui.api import result

    return result(hit)


def pages_of(hits: Iterable[Hit]) -> list[dict[str, Any]]:
    return [page_of(hit) for hit in hits]


def offer_row(offer: Offer) -> dict[str, Any]:
    """An offer as the catalogue's cards show it (schema OfferSummary)."""
    return {
        "id": offer.id,
        "title": offer.title,
        "page": link("offers.offer", offer_id=offer.id),
        "url": offer.url,
        "provider": offer.provider,
        "actor": offer.actor,
        "steps": list(offer.steps),
        "benefits": [{"id": c.id, "label": c.label} for c in offer.benefits],
        "audience": [{"id": c.id, "label": c.label} for c in offer.audience],
        "national": offer.national,
        "regions": list(offer.regions),
        "summary": offer.summary,
        "date": offer.date,
    }


def contact_of(contact: Contact, page: Hit | None = None, editorial: bool = True) -> dict:
    return {**asdict(contact), "page": page.url if page else None, "editorial": editorial}


def listed_contacts(listed: Iterable[ListedContact]) -> list[dict[str, Any]]:
    return [contact_of(c.contact, c.page, c.editorial) for c in listed]


def links_of(items: Iterable[Link]) -> list[dict[str, str]]:
    return [{"label": item.label, "url": item.url} for item in items]


def step_ref(step: Any) -> dict[str, Any]:
    return {"id": step.id, "number": step.number, "label": step.label}


def options_of(options: dict[str, list[tuple[str, str]]]) -> dict[str, list[dict[str, str]]]:
    """A filter form's choices: (value, label as the list shows it)."""
    return {
        name: [{"value": value, "label": label} for value, label in choices]
        for name, choices in options.items()
    }


def pagination(endpoint: str, args: dict[str, str], page: int, pages: int) -> dict[str, Any]:
    """The links of a paginated list's JSON twin: its page, first, previous, next, last."""

    def to(number: int, json: bool = True) -> str:
        extra = {"page": number} if number > 1 else {}
        return link(f"{endpoint}_json" if json else endpoint, **args, **extra)

    return {
        "html": to(page, json=False),
        "first": to(1) if page > 1 else None,
        "previous": to(page - 1) if page > 1 else None,
        "next": to(page + 1) if page < pages else None,
        "last": to(pages) if page < pages else None,
    }


def kind_counts(kinds: Iterable[tuple[str, int]]) -> list[dict[str, Any]]:
    return [{"kind": k, "label": content.kind_label(k), "count": n} for k, n in kinds]


# -- the documents, one per page type (each from its template's context) ------------------------


def home_document(ctx: dict[str, Any]) -> dict[str, Any]:
    """/ : the six steps with their resources, the latest pages, the next events, the news."""
    counts = ctx["step_counts"]
    return {
        "steps": [
            {
                **step_ref(s),
                "resources": counts.get(s.id, 0),
                "url": link("journey.step", step_id=s.id),
            }
            for s in content.step_map().values()
        ],
        "latest": pages_of(ctx["latest"]),
        "events": pages_of(ctx["events"]),
        "news": [news.story_json(story) for story in ctx["news"]],
        "region": content.user_region(),
        "regional": pages_of(ctx["regional"]),
        "providers": [
            {
                "id": p.id,
                "name": p.name,
                "resources": p.count,
                "url": link("partners.provider", provider_id=p.id),
            }
            for p in ctx["providers"]
        ],
        "popular": list(ctx["popular"]),
    }


def steps_document(ctx: dict[str, Any]) -> dict[str, Any]:
    """/etapes: each step, its resources and their kinds."""
    counts = ctx["step_counts"]
    return {
        "steps": [
            {
                **step_ref(s),
                "short": s.short,
                "description": s.description,
                "resources": counts.get(s.id, 0),
                "kinds": kind_counts(ctx["kinds"][s.id]),
                "url": link("journey.step", step_id=s.id),
            }
            for s in content.step_map().values()
        ]
    }


def step_document(ctx: dict[str, Any]) -> dict[str, Any]:
    """/etapes/<step>: its resources by kind under the page's filters."""
    step = ctx["step"]
    chosen = ctx["chosen"]
    return {
        **step_ref(step),
        "short": step.short,
        "description": step.description,
        "filters": dict(chosen),
        "options": options_of(ctx["options"]),
        "total": ctx["total"],
        "sections": [
            {
                "kind": kind,
                "label": content.kind_label(kind),
                "resources": count,
                "pages": pages_of(hits),
                "more": link("search.results", step=step.id, kind=kind, **chosen)
                if count > len(hits)
                else None,
            }
            for kind, count, hits in ctx["sections"]
        ],
        "nearby": pages_of(ctx["nearby"]),
        "links": {"html": link("journey.step", step_id=step.id, **chosen)},
    }


def offers_document(ctx: dict[str, Any]) -> dict[str, Any]:
    """/offres: a page of the catalogue under its filters, with each filter's choices."""
    args = ctx["filters"].active()
    return {
        "total": ctx["total"],
        "all_total": ctx["all_total"],
        "page": ctx["page"],
        "pages": ctx["pages"],
        "per_page": ctx["per_page"],
        "filters": args,
        "options": options_of(ctx["options"]),
        "offers": [offer_row(o) for o in ctx["offers"]],
        "links": pagination("offers.index", args, ctx["page"], ctx["pages"]),
    }


def offer_document(ctx: dict[str, Any]) -> dict[str, Any]:
    """/offres/<id>: one offer, its provider's contacts, related offers and events."""
    offer, partner = ctx["offer"], ctx["partner"]
    return {
        **offer_row(offer),
        "countries": list(offer.countries),
        "sectors": [{"id": s, "label": content.sector_label(s)} for s in offer.sectors],
        "partner": {
            "id": partner.id,
            "name": partner.name,
            "url": link("partners.provider", provider_id=partner.id),
        }
        if partner
        else None,
        "contacts": [contact_of(c) for c in partner.contacts] if partner else [],
        "same_provider": [offer_row(o) for o in ctx["same_provider"]],
        "more_from_provider": ctx["more_from_provider"],
        "same_step": [offer_row(o) for o in ctx["same_step"]],
        "events": pages_of(ctx["events"]),
    }


def partners_document(ctx: dict[str, Any]) -> dict[str, Any]:
    """/partenaires: the directory's groups, the regions' councils, every indexed organisation."""
    return {
        "groups": [
            {
                "label": label,
                "partners": [
                    {
                        "id": p.id,
                        "name": p.name,
                        "role": p.role,
                        "resources": p.count,
                        "url": link("partners.provider", provider_id=p.id),
                    }
                    for p in members
                ],
            }
            for label, members in ctx["groups"]
        ],
        "regions": [
            {
                "code": region.code,
                "name": region.name,
                "url": link("regions.region", code=region.code),
                "council": council or None,
                "resources": count,
            }
            for region, council, count in ctx["regions"]
        ],
        "organisations": [
            {
                "id": p.id,
                "name": p.name,
                "resources": p.count,
                "steps": {s: counts.get(s, 0) for s in content.step_map()},
                "url": link("partners.provider", provider_id=p.id),
            }
            for p, counts in ctx["rows"]
        ],
    }


def partner_document(ctx: dict[str, Any]) -> dict[str, Any]:
    """/partenaires/<id>: one partner's role, offers, contacts, events, resources by step."""
    partner = ctx["partner"]
    return {
        "id": request.view_args["provider_id"] if request.view_args else None,
        "name": ctx["name"],
        "role": partner.role if partner else None,
        "group": partner.group if partner else None,
        "providers": list(ctx["providers"]),
        "resources": ctx["total"],
        "steps": [step_ref(s) for s in ctx["steps"]],
        "kinds": kind_counts(ctx["kinds"]),
        "regions": [
            {"code": code, "name": content.facet_label("region", code), "resources": n}
            for code, n in ctx["regions"].items()
        ],
        "council_region": ctx["council_of"],
        "sites": links_of(partner.sites) if partner else [],
        "offers": [offer_row(o) for o in ctx["offers"]],
        "contacts": listed_contacts(ctx["contacts"]),
        "events": pages_of(ctx["events"]),
        "by_step": [
            {**step_ref(step), "resources": count, "pages": pages_of(hits)}
            for step, count, hits in ctx["by_step"]
        ],
    }


def regions_document(ctx: dict[str, Any]) -> dict[str, Any]:
    """/regions: every region with its counts of contacts, resources and upcoming events."""

    def rows(listed: list[Any]) -> list[dict[str, Any]]:
        return [
            {
                "code": row.region.code,
                "name": row.region.name,
                "url": link("regions.region", code=row.region.code),
                "contacts": row.contacts,
                "resources": row.resources,
                "events": row.events,
            }
            for row in listed
        ]

    return {"metropolitan": rows(ctx["metropolitan"]), "overseas": rows(ctx["overseas"])}


def region_document(ctx: dict[str, Any]) -> dict[str, Any]:
    """/regions/<code>: one region's contacts, sites, offers, events, news and resources."""
    region = ctx["region"]
    return {
        "code": region.code,
        "name": region.name,
        "council": ctx["council"] or None,
        "resources": ctx["total"],
        "contacts": listed_contacts([*ctx["editorial"], *ctx["crawled"]]),
        "sites": links_of(ctx["sites"]),
        "offers": [offer_row(o) for o in ctx["offers"]],
        "events": pages_of(ctx["events"]),
        "news": [news.story_json(story) for story in ctx["news"]],
        "steps": [{**step_ref(step), "resources": count} for step, count in ctx["steps"]],
        "latest": pages_of(ctx["latest"]),
        "links": {
            "html": link("regions.region", code=region.code),
            "offers": link("offers.index", region=region.code),
            "agenda": link("agenda.index", region=region.code),
            "search": link("search.results", region=region.code),
        },
    }
