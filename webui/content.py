"""What the pages read: the searcher, labels for ids, providers, the user's region."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from flask import current_app, request

from indexer.journey import KIND_IDS, Step, kind_labels, steps
from indexer.search import Searcher
from indexer.sectors import sectors
from portail.actors import actor_label
from portail.geo import country_name, region_name, regions
from portail.schema import Field, List, Str, Table, load_toml

DATA = Path(__file__).resolve().parent / "data"
# Browsing shows offers first, then what helps act on them.
KIND_ORDER = ("offer", "guide", "event", "contact", "news", "country", "vie", "other")
FACET_LABELS = {
    "step": "Étape du parcours",
    "kind": "Type de contenu",
    "provider": "Organisme",
    "actor": "Type d'acteur",
    "region": "Région",
    "country": "Pays",
    "sector": "Secteur",
}


def searcher() -> Searcher:
    return current_app.extensions["searcher"]


def today() -> date:
    from webui import today as app_today

    return app_today(current_app)


def step_map() -> dict[str, Step]:
    return {s.id: s for s in steps()}


def kind_label(kind: str | None) -> str:
    return kind_labels().get(kind or "other", kind or "")


def sector_labels() -> dict[str, str]:
    """French labels of sector ids, from the indexer's sector list (indexer/data/sectors.toml)."""
    return sectors()


def sector_label(sector: str) -> str:
    return sector_labels().get(sector) or sector.replace("-", " ").capitalize()


def sort_key(label: str) -> str:
    """Alphabetical order as the French expect it (« Île-de-France » among the I)."""
    return unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()


def facet_label(field: str, value: str) -> str:
    """The French label of a facet value (« DE » → « Allemagne »)."""
    if field == "step":
        found = step_map().get(value)
        return found.label if found else value
    if field == "kind":
        return kind_label(value)
    if field == "country":
        return country_name(value)
    if field == "region":
        return region_name(value)
    if field == "sector":
        return sector_label(value)
    if field == "actor":
        return actor_label(value)
    return value


def slugify(name: str) -> str:
    """URL id of an organisation: « Région Auvergne-Rhône-Alpes » → region-auvergne-rhone-alpes."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    count: int


def providers() -> list[Provider]:
    """The organisations whose pages are indexed, the most prolific first."""
    counts = searcher().counts("provider")
    return [Provider(slugify(name), name, n) for name, n in counts.items()]


def provider(provider_id: str) -> Provider | None:
    return next((p for p in providers() if p.id == provider_id), None)


def kinds_in_order(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Kinds with pages, in browsing order."""
    order = [k for k in KIND_ORDER if k in KIND_IDS]
    return [(k, counts[k]) for k in order if counts.get(k)]


def user_region() -> str | None:
    """The INSEE code the user chose (the region cookie), if it is a real region."""
    code = request.cookies.get(current_app.config["REGION_COOKIE"], "")
    return code if code in regions() else None


POPULAR_SCHEMA = Table(
    {"searches": Field(List(Str(nonempty=True), min_items=1, unique=True), required=True)}
)


@cache
def popular_searches() -> tuple[str, ...]:
    """Searches suggested on an empty search page (edited in webui/data/popular.toml)."""
    return tuple(load_toml(DATA / "popular.toml", POPULAR_SCHEMA)["searches"])
