"""The agenda (/agenda, /agenda/archives, their JSON twins, /agenda.ics, /agenda/<id>.ics,
/agenda/flux.atom) on the crawled and indexed demo web, the agenda's « today » fixed at
27 November 2026."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from html import unescape
from urllib.parse import urlencode
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from jsonschema import Draft202012Validator, FormatChecker

from indexer.search import SearchQuery
from portail.geo import country_name
from webui import create_app, ical
from webui.agenda import MONTHS_PER_PAGE
from webui.events import Event, Source, merge_events

TODAY = date(2026, 11, 27)
ATOM = "{http://www.w3.org/2005/Atom}"
CARD = 'class="fr-card fr-card--no-arrow portail-event"'


@pytest.fixture(scope="module")
def app(indexed_data):
    return create_app({"DATA_DIR": str(indexed_data), "TODAY": TODAY.isoformat(), "TESTING": True})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def html(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return unescape(response.get_data(as_text=True))


def every_page(client, path: str) -> list[str]:
    """Every page of a paginated agenda listing, following its « Page suivante » link."""
    pages, target = [], path
    while target:
        page = html(client, target)
        pages.append(page)
        found = re.search(
            r'<a class="fr-pagination__link fr-pagination__link--next[^"]*" '
            r'href="([^"]+)" rel="next">',
            page,
        )
        target = found[1] if found else None
    return pages


def card_list(pages: list[str]) -> list[str]:
    return [card for page in pages for card in page.split(CARD)[1:]]


def outbound(card: str) -> list[str]:
    """The organisers' pages a card links to (its title first)."""
    return list(dict.fromkeys(re.findall(r'href="(http[^"]+)" target="_blank"', card)))


@pytest.fixture(scope="module")
def cards(client):
    """Every event card of the unfiltered agenda (all its pages): {organiser's URL: card}."""
    return {
        url: card for card in card_list(every_page(client, "/agenda")) for url in outbound(card)
    }


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


def demo_page(manifest, ending: str) -> dict:
    return next(p for p in manifest["pages"] if p["url"].endswith(ending))


def ics_link(card: str) -> str:
    return re.search(r'href="(/agenda/[a-z0-9-]+\.ics)"', card)[1]


def parse_ics(response) -> list:
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.data)
    assert str(cal["VERSION"]) == "2.0" and "France International" in str(cal["PRODID"])
    assert not cal.get_missing_tzids()  # every TZID has its VTIMEZONE
    return list(cal.walk("VEVENT"))


def expected_place(event: dict) -> str:
    if event["online"]:
        return "En ligne"
    if event["country"] == "FR":
        return event["city"]
    country = country_name(event["country"])
    return event["city"] if event["city"] == country else f"{event['city']}, {country}"


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


def test_every_upcoming_demo_event_is_shown_at_its_place(manifest, cards):
    """Online only when the event itself is: the ProWein pavilion is in Düsseldorf."""
    for page in upcoming_events(manifest):
        dates = re.search(r'portail-event__dates">(.*?)</p>', cards[page["url"]], re.S)[1]
        assert dates.strip().endswith(f"· {expected_place(page['event'])}"), page["url"]
    prowein = cards[demo_page(manifest, "/prowein-2027-pavillon-occitanie")["url"]]
    assert "Düsseldorf, Allemagne" in prowein and "En ligne ·" not in prowein


def test_events_are_listed_soonest_first_under_their_month(client):
    page = html(client, "/agenda")
    starts = re.findall(r'(?:Du|Le|Les) <time datetime="([\d-]+)"', page)
    assert starts == sorted(starts) and starts[0] >= "2026-11"
    assert (
        '<h2 class="fr-h4 fr-mt-4w" id="mois-2027-01"><time datetime="2027-01">Janvier 2027'
        "</time></h2>" in page
    )


