"""The schema-driven loader of the editorial data files: every error at once, with the file,
the line and the key; odd files refused clearly."""

from __future__ import annotations

import pytest

from conftest import run_portail
from portail.schema import (
    DataError,
    Field,
    Int,
    List,
    Map,
    Num,
    Str,
    Table,
    check_toml,
    describe,
    locate,
)

SCHEMA = Table(
    {
        "defaults": Field(Table({"delay": Field(Num(0, 10))})),
        "item": Field(
            List(
                Table(
                    {
                        "id": Field(Str(pattern="[a-z]+"), required=True),
                        "size": Field(Int(1, 9)),
                        "terms": Field(Map(Num(0, 5))),
                    }
                )
            )
        ),
    }
)
TEXT = """[defaults]
delay = 20

[[item]]
id = "a"
size = "grand"

[[item]]
id = "b"
colour = "rouge"

[item.terms]
"export" = 9
"""


def errors(text: str) -> list[str]:
    with pytest.raises(DataError) as info:
        check_toml(text, "essai.toml", SCHEMA)
    return info.value.errors


def test_every_error_is_reported_with_its_line_and_key():
    assert errors(TEXT) == [
        "essai.toml, ligne 2, [defaults], delay : valeur 20 hors des limites raisonnables (0 à 10)",
        "essai.toml, ligne 6, item « a », size : doit être un entier, pas une chaîne",
        "essai.toml, ligne 10, item « b », colour : clé inconnue",
        "essai.toml, ligne 13, item « b », terms, export : valeur 9 hors des limites "
        "raisonnables (0 à 5)",
    ]


def test_a_missing_key_and_an_unknown_one_close_to_a_known_one():
    found = errors('[[item]]\nsize = 2\nidd = "x"\n')
    assert "essai.toml, ligne 1, item n°1, id : clé obligatoire manquante" in found
    assert any("idd : clé inconnue (vouliez-vous dire « id » ?)" in e for e in found)


@pytest.mark.parametrize(
    "text",
    ["a = " + "[" * 5000 + "]" * 5000, "x = {" * 3000 + "}" * 3000, "[[item]\n", "id = 'x"],
)
def test_unreadable_files_are_refused_in_one_french_line(text):
    (line,) = errors(text)
    assert line.startswith("essai.toml") and ("TOML" in line or "imbriquée" in line)


def test_lines_are_found_through_arrays_of_tables_and_quoted_keys():
    lines = locate(TEXT)
    assert lines[("item", 1, "terms", "export")] == 13
    assert lines[("item", 0, "size")] == 6
    assert describe(("item", 1, "terms"), {"item": [{"id": "a"}, {"id": "b"}]}) == (
        "item « b », terms"
    )


def test_the_data_check_command_validates_every_editorial_file(tmp_path):
    done = run_portail("data", "check", data=tmp_path)
    assert done.returncode == 0, done.stderr
    for name in ("journey.toml", "kinds.toml", "sectors.toml", "countries.toml", "directory.toml"):
        assert f"{name} : valide." in done.stdout
    assert "\nsources.toml : valide." in done.stdout  # the repository's sources


def test_the_data_check_command_names_a_broken_corrections_file(tmp_path):
    (tmp_path / "corrections.toml").write_text("[[correction]]\nurl = 3\n", "utf-8")
    done = run_portail("data", "check", data=tmp_path)
    assert done.returncode == 2 and "corrections.toml" in done.stderr
    assert "Traceback" not in done.stderr
