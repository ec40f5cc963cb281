"""The country directory: zones from the UN M49 regions, sourced fact sheets (webui/facts.py),
canonical addresses, the JSON twins checked against their OpenAPI schemas, small screens."""

from __future__ import annotations

import re
import threading
from datetime import date
from html import unescape
from importlib.metadata import version
from typing import Any
from urllib.parse import urlsplit

import pycountry
import pytest
from babel.core import get_cldr_version
from werkzeug.serving import make_server

from conftest import CHROMIUM, ROOT, chromium_or_skip
from portail.geo import country_name
from portail.schema import DataError, load_toml
from webui import create_app, facts, zones
from webui.countries import is_country
from webui.layout import french_date

TODAY = "2026-11-27"
ISO_CODES = sorted(c.alpha_2 for c in pycountry.countries)


@pytest.fixture(scope="module")
def app(indexed_data):
    return create_app({"DATA_DIR": str(indexed_data), "TODAY": TODAY, "TESTING": True})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def crawled_countries(manifest) -> list[str]:
    """Every country the demo crawl knows (a page names it)."""
    return sorted({c for p in manifest["pages"] for c in p["countries"] if is_country(c)})


@pytest.fixture(scope="module")
def openapi(client) -> dict[str, Any]:
    return client.get("/api/openapi.json").get_json()


def html(response) -> str:
    return unescape(response.get_data(as_text=True))


# -- zones ---------------------------------------------------------------------------------------


def test_every_iso_3166_country_has_a_zone():
    missing = [code for code in ISO_CODES if zones.zone_of(code) is zones.OTHER]
    assert len(ISO_CODES) == 249 and missing == []


@pytest.mark.parametrize(
    "code, zone",
    [
        ("ES", "europe"),  # its first time zone, Africa/Ceuta, once put it in Africa
        ("CL", "amerique-latine-caraibes"),  # Pacific/Easter once put it in Asia
        ("JP", "asie"),
        ("MA", "afrique-du-nord-moyen-orient"),
        ("DZ", "afrique-du-nord-moyen-orient"),
        ("AE", "afrique-du-nord-moyen-orient"),
        ("IR", "afrique-du-nord-moyen-orient"),
        ("SN", "afrique-subsaharienne"),
        ("ZA", "afrique-subsaharienne"),
        ("US", "amerique-du-nord"),
        ("CA", "amerique-du-nord"),
        ("MX", "amerique-latine-caraibes"),
        ("BR", "amerique-latine-caraibes"),
        ("CY", "europe"),
        ("TR", "europe"),
        ("RU", "europe"),
        ("PT", "europe"),
        ("KZ", "asie"),
        ("IN", "asie"),
        ("AU", "oceanie"),
        ("NZ", "oceanie"),
    ],
)
def test_a_countrys_zone_is_the_one_a_french_exporter_expects(code, zone):
    assert zones.zone_of(code).id == zone


def test_every_m49_sub_region_belongs_to_exactly_one_zone():
    listed = [region for zone in zones.zones() for region in zone.un_regions]
    assert sorted(listed) == sorted(set(zones.un_subregions().values()))


def test_the_zones_file_reports_unknown_regions_gaps_and_duplicates(tmp_path):
    bad = tmp_path / "zones.toml"
    bad.write_text(
        """
[[zone]]
id = "europe"
label = "Europe"
un_regions = ["Northern Europe", "Middle Earth"]
countries = ["XX"]

[[zone]]
id = "europe"
label = "Encore l'Europe"
un_regions = ["Northern Europe"]
""",
        "utf-8",
    )
    with pytest.raises(DataError) as schema_error:
        load_toml(bad, zones.SCHEMA, zones.coverage)
    assert any("sous-région M49 inconnue « Middle Earth »" in e for e in schema_error.value.errors)
    assert any("code ISO 3166-1 inconnu « XX »" in e for e in schema_error.value.errors)
    bad.write_text(bad.read_text("utf-8").replace(', "Middle Earth"', "").replace('"XX"', ""))
    with pytest.raises(DataError) as coverage_error:
        load_toml(bad, zones.SCHEMA, zones.coverage)
    errors = coverage_error.value.errors
    assert any("identifiant en double" in e for e in errors)
    assert any("« Northern Europe » est déjà en europe" in e for e in errors)
    assert any("« Western Africa » n'est dans aucune zone" in e for e in errors)


