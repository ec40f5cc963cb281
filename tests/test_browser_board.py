"""The V.I.E. board and the sector pages in headless Chromium, with axe-core on every page
visited: from the navigation to the board, two filters and an order chosen in its form, a
company's page and an offer's original page; the sectors, one sector, a country it covers."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

# The browser and page fixtures and the helpers of the other browser tests.
from test_browser import args_of, browser, page, serve  # noqa: F401
from test_browser_apps import check_page

from webui import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(indexed_data, demo_web):
    """The portal on the day the demo board was crawled (its offers are dated from it)."""
    return create_app({"DATA_DIR": str(indexed_data), "TODAY": demo_web.today.isoformat()})


@pytest.fixture(scope="module")
def base_url(app):
    yield from serve(app)


def test_the_board_filtered_by_zone_and_sector_then_a_company(page, base_url, app, demo_web):  # noqa: F811
    page.goto(base_url + "/")
    menu = page.get_by_role("navigation", name="Menu principal")
    menu.get_by_role("link", name="V.I.E.", exact=True).click()
    page.wait_for_url("**/vie")
    assert page.locator("h1").inner_text() == "La bourse des V.I.E."
    check_page(page, "vie")

    page.get_by_label("Zone").select_option("europe")
    page.get_by_role("button", name="Filtrer", exact=True).click()
    page.wait_for_url(re.compile(r"zone=europe"))
    # The sectors offered now are those of the zone's offers, with their counts.
    sector = page.locator("#filtre-sector option").nth(1).get_attribute("value")
    page.get_by_label("Secteur").select_option(sector)
    page.get_by_label("Trier").select_option("deadline")
    page.get_by_role("button", name="Filtrer", exact=True).click()
    page.wait_for_url(re.compile(r"sector="))
    assert args_of(page.url) == {"zone": ["europe"], "sector": [sector], "sort": ["deadline"]}
    expected = app.test_client().get(f"/vie.json?zone=europe&sector={sector}").get_json()
    status = page.get_by_role("status").first.inner_text()
    assert status.startswith(f"{expected['total']} offre")
    deadlines = page.locator(".portail-vie .fr-card__end time").evaluate_all(
        "times => times.filter((t, i) => i % 2 === 0).map(t => t.getAttribute('datetime'))"
    )
    assert deadlines == sorted(o["deadline"] for o in expected["offers"])
    check_page(page, "vie-zone-secteur")

    original = page.locator(".portail-vie .fr-card__title a").first
    assert original.get_attribute("target") == "_blank"
    assert urlsplit(original.get_attribute("href")).port == urlsplit(demo_web.origin("vie")).port
    company = page.locator(".portail-vie .fr-card__desc a").first
    name = company.inner_text()
    company.click()
    page.wait_for_url(re.compile(r"/vie/entreprises/[a-z0-9-]+$"))
    assert page.locator("h1").inner_text() == name
    assert page.get_by_role("link", name=re.compile("Étape 6 du parcours")).is_visible()
    check_page(page, "vie-entreprise")


def test_the_sectors_lead_to_a_sector_and_a_country_it_covers(page, base_url):  # noqa: F811
    page.goto(base_url + "/")
    menu = page.get_by_role("navigation", name="Menu principal")
    menu.get_by_role("link", name="Secteurs", exact=True).click()
    page.wait_for_url("**/secteurs")
    check_page(page, "secteurs")
    page.get_by_role("link", name="Énergie", exact=True).click()
    page.wait_for_url("**/secteurs/energie")
    assert page.locator("h1").inner_text() == "Énergie"
    check_page(page, "secteur-energie")
    country = page.locator("#pays a").first
    name = country.inner_text()
    country.click()
    page.wait_for_url(re.compile(r"/pays/[a-z]{2}$"))
    assert page.locator("h1").inner_text() == name
