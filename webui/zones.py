"""The zones of the country directory: each ISO 3166-1 country's UN M49 sub-region, as the
country-converter package ships it, mapped to a French zone by webui/data/zones.toml."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pycountry

from portail.schema import Field, List, Path_, Str, Table, load_toml

ZONES_FILE = Path(__file__).resolve().parent / "data" / "zones.toml"
ISO_CODE = r"[A-Z]{2}"


@dataclass(frozen=True)
class Zone:
    id: str
    label: str
    un_regions: tuple[str, ...]
    countries: tuple[str, ...]


OTHER = Zone("autres", "Autres territoires", (), ())


def _known_code(code: str) -> str | None:
    return None if pycountry.countries.get(alpha_2=code) else f"code ISO 3166-1 inconnu « {code} »"


def _known_region(name: str) -> str | None:
    known = set(un_subregions().values())
    return None if name in known else f"sous-région M49 inconnue « {name} »"


SCHEMA = Table(
    {
        "zone": Field(
            List(
                Table(
                    {
                        "id": Field(Str(pattern="[a-z0-9-]+"), required=True, help="ancre"),
                        "label": Field(Str(nonempty=True), required=True, help="libellé"),
                        "un_regions": Field(
                            List(Str(check=_known_region), unique=True), required=True
                        ),
                        "countries": Field(
                            List(Str(pattern=ISO_CODE, check=_known_code), unique=True)
                        ),
                    }
                ),
                min_items=1,
            ),
            required=True,
        )
    }
)


def coverage(data: dict[str, Any]) -> list[tuple[Path_, str]]:
    """Each M49 sub-region and each listed country in exactly one zone, ids unique."""
    problems: list[tuple[Path_, str]] = []
    seen: dict[str, str] = {}
    for i, zone in enumerate(data["zone"]):
        if zone["id"] in [z["id"] for z in data["zone"][:i]]:
            problems.append((("zone", i, "id"), "identifiant en double"))
        for key in ("un_regions", "countries"):
            for j, value in enumerate(zone.get(key, [])):
                if value in seen:
                    where = f"« {value} » est déjà en {seen[value]}"
                    problems.append((("zone", i, key, j), where))
                seen[value] = zone["id"]
    for region in sorted(set(un_subregions().values()) - seen.keys()):
        problems.append((("zone",), f"la sous-région M49 « {region} » n'est dans aucune zone"))
    return problems


@cache
def zones() -> tuple[Zone, ...]:
    raw = load_toml(ZONES_FILE, SCHEMA, coverage)
    return tuple(
        Zone(z["id"], z["label"], tuple(z["un_regions"]), tuple(z.get("countries", [])))
        for z in raw["zone"]
    )


@cache
def un_subregions() -> dict[str, str]:
    """ISO alpha-2 code → UN M49 sub-region (« ES » → « Southern Europe »), for every
    ISO 3166-1 country."""
    import country_converter as coco  # imports pandas: only when a zone is first needed

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    codes = [c.alpha_2 for c in pycountry.countries]
    found = coco.CountryConverter().convert(names=codes, src="ISO2", to="UNregion", not_found=None)
    return {code: region for code, region in zip(codes, found, strict=True) if region}


def zone_of(code: str) -> Zone:
    """The zone of a country: an explicit listing first, then its M49 sub-region."""
    region = un_subregions().get(code)
    for zone in zones():
        if code in zone.countries:
            return zone
    for zone in zones():
        if region in zone.un_regions:
            return zone
    return OTHER  # never for an ISO 3166-1 country (see the tests), but a page must not fail


def m49_version() -> str:
    from importlib.metadata import version

    return version("country_converter")
