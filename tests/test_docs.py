"""The README documents every command and every sources.toml key (Datasette's test_docs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from portail.sources import SOURCE_KEYS
from portail_cli.main import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")


def test_readme_opens_with_the_two_commands():
    head = README[:600]
    assert "make demo" in head and "make test" in head


@pytest.mark.parametrize("key", sorted(SOURCE_KEYS))
def test_every_sources_key_is_documented(key):
    assert f"| `{key}` |" in README


def commands(group, prefix="portail"):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}"


@pytest.mark.parametrize("command", sorted(commands(main)))
def test_every_command_is_documented(command):
    assert f"`{command}" in README


@pytest.mark.parametrize("retired", ["var/corrections.toml", "var/recrawl-queue.json"])
def test_the_readme_keeps_no_file_the_database_replaced(retired):
    """Corrections and the recrawl queue live in the database since the data-layer refactor."""
    assert retired not in README


def test_the_readme_says_a_correction_is_queued_for_the_scheduler():
    console = README.split("- **Corrections** :", 1)[1].split("\n- **", 1)[0]
    assert "aussitôt" not in console and "base de données" in console
    assert "planificateur" in console
