"""The V.I.E. board (/vie): the offers crawled from the demo board (rendered in the browser
from its JSON API) against the manifest, filters, orders, expiry on the day, a withdrawn offer
gone at the next crawl, the Atom feed per filter, the JSON twins against their OpenAPI schemas,
the companies' pages."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from html import unescape
from typing import Any
from urllib.parse import urlencode, urlsplit

import feedparser
import pytest
from jsonschema import Draft202012Validator, FormatChecker

from conftest import DEMO_SOURCES, run_portail
from demo.offers import job
from portail.db import open_store
from portail.schema import DataError, check_toml
from webui import board, content, create_app, vie
from webui.layout import french_date
from webui.zones import zone_of

FIELDS = ("reference", "mission", "company", "country", "city", "months", "telework")


@pytest.fixture(scope="module")
def today(demo_web) -> date:
    """The day the session's demo board was crawled (its offers are dated from it)."""
    return demo_web.today


@pytest.fixture(scope="module")
def make_app(indexed_data):
    apps: dict[str, Any] = {}

    def make(day: date, data=indexed_data):
        key = f"{data}:{day}"
        if key not in apps:
            config = {"DATA_DIR": str(data), "TODAY": day.isoformat(), "TESTING": True}
            apps[key] = create_app(config)
        return apps[key]

    return make


@pytest.fixture(scope="module")
def client(make_app, today):
    return make_app(today).test_client()


@pytest.fixture(scope="module")
def offers(manifest, demo_web) -> list[dict[str, Any]]:
    """The manifest's V.I.E. and V.I.A. offers, dated as the session's demo board dates them."""
    dated = {job(p)["reference"]: job(p) for p in demo_web.sites["vie"].board.offers}
    out = []
    for page in manifest["pages"]:
        if "job" in page:
            served = dated[page["job"]["reference"]]
            out.append({**page, "job": {**page["job"], **{k: served[k] for k in DATES}}})
    return out


DATES = ("posted", "deadline", "start")


def every_offer(client, **params: str) -> list[dict[str, Any]]:
    """All the offers of /vie.json for these parameters, page after page."""
    found: list[dict[str, Any]] = []
    url: str | None = "/vie.json?" + urlencode(params)
    while url:
        data = client.get(url).get_json()
        found += data["offers"]
        following = data["links"]["next"]
        url = f"{urlsplit(following).path}?{urlsplit(following).query}" if following else None
    return found


def page_text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


# -- the offers of the index ---------------------------------------------------------------------


def test_the_offers_in_the_index_match_the_manifest(make_app, today, offers):
    app = make_app(today)
    with app.test_request_context():
        indexed = {o.url: o for o in board.every_offer()}
    assert len(offers) >= 80 and sorted(indexed) == sorted(p["url"] for p in offers)
    for page in offers:
        offer, expected = indexed[page["url"]], page["job"]
        assert {f: getattr(offer, f) for f in FIELDS} == {f: expected[f] for f in FIELDS}
        assert (offer.posted, offer.deadline, offer.start) == tuple(expected[d] for d in DATES)
        assert sorted(offer.sectors) == sorted(page["sectors"]), offer.url
        assert offer.title == page["title"] and offer.provider == "Business France"


def test_the_board_lists_every_open_offer_latest_first(client, offers, today):
    listed = every_offer(client)
    assert len(listed) == len(offers)
    assert [o["posted"] for o in listed] == sorted((o["posted"] for o in listed), reverse=True)
    first = client.get("/vie")
    assert first.status_code == 200
    assert f"Les {len(offers)} offres de volontariat international" in page_text(first)
    assert page_text(first).count('class="fr-card fr-card--no-arrow portail-vie"') == vie.PER_PAGE


