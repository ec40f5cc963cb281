"""The directories: partners (/partenaires), regional contacts (/regions), countries (/pays),
and the editorial file they read (webui/data/directory.toml)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from indexer.journey import STEP_IDS
from portail.geo import country_name, regions
from webui import create_app, directory
from webui.directory import DIRECTORY_FILE, Contact, check_directory, same_body

TODAY = "2026-11-27"


@pytest.fixture(scope="module")
def app(indexed_data):
    return create_app({"DATA_DIR": str(indexed_data), "TODAY": TODAY, "TESTING": True})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def html(response) -> str:
    return unescape(response.get_data(as_text=True))


def contact_cards(page: str) -> list[str]:
    return page.split('class="fr-card fr-card--no-arrow portail-contact"')[1:]


# -- the editorial file ----------------------------------------------------------------------


def test_the_bundled_directory_is_valid_and_covers_the_18_regions():
    assert check_directory(DIRECTORY_FILE) == []
    loaded = directory.load_directory(DIRECTORY_FILE)
    assert set(loaded.regions) == set(regions())
    assert {
        "bpifrance",
        "business-france",
        "coface",
        "cci-international",
        "ccef",
        "team-france-export",
    } <= {p.id for p in loaded.partners}


def test_nothing_invented_is_kept_as_a_contact():
    text = DIRECTORY_FILE.read_text("utf-8")
    assert ".invalid" not in text
    loaded = directory.load_directory(DIRECTORY_FILE)
    entries = [*loaded.partners, *loaded.regions.values(), *loaded.countries.values()]
    for entry in entries:
        assert all(c.source and c.checked for c in entry.contacts), entry
        for contact in entry.unchecked:  # kept for the editors, never shown
            assert not (contact.phone or contact.email), contact


def test_a_contact_without_its_source_and_date_is_kept_apart(tmp_path):
    path = tmp_path / "directory.toml"
    regions_text = "".join(f'[[region]]\ncode = "{code}"\n' for code in regions())
    path.write_text(
        regions_text
        + """
[[partner]]
id = "essai"
name = "Essai"
group = "reseau"
role = "Un rôle."
[[partner.contacts]]
name = "Accueil sourcé"
url = "https://www.essai.example/contact"
source = "https://www.essai.example/contact"
checked = "2026-11-02"
[[partner.contacts]]
name = "Accueil sans source"
url = "https://www.essai.example/"
""",
        "utf-8",
    )
    found = directory.load_directory(path).partners[0]
    assert [c.name for c in found.contacts] == ["Accueil sourcé"]
    assert [c.name for c in found.unchecked] == ["Accueil sans source"]


def test_a_contact_body_must_name_an_existing_country_source(tmp_path):
    from webui.directory import DIRECTORY_FILE

    bad = tmp_path / "directory.toml"
    text = DIRECTORY_FILE.read_text("utf-8")
    bad.write_text(text.replace('source = "CCI France International"', 'source = "CCIFI"'), "utf-8")
    [error] = check_directory(bad)
    assert (
        "contact_body « chambre », source : aucun [[country_source]] du fournisseur « CCIFI »"
        in (error)
    )
    assert check_directory(DIRECTORY_FILE) == []


def test_the_console_lists_the_contacts_it_does_not_show():
    listed = directory.incomplete_entries()
    loaded = directory.directory()
    unchecked = sum(len(p.unchecked) for p in loaded.partners)
    assert len(listed) == unchecked + sum(len(r.unchecked) for r in loaded.regions.values())
    assert {
        "entry": "partenaire « Bpifrance »",
        "contact": "Bpifrance — directions régionales",
        "missing": "la source et la date de vérification",
    } in listed


def test_check_directory_reports_every_error_at_once_in_french(tmp_path):
    bad = tmp_path / "directory.toml"
    bad.write_text(
        """
couleur = "bleu"

[[partner]]
id = "bpifrance"
name = "Bpifrance"
group = "banque"
role = "Finance."
steps = ["financer"]
sites = [{ label = "site", url = "ftp://bpifrance.fr" }]
[[partner.contacts]]
name = "Accueil"
email = "pas-une-adresse"
fax = "01 00 00 00 00"

[[partner]]
id = "bpifrance"
name = "Doublon"
group = "equipe"
role = "x"

[[region]]
code = "84"
[[region.contacts]]
name = "Sans moyen de contact"

[[country]]
code = "XX"

