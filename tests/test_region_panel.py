"""The region always in view: a postcode, a département number or name finds the region
(every département, Corsica and overseas included), errors in French otherwise; once a region
is chosen, its block (adviser, offers, next events) is on every page type that has room."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape

import pytest

from portail.geo import PlaceError, departements, find_place, regions
from webui import content, create_app
from webui.directory import region_contacts

# A real postcode of each département's prefecture area: NN000 in mainland France, except
# where the first postcode of the département is not NN000.
SPECIAL_POSTCODES = {"2A": "20000", "2B": "20200", "971": "97100", "972": "97200"}
SPECIAL_POSTCODES |= {"973": "97300", "974": "97400", "976": "97600"}


def postcode_of(code: str) -> str:
    return SPECIAL_POSTCODES.get(code, f"{code}100")


@pytest.mark.parametrize("code", sorted(departements()))
def test_a_postcode_a_number_and_a_name_find_the_region_of_every_departement(code):
    dep = departements()[code]
    for text in (postcode_of(code), code, code.lower(), dep.name, dep.name.upper()):
        place = find_place(text)
        assert place.region == dep.region, text
        assert place.departement == dep and place.understood == f"{dep.name} ({code})"


@pytest.mark.parametrize(
    ("text", "code"),
    [("20090", "2A"), ("20169", "2A"), ("20200", "2B"), ("20620", "2B"), ("97354", "973")],
)
def test_corsica_and_overseas_postcodes(text, code):
    assert find_place(text).departement.code == code


def test_region_names_and_the_former_corsican_number():
    assert find_place("Bretagne").region == "53"
    assert find_place("auvergne rhone alpes").region == "84"
    assert find_place("Alsace").region == "44"  # a former region
    assert find_place("20").region == "94"
    assert find_place("1").departement.code == "01"
    assert find_place(" 29 200 ").region == "53"


@pytest.mark.parametrize(
    ("text", "region", "understood"),
    [
        ("Rennes", "53", "Rennes (Bretagne)"),
        ("quimper", "53", "Quimper (Bretagne)"),
        ("Saint-Étienne", "84", "Saint-Étienne (Auvergne-Rhône-Alpes)"),
        ("st etienne", "84", "Saint-Étienne (Auvergne-Rhône-Alpes)"),
        ("Lyon", "84", "Lyon (Auvergne-Rhône-Alpes)"),
        ("Valence", "84", "Valence (Auvergne-Rhône-Alpes)"),  # far more people than its namesakes
        ("Le Tampon", "04", "Le Tampon (La Réunion)"),
        ("Cayenne", "03", "Cayenne (Guyane)"),
    ],
)
def test_a_commune_leads_to_its_region(text, region, understood):
    place = find_place(text)
    assert (place.region, place.understood) == (region, understood)


def test_a_name_of_communes_in_several_regions_asks_for_the_postcode():
    with pytest.raises(PlaceError, match="Plusieurs communes s'appellent « Saint-Denis »") as error:
        find_place("Saint-Denis")
    assert "Île-de-France" in str(error.value) and "La Réunion" in str(error.value)
    assert "code postal" in str(error.value)


def test_the_communes_cache_is_written_whole_and_read_back(tmp_path, monkeypatch):
    from portail import communes

    monkeypatch.setenv("PORTAIL_CACHE", str(tmp_path))
    path = communes.build()
    assert path.parent.parent == tmp_path and path.name.startswith("communes-")
    rows = json.loads(path.read_text("utf-8"))
    assert len(rows) > 15_000 and ["Brest", "53"] in [row[:2] for row in rows]
    assert list(tmp_path.rglob("*.tmp")) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("99999", "Code postal inconnu : « 99999 »"),
        ("00100", "Code postal inconnu : « 00100 »"),
        ("98000", "Code postal inconnu : « 98000 »"),  # Monaco
        ("97500", "Code postal inconnu : « 97500 »"),  # Saint-Pierre-et-Miquelon
        ("97133", "Saint-Barthélemy, collectivité d'outre-mer"),
        ("1234", "« 1234 » n'est pas un code postal"),
        ("977", "Numéro de département inconnu : « 977 »"),
        ("Trifouillis-les-Oies", "Lieu inconnu : « Trifouillis-les-Oies »"),
        ("   ", "Indiquez un code postal"),
    ],
)
def test_an_unknown_place_is_an_error_in_french(text, message):
    with pytest.raises(PlaceError, match=re.escape(message)):
        find_place(text)


# -- on the pages ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(indexed_data):
    return create_app({"DATA_DIR": str(indexed_data), "TODAY": "2026-11-27", "TESTING": True})


def test_a_postcode_sets_the_region_cookie_and_goes_back(app):
    client = app.test_client()
    response = client.get("/ma-region?lieu=31000&next=/offres")
    assert response.status_code == 303 and response.headers["Location"] == "/offres"
    assert client.get_cookie("region").value == "76"
    page = unescape(client.get("/offres").get_data(as_text=True))
    assert "Ma région : Occitanie" in page


def test_an_unknown_postcode_says_why_in_french_and_keeps_the_region(app):
    client = app.test_client()
    client.set_cookie("region", "53")
    response = client.get("/ma-region?lieu=99999&next=/agenda")
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert "Code postal inconnu : « 99999 »" in html
    assert 'aria-invalid="true"' in html and 'value="99999"' in html
    assert client.get_cookie("region").value == "53"


def first_offer_id(app) -> str:
    with app.test_request_context():
        from webui import catalogue

        return catalogue.catalogue()[0].id


def page_types(app) -> list[str]:
    return [
        "/",
        "/etapes/gerer",
        "/etapes/diagnostic",
        "/recherche?q=douane",
        "/offres",
        f"/offres/{first_offer_id(app)}",
        "/agenda",
        "/pays/de",
        "/actualites",
        "/vie",
        "/secteurs/agroalimentaire",
    ]


def region_block(html: str, block_id: str = "ma-region-bloc") -> str:
    start = html.index(f'id="{block_id}"')
    return html[start : html.index("</aside>", start)]


@pytest.mark.parametrize("code", ["76", "53", "04"])
def test_the_region_block_is_on_every_page_type_once_chosen(app, code):
    client = app.test_client()
    with app.test_request_context():
        adviser = region_contacts(content.searcher(), code)[0].contact
    name = regions()[code].name
    for path in page_types(app):
        assert 'id="ma-region-bloc"' not in client.get(path).get_data(as_text=True), path
    client.set_cookie("region", code)
    for path in page_types(app):
        html = unescape(client.get(path).get_data(as_text=True))
        block = region_block(html)
        title = rf"(Dans votre région|Votre conseiller et votre région) : {name}</h"
        assert re.search(title, block), path
        assert adviser.name in block and f'href="/regions/{code}"' in block, path
        assert f'href="/agenda?region={code}"' in block


def test_the_block_lists_the_regions_offers_and_next_events(app):
    client = app.test_client()
    with app.test_request_context():
        from webui.region_panel import build

        panels = {code: build(code) for code in regions()}
    code, panel = next((c, p) for c, p in panels.items() if p.offers and p.events)
    client.set_cookie("region", code)
    html = client.get("/agenda").get_data(as_text=True)
    block = region_block(html)
    for offer in panel.offers:
        assert f'href="/offres/{offer.id}"' in block
    for event in panel.events:
        assert event.url in block
        assert event.event is None or code in event.regions
    assert len(panel.offers) <= 3 and len(panel.events) <= 3


@pytest.fixture(scope="module")
def own_app(indexed_data, tmp_path_factory):
    """An app on a copy of the indexed data, for the tests that store something."""
    data = tmp_path_factory.mktemp("region-panel") / "var"
    shutil.copytree(indexed_data, data)
    return create_app({"DATA_DIR": str(data), "TODAY": "2026-11-27", "TESTING": True})


@pytest.mark.parametrize("code", ["44", "04"])
def test_the_self_assessment_result_shows_the_adviser_of_the_region_answered(own_app, code):
    from test_autodiagnostic_web import example, start, take_whole

    client = own_app.test_client()
    client.set_cookie("region", "53")  # the region answered wins over the cookie's
    token = start(client)
    location = take_whole(client, token, example("primo-exportateur") | {"region": code})
    html = unescape(client.get(location).get_data(as_text=True))
    with own_app.test_request_context():
        adviser = region_contacts(content.searcher(), code)[0].contact
    block = region_block(html, "region-resultat")
    assert f"Votre conseiller et votre région : {regions()[code].name}</h3>" in block
    assert f"Votre conseiller export :</span> {adviser.name}" in block
    assert f'(<a href="{adviser.source or adviser.url}">source</a>)' in block
    for way in (adviser.phone, adviser.email):
        assert way in block
    assert f'href="/regions/{code}"' in block and f'href="/agenda?region={code}"' in block
    assert "Changer de région" not in block and "Bretagne" not in block


def test_a_damaged_or_unwritable_communes_cache_still_finds_communes(tmp_path, monkeypatch):
    from portail import communes

    blocked = tmp_path / "fichier"
    blocked.write_text("pas un dossier", "utf-8")
    monkeypatch.setenv("PORTAIL_CACHE", str(blocked))  # the cache folder cannot be made
    communes.communes.cache_clear()
    try:
        assert find_place("Quimper").region == "53"
    finally:
        communes.communes.cache_clear()


# -- « dans les Hauts-de-France », « à La Réunion »: each region with its own preposition ----------

WHERE = {
    "32": "dans les Hauts-de-France",
    "44": "dans le Grand Est",
    "52": "dans les Pays de la Loire",
    "04": "à La Réunion",
    "06": "à Mayotte",
}


def own_words(response) -> str:
    """A page's own text: the crawled titles and descriptions (links out) left out."""
    from test_french import OUTBOUND

    return unescape(OUTBOUND.sub("", response.get_data(as_text=True)))