def test_the_directory_lists_spain_in_europe_and_chile_in_latin_america(client):
    page = html(client.get("/pays"))
    europe = page.split('id="europe"')[1].split("</section>")[0]
    latin = page.split('id="amerique-latine-caraibes"')[1].split("</section>")[0]
    assert 'href="/pays/es"' in europe and 'href="/pays/cl"' in latin
    assert 'href="/pays/es"' not in page.split('id="afrique-subsaharienne"')[1]
    assert "Autres territoires" not in page


# -- the fact sheets -------------------------------------------------------------------------------


def test_the_facts_file_is_valid_and_its_packages_are_the_installed_ones():
    data = facts.load()
    for package in data["package"]:
        assert version(package["distribution"]) == package["version"], package["id"]
    assert f"CLDR {get_cldr_version()}" in facts.package_source("cldr").label
    sources = {facts.SANCTIONS_MAP, facts.TRADE_LIST, data["eu"]["source"]}
    sources |= {entry["source"] for entry in data["agreement"] + data["sanctions"]}
    sources.add(data["capitals"]["source"])
    assert sources <= set(data["labels"])  # every source shows a name, never a bare address


def test_the_eu_members_agree_with_country_converters_list():
    import country_converter as coco

    converter = coco.CountryConverter()
    eu27 = converter.convert(names=ISO_CODES, src="ISO2", to="EU27", not_found=None)
    assert sorted(facts.load()["eu"]["members"]) == sorted(
        code for code, member in zip(ISO_CODES, eu27, strict=True) if member == "EU27"
    )


def test_every_iso_country_gets_a_sheet_with_a_sourced_zone():
    day = date.fromisoformat(TODAY)
    for code in ISO_CODES:
        sheet = facts.sheet(code, day)
        assert {"zone", "eu", "sanctions"} <= {f.id for f in sheet.facts}, code


def test_every_crawled_country_has_a_zone_currency_and_time_each_with_source_and_year(
    crawled_countries,
):
    day = date.fromisoformat(TODAY)
    assert len(crawled_countries) >= 40
    for code in crawled_countries:
        sheet = facts.sheet(code, day)
        ids = {f.id for f in sheet.facts}
        wanted = {"official_name", "capital", "zone", "currency", "languages", "time_difference"}
        assert wanted | {"eu", "sanctions"} <= ids, code
        for fact in sheet.facts:
            assert fact.value and fact.source.label, (code, fact)
            assert fact.source.url.startswith("https://"), (code, fact)
            assert 1990 <= fact.source.year <= day.year, (code, fact)
            if fact.source.checked:
                assert int(fact.source.checked[:4]) == fact.source.year


@pytest.mark.parametrize(
    "code, fact_id, value",
    [
        ("ES", "official_name", "Royaume d'Espagne"),
        ("ES", "capital", "Madrid"),
        ("ES", "currency", "euro (EUR)"),
        ("ES", "languages", "espagnol"),
        ("ES", "eu", "État membre de l'Union européenne depuis 1986"),
        ("JP", "currency", "yen japonais (JPY)"),
        ("JP", "capital", "Tokyo"),
        ("JP", "zone", "Asie"),
        ("CH", "languages", "allemand, français, italien"),
        ("PA", "currency", "balboa panaméen (PAB), dollar des États-Unis (USD)"),
        ("MA", "zone", "Afrique du Nord et Moyen-Orient"),
        ("CL", "zone", "Amérique latine et Caraïbes"),
        ("KZ", "capital", "Astana"),
        (
            "JP",
            "official_name",
            "Japon (nom usuel : la norme ISO 3166-1 ne donne pas de nom officiel)",
        ),
        (
            "RU",
            "official_name",
            "Russie (nom usuel : la norme ISO 3166-1 ne donne pas de nom officiel ; son nom court "
            "ISO : « Russie, Fédération de »)",
        ),
        (
            "ID",
            "capital",
            "Jakarta (la loi de 2022 prévoit le transfert de la capitale à "
            "Nusantara, à la date que fixera un décret présidentiel)",
        ),
    ],
)
def test_a_fact_sheet_gives_the_sourced_value(code, fact_id, value):
    found = {f.id: f.value for f in facts.sheet(code, date.fromisoformat(TODAY)).facts}
    assert found[fact_id] == value


