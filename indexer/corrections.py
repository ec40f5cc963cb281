"""Maintainers' corrections: a page's step or kind pinned, or the page hidden from the portal.

They live in the database (`corrections` table, written by the console `/admin/corrections`
through the data layer) and are read by the indexer on every run, full or incremental, so a
recrawl or a rebuild never undoes them. A pinned step or kind wins over the classifier; a
hidden page is indexed as not relevant, which takes it out of the journey and the search.
Each correction is checked before it is saved; every problem is reported, in French.

The first release kept them in `<data>/corrections.toml`; `portail db upgrade` imports that
file (`import_corrections_file`) and keeps it, renamed `corrections.toml.importé`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from indexer.journey import KIND_IDS, STEP_IDS
from portail.db import Store, StoredCorrection
from portail.schema import (
    Bool,
    DataError,
    Field,
    List,
    Path_,
    Str,
    Table,
    check_toml,
    describe,
    validate,
)

CORRECTIONS_FILE = "corrections.toml"
KEYS = ("url", "step", "kind", "hidden", "by", "at", "note")
MAX_TEXT = 500
MAX_URL = 2000
T = TypeVar("T")


def _text(limit: int, url: bool = False) -> Callable[[str], str | None]:
    """A check of a free text: its length, no control character, an http(s) address."""

    def check(value: str) -> str | None:
        if url and not value.startswith(("http://", "https://")):
            return "une adresse http(s) est attendue"
        if len(value) > limit:
            return f"{limit} caractères au plus"
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            return "caractère de contrôle interdit"
        return None

    return check


def _something(entry: dict[str, Any]) -> str | None:
    if entry.get("step") is None and entry.get("kind") is None and not entry.get("hidden"):
        return "indiquer une étape, un type ou masquer la page"
    return None


ENTRY = Table(
    {
        "url": Field(Str(check=_text(MAX_URL, url=True)), required=True, help="la page corrigée"),
        "step": Field(Str(choices=STEP_IDS), help="l'étape imposée"),
        "kind": Field(Str(choices=KIND_IDS), help="le type imposé"),
        "hidden": Field(Bool(), help="la page masquée du portail"),
        "by": Field(Str(check=_text(MAX_TEXT)), help="qui a corrigé"),
        "at": Field(Str(check=_text(MAX_TEXT)), help="quand (ISO 8601)"),
        "note": Field(Str(check=_text(MAX_TEXT)), help="pourquoi"),
    },
    check=_something,
)
SCHEMA = Table({"correction": Field(List(ENTRY), help="une table [[correction]] par page")})


@dataclass(frozen=True)
class Correction:
    url: str
    step: str | None = None  # None: the classifier's step
    kind: str | None = None  # None: the classifier's kind
    hidden: bool = False
    by: str = ""
    at: str = ""
    note: str = ""


class CorrectionsError(DataError):
    """A corrections file or entry with errors; `errors` holds one French line each."""


def corrections_path(data_dir: Path) -> Path:
    """The first release's corrections file (imported by `portail db upgrade`)."""
    return Path(data_dir) / CORRECTIONS_FILE


def load_corrections(store: Store) -> dict[str, Correction]:
    """The corrections in force, by page URL."""
    return {url: Correction(**asdict(c)) for url, c in store.corrections().items()}


def parse_corrections(text: str, filename: str = CORRECTIONS_FILE) -> dict[str, Correction]:
    """The corrections of a first-release file; CorrectionsError lists every problem with its
    line and key."""
    try:
        raw = check_toml(text, filename, SCHEMA, _twice, labels={"correction": "url"})
    except DataError as exc:
        raise CorrectionsError(exc.errors) from None
    return {entry["url"]: Correction(**entry) for entry in raw.get("correction", [])}


def check_entry(entry: dict[str, Any]) -> list[str]:
    """What is wrong with one correction's fields, as French `key : problem` lines."""
    return [
        f"{describe(path, entry)} : {message}" if path else message
        for path, message in validate(ENTRY, entry)
    ]


def _twice(raw: dict[str, Any]) -> list[tuple[Path_, str]]:
    """A page corrected twice in one file."""
    seen: set[str] = set()
    problems: list[tuple[Path_, str]] = []
    for i, entry in enumerate(raw.get("correction", [])):
        if entry["url"] in seen:
            problems.append((("correction", i, "url"), "page déjà corrigée plus haut"))
        seen.add(entry["url"])
    return problems


def apply_correction(result: T, correction: Correction | None) -> T:
    """The classifier's result (a Classification) with a maintainer's correction applied."""
    if correction is None:
        return result
    changes: dict[str, Any] = {}
    if correction.step:
        changes.update(step=correction.step, relevant=True, review=False, candidate=None)
    if correction.kind:
        changes["kind"] = correction.kind
    if correction.hidden:
        changes.update(step=None, relevant=False, review=False, candidate=None)
    return replace(result, **changes)  # type: ignore[type-var]


def save_correction(store: Store, correction: Correction) -> None:
    """Add or replace a page's correction; CorrectionsError when it is not valid."""
    problems = check_entry(_entry(correction))
    if problems:
        raise CorrectionsError(problems)
    store.save_correction(StoredCorrection(**asdict(correction)))


def remove_correction(store: Store, url: str) -> Correction | None:
    """Drop a page's correction; return it (None when there was none)."""
    found = store.corrections().get(url)
    if found is None or not store.remove_correction(url):
        return None
    return Correction(**asdict(found))


def import_corrections_file(store: Store, data_dir: Path) -> int:
    """Move the first release's corrections file into the database; how many it held.
    The file is kept, renamed, for reference; an invalid file is refused, untouched."""
    path = corrections_path(data_dir)
    if not path.exists():
        return 0
    try:
        found = parse_corrections(path.read_text("utf-8"), path.name)
    except (OSError, UnicodeDecodeError) as exc:
        raise CorrectionsError([f"{path.name} : lecture impossible ({exc})"]) from None
    for correction in found.values():
        store.save_correction(StoredCorrection(**asdict(correction)))
    os.replace(path, path.with_name(path.name + ".importé"))
    return len(found)


def _entry(correction: Correction) -> dict[str, Any]:
    entry = {key: getattr(correction, key) for key in KEYS}
    return {k: v for k, v in entry.items() if v is not None and not (k == "note" and not v)}
