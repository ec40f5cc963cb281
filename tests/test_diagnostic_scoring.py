"""The self-assessment's loader (webui/diagnostic_spec.py) and scoring
(webui/diagnostic_scoring.py) against the reference implementation
(docs/autodiagnostic_reference.py): the same checks of the file, the same results on the
typical profiles and on any answers (hypothesis)."""

from __future__ import annotations

import copy
import dataclasses
import tomllib
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_autodiagnostic_data import ref

from portail.schema import DataError, check_toml
from webui.diagnostic_scoring import (
    Incomplete,
    changes,
    evaluate,
    missing,
    round_half_up,
    skipped_questions,
    valid_answers,
)
from webui.diagnostic_spec import (
    DATA_FILE,
    SCHEMA,
    content_problems,
    problems_of,
    repository_lists,
    spec,
)

SPEC = spec()
RAW = ref.load()
LISTS = repository_lists()
TYPICAL = {
    "primo-exportateur": "first-time exporter",
    "exportateur-occasionnel": "occasional exporter",
    "pme-implantation": "SME ready to set up abroad",
    "pas-pret": "company not ready",
}


def example(example_id: str) -> dict[str, str]:
    return dict(next(e for e in SPEC.examples if e.id == example_id).answers)


def same_as_reference(answers: dict[str, str]) -> None:
    ours = dataclasses.asdict(evaluate(SPEC, answers))
    assert ours.pop("why")
    theirs = dataclasses.asdict(ref.evaluate(RAW, answers))
    assert ours == theirs


# -- the loader -----------------------------------------------------------------------------------


def test_the_bundled_file_loads_with_its_lists():
    assert len(SPEC.dimensions) == 8 and len(SPEC.questions) == 35
    region, size, sector, country = SPEC.profile
    assert [a.id for a in region.answers] == list(LISTS.regions)
    assert len(region.answers) == 18
    assert {"agroalimentaire", "autre"} <= {a.id for a in sector.answers}
    assert country.answer("DE").label == "Allemagne"
    assert country.answer("FR") is None and country.answer("aucun").empty
    assert size.answer("tpe").label.startswith("TPE")


def test_the_lists_are_those_the_reference_checks_against():
    regions, sectors, countries = ref.repository_ids()
    assert (set(LISTS.regions), set(LISTS.sectors), set(LISTS.countries)) == (
        set(regions),
        set(sectors),
        set(countries),
    )


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda s: s["question"][0]["answers"][0].update(id="idee"), "en double"),
        (lambda s: s["question"][0]["answers"][-1].update(points=5), "hors des limites"),
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
        (lambda s: s["question"][1]["answers"][0].update(not_applicable=True), "sans objet"),
        (
            lambda s: s["step_rule"][0]["when"].append({"any": [{"any": []}]}),
            "ne s'imbrique pas",
        ),
        (lambda s: s["step_rule"][0]["when"].append({"score": "offre"}), "un « min », un « max »"),
        (lambda s: s["profile"][3].pop("default"), "facultative sans réponse par défaut"),
        (
            lambda s: s["action"].__setitem__(
                slice(None), [a for a in s["action"] if not a.get("fallback")]
            ),
            "actions de repli",
        ),
    ],
)
def test_a_broken_file_is_reported_like_the_reference_does(mutate, expected):
    broken = copy.deepcopy(RAW)
    mutate(broken)
    ours = [message for _, message in problems_of(broken, LISTS)]
    assert any(expected in m for m in ours), ours
    assert ref.check(broken, *ref.repository_ids()) or "hors des limites" in expected


def test_the_valid_file_has_no_problem_for_the_loader_nor_the_reference():
    assert problems_of(copy.deepcopy(RAW), LISTS) == []
    assert content_problems(copy.deepcopy(RAW), LISTS) == []
    assert ref.check(RAW, *ref.repository_ids()) == []


def test_errors_name_the_file_the_line_and_the_key():
    text = DATA_FILE.read_text("utf-8")
    broken = text.replace('href = "/regions/{region}"', 'href = "/ailleurs/{region}"', 1)
    before = broken[: broken.index("/ailleurs/")]
    line = before[: before.rindex("links = [")].count("\n") + 1  # inline tables: their key's line
    with pytest.raises(DataError) as caught:
        check_toml(broken, "autodiagnostic.toml", SCHEMA, lambda d: content_problems(d, LISTS))
    (error,) = caught.value.errors
    assert error.startswith(f"autodiagnostic.toml, ligne {line}, action « conseiller-tfe »")
    assert "adresse inconnue « /ailleurs/{region} »" in error


def test_an_unknown_key_is_reported_with_a_suggestion():
    broken = DATA_FILE.read_text("utf-8").replace("priority = 90", "priorite = 90", 1)
    with pytest.raises(DataError) as caught:
        check_toml(broken, "autodiagnostic.toml", SCHEMA)
    assert any("vouliez-vous dire « priority »" in e for e in caught.value.errors)


