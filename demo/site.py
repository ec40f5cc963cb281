"""The demo web's data: sites from `sites.toml`, their pages from `content/*.toml`."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from demo.offers import Board, load_board, today_from

DEMO_DIR = Path(__file__).resolve().parent
DEFAULT_HOST = "127.0.0.1"
DEFAULT_BASE_PORT = 8800
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


@dataclass
class Page:
    site: str
    path: str
    title: str
    body: str
    section: str = ""
    description: str = ""
    step: str = ""
    step2: str = ""  # a defensible second step (docs/classement.md)
    kind: str = "other"
    countries: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    date: str = ""
    event: dict[str, Any] | None = None
    job: dict[str, Any] | None = None
    contact: dict[str, Any] | None = None
    media: str = "html"  # html | pdf | big


@dataclass
class Site:
    n: int
    id: str
    name: str
    organisation: str
    layout: str
    tagline: str
    nav: list[str]
    cookie: str
    footer: str
    newsletter: str
    disallow: list[str]
    charset: str = "utf-8"
    pages: list[Page] = field(default_factory=list)
    board: Board | None = None  # the V.I.E. offers, for the site that has them

    @property
    def boilerplate(self) -> list[str]:
        return [*self.nav, self.cookie, self.footer, self.newsletter]

    @cached_property
    def by_path(self) -> dict[str, Page]:
        return {p.path: p for p in self.pages}

    @cached_property
    def sections(self) -> dict[str, list[Page]]:
        out: dict[str, list[Page]] = {}
        for page in self.pages:
            if page.section and page.media != "pdf":
                out.setdefault(page.section, []).append(page)
        return out


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def french_date(iso: str) -> str:
    year, month, day = (int(x) for x in iso.split("-"))
    return f"{'1er' if day == 1 else day} {MONTHS[month - 1]} {year}"


def load_sites(demo_dir: Path = DEMO_DIR, today: date | str | None = None) -> list[Site]:
    """Every site with its pages, in port order; job offers dated from `today` (see offers)."""
    raw = tomllib.loads((demo_dir / "sites.toml").read_text("utf-8"))
    sites = [Site(**entry) for entry in raw["site"]]
    extra = tomllib.loads((demo_dir / "extra.toml").read_text("utf-8"))
    for site in sites:
        file = demo_dir / "content" / f"{site.id}.toml"
        content = tomllib.loads(file.read_text("utf-8")) if file.exists() else {"page": []}
        entries = content["page"] + [e for e in extra["page"] if e["site"] == site.id]
        site.pages = [Page(**{"site": site.id, **e}) for e in entries]
        if any(p.job for p in site.pages):
            site.board = load_board(content, site.pages, today_from(today))
    return sites