def test_the_agenda_shows_a_few_months_a_page(client, manifest):
    pages = every_page(client, "/agenda")
    months = [re.findall(r'<h2 class="fr-h4 fr-mt-4w" id="mois-([\d-]+)"', p) for p in pages]
    assert len(pages) > 1 and all(1 <= len(m) <= MONTHS_PER_PAGE for m in months)
    flat = [m for page in months for m in page]
    assert flat == sorted(flat) and len(flat) == len(set(flat))
    assert all(len(m) == MONTHS_PER_PAGE for m in months[:-1])
    # Each event once, on one page.
    listed = [outbound(card)[0] for card in card_list(pages)]
    assert len(listed) == len(set(listed))
    first = pages[0]
    assert '<nav class="fr-pagination fr-mt-4w" role="navigation" aria-label="Pagination">' in first
    assert 'aria-current="page" title="Page 1">1</a>' in first
    assert f"page 1 sur {len(pages)}" in first
    beyond = client.get(f"/agenda?page={len(pages) + 1}")
    assert beyond.status_code == 404
    assert 'href="/agenda">Revenir à la première page' in beyond.get_data(as_text=True)


def test_the_same_event_from_several_organisers_is_one_entry(manifest, cards):
    pairs = [
        ("/pavillon-france-foodex-japan-2027", "/foodex-japan-2027-pavillon-france"),
        ("/prowein-2027-pavillon-occitanie", "/prowein-dusseldorf-2027-pavillon-france"),
        ("/anuga-2027-pavillon-hauts-de-france", "/anuga-cologne-2027-pavillon-france"),
    ]
    for one, other in pairs:
        first, second = demo_page(manifest, one)["url"], demo_page(manifest, other)["url"]
        assert cards[first] is cards[second], one
        card = cards[first]
        assert set(outbound(card)) == {first, second}
        assert "Annoncé par 2 organisateurs" in card
    anuga = cards[demo_page(manifest, "/anuga-cologne-2027-pavillon-france")["url"]]
    assert "Organisé par Business France et Région Hauts-de-France" in anuga
    every = {id(card) for card in cards.values()}
    assert len(every) == len(upcoming_events(manifest)) - len(pairs)


def test_past_events_leave_the_agenda_but_stay_searchable(manifest, cards, app):
    past = past_events(manifest)
    assert past
    searcher = app.extensions["searcher"]
    events = {h.url for h in searcher.search(SearchQuery(kind="event", per_page=500)).hits}
    for page in past:
        assert page["url"] not in cards, page["url"]
    assert sum(p["url"] in events for p in past) >= len(past) - 1


def test_past_events_are_in_the_archive_latest_first(manifest, client):
    agenda = html(client, "/agenda")
    assert (
        '<a class="fr-link fr-icon-arrow-right-line fr-link--icon-left" href="/agenda/archives">'
        "Les événements passés</a>" in agenda
    )
    pages = every_page(client, "/agenda/archives")
    archived = card_list(pages)
    listed = {url for card in archived for url in outbound(card)}
    assert {p["url"] for p in past_events(manifest)} <= listed
    assert not {p["url"] for p in upcoming_events(manifest)} & listed
    starts = [re.search(r'<time datetime="([\d-]+)">', c)[1] for c in archived]
    assert starts == sorted(starts, reverse=True)
    first = pages[0]
    assert "<h1>Événements passés</h1>" in first
    assert 'href="/agenda">Agenda</a>' in first  # the breadcrumb leads back
    assert 'href="/agenda">Les événements à venir</a>' in first


def test_an_event_card_gives_place_organiser_and_registration_link(manifest, cards):
    page = demo_page(manifest, "/ces-las-vegas-2027-pavillon-france")
    card = cards[page["url"]]
    assert "Las Vegas, États-Unis" in card and "Organisé par Business France" in card
    assert f'href="{page["url"]}" target="_blank" rel="noopener"' in card
    assert "Étape 4 : Prospecter" in card
    online = next(p for p in upcoming_events(manifest) if p["event"]["online"])
    assert "En ligne" in cards[online["url"]]


def test_a_card_gives_the_hours_a_page_gives(manifest, cards):
    webinar = cards[demo_page(manifest, "/webinaire-dispositifs-medicaux-etats-unis")["url"]]
    assert (
        'Le <time datetime="2027-03-09">9 mars 2027</time>, de '
        '<time datetime="2027-03-09T10:00+01:00">10 h</time> à '
        '<time datetime="2027-03-09T11:30+01:00">11 h 30</time> (heure de Paris) · En ligne'
    ) in webinar
    workshop = cards[demo_page(manifest, "/atelier-plan-action-export-2027")["url"]]
    assert (
        'Les <time datetime="2027-03-09">9 mars 2027</time> et '
        '<time datetime="2027-03-16">16 mars 2027</time>, de '
        '<time datetime="2027-03-09T08:30+01:00">8 h 30</time>'
    ) in workshop


