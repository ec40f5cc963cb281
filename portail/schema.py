"""One loader for every data file that people edit: a schema declared as data, every error
reported at once, in French, with the file, the line and the key.

A schema is made of a few types: `Str`, `Int`, `Num`, `Bool`, `List`, `Table` (known keys,
each a `Field` with its help text) and `Map` (free keys, such as weighted terms). Each type
may carry a `check`: a function that returns a French problem, or None. Errors name the
path of the value (« source « bpifrance », allow[1] ») and the line where the file writes it.

    errors = validate(SCHEMA, raw)                      # [(path, message)]
    data = load_toml(path, SCHEMA)                      # raises DataError with every line

A file that nests so deep that the TOML parser gives up, or that is not UTF-8, is reported
like any other error, never as a traceback.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Check = Callable[[Any], str | None]
TOO_DEEP = "structure imbriquée trop profondément pour être lue (fichier refusé)"
Path_ = tuple[str | int, ...]


class DataError(ValueError):
    """A data file with errors; `errors` holds one French line per error."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


# -- types ----------------------------------------------------------------------------------------


class Type:
    """A kind of value; `problems` yields (relative path, French message)."""

    label = "une valeur"
    check: Check | None = None

    def problems(self, value: Any, path: Path_) -> list[tuple[Path_, str]]:
        if not self.accepts(value):
            return [(path, f"doit être {self.label}, pas {type_name(value)}")]
        found = self.inner(value, path)
        if not found and self.check is not None:
            problem = self.check(value)
            if problem:
                found.append((path, problem))
        return found

    def accepts(self, value: Any) -> bool:
        return True

    def inner(self, value: Any, path: Path_) -> list[tuple[Path_, str]]:
        return []


@dataclass
class Str(Type):
    choices: tuple[str, ...] | None = None
    pattern: str | None = None
    nonempty: bool = False
    check: Check | None = None
    label: str = "une chaîne"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str)

    def inner(self, value: Any, path: Path_) -> list[tuple[Path_, str]]:
        if self.nonempty and not value.strip():
            return [(path, "ne doit pas être vide")]
        if self.choices is not None and value not in self.choices:
            close = difflib.get_close_matches(value, self.choices, n=1, cutoff=0.6)
            hint = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
            shown = ", ".join(c or '""' for c in self.choices[:20])
            return [(path, f"valeur inconnue « {value} »{hint} (attendu : {shown})")]
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            return [(path, f"« {value} » n'a pas la forme attendue")]
        return []


@dataclass
class Int(Type):
    low: float | None = None
    high: float | None = None
    check: Check | None = None
    label: str = "un entier"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    def inner(self, value: Any, path: Path_) -> list[tuple[Path_, str]]:
        return _bounds(value, self.low, self.high, path)


@dataclass
class Num(Type):
    low: float | None = None
    high: float | None = None
    check: Check | None = None
    label: str = "un nombre"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool)

    def inner(self, value: Any, path: Path_) -> list[tuple[Path_, str]]:
        return _bounds(value, self.low, self.high, path)


@dataclass
class Bool(Type):
    check: Check | None = None
    label: str = "un booléen (true ou false)"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, bool)


@dataclass
class List(Type):
    item: Type = field(default_factory=Str)
    min_items: int = 0
    unique: bool = False
    check: Check | None = None
    label: str = "une liste"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, list)

    def inner(self, value: Any, path: Path_) -> list[tuple[Path_, str]]:
        found: list[tuple[Path_, str]] = []
        if len(value) < self.min_items:
            found.append((path, f"au moins {self.min_items} élément(s) attendu(s)"))
        for i, item in enumerate(value):
            found += self.item.problems(item, (*path, i))
        if self.unique:
            seen: set[str] = set()
            for i, item in enumerate(value):
                key = repr(item)
                if key in seen:
                    found.append(((*path, i), f"« {item} » figure deux fois"))
                seen.add(key)
        return found


@dataclass
class Field:
    """A key of a table: its type, whether it must be there, and what it means (French)."""

    type: Type
    required: bool = False
    help: str = ""


