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
import tomllib
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from indexer.journey import KIND_IDS, STEP_IDS
from portail.db import Store, StoredCorrection
from portail.schema import TOO_DEEP

CORRECTIONS_FILE = "corrections.toml"
KEYS = ("url", "step", "kind", "hidden", "by", "at", "note")
MAX_TEXT = 500
T = TypeVar("T")


@dataclass(frozen=True)
class Correction:
    url: str
    step: str | None = None  # None: the classifier's step
    kind: str | None = None  # None: the classifier's kind
    hidden: bool = False
    by: str = ""
    at: str = ""
    note: str = ""


class CorrectionsError(ValueError):
    """A corrections file or entry with errors; `errors` holds one French line each."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def corrections_path(data_dir: Path) -> Path:
    """The first release's corrections file (imported by `portail db upgrade`)."""
    return Path(data_dir) / CORRECTIONS_FILE


def load_corrections(store: Store) -> dict[str, Correction]:
    """The corrections in force, by page URL."""
    return {url: Correction(**asdict(c)) for url, c in store.corrections().items()}


def parse_corrections(text: str, filename: str = CORRECTIONS_FILE) -> dict[str, Correction]:
    """The corrections of a first-release file; CorrectionsError lists every problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CorrectionsError([f"{filename} : syntaxe TOML invalide ({exc})"]) from None
    except RecursionError:
        raise CorrectionsError([f"{filename} : {TOO_DEEP}"]) from None
    errors = [f"{filename}, {key} : clé inconnue" for key in raw if key != "correction"]
    entries = raw.get("correction", [])
    if not isinstance(entries, list):
        raise CorrectionsError([*errors, f"{filename} : utilisez des tables [[correction]]"])
    out: dict[str, Correction] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"{filename}, correction n°{number}"
        if not isinstance(entry, dict):
            errors.append(f"{where} : doit être une table [[correction]]")
            continue
        problems = check_entry(entry)
        errors.extend(f"{where}, {p}" for p in problems)
        if not problems:
            if entry["url"] in out:
                errors.append(f"{where}, url : page déjà corrigée plus haut")
            out[entry["url"]] = Correction(**entry)
    if errors:
        raise CorrectionsError(errors)
    return out


def check_entry(entry: dict[str, Any]) -> list[str]:
    """What is wrong with one correction's fields, as French `key : problem` lines."""
    problems = [f"{key} : clé inconnue" for key in entry if key not in KEYS]
    url = entry.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        problems.append("url : une adresse http(s) est attendue")
    for key, allowed in (("step", STEP_IDS), ("kind", KIND_IDS)):
        value = entry.get(key)
        if value is not None and value not in allowed:
            problems.append(f"{key} : valeur inconnue « {value} » (attendu : {', '.join(allowed)})")
    if not isinstance(entry.get("hidden", False), bool):
        problems.append("hidden : doit être un booléen (true ou false)")
    for key in ("url", "by", "at", "note"):
        value = entry.get(key, "")
        if not isinstance(value, str) or len(value) > (2000 if key == "url" else MAX_TEXT):
            problems.append(f"{key} : doit être une chaîne ({MAX_TEXT} caractères au plus)")
        elif any(ord(c) < 32 or ord(c) == 127 for c in value):
            problems.append(f"{key} : caractère de contrôle interdit")
    if (
        not problems
        and entry.get("step") is None
        and entry.get("kind") is None
        and not entry.get("hidden")
    ):
        problems.append("indiquer une étape, un type ou masquer la page")
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