def test_two_filters_give_the_offers_that_pass_both(client, offers):
    zones = Counter(zone_of(p["job"]["country"]).id for p in offers)
    zone = zones.most_common(1)[0][0]
    in_zone = [p for p in offers if zone_of(p["job"]["country"]).id == zone]
    sector = Counter(s for p in in_zone for s in p["sectors"]).most_common(1)[0][0]
    expected = {p["job"]["reference"] for p in in_zone if sector in p["sectors"]}
    assert 2 <= len(expected) < len(in_zone)
    listed = every_offer(client, zone=zone, sector=sector)
    assert {o["reference"] for o in listed} == expected
    html = page_text(client.get("/vie?" + urlencode({"zone": zone, "sector": sector})))
    assert f"<strong>{len(expected)}</strong> offres correspondant à vos critères" in html
    # Each filter's counts keep the other filter: the zone's sectors, the sector's zones.
    facets = client.get(f"/vie.json?zone={zone}&sector={sector}").get_json()["facets"]
    assert {f["value"]: f["count"] for f in facets["zone"]}[zone] == len(expected)
    sectors_in_zone = Counter(s for p in in_zone for s in p["sectors"])
    assert {f["value"]: f["count"] for f in facets["sector"]} == dict(sectors_in_zone)


def duration_of(months: int) -> str:
    return next(d for d, _, low, high in board.DURATIONS if low <= months <= high)


@pytest.mark.parametrize(
    "name, value_of",
    [
        ("country", lambda p: [p["job"]["country"]]),
        ("mission", lambda p: [p["job"]["reference"][:3].lower()]),
        ("start", lambda p: [p["job"]["start"][:7]]),
        ("duration", lambda p: [duration_of(p["job"]["months"])]),
    ],
)
def test_each_filter_keeps_the_offers_of_its_value(client, offers, name, value_of):
    counts = Counter(v for p in offers for v in value_of(p))
    value, count = counts.most_common(1)[0]
    listed = every_offer(client, **{name: value})
    assert sorted(o["reference"] for o in listed) == sorted(
        p["job"]["reference"] for p in offers if value in value_of(p)
    )
    assert len(listed) == count


@pytest.mark.parametrize("order, key", [("deadline", "deadline"), ("start", "start")])
def test_the_board_sorts_by_deadline_or_start_soonest_first(client, order, key):
    listed = every_offer(client, sort=order)
    assert [o[key] for o in listed] == sorted(o[key] for o in listed)
    assert client.get(f"/vie.json?sort={order}").get_json()["sort"] == order


# -- expiry and withdrawal -----------------------------------------------------------------------