[[country_source]]
provider = "DG Trésor"
label = "Fiche"
url = "https://tresor.example/{pays}"
""",
        "utf-8",
    )
    errors = check_directory(bad)
    expected = [
        "directory.toml, ligne 2, couleur : clé inconnue",
        "directory.toml, ligne 7, partner « bpifrance », group : valeur inconnue « banque »",
        "directory.toml, ligne 9, partner « bpifrance », steps[0] : valeur inconnue « financer »",
        "directory.toml, ligne 10, partner « bpifrance », sites n°1, url : « ftp://bpifrance.fr »",
        "directory.toml, ligne 13, partner « bpifrance », contacts « Accueil », email : "
        "adresse électronique invalide",
        "directory.toml, ligne 14, partner « bpifrance », contacts « Accueil », fax : clé inconnue",
        "directory.toml, ligne 24, region « 84 », contacts « Sans moyen de contact » : "
        "un contact donne au moins",
        "directory.toml, ligne 28, country « XX », code : code pays ISO 3166-1 inconnu « XX »",
        "directory.toml, ligne 33, country_source n°1, url : seuls {code} et {code_lower}",
    ]
    for start in expected:
        assert any(e.startswith(start) for e in errors), (start, errors)
    assert not any("Traceback" in e for e in errors)


def test_check_directory_reports_duplicates_and_missing_regions(tmp_path):
    path = tmp_path / "directory.toml"
    path.write_text(
        '[[partner]]\nid = "a"\nname = "A"\ngroup = "etat"\nrole = "r"\n'
        '[[partner]]\nid = "a"\nname = "B"\ngroup = "etat"\nrole = "r"\n'
        '[[region]]\ncode = "84"\n[[region]]\ncode = "84"\n',
        "utf-8",
    )
    errors = check_directory(path)
    assert "directory.toml, ligne 7, partner « a », id : identifiant en double" in errors
    assert "directory.toml, ligne 14, region « 84 », code : région en double" in errors
    assert any("la région « 11 » (Île-de-France) manque" in e for e in errors)


def test_check_directory_names_a_missing_file_and_bad_toml(tmp_path):
    assert check_directory(tmp_path / "absent.toml")[0].endswith("fichier introuvable")
    broken = tmp_path / "directory.toml"
    broken.write_text("[[partner]\n", "utf-8")
    assert check_directory(broken)[0].startswith("directory.toml, ligne 1, colonne")


@pytest.mark.parametrize(
    "editorial, crawled, same",
    [
        (
            "Team France Export Auvergne-Rhône-Alpes",
            "Team France Export Auvergne-Rhône-Alpes – équipe régionale",
            True,
        ),
        (
            "Bpifrance — Direction régionale de Lyon",
            "Bpifrance - direction régionale de Lyon",
            True,
        ),
        (
            "Bpifrance — Direction régionale de Lyon",
            "Bpifrance — Direction régionale de Lille",
            False,
        ),
        ("Comité CCEF Bretagne", "Team France Export Bretagne", False),
        ("Accueil", "Accueil", True),
    ],
)
def test_contact_names_match_when_one_holds_the_others_words(editorial, crawled, same):
    assert same_body(editorial, crawled) is same


# -- regions ---------------------------------------------------------------------------------------


def test_the_regions_page_lists_the_13_metropolitan_and_5_overseas_regions(client):
    page = html(client.get("/regions"))
    assert "<h1>Annuaire des contacts régionaux</h1>" in page
    for code, region in regions().items():
        assert f'<a href="/regions/{code}">{region.name}</a>' in page
    metropolitan, overseas = page.split("Les régions d'outre-mer")
    assert '/regions/84"' in metropolitan and '/regions/04"' in overseas


@pytest.mark.parametrize("code", list(regions()))
def test_every_region_has_a_page_with_contacts_and_its_export_sites(client, code):
    response = client.get(f"/regions/{code}")
    assert response.status_code == 200
    page = html(response)
    name = regions()[code].name
    assert f"<h1>{name} : vos contacts export</h1>" in page
    assert f"<title>{name} : contacts export — Régions — France International</title>" in page
    cards = contact_cards(page)
    assert cards  # the demo web publishes a contact page for every region
    assert all("Voir la page publiée par" in c for c in cards)  # each with its source
    assert f'href="/offres?region={code}"' in page and f'href="/agenda?region={code}"' in page


def test_a_region_shows_its_own_offers_events_and_crawled_sites(client, app):
    page = html(client.get("/regions/76"))
    assert "Pass Export" in page  # an offer of the region's own site
    assert "(site collecté par le portail)" in page
    with app.app_context():
        events = app.extensions["searcher"].upcoming_events(
            6, __import__("datetime").date(2026, 11, 27), region="76"
        )
    assert events and all(h.url in page for h in events)


def test_a_region_shows_the_contacts_crawled_from_the_regions_own_sites(client, app, manifest):
    page = html(client.get("/regions/84"))
    cards = contact_cards(page)
    own = [p for p in manifest["pages"] if p["kind"] == "contact" and p["regions"] == ["84"]]
    assert own and all(p["url"] in page for p in own)
    lyon = next(c for c in cards if "/contacts/direction-regionale-lyon" in c)
    assert "Adresse : 8 quai des Tanneurs, 69002 Lyon" in lyon
    assert "Voir la page publiée par Bpifrance" in lyon
    with app.app_context():
        assert directory.regional_contact_differences() == []  # nothing editorial to compare


def test_editorial_values_win_over_crawled_ones_and_differences_are_listed():
    from indexer.search import Hit

    page = Hit(
        url="https://exemple.invalid/contact",
        title="Team France Export Bretagne",
        snippet="",
        description="",
        step=None,
        steps={},
        kind="contact",
        provider="Business France",
        source="b",
        countries=[],
        regions=["53"],
        sectors=[],
        date=None,
        language="fr",
        event=None,
        first_seen=None,
        extra={"contact": {"name": "Team France Export Bretagne", "phone": "02 99 00 00 01"}},
    )
    editorial = Contact(
        name="Team France Export Bretagne",
        phone="02 99 00 00 00",
        source="https://exemple.invalid/source",
        checked="2026-11-02",
    )
    [listed] = directory.merge_contacts((editorial,), [page])
    assert listed.contact.phone == "02 99 00 00 00" and listed.page is page
    assert [(d.field, d.crawled) for d in listed.differences] == [("phone", "02 99 00 00 01")]


def test_a_crawled_contact_completes_an_editorial_one():
    from indexer.search import Hit

    hit = Hit(
        url="https://exemple.invalid/contact",
        title="Contact",
        snippet="",
        description="",
        step=None,
        steps={},
        kind="contact",
        provider="Bpifrance",
        source="b",
        countries=[],
        regions=["84"],
        sectors=[],
        date=None,
        language="fr",
        event=None,
        first_seen=None,
        extra={
            "contact": {
                "name": "Bpifrance Lyon",
                "phone": "04 00",
                "email": "a@exemple.invalid",
                "address": "",
            }
        },
    )
    listed = directory.merge(Contact(name="Bpifrance Lyon", email="b@exemple.invalid"), hit)
    assert listed.contact.phone == "04 00" and listed.contact.email == "b@exemple.invalid"
    assert [d.field for d in listed.differences] == ["email"]


def test_an_unknown_region_is_a_404(client):
    assert client.get("/regions/99").status_code == 404


# -- partners --------------------------------------------------------------------------------------


def test_the_partners_page_groups_the_export_team_the_state_and_the_regions(client):
    page = html(client.get("/partenaires"))
    for heading in (
        "L'équipe France export",
        "Les services de l'État",
        "Les réseaux partenaires",
        "Les régions",
    ):
        assert f">{heading}</h2>" in page
    for code in regions():
        assert f'href="/regions/{code}"' in page
    assert '<a href="/partenaires/team-france-export">Team France Export</a>' in page


def test_a_partner_page_shows_its_role_offers_sites_and_contacts(client, app):
    page = html(client.get("/partenaires/bpifrance"))
    assert "<h1>Bpifrance</h1>" in page
    assert "banque publique d'investissement" in page
    assert 'href="https://www.bpifrance.fr/"' in page
    with app.app_context():
        from webui import catalogue

        offers = [o for o in catalogue.catalogue() if o.provider == "Bpifrance"]
    assert offers and all(f'href="/offres/{o.id}"' in page for o in offers)
    assert "Bpifrance — Direction régionale de Lyon" in page  # a crawled contact page
    assert "Intervient aux étapes du parcours" in page


def partner_paths(app) -> list[str]:
    """Every partner page: the directory's partners and every indexed organisation."""
    from webui import content

    with app.app_context():
        ids = {p.id for p in directory.directory().partners}
        ids |= {p.id for p in content.providers()}
    return [f"/partenaires/{i}" for i in sorted(ids)]


