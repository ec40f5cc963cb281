"""The news stream on the web (/actualites, its archives, its JSON twins and Atom feeds, the
« Actualités » of the home, country and region pages) on the crawled and indexed demo web,
« today » fixed at 27 November 2026."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape

import feedparser
import pytest
from flask import Flask, render_template_string
from jsonschema import Draft202012Validator, FormatChecker
from test_agenda import nullable_to_json_schema

from conftest import sql
from webui import create_app, news

TODAY = "2026-11-27"
CUTOFF = "2026-05-27"  # six months before
CARD = 'class="fr-card fr-card--no-arrow portail-story"'


@pytest.fixture(scope="module")
def app(indexed_data):
    return create_app({"DATA_DIR": str(indexed_data), "TODAY": TODAY, "TESTING": True})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def items(indexed_data):
    """The news table, for the expected answers: {url: row} with its tags decoded."""
    rows = {}
    for row in sql(indexed_data, "SELECT * FROM news"):
        row = dict(row)
        for key in ("countries", "regions", "sectors"):
            row[key] = json.loads(row[key])
        rows[row["url"]] = row
    return rows


def story_dates(items) -> dict[str, str]:
    """{story: the date of its first telling}."""
    out: dict[str, str] = {}
    for row in items.values():
        out[row["story"]] = min(out.get(row["story"], "9999"), row["published"])
    return out


def html(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return unescape(response.get_data(as_text=True))


def every_json_page(client, path: str) -> list[dict]:
    """Every story of a listing's JSON twin, following its `next` links."""
    stories, target = [], path
    while target:
        document = client.get(target).get_json()
        stories += document["stories"]
        target = document["links"]["next"]
        target = target.split("localhost", 1)[1] if target else None
    return stories


# -- the listing ----------------------------------------------------------------------------------


def test_the_stream_lists_the_current_stories_latest_first_ten_a_page(client, items):
    current = {s for s, day in story_dates(items).items() if day >= CUTOFF}
    stories = every_json_page(client, "/actualites.json")
    assert len(stories) == len(current) > 10
    dates = [s["published"] for s in stories]
    assert dates == sorted(dates, reverse=True) and min(dates) >= CUTOFF
    first = client.get("/actualites.json").get_json()
    assert (first["per_page"], len(first["stories"]), first["pages"]) == (10, 10, 2)
    assert first["total"] == len(current)


def test_older_stories_are_in_the_archives_latest_first(client, items):
    archived = {s for s, day in story_dates(items).items() if day < CUTOFF}
    stories = every_json_page(client, "/actualites/archives.json")
    assert len(stories) == len(archived) > 0
    dates = [s["published"] for s in stories]
    assert dates == sorted(dates, reverse=True) and max(dates) < CUTOFF
    page = html(client, "/actualites/archives")
    assert "Actualités archivées" in page and "27 mai 2026" in page


def test_the_archive_age_is_a_setting(indexed_data, items):
    app = create_app(
        {"DATA_DIR": str(indexed_data), "TODAY": TODAY, "TESTING": True, "NEWS_ARCHIVE_MONTHS": 12}
    )
    client = app.test_client()
    document = client.get("/actualites.json").get_json()
    assert document["archived_before"] == "2025-11-27"
    assert document["total"] == sum(1 for d in story_dates(items).values() if d >= "2025-11-27")


def test_a_story_told_by_two_bodies_is_one_entry_with_both_links(indexed_data, items):
    app = create_app(
        {"DATA_DIR": str(indexed_data), "TODAY": TODAY, "TESTING": True, "NEWS_ARCHIVE_MONTHS": 12}
    )
    page = html(app.test_client(), "/actualites?country=JP")
    cards = page.split(CARD)[1:]
    relay = [c for c in cards if "Fruitière des Aravis" in c]
    assert len(relay) == 1
    assert "Publiée par 2 organismes" in relay[0]
    links = re.findall(r'href="(http[^"]+)" target="_blank"', relay[0])
    assert any(u.endswith("/actualites/fruitiere-des-aravis-japon") for u in links)
    assert any(u.endswith("/actualites/fromagerie-haute-savoie-importateur-japon") for u in links)
    assert "Région Auvergne-Rhône-Alpes et Business France" in relay[0]


