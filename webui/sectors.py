"""/secteurs: the sectors of activity of the sector list (indexer/data/sectors.toml), each with
its resources and open V.I.E. offers; /secteurs/<id>: one sector's resources step by step, its
support offers, upcoming events, latest news, open V.I.E. offers and the countries its pages
speak of most. Both have a JSON twin (`.json` suffix or `Accept: application/json`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for

from indexer.search import SearchQuery
from portail.geo import country_name
from webui import board, catalogue, content, events, news
from webui.api import result
from webui.board import BoardFilters
from webui.countries import is_country
from webui.twins import offer_row

bp = Blueprint("sectors", __name__)
PER_STEP = 3
TOP_COUNTRIES = 10
SHOWN = {"offers": 4, "events": 6, "news": 5, "vie": 5}


def wants_json(suffix: bool) -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return suffix or best == "application/json"


def negotiated(response: Response) -> Response:
    response.vary.add("Accept")
    return response


@bp.get("/secteurs")
@bp.get("/secteurs.json", defaults={"as_json": True}, endpoint="index_json")
def index(as_json: bool = False):  # type: ignore[no-untyped-def]
    rows = sector_rows()
    if wants_json(as_json):
        return negotiated(jsonify({"total": len(rows), "sectors": rows}))
    return negotiated(Response(render_template("sectors/index.html", rows=rows)))


def sector_rows() -> list[dict[str, Any]]:
    """Every sector of the list, in alphabetical order, with its counts."""
    resources = content.searcher().counts("sector")
    offers = board.facet_counts(board.open_offers(content.today()), BoardFilters())["sector"]
    labels = content.sector_labels()
    return [
        {
            "id": sector,
            "label": label,
            "resources": resources.get(sector, 0),
            "vie": offers.get(sector, 0),
            "url": url_for("sectors.sector", sector_id=sector, _external=True),
        }
        for sector, label in sorted(labels.items(), key=lambda kv: content.sort_key(kv[1]))
    ]


@bp.get("/secteurs/")
def index_slash():  # type: ignore[no-untyped-def]
    return redirect(url_for("sectors.index"), code=301)


@bp.get("/secteurs/<sector_id>")
@bp.get("/secteurs/<sector_id>.json", defaults={"as_json": True}, endpoint="sector_json")
def sector(sector_id: str, as_json: bool = False):  # type: ignore[no-untyped-def]
    if sector_id not in content.sector_labels():
        abort(404)
    page = sector_page(sector_id)
    if wants_json(as_json):
        return negotiated(jsonify(sector_document(page)))
    return negotiated(Response(render_template("sectors/sector.html", **page)))


def sector_page(sector_id: str) -> dict[str, Any]:
    """Everything a sector page shows, for the template and the JSON twin."""
    s = content.searcher()
    today = content.today()
    steps = s.counts("step", sector=sector_id)
    offers = [o for o in catalogue.catalogue() if sector_id in o.sectors]
    vie = board.select(board.open_offers(today), BoardFilters(sector=sector_id))
    countries = [
        (code, n) for code, n in s.counts("country", sector=sector_id).items() if is_country(code)
    ]
    stories = news.listed(news.NewsFilters(sector=sector_id))  # the stream: one item a story
    return {
        "id": sector_id,
        "label": content.sector_label(sector_id),
        "today": today,
        "total": sum(s.counts("kind", sector=sector_id).values()),
        "by_step": [
            (
                step,
                steps[step.id],
                s.search(SearchQuery(sector=sector_id, step=step.id, per_page=PER_STEP)).hits,
            )
            for step in content.step_map().values()
            if steps.get(step.id)
        ],
        "offers": offers,
        "events": events.next_events(SHOWN["events"], sector=sector_id),
        "news": stories[: SHOWN["news"]],
        "news_total": len(stories),
        "vie": vie[: SHOWN["vie"]],
        "vie_total": len(vie),
        "countries": most_covered(countries),
    }


def most_covered(countries: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The countries with the most pages, then by French name."""
    ranked = sorted(countries, key=lambda cn: (-cn[1], content.sort_key(country_name(cn[0]))))
    return ranked[:TOP_COUNTRIES]


def sector_document(page: dict[str, Any]) -> dict[str, Any]:
    from webui.vie import offer_json

    sector_id = page["id"]
    return {
        "id": sector_id,
        "label": page["label"],
        "url": url_for("sectors.sector", sector_id=sector_id, _external=True),
        "resources": page["total"],
        "steps": [
            {
                "id": step.id,
                "label": step.label,
                "resources": count,
                "pages": [result(hit) for hit in hits],
            }
            for step, count, hits in page["by_step"]
        ],
        "offers": [offer_row(o) for o in page["offers"]],  # as the catalogue's twin gives them
        "events": [result(hit) for hit in page["events"]],
        "news": {
            "total": page["news_total"],
            "stories": [news.story_json(story) for story in page["news"]],
        },
        "vie": {
            "total": page["vie_total"],
            "offers": [offer_json(o, page["today"]) for o in page["vie"]],
            "url": url_for("vie.index", sector=sector_id, _external=True),
        },
        "countries": [
            {
                "code": code,
                "name": country_name(code),
                "resources": n,
                "url": url_for("countries.country", iso2=code.lower(), _external=True),
            }
            for code, n in page["countries"]
        ],
    }