def test_an_offer_leaves_the_board_the_day_after_its_deadline(make_app, offers):
    deadlines = sorted({p["job"]["deadline"] for p in offers})
    day = date.fromisoformat(deadlines[len(deadlines) // 3])
    client = make_app(day).test_client()
    listed = {o["reference"]: o for o in every_offer(client)}
    still_open = {p["job"]["reference"] for p in offers if p["job"]["deadline"] >= day.isoformat()}
    assert set(listed) == still_open and len(still_open) < len(offers)
    closing_today = [r for r, o in listed.items() if o["deadline"] == day.isoformat()]
    assert closing_today and all(listed[r]["days_left"] == 0 for r in closing_today)
    html = page_text(client.get("/vie?sort=deadline"))
    assert html.count(">Clôture aujourd'hui<") == min(len(closing_today), vie.PER_PAGE)
    next_day = make_app(day + timedelta(days=1)).test_client()
    assert not {o["reference"] for o in every_offer(next_day)} & set(closing_today)


def test_closing_badges_count_the_days_left(client, offers, today):
    html = page_text(client.get("/vie?sort=deadline"))
    cards = {c.split('"', 1)[0]: c for c in html.split('id="offre-')[1:]}
    assert len(cards) == vie.PER_PAGE
    for page in offers:
        card = cards.get(page["job"]["reference"].lower())
        if card is None:
            continue  # not on the first page
        left = (date.fromisoformat(page["job"]["deadline"]) - today).days
        wanted = {0: "Clôture aujourd'hui", 1: "Clôture demain"}.get(
            left, f"Clôture dans {left} jours" if left <= board.CLOSING_SOON else None
        )
        badge = re.search(r'portail-vie__closing">([^<]+)<', card)
        assert (badge[1] if badge else None) == wanted, page["url"]


def test_the_board_twin_flags_the_offers_its_cards_badge_new_or_closing(client):
    seen = []
    for query in ("", "?sort=deadline"):
        offers = client.get(f"/vie.json{query}").get_json()["offers"]
        cards = page_text(client.get(f"/vie{query}")).split('portail-vie"')[1:]
        assert len(cards) == len(offers)
        flags = [(o.get("new"), o.get("closing_soon")) for o in offers]
        badges = [("fr-badge--new" in c, "portail-vie__closing" in c) for c in cards]
        assert flags == badges, query
        seen += badges
    assert any(new for new, _ in seen) and any(closing for _, closing in seen)


def test_a_withdrawn_offer_leaves_at_the_next_crawl(fresh_demo_web, tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text(fresh_demo_web.rewrite(DEMO_SOURCES.read_text("utf-8")), "utf-8")
    data = tmp_path / "var"

    def crawl_and_index() -> None:
        result = run_portail("crawl", "--sources", str(sources), "--source", "vie", data=data)
        assert result.returncode == 0, result.stderr[-2000:]
        assert run_portail("index", data=data).returncode == 0

    def listed(day: date) -> set[str]:
        app = create_app({"DATA_DIR": str(data), "TODAY": day.isoformat(), "TESTING": True})
        return {o["reference"] for o in every_offer(app.test_client())}

    web_board = fresh_demo_web.sites["vie"].board
    crawl_and_index()
    before = listed(fresh_demo_web.today)
    is_live = fresh_demo_web.is_live
    assert before == {job(p)["reference"] for p in web_board.offers if is_live("vie", p)}
    withdrawn = fresh_demo_web.remove_offer(sorted(before)[0])
    later = fresh_demo_web.move_clock(5)  # and some offers close at the source meanwhile
    crawl_and_index()
    live = {job(p)["reference"] for p in web_board.offers if is_live("vie", p)}
    closed = before - live - {job(withdrawn)["reference"]}
    assert closed, "the clock should have closed some offers"
    assert listed(later) == live
    store = open_store(data)
    gone = {r["url"] for r in store.pages(status="gone")}
    store.close()
    origin = fresh_demo_web.origin("vie")
    assert origin + withdrawn.path in gone  # the crawler marked it gone at once
    # The closed offers left the board by the date, and the store by the crawl.
    assert {origin + p.path for p in web_board.offers if job(p)["reference"] in closed} <= gone


# -- the feed ------------------------------------------------------------------------------------


def test_the_atom_feed_of_a_filter_lists_its_offers_latest_first(client, offers, make_app, today):
    country = Counter(p["job"]["country"] for p in offers).most_common(1)[0][0]
    wanted = [p for p in offers if p["job"]["country"] == country]
    response = client.get(f"/vie.atom?country={country}")
    assert response.content_type == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    with make_app(today).test_request_context():
        name = board.value_label("country", country)
    assert feed.feed.title.endswith(f"— {name}")
    assert sorted(e.link for e in feed.entries) == sorted(p["url"] for p in wanted)
    published = [e.published[:10] for e in feed.entries]
    assert published == sorted(published, reverse=True)
    entry = next(e for e in feed.entries if e.link == wanted[0]["url"])
    assert entry.title == wanted[0]["title"]
    assert wanted[0]["job"]["company"] in entry.summary and entry.author
    assert {t.term for t in entry.tags} == {
        wanted[0]["job"]["reference"][:3].lower(),
        *wanted[0]["sectors"],
    }


def test_the_whole_feed_is_capped_and_its_page_announces_it(client, make_app, today):
    feed = feedparser.parse(client.get("/vie.atom").data)
    assert len(feed.entries) == make_app(today).config["FEED_SIZE"]
    html = client.get("/vie?mission=via").get_data(as_text=True)
    assert 'title="Offres de V.I.E. (filtrées)" href="/vie.atom?mission=via"' in html


# -- the JSON twins ------------------------------------------------------------------------------


def nullable_to_json_schema(schema: Any) -> Any:
    """OpenAPI 3.0's `nullable` as JSON Schema (`type: [t, "null"]`)."""
    if isinstance(schema, list):
        return [nullable_to_json_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: nullable_to_json_schema(v) for k, v in schema.items() if k != "nullable"}
    if schema.get("nullable"):
        if "type" in out:
            out["type"] = [schema["type"], "null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


@pytest.fixture(scope="module")
def validate(client):
    spec = client.get("/api/openapi.json").get_json()
    components = nullable_to_json_schema(spec["components"])

    def check(document: Any, schema: str) -> None:
        root = {"$ref": f"#/components/schemas/{schema}", "components": components}
        validator = Draft202012Validator(root, format_checker=FormatChecker())
        errors = sorted(validator.iter_errors(document), key=str)
        assert not errors, [f"{list(e.absolute_path)} : {e.message}" for e in errors[:5]]

    return check


def test_the_openapi_document_describes_the_board(client):
    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/vie.json"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {*board.FILTERS, "sort", "page"}
    assert "/vie/entreprises/{id}.json" in spec["paths"]
    assert {"VieBoard", "VieOffer", "VieCompany"} <= set(spec["components"]["schemas"])


def test_the_json_twins_match_their_schemas(client, validate):
    for url in ("/vie.json", "/vie.json?mission=via&sort=start", "/vie.json?page=2"):
        validate(client.get(url).get_json(), "VieBoard")
    data = client.get("/vie.json").get_json()
    company = data["offers"][0]["company_page"].split("/vie/entreprises/", 1)[1]
    validate(client.get(f"/vie/entreprises/{company}.json").get_json(), "VieCompany")


def test_the_validator_catches_what_the_schema_forbids(client, validate):
    offer = client.get("/vie.json").get_json()["offers"][0]
    with pytest.raises(AssertionError):
        validate({**offer, "mission": "CDI"}, "VieOffer")
    with pytest.raises(AssertionError):
        validate({k: v for k, v in offer.items() if k != "deadline"}, "VieOffer")


def test_the_board_answers_json_to_who_asks_for_it(client):
    response = client.get("/vie?mission=vie", headers={"Accept": "application/json"})
    assert response.is_json and response.get_json()["filters"] == {"mission": "vie"}
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"zone": "mars"}, "Zone inconnue : « mars »."),
        ({"sector": "zzz"}, "Secteur inconnu : « zzz »."),
        ({"duration": "7"}, "Durée inconnue : « 7 »"),
        ({"start": "2027-13"}, "Mois de début invalide : « 2027-13 »"),
        ({"mission": "cdi"}, "Le type de mission vaut « vie » (V.I.E.) ou « via » (V.I.A.)."),
        ({"sort": "salaire"}, "Le tri vaut « publication »"),
        ({"country": "France"}, "Valeur inconnue pour le paramètre « country »"),
        ({"page": "0"}, "« page » doit être compris entre 1 et"),
    ],
)
def test_a_bad_parameter_is_a_400_in_french(client, params, message):
    query = urlencode(params)
    page = client.get(f"/vie?{query}")
    assert page.status_code == 400 and message in page_text(page)
    data = client.get(f"/vie.json?{query}")
    assert data.status_code == 400 and message in data.get_json()["error"]
    ignored = params.keys() & {"page", "sort"}  # the feed is always the latest first
    assert client.get(f"/vie.atom?{query}").status_code == (200 if ignored else 400)


