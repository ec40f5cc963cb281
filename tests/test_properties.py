"""Property tests (issue 13): whatever the query and filters, /recherche and /api/search answer
200 or 400 (or the 404 of a page past the last one) and never echo markup; whatever the edits
to a valid `sources.toml`, `portail sources check` exits 0 or 2 without a traceback; whatever the
junk HTML, `extract_html` raises nothing but its documented ExtractionError.

Hypothesis generates the cases; the example counts keep the file under a minute."""

from __future__ import annotations

import json
import re
import string
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DEMO_SOURCES, ROOT, run_portail
from crawlers.extract import ExtractionError, extract_html
from indexer.journey import KIND_IDS, STEP_IDS
from portail.db import open_store
from portail.geo import regions
from portail_cli.main import main
from webui import create_app


def past_last(args: dict[str, str], response: Any) -> bool:
    """The one rule for a page past the last (webui/params.py): a 404 that links to page 1."""
    page = str(args.get("page") or "1").strip()
    return response.status_code == 404 and page.isascii() and page.isdigit() and int(page) > 1


FAST = settings(
    max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), database=None
)

# -- a small index of real demo texts ---------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """The web app on a store of 60 demo pages, indexed (built in a few seconds)."""
    from indexer.index import update_index

    data = tmp_path_factory.mktemp("proprietes") / "var"
    store = open_store(data)
    store.record_source("demo", "Démo", "Organisme de démonstration", "84")
    crawl = store.start_crawl("demo")
    pages = []
    for path in sorted((ROOT / "demo" / "content").glob("*.toml")):
        pages += tomllib.loads(path.read_text("utf-8")).get("page", [])[:6]
    for i, page in enumerate(pages[:60]):
        url = f"https://demo.exemple.fr/{i}{page.get('path', '')}"
        fields = {
            "title": page.get("title", ""),
            "text": page.get("body", page.get("description", "")),
            "language": "fr",
            "content_hash": str(i),
            "structured": {},
            "links": [],
        }
        store.save_page(crawl, "demo", url, url, fields, None, None, 200)
    store.close()
    update_index(data)
    return create_app({"DATA_DIR": str(data), "TESTING": True, "TODAY": "2026-11-27"}).test_client()


# Markup that must never come back raw: each carries a number, so a hit is not the page's own.
PAYLOADS = [
    '<script>alert("{n}")</script>',
    '"><img src=x onerror=alert({n})>',
    "<svg/onload=alert({n})>",
    "'><iframe srcdoc=x{n}>",
]


def payload() -> st.SearchStrategy[str]:
    return st.builds(
        lambda form, n, before: before + form.format(n=n),
        st.sampled_from(PAYLOADS),
        st.integers(1000, 9999),
        st.text(max_size=20),
    )


def values(valid: list[str]) -> st.SearchStrategy[str]:
    """A parameter's value: a valid one, a near miss, junk, markup or nothing."""
    return st.one_of(
        st.sampled_from(valid) if valid else st.nothing(),
        st.sampled_from(valid).map(str.upper) if valid else st.nothing(),
        st.text(max_size=40),
        st.text(string.digits + "-+ .e", max_size=25),
        payload(),
        st.just(""),
    )


DATES = [date(2026, 1, 1).isoformat(), "2026-11-27", "2026-02-30", "27/11/2026"]
PARAMETERS = {
    "q": st.one_of(
        st.sampled_from(["export Japon", "V.I.E.", '"assurance prospection"', "-salon douane"]),
        st.text(max_size=120),
        payload(),
        st.text("()*?~^:\"'-+ANDORNOT ", max_size=40),
    ),
    "step": values(list(STEP_IDS)),
    "kind": values(list(KIND_IDS)),
    "country": values(["JP", "DE", "us", "XX"]),
    "region": values(list(regions())),
    "provider": values(["Organisme de démonstration", "Bpifrance"]),
    "sector": values(["agroalimentaire", "numerique"]),
    "sort": values(["relevance", "date"]),
    "literal": values(["0", "1"]),
    "page": values(["1", "2", "99", "1000000", "-1", "0"]),
    "per_page": values(["1", "10", "50", "51"]),
    "date_from": values(DATES),
    "date_to": values(DATES),
}


def queries() -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries(
        {}, optional={name: strategy for name, strategy in PARAMETERS.items()}
    )


def raw_markup(args: dict[str, str], body: str) -> list[str]:
    """The payloads of `args` found unescaped in `body`."""
    found = []
    for value in args.values():
        for form in PAYLOADS:
            marker = re.escape(form).replace(re.escape("{n}"), r"\d{4}")
            for hit in re.findall(marker, value):
                if hit in body:
                    found.append(hit)
    return found