@pytest.mark.parametrize(
    "code, expected",
    [
        ("TR", "Union douanière avec l'UE"),
        ("AD", "Union douanière avec l'UE"),
        ("SM", "Union douanière avec l'UE"),
        ("NO", "Espace économique européen"),
        ("JP", "Accord de partenariat économique UE-Japon, appliqué depuis 2019"),
        ("KR", "Accord de libre-échange UE-Corée du Sud, appliqué depuis 2011"),
        ("CA", "CETA"),
        ("US", "Aucun accord commercial préférentiel"),
        ("CN", "Aucun accord commercial préférentiel"),
    ],
)
def test_the_trade_relationship_with_the_eu(code, expected):
    fact = facts.trade(code)
    assert expected in fact.value
    assert fact.source.checked


def test_an_eu_member_state_is_never_given_an_agreement_with_the_eu(tmp_path):
    broken = facts.FACTS_FILE.read_text("utf-8").replace(
        'countries = ["TR"]', 'countries = ["TR", "DE"]'
    )
    path = tmp_path / "country_facts.toml"
    path.write_text(broken.replace('checked = "2026-12-06"', 'checked = "2026-02-30"', 1))
    with pytest.raises(DataError) as error:
        load_toml(path, facts.SCHEMA, facts.consistency)
    assert any("date impossible « 2026-02-30 »" in e for e in error.value.errors)
    path.write_text(broken, "utf-8")
    with pytest.raises(DataError) as error:
        load_toml(path, facts.SCHEMA, facts.consistency)
    assert any("« DE » est membre de l'UE" in e for e in error.value.errors)


@pytest.mark.parametrize(
    "code, day, minutes",
    [
        ("JP", "2026-01-15", [480]),  # Paris in winter time
        ("JP", "2026-07-15", [420]),  # Paris in summer time, Japan has none
        ("IN", "2026-01-15", [270]),
        ("NP", "2026-01-15", [285]),
        ("ES", "2026-07-15", [-60, 0]),  # the Canary Islands
        ("CL", "2026-01-15", [-360, -240]),  # Easter Island; Santiago in summer time
        ("CL", "2026-07-15", [-480, -360, -300]),  # Magallanes keeps UTC−3 all year
        ("US", "2026-01-15", [-660, -600, -540, -480, -420, -360]),  # Hawaii to New York
        ("DE", "2026-03-30", [0]),
    ],
)
def test_the_time_difference_with_paris_counts_both_summer_times(code, day, minutes):
    assert facts.offsets(code, date.fromisoformat(day)) == minutes


@pytest.mark.parametrize(
    "minutes, text", [(480, "+8 h"), (-360, "−6 h"), (270, "+4 h 30"), (285, "+4 h 45"), (0, "0 h")]
)
def test_hours_are_written_the_french_way(minutes, text):
    assert facts.hours(minutes) == text


def test_a_country_over_several_time_zones_gives_the_range():
    fact = facts.time_difference("US", date(2026, 1, 15))
    assert fact is not None and fact.value.startswith("De −11 h à −6 h par rapport à Paris")


# -- the country pages ----------------------------------------------------------------------------


def fact_rows(page: str) -> dict[str, str]:
    """The fact table as {row header: the whole row}."""
    table = page.split('<section class="fr-mb-6w" aria-labelledby="fiche-titre">')[1]
    table = table.split("</table>")[0]
    return {m[1]: m[2] for m in re.finditer(r'<th scope="row">([^<]+)</th>(.*?)</tr>', table, re.S)}


