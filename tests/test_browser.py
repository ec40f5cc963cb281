"""The web front end in headless Chromium: the journey, search with facets, keyboard use,
axe-core accessibility checks on every page type, pages without JavaScript, the theme switch."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.serving import make_server

from conftest import CHROMIUM, ROOT, chromium_or_skip
from indexer.search import SearchQuery
from webui import create_app

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
# One page of each type, as (name, path).
PAGE_TYPES = [
    ("accueil", "/"),
    ("parcours", "/etapes"),
    ("etape", "/etapes/gerer"),
    ("etape-filtree", "/etapes/prospecter?region=84"),
    ("recherche", "/recherche?q=douane"),
    ("recherche-facettes", "/recherche?q=export&step=prospecter&kind=event"),
    ("recherche-vide", "/recherche"),
    ("recherche-sans-resultat", "/recherche?q=zzqxw"),
    ("partenaires", "/partenaires"),
    ("partenaire", "/partenaires/bpifrance"),
    ("ma-region", "/ma-region"),
    ("erreur-404", "/page-inconnue"),
    ("erreur-400", "/recherche?page=0"),
]


@pytest.fixture(scope="module")
def app(indexed_data):
    return create_app({"DATA_DIR": str(indexed_data), "TODAY": "2026-11-27"})


def serve(app):
    """Serve a Flask app on a free loopback port for the module: yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="module")
def base_url(app):
    yield from serve(app)


@pytest.fixture(scope="module")
def browser():
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def run_axe(page) -> list[dict]:
    page.evaluate(AXE.read_text("utf-8"))
    return page.evaluate("""async () => {
        const results = await axe.run(document, {resultTypes: ['violations']});
        return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")


def args_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_the_journey_from_home_to_a_step_to_an_original_page(page, base_url, demo_web):
    page.goto(base_url + "/")
    page.get_by_role("link", name=re.compile(r"Étape 4 : Prospecter")).click()
    page.wait_for_url("**/etapes/prospecter")
    assert page.locator("h1").inner_text().startswith("Prospecter")
    first = page.locator(".fr-card__title a").first
    href = first.get_attribute("href")
    assert first.get_attribute("target") == "_blank" and "noopener" in first.get_attribute("rel")
    with page.context.expect_page() as opened:
        first.click()
    original = opened.value
    original.wait_for_load_state()
    assert original.url.split("#")[0].rstrip("/") == href.rstrip("/")
    assert urlsplit(original.url).port in {
        urlsplit(demo_web.origin(s)).port
        for s in (
            "bpifrance",
            "teamfrance",
            "coface",
            "cci-international",
            "agenda",
            "region-ara",
            "region-occitanie",
            "region-hdf",
            "ccef",
            "tresor",
            "douane",
            "vie",
        )
    }
    screenshot(page, "parcours-etape-prospecter")


def test_a_search_with_two_facets_and_pagination(page, base_url, app):
    searcher = app.extensions["searcher"]
    base = searcher.search(SearchQuery(text="export"))
    # The step and kind whose combination gives the most results (at least two pages).
    step, kind = max(
        ((s, k) for s, _ in base.facets["step"] for k, _ in base.facets["kind"]),
        key=lambda sk: searcher.search(SearchQuery(text="export", step=sk[0], kind=sk[1])).total,
    )
    expected = searcher.search(SearchQuery(text="export", step=step, kind=kind))
    assert expected.pages >= 2

    page.goto(base_url + "/recherche")
    page.get_by_role("searchbox", name="Rechercher dans les ressources du portail").fill("export")
    page.get_by_role("searchbox", name="Rechercher dans les ressources du portail").press("Enter")
    page.wait_for_url("**/recherche?q=export")
    step_label = app.jinja_env.globals["journey"][step].label
    page.locator(".portail-facets a", has_text=step_label).first.click()
    page.wait_for_url(re.compile(r"step="))
    kind_label = {
        "offer": "Offre d'accompagnement",
        "guide": "Guide pratique",
        "event": "Événement",
        "news": "Actualité",
        "contact": "Contact",
        "country": "Fiche pays",
        "vie": "Offre de V.I.E.",
        "other": "Autre",
    }[kind]
    page.locator(
        ".portail-facets a", has_text=re.compile("^" + re.escape(kind_label))
    ).first.click()
    page.wait_for_url(re.compile(r"kind="))
    assert args_of(page.url) == {"q": ["export"], "step": [step], "kind": [kind]}
    assert page.get_by_role("status").first.inner_text().startswith(f"{expected.total} résultat")
    page.get_by_role("link", name="Page suivante").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert args_of(page.url)["step"] == [step] and args_of(page.url)["kind"] == [kind]
    assert f"page 2 sur {expected.pages}" in page.get_by_role("status").first.inner_text()
    assert page.locator("#resultats > li").count() == len(
        searcher.search(SearchQuery(text="export", step=step, kind=kind, page=2)).hits
    )
    screenshot(page, "recherche-deux-facettes-page-2")


def focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement;
        const style = getComputedStyle(e);
        return {id: e.id, tag: e.tagName, href: e.getAttribute('href') || '',
                inResults: !!e.closest('#resultats'),
                outline: style.outlineStyle + ' ' + style.outlineWidth}; }""")