@pytest.mark.parametrize("code", sorted(WHERE))
def test_the_home_and_step_pages_say_where_with_the_regions_preposition(app, code):
    client = app.test_client()
    client.set_cookie("region", code)
    where, name = WHERE[code], regions()[code].name
    heading = where[:1].upper() + where[1:]
    home = own_words(client.get("/"))
    assert f'id="region-titre">{heading}</h2>' in home
    step = own_words(client.get("/etapes/diagnostic"))
    assert f'id="pres-titre">{heading}</h2>' in step
    assert f"Voir les ressources de cette étape {where}</a>" in step
    for page in (home, step):
        assert not re.search(rf"\b[Ee]n {re.escape(name)}\b", page)


def test_an_offer_and_a_regional_council_say_where_with_the_regions_preposition(app):
    client = app.test_client()
    with app.test_request_context():
        from webui import catalogue

        offer = next(o for o in catalogue.catalogue() if o.regions == ("32",))
    page = own_words(client.get(f"/offres/{offer.id}"))
    lead = r'<p class="fr-text--lead">Une offre de [^<]*, dans les Hauts-de-France.</p>'
    assert re.search(lead, page)
    council = own_words(client.get("/partenaires/region-hauts-de-france"))
    assert "les contacts export dans les Hauts-de-France</a>" in council
    for text in (page, council):
        assert "en Hauts-de-France" not in text
