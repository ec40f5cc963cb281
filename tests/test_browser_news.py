"""The news stream in headless Chromium: filtering by country and sector, paging, the archives
and a relayed story's links, with axe-core on every page visited and the filter form without
JavaScript."""

from __future__ import annotations

import re

import pytest

# The server, browser and page fixtures and the helpers of the main browser tests.
from test_browser import app, base_url, browser, page, run_axe, screenshot  # noqa: F401
from test_browser_apps import check_page

pytestmark = pytest.mark.browser


def test_the_news_filtered_paged_and_archived(page, base_url):  # noqa: F811
    page.goto(base_url + "/")
    page.locator("#actualites-titre").scroll_into_view_if_needed()
    page.get_by_role("link", name="Toutes les actualités").click()
    page.wait_for_url("**/actualites")
    check_page(page, "actualites")
    assert page.locator(".portail-story").count() == 10
    page.get_by_role("link", name="Page suivante").first.click()
    page.wait_for_url("**/actualites?page=2")
    assert page.locator(".portail-story").count() >= 1
    check_page(page, "actualites-page-2")

    page.goto(base_url + "/actualites")
    page.get_by_label("Pays").select_option("GB")
    page.get_by_label("Secteur").select_option("aeronautique")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r".*/actualites\?country=GB&.*sector=aeronautique.*"))
    titles = page.locator(".portail-story .fr-card__title").all_inner_texts()
    assert titles and all("Farnborough" in t for t in titles)
    check_page(page, "actualites-filtrees")

    page.get_by_role("link", name="Les actualités archivées").click()
    page.wait_for_url("**/actualites/archives?country=GB&sector=aeronautique")
    check_page(page, "actualites-archives")


def test_a_relayed_story_shows_every_body_and_opens_the_first(page, base_url, demo_web):  # noqa: F811
    page.goto(base_url + "/actualites/archives?country=JP")
    card = page.locator(".portail-story", has_text="Fruitière des Aravis")
    assert card.count() == 1
    tellings = card.locator(".portail-story__tellings a")
    assert tellings.count() == 2
    assert "Business France" in tellings.nth(1).inner_text()
    detail = card.locator(".fr-card__detail").inner_text()
    assert detail == "Publié le 19 mai 2026 · Région Auvergne-Rhône-Alpes et Business France"
    check_page(page, "actualites-histoire-relayee")
    with page.context.expect_page() as opened:
        card.locator(".fr-card__title a").click()
    original = opened.value
    original.wait_for_load_state()
    assert "Fruitière des Aravis" in original.locator("h1").inner_text()


def test_the_news_filter_form_works_without_javascript(browser, base_url):  # noqa: F811
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    tab = context.new_page()
    tab.goto(base_url + "/actualites")
    tab.get_by_label("Étape du parcours").select_option("informer")
    tab.get_by_role("button", name="Filtrer").click()
    tab.wait_for_url("**/actualites?*step=informer*")
    assert tab.locator(".portail-story").count() >= 1
    context.close()


PHONE_PAGES = (
    "/actualites",
    "/actualites?country=GB&sector=aeronautique",
    "/actualites/archives?country=JP",
    "/",
    "/pays/gb",
    "/regions/84",
)


@pytest.mark.parametrize("javascript", [True, False])
def test_the_news_never_scroll_sideways_on_a_phone_and_pass_axe(browser, base_url, javascript):  # noqa: F811
    context = browser.new_context(
        viewport={"width": 375, "height": 800}, locale="fr-FR", java_script_enabled=javascript
    )
    tab = context.new_page()
    try:
        for path in PHONE_PAGES:
            tab.goto(base_url + path)
            assert tab.locator("#actualites-titre, .portail-story").count() >= 1, path
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, (path, javascript, width)
            if javascript:
                screenshot(tab, "telephone-" + (re.sub(r"\W+", "-", path).strip("-") or "accueil"))
                serious = [v for v in run_axe(tab) if v["impact"] in ("serious", "critical")]
                assert not serious, (path, serious)
    finally:
        context.close()
