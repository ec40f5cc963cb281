"""The fields of a V.I.E. offer (indexer/jobs.py): from its JobPosting, from the facts its page
lists when it has no JSON-LD, and from its classification last."""

from __future__ import annotations

import pytest

from indexer.jobs import job_fields, mission_type, read_date, sector_of

POSTING = {
    "@type": "JobPosting",
    "title": "V.I.E. – Ingénieur d'affaires (H/F) – Lima",
    "identifier": {"@type": "PropertyValue", "name": "Référence", "value": "VIE-2026-0533"},
    "datePosted": "2026-11-20",
    "validThrough": "2026-12-31T23:59:00+01:00",
    "employmentType": "V.I.E.",
    "hiringOrganization": {"@type": "Organization", "name": "Hydrofluid"},
    "jobLocation": {
        "@type": "Place",
        "address": {"@type": "PostalAddress", "addressLocality": "Lima", "addressCountry": "PE"},
    },
    "jobStartDate": "2027-03-01",
    "duration": "P1Y6M",
    "industry": ["Industrie et équipements", "Mer et industries navales"],
}
FACTS = """V.I.A. – Chargé de mission (H/F) – Nairobi
Référence VIA-2026-0108
Type de mission
V.I.A.
Organisme d'accueil
Service économique régional
Pays
Kenya
Ville
Nairobi
Secteur
Agroalimentaire, Agriculture et agroéquipements
Durée
12 mois
Début de mission
1er février 2027
Date de publication
20 novembre 2026
Date limite de candidature : 15/12/2026
Télétravail
possible, à temps partiel
La mission…"""


def test_a_job_posting_gives_every_field():
    job = job_fields([POSTING], POSTING["title"], "", [], [])
    assert job == {
        "reference": "VIE-2026-0533",
        "mission": "V.I.E.",
        "company": "Hydrofluid",
        "country": "PE",
        "city": "Lima",
        "sectors": ["industrie", "maritime"],
        "months": 18,
        "start": "2027-03-01",
        "posted": "2026-11-20",
        "deadline": "2026-12-31",
        "telework": None,
    }


def test_the_listed_facts_give_every_field_without_json_ld():
    job = job_fields([], "V.I.A. – Chargé de mission (H/F) – Nairobi", FACTS, [], [])
    assert job == {
        "reference": "VIA-2026-0108",
        "mission": "V.I.A.",
        "company": "Service économique régional",
        "country": "KE",
        "city": "Nairobi",
        "sectors": ["agroalimentaire", "agriculture"],
        "months": 12,
        "start": "2027-02-01",
        "posted": "2026-11-20",
        "deadline": "2026-12-15",
        "telework": True,
    }


def test_the_classification_fills_what_the_page_does_not_say():
    text = "Type de mission : V.I.E.\nEntreprise : Kerlys\nDurée : 2 ans\nTélétravail : non\n"
    job = job_fields([], "Développeur", text, ["CA"], ["numerique"])
    assert job is not None
    assert (job["country"], job["sectors"], job["months"], job["telework"]) == (
        "CA",
        ["numerique"],
        24,
        False,
    )


def test_a_page_without_posting_or_facts_is_no_job():
    text = "Le V.I.E. permet de…\nPays : Chili"
    assert job_fields([], "Recruter un V.I.E.", text, [], []) is None


@pytest.mark.parametrize(
    "written, expected",
    [
        ("V.I.E.", "V.I.E."),
        ("VIE", "V.I.E."),
        ("Volontariat International en Entreprise", "V.I.E."),
        ("v.i.a", "V.I.A."),
        ("Volontariat international en administration", "V.I.A."),
        ("VIA-2026-0108", "V.I.A."),
        ("CDI", None),
        ("", None),
    ],
)
def test_mission_types(written, expected):
    assert mission_type(written) == expected


@pytest.mark.parametrize(
    "written, expected",
    [
        ("1er avril 2027", "2027-04-01"),
        ("15 févr. 2027", "2027-02-15"),
        ("03/01/2027", "2027-01-03"),
        ("31 février 2027", ""),
        ("bientôt", ""),
    ],
)
def test_french_dates(written, expected):
    assert read_date(written) == expected


@pytest.mark.parametrize(
    "label, sector",
    [
        ("Eau et environnement", "environnement"),
        ("Mer et industries navales", "maritime"),
        ("BTP et construction", "construction"),
        ("Santé et biotechnologies", "sante"),
        ("Services juridiques", None),
    ],
)
def test_a_board_label_names_one_sector(label, sector):
    assert sector_of(label) == sector
