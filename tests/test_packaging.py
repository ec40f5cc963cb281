"""The package ships every module and data file, and setuptools finds every folder of it as a
package (a folder it would only see as data makes `pip install` print « Package would be
ignored »): checked offline from pyproject.toml, with setuptools' own package finder."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

from setuptools import find_namespace_packages

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
SKIPPED = {"__pycache__", "node_modules"}


def found_packages() -> set[str]:
    find = CONFIG.get("packages", {})
    if isinstance(find, list):  # a hand-written list
        return set(find)
    options = find.get("find", {})
    return set(
        find_namespace_packages(
            where=str(ROOT),
            include=options.get("include", ["*"]),
            exclude=options.get("exclude", []),
        )
    )


def package_roots() -> set[str]:
    return {name.split(".")[0] for name in found_packages()}


def folders_and_files() -> tuple[set[str], list[Path]]:
    folders, files = set(), []
    for top in sorted(package_roots()):
        for path in sorted((ROOT / top).rglob("*")):
            if SKIPPED & set(path.relative_to(ROOT).parts):
                continue
            if path.is_dir() and any(p.is_file() for p in path.iterdir()):
                folders.add(".".join(path.relative_to(ROOT).parts))
            elif path.is_file() and path.suffix not in (".py", ".pyc"):
                files.append(path)
    return folders, files


def shipped(path: Path) -> bool:
    """Whether a data file matches the package-data patterns of one of its packages."""
    patterns: dict[str, list[str]] = CONFIG.get("package-data", {})
    parts = path.relative_to(ROOT).parts
    for depth in range(1, len(parts)):
        package = ".".join(parts[:depth])
        relative = "/".join(parts[depth:])
        for pattern in patterns.get(package, []) + patterns.get("*", []):
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(
                relative, pattern.replace("**/", "")
            ):
                return True
    return False


def test_every_folder_of_the_packages_is_a_package_setuptools_finds():
    folders, _ = folders_and_files()
    found = found_packages()
    assert {"webui.templates.admin", "demo.content", "portail.db.migrations.versions"} <= folders
    assert sorted(folders - found) == []
    assert not [name for name in found if "__pycache__" in name]


def test_every_data_file_of_the_packages_is_shipped():
    _, files = folders_and_files()
    tracked = [f for f in files if f.name != ".gitignore" and "dsfr" not in f.parts]
    assert len(tracked) > 50
    assert [str(f.relative_to(ROOT)) for f in tracked if not shipped(f)] == []