def test_keyboard_only_search(page, base_url):
    page.goto(base_url + "/")
    for _ in range(30):
        page.keyboard.press("Tab")
        if focused(page)["id"] == "recherche-entete-champ":
            break
    else:
        pytest.fail("the header search field cannot be reached with Tab")
    page.keyboard.type("douane")
    page.keyboard.press("Enter")
    page.wait_for_url("**/recherche?q=douane")
    for _ in range(150):
        page.keyboard.press("Tab")
        state = focused(page)
        if state["inResults"]:
            break
    else:
        pytest.fail("no search result can be reached with Tab")
    assert state["href"].startswith("http://127.0.0.1:")
    assert not state["outline"].startswith("none"), "focus must be visible"


def test_the_results_skip_link_jumps_to_the_results(page, base_url):
    page.goto(base_url + "/recherche?q=douane")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Résultats"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page)["inResults"]


@pytest.mark.parametrize("name, path", PAGE_TYPES)
def test_no_serious_accessibility_violations(page, base_url, name, path):
    page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    violations = run_axe(page)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    assert page.title().endswith("— France International")
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
    screenshot(page, name)


def test_dark_theme_passes_axe_too(page, base_url):
    page.goto(base_url + "/recherche?q=douane")
    page.get_by_role("button", name="Paramètres d'affichage").first.click()
    page.get_by_text("Thème sombre").click()
    page.wait_for_function("document.documentElement.getAttribute('data-fr-theme') === 'dark'")
    page.locator("#parametres-affichage .fr-btn--close").click()
    page.locator("#parametres-affichage").wait_for(state="hidden")
    serious = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    screenshot(page, "recherche-theme-sombre")


def test_pages_work_without_javascript(browser, base_url):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    try:
        page.goto(base_url + "/")
        assert page.get_by_role("navigation", name="Menu principal").is_visible()
        assert not page.get_by_role("button", name="Paramètres d'affichage").first.is_visible()
        page.get_by_role("searchbox", name="Rechercher une offre, un événement, un pays…").fill(
            "douane"
        )
        page.get_by_role("searchbox", name="Rechercher une offre, un événement, un pays…").press(
            "Enter"
        )
        page.wait_for_url("**/recherche?q=douane")
        assert page.locator("#resultats > li").count() == 10
        page.locator(".portail-facets a").first.click()
        page.wait_for_load_state()
        assert len(args_of(page.url)) == 2
        page.goto(base_url + "/etapes/gerer")
        page.get_by_label("Ou choisissez votre région").first.select_option("76")
        page.get_by_role("button", name="Enregistrer ma région").first.click()
        page.wait_for_url("**/etapes/gerer")
        assert page.get_by_role("link", name="Ma région : Occitanie").is_visible()
        screenshot(page, "etape-sans-javascript")
    finally:
        context.close()


def test_the_axe_script_is_installed():
    assert AXE.exists(), "lancez « npm ci » : node_modules/axe-core manque"
    assert Path(AXE).stat().st_size > 100_000
