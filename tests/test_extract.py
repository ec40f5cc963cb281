"""Extraction on HTML strings: main text without boilerplate, titles, dates, hubs, URLs."""

from __future__ import annotations

import pytest

from crawlers.extract import extract_html, extract_pdf
from crawlers.urls import clean_url, rank
from demo.render import pdf_bytes
from portail.frdates import event_dates, find_date

LEGACY = """<html><head><title>Région :: Aide aux salons</title></head><body>
<div id="bandeau-cookies">En poursuivant votre navigation vous acceptez les cookies. Fermer</div>
<table id="entete"><tr><td><a href="/">Accueil</a> | <a href="/plan">Plan du site</a></td>
</tr></table>
<div class="sous-menu"><a href="/a">Aides</a> <a href="/b">Agenda</a> <a href="/c">Contacts</a>
</div>
<table><tr><td id="colonne-gauche"><a href="/x">Accès rapide 1</a><br><a href="/y">Accès 2</a></td>
<td id="zone-centrale"><h1>Aide régionale aux salons</h1>
<p>La Région prend en charge la moitié des frais de stand des PME qui exposent sur un salon
international, dans la limite de deux salons par an.</p>
<p>Mis à jour le 3 mars 2026</p></td></tr></table>
<div id="pied">Conseil régional — mentions légales</div></body></html>"""


def test_legacy_page_without_main_keeps_only_its_content():
    page = extract_html("https://region.example/aides/salons", LEGACY)
    assert page.title == "Aide régionale aux salons"
    assert "moitié des frais de stand" in page.text
    for junk in ("cookies", "Plan du site", "Accès rapide", "mentions légales", "Agenda"):
        assert junk not in page.text
    assert page.published == "2026-03-03" and not page.hub


def test_listing_pages_are_hubs():
    items = "".join(
        f'<li><a href="/o/{i}">Offre {i}</a><p>Résumé de l\'offre {i}.</p></li>' for i in range(6)
    )
    html = f"<html><body><main><h1>Nos offres</h1><ul>{items}</ul></main></body></html>"
    assert extract_html("https://bpi.example/rubriques/offres", html).hub


def test_json_ld_and_open_graph_are_kept():
    html = (
        '<html lang="fr"><head><meta property="og:title" content="Salon | Agenda">'
        '<script type="application/ld+json">{"@context":"https://schema.org",'
        '"@type":"Event","name":"Salon","startDate":"2027-03-12"}</script></head>'
        "<body><main><p>Un salon à Düsseldorf pour les vins.</p></main></body></html>"
    )
    page = extract_html("https://agenda.example/e/1", html)
    assert page.structured["jsonld"][0]["@type"] == "Event"
    assert page.structured["opengraph"]["og:title"] == "Salon | Agenda"
    assert page.title == "Agenda" or page.title == "Salon"
    assert page.language == "fr"


def test_pdf_text_is_reflowed():
    data = pdf_bytes(
        "Guide de l'exportateur",
        "Première ligne du guide.\nDeuxième ligne, avec des accents : déclaration, dédouanement.",
    )
    page = extract_pdf("https://douane.example/guide.pdf", data)
    assert page.title == "Guide de l'exportateur"
    assert "dédouanement" in page.text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Exemple.FR/a?utm_source=x&b=2&a=1#top", "http://exemple.fr/a?a=1&b=2"),
        ("https://exemple.fr/offres?fbclid=abc", "https://exemple.fr/offres"),
        ("https://exemple.fr", "https://exemple.fr/"),
        ("https://exemple.fr/é t", "https://exemple.fr/%C3%A9%20t"),
    ],
)
def test_clean_url(url, expected):
    assert clean_url(url) == expected


def test_rank_prefers_short_lower_case_urls():
    urls = ["https://e.fr/Offres/X", "https://e.fr/offres/x/", "https://e.fr/offres/x"]
    assert min(urls, key=rank) == "https://e.fr/offres/x"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Publié le 14 avril 2026 par la rédaction", "2026-04-14"),
        ("Mis à jour le 3 mars 2025", "2025-03-03"),
        ("Publié le 02/09/2026", "2026-09-02"),
        ("Le salon a lieu le 3 mars 2027", None),
    ],
)
def test_publication_dates(text, expected):
    assert find_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Le salon se tiendra du 12 au 14 mars 2027 à Düsseldorf", ("2027-03-12", "2027-03-14")),
        ("du 30 septembre au 2 octobre 2027", ("2027-09-30", "2027-10-02")),
        ("Rendez-vous le mardi 3 février 2027", ("2027-02-03", "2027-02-03")),
        ("du 28 décembre 2026 au 3 janvier 2027", ("2026-12-28", "2027-01-03")),
        ("Aucune date ici", None),
    ],
)
def test_event_dates(text, expected):
    assert event_dates(text) == expected


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize(
    ("robots", "noindex", "nofollow"),
    [
        ("", False, False),
        ('<meta name="robots" content="noindex">', True, False),
        ('<meta name="ROBOTS" content="NoFollow, index">', False, True),
        ('<meta name="robots" content="none"><meta name="robots" content="index">', True, True),
        ('<meta name="robots" content="noindexed-later">', False, False),
        ('<meta name="robots" content="NOINDEX NOFOLLOW">', True, True),
        ('<meta name="googlebot" content="nofollow">', False, False),
    ],
)
def test_the_robots_meta_decides_indexing_and_following(robots, noindex, nofollow, large):
    """Read from the page's first `<meta name="robots">` (any case), in the full extraction
    and in the streaming one of very large pages alike."""
    from crawlers import extract

    links = "".join(f'<a href="/p/{i}">Page {i}</a> ' for i in range(5))
    html = (
        f"<html><head><title>T</title>{robots}</head><body><main><h1>Titre</h1>"
        f"<p>Un texte sur l'export.</p>{links}</main></body></html>"
    )
    read = extract.extract_large_html if large else extract.extract_html
    page = read("https://site.example/a", html)
    assert (page.noindex, page.nofollow) == (noindex, nofollow)
    assert len(page.links) == 5
