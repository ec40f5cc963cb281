"""One rule for bad parameters on every browsing page, the search and their JSON twins
(webui/params.py): an unknown value of a closed-list filter is a 400 naming the parameter and
the accepted values; a page past the last is a 404 leading back to page 1; a text without a
letter or a digit is not searched and never lists every page. Real index of the demo web."""

from __future__ import annotations

from html import unescape
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webui import create_app
from webui.params import is_wildcard

TODAY = "2026-11-27"
# (page, parameter, unknown value, a value it accepts)
UNKNOWN_VALUES = [
    ("/recherche", "step", "exporter", "prospecter"),
    ("/recherche", "kind", "podcast", "offer"),
    ("/recherche", "region", "99", "84"),
    ("/recherche", "country", "ZZ", "DE"),
    ("/recherche", "provider", "Société inconnue", "Bpifrance"),
    ("/recherche", "sector", "vins-rouges", "vins-spiritueux"),
    ("/recherche", "sort", "hasard", "date"),
    ("/recherche", "literal", "2", "1"),
    ("/api/search", "provider", "Nope", "Coface"),
    ("/api/search", "country", "ZZ", "JP"),
    ("/recherche.json", "sector", "vin", "agroalimentaire"),
    ("/etapes/gerer", "country", "ZZ", "GB"),
    ("/etapes/gerer", "provider", "Nope", "Douane"),
    ("/etapes/gerer", "sector", "nope", "vins-spiritueux"),
    ("/etapes/gerer.json", "region", "99", "84"),
    ("/offres", "provider", "Nope", "Bpifrance"),
    ("/offres", "region", "99", "national"),
    ("/offres", "step", "exporter", "gerer"),
    ("/offres", "aide", "cadeau", "conseil"),
    ("/offres.json", "public", "enfants", "pme"),
    ("/agenda", "country", "ZZ", "DE"),
    ("/agenda", "sector", "nope", "agroalimentaire"),
    ("/agenda.json", "region", "99", "76"),
    ("/agenda/archives", "step", "nope", "prospecter"),
    ("/flux.atom", "region", "99", "84"),
]
PAGINATED = ["/recherche?q=export", "/api/search?step=informer", "/recherche.json?q=douane"]
PAGINATED += ["/offres", "/offres.json?provider=Bpifrance", "/agenda", "/agenda.json"]
PAGINATED += ["/agenda/archives"]


@pytest.fixture(scope="module")
def app(indexed_data):
    return create_app({"DATA_DIR": str(indexed_data), "TODAY": TODAY, "TESTING": True})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def is_json(path: str) -> bool:
    path = urlsplit(path).path
    return path.endswith(".json") or path.startswith("/api/")


def with_args(path: str, **args: str) -> str:
    joiner = "&" if "?" in path else "?"
    return f"{path}{joiner}{urlencode(args)}" if args else path


# -- closed lists ------------------------------------------------------------------------------


@pytest.mark.parametrize("path, name, bad, good", UNKNOWN_VALUES)
def test_an_unknown_value_is_a_400_naming_the_parameter_and_the_accepted_values(
    client, path, name, bad, good
):
    assert client.get(with_args(path, **{name: good})).status_code == 200
    response = client.get(with_args(path, **{name: bad}))
    assert response.status_code == 400
    if is_json(path):
        error = response.get_json()
        assert error["parameter"] == name and good in error["accepted"]
        message = error["error"]
    else:
        message = unescape(response.get_data(as_text=True))
        assert "fr-alert--error" in message and "Requête incorrecte" in message
    assert f"Valeur inconnue pour le paramètre « {name} » : « {bad} »" in message
    assert "Valeurs acceptées :" in message
    if name != "country":  # 249 codes: described, with examples and no list
        assert good in message.split("Valeurs acceptées :")[1]


@pytest.mark.parametrize("path", ["/recherche", "/api/search", "/etapes/gerer", "/agenda"])
def test_the_country_filter_takes_iso_codes_in_either_case(client, path):
    assert client.get(with_args(path, country="de")).status_code == 200
    for bad in ("ZZ", "Allemagne", "DEU", "1"):
        assert client.get(with_args(path, country=bad)).status_code == 400


def test_the_accepted_values_are_the_ones_the_filters_offer(client):
    error = client.get("/api/search?provider=Nope").get_json()
    providers = set(client.get("/api/search").get_json()["facets"]["provider"])
    assert providers and providers <= set(error["accepted"])
    error = client.get("/offres.json?aide=cadeau").get_json()
    aides = {o["value"] for o in client.get("/offres.json").get_json()["options"]["aide"]}
    assert aides and aides <= set(error["accepted"])


def test_choosing_an_unknown_region_is_the_same_400(client):
    response = client.get("/ma-region?region=99")
    assert response.status_code == 400
    assert "Valeur inconnue pour le paramètre « region » : « 99 »" in unescape(
        response.get_data(as_text=True)
    )


# -- pages past the last -----------------------------------------------------------------------


