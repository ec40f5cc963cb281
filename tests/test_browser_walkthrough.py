"""Every page type in headless Chromium on a phone (375 px) and on a laptop (1,280 px): no
serious or critical axe-core violation, and no sideways scrolling of the whole page (wide
tables scroll inside their DSFR wrapper). Every table of the templates has that wrapper."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

# The server, browser and helpers of the main browser tests.
from test_browser import app, base_url, browser, run_axe  # noqa: F401

import webui
from indexer.journey import STEP_IDS

pytestmark = pytest.mark.browser
TEMPLATES = Path(webui.__file__).resolve().parent / "templates"
WIDTHS = (375, 1280)
PAGES = [
    ("accueil", "/"),
    ("recherche", "/recherche?q=douane"),
    ("parcours", "/etapes"),
    *((f"etape-{step}", f"/etapes/{step}") for step in STEP_IDS),
    ("offres", "/offres"),
    ("offre", None),  # the catalogue's first offer, found at run time
    ("partenaires", "/partenaires"),
    ("partenaire", "/partenaires/bpifrance"),
    ("partenaire-region", "/partenaires/region-auvergne-rhone-alpes"),
    ("regions", "/regions"),
    ("region", "/regions/84"),
    ("pays", "/pays"),
    ("pays-fiche", "/pays/de"),
    ("agenda", "/agenda"),
    ("agenda-archives", "/agenda/archives"),
    ("console-connexion", "/admin"),
]
# Elements past the window's right edge that no scrolling ancestor clips (an absolutely
# positioned one escapes a scroller that is not positioned): why a page scrolls sideways.
OVERFLOWING = """() => {
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
        const box = el.getBoundingClientRect();
        if (box.right <= innerWidth + 1 || box.width === 0) continue;
        const absolute = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
        let parent = absolute ? null : el.parentElement, clipped = false;
        while (parent) {
            if (getComputedStyle(parent).overflowX !== 'visible') { clipped = true; break; }
            parent = parent.parentElement;
        }
        const name = `${el.tagName.toLowerCase()}.${el.className}`;
        if (!clipped) out.push(`${name} → ${Math.round(box.right)} px`);
    }
    return out.slice(0, 5);
}"""


@pytest.fixture(scope="module")
def first_offer(app):  # noqa: F811
    offers = app.test_client().get("/offres.json").get_json()["offers"]
    return f"/offres/{offers[0]['id']}"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name, path", PAGES)
def test_every_page_type_fits_the_screen_and_passes_axe(
    browser,  # noqa: F811
    base_url,  # noqa: F811
    first_offer,
    name,
    path,
    width,
):
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="fr-FR")
    try:
        tab = context.new_page()
        response = tab.goto(base_url + (path or first_offer))
        assert response is not None and response.status == 200, (name, path)
        tab.wait_for_load_state("networkidle")
        scroll_width, window = tab.evaluate(
            "[document.scrollingElement.scrollWidth, window.innerWidth]"
        )
        assert scroll_width <= window, (name, width, scroll_width, tab.evaluate(OVERFLOWING))
        serious = [v for v in run_axe(tab) if v["impact"] in ("serious", "critical")]
        assert not serious, (name, width, serious)
    finally:
        context.close()


def test_every_table_of_the_templates_is_wrapped_as_the_dsfr_asks():
    """DSFR 1.15 markup: .fr-table > .fr-table__wrapper > .fr-table__container >
    .fr-table__content > table (the container scrolls, the page does not)."""
    wrapper = re.compile(
        r'<div class="fr-table[^"]*">\s*<div class="fr-table__wrapper">'
        r'<div class="fr-table__container" tabindex="0">'
        r'<div class="fr-table__content">\s*<table[ >]'
    )
    found = 0
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text("utf-8")
        tables = text.count("<table")
        found += tables
        assert len(wrapper.findall(text)) == tables, template.relative_to(TEMPLATES)
    assert found >= 10


def test_the_dsfr_tables_of_the_installed_version_use_that_markup():
    dsfr = Path(webui.__file__).resolve().parent.parent / "node_modules" / "@gouvfr" / "dsfr"
    example = (dsfr / "example" / "component" / "table" / "index.html").read_text("utf-8")
    assert re.search(
        r'class="fr-table__wrapper">\s*<div class="fr-table__container">\s*'
        r'<div class="fr-table__content">\s*<table',
        example,
    )
