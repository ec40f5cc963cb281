"""The search page: results, facets that combine, pagination, sort, suggestions."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, jsonify, render_template, request, url_for

from indexer.search import FACET_FIELDS, SearchResults
from webui import api, content, errors, links, params

bp = Blueprint("search", __name__)
FACET_VALUES_SHOWN = 12


@dataclass(frozen=True)
class Understanding:
    """What the search understood, in French, with the filters it suggests and its undo."""

    notes: list[str]
    filters: list[tuple[str, str]]  # (« Filtrer sur Japon », URL)
    literal_url: str | None  # the same search, words as typed


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@bp.get("/recherche")
@bp.get("/recherche.json", endpoint="results_json")
def results():  # type: ignore[no-untyped-def]
    res = params.search(request.args)
    query = res.query
    if errors.wants_json():  # the twin of the page is the API's answer
        response = jsonify(api.search_document(res))
        response.vary.add("Accept")
        return response
    args = links.query_args(query)
    return render_template(
        "search/results.html",
        query=query,
        res=res,
        header_query=query.text,
        facets=facets(res, args),
        active=active_filters(args),
        window=links.page_window(res.page, res.pages),
        page_url=lambda n: search_url(args, page=str(n) if n > 1 else None),
        sort_urls={"relevance": search_url(args, sort=None), "date": search_url(args, sort="date")},
        suggestion_url=(
            search_url(args, q=res.suggestion) if res.suggestion and not res.corrected else None
        ),
        understanding=understanding(res, args),
        understood_url=search_url(args, literal=None) if query.literal and query.text else None,
        searching=bool(query.text or query.filters() or query.date_from or query.date_to),
        popular=content.popular_searches(),
    )


def understanding(res: SearchResults, args: dict[str, str]) -> Understanding | None:
    """The places, step and synonyms the query was read with, and how to undo it."""
    understood = res.understood
    if understood is None or res.query.literal:
        return None
    notes, filters = [], []
    for code in understood.countries:
        name = content.facet_label("country", code)
        notes.append(f"pays : {name}")
        if args.get("country") != code:
            filters.append((f"Filtrer sur {name}", search_url(args, country=code)))
    for code in understood.regions:
        name = content.facet_label("region", code)
        notes.append(f"région : {name}")
        if args.get("region") != code:
            filters.append((f"Filtrer sur {name}", search_url(args, region=code)))
    if understood.step:
        label = content.facet_label("step", understood.step)
        notes.append(f"étape privilégiée : {label}")
        if args.get("step") != understood.step:
            filters.append(
                (f"Filtrer sur l'étape « {label} »", search_url(args, step=understood.step))
            )
    if understood.kind:
        label = content.facet_label("kind", understood.kind)
        notes.append(f"type de page recherché : {label.lower()}")
        if args.get("kind") != understood.kind:
            filters.append(
                (f"Filtrer sur le type « {label} »", search_url(args, kind=understood.kind))
            )
    if understood.synonyms:
        expanded = (
            f"« {s.typed} » → {', '.join(s.others)}" if s.others else f"« {s.typed} »"
            for s in understood.synonyms
        )
        notes.append("synonymes et sigles : " + " ; ".join(expanded))
    if understood.without:
        words = ", ".join(f"« {w} »" for w in understood.without)
        notes.append(f"comptés faiblement, après « sans » : {words}")
    if not notes and not res.corrected:
        return None
    return Understanding(notes, filters, search_url(args, literal="1"))


def search_url(args: dict[str, str], **changes: str | None) -> str:
    return url_for("search.results") + links.query_string(links.search_args(args, **changes))


def facets(res: SearchResults, args: dict[str, str]) -> dict[str, list[FacetValue]]:
    """Each facet's values as links: adding a filter keeps the others; a chosen value removes."""
    out = {}
    for name in FACET_FIELDS:
        values = []
        for value, count in res.facets.get(name, [])[:FACET_VALUES_SHOWN]:
            selected = args.get(name) == value
            url = search_url(args, **{name: None if selected else value})
            values.append(FacetValue(value, content.facet_label(name, value), count, selected, url))
        if values:
            out[name] = values
    return out


def active_filters(args: dict[str, str]) -> list[tuple[str, str]]:
    """(« Facet : value », URL without that filter) for each active filter."""
    out = []
    for name in FACET_FIELDS:
        value = args.get(name)
        if value:
            label = f"{content.FACET_LABELS[name]} : {content.facet_label(name, value)}"
            out.append((label, search_url(args, **{name: None})))
    return out
