"""The five applications in headless Chromium, one journey each, with axe-core on every page
they visit: the catalogue of offers, the partners, the regional directory, the country
directory and the agenda (with its iCalendar download)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar

# The server, browser and page fixtures and the helpers of the main browser tests.
from test_browser import app, base_url, browser, page, run_axe, screenshot  # noqa: F401

pytestmark = pytest.mark.browser


def check_page(tab, name: str) -> None:
    """No serious accessibility violation, a title that says where we are, no CSP error."""
    tab.wait_for_load_state("networkidle")
    serious = [v for v in run_axe(tab) if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    assert tab.title().endswith("— France International")
    assert not [e for e in tab.console_errors if "Content Security Policy" in e]
    screenshot(tab, name)


def test_the_catalogue_filtered_to_an_offer_and_its_providers_page(page, base_url):  # noqa: F811
    page.goto(base_url + "/")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Offres").click()
    page.wait_for_url("**/offres")
    check_page(page, "offres")
    page.get_by_label("Organisme").select_option("Bpifrance")
    page.get_by_label("Type d'aide").select_option("assurance")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"provider=Bpifrance.*aide=assurance|aide=assurance"))
    status = page.get_by_role("status").first.inner_text()
    assert re.match(r"\d+ offres? correspondant à vos critères", status)
    first = page.locator("#offres .fr-card__title a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/offres/[a-z0-9-]+$"))
    assert page.locator("h1").inner_text() == title
    outbound = page.get_by_role(
        "link", name=re.compile("Consulter l'offre sur le site de Bpifrance")
    )
    assert outbound.get_attribute("target") == "_blank"
    assert outbound.get_attribute("href").startswith("http://127.0.0.1:")
    check_page(page, "offre")


def test_the_partners_lead_to_a_partner_and_its_offers(page, base_url):  # noqa: F811
    page.goto(base_url + "/partenaires")
    check_page(page, "partenaires-annuaire")
    page.get_by_role("link", name="Coface", exact=True).first.click()
    page.wait_for_url("**/partenaires/coface")
    assert page.locator("h1").inner_text() == "Coface"
    assert page.get_by_role("heading", name="Ses offres d'appui").is_visible()
    check_page(page, "partenaire-coface")
    page.locator("table a[href^='/offres/']").first.click()
    page.wait_for_url(re.compile(r"/offres/[a-z0-9-]+$"))
    assert "Coface" in page.locator(".fr-text--lead").inner_text()


def test_the_regional_directory_leads_to_a_regions_contacts(page, base_url):  # noqa: F811
    page.goto(base_url + "/regions")
    check_page(page, "regions")
    page.get_by_role("link", name="Occitanie", exact=True).click()
    page.wait_for_url("**/regions/76")
    assert page.locator("h1").inner_text() == "Occitanie : vos contacts export"
    assert page.locator(".portail-contact").count() >= 3
    assert page.get_by_role("link", name=re.compile(r"@exemple\.invalid")).first.is_visible()
    check_page(page, "region-occitanie")


def test_the_country_search_understands_an_adjective(page, base_url):  # noqa: F811
    page.goto(base_url + "/pays")
    check_page(page, "pays")
    page.get_by_role("searchbox", name="Rechercher un pays").fill("allemand")
    page.get_by_role("searchbox", name="Rechercher un pays").press("Enter")
    page.wait_for_url("**/pays/de")
    assert page.locator("h1").inner_text() == "Allemagne"
    assert page.get_by_role("heading", name="S'informer sur le pays").is_visible()
    check_page(page, "pays-allemagne")


def test_the_agenda_filtered_by_month_and_one_event_downloaded(page, base_url):  # noqa: F811
    page.goto(base_url + "/agenda")
    check_page(page, "agenda")
    page.get_by_label("Mois").select_option("2027-03")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"month=2027-03"))
    assert "correspondant à vos critères" in page.get_by_role("status").first.inner_text()
    link = page.locator(".portail-event").first.get_by_role(
        "link", name=re.compile("Ajouter à mon calendrier")
    )
    with page.expect_download() as download:
        link.click()
    (event,) = Calendar.from_ical(Path(download.value.path()).read_bytes()).walk("VEVENT")
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert isinstance(start, date) and start <= date(2027, 3, 31) and end > date(2027, 3, 1)
    check_page(page, "agenda-mars-2027")
    page.get_by_role("link", name="Les événements passés").click()
    page.wait_for_url(re.compile(r"/agenda/archives\?month=2027-03"))
    page.goto(base_url + "/agenda/archives")
    assert page.locator("h1").inner_text() == "Événements passés"
    assert page.locator(".portail-event").count() >= 1
    check_page(page, "agenda-archives")


def test_the_filter_forms_work_without_javascript(browser, base_url):  # noqa: F811
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    plain = context.new_page()
    try:
        plain.goto(base_url + "/agenda")
        plain.get_by_label("Pays").select_option("DE")
        plain.get_by_role("button", name="Filtrer").click()
        plain.wait_for_url(re.compile(r"country=DE"))
        assert plain.locator(".portail-event").count() >= 3
        plain.goto(base_url + "/offres")
        plain.get_by_label("Région de votre entreprise").select_option("76")
        plain.get_by_role("button", name="Filtrer").click()
        plain.wait_for_url(re.compile(r"region=76"))
        assert "Région de votre entreprise : Occitanie" in plain.content()
    finally:
        context.close()
