"""Maintainers' corrections: a page's step or kind pinned, or the page hidden from the portal.

They live in `<data>/corrections.toml`, written by the console (`/admin/corrections`) and read
by the indexer on every run, full or incremental, so a recrawl or a rebuild never undoes
them. A pinned step or kind wins over the classifier; a hidden page is indexed as not
relevant, which takes it out of the journey and the search. The file is checked when read:
every problem is reported at once, in French, with its entry number.

    [[correction]]
    url = "https://www.example.fr/offres/assurance-prospection"  # the page's canonical URL
    step = "prospecter"     # optional: diagnostic | informer | strategie | prospecter | …
    kind = "offer"          # optional: offer | guide | event | news | contact | country | …
    hidden = false          # optional: true takes the page out of the portal
    by = "Camille"          # who corrected it
    at = "2026-11-27T10:00:00+00:00"
    note = "Classée à tort en « gérer »."   # optional
"""

from __future__ import annotations

import json
import os
import tomllib
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from indexer.journey import KIND_IDS, STEP_IDS
from portail.filelock import locked

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
    return Path(data_dir) / CORRECTIONS_FILE


def load_corrections(data_dir: Path) -> dict[str, Correction]:
    """The corrections in force, by page URL; CorrectionsError lists every problem."""
    path = corrections_path(data_dir)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise CorrectionsError([f"{path.name} : lecture impossible ({exc})"]) from None
    return parse_corrections(text, path.name)


def parse_corrections(text: str, filename: str = CORRECTIONS_FILE) -> dict[str, Correction]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CorrectionsError([f"{filename} : syntaxe TOML invalide ({exc})"]) from None
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


def _locked(data_dir: Path) -> AbstractContextManager[None]:
    return locked(corrections_path(data_dir))


def save_correction(data_dir: Path, correction: Correction) -> None:
    """Add or replace a page's correction; CorrectionsError when it is not valid."""
    entry = _entry(correction)
    problems = check_entry(entry)
    if problems:
        raise CorrectionsError(problems)
    with _locked(data_dir):
        current = load_corrections(data_dir)
        current[correction.url] = correction
        _write(data_dir, current)


def remove_correction(data_dir: Path, url: str) -> Correction | None:
    """Drop a page's correction; return it (None when there was none)."""
    with _locked(data_dir):
        current = load_corrections(data_dir)
        removed = current.pop(url, None)
        if removed is not None:
            _write(data_dir, current)
        return removed


def _entry(correction: Correction) -> dict[str, Any]:
    entry = {key: getattr(correction, key) for key in KEYS}
    return {k: v for k, v in entry.items() if v is not None and not (k == "note" and not v)}


def _write(data_dir: Path, corrections: dict[str, Correction]) -> None:
    lines = [
        "# Corrections des mainteneurs (console /admin/corrections) : lues par l'indexeur.",
        "",
    ]
    for url in sorted(corrections):
        lines.append("[[correction]]")
        for key, value in _entry(corrections[url]).items():
            shown = ("true" if value else "false") if isinstance(value, bool) else _string(value)
            lines.append(f"{key} = {shown}")
        lines.append("")
    path = corrections_path(data_dir)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines), "utf-8")
    os.replace(tmp, path)


def _string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, but for DEL)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