@dataclass
class Table(Type):
    fields: dict[str, Field] = field(default_factory=dict)
    check: Check | None = None
    label: str = "une table"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, dict)

    def inner(self, value: Any, path: Path_) -> list[tuple[Path_, str]]:
        found: list[tuple[Path_, str]] = []
        for key, spec in self.fields.items():
            if spec.required and key not in value:
                found.append(((*path, key), "clé obligatoire manquante"))
        for key, item in value.items():
            known = self.fields.get(key)
            if known is None:
                found.append(((*path, key), unknown_key(key, list(self.fields))))
            else:
                found += known.type.problems(item, (*path, key))
        return found


@dataclass
class Map(Type):
    """A table with free keys (« "étude de marché" = 3.5 »), each key and value checked."""

    value: Type = field(default_factory=Str)
    key: Str = field(default_factory=Str)
    check: Check | None = None
    label: str = "une table"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, dict)

    def inner(self, value: Any, path: Path_) -> list[tuple[Path_, str]]:
        found: list[tuple[Path_, str]] = []
        for key, item in value.items():
            found += [(p, f"clé « {key} » : {m}") for p, m in self.key.problems(key, (*path,))]
            found += self.value.problems(item, (*path, key))
        return found


def _bounds(value: float, low: float | None, high: float | None, path: Path_) -> list:
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"{low:g} à {high:g}" if low is not None and high is not None else ""
        if not span:
            span = f"au moins {low:g}" if low is not None else f"au plus {high:g}"
        return [(path, f"valeur {value} hors des limites raisonnables ({span})")]
    return []


def type_name(value: Any) -> str:
    names = {
        bool: "un booléen",
        int: "un entier",
        float: "un nombre",
        str: "une chaîne",
        list: "une liste",
        dict: "une table",
    }
    return names.get(type(value), type(value).__name__)