# -- iCalendar -----------------------------------------------------------------------------------


def test_each_event_exports_with_its_days_and_hours(manifest, cards, client):
    timed = 0
    for page in upcoming_events(manifest):
        link = ics_link(cards[page["url"]])
        (event,) = parse_ics(client.get(link))
        start = date.fromisoformat(page["event"]["start"])
        end = date.fromisoformat(page["event"]["end"])
        begins = event.decoded("DTSTART")
        if isinstance(begins, datetime):  # hours given: timed in the zone of the place
            timed += 1
            assert begins.date() == start and begins.tzinfo is not None, page["url"]
            assert event["DTSTART"].params["TZID"] == str(begins.tzinfo)
        else:  # no hours: all day, DTEND exclusive
            assert begins == start, page["url"]
            assert event.decoded("DTEND") == end + timedelta(days=1), page["url"]
        assert page["url"] in {
            str(event["URL"]),
            *re.findall(r"http\S+", str(event["DESCRIPTION"])),
        }
    assert timed >= 10


def test_a_webinar_is_timed_in_paris_time(manifest, cards, client):
    link = ics_link(cards[demo_page(manifest, "/webinaire-dispositifs-medicaux-etats-unis")["url"]])
    response = client.get(link)
    (event,) = parse_ics(response)
    paris = ZoneInfo("Europe/Paris")
    assert event.decoded("DTSTART") == datetime(2027, 3, 9, 10, 0, tzinfo=paris)
    assert event.decoded("DTEND") == datetime(2027, 3, 9, 11, 30, tzinfo=paris)
    assert b"DTSTART;TZID=Europe/Paris:20270309T100000" in response.data
    cal = Calendar.from_ical(response.data)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_a_fair_without_hours_stays_all_day(manifest, cards, client):
    link = ics_link(cards[demo_page(manifest, "/ces-las-vegas-2027-pavillon-france")["url"]])
    (event,) = parse_ics(client.get(link))
    assert event.decoded("DTSTART") == date(2027, 1, 5)
    assert event.decoded("DTEND") == date(2027, 1, 9)


def test_a_workshop_in_two_sessions_has_two_occurrences(manifest, cards, client):
    link = ics_link(cards[demo_page(manifest, "/atelier-plan-action-export-2027")["url"]])
    (event,) = parse_ics(client.get(link))
    paris = ZoneInfo("Europe/Paris")
    assert event.decoded("DTSTART") == datetime(2027, 3, 9, 8, 30, tzinfo=paris)
    assert event.decoded("DTEND") == datetime(2027, 3, 9, 12, 30, tzinfo=paris)
    rdates = [d.dt for rdate in [event["RDATE"]] for d in rdate.dts]
    assert rdates == [datetime(2027, 3, 16, 8, 30, tzinfo=paris)]


def make_event(**changes) -> Event:
    base = Event(
        id="reception-tokyo-00000001",
        url="https://exemple.invalid/reception",
        title="Réception des exportateurs",
        start=date(2027, 3, 10),
        end=date(2027, 3, 10),
        days=(),
        start_time=time(18),
        end_time=time(20),
        tz="Asia/Tokyo",
        city="Tokyo",
        country="JP",
        online=False,
        organiser="Business France",
        provider="Business France",
        step="prospecter",
        sectors=(),
        regions=(),
        countries=("JP",),
        description="",
        first_seen="2026-11-01T08:00:00",
        sources=(
            Source(
                "reception-tokyo-00000001",
                "https://exemple.invalid/reception",
                "Réception des exportateurs",
                "Business France",
            ),
        ),
    )
    return replace(base, **changes)


def test_an_event_abroad_is_timed_in_its_own_zone(app):
    with app.test_request_context():
        body = ical.calendar([make_event()], "Essai", TODAY)
    cal = Calendar.from_ical(body)
    (event,) = cal.walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2027, 3, 10, 18, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert event.decoded("DTSTART").astimezone(ZoneInfo("Europe/Paris")).hour == 10
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    assert not cal.get_missing_tzids()