def test_a_country_page_shows_its_fact_sheet_as_an_accessible_table(client):
    page = html(client.get("/pays/es"))
    assert "<caption>Fiche pays : Espagne, avec la source de chaque donnée</caption>" in page
    assert '<th scope="col">Valeur et source</th>' in page
    rows = fact_rows(page)
    assert {"Nom officiel", "Capitale", "Zone", "Monnaie", "Décalage horaire"} <= set(rows)
    assert "euro (EUR)" in rows["Monnaie"] and "Unicode CLDR 47 (Babel)<span" in rows["Monnaie"]
    assert "De −1 h à 0 h par rapport à Paris" in rows["Décalage horaire"]
    assert "27 novembre 2026" in rows["Décalage horaire"]
    assert "depuis 1986" in rows["Union européenne"]
    for header, row in rows.items():
        assert re.search(r'href="https://[^"]+"', row), header
        assert re.search(r", (relevé du \d{1,2} \w+ \d{4}|\d{4})</span></td>", row), header


def test_a_sanctioned_country_shows_an_alert_linking_to_the_official_pages(client):
    page = html(client.get("/pays/ru"))
    alert = page.split('<div class="fr-alert fr-alert--warning fr-mb-4w" id="sanctions">')[1]
    alert = alert.split("</div>")[0]
    assert "Des sanctions de l'Union européenne visent ce pays" in alert
    assert 'href="https://www.sanctionsmap.eu/"' in alert
    assert 'href="https://www.tresor.economie.gouv.fr/services-aux-entreprises/sanctions' in alert
    assert '<span lang="en">EU Sanctions Map</span>' in alert
    assert "Oui : mesures sectorielles" in fact_rows(page)["Sanctions de l'UE"]


def test_a_regime_to_confirm_is_shown_as_such_never_as_checked(client):
    """Ten regimes the team knows of could not be compared with the live map: the page warns
    of them « à confirmer », dated when they were noted, with no « relevé du » date."""
    entry = next(e for e in facts.load()["sanctions"] if "TR" in e["countries"])
    assert entry["confirmed"] is False
    noted = french_date(entry["checked"])
    page = html(client.get("/pays/tr"))
    alert = page.split('<div class="fr-alert fr-alert--warning fr-mb-4w" id="sanctions">')[1]
    alert = alert.split("</div>")[0]
    assert "Des sanctions de l'Union européenne viseraient ce pays : à confirmer" in alert
    assert "Méditerranée orientale <strong>(à confirmer)</strong>." in alert
    assert f"signalés par l'équipe du portail le {noted} sans avoir encore été comparés" in alert
    assert "Relevé du portail au" not in alert
    assert 'href="https://www.sanctionsmap.eu/"' in alert
    row = fact_rows(page)["Sanctions de l'UE"]
    assert f"<td>Signalées, à confirmer (relevé de l'équipe du {noted}, pas encore " in row
    assert ", 2026</span></td>" in row and "relevé du" not in row.split("Source :")[1]
    twin = client.get("/pays/tr.json").get_json()
    assert [(s["confirmed"], s["noted"]) for s in twin["sanctions"]] == [(False, entry["checked"])]
    russia = client.get("/pays/ru.json").get_json()["sanctions"]
    assert [(s["confirmed"], s["noted"]) for s in russia] == [(True, None)]


@pytest.mark.parametrize("code", ["jp", "kr", "ca", "br"])
def test_a_country_without_a_listed_regime_is_never_told_there_is_none(client, code):
    """The list may miss a regime: the page says when the list was checked and sends to the EU
    Sanctions Map, which is authoritative."""
    confirmed = [e for e in facts.load()["sanctions"] if e.get("confirmed", True)]
    checked = french_date(max(e["checked"] for e in confirmed))
    page = html(client.get(f"/pays/{code}"))
    assert 'id="sanctions"' not in page
    assert "Aucun régime" not in page
    row = fact_rows(page)["Sanctions de l'UE"]
    assert f"vérifiée le {checked}, n'en compte aucun propre à ce pays, mais elle peut être " in row
    assert "vérifiez sur la carte des sanctions de l'UE, qui fait foi" in row
    assert 'href="https://www.sanctionsmap.eu/"' in row
    notice = page.split('<p class="fr-text--sm" id="sanctions-a-verifier">')[1].split("</p>")[0]
    assert f"la liste du portail, vérifiée le {checked}, ne relève aucun régime" in notice
    assert 'href="https://www.sanctionsmap.eu/"' in notice


