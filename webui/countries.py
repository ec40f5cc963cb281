"""/pays: the country directory by zone, with a search box that understands French names and
adjectives (« allemand », « Viêt Nam », « Émirats »); /pays/<iso2>: one country's fact sheet
(webui/facts.py), sources of information and the official duty tools, contacts, resources by
step, offers, open V.I.E. offers and upcoming events. Both have a JSON twin (`.json` suffix or
`Accept: application/json`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from typing import Any

import pycountry
from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for

from indexer.search import QueryError, SearchQuery
from portail.geo import country_name
from webui import board, catalogue, content, directory, events, facts, news, params
from webui.api import result
from webui.board import BoardFilters
from webui.directory import Link, ListedContact
from webui.twins import offer_row
from webui.zones import OTHER, Zone, zone_of, zones

bp = Blueprint("countries", __name__)
NOT_TARGETS = frozenset({"FR", "GP", "MQ", "GF", "RE", "YT"})  # France is home, not abroad
PER_PROVIDER = 4
PER_STEP = 3
PER_VIE = 5  # the open V.I.E. offers a country page shows; the board has the others
MAX_QUERY = 100
# The kinds that inform about a country, most telling first.
SOURCE_KINDS = ("country", "guide", "contact", "news", "offer")


def is_country(code: str) -> bool:
    return code not in NOT_TARGETS and pycountry.countries.get(alpha_2=code) is not None


def resolve(text: str) -> list[str]:
    """ISO codes that a French query names: names, variants, adjectives, ISO codes, prefixes."""
    from indexer.gazetteers import country_gazetteer

    text = text.strip()[:MAX_QUERY]
    if not text:
        return []
    codes = [m.code for m in country_gazetteer().find(text, cased=False)]
    if not codes and len(text) == 2 and is_country(text.upper()):
        codes = [text.upper()]
    if not codes:
        folded = content.sort_key(text)
        codes = [
            c.alpha_2
            for c in pycountry.countries
            if content.sort_key(country_name(c.alpha_2)).startswith(folded)
        ]
    return [c for c in dict.fromkeys(codes) if is_country(c)]


@bp.app_template_filter("capitalize_first")
def capitalize_first(text: str) -> str:
    """« mesures de l'UE » → « Mesures de l'UE » (Jinja's `capitalize` lowers the rest)."""
    return text[:1].upper() + text[1:]


def wants_json(suffix: bool) -> bool:
    """A `.json` address, or a client that prefers JSON to HTML."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return suffix or best == "application/json"


def negotiated(response: Response) -> Response:
    response.vary.add("Accept")
    return response


# -- the directory ------------------------------------------------------------------------------


@bp.get("/pays")
@bp.get("/pays.json", defaults={"as_json": True}, endpoint="index_json")
def index(as_json: bool = False):  # type: ignore[no-untyped-def]
    counts = {c: n for c, n in content.searcher().counts("country").items() if is_country(c)}
    typed = (request.args.get("q") or "").strip()
    if len(typed) > MAX_QUERY:
        raise QueryError(f"La recherche est trop longue ({MAX_QUERY} caractères au plus).", "q")
    query, notice = params.search_text(typed)
    found = resolve(query) if query else []
    with_content = [c for c in found if c in counts]
    json_wanted = wants_json(as_json)
    if query and len(with_content) == 1 and not json_wanted:
        return redirect(url_for("countries.country", iso2=with_content[0].lower()), code=303)
    by_zone = grouped(counts)
    found_rows = [(c, country_name(c), counts.get(c, 0)) for c in found]
    if json_wanted:
        document = directory_document(by_zone, found_rows, query, len(counts))
        return negotiated(jsonify({**document, "notice": notice}))
    return negotiated(
        Response(
            render_template(
                "countries/index.html",
                by_zone=by_zone,
                total=len(counts),
                query=query,
                notice=notice,
                found=found_rows,
            )
        )
    )


Row = tuple[str, str, int]


def grouped(counts: dict[str, int]) -> list[tuple[Zone, list[Row]]]:
    """The countries with content by zone, in the zones' order, each sorted by French name."""
    by_zone: dict[str, list[Row]] = defaultdict(list)
    for code, n in counts.items():
        by_zone[zone_of(code).id].append((code, country_name(code), n))
    return [
        (zone, sorted(by_zone[zone.id], key=lambda row: content.sort_key(row[1])))
        for zone in (*zones(), OTHER)
        if by_zone.get(zone.id)
    ]


def _country_row(code: str, name: str, count: int) -> dict[str, Any]:
    url = url_for("countries.country", iso2=code.lower(), _external=True)
    return {"code": code, "name": name, "resources": count, "url": url}


def directory_document(
    by_zone: list[tuple[Zone, list[Row]]], found: list[Row], query: str, total: int
) -> dict[str, Any]:
    return {
        "total": total,
        "query": query or None,
        "found": [_country_row(*row) for row in found],
        "zones": [
            {
                "id": zone.id,
                "label": zone.label,
                "countries": [_country_row(*row) for row in rows],
            }
            for zone, rows in by_zone
        ],
    }


# -- one country ----------------------------------------------------------------------------------


@bp.get("/pays/")
def index_slash():  # type: ignore[no-untyped-def]
    return redirect(url_for("countries.index"), code=301)


@bp.get("/pays/<iso2>/")
def country_slash(iso2: str):  # type: ignore[no-untyped-def]
    """`/pays/jp/` and `/pays/JP/` lead to `/pays/jp`, in one step."""
    if len(iso2) != 2 or not is_country(iso2.upper()):
        abort(404)
    return redirect(url_for("countries.country", iso2=iso2.lower()), code=301)


@bp.get("/pays/<iso2>")
@bp.get("/pays/<iso2>.json", defaults={"as_json": True}, endpoint="country_json")
def country(iso2: str, as_json: bool = False):  # type: ignore[no-untyped-def]
    code = iso2.upper()
    if len(iso2) != 2 or not is_country(code):
        abort(404)
    if iso2 != iso2.lower():
        endpoint = "countries.country_json" if as_json else "countries.country"
        return redirect(url_for(endpoint, iso2=iso2.lower()), code=301)
    page = country_page(code)
    if wants_json(as_json):
        return negotiated(jsonify(country_document(page)))
    return negotiated(Response(render_template("countries/country.html", **page)))


def country_page(code: str) -> dict[str, Any]:
    """Everything a country page shows, for the template and the JSON twin."""
    s = content.searcher()
    steps = s.counts("step", country=code)
    entry = directory.directory().countries.get(code)
    contacts = country_contacts(code)
    return {
        "code": code,
        "name": country_name(code),
        "zone": zone_of(code),
        "sheet": facts.sheet(code, content.today()),
        "total": sum(s.counts("kind", country=code).values()),
        "sources": information_sources(code),
        "links": country_links(code),
        "contacts": contacts,
        "contact_groups": directory.contact_groups(code, contacts),
        "by_step": [
            (
                step,
                steps[step.id],
                s.search(SearchQuery(country=code, step=step.id, per_page=PER_STEP)).hits,
            )
            for step in content.step_map().values()
            if steps.get(step.id)
        ],
        "offers": [o for o in catalogue.catalogue() if code in o.countries],
        "events": events.next_events(8, country=code),
        "news": news.news_for(country=code),
        "editorial_links": entry.links if entry else (),
        "sanctions_map": facts.SANCTIONS_MAP,
        "tresor_sanctions": facts.TRESOR_SANCTIONS,
        **vie_offers(code),
    }


def vie_offers(code: str) -> dict[str, Any]:
    """The country's open V.I.E. and V.I.A. offers, the latest first, as the board selects them."""
    today = content.today()
    chosen = board.select(board.open_offers(today), BoardFilters(country=code))
    return {"today": today, "vie": chosen[:PER_VIE], "vie_total": len(chosen)}


def country_document(page: dict[str, Any]) -> dict[str, Any]:
    from webui.vie import offer_json

    code = page["code"]
    return {
        "code": code,
        "name": page["name"],
        "url": url_for("countries.country", iso2=code.lower(), _external=True),
        "zone": {"id": page["zone"].id, "label": page["zone"].label},
        **page["sheet"].as_json(),
        "resources": page["total"],
        "sources": [
            {"provider": provider, "pages": [result(hit) for hit in hits]}
            for provider, hits in page["sources"]
        ],
        "links": [asdict(link) for link in [*page["editorial_links"], *page["links"]]],
        "contacts": [contact_json(listed) for listed in page["contacts"]],
        "contact_groups": [
            {
                "id": group.body.id,
                "label": group.body.label,
                "contacts": [contact_json(listed) for listed in group.contacts],
                "directory": asdict(group.fallback) if group.fallback else None,
            }
            for group in page["contact_groups"]
        ],
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
        "news": [news.story_json(story) for story in page["news"]],
        "vie": {
            "total": page["vie_total"],
            "offers": [offer_json(o, page["today"]) for o in page["vie"]],
            "url": url_for("vie.index", country=code, _external=True),
        },
    }


def contact_json(listed: ListedContact) -> dict[str, Any]:
    """A contact as the twin gives it, with the crawled page that publishes it and its date."""
    return {
        **asdict(listed.contact),
        "page": listed.page.url if listed.page else None,
        "crawled": (listed.page.first_seen or "")[:10] or None if listed.page else None,
    }


def information_sources(code: str) -> list[tuple[str, list]]:
    """The crawled pages about the country, by provider, country pages first."""
    s = content.searcher()
    out = []
    for provider in s.counts("provider", country=code):
        hits: list = []
        for kind in SOURCE_KINDS:
            if len(hits) >= PER_PROVIDER:
                break
            found = s.search(
                SearchQuery(country=code, provider=provider, kind=kind, per_page=PER_PROVIDER)
            ).hits
            hits += found[: PER_PROVIDER - len(hits)]
        if hits:
            out.append((provider, hits))
    priority = {name: i for i, name in enumerate(("DG Trésor", "Business France", "Coface"))}
    out.sort(key=lambda ph: (priority.get(ph[0], len(priority)), content.sort_key(ph[0])))
    return out


def country_links(code: str) -> list[Link]:
    """The editorial links every country page shows (DG Trésor's page, the networks…), the
    duty and market-access tools only beyond the EU's customs territory."""
    inside = facts.in_eu_customs_territory(code)
    return [
        source.link(code)
        for source in directory.directory().country_sources
        if not (source.outside_eu and inside)
    ]


def country_contacts(code: str) -> list[ListedContact]:
    """Contacts about the country: editorial ones, then the crawled contact pages."""
    entry = directory.directory().countries.get(code)
    hits = content.searcher().search(SearchQuery(kind="contact", country=code, per_page=20)).hits
    return directory.merge_contacts(entry.contacts if entry else (), hits)
