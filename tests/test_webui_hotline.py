"""/hotline without a browser: the three steps and their French errors, CSRF, the honeypot,
the rate limits, the confirmation that explains the routing, the private follow-up page, and
the console's actions on a request."""

from __future__ import annotations

import re
from html import unescape

import pytest

from portail.credentials import set_admin_password
from portail.db import open_store
from webui import create_app

PASSWORD = "une phrase de passe assez longue"
STEP1 = {
    "etape_formulaire": "1",
    "sujet": "financement",
    "etape": "strategie",
    "pays": "CA",
    "message": "Nous voulons financer notre premier salon au Canada, au printemps.",
}
STEP2 = {"etape_formulaire": "2", "siren": "552 100 554", "taille": "pme", "code_postal": "29200"}
STEP3 = {
    "etape_formulaire": "3",
    "nom": "Jeanne Essai",
    "courriel": "jeanne@example.org",
    "consentement": "oui",
}


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAIL_DATABASE_URL", raising=False)
    path = tmp_path / "var"
    path.mkdir()
    set_admin_password(path, PASSWORD)
    return path


def make_app(data, **overrides):
    return create_app({"DATA_DIR": str(data), "TESTING": True, **overrides})


@pytest.fixture
def client(data):
    return make_app(data).test_client()


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def csrf(client, path: str = "/hotline") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', text(client.get(path)))[1]


def hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


def field_errors(page: str) -> dict[str, str]:
    return dict(
        re.findall(r'<p class="fr-message fr-message--error" id="([^"]+)-erreur">([^<]+)', page)
    )


def post(client, values: dict[str, str], carried: dict[str, str] | None = None):
    form = {**(carried or {}), **values}
    form.setdefault("csrf_token", csrf(client))
    return client.post("/hotline", data=form)


def fill(client, step1=STEP1, step2=STEP2, step3=STEP3):
    """Send the three steps; the last response."""
    first = post(client, step1)
    assert first.status_code == 200, field_errors(text(first))
    second = post(client, step2, hidden(text(first)))
    assert second.status_code == 200, field_errors(text(second))
    return post(client, step3, hidden(text(second)))


def test_the_form_opens_at_its_first_step_and_is_in_the_navigation(client):
    page = text(client.get("/hotline"))
    assert "Étape 1 sur 3" in page and "Votre demande" in page
    assert 'href="/hotline"' in page  # the main navigation
    assert 'name="site_internet"' in page and 'tabindex="-1"' in page
    assert 'name="csrf_token"' in page


def test_each_wrong_field_gets_its_french_error_next_to_it(client):
    response = post(client, {"etape_formulaire": "1", "message": "Court."})
    page = text(response)
    assert response.status_code == 400
    assert field_errors(page) == {
        "sujet": "Choisissez l'objet de votre demande.",
        "etape": "Indiquez où vous en êtes, ou « Je ne sais pas ».",
        "message": "Décrivez votre question en quelques mots de plus (20 caractères au moins) : "
        "le conseiller vous répondra mieux.",
    }
    assert "<title>Erreur : Hotline" in page
    assert 'class="fr-select fr-select--error" id="sujet"' in page
    assert 'aria-describedby="message-messages" aria-invalid="true"' in page
    assert '<a href="#sujet">' in page  # the summary links to each field
    assert "Court." in page  # what was typed is kept


@pytest.mark.parametrize(
    ("values", "field", "said"),
    [
        ({"siren": "552100555"}, "siren", "clé de contrôle est fausse"),
        ({"siren": "55210055400013"}, "siren", "numéro SIRET"),
        ({"taille": ""}, "taille", "Indiquez la taille"),
        ({"code_postal": "", "region": ""}, "region", "ou indiquez votre code postal"),
        ({"code_postal": "99999"}, "code_postal", "5 chiffres et correspond à un département"),
        (
            {"region": "11"},
            "code_postal",
            "dans la région Bretagne, pas dans la région Île-de-France",
        ),
    ],
)
def test_company_errors(client, values, field, said):
    first = post(client, STEP1)
    response = post(client, {**STEP2, **values}, hidden(text(first)))
    assert response.status_code == 400
    assert said in field_errors(text(response))[field]