@FAST
@given(args=queries())
def test_the_search_page_answers_any_query_with_200_or_400_and_escapes_it(client, args):
    response = client.get("/recherche", query_string=args)
    assert response.status_code in (200, 400) or past_last(args, response), (
        args,
        response.status_code,
    )
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "<html" in body
    assert not raw_markup(args, body), args


@FAST
@given(args=queries())
def test_the_search_api_answers_any_query_with_200_or_400_in_json(client, args):
    response = client.get("/api/search", query_string=args)
    assert response.status_code in (200, 400) or past_last(args, response), (
        args,
        response.status_code,
    )
    assert response.mimetype == "application/json"
    document = response.get_json()
    if response.status_code == 200:
        assert isinstance(document["results"], list) and document["total"] >= 0
    else:
        assert isinstance(document["error"], str) and document["error"]


# -- sources.toml, edited at random -----------------------------------------------------------

VALID = tomllib.loads(DEMO_SOURCES.read_text("utf-8"))


@dataclass(frozen=True)
class Deep:
    """A value nested `depth` arrays deep (written without recursion)."""

    depth: int


@dataclass(frozen=True)
class Huge:
    """A string of `size` characters."""

    size: int
    char: str


def toml_value(value: Any) -> str:
    if isinstance(value, Deep):
        return "[" * value.depth + "]" * value.depth
    if isinstance(value, Huge):
        return json.dumps(value.char * value.size, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        text = repr(value)
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(text, text)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def toml_text(document: dict[str, Any]) -> str:
    """A TOML text of the document: plain keys, then [tables], then [[arrays of tables]]."""
    lines: list[str] = []
    tables: list[str] = []
    for key, value in document.items():
        name = json.dumps(key, ensure_ascii=False)
        if isinstance(value, dict):
            tables.append(f"[{name}]")
            tables += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for entry in value:
                tables.append(f"[[{name}]]")
                tables += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in entry.items()]
        else:
            lines.append(f"{name} = {toml_value(value)}")
    return "\n".join(lines + tables) + "\n"


def odd_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.text(max_size=30),
        st.dates(),
        st.just(""),
    )
    return st.one_of(
        scalars,
        st.lists(scalars, max_size=4),
        st.dictionaries(st.text(max_size=8), scalars, max_size=3),
        st.builds(Deep, st.integers(1, 6000)),
        st.builds(Huge, st.integers(1, 2_000_000), st.sampled_from(["x", "é", "\u202e", "ß"])),
        st.sampled_from(["0 3 * * *", "61 * * * *", "http://x", "[", "(?P<", "https://[::1"]),
    )


KEYS = ["id", "name", "organisation", "start_urls", "sitemaps", "feeds", "allow", "deny"]
KEYS += ["region", "user_agent", "schedule", "depth", "max_pages", "delay", "javascript"]


@st.composite
def edited_sources(draw: st.DrawFn) -> dict[str, Any]:
    """The demo's sources file, with a few keys deleted, retyped, renamed or added."""
    document = json.loads(json.dumps(VALID))
    for _ in range(draw(st.integers(1, 5))):
        where = draw(st.sampled_from(["defaults", "source", "top"]))
        if where == "top":
            document[draw(st.text(min_size=1, max_size=10))] = draw(odd_values())
            continue
        if where == "defaults":
            table = document.setdefault("defaults", {})
        else:
            entries = document["source"]
            if not entries:
                continue
            table = entries[draw(st.integers(0, len(entries) - 1))]
        key = draw(st.sampled_from([*KEYS, *table.keys()]))
        action = draw(st.sampled_from(["delete", "retype", "rename", "duplicate-id"]))
        if action == "delete":
            table.pop(key, None)
        elif action == "retype":
            table[key] = draw(odd_values())
        elif action == "rename" and key in table:
            table[draw(st.text(min_size=1, max_size=12))] = table.pop(key)
        elif action == "duplicate-id" and where == "source" and "id" in document["source"][0]:
            table["id"] = document["source"][0]["id"]
    return document


def check(text: str, tmp_path_factory) -> Any:
    folder = tmp_path_factory.mktemp("sources")
    path = folder / "sources.toml"
    path.write_text(text, "utf-8")
    return CliRunner().invoke(main, ["sources", "check", str(path)])


def assert_checked(result: Any) -> None:
    assert result.exit_code in (0, 2), result.output[-2000:]
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    if result.exit_code == 2:
        assert "erreur" in result.output and "fichier refusé" in result.output


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(document=edited_sources())
def test_any_edit_of_a_valid_sources_file_is_checked_without_a_traceback(
    document, tmp_path_factory
):
    assert_checked(check(toml_text(document), tmp_path_factory))


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    position=st.floats(0, 1),
    cut=st.integers(0, 40),
    insert=st.one_of(st.text(max_size=40), st.sampled_from(["[[", "]]", '"""', "=", "\\u", "\0"])),
)
def test_any_splice_of_the_sources_text_is_checked_without_a_traceback(
    position, cut, insert, tmp_path_factory
):
    text = DEMO_SOURCES.read_text("utf-8")
    at = int(position * len(text))
    assert_checked(check(text[:at] + insert + text[at + cut :], tmp_path_factory))