def shown_steps(page: str) -> set[int]:
    """The numbers of the steps a partner page says it works at."""
    if 'id="etapes-role"' not in page:
        return set()
    tags = page.split('id="etapes-role"')[1].split("</ul>")[0]
    return {int(n) for n in re.findall(r"Étape (\d) :", tags)}


def test_a_partner_works_at_the_steps_of_what_its_page_lists(client, app):
    checked = 0
    for path in partner_paths(app):
        page = html(client.get(path))
        table = (
            page.split('id="offres-titre"')[1].split("</table>")[0]
            if "offres-titre" in page
            else ""
        )
        offer_steps = {int(n) for n in re.findall(r"<td>(\d)\. ", table)}
        resources = page.split('id="etapes-titre"')[1]
        resource_steps = {
            int(n) for n in re.findall(r'<h3 class="fr-h5[^>]*><a [^>]*>Étape (\d) :', resources)
        }
        partner = directory.partner(path.rsplit("/", 1)[1])
        fallback = {STEP_IDS.index(s) + 1 for s in partner.steps} if partner else set()
        expected = offer_steps or resource_steps or fallback  # the directory's when none
        assert shown_steps(page) == expected, path
        checked += bool(expected)
    assert checked >= 10


def test_bpifrance_works_at_the_first_step_its_offers_serve(client):
    page = html(client.get("/partenaires/bpifrance"))
    assert "<td>1. " in page and 1 in shown_steps(page)


