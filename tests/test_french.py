"""The portal's French: a small grammar check of the mistakes a walk-through found (« le
étape », « de les », a lost space around « · »…), run over every message string of the code,
every template and the rendered pages of the crawled demo web."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from portail.geo import country_name
from portail.language import plural
from webui import create_app

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portail", "portail_cli", "crawlers", "indexer", "webui", "scheduler", "demo")
TEMPLATES = ROOT / "webui" / "templates"
VOWEL = "aeiouyéèêëàâîïôöûùüœæ"
SLOT = "◊"  # what a template expression or an f-string field becomes
WORD = r"(?<![\w'’-])"
# Words before which « le », « de », « que »… keep their vowel (« le ou les », « la une »).
NO_ELISION = ("ou", "onze", "oui", "une", "un", "uns", "huit", "yeux")
RULES: dict[str, re.Pattern[str]] = {
    # « le étape », « que il », « de Auvergne » (a grade such as « A4 » is no word)
    "élision manquante": re.compile(
        rf"{WORD}(le|la|de|que|ne|je|me|te|se|ce|jusque|lorsque|puisque)\s+"
        rf"(?!(?:{'|'.join(NO_ELISION)})\b)(?![A-Z]\d*\b)(?=[{VOWEL}])\w+|{WORD}si\s+ils?\b",
        re.I,
    ),
    # « de les PME », « à le salon » (but « de les accompagner », a pronoun before a verb)
    "contraction manquante": re.compile(
        rf"{WORD}(de|à)\s+(le|les)\s+(?!\w+(?:er|ir|re|oir)\b)\w+|{WORD}de\s+une?\b", re.I
    ),
    "espace autour de « · »": re.compile(r"\S·|·\S"),
    "espace dans les guillemets": re.compile(r"«(?!\s)|(?<!\s)»"),
    # The codebase writes a space before « : ; ! ? » everywhere (a plain one, consistently);
    # an HTTP header (« Accept: application/json ») is code.
    "espace avant « : ; ! ? »": re.compile(
        rf"[\w{VOWEL}»)][;!?](?=\s|$)|[\w{VOWEL}»)]:(?=\s)(?!\s[\w.+-]+/[\w.+*-]+)"
    ),
    "double espace": re.compile(r"\S {2,}\S"),
    # « Les 1 offres », « Les 0 offres »: a count of 0 or 1 takes no plural article
    "article pluriel devant 0 ou 1": re.compile(rf"{WORD}les [01](?![\d,.])", re.I),
    # « 1 ressource du portail concernent »: one thing takes a singular verb
    "verbe au pluriel après 1": re.compile(
        r"(?<![\d,.])\b1 (?:[\w'’.-]+ ){1,4}(?:concernent|sont|ont|correspondent)\b"
    ),
}


def mistakes(text: str) -> list[str]:
    """Every rule broken in a piece of French text: « rule : context »."""
    found = []
    for name, rule in RULES.items():
        for m in rule.finditer(text):
            if name == "double espace" and SLOT in m.group(0):
                continue  # an aligned column (« {a:>9} {b:>9}  État »)
            context = text[max(0, m.start() - 25) : m.end() + 25].replace("\n", " ")
            found.append(f"{name} : « {context} »")
    return found


@pytest.mark.parametrize(
    "bad",
    [
        "Valeur inconnue pour le étape : « x ».",
        "Le portail de les exportateurs",
        "Inscrivez-vous à le salon",
        "Le prêt de un million",
        "Vérifiez que il est ouvert.",
        "Voir si il reste des places.",
        "Bpifrance ·12 janvier 2026",
        "Guide· Bpifrance",
        "Un  double espace",
        "Adresse: 3 rue du Port",
        "Vraiment!",
        "Le mot «export »",
        "Les aides de Auvergne-Rhône-Alpes",
        "Les 1 offres de volontariat international ouvertes aujourd'hui.",
        "Les 0 offres de volontariat international",
        "1 ressource du portail concernent ce pays",
        "1 offre de V.I.E. sont ouvertes",
    ],
)
def test_the_check_finds_each_mistake(bad):
    assert mistakes(bad), bad


@pytest.mark.parametrize(
    "good",
    [
        "Valeur inconnue pour l'étape : « x ».",
        "Le portail des exportateurs, au salon, d'un million",
        "Avant de les accompagner, il faut le ou les pays.",
        "À la une : note de A4 à B.",
        "Vérifiez qu'il est ouvert ; voir s'il reste des places !",
        "Bpifrance · 12 janvier 2026",
        "Le mot « export » à 10:30 sur https://exemple.invalid/a:b",
        "La même adresse avec Accept: application/json",
        "Les 12 offres ; les 10 plus récentes ; 21 ressources du portail concernent ce pays",
        "1 ressource du portail concerne ce pays ; les 1,5 million d'entreprises",
    ],
)
def test_the_check_accepts_good_french(good):
    assert mistakes(good) == []


# -- the code's messages and the templates ---------------------------------------------------

FRENCH_WORDS = re.compile(
    r"(?i)(?<![\w'])(le|la|les|des|du|une|est|pour|avec|sur|aux?|dans|vos?|votre|à|d'|l'|qu')"
    r"(?!\w)|\w*[éèêà]\w*"
)
ENGLISH_WORDS = re.compile(
    r"(?i)\b(the|of|and|is|are|with|for|its|a|an|to|or|from|by|when|this|that|not|be)\b"
)


def is_french(text: str) -> bool:
    return len(FRENCH_WORDS.findall(text)) > len(ENGLISH_WORDS.findall(text))


def _docstrings(tree: ast.AST) -> set[int]:
    kinds = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, kinds)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def message_strings(path: Path) -> Iterator[tuple[int, str]]:
    """The French strings of a module (f-strings with their fields as SLOT), docstrings,
    regular expressions and identifiers left out."""
    tree = ast.parse(path.read_text("utf-8"))
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(
                v.value if isinstance(v, ast.Constant) else SLOT
                for v in node.values
                if not isinstance(v, ast.Constant) or isinstance(v.value, str)
            )
        else:
            continue
        regex = "\\" in text or "(?" in text or re.search(r"\[\w+\]", text)
        if " " in text and not regex and is_french(text):
            yield node.lineno, text


def test_the_messages_of_the_code_are_good_french():
    found = [
        f"{path.relative_to(ROOT)}:{line} {m}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, text in message_strings(path)
        for m in mistakes(text)
    ]
    assert found == []


INLINE = re.compile(r"(?s)<(code|script|style|pre)\b.*?</\1>")
BLOCK = re.compile(
    r"</?(p|div|li|ul|ol|th|td|tr|h\d|br|section|table|thead|tbody|caption|dt|dd|label|option|"
    r"button|legend|header|footer|nav|main|a|title|summary)\b[^>]*>"
)


def visible_lines(html: str) -> list[str]:
    """The text of a page (or template), line by line as blocks and links cut it."""
    text = INLINE.sub(SLOT, html)
    text = BLOCK.sub("\n", text)
    text = unescape(re.sub(r"<[^>]+>", "", text))
    return [line.strip() for line in text.splitlines() if line.strip()]


def template_text(path: Path) -> str:
    text = path.read_text("utf-8")
    text = re.sub(r"(?s)\{#.*?#\}", "", text)
    text = re.sub(r"(?s)\{%.*?%\}", "", text)
    return re.sub(r"(?s)\{\{.*?\}\}", SLOT, text)


def test_the_templates_are_good_french():
    found = [
        f"{path.relative_to(ROOT)} {m}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for line in visible_lines(template_text(path))
        for m in mistakes(line)
    ]
    assert found == []


# « en {{ code|region_name }} » reads « en Hauts-de-France », « en La Réunion »: a region is
# named after a preposition with the `region_where` filter (« dans les Hauts-de-France »).
REGION_AFTER_EN = re.compile(r"(?<![\w'])[Ee]n\s+\{\{[^}]*(region_name|offer_regions)[^}]*\}\}")


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Les contacts en {{ code|region_name }}", True),
        ("<h2>En {{ user_region_name }}</h2>", True),
        (", en {{ offer|offer_regions }}.", True),
        ("Les contacts {{ code|region_where }}", False),
        ("Ma région : {{ user_region_name }}", False),
    ],
)
def test_the_region_preposition_check(text, bad):
    assert bool(REGION_AFTER_EN.search(text)) is bad


def test_the_templates_name_regions_with_their_own_preposition():
    found = [
        f"{path.relative_to(ROOT)} : {m.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for m in REGION_AFTER_EN.finditer(path.read_text("utf-8"))
    ]
    assert found == []


# -- the rendered pages of the crawled demo ----------------------------------------------------

MAX_PAGES = 220
SKIPPED = ("/static", "/admin", "/flux", "/api", "/agenda.ics", "/compte")
ERROR_PAGES = (
    "/recherche?step=nulle-part",
    "/recherche?kind=rien",
    "/offres?step=nulle-part",
    "/offres?public=personne",
    "/agenda?mois=13",
)


@pytest.fixture(scope="module")
def rendered(indexed_data) -> dict[str, str]:
    """Path → HTML of the portal's pages, reached by links from the home page (a few error
    pages too), on the crawled and indexed demo web."""
    app = create_app({"DATA_DIR": str(indexed_data), "TODAY": "2026-11-27", "TESTING": True})
    client = app.test_client()
    pages: dict[str, str] = {}
    queue, seen = ["/", *ERROR_PAGES], set()
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if "html" not in response.content_type:
            continue
        html = response.get_data(as_text=True)
        pages[path] = html
        for href in re.findall(r'href="(/[^"#]*)"', html):
            href = unescape(href)
            if not href.startswith(SKIPPED) and not href.endswith((".ics", ".json")):
                queue.append(href)
    return pages


def test_the_rendered_pages_are_good_french(rendered):
    assert len(rendered) >= 150
    found = {
        m: path
        for path, html in rendered.items()
        for line in visible_lines(html)
        for m in mistakes(line)
        if not m.startswith("double espace")  # HTML folds spaces
    }
    assert found == {}
    assert any("Valeur inconnue pour le paramètre" in unescape(html) for html in rendered.values())


def test_card_details_keep_their_spaces_in_a_flex_box(rendered):
    """The DSFR lays a card's detail out as a flex box, which drops the spaces at the edges
    of its text runs (« Bpifrance ·12 janvier »): text and elements go in one span."""
    broken = []
    for path, html in rendered.items():
        for detail in BeautifulSoup(html, "lxml").select(".fr-card__detail"):
            children = [c for c in detail.children if getattr(c, "name", None)]
            loose = "".join(str(c) for c in detail.children if not getattr(c, "name", None))
            if children and loose.strip():
                broken.append(f"{path} : {detail.get_text()!r}")
    assert broken == []


def test_country_names_are_the_usual_short_french_names():
    usual = {
        "VN": "Vietnam",
        "KR": "Corée du Sud",
        "SY": "Syrie",
        "LA": "Laos",
        "MD": "Moldavie",
        "VE": "Venezuela",
    }
    assert {code: country_name(code) for code in usual} == usual


# What the crawled pages say (their linked titles, snippets and descriptions), not the portal.
OUTBOUND = re.compile(
    r'(?s)<a [^>]*href="https?://[^"]*"[^>]*>.*?</a>|<p class="fr-card__desc"[^>]*>.*?</p>'
)


def test_the_country_facet_names_vietnam_as_the_titles_do(rendered, indexed_data):
    """The portal's own words say « Vietnam »; a crawled page's title and text keep theirs."""
    app = create_app({"DATA_DIR": str(indexed_data), "TODAY": "2026-11-27", "TESTING": True})
    page = unescape(app.test_client().get("/recherche?country=VN").get_data(as_text=True))
    assert "Vietnam" in page and "Viêt Nam" not in OUTBOUND.sub("", page)
    own_words = {path: unescape(OUTBOUND.sub("", html)) for path, html in rendered.items()}
    assert [path for path, text in own_words.items() if "Viêt Nam" in text] == []


@pytest.mark.parametrize(
    "count, noun, plural_form, expected",
    [
        (0, "erreur", "", "0 erreur"),
        (1, "source active", "", "1 source active"),
        (3, "source active", "", "3 sources actives"),
        (2, "mise à jour", "mises à jour", "2 mises à jour"),
        (5, "prix", "", "5 prix"),
    ],
)
def test_counts_agree_with_their_noun(count, noun, plural_form, expected):
    assert plural(count, noun, plural_form) == expected


def test_each_region_is_named_with_its_own_preposition(indexed_data):
    """« à Mayotte », « dans les Hauts-de-France », « en Bretagne »: never « en Mayotte »."""
    from portail.geo import regions

    app = create_app({"DATA_DIR": str(indexed_data), "TODAY": "2026-11-27", "TESTING": True})
    client = app.test_client()
    assert regions()["06"].locative == "à Mayotte"
    assert regions()["53"].locative == "en Bretagne"
    for code, region in regions().items():
        page = unescape(client.get(f"/regions/{code}").get_data(as_text=True))
        assert f"L'agenda des événements {region.locative}<" in page, code
        if region.locative != f"en {region.name}":
            assert f"en {region.name}" not in OUTBOUND.sub("", page), code
