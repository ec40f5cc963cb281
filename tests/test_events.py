"""The fields of event pages (indexer/events.py): dates, hours, place, online, time zone; on
every event page of the crawled demo web against its manifest, and on written cases."""

from __future__ import annotations

import json
import sqlite3

import pytest

from indexer.events import event_fields
from indexer.timezones import event_zone


@pytest.fixture(scope="module")
def event_pages(crawled_data, manifest):
    """(manifest entry, stored title, text, JSON-LD items) of every demo page with an event."""
    db = sqlite3.connect(crawled_data["data"] / "pages.sqlite3")
    db.row_factory = sqlite3.Row
    out = []
    for page in manifest["pages"]:
        if not page.get("event"):
            continue
        row = db.execute(
            "SELECT title, text, structured FROM pages WHERE url = ?", (page["url"],)
        ).fetchone()
        assert row is not None, page["url"]
        items = json.loads(row["structured"] or "{}").get("jsonld", [])
        out.append((page, row["title"], row["text"], items))
    db.close()
    return out


def test_every_demo_event_gets_its_dates_and_place(event_pages):
    assert len(event_pages) >= 40
    wrong = []
    for page, title, text, items in event_pages:
        found = event_fields(items, title, text) or {}
        expected = page["event"]
        for key in ("start", "end", "city", "country", "online"):
            if found.get(key) != expected[key]:
                wrong.append((page["url"], key, found.get(key), expected[key]))
    assert wrong == []


def test_events_read_from_text_alone_get_their_place(event_pages):
    """The pages without schema.org data (three regional sites) are read from their text."""
    from_text = [(p, t, x) for p, t, x, items in event_pages if not items]
    assert len(from_text) >= 10
    for page, title, text in from_text:
        found = event_fields([], title, text)
        assert found is not None, page["url"]
        assert (found["city"], found["country"], found["online"]) == (
            page["event"]["city"],
            page["event"]["country"],
            page["event"]["online"],
        ), page["url"]


def test_a_side_meeting_online_does_not_make_a_fair_online(event_pages):
    prowein = next(
        (title, text)
        for page, title, text, _ in event_pages
        if page["url"].endswith("/prowein-2027-pavillon-occitanie")
    )
    assert "réunion de préparation en ligne" in prowein[1]
    found = event_fields([], *prowein)
    assert found is not None
    assert (found["online"], found["city"], found["country"]) == (False, "Düsseldorf", "DE")


def test_the_hours_a_page_gives_are_read(event_pages):
    hours = {
        "/webinaire-dispositifs-medicaux-etats-unis": ("10:00", "11:30"),
        "/reunion-primo-exportateurs-amiens-2027": ("09:00", "12:30"),
        "/club-implantation-usa-2027": ("18:00", "21:00"),
        "/atelier-plan-action-export-2027": ("08:30", "12:30"),
        "/rencontres-acheteurs-cosmetique-orleans-2027": ("09:00", "18:00"),
        "/pavillon-france-foodex-japan-2027": (None, None),
    }
    for page, title, text, items in event_pages:
        ending = "/" + page["url"].rsplit("/", 1)[1]
        if ending in hours:
            found = event_fields(items, title, text) or {}
            assert (found["start_time"], found["end_time"]) == hours[ending], page["url"]
            assert found["tz"] == ("Europe/Paris" if found["start_time"] else "Asia/Tokyo")


