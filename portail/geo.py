"""French regions (INSEE codes), loaded once from the data file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    capital: str
    former: tuple[str, ...]
    cities: tuple[str, ...] = ()
    bodies: tuple[str, ...] = ()
    adjectives: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    region: str
    prefecture: str
    demonyms: tuple[str, ...] = ()
    ambiguous: frozenset[str] = frozenset()  # « name », « prefecture », « demonyms »


def _data(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("portail").joinpath(f"data/{name}").read_text("utf-8"))


@cache
def regions() -> dict[str, Region]:
    """Return the 18 regions keyed by INSEE code, in the data file's order."""
    return {
        r["code"]: Region(
            r["code"],
            r["name"],
            r["capital"],
            tuple(r["former"]),
            tuple(r.get("cities", ())),
            tuple(r.get("bodies", ())),
            tuple(r.get("adjectives", ())),
            tuple(r.get("hosts", ())),
        )
        for r in _data("regions.toml")["region"]
    }


@cache
def departements() -> dict[str, Departement]:
    """The 101 départements keyed by INSEE code (« 56 », « 2A », « 974 »)."""
    return {
        d["code"]: Departement(
            d["code"],
            d["name"],
            d["region"],
            d["prefecture"],
            tuple(d.get("demonyms", ())),
            frozenset(d.get("ambiguous", ())),
        )
        for d in _data("departements.toml")["departement"]
    }


def departement_of_postcode(postcode: str) -> Departement | None:
    """The département of a French postcode (« 29200 » → Finistère), or None."""
    code = postcode.strip().replace(" ", "")
    if len(code) != 5 or not code.isdigit():
        return None
    table = departements()
    if code.startswith("97"):
        return table.get(code[:3])
    if code.startswith("20"):  # Corsica: 200xx–201xx Corse-du-Sud, 202xx–206xx Haute-Corse
        return table.get("2A" if code[2] in "01" else "2B")
    return table.get(code[:2])


@cache
def _french_countries():  # type: ignore[no-untyped-def]
    import gettext

    import pycountry

    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])


@cache
def country_name(code: str) -> str:
    """The French name of an ISO 3166-1 alpha-2 country code (« DE » → « Allemagne »)."""
    import pycountry

    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code.upper()
    if code.upper() in NAME_OVERRIDES:
        return NAME_OVERRIDES[code.upper()]
    french = str(_french_countries().gettext(country.name))
    # « Russie, Fédération de » → « Russie »: the usual name comes first.
    return french.split(", ")[0]


NAME_OVERRIDES = {
    "CD": "République démocratique du Congo",
    "KP": "Corée du Nord",
    "CG": "Congo",
    "VA": "Vatican",
}


def region_name(code: str) -> str:
    region = regions().get(code)
    return region.name if region else code
