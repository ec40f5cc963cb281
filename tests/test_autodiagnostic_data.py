"""The export self-assessment's content (webui/data/autodiagnostic.toml) against its reference
implementation (docs/autodiagnostic_reference.py): checks, typical profiles, scoring rules,
and the links of every action on the portal serving the indexed demo web."""

from __future__ import annotations

import copy
import importlib.util
import random
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from webui import create_app

ROOT = Path(__file__).resolve().parents[1]
TYPICAL = ("primo-exportateur", "exportateur-occasionnel", "pme-implantation", "pas-pret")


def _reference():  # type: ignore[no-untyped-def]
    path = ROOT / "docs" / "autodiagnostic_reference.py"
    spec = importlib.util.spec_from_file_location("autodiagnostic_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


ref = _reference()
SPEC = ref.load()
EXAMPLES = {e["id"]: e for e in SPEC["example"]}


def problems_of(spec) -> list[str]:  # type: ignore[no-untyped-def]
    return ref.check(spec, *ref.repository_ids())


def answers_of(example_id: str) -> dict[str, str]:
    return dict(EXAMPLES[example_id]["answers"])


# -- the file -------------------------------------------------------------------------------------


def test_the_data_file_has_no_problem():
    assert problems_of(SPEC) == []


def test_the_file_has_the_planned_size():
    scored = SPEC["question"]
    rules = [a for a in SPEC["action"] if not a.get("fallback")]
    assert 25 <= len(scored) <= 35
    assert {d["id"] for d in SPEC["dimension"]} == {q["dimension"] for q in scored}
    assert len(SPEC["dimension"]) == 8
    assert [p["id"] for p in SPEC["profile"]] == ["region", "taille", "secteur", "pays"]
    assert len(rules) >= 25
    assert {r["step"] for r in SPEC["step_rule"]} == set(ref.STEPS)


def test_the_document_states_how_many_questions_the_file_asks():
    """35 scored questions (the 25–35 asked for) and 4 profile questions, not scored."""
    text = " ".join((ROOT / "docs" / "autodiagnostic.md").read_text("utf-8").split())
    scored, profile = len(SPEC["question"]), len(SPEC["profile"])
    skipped = len([q for q in SPEC["question"] if q.get("skip_if")])
    assert f"{scored} questions notées" in text
    assert f"Les {profile} questions de profil" in text and "ne sont pas des questions" in text
    assert f"{scored + profile} questions à l'écran au plus" in text
    assert f"{scored - skipped} notées" in text
    assert f"soit {scored - skipped + profile} en tout" in text


def test_every_question_and_action_has_french_text():
    for question in SPEC["question"]:
        assert question["text"].endswith(" ?"), question["id"]
        assert all(a["label"].strip() for a in question["answers"])
    for action in SPEC["action"]:
        assert action["title"] and action["text"].endswith("."), action["id"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda s: s["question"][0]["answers"][0].update(id="idee"), "en double"),
        (lambda s: s["question"][0]["answers"][-1].update(points=5), "des points de 0 à 4"),
        (lambda s: s["question"][0].update(dimension="inconnue"), "dimension inconnue"),
        (lambda s: s["band"][1].update(min=36), "sans trou"),
        (lambda s: s["dimension"][0]["advice"].pop("solide"), "un conseil par bande"),
        (
            lambda s: s["question"][0].update(skip_if={"question": "controle", "answers": ["non"]}),
            "posée avant",
        ),
        (lambda s: s["step_rule"][-1].update(when=[{"step": ["gerer"]}]), "tester l'étape"),
        (lambda s: s["action"][0]["when"][0].update(answers=["peut-etre"]), "réponse inconnue"),
        (lambda s: s["action"][0]["links"][0].update(href="/ailleurs"), "adresse inconnue"),
        (
            lambda s: s["action"][0]["links"][0].update(href="/offres?etape=gerer"),
            "paramètre inconnu « etape »",
        ),
        (lambda s: s["action"][0]["links"][1].update(href="/etapes/vendre"), "étape inconnue"),
        (lambda s: s["example"][0]["answers"].update(pays="FR"), "réponse inconnue « FR »"),
        (lambda s: s["profile"][1]["answers"].clear(), "ni réponses ni liste"),
    ],
)
def test_check_reports_a_broken_file(mutate, expected):
    spec = copy.deepcopy(SPEC)
    mutate(spec)
    assert any(expected in p for p in problems_of(spec)), problems_of(spec)


# -- typical profiles -----------------------------------------------------------------------------