def test_a_start_without_an_end_has_no_dtend(app):
    with app.test_request_context():
        body = ical.calendar([make_event(end_time=None)], "Essai", TODAY)
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert "DTEND" not in event and isinstance(event.decoded("DTSTART"), datetime)


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
    page = html(client, "/agenda?country=DE")
    assert f"<strong>{len(german)}</strong> événement" in page
    assert 'href="/agenda.ics?country=DE"' in page
    assert len({str(e["UID"]) for e in every}) == len(every)


def test_a_merged_event_exports_once_with_every_link(manifest, client):
    every = parse_ics(client.get("/agenda.ics"))
    prowein = [e for e in every if "ProWein" in str(e["SUMMARY"])]
    assert len(prowein) == 1
    description = str(prowein[0]["DESCRIPTION"])
    for ending in ("/prowein-2027-pavillon-occitanie", "/prowein-dusseldorf-2027-pavillon-france"):
        assert demo_page(manifest, ending)["url"] in description


def test_a_past_events_icalendar_still_works(manifest, client, app):
    from webui.ids import page_id

    page = past_events(manifest)[0]
    hit = app.extensions["searcher"].get(page["url"])
    (event,) = parse_ics(client.get(f"/agenda/{page_id(hit.url, hit.title)}.ics"))
    assert event.decoded("DTSTART") == date.fromisoformat(page["event"]["start"])
    assert client.get("/agenda/inconnu-00000000.ics").status_code == 404


# -- merging -------------------------------------------------------------------------------------


def test_merging_needs_the_same_dates_place_and_name():
    foodex = make_event(title="Foodex Japan 2027 – Pavillon France", start_time=None, tz=None)
    twin = make_event(
        id="pavillon-00000002",
        url="https://exemple.invalid/pavillon",
        title="Pavillon France à FOODEX Japan 2027 : rejoignez-nous",
        organiser="Région Occitanie",
        sources=(
            Source(
                "pavillon-00000002",
                "https://exemple.invalid/pavillon",
                "Pavillon",
                "Région Occitanie",
            ),
        ),
    )
    assert len(merge_events([foodex, twin])) == 1
    merged = merge_events([foodex, twin])[0]
    assert [s.organiser for s in merged.sources] == ["Business France", "Région Occitanie"]
    assert merged.timed  # the hours one page gives are kept
    assert (
        len(merge_events([foodex, make_event(title="Foodex Japan 2027", start=date(2027, 3, 9))]))
        == 2
    )
    assert len(merge_events([foodex, make_event(title="Foodex Japan 2027", city="Osaka")])) == 2
    assert len(merge_events([foodex, make_event(title="Salon Supermarket Trade Show")])) == 2
    webinars = [
        make_event(title="Webinaire : Objectif Inde", online=True, city="", country=""),
        make_event(title="Webinaire : Objectif Mexique", online=True, city="", country=""),
    ]
    assert len(merge_events(webinars)) == 2


def events_section(page: str) -> list[str]:
    """The items of a page's « Prochains événements » list."""
    section = page.split('id="evenements-titre"', 1)[1].split("</section>", 1)[0]
    return section.split('<li class="portail-list__item">')[1:]


@pytest.mark.parametrize(
    "path, name, schema",
    [
        ("/pays/de", "ProWein", "Country"),
        ("/pays/de", "Anuga", "Country"),
        ("/pays/jp", "Foodex Japan", "Country"),
        ("/secteurs/agroalimentaire", "Foodex Japan", "Sector"),
        ("/regions/76", "ProWein", "Region"),
        ("/regions/32", "Anuga", "Region"),
        ("/partenaires/region-occitanie", "ProWein", "Partner"),
        ("/partenaires/business-france", "Foodex Japan", "Partner"),
    ],
)
def test_every_list_of_events_and_its_twin_show_an_event_once_with_every_organisers_link(
    client, manifest, validator, path, name, schema
):
    announcing = [p["url"] for p in upcoming_events(manifest) if name in p["title"]]
    assert len(announcing) == 2  # two organisers announce it
    listed = [item for item in events_section(html(client, path)) if name in item]
    assert len(listed) == 1, path
    assert set(outbound(listed[0])) == set(announcing)
    assert "aussi annoncé par" in listed[0]
    twin = client.get(f"{path}.json").get_json()
    validator(twin, schema)
    [entry] = [e for e in twin["events"] if name in e["title"]]
    organisers = [o["url"] for o in entry.get("organisers", [])]
    assert organisers == outbound(listed[0]) and organisers[0] == entry["url"]