@pytest.mark.parametrize(
    "edit",
    [
        {"defaults": {"depth": Deep(5000)}},
        {"defaults": {"user_agent": Huge(3_000_000, "é")}},
        {"defaults": {"delay": float("nan"), "max_pages": -1, "schedule": "61 * * * *"}},
        {"autre": {"x": [1, "deux", {"trois": 3.0}]}},
    ],
    ids=["deep", "huge", "wrong values", "unknown table"],
)
def test_the_real_command_checks_edited_files_without_a_traceback(edit, tmp_path):
    document = json.loads(json.dumps(VALID))
    for key, value in edit.items():
        document[key] = {**document.get(key, {}), **value}
    path = tmp_path / "sources.toml"
    path.write_text(toml_text(document), "utf-8")
    done = run_portail("sources", "check", str(path), data=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "fichier refusé" in done.stderr


def test_the_generated_text_of_the_valid_file_is_valid(tmp_path_factory):
    """The serializer writes what it reads: the unedited file passes (so edits are tested)."""
    result = check(toml_text(VALID), tmp_path_factory)
    assert result.exit_code == 0, result.output


# -- extraction of junk HTML ------------------------------------------------------------------

TAGS = ["div", "p", "main", "article", "a", "b", "table", "tr", "td", "h1", "title", "script"]
TAGS += ["meta", "link", "time", "nav", "header", "footer", "html", "body", "head", "li", "ul"]


@st.composite
def junk_html(draw: st.DrawFn) -> str:
    """Tags opened and not closed, truncated, nested deep, with huge or odd attributes."""
    parts = []
    for _ in range(draw(st.integers(0, 30))):
        tag = draw(st.sampled_from(TAGS))
        attribute = draw(
            st.sampled_from(["href", "rel", "name", "content", "datetime", "lang", "property"])
        )
        value = draw(
            st.one_of(
                st.text(max_size=30),
                st.sampled_from(["http://[x", "//[::1", "canonical", "robots", "description"]),
                st.sampled_from(["noindex", "og:title", "2026-13-45", "javascript:x", "#a"]),
                st.builds(lambda n: "a" * n, st.integers(0, 300_000)),
            )
        )
        quote = draw(st.sampled_from(['"', "'", ""]))
        opening = f"<{tag} {attribute}={quote}{value}{quote}>"
        parts.append(
            opening[: draw(st.integers(1, len(opening)))] if draw(st.booleans()) else opening
        )
        parts.append(draw(st.text(max_size=50)))
        if draw(st.booleans()):
            parts.append(f"</{draw(st.sampled_from(TAGS))}>")
    depth = draw(st.sampled_from([0, 0, 10, 1000, 20000]))
    nest = draw(st.sampled_from(["div", "b", "table", "ul"]))
    return f"<{nest}>" * depth + "".join(parts) + f"</{nest}>" * draw(st.integers(0, depth))


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(html=st.one_of(junk_html(), st.text(max_size=500)), raw=st.binary(max_size=200))
def test_extraction_of_junk_html_raises_nothing_but_extraction_error(html, raw):
    for document in (html, raw.decode("latin-1"), raw.decode("utf-8", "replace")):
        try:
            extracted = extract_html("https://exemple.fr/page", document)
        except ExtractionError:
            continue
        assert isinstance(extracted.text, str) and isinstance(extracted.links, list)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ('<main><p>Texte.</p><a href="http://[x">lien</a></main>', "Texte."),
        ('<head><link rel="canonical" href="http://[::1"></head><body>Texte</body>', "Texte"),
        ("<div>" * 1000 + "Texte", "Texte"),
        ("<div>" * 100_000 + "Texte", "Texte"),
        ('<a href="' + "a" * 5_000_000 + '">x</a><p>Texte</p>', "Texte"),
        ('<script type="application/ld+json">' + "[" * 100_000 + "</script><p>Texte</p>", "Texte"),
    ],
    ids=[
        "bad IPv6 link",
        "bad IPv6 canonical",
        "1,000 nested",
        "100,000 nested",
        "5 MB attribute",
        "deep JSON-LD",
    ],
)
def test_extraction_survives_the_known_traps(html, text):
    """Each raised (ValueError, RecursionError) or ran for minutes before."""
    extracted = extract_html("https://exemple.fr/page", html)
    assert text in extracted.text
