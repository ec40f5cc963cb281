"""`sources.toml`: parsed once into frozen dataclasses, every error reported at once, in French."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from portail.geo import regions

DEFAULT_USER_AGENT = "FranceInternationalBot/1.0 (+https://example.invalid/bot)"

# key: (python type, French description of the type, default)
DEFAULTS: dict[str, tuple[type, str, Any]] = {
    "user_agent": (str, "une chaîne", DEFAULT_USER_AGENT),
    "schedule": (str, "une expression cron", "0 3 * * *"),
    "depth": (int, "un entier", 4),
    "max_pages": (int, "un entier", 2000),
    "delay": (float, "un nombre", 1.0),
    "javascript": (bool, "un booléen (true ou false)", False),
    "enabled": (bool, "un booléen (true ou false)", True),
}
SOURCE_KEYS: dict[str, tuple[type, str, Any]] = {
    "id": (str, "une chaîne", None),
    "name": (str, "une chaîne", None),
    "organisation": (str, "une chaîne", ""),
    "start_urls": (list, "une liste d'URL", None),
    "sitemaps": (list, "une liste d'URL", []),
    "feeds": (list, "une liste d'URL", []),
    "allow": (list, "une liste d'expressions régulières", []),
    "deny": (list, "une liste d'expressions régulières", []),
    "region": (str, "un code de région INSEE", ""),
    **DEFAULTS,
}
REQUIRED = ("id", "name", "start_urls")
TOP_KEYS = ("defaults", "source")
# Bounds outside which a number is surely a mistake.
BOUNDS: dict[str, tuple[float, float]] = {
    "depth": (0, 50),
    "max_pages": (1, 1_000_000),
    "delay": (0, 3600),
}
ID_RE = re.compile(r"^[a-z0-9-]+$")


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
    user_agent: str = DEFAULT_USER_AGENT
    schedule: str = "0 3 * * *"
    depth: int = 4
    max_pages: int = 2000
    delay: float = 1.0
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


class ConfigError(Exception):
    """A sources file with errors; `errors` holds one French line per error."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def load_sources(path: str | Path) -> SourcesConfig:
    """Read and validate a sources file; raise ConfigError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path} : fichier introuvable"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path} : lecture impossible ({exc})"]) from None
    return parse_sources(text, str(path))


def parse_sources(text: str, filename: str = "sources.toml") -> SourcesConfig:
    """Validate the text of a sources file; raise ConfigError listing every problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{filename}, {_toml_error(exc)}"]) from None
    errors: list[str] = []
    for key in raw:
        if key not in TOP_KEYS:
            errors.append(f"{filename}, {_unknown(key, TOP_KEYS)}")
    defaults = _check_defaults(raw.get("defaults", {}), filename, errors)
    sources = _check_sources(raw.get("source", []), defaults, filename, errors)
    if errors:
        raise ConfigError(errors)
    return SourcesConfig(filename, tuple(sources))


def _toml_error(exc: tomllib.TOMLDecodeError) -> str:
    msg = str(exc)
    m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
    if m:
        reason = msg[: m.start()].strip()
        return f"ligne {m[1]}, colonne {m[2]} : syntaxe TOML invalide ({reason})"
    return f"syntaxe TOML invalide ({msg})"


def _unknown(key: str, known: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
    return f"{key} : clé inconnue{hint}"


def _check_defaults(raw: Any, filename: str, errors: list[str]) -> dict[str, Any]:
    where = f"{filename}, [defaults]"
    if not isinstance(raw, dict):
        errors.append(f"{where} : doit être une table")
        return {}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in DEFAULTS:
            errors.append(f"{where}, {_unknown(key, list(DEFAULTS))}")
            continue
        problem = _check_value(key, value)
        if problem:
            errors.append(f"{where}, {key} : {problem}")
        else:
            values[key] = float(value) if key == "delay" else value
    return values


def _check_sources(
    raw: Any, defaults: dict[str, Any], filename: str, errors: list[str]
) -> list[Source]:
    if not isinstance(raw, list):
        errors.append(f"{filename}, source : utilisez des tables [[source]]")
        return []
    if not raw:
        errors.append(f"{filename} : aucune source déclarée ([[source]])")
    sources: list[Source] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw, start=1):
        sid = entry.get("id") if isinstance(entry, dict) else None
        where = (
            f"{filename}, source « {sid} »"
            if isinstance(sid, str)
            else (f"{filename}, source n°{index}")
        )
        before = len(errors)
        if not isinstance(entry, dict):
            errors.append(f"{where} : doit être une table [[source]]")
            continue
        if isinstance(sid, str):
            if sid in seen:
                errors.append(f"{where}, id : identifiant en double")
            seen.add(sid)
        values = _check_source(entry, where, errors)
        if len(errors) == before:
            sources.append(_build_source(values, defaults))
    return sources


