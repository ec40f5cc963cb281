"""The self-assessment in headless Chromium, with the keyboard only and axe-core on every page
of every run: typical companies answer every page (one of them without JavaScript), reach
their result and find there the score, the step and the actions the file pins for them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

# The server, browser and page fixtures and the helpers of the main browser tests.
from test_browser import app, base_url, browser, page, run_axe, screenshot  # noqa: F401

from webui.autodiagnostic import pages
from webui.diagnostic_spec import spec

pytestmark = pytest.mark.browser
SPEC = spec()
PAGES = pages(SPEC)
MAX_TABS = 120


def check_page(tab, name: str, keep: bool = True) -> None:
    """No serious accessibility violation, a title that says where we are, no CSP error; the
    screenshot is kept when asked."""
    serious = [v for v in run_axe(tab) if v["impact"] in ("serious", "critical")]
    assert not serious, (name, serious)
    assert tab.title().endswith("— France International")
    assert not [e for e in tab.console_errors if "Content Security Policy" in e]
    if keep:
        screenshot(tab, name)


@contextmanager
def scriptless_checker(browser, tab) -> Iterator[Callable[[str], None]]:  # noqa: F811
    """axe-core for a tab without JavaScript (where axe cannot run): a second tab opens the
    same address with every script blocked (the CSP allows no inline script, so the page is
    the one a browser without JavaScript shows) and axe runs there, once per page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    blocked: list[str] = []

    def no_script(route) -> None:
        if route.request.resource_type == "script":
            blocked.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", no_script)
    twin = context.new_page()
    twin.set_default_timeout(10_000)
    twin.console_errors = []
    twin.on("console", lambda m: m.type == "error" and twin.console_errors.append(m.text))

    def check(name: str) -> None:
        blocked.clear()
        twin.goto(tab.url)
        assert blocked, "the page's scripts must be blocked"
        check_page(twin, name, keep=False)

    try:
        yield check
    finally:
        context.close()


