"""The sector pages (/secteurs, /secteurs/<id>): one per sector of the list, their counts
against the Whoosh index read directly, their JSON twins against the OpenAPI schemas, the
sector filter of the offers catalogue, an unknown sector."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from jsonschema import Draft202012Validator, FormatChecker
from test_vie import nullable_to_json_schema
from whoosh import index as whoosh_index
from whoosh.query import Term

from indexer.index import current_generation
from indexer.sectors import sectors
from webui import catalogue, content, create_app

SECTOR_IDS = list(sectors())


@pytest.fixture(scope="module")
def app(indexed_data, demo_web):
    config = {"DATA_DIR": str(indexed_data), "TODAY": demo_web.today.isoformat(), "TESTING": True}
    return create_app(config)


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def indexed(indexed_data) -> list[dict[str, Any]]:
    """The stored fields of every page of the journey (relevant), read from Whoosh."""
    ix = whoosh_index.open_dir(current_generation(indexed_data))
    with ix.searcher() as s:
        return [dict(hit) for hit in s.search(Term("relevant", True), limit=None)]


def tagged(indexed: list[dict[str, Any]], sector: str) -> list[dict[str, Any]]:
    return [d for d in indexed if sector in (d.get("sectors") or "").split(",")]


def html(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_the_index_tags_pages_with_most_sectors(indexed):
    """A sanity check of the data the pages count: the demo web covers the sector list."""
    covered = [s for s in SECTOR_IDS if tagged(indexed, s)]
    assert len(SECTOR_IDS) >= 15 and len(covered) == len(SECTOR_IDS)


@pytest.mark.parametrize("sector", SECTOR_IDS)
def test_every_sector_page_renders_with_the_counts_of_the_index(client, indexed, manifest, sector):
    pages = tagged(indexed, sector)
    page = client.get(f"/secteurs/{sector}")
    assert page.status_code == 200
    text = html(page)
    assert f"<h1>{sectors()[sector]}</h1>" in text
    data = client.get(f"/secteurs/{sector}.json").get_json()
    assert data["resources"] == len(pages)
    assert f"{len(pages)} ressource" in text
    by_step = Counter(d["step"] for d in pages if d["step"])
    assert {s["id"]: s["resources"] for s in data["steps"]} == dict(by_step)
    for step in data["steps"]:
        assert len(step["pages"]) == min(3, step["resources"])
        assert f'<a href="/etapes/{step["id"]}?sector={sector}">' in text
    by_country = Counter(c for d in pages for c in (d["countries"] or "").split(",") if c)
    by_country.pop("FR", None)
    counted = [(c["code"], c["resources"]) for c in data["countries"]]
    assert counted == sorted(counted, key=lambda cn: -cn[1])
    assert all(by_country[code] == n for code, n in counted)
    assert len(counted) == min(10, len(by_country))
    assert not counted or min(n for _, n in counted) >= sorted(by_country.values())[-len(counted)]
    # The news as the stream tells them (one item a story, the archive apart), latest first.
    stream = client.get(f"/actualites.json?sector={sector}").get_json()
    assert data["news"]["total"] == stream["total"]
    assert data["news"]["stories"] == stream["stories"][:5]
    assert f'href="/actualites?sector={sector}"' in text
    vie = [p for p in manifest["pages"] if "job" in p and sector in p["sectors"]]
    assert data["vie"]["total"] == len(vie)
    assert all(sector in [s["id"] for s in o["sectors"]] for o in data["vie"]["offers"])


def test_the_sector_list_counts_each_sector_as_the_index_does(client, indexed):
    data = client.get("/secteurs.json").get_json()
    labels = [s["label"] for s in data["sectors"]]
    assert labels == sorted(sectors().values(), key=content.sort_key)  # Énergie among the E
    assert {s["id"]: s["resources"] for s in data["sectors"]} == {
        s: len(tagged(indexed, s)) for s in SECTOR_IDS
    }
    page = html(client.get("/secteurs"))
    for row in data["sectors"]:
        assert f'<a href="/secteurs/{row["id"]}">{row["label"]}</a>' in page


def test_an_unknown_sector_is_a_404_in_french(client):
    page = client.get("/secteurs/peche-a-la-ligne")
    assert page.status_code == 404
    assert "Page non trouvée" in html(page) and '<html lang="fr"' in html(page)
    data = client.get("/secteurs/peche-a-la-ligne.json")
    assert data.status_code == 404 and "introuvable" in data.get_json()["error"]


def test_the_navigation_has_the_sectors(client):
    page = html(client.get("/secteurs"))
    assert '<a class="fr-nav__link" href="/secteurs" aria-current="page">Secteurs</a>' in page


# -- the JSON twins ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validate(client):
    spec = client.get("/api/openapi.json").get_json()
    components = nullable_to_json_schema(spec["components"])

    def check(document: Any, schema: str) -> None:
        root = {"$ref": f"#/components/schemas/{schema}", "components": components}
        errors = list(
            Draft202012Validator(root, format_checker=FormatChecker()).iter_errors(document)
        )
        assert not errors, [f"{list(e.absolute_path)} : {e.message}" for e in errors[:5]]

    return check


def test_the_json_twins_match_their_schemas(client, validate):
    validate(client.get("/secteurs.json").get_json(), "SectorList")
    for sector in SECTOR_IDS:
        validate(client.get(f"/secteurs/{sector}.json").get_json(), "Sector")
    negotiated = client.get("/secteurs/sante", headers={"Accept": "application/json"})
    assert negotiated.is_json and negotiated.get_json()["id"] == "sante"


def test_the_openapi_document_describes_the_sectors(client):
    spec = client.get("/api/openapi.json").get_json()
    assert {"/secteurs.json", "/secteurs/{id}.json"} <= set(spec["paths"])
    assert {"SectorList", "Sector"} <= set(spec["components"]["schemas"])


# -- a sector facet wherever results are listed -------------------------------------------------


def test_the_offers_catalogue_filters_by_sector(app, client):
    with app.test_request_context():
        offers = catalogue.catalogue()
        # No support offer of the demo web is about energy: give some offers that sector.
        tagged = [replace(o, sectors=("energie",)) if i % 3 else o for i, o in enumerate(offers)]
        wanted = catalogue.OfferFilters(sector="energie")
        chosen = catalogue.select(tagged, wanted)
        counts = catalogue.facet_counts(tagged, wanted)
    assert chosen and chosen == [o for o in tagged if "energie" in o.sectors]
    assert counts["sector"] == {"energie": len(chosen)}
    assert not any("energie" in o.sectors for o in offers)
    page = html(client.get("/offres?sector=energie"))
    assert '<label class="fr-label" for="filtre-sector">Secteur' in page
    assert '<option value="energie" selected>Énergie (0)</option>' in page
    assert "<strong>0</strong> offre" in page
    assert client.get("/offres?sector=zzz").status_code == 400


def test_a_sector_page_lists_the_support_offers_devoted_to_that_sector(client, manifest):
    offers = [p for p in manifest["pages"] if p["kind"] == "offer"]
    devoted = [p for p in offers if p["sectors"]]
    assert devoted, "the demo web has support offers devoted to one sector"
    for offer in devoted:
        for sector in offer["sectors"]:
            data = client.get(f"/secteurs/{sector}.json").get_json()
            assert offer["url"] in [o["url"] for o in data["offers"]], (sector, offer["url"])
            text = html(client.get(f"/secteurs/{sector}"))
            section = text.split('id="offres-titre"')[1].split("</section>")[0]
            assert offer["title"] in section
            listed = html(client.get(f"/offres?sector={sector}"))
            assert offer["title"] in listed
    # An offer for every company is no sector's: it stays off the sector pages.
    general = {p["url"] for p in offers if not p["sectors"]}
    for sector in {s for p in devoted for s in p["sectors"]}:
        data = client.get(f"/secteurs/{sector}.json").get_json()
        assert not general & {o["url"] for o in data["offers"]}, sector


def test_a_sector_with_one_resource_says_it_in_the_singular(client):
    rows = client.get("/secteurs.json").get_json()["sectors"]
    one = next(r for r in rows if r["resources"] == 1)
    page = html(client.get(f"/secteurs/{one['id']}"))
    assert "1 ressource du portail concerne ce secteur" in page


def sector_filter(page: str) -> tuple[list[str], str | None]:
    """A listing's sector filter: the sectors it offers and the one chosen, read from a select
    named « sector » in a form, or from the search page's « Secteur » facet."""
    soup = BeautifulSoup(page, "lxml")
    select = soup.select_one('form select[name="sector"]')
    if select is not None:
        options = [o for o in select.find_all("option") if o.get("value")]
        chosen = [o["value"] for o in options if o.has_attr("selected")]
        return [o["value"] for o in options], (chosen or [None])[0]
    facet = soup.select_one('ul[aria-labelledby="facette-sector"]')
    if facet is None:
        return [], None
    values, chosen = [], None
    for link in facet.find_all("a"):
        if "portail-facet--selected" in link.get("class", []):
            chosen = link.get_text()
        else:
            values += parse_qs(urlsplit(link["href"]).query).get("sector", [])
    return values, chosen


def test_a_tag_linking_to_a_sector_is_no_sector_filter():
    tags = '<ul class="fr-tags-group"><li><a class="fr-tag" href="/vie?sector=energie">Énergie</a>'
    assert sector_filter(tags) == ([], None)
    unnamed = '<form action="/vie"><select name="secteur"><option value="energie">É</option>'
    assert sector_filter(unnamed) == ([], None)


@pytest.mark.parametrize("path", ["/recherche?q=export", "/etapes/prospecter", "/agenda", "/vie"])
def test_the_other_listings_have_a_sector_facet(client, path):
    values, chosen = sector_filter(html(client.get(path)))
    assert values and set(values) <= set(SECTOR_IDS) and chosen is None
    wanted = values[0]
    filtered = html(client.get(f"{path}{'&' if '?' in path else '?'}sector={wanted}"))
    _, chosen = sector_filter(filtered)
    assert chosen == wanted or (chosen is not None and sectors()[wanted] in chosen), chosen
