"""`sources.toml` validation: every error reported at once, in French, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from portail.sources import ConfigError, parse_sources
from portail_cli.main import main

ROOT = Path(__file__).resolve().parent.parent

VALID = """
[defaults]
delay = 0.5

[[source]]
id = "bpifrance"
name = "Bpifrance"
start_urls = ["https://www.bpifrance.fr/"]
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_sources(text, "sources.toml")
    return info.value.errors


def source(**keys: str) -> str:
    body = {"id": '"ok"', "name": '"Ok"', "start_urls": '["https://exemple.fr/"]'} | keys
    return "[[source]]\n" + "\n".join(f"{k} = {v}" for k, v in body.items() if v is not None)


def test_valid_file_applies_defaults_and_organisation():
    config = parse_sources(VALID)
    (src,) = config.sources
    assert src.delay == 0.5 and src.depth == 4 and src.organisation == "Bpifrance"
    assert src.hosts == ("www.bpifrance.fr",)


@pytest.mark.parametrize(
    ("keys", "actor"),
    [
        ({}, "public"),
        ({"organisation": '"CCI Bretagne"'}, "consulaire"),
        ({"name": '"Chambre de commerce française au Japon"'}, "consulaire"),
        ({"organisation": '"Chambre de métiers et de l\'artisanat"'}, "consulaire"),
        ({"organisation": '"Banque du Littoral"'}, "public"),  # said by `actor`, not guessed
        ({"organisation": '"CCI Bretagne"', "actor": '"associatif"'}, "associatif"),
        ({"actor": '"prive"'}, "prive"),
    ],
)
def test_a_source_s_actor_is_read_or_defaults_by_its_kind(keys, actor):
    (src,) = parse_sources(source(**keys)).sources
    assert src.actor == actor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[source]\nid = 1", "ligne 1, colonne"),
        (source(alow='["x"]'), "alow : clé inconnue (vouliez-vous dire « allow » ?)"),
        (source(depth='"4"'), "source « ok », depth : doit être un entier, pas une chaîne"),
        (source(javascript="1"), "javascript : doit être un booléen"),
        (source(id=None), "source n°1, id : clé obligatoire manquante"),
        (source(name=None), "source « ok », name : clé obligatoire manquante"),
        (source(start_urls=None), "start_urls : clé obligatoire manquante"),
        (source() + "\n" + source(), "source « ok », id : identifiant en double"),
        (source(id='"Bpi France"'), "seuls les minuscules, chiffres et tirets"),
        (source(allow='["(unclosed"]'), "source « ok », allow[0] : expression régulière invalide"),
        (source(deny='["ok", "[z-a]"]'), "deny[1] : expression régulière invalide"),
        (source(allow='["/a[[b]"]'), "allow[0] : expression régulière ambiguë"),
        (source(start_urls='["ftp://exemple.fr/"]'), "start_urls[0] : « ftp://exemple.fr/ »"),
        (source(sitemaps='["exemple.fr/sitemap.xml"]'), "n'est pas une URL http(s) valide"),
        (source(region='"99"'), "region : code de région INSEE inconnu « 99 »"),
        (
            source(actor='"privé"'),
            "source « ok », actor : type d'acteur inconnu « privé » (attendu : public, "
            "consulaire, prive, associatif)",
        ),
        (source(actor="true"), "actor : doit être un type d'acteur, pas un booléen"),
        (source(schedule='"0 3 * *"'), "schedule : expression cron invalide"),
        (source(schedule='"61 3 * * *"'), "schedule : expression cron invalide"),
        (source(delay="-1"), "delay : valeur -1 hors des limites raisonnables"),
        (source(max_pages="0"), "max_pages : valeur 0 hors des limites"),
        (source(depth="500"), "depth : valeur 500 hors des limites"),
        (source(start_urls="[]"), "au moins une URL de départ"),
        (source(user_agent='"' + "x" * 300 + '"'), "user_agent : trop long (300 caractères"),
        (source(user_agent='"Bot\\r\\nX-Evil: 1"'), "user_agent : ne doit contenir ni saut"),
        (
            "[defaults]\ndelai = 1\n" + source(),
            "[defaults], delai : clé inconnue (vouliez-vous dire « delay » ?)",
        ),
        ("[defaults]\nid = 'x'\n" + source(), "[defaults], id : clé inconnue"),
        ("[[sources]]\nid='x'", "sources : clé inconnue (vouliez-vous dire « source » ?)"),
        ("", "aucune source déclarée"),
    ],
)
def test_each_error_is_named_with_file_source_and_key(text, expected):
    errors = errors_of(text)
    assert any(expected in e for e in errors), errors
    assert all(e.startswith("sources.toml") for e in errors)


