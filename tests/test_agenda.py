"""The agenda (/agenda, /agenda.ics, /agenda/<id>.ics, /agenda/flux.atom) on the crawled and
indexed demo web, the agenda's « today » fixed at 27 November 2026."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from xml.etree import ElementTree as ET

import pytest
from icalendar import Calendar

from indexer.search import SearchQuery
from webui import create_app

TODAY = date(2026, 11, 27)
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def app(indexed_data):
    return create_app({"DATA_DIR": str(indexed_data), "TODAY": TODAY.isoformat(), "TESTING": True})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def cards(client):
    """Every event card of the unfiltered agenda (all its pages): {original URL: card HTML}."""
    out: dict[str, str] = {}
    number = 1
    while True:
        page = unescape(client.get(f"/agenda?page={number}").get_data(as_text=True))
        for card in page.split('class="fr-card fr-card--no-arrow portail-event"')[1:]:
            url = re.search(r'<h3 class="fr-card__title"><a href="([^"]+)"', card)[1]
            out[url] = card
        if f"/agenda?page={number + 1}" not in page:
            return out
        number += 1


def dated_events(manifest) -> list[dict]:
    """The manifest's events (a report on a past fair is news, not an event)."""
    return [
        p
        for p in manifest["pages"]
        if p["kind"] == "event" and p.get("event") and p["event"].get("start")
    ]


def upcoming_events(manifest) -> list[dict]:
    return [p for p in dated_events(manifest) if date.fromisoformat(p["event"]["end"]) >= TODAY]


def past_events(manifest) -> list[dict]:
    return [p for p in dated_events(manifest) if date.fromisoformat(p["event"]["end"]) < TODAY]


def ics_link(card: str) -> str:
    return re.search(r'href="(/agenda/[a-z0-9-]+\.ics)"', card)[1]


def parse_ics(response) -> list:
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.data)
    assert str(cal["VERSION"]) == "2.0" and "France International" in str(cal["PRODID"])
    return list(cal.walk("VEVENT"))


# -- the agenda ----------------------------------------------------------------------------------


def test_every_upcoming_demo_event_is_in_the_agenda_on_its_day(manifest, cards):
    expected = upcoming_events(manifest)
    assert len(expected) >= 20
    for page in expected:
        assert page["url"] in cards, page["url"]
        card = cards[page["url"]]
        assert f'<time datetime="{page["event"]["start"]}">' in card, page["url"]
        if page["event"]["end"] != page["event"]["start"]:
            assert f'<time datetime="{page["event"]["end"]}">' in card, page["url"]


def test_events_are_listed_soonest_first_under_their_month(client):
    page = unescape(client.get("/agenda").get_data(as_text=True))
    starts = re.findall(r'Du <time datetime="([\d-]+)"|Le <time datetime="([\d-]+)"', page)
    days = [a or b for a, b in starts]
    assert days == sorted(days) and days[0] >= "2026-11"
    assert '<h2 class="fr-h4 fr-mt-4w">Janvier 2027</h2>' in page


def test_past_events_leave_the_agenda_but_stay_searchable(manifest, cards, app):
    past = past_events(manifest)
    assert past
    searcher = app.extensions["searcher"]
    events = {h.url for h in searcher.search(SearchQuery(kind="event", per_page=500)).hits}
    for page in past:
        assert page["url"] not in cards, page["url"]
    assert sum(p["url"] in events for p in past) >= len(past) - 1


def test_an_event_card_gives_place_organiser_and_registration_link(manifest, cards):
    page = next(
        p for p in manifest["pages"] if p["url"].endswith("/ces-las-vegas-2027-pavillon-france")
    )
    card = cards[page["url"]]
    assert "Las Vegas, États-Unis" in card and "Organisé par Business France" in card
    assert f'href="{page["url"]}" target="_blank" rel="noopener"' in card
    assert "Étape 4 : Prospecter" in card
    online = next(p for p in upcoming_events(manifest) if p["event"]["online"])
    assert "En ligne" in cards[online["url"]]


# -- iCalendar -----------------------------------------------------------------------------------


def test_each_event_exports_as_an_all_day_icalendar_event(manifest, cards, client):
    for page in upcoming_events(manifest):
        link = ics_link(cards[page["url"]])
        (event,) = parse_ics(client.get(link))
        start = date.fromisoformat(page["event"]["start"])
        end = date.fromisoformat(page["event"]["end"])
        assert event.decoded("DTSTART") == start, page["url"]
        assert event.decoded("DTEND") == end + timedelta(days=1), page["url"]  # exclusive
        assert str(event["URL"]) == page["url"]
        assert str(event["SUMMARY"]) == page["title"]