@pytest.mark.parametrize(
    ("values", "field", "said"),
    [
        ({"nom": ""}, "nom", "Indiquez votre nom"),
        ({"courriel": "jeanne.example.org"}, "courriel", "forme nom@domaine.fr"),
        ({"telephone": "12"}, "telephone", "numéro de téléphone n'est pas valide"),
        ({"consentement": ""}, "consentement", "acceptez que vos coordonnées"),
    ],
)
def test_contact_errors(client, values, field, said):
    first = post(client, STEP1)
    second = post(client, STEP2, hidden(text(first)))
    response = post(client, {**STEP3, **values}, hidden(text(second)))
    assert response.status_code == 400
    assert said in field_errors(text(response))[field]


def test_going_back_keeps_the_answers(client):
    first = post(client, STEP1)
    back = post(client, {**STEP2, "action": "precedent"}, hidden(text(first)))
    page = text(back)
    assert "Étape 1 sur 3" in page and STEP1["message"] in page
    assert '<option value="financement" selected>' in page


def test_a_tampered_earlier_step_is_caught_at_the_end(client, data):
    first = post(client, STEP1)
    second = post(client, STEP2, hidden(text(first)))
    carried = {**hidden(text(second)), "sujet": "inconnu"}
    response = post(client, STEP3, carried)
    assert response.status_code == 400 and "Étape 1 sur 3" in text(response)
    store = open_store(data)
    assert store.hotline_requests() == []


def test_a_request_is_routed_and_its_confirmation_says_where_and_why(client, data):
    response = fill(client)
    assert response.status_code == 303
    follow = response.headers["Location"]
    assert re.fullmatch(r"/hotline/suivi/[\w-]{32}\?nouvelle=1", follow)
    page = text(client.get(follow))
    assert (
        "Votre demande est transmise à Bpifrance, direction régionale pour la région Bretagne "
        "parce que le financement et l'assurance des projets export relèvent de Bpifrance."
    ) in re.sub(r"<[^>]+>", "", page)
    reference = re.search(r"HL-\d{4}-[0-9A-Z]{5}", page)[0]
    store = open_store(data)
    row = store.hotline_request(reference)
    assert (row["region"], row["postcode"], row["siren"]) == ("53", "29200", "552100554")
    mails = store.outbox(request_id=row["id"])
    assert follow.split("?")[0] in mails[0]["body"]  # the receipt holds the private link
    assert mails[0]["body"].count("http://localhost/hotline/suivi/") == 1


def test_the_follow_page_is_private_and_unguessable(client):
    follow = fill(client).headers["Location"].split("?")[0]
    response = client.get(follow)
    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert "Nouvelle" in text(response)
    assert client.get(follow[:-1] + ("A" if follow[-1] != "A" else "B")).status_code == 404
    assert client.get("/hotline/suivi/" + "x" * 200).status_code == 404


def test_the_requester_erases_their_data_from_the_follow_page(client, data):
    follow = fill(client).headers["Location"].split("?")[0]
    refused = client.post(follow + "/effacer", data={})
    assert refused.status_code == 400
    done = client.post(follow + "/effacer", data={"csrf_token": csrf(client, follow)})
    assert done.status_code == 303
    assert "ont été effacées" in text(client.get(follow))
    row = open_store(data).hotline_requests()[0]
    assert row["erased"] and row["email"] == "" and row["subject"] == "financement"


def test_a_form_without_its_token_is_refused_without_losing_answers(client, data):
    response = client.post("/hotline", data={**STEP1})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in text(response) and STEP1["message"] in text(response)


def test_a_robot_filling_the_honeypot_is_refused(client, data):
    first = post(client, STEP1)
    second = post(client, STEP2, hidden(text(first)))
    response = post(client, {**STEP3, "site_internet": "http://spam.example"}, hidden(text(second)))
    assert response.status_code == 400
    assert open_store(data).hotline_requests() == []


def test_a_client_sending_too_many_requests_is_told_to_wait(data):
    client = make_app(data, HOTLINE_LIMITS=((3600, 2),)).test_client()
    assert fill(client).status_code == 303
    assert fill(client).status_code == 303
    third = fill(client)
    assert third.status_code == 429 and third.headers["Retry-After"] == "3600"
    assert "réessayez dans 1 heure" in text(third)
    assert len(open_store(data).hotline_requests()) == 2
    other = make_app(data, HOTLINE_LIMITS=((3600, 2),)).test_client()
    response = fill_from(other, "10.0.0.9")
    assert response.status_code == 303  # another address is not held back