def test_no_fact_sheet_says_a_country_has_no_sanctions():
    day = date.fromisoformat(TODAY)
    for code in ISO_CODES:
        value = next(f.value for f in facts.sheet(code, day).facts if f.id == "sanctions")
        assert value.startswith(("Oui : ", "Signalées, à confirmer", "Non relevé")), code
        assert "Aucun" not in value, code


A2M = "https://trade.ec.europa.eu/access-to-markets/fr/results?origin=FR&destination="
RITA = "https://www.douane.gouv.fr/service-en-ligne/rita-encyclopedie-tarifaire"


@pytest.mark.parametrize(
    "code, tools",
    [("jp", True), ("tr", True), ("ch", True), ("de", False), ("mc", False)],
)
def test_a_country_beyond_the_eu_customs_territory_links_to_the_duty_tools(client, code, tools):
    page = html(client.get(f"/pays/{code}"))
    links = [link["url"] for link in client.get(f"/pays/{code}.json").get_json()["links"]]
    assert f"https://www.tresor.economie.gouv.fr/Pays/{code.upper()}" in links
    for url in (A2M + code.upper(), RITA):
        assert (url in links) is tools, (code, url)
        assert (f'href="{url}"' in page) is tools, (code, url)
    if tools:
        assert "Access2Markets (Commission européenne)<span" in page
        assert "RITA (douane française)<span" in page


def test_the_lead_line_and_description_read_as_french(client):
    rows = [r for z in client.get("/pays.json").get_json()["zones"] for r in z["countries"]]
    one = next(r for r in rows if r["resources"] == 1)
    page = html(client.get(f"/pays/{one['code'].lower()}"))
    assert "1 ressource du portail concerne ce pays : où s'informer" in page
    many = html(client.get("/pays/jp"))
    assert re.search(r"\d+ ressources du portail concernent ce pays", many)
    assert '<meta name="description" content="Japon : fiche pays, sources' in many
    assert "le pays Japon" not in many


def test_the_page_keeps_what_the_crawl_knows(client):
    page = html(client.get("/pays/ma"))
    for heading in ("S'informer sur le pays", "Contacts", "Prochains événements"):
        assert heading in page
    assert "Les ressources, étape par étape" in page


# -- contacts abroad ------------------------------------------------------------------------------

MARKUPS = ("jsonld", "microdata", "address", "text")
MAIN_BODIES = ("business-france", "chambre", "tresor")


@pytest.fixture(scope="module")
def contact_hits(app) -> dict[str, Any]:
    """The indexed contact pages, by URL."""
    from indexer.search import SearchQuery
    from webui import content

    with app.app_context():
        hits = content.searcher().search(SearchQuery(kind="contact", per_page=500)).hits
    return {hit.url: hit for hit in hits}


def abroad(manifest) -> list[dict[str, Any]]:
    """The demo's contact pages of an office in one country, with the contact they publish."""
    return [p for p in manifest["pages"] if p["kind"] == "contact" and p["countries"]]


@pytest.mark.parametrize("markup", MARKUPS)
def test_the_index_reads_the_contact_each_markup_publishes(manifest, contact_hits, markup):
    from webui.directory import crawled_contact

    pages = [p for p in abroad(manifest) if p.get("contact", {}).get("markup") == markup]
    assert len(pages) >= 2, markup
    for page in pages:
        expected, hit = page["contact"], contact_hits[page["url"]]
        found = hit.extra["contact"]
        assert (found["phone"], found["email"]) == (expected["phone"], expected["email"]), page
        assert found["address"] and expected["address"].startswith(found["address"]), page
        name = page["title"] if markup == "text" else expected["name"]  # the title stands in
        assert crawled_contact(hit).name == name


def test_no_contact_page_is_tagged_with_a_country_it_is_not_about(manifest, contact_hits):
    """Offices abroad have their country alone (not France, not the countries their text
    names); a regional office in France has none, even when its title names a neighbour."""
    pages = [p for p in manifest["pages"] if p["kind"] == "contact"]
    assert len(abroad(manifest)) >= 10 and any(p["regions"] for p in pages)
    for page in pages:
        assert contact_hits[page["url"]].countries == page["countries"], page["url"]