def test_an_events_uid_is_stable(manifest, cards, client):
    page = upcoming_events(manifest)[0]
    link = ics_link(cards[page["url"]])
    first, second = parse_ics(client.get(link))[0], parse_ics(client.get(link))[0]
    assert str(first["UID"]) == str(second["UID"])
    assert re.fullmatch(r"evenement-[0-9a-f]{8}@france-international", str(first["UID"]))
    assert first.decoded("DTSTAMP") == second.decoded("DTSTAMP")


def test_the_agenda_exports_its_filtered_list(client):
    every = parse_ics(client.get("/agenda.ics"))
    german = parse_ics(client.get("/agenda.ics?country=DE"))
    assert 0 < len(german) < len(every)
    page = unescape(client.get("/agenda?country=DE").get_data(as_text=True))
    assert f"<strong>{len(german)}</strong> événement" in page
    assert 'href="/agenda.ics?country=DE"' in page
    assert len({str(e["UID"]) for e in every}) == len(every)


def test_a_past_events_icalendar_still_works(manifest, client, app):
    from webui.ids import page_id

    page = past_events(manifest)[0]
    hit = app.extensions["searcher"].get(page["url"])
    (event,) = parse_ics(client.get(f"/agenda/{page_id(hit.url, hit.title)}.ics"))
    assert event.decoded("DTSTART") == date.fromisoformat(page["event"]["start"])
    assert client.get("/agenda/inconnu-00000000.ics").status_code == 404


# -- filters -----------------------------------------------------------------------------------


def event_days(page: str) -> list[tuple[str, str]]:
    out = []
    for card in page.split('class="fr-card fr-card--no-arrow portail-event"')[1:]:
        days = re.findall(r'<time datetime="([\d-]+)">', card.split("</p>")[0])
        out.append((days[0], days[-1]))
    return out


def test_the_month_filter_keeps_the_events_of_that_month(client):
    page = unescape(client.get("/agenda?month=2027-03").get_data(as_text=True))
    days = event_days(page)
    assert days and all(start <= "2027-03-31" and end >= "2027-03-01" for start, end in days)
    assert "Mois : Mars 2027" in page


@pytest.mark.parametrize(
    "name, value",
    [("region", "76"), ("country", "DE"), ("sector", "agroalimentaire"), ("step", "informer")],
)
def test_the_filters_keep_only_matching_events(client, app, name, value):
    searcher = app.extensions["searcher"]
    expected = {h.url for h in searcher.upcoming_events(500, TODAY, **{name: value})}
    page = unescape(client.get(f"/agenda?{name}={value}").get_data(as_text=True))
    listed = set(re.findall(r'<h3 class="fr-card__title"><a href="([^"]+)"', page))
    assert expected and len(expected) <= 40  # one page
    assert listed == expected


@pytest.mark.parametrize(
    "query",
    ["month=2027-13", "month=mars", "region=99", "country=Allemagne", "step=nope", "page=0"],
)
def test_bad_agenda_filters_give_a_400(client, query):
    assert client.get(f"/agenda?{query}").status_code == 400
    if not query.startswith("page"):
        assert client.get(f"/agenda.ics?{query}").status_code == 400


def test_the_filter_form_works_without_javascript(client):
    page = unescape(client.get("/agenda").get_data(as_text=True))
    assert '<form class="portail-filters" action="/agenda" method="get"' in page
    for name in ("month", "region", "country", "sector", "step"):
        assert f'<label class="fr-label" for="filtre-{name}">' in page


# -- the feed of new events ----------------------------------------------------------------------


def test_the_atom_feed_lists_upcoming_events(client, manifest):
    response = client.get("/agenda/flux.atom")
    assert response.content_type == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.data)
    links = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]
    upcoming = {p["url"] for p in upcoming_events(manifest)}
    past = {p["url"] for p in past_events(manifest)}
    assert links and set(links) & upcoming and not set(links) & past
    assert (
        feed.find(f"{ATOM}title").text == "France International : nouveaux événements de l'export"
    )


def test_the_home_page_leads_to_the_agenda(client):
    page = unescape(client.get("/").get_data(as_text=True))
    assert 'href="/agenda"' in page
