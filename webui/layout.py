"""What every page's layout needs: the main navigation, the user's region, Jinja filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel.dates import format_date
from flask import Flask, current_app, request, url_for

from portail.actors import actor_label
from portail.geo import country_name, region_locative, region_name, regions
from webui import content, links

# The main navigation, in order: (label, endpoint). An entry shows only once a blueprint
# provides its endpoint, so later areas (offers, regions, countries, agenda) appear by
# registering `offers.index`, `regions.index`, `countries.index`, `agenda.index`.
NAVIGATION = (
    ("Le parcours export", "journey.steps"),
    ("Rechercher", "search.results"),
    ("Offres", "offers.index"),
    ("Partenaires", "partners.index"),
    ("Régions", "regions.index"),
    ("Pays", "countries.index"),
    ("Secteurs", "sectors.index"),
    ("Agenda", "agenda.index"),
    ("Actualités", "news.index"),
    ("Autodiagnostic", "autodiagnostic.index"),
    ("Hotline", "hotline.index"),
    ("V.I.E.", "vie.index"),
)
SITE_NAME = "France International"
TAGLINE = "Le portail de l'export"


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


def navigation() -> list[NavItem]:
    items = []
    for label, endpoint in NAVIGATION:
        if endpoint not in current_app.view_functions:
            continue
        blueprint = endpoint.split(".")[0]
        items.append(NavItem(label, url_for(endpoint), request.blueprint == blueprint))
    return items


def french_date(value: str | date | datetime | None, style: str = "long") -> str:
    """« 2026-11-27 » → « 27 novembre 2026 »; empty when there is no date."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    day = value.date() if isinstance(value, datetime) else value
    return str(format_date(day, format=style, locale="fr_FR"))


def current_path() -> str:
    """This page's path and query, for « come back here » links."""
    return request.full_path.rstrip("?") if request.query_string else request.path


def layout_context() -> dict[str, Any]:
    code = content.user_region()
    return {
        "site_name": SITE_NAME,
        "tagline": TAGLINE,
        "main_navigation": navigation(),
        "user_region": code,
        "user_region_name": region_name(code) if code else None,
        "user_region_where": region_locative(code) if code else None,
        "all_regions": regions(),
        "current_path": current_path(),
    }


def init_app(app: Flask) -> None:
    app.context_processor(layout_context)
    app.jinja_env.filters.update(
        french_date=french_date,
        country_name=country_name,
        region_name=region_name,
        region_where=region_locative,
        kind_label=content.kind_label,
        sector_label=content.sector_label,
        actor_label=actor_label,
        facet_label=content.facet_label,
        external_url=links.external_url,
        slugify=content.slugify,
    )
    # Globals (unlike context) are visible inside imported macros.
    app.jinja_env.globals.update(facet_labels=content.FACET_LABELS, journey=content.step_map())
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