# -- companies -----------------------------------------------------------------------------------


LEAD = "de volontariat international en entreprise (V.I.E.) et en administration (V.I.A.)"


def test_the_board_counts_its_open_offers_in_good_french(client, make_app, offers):
    """« Les 83 offres … ouvertes », « L'offre … ouverte », « Aucune offre … n'est ouverte »."""
    deadlines = sorted(p["job"]["deadline"] for p in offers)
    assert deadlines[-2] < deadlines[-1]  # one offer closes last
    last = date.fromisoformat(deadlines[-1])
    many = page_text(client.get("/vie"))
    assert re.search(rf"Les \d+ offres {re.escape(LEAD)} ouvertes aujourd'hui\.", many)
    one = page_text(make_app(last).test_client().get("/vie"))
    assert f"L'offre {LEAD} ouverte aujourd'hui." in one and "Les 1 " not in one
    none = page_text(make_app(last + timedelta(days=1)).test_client().get("/vie"))
    assert f"Aucune offre {LEAD} n'est ouverte aujourd'hui." in none and "Les 0 " not in none


def test_the_figures_about_the_vie_show_their_sources_and_date(client):
    about = vie.about()
    assert any("18 à 28 ans" in p and "6 à 24 mois" in p for p in about["paragraphs"])
    html = page_text(client.get("/vie"))
    sources = html.split('id="vie-entreprise-sources">')[1].split("</p>")[0]
    for source in about["sources"]:
        assert source["url"].startswith("https://") and f'href="{source["url"]}"' in sources
    assert "service-public.fr" in sources
    assert f"(relevé du {french_date(about['checked'])})" in sources
    text = vie.ABOUT_FILE.read_text("utf-8").replace('checked = "2026-12-06"', "")
    with pytest.raises(DataError) as raised:
        check_toml(text, "vie.toml", vie.ABOUT_SCHEMA)
    assert any("checked" in e for e in raised.value.errors)