# -- typical profiles -----------------------------------------------------------------------------


@pytest.mark.parametrize("example_id", [e.id for e in SPEC.examples])
def test_a_typical_profile_gets_its_pinned_result(example_id):
    result = evaluate(SPEC, example(example_id))
    expected = next(e for e in SPEC.examples if e.id == example_id).expected
    assert result.band == expected["band"]
    assert result.step == expected["step"]
    assert result.actions == expected["actions"]
    assert result.scores() == expected["scores"]
    same_as_reference(example(example_id))


def test_the_four_typical_profiles_are_pinned_here_too():
    got = {e: evaluate(SPEC, example(e)) for e in TYPICAL}
    assert {e: (r.overall, r.band, r.step) for e, r in got.items()} == {
        "primo-exportateur": (42, "premiers-pas", "informer"),
        "exportateur-occasionnel": (54, "premiers-pas", "strategie"),
        "pme-implantation": (90, "pret-accelerer", "implanter"),
        "pas-pret": (19, "pas-pret", "diagnostic"),
    }
    assert got["primo-exportateur"].dimensions["finances"] == 63  # 62.5 rounded up
    first_link = got["primo-exportateur"].links["dossier-pays"][0]
    assert first_link == ("Le pays sur le portail", "/pays/de")
    assert got["pas-pret"].links["conseiller-tfe"][0] == (
        "Les contacts export de votre région",
        "/regions/32",
    )


# -- scoring rules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rounded"),
    [(Fraction(125, 2), 63), (Fraction(75, 2), 38), (Fraction(25, 3), 8), (Fraction(1, 2), 1)],
)
def test_scores_round_half_up(value, rounded):
    assert round_half_up(value) == rounded


def test_a_skipped_question_is_not_missing_and_its_answer_is_ignored():
    answers = example("primo-exportateur")
    assert {"part-export", "nombre-pays", "canal"} <= skipped_questions(SPEC, answers)
    assert missing(SPEC, answers) == []
    changed = dict(answers, **{"part-export": "plus-50", "canal": "filiale"})
    assert evaluate(SPEC, changed) == evaluate(SPEC, answers)


def test_answering_the_controlling_question_otherwise_asks_the_moot_ones():
    answers = dict(example("primo-exportateur"), **{"ventes-etranger": "regulieres"})
    assert missing(SPEC, answers) == ["part-export", "nombre-pays", "canal"]
    with pytest.raises(Incomplete) as caught:
        evaluate(SPEC, answers)
    assert caught.value.questions == ["part-export"]


def test_the_optional_country_is_never_missing_but_required_profile_questions_are():
    answers = example("pme-implantation")
    del answers["pays"], answers["taille"]
    assert missing(SPEC, answers) == ["taille"]


def test_unknown_questions_and_answers_are_dropped():
    answers = {"region": "53", "taille": "moyenne", "inconnue": "x", "objectif": "central"}
    assert valid_answers(SPEC, answers) == {"region": "53", "objectif": "central"}


def test_changes_per_dimension_since_the_previous_take():
    assert changes({"overall": 50, "offre": 40, "conformite": None}, None) == {
        "overall": None,
        "offre": None,
        "conformite": None,
    }
    before = {"overall": 42, "offre": 50, "conformite": 10}
    assert changes({"overall": 50, "offre": 40, "conformite": None}, before) == {
        "overall": 8,
        "offre": -10,
        "conformite": None,
    }


# -- any answers: the same results as the reference -----------------------------------------------


def _answer_ids(question_id: str) -> list[str]:
    return [a.id for a in SPEC.by_id[question_id].answers]


ANSWERS = st.fixed_dictionaries(
    {
        "region": st.sampled_from(_answer_ids("region")),
        "taille": st.sampled_from(_answer_ids("taille")),
        "secteur": st.sampled_from(_answer_ids("secteur")),
        **{q.id: st.sampled_from(_answer_ids(q.id)) for q in SPEC.questions},
    },
    optional={"pays": st.sampled_from(["aucun", "DE", "US", "JP", "MA", "CA", "BR", "CN"])},
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANSWERS)
def test_any_answers_give_the_reference_result(answers):
    same_as_reference(answers)
    result = evaluate(SPEC, answers)
    assert 3 <= len(result.actions) <= 5
    assert all(result.links[a] for a in result.actions)


@settings(max_examples=100, deadline=None)
@given(ANSWERS, st.data())
def test_a_missing_answer_is_refused_by_both(answers, data):
    needed = [q for q in SPEC.questions if q.id not in skipped_questions(SPEC, answers)]
    dropped = data.draw(st.sampled_from(needed)).id
    del answers[dropped]
    assert dropped in missing(SPEC, answers)
    with pytest.raises(Incomplete):
        evaluate(SPEC, answers)
    with pytest.raises(ValueError):
        ref.evaluate(RAW, answers)


def test_the_reference_reads_the_same_file():
    assert tomllib.loads(DATA_FILE.read_text("utf-8")) == RAW