def test_errors_name_the_line_where_the_file_writes_the_value():
    text = "[defaults]\ndelay = 0.5\n\n" + source() + "\n\n" + source(id='"b"', depth='"x"')
    (error,) = errors_of(text)
    assert error.startswith("sources.toml, ligne 13, source « b », depth : doit être un entier")


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 3000 + "]" * 3000,
        "x = {" * 2000 + "}" * 2000,
        source(allow="[" * 5000),
    ],
)
def test_pathological_files_are_refused_with_a_clear_error(text):
    errors = errors_of(text)
    assert errors and all(e.startswith("sources.toml") for e in errors)


def test_every_error_is_reported_at_once():
    text = source(depth="-3", allow='["("]', region='"xx"') + "\n" + source(id='"B!"')
    errors = errors_of(text)
    assert len(errors) == 4, errors


def test_check_command_exits_2_with_one_line_per_error(tmp_path):
    bad = tmp_path / "sources.toml"
    bad.write_text(source(depth="-3", foo="1"), "utf-8")
    result = CliRunner().invoke(main, ["sources", "check", str(bad)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"{bad}, ligne 5, source « ok », depth : ") and len(lines) == 3
    assert lines[1].startswith(f"{bad}, ligne 6, source « ok », foo : clé inconnue")
    assert "Traceback" not in result.output


def test_check_command_accepts_a_valid_file(tmp_path):
    good = tmp_path / "sources.toml"
    good.write_text(VALID, "utf-8")
    result = CliRunner().invoke(main, ["sources", "check", str(good)])
    assert result.exit_code == 0, result.output
    assert "valide" in result.output


def test_unreadable_file_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["sources", "check", str(tmp_path / "absent.toml")])
    assert result.exit_code == 2 and "fichier introuvable" in result.stderr


@pytest.mark.parametrize("name", ["sources.toml", "demo/sources.toml"])
def test_shipped_sources_files_pass_the_check(name):
    proc = subprocess.run(
        [sys.executable, "-m", "portail_cli", "sources", "check", name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def test_repository_sources_cover_the_required_bodies_and_all_regions():
    from portail.geo import regions
    from portail.sources import load_sources

    config = load_sources(ROOT / "sources.toml")
    regional = {s.region for s in config.sources if s.region}
    assert regional == set(regions())
    orgs = " ".join(s.organisation + " " + s.name for s in config.sources).lower()
    for body in [
        "bpifrance",
        "coface",
        "business france",
        "team france export",
        "v.i.e",
        "cci france",
        "cci france international",
        "ccef",
        "trésor",
        "douane",
    ]:
        assert body in orgs, body


def test_repository_sources_declare_every_kind_of_actor():
    """Public bodies, chambers, private actors (credit insurers, a bank, freight forwarders)
    and associations (foreign trade advisers, trading companies, forwarders, exporters)."""
    from portail.actors import ACTORS
    from portail.sources import load_sources

    config = load_sources(ROOT / "sources.toml")
    by_actor = {actor: {s.id for s in config.sources if s.actor == actor} for actor in ACTORS}
    assert all(by_actor.values()), by_actor
    assert {"coface", "allianz-trade", "societe-generale-import-export"} <= by_actor["prive"]
    assert {"geodis", "clasquin"} <= by_actor["prive"]  # freight forwarders' guides
    assert {"ccef", "osci", "tlf", "fevs", "adepta"} <= by_actor["associatif"]
    assert {"cci-france", "cci-france-international"} <= by_actor["consulaire"]