@pytest.mark.parametrize("example_id", list(EXAMPLES))
def test_a_typical_profile_gets_its_expected_result(example_id):
    result = ref.evaluate(SPEC, answers_of(example_id))
    assert ref.expected_of(result) == EXAMPLES[example_id]["expected"]


def test_the_four_typical_profiles_get_different_results():
    results = [ref.evaluate(SPEC, answers_of(e)) for e in TYPICAL]
    assert len({r.step for r in results}) == 4
    assert len({r.band for r in results}) == 3  # the two beginners are both « Premiers pas »
    for i, first in enumerate(results):
        for second in results[i + 1 :]:
            assert len(set(first.actions) & set(second.actions)) <= 2


# -- scoring rules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rounded"),
    [(Fraction(125, 2), 63), (Fraction(75, 2), 38), (Fraction(25, 3), 8), (Fraction(169, 4), 42)],
)
def test_scores_round_half_up(value, rounded):
    assert ref.round_half_up(value) == rounded


def test_a_skipped_question_is_left_out_whatever_it_was_answered():
    answers = answers_of("primo-exportateur")
    assert {"part-export", "nombre-pays", "canal"} <= ref.skipped_questions(SPEC, answers)
    changed = dict(answers, **{"part-export": "plus-50", "canal": "filiale"})
    assert ref.evaluate(SPEC, changed) == ref.evaluate(SPEC, answers)


def test_a_not_applicable_answer_leaves_its_question_out():
    answers = answers_of("primo-exportateur")  # innovation: « sans-objet »
    result = ref.evaluate(SPEC, answers)
    assert result.dimensions["conformite"] == 8  # 1 point out of 12, not out of 16
    with_zero = ref.evaluate(SPEC, dict(answers, innovation="non"))
    assert with_zero.dimensions["conformite"] == 6  # 1 out of 16


def test_an_unanswered_country_means_not_chosen_and_drops_its_links():
    answers = answers_of("pme-implantation")
    del answers["pays"]
    result = ref.evaluate(SPEC, answers)
    assert result.profile["pays"] == "aucun"
    assert "chambre-pays" not in result.actions
    hrefs = [href for links in result.links.values() for _, href in links]
    assert hrefs and not any("country=" in h or h.startswith("/pays/") for h in hrefs)


def test_an_unanswered_scored_question_is_refused():
    answers = answers_of("pas-pret")
    del answers["budget"]
    with pytest.raises(ValueError, match="budget"):
        ref.evaluate(SPEC, answers)


def test_any_answers_give_three_to_five_actions_with_links():
    regions, sectors, _ = ref.repository_ids()
    rng = random.Random(20261127)
    steps, counts = set(), set()
    for _ in range(3000):
        level = rng.random()
        answers = {
            "region": rng.choice(regions),
            "taille": rng.choice(["tpe", "pme", "eti", "grandes-entreprises"]),
            "secteur": rng.choice([*sectors, "autre"]),
            "pays": rng.choice(["aucun", "DE", "US", "MA", "JP"]),
        }
        for question in SPEC["question"]:
            options = question["answers"]
            spot = round(level * (len(options) - 1) + rng.gauss(0, 1.2))
            answers[question["id"]] = options[min(len(options) - 1, max(0, spot))]["id"]
        result = ref.evaluate(SPEC, answers)
        groups = [a.get("group") for a in SPEC["action"] if a["id"] in result.actions]
        assert 3 <= len(result.actions) <= 5
        assert len([g for g in groups if g]) == len({g for g in groups if g})
        assert all(result.links[a] for a in result.actions)
        steps.add(result.step)
        counts.add(len(result.actions))
    assert steps == set(ref.STEPS)
    assert counts == {3, 4, 5}


# -- the links on the portal ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(indexed_data):
    app = create_app({"DATA_DIR": str(indexed_data), "TODAY": "2026-11-27", "TESTING": True})
    return app.test_client()


def every_link() -> list[str]:
    """Each action's links, filled with two profiles and every step."""
    profiles = [
        {"region": "53", "taille": "pme", "secteur": "agroalimentaire", "pays": "DE"},
        {"region": "04", "taille": "grandes-entreprises", "secteur": "sante", "pays": "JP"},
    ]
    hrefs = set()
    for action in SPEC["action"]:
        for profile in profiles:
            for step in ref.STEPS:
                hrefs |= {href for _, href in ref.action_links(SPEC, action, profile, step)}
    return sorted(hrefs)


def test_every_link_of_every_action_leads_to_a_page(client):
    links = every_link()
    assert len(links) > 60
    failed = [(href, r.status_code) for href in links if (r := client.get(href)).status_code != 200]
    assert failed == []