def contact_groups(page: str) -> dict[str, Any]:
    """The « Contacts » section's groups, by body id."""
    from bs4 import BeautifulSoup

    section = BeautifulSoup(page, "lxml").find(
        "section", attrs={"aria-labelledby": "contacts-titre"}
    )
    return {
        div["id"].removeprefix("contacts-"): div
        for div in section.find_all("div", class_="portail-contact-group")
    }


def test_a_country_page_gives_a_contact_of_each_main_body_the_crawl_found(client, manifest):
    pages = [p for p in abroad(manifest) if p["countries"] == ["DE"]]
    groups = contact_groups(client.get("/pays/de").get_data(as_text=True))
    assert list(groups)[:3] == list(MAIN_BODIES)
    for body in MAIN_BODIES:
        assert groups[body].h3 and not groups[body].find(class_="portail-contact-fallback")
    shown = {body: groups[body].get_text(" ") for body in MAIN_BODIES}
    assert len(pages) == 3
    for page in pages:
        body = next(b for b in MAIN_BODIES if page["contact"]["name"] in shown[b])
        assert page["url"] in str(groups[body]) and "Page trouvée par le portail le" in shown[body]
    data = client.get("/pays/de.json").get_json()
    twin = {g["id"]: g for g in data["contact_groups"]}
    assert [g["id"] for g in data["contact_groups"]][:3] == list(MAIN_BODIES)
    for body in MAIN_BODIES:
        assert twin[body]["directory"] is None and len(twin[body]["contacts"]) == 1
        contact = twin[body]["contacts"][0]
        assert contact["page"] in {p["url"] for p in pages} and contact["crawled"]
        assert contact["name"] in shown[body]


def test_a_country_page_links_the_directory_of_a_body_the_crawl_has_no_contact_of(client):
    from webui.directory import directory

    sources = {s.provider: s.link("IN") for s in directory().country_sources}
    bodies = {b.id: b for b in directory().contact_bodies}
    groups = contact_groups(client.get("/pays/in").get_data(as_text=True))
    twin = {g["id"]: g for g in client.get("/pays/in.json").get_json()["contact_groups"]}
    assert "Service économique régional de New Delhi" in groups["tresor"].get_text(" ")
    assert twin["tresor"]["directory"] is None and twin["tresor"]["contacts"]
    for body in ("business-france", "chambre"):
        link = sources[bodies[body].source]
        fallback = groups[body].find(class_="portail-contact-fallback")
        assert fallback and fallback.a["href"] == link.url and link.label in fallback.a.get_text()
        assert twin[body] == {
            "id": body,
            "label": bodies[body].label,
            "contacts": [],
            "directory": {"label": link.label, "url": link.url},
        }


def test_a_country_page_lists_its_open_vie_offers_as_the_board_does(client):
    board = client.get("/vie.json?country=de").get_json()
    assert board["total"] >= 2  # the demo board has offers in Germany
    data = client.get("/pays/de.json").get_json()
    shown = [o["url"] for o in data["vie"]["offers"]]
    assert data["vie"]["total"] == board["total"]
    assert shown == [o["url"] for o in board["offers"]][: len(shown)] and 1 <= len(shown) <= 5
    assert all(o["country"] == "DE" for o in data["vie"]["offers"])
    assert data["vie"]["url"].endswith("/vie?country=DE")
    page = html(client.get("/pays/de"))
    section = page.split('<h2 id="vie-titre">Offres de V.I.E.</h2>')[1].split("</section>")[0]
    assert all(f'href="{url}"' in section for url in shown)
    link = f'href="/vie?country=DE">Les {board["total"]} offres de V.I.E. dans ce pays</a>'
    assert link in section


def test_the_country_twin_gives_its_offers_as_the_catalogue_twin_does(client):
    data = client.get("/pays/us.json").get_json()
    cards = re.findall(
        r'class="fr-card__title"><a href="(/offres/[^"]+)">', html(client.get("/pays/us"))
    )
    pages = [urlsplit(o.get("page") or "").path for o in data["offers"][:4]]
    assert cards and pages == cards
    for offer in data["offers"]:
        whole = client.get(f"/offres/{offer['id']}.json").get_json()
        assert {"actor", "steps", "summary", "page"} <= set(offer)
        assert offer == {key: whole[key] for key in offer}


