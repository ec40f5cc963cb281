"""The time zone of an event's hours: Paris for France and online events, the zone of its
place abroad. A country's zones come from Babel's CLDR data; `data/timezones.toml` names the
main zone of the countries that have several, and the cities not in it."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.core import get_global

from portail.schema import Field, Map, Str, Table, load_toml

TIMEZONES_FILE = Path(__file__).resolve().parent / "data" / "timezones.toml"
PARIS = "Europe/Paris"
# Territories of CLDR that are not countries people travel to for a trade fair.
NOT_COUNTRIES = frozenset({"001", "AQ", "UM", "ZZ"})


def _known_zone(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"fuseau horaire inconnu « {name} »"
    return None


def _countries_check(countries: dict[str, Any]) -> str | None:
    """Each zone belongs to its country; each country with several zones names its main one."""
    for code, entry in countries.items():
        zones = set(country_zones(code))
        for zone in (entry.get("main", ""), *entry.get("cities", {}).values()):
            if zones and zone not in zones:
                return f"{code} : le fuseau « {zone} » n'est pas l'un de ceux du pays"
    for code in sorted(multi_zone_countries() - set(countries)):
        return f"{code} a plusieurs fuseaux horaires : indiquer son fuseau principal (main)"
    return None


ZONE = Str(nonempty=True, check=_known_zone)
SCHEMA = Table(
    {
        "france": Field(
            Table(
                {
                    "zone": Field(ZONE, required=True, help="fuseau de la métropole"),
                    "regions": Field(
                        Map(ZONE, key=Str(pattern=r"\d{2}")),
                        help="fuseaux des régions d'outre-mer, par code INSEE",
                    ),
                }
            ),
            required=True,
        ),
        "country": Field(
            Map(
                Table(
                    {
                        "main": Field(ZONE, required=True, help="fuseau principal"),
                        "cities": Field(Map(ZONE), help="fuseau des villes hors du principal"),
                    }
                ),
                key=Str(pattern="[A-Z]{2}"),
                check=_countries_check,
            ),
            required=True,
        ),
    }
)


@cache
def _data() -> dict[str, Any]:
    return load_toml(TIMEZONES_FILE, SCHEMA)


def country_zones(code: str) -> list[str]:
    """The IANA zones of a country (ISO alpha-2), as CLDR lists them."""
    zones: Mapping[str, list[str]] = get_global("territory_zones")
    return list(zones.get(code.upper(), []))


def multi_zone_countries() -> set[str]:
    zones: Mapping[str, list[str]] = get_global("territory_zones")
    return {code for code, found in zones.items() if len(found) > 1} - NOT_COUNTRIES


def event_zone(country: str, city: str = "", region: str = "", online: bool = False) -> str | None:
    """The zone of an event's hours; None for a country whose zone is unknown."""
    data = _data()
    if online or not country or country == "FR":
        return data["france"].get("regions", {}).get(region) or data["france"]["zone"]
    zones = country_zones(country)
    entry = data["country"].get(country)
    if entry is None:
        return zones[0] if len(zones) == 1 else None
    wanted = _fold(city)
    if wanted:
        for name, zone in entry.get("cities", {}).items():
            if _fold(name) == wanted:
                return str(zone)
        for zone in zones:  # « Vancouver » is America/Vancouver
            if _fold(zone.rsplit("/", 1)[-1]) == wanted:
                return zone
    return str(entry["main"])


def _fold(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(plain.lower().replace("_", " ").replace("-", " ").split())