def test_the_days_of_a_workshop_in_two_sessions(event_pages):
    _, title, text, items = next(
        e for e in event_pages if e[0]["url"].endswith("/atelier-plan-action-export-2027")
    )
    found = event_fields(items, title, text) or {}
    assert found["days"] == ["2027-03-09", "2027-03-16"]


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (
            "Réception des exportateurs à Tokyo",
            "L'ambassade reçoit les entreprises françaises le 10 mars 2027 de 18 h à 20 h, à "
            "Tokyo.",
            ("Tokyo", "JP", False, "18:00", "20:00", "Asia/Tokyo"),
        ),
        (
            "Petit-déjeuner à Las Vegas",
            "Rendez-vous le 6 janvier 2027 à 8 h 30 à Las Vegas, avant l'ouverture du salon.",
            ("Las Vegas", "US", False, "08:30", None, "America/Los_Angeles"),
        ),
        (
            "Rencontre à Montréal",
            "Le 17 mai 2027, de 17 h à 19 h, à Montréal : rencontre avec des distributeurs.",
            ("Montréal", "CA", False, "17:00", "19:00", "America/Toronto"),
        ),
        (
            "Atelier à Vancouver",
            "Le 18 mai 2027, de 9 h à 12 h, à Vancouver.",
            ("Vancouver", "CA", False, "09:00", "12:00", "America/Vancouver"),
        ),
        (
            "Mission à Calgary",
            "Réunion d'information le 19 mai 2027 à 14 h à Calgary.",
            ("Calgary", "CA", False, "14:00", None, "America/Edmonton"),
        ),
        (
            "Table ronde à New York",
            "Le 3 juin 2027 à 15 h (heure de Paris), en direct de New York.",
            ("New York", "US", False, "15:00", None, "Europe/Paris"),
        ),
        (
            "Webinaire : le marché japonais",
            "Rendez-vous en ligne le jeudi 11 février 2027, de 9 h à 10 h (il sera 17 h à Tokyo).",
            ("", "", True, "09:00", "10:00", "Europe/Paris"),
        ),
        (
            "Salon à Düsseldorf",
            "Le salon ouvre à Düsseldorf du 14 au 16 mars 2027. Une réunion de préparation en "
            "ligne est prévue en février.",
            ("Düsseldorf", "DE", False, None, None, "Europe/Berlin"),
        ),
        (
            "Journée export à Fort-de-France",
            "Le 4 mars 2027, de 8 h à 12 h, à Fort-de-France.",
            ("Fort-de-France", "FR", False, "08:00", "12:00", "America/Martinique"),
        ),
        (
            "Conférence hybride",
            "Le 5 mars 2027 à 10 h, à Lyon et en ligne : une conférence hybride.",
            ("Lyon", "FR", False, "10:00", None, "Europe/Paris"),
        ),
    ],
)
def test_place_hours_and_time_zone_of_written_events(title, text, expected):
    found = event_fields([], title, f"{title}\n{text}")
    assert found is not None
    keys = ("city", "country", "online", "start_time", "end_time", "tz")
    assert tuple(found[k] for k in keys) == expected


def test_a_schema_org_start_with_an_hour_is_timed():
    item = {
        "@type": "Event",
        "startDate": "2027-03-09T14:00:00+09:00",
        "endDate": "2027-03-09T17:30:00+09:00",
        "location": {"@type": "Place", "address": {"addressLocality": "Osaka"}},
    }
    found = event_fields([item], "Séminaire", "Séminaire le 9 mars 2027.") or {}
    assert (found["start_time"], found["end_time"], found["city"], found["country"]) == (
        "14:00",
        "17:30",
        "Osaka",
        "JP",
    )
    assert found["tz"] == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("country", "city", "zone"),
    [
        ("FR", "", "Europe/Paris"),
        ("", "", "Europe/Paris"),
        ("DE", "Berlin", "Europe/Berlin"),
        ("US", "", "America/New_York"),
        ("US", "Chicago", "America/Chicago"),
        ("US", "Los Angeles", "America/Los_Angeles"),
        ("BR", "São Paulo", "America/Sao_Paulo"),
        ("AU", "Perth", "Australia/Perth"),
        ("RU", "Moscou", "Europe/Moscow"),
        ("ES", "Las Palmas", "Atlantic/Canary"),
    ],
)
def test_the_zone_of_a_place(country, city, zone):
    assert event_zone(country, city) == zone


@pytest.mark.parametrize(
    ("country", "expected"), [("DE", "DE"), ("de", "DE"), ("Allemagne", "DE"), ("France", "FR")]
)
def test_a_schema_org_country_by_code_or_name(country, expected):
    item = {
        "@type": "Event",
        "startDate": "2027-03-09",
        "location": {"@type": "Place", "address": {"addressCountry": country}},
    }
    found = event_fields([item], "Salon", "Salon le 9 mars 2027.") or {}
    assert found["country"] == expected


def test_an_unreadable_schema_org_start_falls_back_to_the_text():
    item = {"@type": "Event", "startDate": "bientôt"}
    found = event_fields([item], "Atelier à Lyon", "Atelier à Lyon le 9 mars 2027 à 9 h.") or {}
    assert (found["start"], found["city"], found["start_time"]) == ("2027-03-09", "Lyon", "09:00")
