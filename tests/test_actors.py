"""More actors: each source's kind of actor (public, consulaire, privé, associatif) reaches
the index with every page; searches, the API and the offers catalogue show it and filter on
it; private actors' offers are labelled « acteur privé »."""

from __future__ import annotations

from html import unescape

import pytest

from conftest import sql
from indexer.search import QueryError, Searcher, SearchQuery, parse_query_args
from webui import create_app


@pytest.fixture(scope="module")
def client(indexed_data):
    app = create_app({"DATA_DIR": str(indexed_data), "TODAY": "2026-11-27", "TESTING": True})
    return app.test_client()


@pytest.fixture(scope="module")
def searcher(indexed_data):
    found = Searcher(indexed_data)
    yield found
    found.close()


def test_the_crawler_records_each_source_s_actor(indexed_data):
    actors = {r["id"]: r["actor"] for r in sql(indexed_data, "SELECT id, actor FROM sources")}
    assert actors["banque-export"] == "prive" and actors["coface"] == "prive"
    assert actors["negoce"] == "associatif" and actors["ccef"] == "associatif"
    assert actors["bpifrance"] == "public" and actors["douane"] == "public"


def test_every_page_carries_its_source_s_actor_and_the_facet_counts_them(searcher):
    results = searcher.search(SearchQuery(text="export"))
    facet = dict(results.facets["actor"])
    assert {"public", "prive", "associatif"} <= set(facet)
    assert sum(facet.values()) == results.total
    private = searcher.search(SearchQuery(actor="prive", per_page=50))
    assert private.total > 0
    assert {h.provider for h in private.hits} <= {"Banque du Littoral", "Coface"}
    assert "Banque du Littoral" in {h.provider for h in private.hits}
    assert {h.actor for h in private.hits} == {"prive"}
    both = searcher.search(SearchQuery(actor="associatif", kind="offer", per_page=50))
    assert {h.provider for h in both.hits} >= {"Fédération du négoce international"}
    assert all(h.kind == "offer" and h.actor == "associatif" for h in both.hits)


def test_an_unknown_actor_is_a_clear_error():
    with pytest.raises(QueryError, match="« actor » : « privé »"):
        parse_query_args({"actor": "privé"})


def test_the_api_returns_and_filters_the_actor(client):
    body = client.get("/api/search?q=cr%C3%A9dit+documentaire&actor=prive").get_json()
    assert body["total"] > 0
    assert {r["actor"] for r in body["results"]} == {"prive"}
    assert set(body["facets"]["actor"]) == {"prive"}
    bad = client.get("/api/search?actor=banque")
    assert bad.status_code == 400 and "« actor » : « banque »" in bad.get_json()["error"]
    spec = client.get("/api/openapi.json").get_json()
    params = {p["name"]: p for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert params["actor"]["schema"]["enum"] == ["public", "consulaire", "prive", "associatif"]


def test_search_results_show_private_actors_and_offer_the_facet(client):
    page = unescape(client.get("/recherche?q=cr%C3%A9dit+documentaire").get_data(as_text=True))
    assert "Type d'acteur" in page and "Acteur privé (" in page
    assert 'Banque du Littoral · <span class="portail-actor">acteur privé</span>' in page
    only = unescape(client.get("/recherche?q=export&actor=associatif").get_data(as_text=True))
    assert "Type d'acteur : Association" in only  # the active filter, removable


def test_the_catalogue_filters_on_the_actor_and_labels_private_offers(client):
    page = unescape(client.get("/offres?acteur=prive").get_data(as_text=True))
    assert "Le crédit documentaire : être payé en toute sécurité" in page
    assert page.count('portail-tag--actor">Acteur privé<') >= 3
    assert "Fédération du négoce" not in page
    everything = unescape(client.get("/offres").get_data(as_text=True))
    assert '<option value="prive">Acteur privé (' in everything
    assert '<option value="associatif">Association (' in everything
    assert client.get("/offres?acteur=inconnu").status_code == 400
