"""The JSON twins of the browsing pages (webui/twins.py): reachable by a `.json` suffix and by
`Accept: application/json`, announced by each HTML page, valid against /api/openapi.json, and
giving the values the HTML page shows. Real index of the crawled demo web."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from portail.actors import ACTORS
from webui import create_app
from webui.layout import french_date

TODAY = "2026-11-27"
# (HTML page, its twin, the schema of the twin's answer)
TWINS = [
    ("/", "/accueil.json", "Home"),
    ("/etapes", "/etapes.json", "Steps"),
    ("/etapes/gerer", "/etapes/gerer.json", "Step"),
    ("/etapes/prospecter?region=84", "/etapes/prospecter.json?region=84", "Step"),
    (
        "/etapes/gerer?provider=Douane&country=GB",
        "/etapes/gerer.json?provider=Douane&country=GB",
        "Step",
    ),
    ("/recherche?q=douane", "/recherche.json?q=douane", "SearchResults"),
    ("/offres", "/offres.json", "OffersPage"),
    ("/offres?provider=Bpifrance&page=2", "/offres.json?provider=Bpifrance&page=2", "OffersPage"),
    ("/offres?region=84&public=pme", "/offres.json?region=84&public=pme", "OffersPage"),
    ("/partenaires", "/partenaires.json", "Partners"),
    ("/partenaires/bpifrance", "/partenaires/bpifrance.json", "Partner"),
    ("/partenaires/douane", "/partenaires/douane.json", "Partner"),
    ("/partenaires/region-occitanie", "/partenaires/region-occitanie.json", "Partner"),
    ("/regions", "/regions.json", "Regions"),
    ("/regions/84", "/regions/84.json", "Region"),
    ("/regions/02", "/regions/02.json", "Region"),
    ("/pays", "/pays.json", "CountryDirectory"),
    ("/pays/de", "/pays/de.json", "Country"),
    ("/agenda", "/agenda.json", "AgendaPage"),
    ("/agenda/archives", "/agenda/archives.json", "AgendaPage"),
]


@pytest.fixture(scope="module")
def app(indexed_data):
    return create_app({"DATA_DIR": str(indexed_data), "TODAY": TODAY, "TESTING": True})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def spec(client):
    return client.get("/api/openapi.json").get_json()


def nullable_to_json_schema(schema):
    """OpenAPI 3.0's `nullable` as JSON Schema (`type: [t, "null"]`), everywhere."""
    if isinstance(schema, list):
        return [nullable_to_json_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: nullable_to_json_schema(v) for k, v in schema.items() if k != "nullable"}
    if schema.get("nullable"):
        out["type"] = [schema["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


@pytest.fixture(scope="module")
def validate(spec):
    """Check a document against a schema of /api/openapi.json."""
    components = nullable_to_json_schema(spec["components"])

    def check(document, schema: str) -> None:
        root = {"$ref": f"#/components/schemas/{schema}", "components": components}
        validator = Draft202012Validator(root, format_checker=FormatChecker())
        errors = sorted(validator.iter_errors(document), key=str)
        assert not errors, [f"{list(e.absolute_path)} : {e.message}" for e in errors[:5]]

    return check


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return unescape(response.get_data(as_text=True))


def twin(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.content_type == "application/json"
    return response.get_json()


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def outbound(html: str) -> list[str]:
    """The original pages a page links to, in order (cards and list items)."""
    return re.findall(
        r'<a(?: class="[^"]*")? href="([^"]+)" target="_blank" rel="noopener"><span', html
    )


def section(html: str, heading_id: str) -> str:
    """The HTML of the <section> whose heading has this id."""
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


# -- every twin: reachable both ways, announced, valid ---------------------------------------


@pytest.mark.parametrize("html_path, json_path, schema", TWINS)
def test_every_twin_is_valid_and_answers_both_ways(client, validate, html_path, json_path, schema):
    data = twin(client, json_path)
    validate(data, schema)
    by_header = client.get(html_path, headers={"Accept": "application/json"})
    assert by_header.content_type == "application/json"
    assert by_header.get_json() == data
    assert "Accept" in by_header.headers["Vary"]
    browser = client.get(html_path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.content_type.startswith("text/html")


@pytest.mark.parametrize("html_path, json_path, schema", TWINS)
def test_every_page_announces_its_twin(client, html_path, json_path, schema):
    links = re.findall(
        r'<link rel="alternate" type="application/json" title="[^"]+" href="([^"]+)">',
        page(client, html_path),
    )
    assert links == [json_path]


def test_the_openapi_document_describes_every_twin(spec):
    paths = spec["paths"]
    for twin_path in (
        "/accueil.json",
        "/etapes.json",
        "/etapes/{step_id}.json",
        "/recherche.json",
        "/offres.json",
        "/offres/{offer_id}.json",
        "/partenaires.json",
        "/partenaires/{provider_id}.json",
        "/regions.json",
        "/regions/{code}.json",
    ):
        responses = paths[twin_path]["get"]["responses"]
        schema = responses["200"]["content"]["application/json"]["schema"]["$ref"]
        assert schema.split("/")[-1] in spec["components"]["schemas"], twin_path
    for filtered in ("/etapes/{step_id}.json", "/offres.json", "/recherche.json", "/api/search"):
        assert "400" in paths[filtered]["get"]["responses"], filtered
    for paginated in ("/offres.json", "/recherche.json", "/api/search", "/agenda.json"):
        assert "404" in paths[paginated]["get"]["responses"], paginated
        names = {p["name"] for p in paths[paginated]["get"]["parameters"]}
        assert "page" in names
    error = spec["components"]["schemas"]["Error"]["properties"]
    assert {"error", "parameter", "accepted", "first_page"} <= set(error)


@pytest.mark.parametrize(
    "path",
    [
        "/offres/nulle-part-0000000000.json",
        "/partenaires/personne.json",
        "/regions/99.json",
        "/etapes/voyager.json",
    ],
)
def test_an_unknown_address_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.content_type == "application/json"
    assert response.get_json()["error"]


def test_the_twins_are_not_announced_on_error_pages(client):
    html = client.get("/offres?region=99").get_data(as_text=True)
    assert 'type="application/json"' not in html


# -- the JSON gives what the HTML shows --------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["", "?page=2", "?provider=Bpifrance&page=2", "?region=84&public=pme"]
)
def test_the_offers_twin_lists_the_offers_the_page_shows(client, query):
    data = twin(client, f"/offres.json{query}")
    html = page(client, f"/offres{query}")
    shown = re.findall(r'<h2 class="fr-card__title"><a href="/offres/([^"]+)">', html)
    assert shown == [o["id"] for o in data["offers"]] and shown
    assert f"<strong>{data['total']}</strong> offre" in html
    for name, choices in data["options"].items():
        select = html[html.index(f'id="filtre-{name}"') :]
        select = select[: select.index("</select>")]
        values = re.findall(r'<option value="([^"]*)"', select)[1:]
        assert values == [c["value"] for c in choices], name
    if data["pages"] > 1:
        assert f"page {data['page']} sur {data['pages']}" in html


@pytest.mark.parametrize("query", ["", "?acteur=prive", "?acteur=associatif&page=1"])
def test_the_offers_twin_gives_each_offers_actor_as_its_card_tags_it(client, query):
    offers = twin(client, f"/offres.json{query}")["offers"]
    cards = page(client, f"/offres{query}").split("portail-offer")[1:]
    assert offers and len(cards) == len(offers)
    for offer, card in zip(offers, cards, strict=True):
        tag = re.search(r'portail-tag--actor">([^<]+)<', card)
        actor = offer.get("actor")
        assert actor in ACTORS, offer["id"]
        assert (tag[1] if tag else None) == (None if actor == "public" else ACTORS[actor])


def test_the_offers_twin_links_its_pages(client, validate):
    first = twin(client, "/offres.json?step=strategie")
    assert first["links"]["previous"] is None and first["pages"] > 1
    second = twin(client, local(first["links"]["next"]))
    validate(second, "OffersPage")
    assert second["page"] == 2 and second["filters"] == {"step": "strategie"}
    last = twin(client, local(first["links"]["last"]))
    assert last["page"] == first["pages"] and last["links"]["next"] is None
    assert local(first["links"]["html"]) == "/offres?step=strategie"


def test_the_offer_twin_gives_what_the_offer_page_shows(client, validate):
    listed = twin(client, "/offres.json?region=84")["offers"]
    for summary in listed[:5]:
        data = twin(client, f"/offres/{summary['id']}.json")
        validate(data, "Offer")
        html = page(client, f"/offres/{summary['id']}")
        assert f"<h1>{data['title']}</h1>" in html
        assert data["url"] in html and data["provider"] in html
        for cue in data["benefits"]:
            assert f'<a href="/offres?aide={cue["id"]}">{cue["label"]}</a>' in html
        for step in data["steps"]:
            assert f'<a href="/offres?step={step}">' in html
        cards = re.findall(r'<h3 class="fr-card__title"><a href="/offres/([^"]+)">', html)
        assert cards == [o["id"] for o in data["same_provider"] + data["same_step"]]
        if data["partner"]:
            assert f'href="/partenaires/{data["partner"]["id"]}"' in html
        assert {summary[k] == data[k] for k in summary} == {True}


def test_the_partners_twin_gives_the_directory_and_the_table(client):
    data = twin(client, "/partenaires.json")
    html = page(client, "/partenaires")
    cards = re.findall(r'<h3 class="fr-card__title"><a href="/partenaires/([^"]+)">', html)
    assert cards == [p["id"] for g in data["groups"] for p in g["partners"]]
    for group in data["groups"]:
        assert f">{group['label']}</h2>" in html
    rows = re.findall(
        r'<th scope="row"><a href="/partenaires/([^"]+)">[^<]+</a></th>\s*<td>(\d+)</td>', html
    )
    assert rows == [(o["id"], str(o["resources"])) for o in data["organisations"]]
    assert len(data["regions"]) == 18


@pytest.mark.parametrize("partner", ["bpifrance", "douane", "region-occitanie"])
def test_the_partner_twin_gives_what_the_partner_page_shows(client, partner):
    data = twin(client, f"/partenaires/{partner}.json")
    html = page(client, f"/partenaires/{partner}")
    assert f"<h1>{data['name']}</h1>" in html
    assert f"{data['resources']} ressource" in html
    offers = section(html, "offres-titre") if data["offers"] else ""
    listed = re.findall(r'<th scope="row"><a href="/offres/([^"]+)">', offers)
    assert listed == [o["id"] for o in data["offers"]]
    contacts = section(html, "contacts-titre") if data["contacts"] else ""
    names = re.findall(r'class="fr-card__title">([^<]+)</h3>', contacts)
    assert names == [c["name"] for c in data["contacts"]]
    steps = re.findall(
        r'Étape (\d) : [^<]+</a> <span class="fr-badge[^"]*">(\d+)</span></h3>',
        section(html, "etapes-titre"),
    )
    assert steps == [(str(s["number"]), str(s["resources"])) for s in data["by_step"]]
    by_step = [u for s in data["by_step"] for u in (p["url"] for p in s["pages"])]
    assert outbound(section(html, "etapes-titre")) == by_step
    for kind in data["kinds"]:
        assert f"{kind['label']} ({kind['count']})" in html


def test_the_regions_twin_gives_the_tables(client):
    data = twin(client, "/regions.json")
    html = page(client, "/regions")
    rows = re.findall(
        r'<th scope="row"><a href="/regions/(\d\d)">[^<]+</a></th>\s*'
        r"<td>(\d+)</td>\s*<td>(\d+)</td>\s*<td>(\d+)</td>",
        html,
    )
    expected = [
        (r["code"], str(r["contacts"]), str(r["resources"]), str(r["events"]))
        for r in data["metropolitan"] + data["overseas"]
    ]
    assert rows == expected and len(rows) == 18


@pytest.mark.parametrize("code", ["84", "76", "32", "02"])
def test_the_region_twin_gives_what_the_region_page_shows(client, code):
    data = twin(client, f"/regions/{code}.json")
    html = page(client, f"/regions/{code}")
    assert f"{data['resources']} ressource" in html
    names = re.findall(r'class="fr-card__title">([^<]+)</h[34]>', section(html, "contacts-titre"))
    assert names == [c["name"] for c in data["contacts"]]
    offers = re.findall(r'class="fr-card__title"><a href="/offres/([^"]+)">', html)
    assert offers == [o["id"] for o in data["offers"]][:6]
    events = outbound(section(html, "evenements-titre"))
    assert events == [e["url"] for e in data["events"]]
    tags = re.findall(r"Étape (\d) : [^<]+ \((\d+)\)</a>", html)
    assert tags == [(str(s["number"]), str(s["resources"])) for s in data["steps"]]
    if data["latest"]:
        assert outbound(section(html, "nouveautes-titre")) == [p["url"] for p in data["latest"]]


@pytest.mark.parametrize(
    "query", ["", "?region=84", "?provider=Douane", "?country=GB", "?sector=vins-spiritueux"]
)
def test_the_step_twin_gives_what_the_step_page_shows(client, query):
    data = twin(client, f"/etapes/gerer.json{query}")
    html = page(client, f"/etapes/gerer{query}")
    assert f"{data['total']} ressource" in html
    sections = re.findall(
        r'<h2 class="fr-h4" id="type-(\w+)">[^<]+<span class="fr-badge[^"]*">(\d+)</span>', html
    )
    assert sections == [(s["kind"], str(s["resources"])) for s in data["sections"]]
    shown = outbound(html[html.index('role="status"') :])
    assert shown == [p["url"] for s in data["sections"] for p in s["pages"]]
    assert data["filters"] == dict(p.split("=") for p in query[1:].split("&") if p)
    for name, choices in data["options"].items():
        if choices:
            select = html[html.index(f'id="filtre-{name}"') :]
            values = re.findall(r'<option value="([^"]*)"', select[: select.index("</select>")])
            assert values[1:] == [c["value"] for c in choices]


def list_items(html: str, heading_id: str) -> list[str]:
    """The items of the short list under a heading (the HTML of each)."""
    return section(html, heading_id).split('<li class="portail-list__item">')[1:]


def original_links(item: str) -> list[str]:
    """Every original page a piece of HTML links to, in order (an event: its organisers)."""
    return re.findall(r'href="(http[^"]+)" target="_blank"', item)


def an_offer_with_events(client) -> str:
    offers = twin(client, "/offres.json")["offers"]
    return next(o["id"] for o in offers if twin(client, f"/offres/{o['id']}.json")["events"])


@pytest.mark.parametrize(
    "path, heading_id",
    [
        ("/", "agenda-titre"),
        ("/pays/de", "evenements-titre"),
        ("/secteurs/agroalimentaire", "evenements-titre"),
        ("/regions/76", "evenements-titre"),
        ("/partenaires/business-france", "evenements-titre"),
        ("/offres/{offer}", "evenements-titre"),
    ],
)
def test_each_twins_event_carries_every_organisers_link_its_page_shows(client, path, heading_id):
    if "{offer}" in path:
        path = path.format(offer=an_offer_with_events(client))
    json_path = "/accueil.json" if path == "/" else f"{path}.json"
    events = twin(client, json_path)["events"]
    items = list_items(page(client, path), heading_id)
    assert items and len(items) == len(events)
    for entry, item in zip(events, items, strict=True):
        assert [o["url"] for o in entry.get("organisers", [])] == original_links(item)
        assert f'<time datetime="{entry.get("start")}">' in item
        shown = [f" · {entry['city']}"] if entry.get("city") else []
        shown += [" · en ligne"] if entry.get("online") else []
        assert shown and all(text in item for text in shown), item


@pytest.mark.parametrize("query", ["q=salon", "q=webinaire", "step=prospecter&kind=event&page=2"])
def test_the_search_twin_gives_each_events_dates_and_place_its_card_shows(client, query):
    results = twin(client, f"/recherche.json?{query}")["results"]
    cards = page(client, f"/recherche?{query}").split('class="fr-card__title"')[1:]
    assert len(cards) == len(results) and any(r.get("start") for r in results)
    for result, card in zip(results, cards, strict=True):
        shown = re.search(r'fr-icon-calendar-event-line">(.*?)</p>', card, re.S)
        assert bool(result.get("start")) == bool(shown), result["url"]
        if shown:
            when = [french_date(result["start"]), french_date(result["end"])]
            where = [result["city"]] if result["city"] else []
            where += ["en ligne"] if result["online"] else []
            assert where and all(text in shown[1] for text in when + where), result["url"]


@pytest.mark.parametrize(
    "path, json_path", [("/", "/accueil.json"), ("/regions/76", "/regions/76.json")]
)
def test_the_home_and_region_twins_give_the_news_their_pages_show(client, path, json_path):
    stories = twin(client, json_path).get("news", [])
    shown = original_links(section(page(client, path), "actualites-titre"))
    assert shown and [s["url"] for s in stories] == shown


def test_the_home_twin_gives_the_dates_its_latest_pages_show(client):
    """An event's first day, else the page's own date, else the day the portal found it."""
    latest = twin(client, "/accueil.json")["latest"]
    items = list_items(page(client, "/"), "nouveautes-titre")
    assert items and len(items) == len(latest)
    for entry, item in zip(latest, items, strict=True):
        if entry.get("start"):  # an event: its first day
            assert f'<time datetime="{entry["start"]}">' in item
        elif entry.get("updated"):
            assert f'<time datetime="{entry["updated"]}">' in item
        else:
            assert f'ajouté le <time datetime="{entry.get("added")}">' in item


def test_the_steps_twin_and_the_home_twin_count_like_their_pages(client):
    steps = twin(client, "/etapes.json")["steps"]
    home = twin(client, "/accueil.json")
    assert [s["id"] for s in steps] == [s["id"] for s in home["steps"]]
    html = page(client, "/")
    for step in home["steps"]:
        n = step["resources"]
        assert f'<p class="fr-tile__detail">{n} ressource{"s" if n > 1 else ""}</p>' in html
    latest = outbound(html)
    assert [p["url"] for p in home["latest"]] == latest[: len(home["latest"])]
    assert {s["resources"] for s in steps} == {s["resources"] for s in home["steps"]}


def test_the_search_twin_is_the_apis_answer(client):
    for query in ("q=douane", "q=salon&step=prospecter", "step=gerer&page=2"):
        data = twin(client, f"/recherche.json?{query}")
        assert data == twin(client, f"/api/search?{query}")
        html = page(client, f"/recherche?{query}")
        assert f"<strong>{data['total']}</strong> résultat" in html
        shown = re.findall(r'class="fr-card__title"><a href="([^"]+)"', html)
        assert shown == [r["url"] for r in data["results"]]