def focused(tab) -> dict:
    return tab.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName, id: e.id, name: e.name || '', value: e.value || '',
                type: e.type || '', text: e.textContent.trim(),
                outline: getComputedStyle(e).outlineStyle}; }""")


def tab_to(tab, wanted) -> dict:
    """Press Tab until the focused element satisfies `wanted`; its description."""
    for _ in range(MAX_TABS):
        tab.keyboard.press("Tab")
        state = focused(tab)
        if wanted(state):
            return state
    pytest.fail(f"not reachable with Tab ({tab.url})")


def answer(tab, question_id: str, answer_id: str) -> None:
    """Choose an answer with the keyboard: arrows in a radio group, arrows in a list."""
    question = SPEC.by_id[question_id]
    state = tab_to(tab, lambda s: s["name"] == question_id)
    if state["tag"] == "SELECT":
        options = tab.evaluate(
            "e => [...e.options].map(o => o.value)", tab.locator(f"#{state['id']}").element_handle()
        )
        moves = options.index(answer_id) - options.index(state["value"])
        for _ in range(abs(moves)):
            tab.keyboard.press("ArrowDown" if moves > 0 else "ArrowUp")
    else:
        ids = [a.id for a in question.answers]
        moves = ids.index(answer_id) - ids.index(state["value"])
        for _ in range(abs(moves)):
            tab.keyboard.press("ArrowDown" if moves > 0 else "ArrowUp")
        tab.keyboard.press("Space")
    assert focused(tab)["value"] == answer_id, (question_id, focused(tab))
    assert state["outline"] != "none", "focus must be visible"


def next_page(tab, label: str) -> None:
    state = tab_to(tab, lambda s: s["tag"] == "BUTTON" and s["text"].startswith(label))
    assert state["outline"] != "none"
    with tab.expect_navigation():
        tab.keyboard.press("Enter")


def take(
    tab,
    url: str,
    example_id: str,
    screenshots: bool,
    check: Callable[[str], None] | None = None,
    every_page: bool = True,
) -> dict[str, str]:
    """Answer every page with the keyboard; axe-core checks the first page and, unless told
    otherwise, every page (`check`, by default in the tab itself), whose screenshot is kept
    when asked."""
    if check is None:
        check = lambda name: check_page(tab, name, keep=screenshots)  # noqa: E731
    answers = dict(next(e for e in SPEC.examples if e.id == example_id).answers)
    tab.goto(url + "/autodiagnostic")
    check(f"autodiagnostic-{example_id}")
    next_page(tab, "Commencer l'autodiagnostic")
    for page_ in PAGES:
        assert re.search(rf"/questionnaire/[\w-]{{32}}/{page_.id}$", tab.url), tab.url
        assert f"Étape {page_.number} sur 9" in tab.locator("h1").inner_text()
        for question in page_.questions:
            if question.id not in answers:
                continue
            if not tab.locator(f"#question-{question.id}").is_visible():
                continue
            answer(tab, question.id, answers[question.id])
        if every_page:
            check(f"autodiagnostic-{example_id}-{page_.id}")
        last = page_.number == len(PAGES)
        next_page(tab, "Voir mon résultat" if last else "Suivant")
        if "suite=1" in tab.url:  # without script: the page came back with new questions
            assert "Votre réponse appelle quelques précisions" in tab.content()
            for question in page_.questions:
                if tab.locator(f"#question-{question.id}").is_visible() and not (
                    tab.locator(f"input[name='{question.id}']:checked").count()
                ):
                    answer(tab, question.id, answers[question.id])
            next_page(tab, "Voir mon résultat" if last else "Suivant")
    assert re.search(r"/autodiagnostic/resultat/[\w-]{32}$", tab.url), tab.url
    return answers


def check_result(tab, example_id: str, check: Callable[[str], None] | None = None) -> None:
    expected = next(e for e in SPEC.examples if e.id == example_id).expected
    band = next(b for b in SPEC.bands if b.id == expected["band"])
    heading = tab.locator("#global-titre").inner_text()
    assert (
        heading == f"Votre score global : {expected['scores']['overall']} sur 100, « {band.label} »"
    )
    actions = tab.locator(".portail-actions h3").all_inner_texts()
    assert actions == [SPEC.action(a).title for a in expected["actions"]]
    assert tab.locator("#scores-tableau tbody tr").count() == len(SPEC.dimensions) + 1
    assert tab.locator("figure svg[role='img']").count() == 1
    if check is None:
        check_page(tab, f"autodiagnostic-{example_id}-resultat")
    else:
        check(f"autodiagnostic-{example_id}-resultat")
        screenshot(tab, f"autodiagnostic-{example_id}-resultat-sans-js")


@pytest.mark.parametrize("example_id", ["primo-exportateur", "pme-implantation"])
def test_a_company_takes_the_self_assessment_with_the_keyboard(page, base_url, example_id):  # noqa: F811
    take(page, base_url, example_id, screenshots=example_id == "pme-implantation")
    check_result(page, example_id)
    # the result's links are reachable with the keyboard too
    state = tab_to(page, lambda s: s["tag"] == "A" and "Refaire l'autodiagnostic" in s["text"])
    assert state["outline"] != "none"


def test_a_company_not_ready_takes_it_without_javascript(browser, base_url):  # noqa: F811
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}, locale="fr-FR"
    )
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.console_errors = []
    try:
        with scriptless_checker(browser, tab) as check:
            take(tab, base_url, "pas-pret", screenshots=False, check=check)
            check_result(tab, "pas-pret", check)
    finally:
        context.close()


def test_the_result_prints_without_the_sites_chrome(page, base_url):  # noqa: F811
    # the questionnaire's pages are checked by the other runs: this one is about printing
    take(page, base_url, "exportateur-occasionnel", screenshots=False, every_page=False)
    page.emulate_media(media="print")
    assert not page.locator("header.fr-header").is_visible()
    assert not page.get_by_role("link", name="Refaire l'autodiagnostic").is_visible()
    assert page.locator("#scores-tableau").is_visible()
    assert page.locator("figure svg[role='img']").is_visible()
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
