"""French event dates and hours (portail/frdates.py); the demo web's event pages are read in
tests/test_events.py."""

from __future__ import annotations

from datetime import date, time

import pytest

from portail.frdates import all_event_dates, event_dates, event_hours, find_event_dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Les 15 et 16 juin 2027, une vingtaine d'importateurs", ("2027-06-15", "2027-06-16")),
        ("Du lundi 12 au jeudi 15 avril 2027, la CCI organise", ("2027-04-12", "2027-04-15")),
        ("Les mardis 9 et 16 mars 2027, de 8 h 30 à 12 h 30", ("2027-03-09", "2027-03-16")),
        ("les 9, 10 et 11 juin 2027", ("2027-06-09", "2027-06-11")),
        ("du 1er au 3 févr. 2027", ("2027-02-01", "2027-02-03")),
        ("Du 28 Sept. au 2 Oct. 2027", ("2027-09-28", "2027-10-02")),
        ("le 1ᵉʳ mars 2027", ("2027-03-01", "2027-03-01")),
        ("Anuga – Cologne, 9-13 octobre 2027", ("2027-10-09", "2027-10-13")),
        ("Publié le 20 novembre 2026. Le 9 mars 2027 de 10 h à 11 h", ("2027-03-09", "2027-03-09")),
        ("Date limite de candidature : 15 février 2027.", None),
        ("Clôture des inscriptions le 15 novembre 2026. Salon le 3 mars 2027", ("2027-03-03",) * 2),
        ("le 31 février 2027", None),
        ("du 7 au 11 juin, sans année", None),
    ],
)
def test_event_dates_written_in_french(text, expected):
    assert event_dates(text) == expected


def test_days_listed_apart_are_kept():
    found = find_event_dates("Les mardis 9 et 16 mars 2027, dans nos locaux.")
    assert found is not None
    assert found.days == (date(2027, 3, 9), date(2027, 3, 16))
    contiguous = find_event_dates("Les 15 et 16 juin 2027.")
    assert contiguous is not None and contiguous.days == ()


def test_every_mention_of_the_dates_is_found():
    text = (
        "Réunion – Amiens, 18 mars 2027\nLa Région organise le jeudi 18 mars 2027, de 9 h à 12 h."
    )
    found = all_event_dates(text)
    assert [d.start for d in found] == [date(2027, 3, 18)] * 2
    # The title gives no hours; the sentence of the second mention does.
    assert event_hours(text, found) == (time(9), time(12))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("le 9 mars 2027 de 10 h à 11 h 30, un webinaire", (time(10), time(11, 30))),
        ("Rendez-vous à 14h le 3 mars 2027.", (time(14), None)),
        ("le 3 mars 2027 à 14h30.", (time(14, 30), None)),
        ("Mardi 15 juin 2027 – CCI Grand Lille – de 9 h à 17 h.", (time(9), time(17))),
        ("le 3 mars 2027 de 18:00 à 20:30", (time(18), time(20, 30))),
        ("le 3 mars 2027 (à partir de 18 heures)", (time(18), None)),
        ("le 3 mars 2027 : 10 h – 17 h", (time(10), time(17))),
        ("Le 3 mars 2027.\nhoraires : de 9 h à 18 h, déjeuner inclus", (time(9), time(18))),
        ("le 3 mars 2027, 9 hôtels partenaires", None),
        ("le 3 mars 2027 à 2 h de Paris", None),
        ("le 3 mars 2027 de 25 h à 26 h", None),
        ("Le 3 mars 2027. La soirée finit à 21 h.", None),
    ],
)
def test_event_hours(text, expected):
    assert event_hours(text, all_event_dates(text)) == expected