def fill_from(client, address: str):
    client.environ_base["REMOTE_ADDR"] = address
    return fill(client)


def test_no_mail_is_sent_by_the_web_request(client, data, monkeypatch):
    import smtplib

    def refuse(*args, **kwargs):
        raise AssertionError("the web request must not send mail")

    monkeypatch.setattr(smtplib.SMTP, "__init__", refuse)
    assert fill(client).status_code == 303
    assert {m["status"] for m in open_store(data).outbox()} == {"pending"}


# -- the console -----------------------------------------------------------------------------


def console(data):
    client = make_app(data).test_client()
    token = csrf(client, "/admin/connexion")
    client.post(
        "/admin/connexion",
        data={"csrf_token": token, "nom": "Camille", "mot_de_passe": PASSWORD},
    )
    return client


def test_the_console_lists_requests_by_status_region_and_owner(data):
    fill(make_app(data).test_client())
    fill(make_app(data).test_client(), step2={**STEP2, "code_postal": "69001"})
    admin = console(data)
    page = text(admin.get("/admin/hotline"))
    assert page.count("/admin/hotline/HL-") == 2
    assert "Nouvelle</a> : 2" in page
    only = text(admin.get("/admin/hotline?region=84"))
    assert only.count("/admin/hotline/HL-") == 1 and "Auvergne-Rhône-Alpes" in only
    assert text(admin.get("/admin/hotline?etat=repondue")).count("/admin/hotline/HL-") == 0
    assert make_app(data).test_client().get("/admin/hotline").status_code == 302


def test_the_console_assigns_answers_closes_and_counts_reasons(data):
    fill(make_app(data).test_client())
    store = open_store(data)
    reference = store.hotline_requests()[0]["reference"]
    admin = console(data)
    path = f"/admin/hotline/{reference}"
    page = text(admin.get(path))
    assert "Jeanne Essai" in page and "règle « financement »" in page
    token = csrf(admin, path)
    admin.post(
        path + "/attribuer",
        data={"csrf_token": token, "conseiller": "Anne", "guichet": "bpifrance-53"},
    )
    assert store.hotline_request(reference)["status"] == "prise_en_charge"
    assert text(admin.get("/admin/hotline?conseiller=Anne")).count("/admin/hotline/HL-") == 1
    admin.post(
        path + "/repondre", data={"csrf_token": token, "reponse": "Voici l'assurance prospection."}
    )
    row = store.hotline_request(reference)
    assert row["status"] == "repondue"
    assert store.outbox(request_id=row["id"])[-1]["kind"] == "answer"
    refused = admin.post(path + "/clore", data={"csrf_token": token, "motif": "?"})
    assert "Choisissez le motif" in text(admin.get(refused.headers["Location"]))
    admin.post(path + "/clore", data={"csrf_token": token, "motif": "doublon", "note": "x"})
    assert store.hotline_request(reference)["close_reason"] == "doublon"
    reasons = text(admin.get("/admin/hotline/motifs"))
    assert "Doublon d'une autre demande" in reasons and "financement" in reasons
    assert admin.post(path + "/clore", data={"motif": "doublon"}).status_code == 400  # CSRF


def test_pas_pour_moi_and_erasure_from_the_console(data):
    fill(make_app(data).test_client())
    store = open_store(data)
    reference = store.hotline_requests()[0]["reference"]
    admin = console(data)
    path = f"/admin/hotline/{reference}"
    token = csrf(admin, path)
    admin.post(path + "/pas-pour-moi", data={"csrf_token": token, "motif": "mal-orientee"})
    row = store.hotline_request(reference)
    assert (row["status"], row["desk"]) == ("pas_pour_moi", "national")
    admin.post(path + "/effacer", data={"csrf_token": token})
    assert store.hotline_request(reference)["email"] == "jeanne@example.org"  # not confirmed
    admin.post(path + "/effacer", data={"csrf_token": token, "confirmer": "oui"})
    row = store.hotline_request(reference)
    assert row["erased"] and row["name"] == ""
    assert "Jeanne" not in text(admin.get(path))
    assert "Pas pour moi" in text(admin.get("/admin/hotline/motifs"))