def page_count(client, path: str) -> int:
    """The number of pages of a list, read from its JSON twin."""
    return client.get(path, headers={"Accept": "application/json"}).get_json()["pages"]


@pytest.mark.parametrize("path", PAGINATED)
def test_a_page_past_the_last_is_a_404_that_leads_to_page_one(client, path):
    pages = page_count(client, path)
    assert client.get(with_args(path, page=str(pages))).status_code == 200
    response = client.get(with_args(path, page=str(pages + 1)))
    assert response.status_code == 404
    first = urlsplit(path)
    if is_json(path):
        error = response.get_json()
        assert (
            error["parameter"] == "page" and f"La page {pages + 1} n'existe pas" in error["error"]
        )
        target = urlsplit(error["first_page"])
        assert (target.path, target.query) == (first.path, first.query)
    else:
        html = unescape(response.get_data(as_text=True))
        assert f"La page {pages + 1} n'existe pas" in html and "fr-alert--error" in html
        assert f'<a class="fr-btn" href="{path}">Revenir à la première page</a>' in html


def test_an_empty_list_has_its_page_one_and_no_other(client):
    empty = client.get("/offres.json?step=informer&aide=formation")
    assert empty.status_code == 200 and empty.get_json()["total"] == 0
    assert empty.get_json()["pages"] == 1
    assert client.get("/offres?step=informer&aide=formation&page=2").status_code == 404
    assert client.get("/recherche?q=zzqxwv").status_code == 200
    assert client.get("/recherche?q=zzqxwv&page=2").status_code == 404


def test_malformed_page_numbers_stay_a_400(client):
    # « +10 », « 1_0 » and Arabic-Indic digits are numbers for Python's int(), not for us:
    # a second address for one page (and, past the last, a 404 where a 400 belongs).
    for value in ("0", "-1", "abc", "1001", "+10", "1_0", "\u0661\u0660", "2.0"):
        assert client.get("/offres", query_string={"page": value}).status_code == 400, value
        assert client.get("/api/search", query_string={"page": value}).status_code == 400, value


# -- texts without letters ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["*", "?", "**", "*?", "...", " - ", "«»", "%"])
def test_a_text_without_letters_is_not_searched_and_lists_nothing(client, text):
    assert is_wildcard(text.strip())
    data = client.get("/api/search", query_string={"q": text}).get_json()
    assert (data["total"], data["results"]) == (0, [])
    assert "ne contient ni lettre ni chiffre" in data["notice"]
    response = client.get("/recherche", query_string={"q": text})
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and "ne contient ni lettre ni chiffre" in html
    assert 'class="portail-results"' not in html and 'role="status"' not in html


def test_a_text_without_letters_leaves_the_filters_alone(client):
    plain = client.get("/api/search?step=gerer").get_json()
    starred = client.get("/api/search?step=gerer&q=*").get_json()
    assert starred["total"] == plain["total"] > 0
    assert [r["url"] for r in starred["results"]] == [r["url"] for r in plain["results"]]
    assert "ne contient ni lettre ni chiffre" in starred["notice"]


@pytest.mark.parametrize("text", ["*", "?", "..."])
def test_the_country_search_ignores_a_text_without_letters(client, text):
    data = client.get("/pays.json", query_string={"q": text}).get_json()
    assert data["found"] == [] and data["query"] is None and data["notice"]
    html = unescape(client.get("/pays", query_string={"q": text}).get_data(as_text=True))
    assert "ne contient ni lettre ni chiffre" in html and "Pays correspondant" not in html


def test_words_with_a_star_are_still_searched(client):
    assert client.get("/api/search?q=export*").get_json()["total"] > 0


# -- any parameters: 200, 400 or 404, never 500 -----------------------------------------------

PATHS = [
    "/recherche",
    "/recherche.json",
    "/api/search",
    "/etapes/prospecter",
    "/etapes/gerer.json",
    "/offres",
    "/offres.json",
    "/agenda",
    "/agenda/archives.json",
    "/pays.json",
    "/flux.atom",
]
NAMES = ("q", "step", "kind", "country", "region", "provider", "sector", "page", "per_page")
NAMES += ("sort", "literal", "aide", "public", "month", "date_from")
VALUES = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.sampled_from(
        [
            "*",
            "?",
            "export",
            "84",
            "99",
            "national",
            "DE",
            "zz",
            "Bpifrance",
            "prospecter",
            "offer",
            "pme",
            "conseil",
            "vins-spiritueux",
            "2027-03",
            "date",
            "1",
            "2",
            "0",
            "-1",
            "1e3",
            "99999999999",
        ]
    ),
    st.integers(-5, 2000).map(str),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=4), st.sampled_from(PATHS))
def test_any_parameters_give_200_400_or_404_never_500(client, params, path):
    response = client.get(path, query_string=params)
    assert response.status_code in (200, 400, 404), (path, params, response.status_code)
    if response.status_code == 404:  # only a page past the last
        assert "page" in params, (path, params)
    if response.status_code != 200 and is_json(path):
        error = response.get_json()
        assert error["error"] and error.get("parameter"), (path, params, error)