def unknown_key(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
    return f"clé inconnue{hint}"


# -- validating and reporting -------------------------------------------------------------------


def validate(schema: Type, data: Any) -> list[tuple[Path_, str]]:
    """Every problem of `data` against `schema`, as (path, French message)."""
    return schema.problems(data, ())


def describe(path: Path_, data: Any, labels: Mapping[str, str] | None = None) -> str:
    """« source « bpifrance », allow[1] »: a path for people. A list item is named by its
    `id` (or the key `labels` gives for that list), else by its number."""
    labels = labels or {}
    parts: list[str] = []
    node = data
    for step in path:
        if isinstance(step, int):
            item = node[step] if isinstance(node, list) and step < len(node) else None
            name_key = labels.get(str(parts[-1]) if parts else "", "id")
            name = item.get(name_key) if isinstance(item, dict) else None
            if parts and isinstance(item, dict):
                parts[-1] = (
                    f"{parts[-1]} « {name} »"
                    if isinstance(name, str) and name
                    else f"{parts[-1]} n°{step + 1}"
                )
            elif parts:
                parts[-1] = f"{parts[-1]}[{step}]"
            node = item
        else:
            top = not parts and isinstance(node, dict)
            node = node.get(step) if isinstance(node, dict) else None
            parts.append(f"[{step}]" if top and isinstance(node, dict) else str(step))
    return ", ".join(parts)


def format_errors(
    problems: list[tuple[Path_, str]],
    data: Any,
    filename: str,
    text: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> list[str]:
    """French lines « file, ligne N, path : message », in the file's order."""
    lines = locate(text) if text is not None else {}
    out = []
    for path, message in problems:
        where = describe(path, data, labels)
        line = _line_of(path, lines)
        prefix = f"{filename}, ligne {line}" if line else filename
        out.append(
            (line or 0, f"{prefix}, {where} : {message}" if where else f"{prefix} : {message}")
        )
    return [message for _, message in sorted(out, key=lambda pair: pair[0])]


def parse_toml(text: str, filename: str) -> dict[str, Any]:
    """The TOML document; DataError (French, with the line) when it cannot be read."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError([f"{filename}, {toml_error(exc)}"]) from None
    except RecursionError:
        raise DataError([f"{filename} : {TOO_DEEP}"]) from None


def regex_problem(pattern: str) -> str | None:
    """What is wrong with a regular expression of a data file, in French; None if nothing
    (a check for `Str`)."""
    with warnings.catch_warnings():
        # « [[ » and the like: Python warns that a later version will read them otherwise.
        warnings.simplefilter("error", FutureWarning)
        try:
            re.compile(pattern)
        except re.error as exc:
            return f"expression régulière invalide ({exc})"
        except FutureWarning as exc:
            return f"expression régulière ambiguë ({exc}) : écrivez « \\[ » pour un crochet"
    return None


def read_text(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except FileNotFoundError:
        raise DataError([f"{path} : fichier introuvable"]) from None
    except UnicodeDecodeError:
        raise DataError([f"{path} : le fichier n'est pas en UTF-8"]) from None
    except OSError as exc:
        raise DataError([f"{path} : lecture impossible ({exc.strerror or exc})"]) from None


def load_toml(
    path: str | Path,
    schema: Type,
    extra: Callable[[dict[str, Any]], list[tuple[Path_, str]]] | None = None,
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Read, parse and validate a TOML data file; DataError lists every problem."""
    path = Path(path)
    text = read_text(path)
    return check_toml(text, path.name, schema, extra, labels)


def check_toml(
    text: str,
    filename: str,
    schema: Type,
    extra: Callable[[dict[str, Any]], list[tuple[Path_, str]]] | None = None,
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Parse and validate the text of a TOML data file; DataError lists every problem.
    `extra` adds the checks that span several values (duplicates, cross references)."""
    data = parse_toml(text, filename)
    problems = validate(schema, data)
    if not problems and extra is not None:
        problems = extra(data)
    if problems:
        raise DataError(format_errors(problems, data, filename, text, labels))
    return data


def toml_error(exc: tomllib.TOMLDecodeError) -> str:
    msg = str(exc)
    m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
    if m:
        reason = msg[: m.start()].strip()
        return f"ligne {m[1]}, colonne {m[2]} : syntaxe TOML invalide ({reason})"
    return f"syntaxe TOML invalide ({msg})"


# -- lines -------------------------------------------------------------------------------------

HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
KEY_LINE = re.compile(
    r"""^\s*((?:"[^"]*"|'[^']*'|[\w.-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[\w-]+))*)\s*="""
)


def _keys(dotted: str) -> tuple[str, ...]:
    parts = re.findall(r""""([^"]*)"|'([^']*)'|([\w-]+)""", dotted)
    return tuple(a or b or c for a, b, c in parts)


def locate(text: str) -> dict[Path_, int]:
    """The line (from 1) where each table and key of a TOML text is written."""
    lines: dict[Path_, int] = {}
    counts: dict[tuple[str, ...], int] = {}
    current: Path_ = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = HEADER.match(line)
        if header:
            names = _keys(header[2])
            if header[1] == "[[":
                index = counts.get(names, -1) + 1
                counts[names] = index
                current = (*_resolve(names[:-1], counts), names[-1], index)
            else:
                current = _resolve(names, counts)
            lines.setdefault(current, number)
            continue
        key = KEY_LINE.match(line)
        if key:
            lines.setdefault((*current, *_keys(key[1])), number)
    return lines


def _resolve(names: tuple[str, ...], counts: dict[tuple[str, ...], int]) -> Path_:
    """A table header's path, through the arrays of tables it belongs to (« [step.terms] »
    is in the last [[step]])."""
    path: list[str | int] = []
    for i, name in enumerate(names):
        path.append(name)
        prefix = names[: i + 1]
        if prefix in counts:
            path.append(counts[prefix])
    return tuple(path)


def _line_of(path: Path_, lines: dict[Path_, int]) -> int | None:
    for size in range(len(path), 0, -1):
        found = lines.get(path[:size])
        if found:
            return found
    return None