@pytest.mark.parametrize(
    ("name", "value", "column"),
    [
        ("country", "GB", "countries"),
        ("sector", "aeronautique", "sectors"),
        ("region", "76", "regions"),
        ("step", "prospecter", "step"),
    ],
)
def test_each_filter_keeps_the_stories_tagged_with_it(client, items, name, value, column):
    wanted = {
        row["story"]
        for row in items.values()
        if (value == row[column] if column == "step" else value in row[column])
    }
    found = every_json_page(client, f"/actualites.json?{name}={value}") + every_json_page(
        client, f"/actualites/archives.json?{name}={value}"
    )
    assert found, (name, value)
    assert {items[s["links"][0]["url"]]["story"] for s in found} == wanted
    for story in found:
        assert value == story[name] if name == "step" else value in story[column]


def test_filters_combine_and_show_as_removable_tags(client):
    page = html(client, "/actualites?country=GB&sector=aeronautique")
    assert "Farnborough" in page
    assert 'title="Retirer le filtre « Pays : Royaume-Uni »"' in page
    assert 'href="/actualites?sector=aeronautique"' in page
    both = client.get("/actualites.json?country=GB&sector=aeronautique").get_json()
    assert both["filters"] == {"country": "GB", "sector": "aeronautique"}
    assert all("GB" in s["countries"] and "aeronautique" in s["sectors"] for s in both["stories"])


def test_a_filter_that_matches_nothing_says_so(client):
    page = html(client, "/actualites?country=IS")
    assert "Aucune actualité récente ne correspond à ces critères" in page


@pytest.mark.parametrize(
    "query", ["country=Allemagne", "step=nulle-part", "region=99", "page=0", "sector=A B"]
)
def test_bad_parameters_are_a_400_in_french(client, query):
    page = client.get(f"/actualites?{query}")
    assert page.status_code == 400
    assert "Requête incorrecte" in page.get_data(as_text=True)
    as_json = client.get(f"/actualites.json?{query}")
    assert as_json.status_code == 400 and as_json.get_json()["error"]


def test_a_page_past_the_last_shows_the_last(client):
    document = client.get("/actualites.json?page=99").get_json()
    assert document["page"] == document["pages"]


def test_the_listing_pages_link_to_each_other(client):
    first = html(client, "/actualites")
    assert 'href="/actualites?page=2" rel="next"' in first
    assert 'href="/actualites/archives"' in first
    assert 'href="/actualites.atom"' in first and 'href="/actualites.json"' in first
    assert '<form class="portail-filters" action="/actualites" method="get"' in first


# -- the Atom feeds ---------------------------------------------------------------------------


def test_the_atom_feed_of_a_filter_lists_its_stories(client):
    response = client.get("/actualites.atom?country=GB")
    assert response.content_type == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "France International : actualités de l'export — Royaume-Uni"
    expected = every_json_page(client, "/actualites.json?country=GB") + every_json_page(
        client, "/actualites/archives.json?country=GB"
    )
    assert [e.link for e in feed.entries] == [s["url"] for s in expected]
    assert all("GB" in [t.term for t in e.tags] for e in feed.entries)
    assert (
        feed.entries[0].published_parsed[:3]
        == date.fromisoformat(expected[0]["published"]).timetuple()[:3]
    )


def test_the_atom_entry_of_a_relayed_story_links_every_body(client):
    feed = feedparser.parse(client.get("/actualites.atom?country=JP").data)
    (entry,) = [e for e in feed.entries if "Fruitière" in e.title]
    related = [link.href for link in entry.links if link.rel == "related"]
    assert len(related) == 1 and related[0].endswith("/fromagerie-haute-savoie-importateur-japon")
    assert [a.name for a in entry.authors] == ["Région Auvergne-Rhône-Alpes", "Business France"]


def test_the_atom_feed_refuses_bad_filters(client):
    assert client.get("/actualites.atom?step=partout").status_code == 400


# -- the JSON twin and its description -------------------------------------------------------


@pytest.fixture(scope="module")
def validate(client):
    spec = client.get("/api/openapi.json").get_json()

    def check(document, schema: str) -> None:
        root = {
            "$ref": f"#/components/schemas/{schema}",
            "components": nullable_to_json_schema(spec["components"]),
        }
        validator = Draft202012Validator(root, format_checker=FormatChecker())
        errors = sorted(validator.iter_errors(document), key=str)
        assert not errors, [f"{list(e.absolute_path)} : {e.message}" for e in errors[:5]]

    return check