def test_a_country_without_open_vie_offers_says_so_and_links_to_the_board(client):
    assert client.get("/vie.json?country=kz").get_json()["total"] == 0
    assert client.get("/pays/kz.json").get_json()["vie"] == {
        "total": 0,
        "offers": [],
        "url": "http://localhost/vie?country=KZ",
    }
    page = html(client.get("/pays/kz"))
    assert "Aucune offre de V.I.E. ou de V.I.A. n'est ouverte dans ce pays aujourd'hui" in page
    assert 'href="/vie?country=KZ">La bourse des V.I.E. filtrée sur ce pays</a>' in page


@pytest.mark.parametrize(
    "path, location",
    [
        ("/pays/jp/", "/pays/jp"),
        ("/pays/JP/", "/pays/jp"),
        ("/pays/JP", "/pays/jp"),
        ("/pays/Jp", "/pays/jp"),
        ("/pays/JP.json", "/pays/jp.json"),
        ("/pays/", "/pays"),
    ],
)
def test_variants_of_a_country_address_redirect_to_the_canonical_one(client, path, location):
    response = client.get(path)
    assert response.status_code == 301
    assert response.headers["Location"].endswith(location)
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize("path", ["/pays/zz/", "/pays/fr/", "/pays/deu/", "/pays/zz.json"])
def test_unknown_countries_stay_404(client, path):
    assert client.get(path).status_code == 404


def test_a_json_twin_answers_its_404_in_json(client):
    response = client.get("/pays/zz.json")
    assert response.is_json and "error" in response.get_json()


# -- the JSON twins and their OpenAPI schemas ----------------------------------------------------


