"""The maintainers' console in headless Chromium: log in with the keyboard, the sources and a
source's history, a correction of a page's step, the sources check; axe-core on every page,
and a screenshot of each."""

from __future__ import annotations

import re
import shutil
import time
from urllib.parse import urlsplit

import pytest
from test_browser import browser, page, run_axe, screenshot, serve  # noqa: F401

from conftest import run_portail
from portail.credentials import set_admin_password
from webui import create_app

pytestmark = pytest.mark.browser
PASSWORD = "une phrase de passe assez longue"


@pytest.fixture(scope="module")
def console_data(indexed_data, tmp_path_factory):
    data = tmp_path_factory.mktemp("console") / "var"
    shutil.copytree(indexed_data, data)
    set_admin_password(data, PASSWORD)
    return data


@pytest.fixture(scope="module")
def console_url(console_data, crawled_data):
    yield from serve(
        create_app({"DATA_DIR": str(console_data), "SOURCES_FILE": str(crawled_data["sources"])})
    )


def check(tab, name: str) -> None:
    tab.wait_for_load_state("networkidle")
    serious = [v for v in run_axe(tab) if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    assert "France International" in tab.title()
    assert not [e for e in tab.console_errors if "Content Security Policy" in e]
    screenshot(tab, name)


def log_in_with_the_keyboard(tab, url: str) -> None:
    tab.goto(url + "/admin/sources")
    tab.wait_for_url("**/admin/connexion**")
    check(tab, "console-connexion")
    tab.get_by_label("Votre nom").focus()
    tab.keyboard.type("Camille")
    tab.keyboard.press("Tab")
    tab.keyboard.type(PASSWORD)
    tab.keyboard.press("Enter")
    tab.wait_for_url(lambda url: urlsplit(url).path == "/admin/sources")


def test_sources_and_a_sources_history(page, console_url):  # noqa: F811
    tab = page
    log_in_with_the_keyboard(tab, console_url)
    assert tab.locator("h1").inner_text().startswith("Sources")
    check(tab, "console-sources")
    tab.locator("table a[href^='/admin/sources/']").first.click()
    tab.wait_for_url(re.compile(r"/admin/sources/[a-z0-9-]+$"))
    check(tab, "console-source")


def test_a_correction_from_search_to_saved(page, console_url, console_data):  # noqa: F811
    tab = page
    log_in_with_the_keyboard(tab, console_url)
    tab.goto(console_url + "/admin/corrections")
    check(tab, "console-corrections")
    tab.get_by_label("Adresse ou mots de la page").fill("assurance prospection")
    tab.locator("#recherche-page").get_by_role("button", name="Chercher").click()
    tab.wait_for_url(lambda url: "q=" in urlsplit(url).query)
    tab.locator("a[href*='/admin/corrections/page?url=']").first.click()
    tab.wait_for_url(lambda url: urlsplit(url).path == "/admin/corrections/page")
    assert tab.locator("h1").inner_text() == "Classement d'une page"
    check(tab, "console-page")
    tab.get_by_label("Étape du parcours").select_option("strategie")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Enregistrer la correction").click()
    assert "Correction enregistrée" in tab.content()
    assert "Page corrigée par Camille" in tab.content()
    assert "à la prochaine indexation" in tab.content()  # queued, never indexed in the request
    # What the scheduler then runs; the console shows the index's new entry.
    assert run_portail("index", data=console_data).returncode == 0
    time.sleep(0.6)  # the searcher looks for a new index generation twice a second
    tab.reload()
    indexed_step = tab.get_by_role("row", name=re.compile(r"^Étape")).get_by_role("cell").nth(0)
    assert indexed_step.inner_text() == "3. Bâtir une stratégie"
    check(tab, "console-page-corrigee")


def test_the_sources_check_reports_errors_in_french(page, console_url):  # noqa: F811
    tab = page
    log_in_with_the_keyboard(tab, console_url)
    tab.goto(console_url + "/admin/sources/verifier")
    check(tab, "console-verifier")
    tab.get_by_label("Contenu du fichier").fill('[[source]]\nid = "Mauvais Id"\nname = "x"\n')
    tab.get_by_role("button", name=re.compile("Vérifier")).click()
    tab.wait_for_load_state("networkidle")
    assert "fichier refusé" in tab.content()
    check(tab, "console-verifier-erreurs")