def _check_source(entry: dict[str, Any], where: str, errors: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in REQUIRED:
        if key not in entry:
            errors.append(f"{where}, {key} : clé obligatoire manquante")
    for key, value in entry.items():
        if key not in SOURCE_KEYS:
            errors.append(f"{where}, {_unknown(key, list(SOURCE_KEYS))}")
            continue
        problem = _check_value(key, value)
        if problem:
            errors.append(f"{where}, {key} : {problem}")
            continue
        if isinstance(value, list):
            problems = _check_items(key, value)
            errors.extend(f"{where}, {key}[{i}] : {p}" for i, p in problems)
            if problems:
                continue
        values[key] = value
    return values


def _check_value(key: str, value: Any) -> str | None:
    """Return a French description of what is wrong with a scalar or list value, or None."""
    expected, label, _ = SOURCE_KEYS[key]
    is_bool = isinstance(value, bool)
    if expected is float:
        ok = isinstance(value, int | float) and not is_bool
    elif expected is int:
        ok = isinstance(value, int) and not is_bool
    else:
        ok = isinstance(value, expected)
    if not ok:
        return f"doit être {label}, pas {_type_name(value)}"
    if key in BOUNDS:
        low, high = BOUNDS[key]
        if not low <= value <= high:
            return f"valeur {value} hors des limites raisonnables ({low:g} à {high:g})"
    return _check_text(key, value) if isinstance(value, str) else None


def _check_text(key: str, value: str) -> str | None:
    if key == "id" and not ID_RE.match(value):
        return f"« {value} » : seuls les minuscules, chiffres et tirets sont permis"
    if key in ("name", "user_agent", "id") and not value.strip():
        return "ne doit pas être vide"
    if key == "region" and value and value not in regions():
        return f"code de région INSEE inconnu « {value} » (attendu : {', '.join(regions())})"
    if key == "schedule":
        return _check_cron(value)
    return None


def _check_cron(expr: str) -> str | None:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(expr, timezone="Europe/Paris")
    except ValueError as exc:
        return f"expression cron invalide « {expr} » ({exc})"
    return None


def _check_items(key: str, items: list[Any]) -> list[tuple[int, str]]:
    problems: list[tuple[int, str]] = []
    if key == "start_urls" and not items:
        problems.append((0, "au moins une URL de départ est nécessaire"))
    for i, item in enumerate(items):
        if not isinstance(item, str):
            problems.append((i, f"doit être une chaîne, pas {_type_name(item)}"))
        elif key in ("allow", "deny"):
            try:
                re.compile(item)
            except re.error as exc:
                problems.append((i, f"expression régulière invalide ({exc})"))
        elif not _is_http_url(item):
            problems.append((i, f"« {item} » n'est pas une URL http(s) valide"))
    return problems


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in url


def _type_name(value: Any) -> str:
    names = {
        bool: "un booléen",
        int: "un entier",
        float: "un nombre",
        str: "une chaîne",
        list: "une liste",
        dict: "une table",
    }
    return names.get(type(value), type(value).__name__)


def _build_source(values: dict[str, Any], defaults: dict[str, Any]) -> Source:
    merged = {key: spec[2] for key, spec in DEFAULTS.items()} | defaults | values
    for key in ("start_urls", "sitemaps", "feeds", "allow", "deny"):
        merged[key] = tuple(merged.get(key, ()))
    merged["organisation"] = merged.get("organisation") or merged["name"]
    merged["delay"] = float(merged["delay"])
    return Source(**merged)
