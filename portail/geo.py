"""French regions (INSEE codes), loaded once from the data file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    capital: str
    former: tuple[str, ...]


@cache
def regions() -> dict[str, Region]:
    """Return the 18 regions keyed by INSEE code, in the data file's order."""
    raw = tomllib.loads(resources.files("portail").joinpath("data/regions.toml").read_text("utf-8"))
    return {
        r["code"]: Region(r["code"], r["name"], r["capital"], tuple(r["former"]))
        for r in raw["region"]
    }


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