@pytest.mark.parametrize(
    "path",
    ["/actualites.json", "/actualites.json?page=2", "/actualites/archives.json?country=US"],
)
def test_the_json_twin_follows_its_openapi_schema(client, validate, path):
    validate(client.get(path).get_json(), "NewsPage")


def test_the_pages_answer_json_to_who_asks_for_it(client):
    response = client.get("/actualites", headers={"Accept": "application/json"})
    assert response.content_type == "application/json"
    assert "Accept" in response.headers["Vary"]
    assert response.get_json() == client.get("/actualites.json").get_json()


def test_the_openapi_document_describes_the_news_stream(client):
    spec = client.get("/api/openapi.json").get_json()
    for path in ("/actualites.json", "/actualites/archives.json"):
        parameters = {p["name"] for p in spec["paths"][path]["get"]["parameters"]}
        assert parameters == {"country", "region", "sector", "step", "page"}
    assert {"NewsPage", "NewsStory"} <= set(spec["components"]["schemas"])


def test_the_country_json_twin_carries_its_news(client, validate):
    document = client.get("/pays/gb.json").get_json()
    validate(document, "Country")
    assert document["news"] and all("GB" in s["countries"] for s in document["news"])


# -- the other pages -----------------------------------------------------------------------


def test_the_home_page_shows_the_latest_news(client):
    page = html(client, "/")
    section = page.split('id="actualites-titre"', 1)[1].split("</section>", 1)[0]
    latest = client.get("/actualites.json").get_json()["stories"][:4]
    assert [s["title"] for s in latest] == re.findall(
        r'rel="noopener">([^<]+)<span class="fr-sr-only">', section
    )
    assert 'href="/actualites"' in section


def test_the_navigation_leads_to_the_news(client):
    assert '<a class="fr-nav__link" href="/actualites"' in html(client, "/agenda")


@pytest.mark.parametrize(
    ("path", "args", "check"),
    [
        ("/pays/gb", "country=GB", lambda s: "GB" in s["countries"]),
        ("/regions/76", "region=76", lambda s: "76" in s["regions"]),
    ],
)
def test_country_and_region_pages_show_their_news(client, path, args, check):
    page = html(client, path)
    section = page.split('id="actualites-titre"', 1)[1].split("</section>", 1)[0]
    expected = [s for s in client.get(f"/actualites.json?{args}").get_json()["stories"]][:5]
    assert expected and all(check(s) for s in expected)
    for story in expected:
        assert story["title"] in section
    assert f'href="/actualites?{args}"' in section
    assert f'href="/actualites.atom?{args}"' in section


def test_news_for_gives_other_pages_the_stories_of_a_sector(app, items):
    with app.test_request_context("/secteurs/aeronautique"):
        stories = news.news_for(sector="aeronautique", limit=3)
    assert 0 < len(stories) <= 3
    assert all("aeronautique" in s.sectors and s.published >= CUTOFF for s in stories)
    assert [s.published for s in stories] == sorted((s.published for s in stories), reverse=True)


def test_a_sector_page_can_show_its_news_section(app):
    template = (
        '{% from "news/_story.html" import news_section %}'
        '{{ news_section(stories, {"sector": "aeronautique"}, "Actualités du secteur") }}'
    )
    with app.test_request_context("/secteurs/aeronautique"):
        stories = news.news_for(sector="aeronautique")
        section = unescape(render_template_string(template, stories=stories))
    assert stories and '<h2 id="actualites-titre">Actualités du secteur</h2>' in section
    assert [s.title for s in stories] == re.findall(
        r'rel="noopener">([^<]+)<span class="fr-sr-only">', section
    )
    assert 'href="/actualites?sector=aeronautique"' in section
    assert 'href="/actualites.atom?sector=aeronautique"' in section


@pytest.mark.parametrize(
    ("today", "months", "cutoff"),
    [
        ("2026-11-27", 6, "2026-05-27"),
        ("2026-08-31", 6, "2026-02-28"),
        ("2026-03-31", 1, "2026-02-28"),
        ("2028-03-31", 1, "2028-02-29"),
        ("2027-01-15", 12, "2026-01-15"),
        ("2027-01-15", 1, "2026-12-15"),
    ],
)
def test_the_archive_date_is_so_many_months_before_today(today, months, cutoff):
    app = Flask(__name__)
    app.config["NEWS_ARCHIVE_MONTHS"] = months
    with app.app_context():
        assert news.archive_before(date.fromisoformat(today)) == cutoff
