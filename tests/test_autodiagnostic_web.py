"""The self-assessment's pages (/autodiagnostic): plain forms with CSRF, POST then redirect,
one page per dimension, back and forth without losing answers, questions revealed by an
answer, the result with its shareable address, its JSON twin (checked against the OpenAPI
document) and the change since the previous take; bad tokens are a 404 in French."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from test_agenda import nullable_to_json_schema

from conftest import sql
from webui import create_app
from webui.autodiagnostic import pages
from webui.diagnostic_scoring import evaluate
from webui.diagnostic_spec import spec

SPEC = spec()
PAGES = pages(SPEC)


def example(example_id: str) -> dict[str, str]:
    return dict(next(e for e in SPEC.examples if e.id == example_id).answers)


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAIL_DATABASE_URL", raising=False)
    return tmp_path / "var"


@pytest.fixture
def client(data):
    app = create_app({"DATA_DIR": str(data), "TESTING": True, "TODAY": "2026-11-27"})
    return app.test_client()


def csrf(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def start(client) -> str:
    """A new take; its token."""
    response = client.post("/autodiagnostic", data={"csrf_token": csrf(client, "/autodiagnostic")})
    assert response.status_code == 303
    token, page = re.fullmatch(
        r"/autodiagnostic/questionnaire/([\w-]{32})/(\w+)", response.headers["Location"]
    ).groups()
    assert page == "profil"
    return token


def page_url(token: str, page_id: str) -> str:
    return f"/autodiagnostic/questionnaire/{token}/{page_id}"


def send(client, token: str, page_id: str, answers: dict[str, str], action: str = "suivant"):
    """Post one page as its form would (only the questions shown on it)."""
    form = {"csrf_token": csrf(client, page_url(token, page_id)), "action": action}
    page = next(p for p in PAGES if p.id == page_id)
    form |= {q.id: answers[q.id] for q in page.questions if q.id in answers}
    return client.post(page_url(token, page_id), data=form)


def take_whole(client, token: str, answers: dict[str, str]) -> str:
    """Answer every page in order; the address the last one leads to."""
    location = ""
    for page in PAGES:
        response = send(client, token, page.id, answers)
        assert response.status_code == 303, (page.id, response.get_data(as_text=True)[:500])
        location = response.headers["Location"]
        if "suite=1" in location:  # the page came back with the questions it revealed
            response = send(client, token, page.id, answers)
            location = response.headers["Location"]
    return location


# -- the questionnaire ----------------------------------------------------------------------------


def test_the_introduction_publishes_the_themes_the_bands_and_the_privacy_rules(client):
    html = client.get("/autodiagnostic").get_data(as_text=True)
    for dimension in SPEC.dimensions:
        assert unescape(dimension.label) in unescape(html)
    for band in SPEC.bands:
        assert f"{band.min} à {band.max}" in html and band.label in unescape(html)
    assert "effacé au bout de 30 jours" in unescape(html)
    assert 'method="post"' in html


def test_starting_needs_the_forms_token(client):
    response = client.post("/autodiagnostic", data={})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in unescape(response.get_data(as_text=True))


def test_the_first_page_is_step_one_of_nine_with_the_region_of_the_cookie(client):
    client.set_cookie("region", "53")
    token = start(client)
    html = client.get(page_url(token, "profil")).get_data(as_text=True)
    assert 'data-fr-current-step="1" data-fr-steps="9"' in html
    assert "Étape 1 sur 9" in unescape(html)
    assert '<option value="53" selected>Bretagne</option>' in html
    assert "Précédent" not in html
    assert 'name="csrf_token"' in html


def test_a_page_without_all_its_answers_comes_back_with_the_errors(client):
    token = start(client)
    response = send(client, token, "profil", {"region": "53", "secteur": "agroalimentaire"})
    assert response.headers["Location"].endswith("/profil?erreur=1#questions")
    html = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Une question est restée sans réponse" in html
    assert 'href="#reponse-taille-tpe"' in html
    assert "fr-fieldset--error" in html
    assert '<option value="53" selected>' in html  # what was given is kept


def test_going_back_and_forth_keeps_every_answer(client, data):
    answers = example("primo-exportateur")
    token = start(client)
    send(client, token, "profil", answers)
    send(client, token, "direction", answers)
    back = send(client, token, "offre", {"ventes-france": "croissance"}, action="precedent")
    assert back.headers["Location"] == page_url(token, "direction")
    html = client.get(page_url(token, "direction")).get_data(as_text=True)
    for question in SPEC.questions_of("direction"):
        assert f'value="{answers[question.id]}" checked' in html
    html = client.get(page_url(token, "offre")).get_data(as_text=True)
    assert 'value="croissance" checked' in html
    stored = sql(data, "SELECT draft FROM selfassessments")
    assert len(stored) == 1 and '"ventes-france": "croissance"' in stored[0]["draft"]


def test_an_answer_reveals_the_questions_it_makes_relevant(client):
    answers = example("exportateur-occasionnel")
    token = start(client)
    page = page_url(token, "experience")
    html = client.get(page).get_data(as_text=True)
    branch = re.search(r'<div class="portail-question portail-branch"[^>]*>', html).group(0)
    assert 'data-portail-when="ventes-etranger"' in branch and "hidden" in branch
    shown = {k: v for k, v in answers.items() if k not in ("part-export", "nombre-pays", "canal")}
    first = send(client, token, "experience", shown)
    assert first.headers["Location"].endswith("?suite=1#questions")
    html = unescape(client.get(first.headers["Location"]).get_data(as_text=True))
    assert "Votre réponse appelle quelques précisions" in html
    branch = re.search(r'<div class="portail-question portail-branch"[^>]*>', html).group(0)
    assert "hidden" not in branch
    done = send(client, token, "experience", answers)
    assert done.headers["Location"] == page_url(token, "marches")


def test_a_first_time_exporter_never_sees_the_moot_questions(client):
    answers = example("primo-exportateur")
    token = start(client)
    send(client, token, "experience", answers)
    html = client.get(page_url(token, "experience")).get_data(as_text=True)
    for moot in ("part-export", "nombre-pays", "canal"):
        wrapper = re.search(rf'<div [^>]*>\s*<fieldset [^>]*id="question-{moot}"', html)
        assert wrapper and " hidden>" in wrapper.group(0)


def test_unknown_pages_and_tokens_are_404_in_french(client):
    token = start(client)
    assert client.get(page_url(token, "inconnue")).status_code == 404
    for bad in ("x" * 32, "court", token[:-1] + ("A" if token[-1] != "A" else "B")):
        for path in (page_url(bad, "profil"), f"/autodiagnostic/resultat/{bad}"):
            response = client.get(path)
            assert response.status_code == 404
            assert "Cet autodiagnostic est introuvable" in unescape(response.get_data(as_text=True))
    response = client.get("/autodiagnostic/resultat/" + "x" * 32 + ".json")
    assert response.status_code == 404 and "introuvable" in response.get_json()["error"]


def test_pages_of_a_take_are_not_cached(client):
    token = start(client)
    response = client.get(page_url(token, "profil"))
    assert response.headers["Cache-Control"] == "no-store"


# -- the result -----------------------------------------------------------------------------------


@pytest.mark.parametrize("example_id", [e.id for e in SPEC.examples])
def test_a_typical_profile_reaches_its_result(client, example_id):
    answers = example(example_id)
    token = start(client)
    location = take_whole(client, token, answers)
    assert location == f"/autodiagnostic/resultat/{token}"
    html = unescape(client.get(location).get_data(as_text=True))
    expected = next(e for e in SPEC.examples if e.id == example_id).expected
    band = next(b for b in SPEC.bands if b.id == expected["band"])
    assert f"Votre score global : {expected['scores']['overall']} sur 100, « {band.label} »" in html
    for action_id in expected["actions"]:
        assert SPEC.action(action_id).title in html
    for dimension in SPEC.dimensions:
        score = expected["scores"][dimension.id]
        assert re.search(
            rf"<th scope=\"row\">{re.escape(dimension.label)}</th>\s*<td>"
            rf"{dimension.weight}</td>\s*<td>{score}</td>",
            html,
        )
    raw = client.get(location).get_data(as_text=True)
    for links in evaluate(SPEC, answers).links.values():
        for _, href in links:
            assert f'href="{href.replace("&", "&amp;")}"' in raw


def test_an_unfinished_take_leads_back_to_its_questions(client):
    token = start(client)
    send(client, token, "profil", example("pas-pret"))
    response = client.get(f"/autodiagnostic/resultat/{token}")
    assert response.status_code == 302
    assert response.headers["Location"] == page_url(token, "direction")
    assert client.get(f"/autodiagnostic/resultat/{token}.json").status_code == 404


def test_a_retake_shows_the_change_per_dimension(client):
    token = start(client)
    take_whole(client, token, example("primo-exportateur"))
    first = client.get(f"/autodiagnostic/resultat/{token}.json").get_json()
    assert first["previous"] is None and first["overall"]["change"] is None
    html = client.get(page_url(token, "direction")).get_data(as_text=True)
    assert 'value="chiffre" checked' in html  # the retake starts from the last answers
    better = dict(example("primo-exportateur"), plan="ecrit", budget="pluriannuel")
    location = take_whole(client, token, better)
    assert location == f"/autodiagnostic/resultat/{token}"
    second = client.get(location + ".json").get_json()
    direction = {d["id"]: d for d in second["dimensions"]}["direction"]
    before = {d["id"]: d for d in first["dimensions"]}["direction"]
    assert direction["change"] == direction["score"] - before["score"] > 0
    assert second["overall"]["change"] == second["overall"]["score"] - first["overall"]["score"]
    assert second["previous"]["scores"]["overall"] == first["overall"]["score"]
    html = unescape(client.get(location).get_data(as_text=True))
    assert f"+{direction['change']} points" in html
    assert "Évolution" in html


def test_the_share_address_and_the_retake_link_are_on_the_result(client):
    token = start(client)
    take_whole(client, token, example("pme-implantation"))
    html = client.get(f"/autodiagnostic/resultat/{token}").get_data(as_text=True)
    assert f'value="http://localhost/autodiagnostic/resultat/{token}"' in html
    assert f'href="/autodiagnostic/questionnaire/{token}/profil"' in html
    assert f'href="/autodiagnostic/resultat/{token}.json"' in html
    styles = client.get("/static/css/portail.css")
    assert "@media print" in styles.get_data(as_text=True)
    styles.close()


# -- the JSON twin --------------------------------------------------------------------------------


def validate(client, document: Any, name: str) -> list[str]:
    spec_doc = client.get("/api/openapi.json").get_json()
    root = {
        "$ref": f"#/components/schemas/{name}",
        "components": nullable_to_json_schema(spec_doc["components"]),
    }
    validator = Draft202012Validator(root, format_checker=FormatChecker())
    return [f"{list(e.absolute_path)} : {e.message}" for e in validator.iter_errors(document)]


def test_the_json_twin_matches_the_page_and_its_schema(client):
    token = start(client)
    take_whole(client, token, example("exportateur-occasionnel"))
    by_suffix = client.get(f"/autodiagnostic/resultat/{token}.json")
    by_accept = client.get(
        f"/autodiagnostic/resultat/{token}", headers={"Accept": "application/json"}
    )
    assert by_suffix.get_json() == by_accept.get_json()
    data = by_suffix.get_json()
    assert validate(client, data, "SelfAssessmentResult") == []
    assert data["overall"]["score"] == 54 and data["step"]["id"] == "strategie"
    assert [a["id"] for a in data["actions"]] == example_expected("exportateur-occasionnel")
    assert data["profile"]["pays"] == {"id": "aucun", "label": None}
    assert data["url"] == f"http://localhost/autodiagnostic/resultat/{token}"
    urls = [link["url"] for action in data["actions"] for link in action["links"]]
    assert urls and all(url.startswith("http://localhost/") for url in urls)
    openapi = client.get("/api/openapi.json").get_json()
    assert "/autodiagnostic/resultat/{token}.json" in openapi["paths"]


def test_the_validator_refuses_a_broken_document(client):
    token = start(client)
    take_whole(client, token, example("pas-pret"))
    data = client.get(f"/autodiagnostic/resultat/{token}.json").get_json()
    assert validate(client, {**data, "extra": 1}, "SelfAssessmentResult")
    assert validate(client, {**data, "actions": data["actions"][:2]}, "SelfAssessmentResult")


def example_expected(example_id: str) -> list[str]:
    return next(e for e in SPEC.examples if e.id == example_id).expected["actions"]