def check(schema: dict[str, Any], value: Any, document: dict[str, Any], where: str = "$") -> list:
    """The errors of `value` against an OpenAPI 3.0 schema (the subset the API uses)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return check(document["components"]["schemas"][name], value, document, where)
    if value is None:
        return [] if schema.get("nullable") else [f"{where} : null"]
    types = {
        "object": dict,
        "array": list,
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
    }
    expected = schema.get("type")
    if expected and not isinstance(value, types[expected]):
        return [f"{where} : {type(value).__name__} au lieu de {expected}"]
    if expected in ("integer", "number") and isinstance(value, bool):
        return [f"{where} : booléen au lieu de {expected}"]
    errors = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where} : {value!r} hors de {schema['enum']}")
    if isinstance(value, str):
        errors += _string_errors(schema, value, where)
    if isinstance(value, int | float) and value < schema.get("minimum", value):
        errors.append(f"{where} : {value} < {schema['minimum']}")
    if isinstance(value, list):
        for i, item in enumerate(value):
            errors += check(schema.get("items", {}), item, document, f"{where}[{i}]")
    if isinstance(value, dict):
        errors += _object_errors(schema, value, document, where)
    return errors


def _string_errors(schema: dict[str, Any], value: str, where: str) -> list[str]:
    if "pattern" in schema and not re.search(schema["pattern"], value):
        return [f"{where} : {value!r} ne suit pas {schema['pattern']}"]
    if schema.get("format") == "uri" and not re.match(r"https?://", value):
        return [f"{where} : {value!r} n'est pas une URI"]
    if schema.get("format") == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return [f"{where} : {value!r} n'est pas une date"]
    return []


def _object_errors(schema: dict[str, Any], value: dict, document: dict, where: str) -> list:
    errors = [f"{where}.{k} : manquant" for k in schema.get("required", []) if k not in value]
    properties = schema.get("properties", {})
    for key, item in value.items():
        if key in properties:
            errors += check(properties[key], item, document, f"{where}.{key}")
        elif schema.get("additionalProperties") is False:
            errors.append(f"{where}.{key} : propriété non décrite")
        elif isinstance(schema.get("additionalProperties"), dict):
            errors += check(schema["additionalProperties"], item, document, f"{where}.{key}")
    return errors


def response_schema(openapi: dict[str, Any], path: str) -> dict[str, Any]:
    return openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]


def test_the_validator_catches_what_the_schemas_forbid(openapi):
    schema = {"$ref": "#/components/schemas/CountryRow"}
    good = {"code": "JP", "name": "Japon", "resources": 3, "url": "http://x/pays/jp"}
    assert check(schema, good, openapi) == []
    assert check(schema, {**good, "code": "jp"}, openapi)
    assert check(schema, {**good, "extra": 1}, openapi)
    assert check(schema, {**good, "resources": "3"}, openapi)
    assert check(schema, {k: v for k, v in good.items() if k != "url"}, openapi)


def test_the_directory_json_matches_its_schema_and_the_page(client, openapi):
    data = client.get("/pays.json").get_json()
    assert check(response_schema(openapi, "/pays.json"), data, openapi) == []
    page = html(client.get("/pays"))
    for zone in data["zones"]:
        assert f'<h2 id="{zone["id"]}">{zone["label"]}' in page
        for row in zone["countries"]:
            assert f'href="/pays/{row["code"].lower()}">{row["name"]}</a>' in page
    assert data["total"] == sum(len(z["countries"]) for z in data["zones"])


def test_the_directory_json_answers_a_search_without_redirecting(client, openapi):
    response = client.get("/pays.json?q=allemand")
    data = response.get_json()
    assert response.status_code == 200 and data["query"] == "allemand"
    assert [row["code"] for row in data["found"]] == ["DE"]
    assert check(response_schema(openapi, "/pays.json"), data, openapi) == []


def test_every_crawled_countrys_json_matches_its_schema_and_its_page(
    client, openapi, crawled_countries
):
    schema = response_schema(openapi, "/pays/{iso2}.json")
    for code in crawled_countries:
        data = client.get(f"/pays/{code.lower()}.json").get_json()
        assert check(schema, data, openapi) == [], code
        page = html(client.get(f"/pays/{code.lower()}"))
        assert f"<h1>{country_name(code)}</h1>" in page and data["name"] == country_name(code)
        rows = fact_rows(page)
        for fact in data["facts"]:
            assert fact["value"] in rows[fact["label"]], (code, fact["id"])
        for step in data["steps"]:
            assert step["label"] in page
        for source in data["sources"]:
            assert all(p["url"] in page for p in source["pages"]), (code, source["provider"])


def test_accept_json_gives_the_same_data_as_the_json_address(client):
    by_header = client.get("/pays/jp", headers={"Accept": "application/json"})
    assert by_header.is_json and "Accept" in by_header.headers["Vary"]
    assert by_header.get_json() == client.get("/pays/jp.json").get_json()
    listing = client.get("/pays", headers={"Accept": "application/json"})
    assert listing.get_json() == client.get("/pays.json").get_json()
    assert client.get("/pays/jp", headers={"Accept": "text/html"}).mimetype == "text/html"


def test_the_pages_announce_their_json_twins(client):
    assert 'type="application/json" title="Japon en JSON" href="/pays/jp.json"' in html(
        client.get("/pays/jp")
    )
    assert 'type="application/json" title="Annuaire des pays en JSON" href="/pays.json"' in html(
        client.get("/pays")
    )


def test_the_openapi_document_describes_the_twins(openapi):
    assert {"/pays.json", "/pays/{iso2}.json"} <= set(openapi["paths"])
    for name in ("Country", "CountryDirectory", "Fact", "FactSource", "Sanction", "Page"):
        assert name in openapi["components"]["schemas"]


# -- small screens, in Chromium --------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.mark.browser
def test_country_pages_never_scroll_sideways_on_a_phone_and_pass_axe(base_url):
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    axe = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text("utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for javascript in (True, False):
                context = browser.new_context(
                    viewport={"width": 375, "height": 800}, java_script_enabled=javascript
                )
                page = context.new_page()
                for path in ("/pays", "/pays/ru", "/pays/us", "/pays/es"):
                    page.goto(base_url + path)
                    width = page.evaluate("document.documentElement.scrollWidth")
                    assert width <= 375, (path, javascript, width)
                    if javascript:
                        page.evaluate(axe)
                        serious = page.evaluate(
                            """async () => (await axe.run(document)).violations
                                .filter(v => ['serious', 'critical'].includes(v.impact))
                                .map(v => v.id + ' ' + v.nodes[0].target.join(' '))"""
                        )
                        assert serious == [], (path, serious)
                context.close()
        finally:
            browser.close()