def test_a_regional_council_page_leads_to_its_regions_contacts(client):
    page = html(client.get("/partenaires/region-occitanie"))
    assert "<h1>Région Occitanie</h1>" in page and 'href="/regions/76"' in page


# -- countries -------------------------------------------------------------------------------------


def test_every_country_of_the_demo_has_a_page(client, manifest):
    codes = sorted({c for p in manifest["pages"] for c in p["countries"]})
    for code in codes:
        response = client.get(f"/pays/{code.lower()}")
        assert response.status_code == 200, code
        assert f"<h1>{country_name(code)}</h1>" in html(response)


def test_the_country_pages_list_the_country_pages_of_the_crawl(client, manifest):
    index = html(client.get("/pays"))
    for page in manifest["pages"]:
        if page["kind"] == "country":
            code = page["countries"][0]
            assert f'href="/pays/{code.lower()}">{country_name(code)}</a>' in index
            assert page["url"] in html(client.get(f"/pays/{code.lower()}")), page["url"]


def test_a_country_page_gives_its_sources_contacts_and_events(client):
    page = html(client.get("/pays/ma"))
    assert "https://www.tresor.economie.gouv.fr/Pays/MA" in page
    assert "Section CCEF Maroc" in page  # a crawled contact
    assert "/risque-pays/maroc" in page and "/pays/maroc" in page  # Coface and DG Trésor
    assert "Prochains événements" in page and 'href="/agenda?country=MA"' in page
    assert "<title>Maroc — Pays — France International</title>" in page


def test_the_countries_are_grouped_by_zone(client):
    page = html(client.get("/pays"))
    europe = page.split('id="europe"')[1].split("</section>")[0]
    americas = page.split('id="amerique-latine-caraibes"')[1].split("</section>")[0]
    middle_east = page.split('id="afrique-du-nord-moyen-orient"')[1].split("</section>")[0]
    assert "Allemagne" in europe and "Brésil" in americas and "Maroc" in middle_east


@pytest.mark.parametrize(
    "query, code",
    [
        ("allemand", "de"),
        ("Viêt Nam", "vn"),
        ("Émirats", "ae"),
        ("emirats", "ae"),
        ("marocaine", "ma"),
        ("DE", "de"),
        ("Coree du sud", "kr"),
    ],
)
def test_the_country_search_understands_french_names_and_adjectives(client, query, code):
    response = client.get("/pays", query_string={"q": query})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/pays/{code}")


def test_a_country_search_without_a_match_says_so(client):
    page = html(client.get("/pays?q=Atlantide"))
    assert "Aucun pays ne correspond à « Atlantide »" in page


@pytest.mark.parametrize(
    "path, status",
    [
        ("/pays/DE", 301),
        ("/pays/fr", 404),
        ("/pays/zz", 404),
        ("/pays/deu", 404),
    ],
)
def test_country_addresses_are_lower_case_iso_codes(client, path, status):
    assert client.get(path).status_code == status
