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
