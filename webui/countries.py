"""/pays: the country directory by zone, with a search box that understands French names and
adjectives (« allemand », « Viêt Nam », « Émirats »); /pays/<iso2>: one country's sources of
information, contacts, resources by step, offers and upcoming events."""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycountry
from babel.core import get_global
from flask import Blueprint, abort, redirect, render_template, request, url_for

from indexer.search import QueryError, SearchQuery
from portail.geo import country_name
from webui import catalogue, content, directory
from webui.directory import Link, ListedContact

bp = Blueprint("countries", __name__)
ZONES_FILE = Path(__file__).resolve().parent / "data" / "zones.toml"
OTHER_ZONE = ("autres", "Autres territoires")
NOT_TARGETS = frozenset({"FR", "GP", "MQ", "GF", "RE", "YT"})  # France is home, not abroad
PER_PROVIDER = 4
PER_STEP = 3
MAX_QUERY = 100
# The kinds that inform about a country, most telling first.
SOURCE_KINDS = ("country", "guide", "contact", "news", "offer")


@dataclass(frozen=True)
class Zone:
    id: str
    label: str
    areas: tuple[str, ...]
    countries: tuple[str, ...]


@cache
def zones() -> tuple[Zone, ...]:
    raw = tomllib.loads(ZONES_FILE.read_text("utf-8"))
    return tuple(
        Zone(z["id"], z["label"], tuple(z.get("areas", [])), tuple(z.get("countries", [])))
        for z in raw["zone"]
    )


def zone_of(code: str) -> tuple[str, str]:
    """(id, label) of a country's zone: an explicit listing first, then its time zone."""
    for zone in zones():
        if code in zone.countries:
            return zone.id, zone.label
    area = (get_global("territory_zones").get(code) or ["?/"])[0].split("/")[0]
    for zone in zones():
        if area in zone.areas:
            return zone.id, zone.label
    return OTHER_ZONE


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


@bp.get("/pays")
def index():  # type: ignore[no-untyped-def]
    counts = {c: n for c, n in content.searcher().counts("country").items() if is_country(c)}
    query = (request.args.get("q") or "").strip()
    if len(query) > MAX_QUERY:
        raise QueryError(f"La recherche est trop longue ({MAX_QUERY} caractères au plus).")
    found = resolve(query) if query else []
    with_content = [c for c in found if c in counts]
    if query and len(with_content) == 1:
        return redirect(url_for("countries.country", iso2=with_content[0].lower()), code=303)
    grouped: dict[tuple[str, str], list[tuple[str, str, int]]] = defaultdict(list)
    for code, n in counts.items():
        grouped[zone_of(code)].append((code, country_name(code), n))
    order = [(z.id, z.label) for z in zones()] + [OTHER_ZONE]
    by_zone = [
        (zone, sorted(grouped[zone], key=lambda c: content.sort_key(c[1])))
        for zone in order
        if grouped.get(zone)
    ]
    return render_template(
        "countries/index.html",
        by_zone=by_zone,
        total=len(counts),
        query=query,
        found=[(c, country_name(c), counts.get(c, 0)) for c in found],
    )


@bp.get("/pays/<iso2>")
def country(iso2: str):  # type: ignore[no-untyped-def]
    code = iso2.upper()
    if iso2 != iso2.lower() and is_country(code):
        return redirect(url_for("countries.country", iso2=iso2.lower()), code=301)
    if len(iso2) != 2 or not is_country(code):
        abort(404)
    s = content.searcher()
    steps = s.counts("step", country=code)
    entry = directory.directory().countries.get(code)
    return render_template(
        "countries/country.html",
        code=code,
        name=country_name(code),
        zone=zone_of(code),
        total=sum(s.counts("kind", country=code).values()),
        sources=information_sources(code),
        links=country_links(code),
        contacts=country_contacts(code),
        by_step=[
            (
                step,
                steps[step.id],
                s.search(SearchQuery(country=code, step=step.id, per_page=PER_STEP)).hits,
            )
            for step in content.step_map().values()
            if steps.get(step.id)
        ],
        offers=[o for o in catalogue.catalogue() if code in o.countries],
        events=s.upcoming_events(8, content.today(), country=code),
        editorial_links=entry.links if entry else (),
    )


def information_sources(code: str) -> list[tuple[str, list]]:
    """The crawled pages about the country, by provider, country pages first."""
    s = content.searcher()
    out = []
    for provider in s.counts("provider", country=code):
        hits = []
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
    """The editorial links every country page shows (DG Trésor's page, the networks…)."""
    return [source.link(code) for source in directory.directory().country_sources]


def country_contacts(code: str) -> list[ListedContact]:
    """Contacts about the country: editorial ones, then the crawled contact pages."""
    entry = directory.directory().countries.get(code)
    hits = content.searcher().search(SearchQuery(kind="contact", country=code, per_page=20)).hits
    return directory.merge_contacts(entry.contacts if entry else (), hits)