def test_a_company_page_gathers_its_offers_and_says_what_the_vie_is(client, offers):
    company, count = Counter(p["job"]["company"] for p in offers).most_common(1)[0]
    assert count >= 2
    slug = content.slugify(company)
    response = client.get(f"/vie/entreprises/{slug}")
    html = page_text(response)
    assert response.status_code == 200 and f"<h1>{company}</h1>" in html
    for page in offers:
        if page["job"]["company"] == company:
            assert f'href="{page["url"]}" target="_blank"' in html
    assert f"{count} offres de volontariat international ouvertes" in html
    assert vie.about()["title"] in html and 'href="/etapes/implanter"' in html
    data = client.get(f"/vie/entreprises/{slug}.json").get_json()
    assert data["total"] == count and {o["company"] for o in data["offers"]} == {company}
    # The journey's V.I.E. pages: aids and guides about the V.I.E., never the offers themselves.
    assert data["pages"] and {p["kind"] for p in data["pages"]} <= {"offer", "guide"}
    assert all(
        "V.I.E" in p["title"] or "olontaire" in p["title"] or "olontariat" in p["title"]
        for p in data["pages"][:3]
    )


def test_a_company_whose_offers_closed_says_so(make_app, offers):
    page = max(offers, key=lambda p: p["job"]["deadline"])
    last = date.fromisoformat(page["job"]["deadline"])
    client = make_app(last + timedelta(days=1)).test_client()
    response = client.get(f"/vie/entreprises/{content.slugify(page['job']['company'])}")
    assert response.status_code == 200
    assert "Aucune offre ouverte aujourd'hui" in page_text(response)


def test_an_unknown_company_is_a_404_in_french(client):
    response = client.get("/vie/entreprises/societe-inconnue")
    assert response.status_code == 404 and "Page non trouvée" in page_text(response)
    assert client.get("/vie/entreprises/societe-inconnue.json").get_json()["error"]


def test_the_step_page_leads_to_the_board(client):
    html = client.get("/etapes/implanter?sector=energie").get_data(as_text=True)
    assert 'href="/vie?sector=energie">Les offres ouvertes de la bourse des V.I.E.</a>' in html


def test_the_navigation_leads_to_the_board(client):
    assert '<a class="fr-nav__link" href="/vie" aria-current="page">V.I.E.</a>' in page_text(
        client.get("/vie")
    )


# -- the editorial file --------------------------------------------------------------------------


def test_the_editorial_file_is_checked():
    vie.about()  # the repository's file is valid
    text = vie.ABOUT_FILE.read_text("utf-8").replace('"implanter"', '"implantation"')
    with pytest.raises(DataError) as raised:
        check_toml(text, "vie.toml", vie.ABOUT_SCHEMA)
    assert any("steps[0]" in e and "implantation" in e for e in raised.value.errors)
