"""`sources.toml`: parsed once into frozen dataclasses, every error reported at once, in French,
with the file, the line and the key (the schema-driven loader of `portail.schema`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from portail.actors import ACTORS, default_actor
from portail.geo import regions
from portail.schema import (
    Bool,
    DataError,
    Field,
    Int,
    List,
    Num,
    Path_,
    Str,
    Table,
    check_toml,
    read_text,
    regex_problem,
)

DEFAULT_USER_AGENT = "FranceInternationalBot/1.0 (+https://example.invalid/bot)"
ID_RE = r"[a-z0-9-]+"
MAX_USER_AGENT = 256


def _cron(expr: str) -> str | None:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(expr, timezone="Europe/Paris")
    except ValueError as exc:
        return f"expression cron invalide « {expr} » ({exc})"
    return None


def _http_url(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = None
    if parts and parts.scheme in ("http", "https") and parts.hostname and " " not in url:
        return None
    return f"« {url} » n'est pas une URL http(s) valide"


def _user_agent(value: str) -> str | None:
    # Sent as a header with every request: a line break would split it, and servers refuse
    # headers of several kilobytes, so the whole crawl would fail.
    if len(value) > MAX_USER_AGENT:
        return f"trop long ({len(value)} caractères, {MAX_USER_AGENT} au plus)"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "ne doit contenir ni saut de ligne ni caractère de contrôle"
    return None


def _region(code: str) -> str | None:
    if code and code not in regions():
        return f"code de région INSEE inconnu « {code} » (attendu : {', '.join(regions())})"
    return None


def _actor(value: str) -> str | None:
    if value not in ACTORS:
        return f"type d'acteur inconnu « {value} » (attendu : {', '.join(ACTORS)})"
    return None


def _identifier(value: str) -> str | None:
    if not re.fullmatch(ID_RE, value):
        return f"« {value} » : seuls les minuscules, chiffres et tirets sont permis"
    return None


URLS = List(Str(check=_http_url), label="une liste d'URL")
# Keys that [defaults] may hold, and every source may override.
DEFAULT_FIELDS: dict[str, Field] = {
    "user_agent": Field(
        Str(nonempty=True, check=_user_agent), help="l'agent utilisateur annoncé aux sites"
    ),
    "schedule": Field(
        Str(check=_cron, label="une expression cron"),
        help="la fréquence de collecte, en syntaxe cron (heure de Paris)",
    ),
    "depth": Field(Int(0, 50), help="profondeur maximale de liens depuis les pages de départ"),
    "max_pages": Field(Int(1, 1_000_000), help="nombre maximal de pages par collecte"),
    "delay": Field(Num(0, 3600), help="délai entre deux requêtes vers un même hôte (secondes)"),
    "timeout": Field(
        Num(1, 300), help="délai maximal d'une réponse, au-delà elle est abandonnée (secondes)"
    ),
    "javascript": Field(Bool(), help="rendre les pages dans Chromium avant l'extraction"),
    "enabled": Field(Bool(), help="false pour suspendre une source sans la retirer"),
}
SOURCE_FIELDS: dict[str, Field] = {
    "id": Field(Str(nonempty=True, check=_identifier), required=True, help="identifiant unique"),
    "name": Field(Str(nonempty=True), required=True, help="nom affiché"),
    "organisation": Field(Str(), help="organisme éditeur (facette « organisme »)"),
    "start_urls": Field(
        List(
            Str(check=_http_url),
            label="une liste d'URL",
            check=lambda v: None if v else "au moins une URL de départ est nécessaire",
        ),
        required=True,
        help="pages de départ",
    ),
    "sitemaps": Field(URLS, help="plans de site XML"),
    "feeds": Field(URLS, help="flux RSS ou Atom"),
    "allow": Field(
        List(Str(check=regex_problem), label="une liste d'expressions régulières"),
        help="expressions régulières qu'une URL doit vérifier",
    ),
    "deny": Field(
        List(Str(check=regex_problem), label="une liste d'expressions régulières"),
        help="expressions régulières qui écartent une URL",
    ),
    "region": Field(Str(check=_region, label="un code de région INSEE"), help="code INSEE"),
    "actor": Field(
        Str(check=_actor, label="un type d'acteur"),
        help="public, consulaire, prive ou associatif (facette « type d'acteur ») ; par défaut "
        "consulaire pour une chambre (CCI, CMA…), public sinon",
    ),
    **DEFAULT_FIELDS,
}
SOURCE_KEYS = SOURCE_FIELDS  # documented in the README (tests/test_docs.py)
SCHEMA = Table(
    {
        "defaults": Field(Table(DEFAULT_FIELDS)),
        "source": Field(List(Table(SOURCE_FIELDS), label="des tables [[source]]")),
    }
)


@dataclass(frozen=True)
class Source:
    """One site to crawl, with the defaults already applied."""

    id: str
    name: str
    organisation: str
    start_urls: tuple[str, ...]
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    region: str = ""
    actor: str = "public"  # public | consulaire | prive | associatif
    user_agent: str = DEFAULT_USER_AGENT
    schedule: str = "0 3 * * *"
    depth: int = 4
    max_pages: int = 2000
    delay: float = 1.0
    timeout: float = 30.0
    javascript: bool = False
    enabled: bool = True

    @property
    def hosts(self) -> tuple[str, ...]:
        """The `host[:port]` of every start URL, sitemap and feed: the crawl stays within them."""
        urls = self.start_urls + self.sitemaps + self.feeds
        return tuple(dict.fromkeys(urlsplit(u).netloc.lower() for u in urls))


@dataclass(frozen=True)
class SourcesConfig:
    path: str
    sources: tuple[Source, ...] = field(default_factory=tuple)

    def enabled(self) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if s.enabled)

    def get(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)


class ConfigError(DataError):
    """A sources file with errors; `errors` holds one French line per error."""


def load_sources(path: str | Path) -> SourcesConfig:
    """Read and validate a sources file; raise ConfigError listing every problem."""
    try:
        text = read_text(Path(path))
    except DataError as exc:
        raise ConfigError(exc.errors) from None
    return parse_sources(text, str(path))


def parse_sources(text: str, filename: str = "sources.toml") -> SourcesConfig:
    """Validate the text of a sources file; raise ConfigError listing every problem."""
    try:
        raw = check_toml(text, filename, SCHEMA, _across)
    except DataError as exc:
        raise ConfigError(exc.errors) from None
    defaults = raw.get("defaults", {})
    return SourcesConfig(filename, tuple(_build(entry, defaults) for entry in raw["source"]))


def _across(raw: dict[str, Any]) -> list[tuple[Path_, str]]:
    """What one value cannot tell: a file without sources, an id used twice."""
    entries = raw.get("source", [])
    if not entries:
        return [(("source",), "aucune source déclarée ([[source]])")]
    problems: list[tuple[Path_, str]] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        if entry["id"] in seen:
            problems.append((("source", i, "id"), "identifiant en double"))
        seen.add(entry["id"])
    return problems


def _build(values: dict[str, Any], defaults: dict[str, Any]) -> Source:
    merged: dict[str, Any] = {**defaults, **values}
    for key in ("start_urls", "sitemaps", "feeds", "allow", "deny"):
        merged[key] = tuple(merged.get(key, ()))
    merged["organisation"] = merged.get("organisation") or merged["name"]
    merged["actor"] = merged.get("actor") or default_actor(merged["organisation"], merged["name"])
    for key in ("delay", "timeout"):
        if key in merged:
            merged[key] = float(merged[key])
    return Source(**merged)
