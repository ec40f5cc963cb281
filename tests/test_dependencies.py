"""Every package pinned in pyproject.toml is used: imported by the code, or used by name where
the code says so (a parser, a plugin, a command)."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = (
    "portail",
    "portail_cli",
    "scheduler",
    "crawlers",
    "indexer",
    "webui",
    "demo",
    "bench",
    "tests",
)
# Pins that nothing imports, and where the repository uses them.
USED_BY_NAME = {
    "lxml": ("crawlers/extract.py", 'BeautifulSoup(html, "lxml")'),
    "pytest-timeout": ("pyproject.toml", "timeout = 300"),
    "ruff": ("Makefile", "$(BIN)/ruff check"),
    "mypy": ("Makefile", "$(BIN)/mypy"),
    "gunicorn": ("bench/web.py", '"gunicorn"'),
    # Pinned below country-converter, which reads its table with pandas and breaks on pandas 3.
    "pandas": ("webui/zones.py", "country_converter"),
}


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    pins = [
        *project["dependencies"],
        *(p for e in project["optional-dependencies"].values() for p in e),
    ]
    return [normalised(re.split(r"[=<>!~\[ ]", pin, maxsplit=1)[0]) for pin in pins]


def imported_modules() -> set[str]:
    found: set[str] = set()
    files = [p for d in CODE_DIRS for p in (ROOT / d).rglob("*.py")]
    for path in files:
        text = path.read_text("utf-8")
        found |= set(re.findall(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", text, re.M))
    return found


def test_every_pinned_package_is_used():
    modules = imported_modules()
    distributions: dict[str, set[str]] = {}
    for module, names in packages_distributions().items():
        for name in names:
            distributions.setdefault(normalised(name), set()).add(module)
    unused = []
    for name in pinned():
        if distributions.get(name, set()) & modules:
            continue
        evidence = USED_BY_NAME.get(name)
        if evidence and evidence[1] in (ROOT / evidence[0]).read_text("utf-8"):
            continue
        unused.append(name)
    assert unused == []


def test_the_pins_are_exact():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    for pin in [
        *project["dependencies"],
        *(p for e in project["optional-dependencies"].values() for p in e),
    ]:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+(\[[a-z0-9,_-]+\])?==[0-9][0-9A-Za-z.]*", pin), pin