# -- filters -----------------------------------------------------------------------------------


def event_days(page: str) -> list[tuple[str, str]]:
    out = []
    for card in page.split(CARD)[1:]:
        days = re.findall(r'<time datetime="([\d-]+)">', card.split("</p>")[0])
        out.append((days[0], days[-1]))
    return out


def test_the_month_filter_keeps_the_events_of_that_month(client):
    page = html(client, "/agenda?month=2027-03")
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
    listed = card_list(every_page(client, f"/agenda?{name}={value}"))
    assert expected
    assert expected <= {url for card in listed for url in outbound(card)}
    assert all(set(outbound(card)) & expected for card in listed)


@pytest.mark.parametrize(
    "query",
    [
        "month=2027-13",
        "month=mars",
        "month=0000-01",
        "month=２０２７-03",
        "region=99",
        "country=Allemagne",
        "step=nope",
        "page=0",
        "page=abc",
    ],
)
def test_bad_agenda_parameters_give_a_400_in_french(client, query):
    response = client.get(f"/agenda?{query}")
    assert response.status_code == 400
    assert "Requête incorrecte" in response.get_data(as_text=True)
    answer = client.get(f"/agenda.json?{query}")
    assert answer.status_code == 400 and answer.content_type == "application/json"
    assert answer.get_json()["error"]
    assert client.get(f"/agenda/archives?{query}").status_code == 400
    if not query.startswith("page"):
        assert client.get(f"/agenda.ics?{query}").status_code == 400


@pytest.mark.parametrize("path", ["/agenda", "/agenda.ics", "/agenda.json", "/agenda/archives"])
def test_a_month_far_away_is_an_empty_agenda(client, path):
    assert client.get(f"{path}?month=9999-12").status_code == 200
    assert client.get(f"{path}?month=0001-01").status_code == 200


PARAMETERS = ("month", "region", "country", "sector", "step", "page")
VALUES = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.sampled_from(
        [
            "2027-03",
            "9999-12",
            "0000-01",
            "84",
            "76",
            "DE",
            "de",
            "agroalimentaire",
            "prospecter",
            "1",
            "2",
            "0",
            "-1",
            "99999999999",
            "1e3",
            " 2027-03 ",
        ]
    ),
    st.from_regex(r"[0-9]{4}-[0-9]{2}", fullmatch=True),
    st.integers(-10, 10**12).map(str),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.sampled_from(PARAMETERS), VALUES, max_size=4),
    st.sampled_from(
        ["/agenda", "/agenda.json", "/agenda.ics", "/agenda/archives", "/agenda/archives.json"]
    ),
)
def test_any_agenda_parameters_give_200_400_or_404_never_500(client, params, path):
    response = client.get(f"{path}?{urlencode(params)}")
    assert response.status_code in (200, 400, 404), (path, params, response.status_code)
    if response.status_code == 404:  # only a page past the last
        assert "page" in params and not path.endswith(".ics")
    if response.status_code in (400, 404) and path.endswith(".json"):
        assert response.get_json()["error"]


def test_the_filter_form_works_without_javascript(client):
    for path in ("/agenda", "/agenda/archives"):
        page = html(client, path)
        assert f'<form class="portail-filters" action="{path}" method="get"' in page
        for name in ("month", "region", "country", "sector", "step"):
            assert f'<label class="fr-label" for="filtre-{name}">' in page


# -- the JSON twin -------------------------------------------------------------------------------


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
def validator(client):
    """A validator of the agenda's JSON against the schemas of /api/openapi.json."""
    spec = client.get("/api/openapi.json").get_json()

    def validate(document, schema: str) -> None:
        root = {
            "$ref": f"#/components/schemas/{schema}",
            "components": nullable_to_json_schema(spec["components"]),
        }
        errors = sorted(
            Draft202012Validator(root, format_checker=FormatChecker()).iter_errors(document),
            key=str,
        )
        assert not errors, [f"{list(e.absolute_path)} : {e.message}" for e in errors[:5]]

    return validate


