"""The journey: the home page, the six steps, one step's resources, the user's region. The
first three have a JSON twin (`/accueil.json`, `/etapes.json`, `/etapes/<step>.json`, or
`Accept: application/json`, see webui/twins.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request

from indexer.search import SearchQuery, unknown_value
from portail.geo import PlaceError, find_place, regions
from webui import content, events, links, news, params, twins

bp = Blueprint("journey", __name__)

STEP_FILTERS = ("region", "country", "provider", "sector")
FILTER_LABELS = (
    ("region", "Région", "Toutes les régions"),
    ("country", "Pays", "Tous les pays"),
    ("provider", "Organisme", "Tous les organismes"),
    ("sector", "Secteur", "Tous les secteurs"),
)
PER_KIND = 4


@bp.get("/")
@bp.get("/accueil.json", endpoint="home_json")
def home():  # type: ignore[no-untyped-def]
    s = content.searcher()
    region = content.user_region()
    return twins.page(
        "journey/home.html",
        twins.home_document,
        step_counts=s.counts("step"),
        latest=s.latest(6, content.today()),
        events=events.next_events(4),
        news=news.news_for(limit=4),
        providers=content.providers(),
        regional=s.latest(4, content.today(), region=region) if region else [],
        popular=content.popular_searches(),
    )


@bp.get("/etapes")
@bp.get("/etapes.json", endpoint="steps_json")
def steps():  # type: ignore[no-untyped-def]
    s = content.searcher()
    kinds = {
        step.id: content.kinds_in_order(s.counts("kind", step=step.id))
        for step in content.step_map().values()
    }
    return twins.page(
        "journey/steps.html", twins.steps_document, step_counts=s.counts("step"), kinds=kinds
    )


@bp.get("/etapes/<step_id>")
@bp.get("/etapes/<step_id>.json", endpoint="step_json")
def step(step_id: str):  # type: ignore[no-untyped-def]
    found = content.step_map().get(step_id)
    if found is None:
        abort(404)
    chosen = step_filters()
    s = content.searcher()
    kinds = content.kinds_in_order(s.counts("kind", step=step_id, **chosen))
    sections = [
        (
            kind,
            count,
            s.search(SearchQuery(step=step_id, kind=kind, per_page=PER_KIND, **chosen)).hits,
        )
        for kind, count in kinds
    ]
    region = content.user_region()
    nearby = []
    if region and "region" not in chosen:
        nearby = s.search(SearchQuery(step=step_id, region=region, per_page=3)).hits
    options = {
        name: filter_options(name, s.counts(name, step=step_id), chosen.get(name))
        for name in STEP_FILTERS
    }
    return twins.page(
        "journey/step.html",
        twins.step_document,
        step=found,
        sections=sections,
        chosen=chosen,
        options=options,
        filters=FILTER_LABELS,
        nearby=nearby,
        total=sum(count for _, count in kinds),
        steps_in_order=list(content.step_map().values()),
    )


def step_filters() -> dict[str, Any]:
    """The filters of a step page (region, country, provider, sector), validated."""
    query = params.parse(request.args, STEP_FILTERS)
    return {name: value for name, value in query.filters().items() if name in STEP_FILTERS}


def filter_options(name: str, counts: dict[str, int], chosen: str | None) -> list[tuple[str, str]]:
    """(value, « label (count) ») choices of a filter, keeping the chosen value listed."""
    options = [(value, f"{content.facet_label(name, value)} ({n})") for value, n in counts.items()]
    if name in ("region", "country"):
        options.sort(key=lambda option: content.sort_key(option[1]))
    if chosen and chosen not in counts:
        options.insert(0, (chosen, content.facet_label(name, chosen)))
    return options


@bp.get("/ma-region")
def my_region():  # type: ignore[no-untyped-def]
    """Without `region` nor `lieu`, the « Ma région » form; with a region, or a postcode or
    département (`lieu`) that leads to one, remember it and go back."""
    target = links.safe_local_path(request.args.get("next"))
    place = request.args.get("lieu", "").strip()
    if place:
        try:
            code = find_place(place).region
        except PlaceError as exc:
            page = render_template(
                "journey/region.html", region_next=target, place=place, place_error=str(exc)
            )
            return page, 400
    elif "region" not in request.args:
        return render_template("journey/region.html", region_next=target)
    else:
        code = request.args.get("region", "").strip()
    if code and code not in regions():
        raise unknown_value("region", code, {c: r.name for c, r in regions().items()})
    response = make_response(redirect(target, code=303))
    name = current_app.config["REGION_COOKIE"]
    if code:
        max_age = current_app.config["REGION_COOKIE_DAYS"] * 86400
        response.set_cookie(
            name, code, max_age=max_age, httponly=True, samesite="Lax", secure=request.is_secure
        )
    else:
        response.delete_cookie(name, httponly=True, samesite="Lax")
    return response
