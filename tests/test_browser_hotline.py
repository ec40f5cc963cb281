"""The hotline in headless Chromium: a request sent with the keyboard only, through an error
and the three steps to its confirmation, axe-core on every page; the console's hotline pages
pass axe too."""

from __future__ import annotations

import re

import pytest
from test_browser import browser, page, run_axe, screenshot, serve  # noqa: F401

from portail.credentials import set_admin_password
from portail.db import open_store
from webui import create_app

pytestmark = pytest.mark.browser
PASSWORD = "une phrase de passe assez longue"


@pytest.fixture(scope="module")
def hotline_data(tmp_path_factory):
    data = tmp_path_factory.mktemp("hotline") / "var"
    data.mkdir()
    set_admin_password(data, PASSWORD)
    return data


@pytest.fixture(scope="module")
def base_url(hotline_data):
    app = create_app({"DATA_DIR": str(hotline_data), "SESSION_COOKIE_SECURE": False})
    yield from serve(app)


def check_page(tab, name: str) -> None:
    tab.wait_for_load_state("networkidle")
    violations = [v for v in run_axe(tab) if v["impact"] in ("serious", "critical")]
    assert not violations, violations
    assert tab.title().endswith("— France International")
    assert not [e for e in tab.console_errors if "Content Security Policy" in e]
    screenshot(tab, name)


def active(tab) -> dict:
    return tab.evaluate(
        """() => { const e = document.activeElement; const s = getComputedStyle(e);
        return {id: e.id, value: e.value, checked: e.checked, tag: e.tagName,
                outline: s.outlineStyle + ' ' + s.outlineWidth}; }"""
    )


def tab_to(tab, element_id: str, limit: int = 80) -> dict:
    """Press Tab until the element has the focus (and show that the focus is visible)."""
    for _ in range(limit):
        tab.keyboard.press("Tab")
        state = active(tab)
        if state["id"] == element_id:
            assert not state["outline"].startswith("none"), f"{element_id}: focus not visible"
            return state
    pytest.fail(f"« {element_id} » cannot be reached with Tab")


def press_and_load(tab, key: str) -> None:
    """Press a key that sends the form, and wait for the next page."""
    with tab.expect_navigation():
        tab.keyboard.press(key)


def test_a_request_sent_with_the_keyboard_only(page, base_url, hotline_data):  # noqa: F811
    page.goto(base_url + "/")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Hotline"
    ).click()
    page.wait_for_url("**/hotline")
    check_page(page, "hotline-etape-1")

    tab_to(page, "bouton-suivant")  # sent empty: every error is said, next to its field
    press_and_load(page, "Enter")
    assert page.title().startswith("Erreur : Hotline")
    assert page.locator("#sujet-erreur").inner_text() == "Choisissez l'objet de votre demande."
    check_page(page, "hotline-erreurs")

    tab_to(page, "sujet")
    page.keyboard.type("Financer")
    assert active(page)["value"] == "financement"
    tab_to(page, "etape-diagnostic")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("#etape-strategie").is_checked()
    tab_to(page, "pays")
    page.keyboard.type("Canada")
    assert active(page)["value"] == "CA"
    tab_to(page, "message")
    page.keyboard.type("Nous voulons exposer au salon SIAL Canada et cherchons un financement.")
    tab_to(page, "bouton-suivant")
    press_and_load(page, "Enter")
    assert "Étape 2 sur 3" in page.locator(".fr-stepper").inner_text()
    check_page(page, "hotline-etape-2")

    tab_to(page, "siren")
    page.keyboard.type("552 100 554")
    tab_to(page, "taille")
    page.keyboard.type("10")
    assert active(page)["value"] == "pme"
    tab_to(page, "code_postal")
    page.keyboard.type("29200")
    press_and_load(page, "Enter")  # Enter in a field sends the step (« Continuer »)
    assert "Étape 3 sur 3" in page.locator(".fr-stepper").inner_text()
    check_page(page, "hotline-etape-3")

    tab_to(page, "nom")
    page.keyboard.type("Jeanne Essai")
    tab_to(page, "courriel")
    page.keyboard.type("jeanne@example.org")
    tab_to(page, "consentement-oui")
    page.keyboard.press("Space")
    assert active(page)["checked"]
    tab_to(page, "bouton-suivant")
    press_and_load(page, "Enter")
    page.wait_for_url(re.compile(r"/hotline/suivi/[\w-]+\?nouvelle=1"))
    confirmation = page.locator(".fr-alert--success").inner_text()
    assert "Votre demande est transmise à Bpifrance, direction régionale pour la région " in (
        confirmation
    )
    assert "parce que le financement et l'assurance des projets export relèvent" in confirmation
    reference = re.search(r"HL-\d{4}-[0-9A-Z]{5}", confirmation)[0]
    check_page(page, "hotline-confirmation")
    store = open_store(hotline_data)
    try:
        row = store.hotline_request(reference)
    finally:
        store.close()
    assert (row["desk"], row["region"], row["country"]) == ("bpifrance-53", "53", "CA")


def test_the_console_hotline_pages_pass_axe(page, base_url, hotline_data):  # noqa: F811
    from datetime import UTC, datetime

    from portail.hotline import service
    from portail.hotline.routing import routing

    store = open_store(hotline_data)
    try:
        values = ("marche", "informer", "JP", "Quels salons au Japon ?" * 2, "", "micro", "")
        contact = ("84", "", "Paul Essai", "paul@example.org", "")
        service.submit(
            store,
            routing(),
            service.Submission(*values, *contact),
            {"subject": {}, "step": {}, "size": {}, "sector": {}},
            lambda token: token,
            datetime.now(UTC),
        )
    finally:
        store.close()
    page.goto(base_url + "/admin/connexion")
    page.get_by_label("Votre nom").fill("Camille")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(base_url + "/admin/hotline")
    check_page(page, "console-hotline")
    page.locator("a[href^='/admin/hotline/HL-']").first.click()
    page.wait_for_url(re.compile(r"/admin/hotline/HL-"))
    check_page(page, "console-hotline-demande")
    page.goto(base_url + "/admin/hotline/motifs")
    check_page(page, "console-hotline-motifs")