def test_the_openapi_document_describes_the_agenda(client):
    spec = client.get("/api/openapi.json").get_json()
    for path in ("/agenda.json", "/agenda/archives.json"):
        operation = spec["paths"][path]["get"]
        assert {p["name"] for p in operation["parameters"]} == set(PARAMETERS)
        assert {"200", "400"} <= set(operation["responses"])
    assert {"AgendaPage", "AgendaEvent"} <= set(spec["components"]["schemas"])


@pytest.mark.parametrize(
    "query", ["", "page=2", "month=2027-03", "country=DE", "region=76&sector=agroalimentaire"]
)
def test_the_json_twin_gives_the_pages_data(client, validator, query):
    data = client.get(f"/agenda.json?{query}").get_json()
    validator(data, "AgendaPage")
    page = html(client, f"/agenda?{query}")
    assert f"<strong>{data['total']}</strong> événement" in page
    listed = [outbound(card)[0] for card in page.split(CARD)[1:]]
    assert [e["url"] for m in data["months"] for e in m["events"]] == listed
    headings = re.findall(r'<h2 class="fr-h4 fr-mt-4w" id="mois-([\d-]+)"', page)
    assert [m["month"] for m in data["months"]] == headings
    assert (
        dict(p.split("=") for p in query.split("&") if p and not p.startswith("page"))
        == (data["filters"])
    )


def test_the_json_twin_answers_an_accept_header(client, validator):
    response = client.get("/agenda?month=2027-03", headers={"Accept": "application/json"})
    assert response.content_type == "application/json"
    assert "Accept" in response.headers["Vary"]
    validator(response.get_json(), "AgendaPage")
    assert response.get_json() == client.get("/agenda.json?month=2027-03").get_json()
    browser = client.get("/agenda", headers={"Accept": "text/html,*/*;q=0.8"})
    assert browser.content_type.startswith("text/html")
    bad = client.get("/agenda?month=0000-01", headers={"Accept": "application/json"})
    assert bad.status_code == 400 and "0000-01" in bad.get_json()["error"]


def test_the_json_twin_gives_dates_hours_place_and_organisers(client, manifest):
    data = client.get("/agenda.json?month=2027-03").get_json()
    events = {e["url"]: e for m in data["months"] for e in m["events"]}
    webinar = events[demo_page(manifest, "/webinaire-dispositifs-medicaux-etats-unis")["url"]]
    assert webinar["starts_at"] == "2027-03-09T10:00:00+01:00"
    assert webinar["ends_at"] == "2027-03-09T11:30:00+01:00"
    assert (webinar["all_day"], webinar["timezone"], webinar["online"]) == (
        False,
        "Europe/Paris",
        True,
    )
    prowein = next(e for e in events.values() if "ProWein" in e["title"])
    assert (prowein["city"], prowein["country"], prowein["online"]) == ("Düsseldorf", "DE", False)
    assert prowein["all_day"] and prowein["starts_at"] is None
    assert {o["url"] for o in prowein["organisers"]} == {
        demo_page(manifest, "/prowein-2027-pavillon-occitanie")["url"],
        demo_page(manifest, "/prowein-dusseldorf-2027-pavillon-france")["url"],
    }
    assert client.get(prowein["calendar"].replace("http://localhost", "")).status_code == 200


def test_the_json_twin_links_its_pages(client, validator):
    first = client.get("/agenda.json").get_json()
    assert first["links"]["previous"] is None and first["pages"] > 1
    second = client.get(first["links"]["next"].replace("http://localhost", "")).get_json()
    validator(second, "AgendaPage")
    assert second["page"] == 2 and second["links"]["previous"].endswith("/agenda.json")
    last = client.get(first["links"]["last"].replace("http://localhost", "")).get_json()
    assert last["links"]["next"] is None and last["page"] == first["pages"]


def test_the_archives_json_twin(client, validator, manifest):
    data = client.get("/agenda/archives.json").get_json()
    validator(data, "AgendaPage")
    assert data["archive"] is True and data["links"]["calendar"] is None
    urls = {o["url"] for m in data["months"] for e in m["events"] for o in e["organisers"]}
    assert urls and urls <= {p["url"] for p in past_events(manifest)} | {
        p["url"] for p in manifest["pages"] if p.get("event")
    }
    starts = [e["start"] for m in data["months"] for e in m["events"]]
    assert starts == sorted(starts, reverse=True)
    validator(client.get("/agenda/archives.json?country=DE").get_json(), "AgendaPage")


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
