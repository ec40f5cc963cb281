"""The JSON API, GET /api/search, as ARCHITECTURE.md fixes it, and its OpenAPI description."""

from __future__ import annotations

import pytest

from indexer.journey import KIND_IDS, STEP_IDS
from indexer.search import FACET_FIELDS, SearchQuery
from webui import create_app

RESULT_KEYS = [
    "url",
    "title",
    "snippet",
    "step",
    "kind",
    "provider",
    "countries",
    "regions",
    "date",
]
FIXED_PARAMETERS = {"q", "step", "kind", "country", "region", "provider", "page"}


@pytest.fixture(scope="module")
def app(indexed_data):
    return create_app({"DATA_DIR": str(indexed_data), "TODAY": "2026-11-27", "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def searcher(app):
    return app.extensions["searcher"]


def get(client, **args):
    response = client.get("/api/search", query_string=args)
    assert response.content_type.startswith("application/json")
    return response


def test_search_returns_the_fixed_shape(client, searcher):
    body = get(client, q="douane").get_json()
    assert list(body)[:4] == ["total", "page", "results", "facets"]
    expected = searcher.search(SearchQuery(text="douane"))
    assert body["total"] == expected.total > 10 and body["page"] == 1
    assert [r["url"] for r in body["results"]] == [h.url for h in expected.hits]
    for result in body["results"]:
        assert list(result)[: len(RESULT_KEYS)] == RESULT_KEYS  # the fixed keys, then additions
        assert result["language"] in ("fr", "en", None)
        assert result["step"] in (*STEP_IDS, None) and result["kind"] in KIND_IDS
        assert isinstance(result["countries"], list) and isinstance(result["regions"], list)
    assert set(body["facets"]) == set(FACET_FIELDS)
    for counts in body["facets"].values():
        assert isinstance(counts, dict)
        assert all(isinstance(n, int) and n > 0 for n in counts.values())
        assert list(counts.values()) == sorted(counts.values(), reverse=True)


def test_snippets_highlight_with_mark_only(client):
    snippets = [r["snippet"] for r in get(client, q="douane").get_json()["results"]]
    assert any("<mark>" in s for s in snippets)
    for snippet in snippets:
        assert "<" not in snippet.replace("<mark>", "").replace("</mark>", "")


def test_a_provider_named_as_the_facets_show_it_filters(client):
    facets = get(client).get_json()["facets"]["provider"]
    for name, count in list(facets.items())[:4]:
        body = get(client, provider=name).get_json()
        assert body["total"] == count
        assert {r["provider"] for r in body["results"]} == {name}


def test_filters_combine(client):
    step = get(client, step="gerer").get_json()
    kind, count = next(iter(step["facets"]["kind"].items()))
    both = get(client, step="gerer", kind=kind).get_json()
    assert both["total"] == count
    assert all(r["step"] == "gerer" and r["kind"] == kind for r in both["results"])
    assert both["facets"]["step"] == {"gerer": count}


def test_country_and_region_filters(client):
    body = get(client, country="de").get_json()
    assert body["total"] > 0 and all("DE" in r["countries"] for r in body["results"])
    body = get(client, region="76").get_json()
    assert body["total"] > 0 and all("76" in r["regions"] for r in body["results"])


def test_pages_follow_each_other(client):
    first = get(client, step="informer").get_json()
    second = get(client, step="informer", page=2).get_json()
    assert second["page"] == 2 and first["total"] == second["total"]
    assert not {r["url"] for r in first["results"]} & {r["url"] for r in second["results"]}
    beyond = get(client, step="informer", page=first["pages"] + 1)
    assert beyond.status_code == 404 and beyond.get_json()["parameter"] == "page"
    assert beyond.get_json()["first_page"].endswith("/api/search?step=informer")


@pytest.mark.parametrize(
    "args",
    [
        {"page": "0"},
        {"page": "1001"},
        {"page": "deux"},
        {"page": "2.5"},
        {"q": "x" * 501},
        {"step": "export"},
        {"kind": "blog"},
        {"country": "FRA"},
        {"country": "1"},
        {"region": "999"},
        {"sort": "hasard"},
        {"date_from": "2026-02-30"},
        {"per_page": "0"},
        {"provider": "B" * 201},
    ],
)
def test_bad_parameters_give_a_400_with_a_french_error(client, args):
    response = get(client, **args)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert isinstance(error, str) and error
    assert any(word in error for word in ("doit", "inconnu", "invalide", "trop"))


@pytest.mark.parametrize(
    "text",
    [
        '"crédit documentaire',
        "AND",
        "OR OR",
        "NOT",
        "*",
        "(((",
        "title:douane",
        "douane^5",
        "[a TO z]",
        "\\",
        "'; DROP TABLE pages; --",
        "é" * 400,
        "\x00\x1f",
        "<script>alert(1)</script>",
    ],
)
def test_odd_queries_never_fail(client, text):
    response = get(client, q=text)
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    for result in response.get_json()["results"]:
        assert "<script" not in result["snippet"]


def test_the_html_page_and_the_api_agree(client):
    body = get(client, q="salon", step="prospecter").get_json()
    page = client.get("/recherche?q=salon&step=prospecter").get_data(as_text=True)
    assert f"<strong>{body['total']}</strong> résultat" in page


def test_api_errors_and_unknown_routes_are_json(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and "error" in response.get_json()
    response = client.post("/api/search")
    assert response.status_code == 405 and "error" in response.get_json()


def test_the_api_may_be_called_from_other_sites(client):
    assert get(client, q="douane").headers["Access-Control-Allow-Origin"] == "*"


def test_openapi_describes_the_search(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    operation = spec["paths"]["/api/search"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names >= FIXED_PARAMETERS
    assert {"200", "400"} <= set(operation["responses"])
    schema = spec["components"]["schemas"]["SearchResults"]
    assert {"total", "page", "results", "facets"} <= set(schema["required"])
    result = schema["properties"]["results"]["items"]
    assert result["required"] == RESULT_KEYS
    enums = {p["name"]: p["schema"].get("enum") for p in operation["parameters"]}
    assert enums["step"] == list(STEP_IDS) and enums["kind"] == list(KIND_IDS)


def test_every_response_field_is_described(client):
    spec = client.get("/api/openapi.json").get_json()
    described = set(spec["components"]["schemas"]["SearchResults"]["properties"])
    assert set(get(client, q="douane").get_json()) <= described
