"""The indexer and the search API: French analysis, synonyms, facets, suggestions,
incremental updates, atomic rebuilds, locks and kills. Real Whoosh, real SQLite."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from conftest import run_portail, sql
from indexer import index as index_module
from indexer.analysis import terms
from indexer.index import current_generation, indexer_lock, update_index
from indexer.search import QueryError, Searcher, SearchQuery, parse_query_args
from portail.db import open_store


@pytest.fixture(scope="module")
def searcher(indexed_data):
    return Searcher(indexed_data)


def titles(results) -> list[str]:
    return [h.title for h in results.hits]


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("l'export", "export"),
        ("exportations", "exportateurs"),
        ("Exporter", "export"),
        ("réglementation", "reglementation"),
        ("douanières", "douanieres"),
        ("V.I.E.", "VIE"),
        ("d'Incoterms", "incoterm"),
        ("crédits", "crédit"),  # Snowball alone: « credit » and « cred »
        ("conseillers", "conseiller"),
        ("étrangers", "étranger"),
        ("payé", "payer"),
        ("sous-traitance", "sous traitance"),
        ("sous-traitants", "sous‑traitance"),  # a non-breaking hyphen
        ("service après-vente", "service apres vente"),
    ],
)
def test_french_analysis_makes_variants_meet(left, right):
    assert terms(left) == terms(right)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("sous-traitance", "traité"),  # « sous » is a stop word: « traitance » alone met it
        ("pays", "payé"),
        ("important", "import"),
        ("visa", "viser"),
    ],
)
def test_french_analysis_keeps_different_words_apart(left, right):
    assert terms(left) != terms(right)


def test_a_hyphen_before_an_acronym_or_a_date_joins_nothing():
    assert terms("pays non-UE") == ["pays", "non", "ue"]
    assert "juin" in terms("mi-juin")


def test_stop_words_are_folded_and_complete():
    assert terms("les été même était") == []


def test_index_holds_every_live_page(indexed_data, searcher):
    store = open_store(indexed_data)
    live = store.count_pages("ok")
    enriched = len(store.enriched_urls())
    store.close()
    assert enriched == live
    assert searcher.search(SearchQuery()).total > 250


def test_a_second_index_run_has_nothing_to_do(indexed_data):
    result = run_portail("index", data=indexed_data)
    assert result.returncode == 0, result.stderr
    assert "0 ajoutée, 0 mise à jour, 0 retirée" in result.stdout


@pytest.mark.parametrize(
    ("query", "expected_word"),
    [
        ("l'export", "export"),
        ("reglementation douaniere", "douan"),
        ("exportateurs", "export"),
        ("Incoterms", "incoterm"),
    ],
)
def test_french_queries_find_their_variants(searcher, query, expected_word):
    results = searcher.search(SearchQuery(text=query))
    assert results.total >= 3
    marked = [
        h for h in results.hits[:5] if "<mark>" in h.snippet or expected_word in h.title.lower()
    ]
    assert len(marked) >= 4


@pytest.mark.parametrize(
    ("query", "must_find"),
    [
        ("VIE", "volontariat international"),
        ("crédoc", "crédit documentaire"),
        ("PCI", "prêt croissance international"),
        ("OEA", "opérateur économique agréé"),
    ],
)
def test_synonyms_and_acronyms_find_the_spelled_out_form(searcher, query, must_find):
    results = searcher.search(SearchQuery(text=query, per_page=50))
    assert results.total > 0
    found = [
        h
        for h in results.hits
        if must_find in (h.title + " " + h.snippet + " " + h.description).lower()
    ]
    assert found, titles(results)


def test_titles_weigh_more_than_body(searcher):
    results = searcher.search(SearchQuery(text="assurance prospection"))
    assert "assurance prospection" in results.hits[0].title.lower()


def test_misspelt_query_gets_a_suggestion(searcher):
    results = searcher.search(SearchQuery(text="douanne"))
    assert results.suggestion == "douane"


def test_a_query_that_matches_nothing_shows_its_correction(searcher):
    typed = searcher.search(SearchQuery(text="formalités douanieres exportatoin"))
    right = searcher.search(SearchQuery(text=typed.suggestion or ""))
    assert typed.corrected and typed.suggestion == "formalités douanieres exportation"
    assert typed.total == right.total > 0
    assert [h.url for h in typed.hits] == [h.url for h in right.hits]
    assert "exportatoin" in typed.notice and "exportation" in typed.notice
    assert typed.query.text == "formalités douanieres exportatoin"  # links keep what was typed


def test_a_misspelt_word_that_no_page_holds_is_corrected_among_words_that_find_pages(
    searcher,
):
    # « japon » alone finds pages: the query as typed is not « few pages », but a word typed
    # is on no page, so its results would ignore it.
    typed = searcher.search(SearchQuery(text="trouver un distribteur au Japon"))
    right = searcher.search(SearchQuery(text="trouver un distributeur au Japon"))
    assert typed.corrected and typed.suggestion == "trouver un distributeur au Japon"
    assert [h.url for h in typed.hits] == [h.url for h in right.hits] and right.total > 0
    assert typed.notice == (
        "Aucune page ne contient « distribteur » : voici les résultats pour "
        "« trouver un distributeur au Japon »."
    )
    unknown = searcher.search(SearchQuery(text="kombucha Japon"))  # nothing close to it
    assert not unknown.corrected and unknown.total > 0


def test_a_query_with_results_is_never_replaced(searcher):
    results = searcher.search(SearchQuery(text="douane"))
    assert results.total > 3 and not results.corrected and results.suggestion is None


@pytest.mark.parametrize(
    "text",
    [
        '"crédit documentaire',
        "AND",
        "OR OR",
        "NOT",
        "*",
        "(((",
        ")",
        "title:douane",
        "a" * 2000,
        "'; DROP TABLE pages; --",
        "\\",
        "~~~",
        "douane^5",
        "[a TO z]",
        "é" * 600,
    ],
)
def test_malformed_queries_never_raise(searcher, text):
    results = searcher.search(SearchQuery(text=text))
    assert results.total >= 0


def test_parse_query_args_validates_each_parameter():
    q = parse_query_args({"q": " douane ", "step": "gerer", "country": "de", "page": "2"})
    assert (q.text, q.step, q.country, q.page) == ("douane", "gerer", "DE", 2)
    for bad in (
        {"page": "x"},
        {"page": "0"},
        {"page": "100000"},
        {"step": "nope"},
        {"kind": "x"},
        {"country": "Allemagne"},
        {"region": "99"},
        {"sort": "hasard"},
        {"q": "x" * 501},
        {"date_from": "hier"},
        {"sector": "<b>"},
    ):
        with pytest.raises(QueryError):
            parse_query_args(bad)


def test_facets_combine_with_filters(searcher):
    everything = searcher.search(SearchQuery(text="export"))
    step_counts = dict(everything.facets["step"])
    assert set(step_counts) <= {
        "diagnostic",
        "informer",
        "strategie",
        "prospecter",
        "gerer",
        "implanter",
    }
    gerer = searcher.search(SearchQuery(text="export", step="gerer"))
    assert gerer.total == step_counts["gerer"]
    assert sum(n for _, n in gerer.facets["kind"]) == gerer.total
    assert dict(gerer.facets["step"]) == {"gerer": gerer.total}
    kind, n = gerer.facets["kind"][0]
    both = searcher.search(SearchQuery(text="export", step="gerer", kind=kind))
    assert both.total == n


def test_pagination_and_date_sort(searcher):
    first = searcher.search(SearchQuery(text="export", page=1))
    second = searcher.search(SearchQuery(text="export", page=2))
    assert first.pages >= 2 and not {h.url for h in first.hits} & {h.url for h in second.hits}
    by_date = searcher.search(SearchQuery(text="export", sort="date", per_page=30))
    dates = [h.date for h in by_date.hits if h.date]
    assert dates == sorted(dates, reverse=True)


def test_off_topic_pages_stay_out_of_search(searcher, manifest):
    off_topic = {p["url"] for p in manifest["pages"] if p["step"] is None}
    results = searcher.search(SearchQuery(per_page=50, page=1))
    everything = set()
    for page in range(1, results.pages + 1):
        everything |= {h.url for h in searcher.search(SearchQuery(per_page=50, page=page)).hits}
    assert not off_topic & everything


def test_upcoming_events_exclude_past_ones(searcher, manifest):
    events = searcher.upcoming_events(100, date(2026, 11, 27))
    assert len(events) >= 20
    assert all(h.event and h.event["end"] >= "2026-11-27" for h in events)
    starts = [h.event["start"] for h in events]
    assert starts == sorted(starts)


def test_counts_and_latest_for_the_home_page(searcher):
    counts = searcher.counts("step")
    assert set(counts) == {
        "diagnostic",
        "informer",
        "strategie",
        "prospecter",
        "gerer",
        "implanter",
    }
    assert all(n >= 20 for n in counts.values())
    assert len(searcher.latest(5)) == 5


def make_store(data, pages: dict[str, str]) -> None:
    store = open_store(data)
    store.record_source("essai", "Essai", "Organisme d'essai", "")
    crawl = store.start_crawl("essai")
    for url, text in pages.items():
        fields = {
            "title": text.split(".")[0],
            "text": text,
            "content_hash": str(hash(text)),
            "structured": {},
            "links": [],
        }
        store.save_page(crawl, "essai", url, url, fields, None, None, 200)
    store.close()


EXPORT_TEXT = (
    "Formalités douanières à l'export. La déclaration d'exportation, le numéro EORI "
    "et le dédouanement de vos marchandises vers les pays tiers."
)


def test_a_long_summary_ends_after_a_whole_word_with_an_ellipsis(searcher):
    chars = index_module.SUMMARY_CHARS
    long = "Le crédit documentaire, garantie de paiement. " * 40
    summary = index_module.summary_of(long)
    assert len(summary) <= chars and summary.endswith("documentaire…")
    assert long.startswith(summary[:-1]) and long[len(summary) - 1] in " ,"
    assert index_module.summary_of("Court  texte.") == "Court texte."
    reader = searcher._current().reader()
    summaries = [fields["summary"] for _, fields in reader.iter_docs()]
    assert any(s.endswith("…") and len(s) > chars - 50 for s in summaries)
    assert not [s for s in summaries if len(s) == chars and not s.endswith("…")]


def test_highlights_escape_page_text(tmp_path):
    data = tmp_path / "var"
    hostile = EXPORT_TEXT + " <script>alert('x')</script> <b>douane</b> & co."
    make_store(data, {"http://essai.invalid/a": hostile})
    assert run_portail("index", data=data).returncode == 0
    hit = Searcher(data).search(SearchQuery(text="douane")).hits[0]
    assert "<script>" not in hit.snippet and "<b>" not in hit.snippet
    assert "&lt;b&gt;" in hit.snippet or "&lt;script&gt;" in hit.snippet
    assert "<mark>" in hit.snippet


def test_incremental_update_changes_and_removes(tmp_path):
    data = tmp_path / "var"
    make_store(data, {f"http://essai.invalid/{i}": f"{EXPORT_TEXT} Page {i}." for i in range(5)})
    assert run_portail("index", data=data).returncode == 0
    searcher = Searcher(data)
    assert searcher.search(SearchQuery(text="EORI")).total == 5
    store = open_store(data)
    crawl = store.start_crawl("essai")
    fields = {
        "title": "Carnet ATA",
        "text": "Le carnet ATA pour les salons à l'export.",
        "content_hash": "autre",
        "structured": {},
        "links": [],
    }
    store.save_page(
        crawl, "essai", "http://essai.invalid/0", "http://essai.invalid/0", fields, None, None, 200
    )
    sql(data, "UPDATE pages SET status='gone', version=version+1 WHERE url LIKE '%/1'")
    store.close()
    result = run_portail("index", data=data)
    assert "0 ajoutée, 1 mise à jour, 1 retirée" in result.stdout, result.stdout
    time.sleep(0.6)  # the searcher checks for a new index generation twice a second
    assert searcher.search(SearchQuery(text="EORI")).total == 3
    assert searcher.search(SearchQuery(text="carnet ATA")).total == 1


def test_index_progress_in_a_log_is_one_line_per_tenth(tmp_path):
    data = tmp_path / "var"
    make_store(data, {f"http://essai.invalid/{i}": f"{EXPORT_TEXT} Page {i}." for i in range(450)})
    result = run_portail("index", data=data)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert "\r" not in result.stderr
    assert lines == [
        "Indexation : 200/450 pages (44 %)",
        "Indexation : 400/450 pages (88 %)",
        "Indexation : 450/450 pages (100 %)",
    ]


def test_full_rebuild_swaps_generations_under_a_live_searcher(tmp_path):
    data = tmp_path / "var"
    make_store(data, {f"http://essai.invalid/{i}": f"{EXPORT_TEXT} Page {i}." for i in range(3)})
    assert run_portail("index", data=data).returncode == 0
    old = current_generation(data)
    searcher = Searcher(data)
    assert searcher.search(SearchQuery(text="EORI")).total == 3
    assert run_portail("index", "--full", data=data).returncode == 0
    new = current_generation(data)
    assert new != old and old.exists()  # the previous generation stays for readers still on it
    time.sleep(0.6)
    assert searcher.search(SearchQuery(text="EORI")).total == 3
    assert run_portail("index", "--full", data=data).returncode == 0
    assert not old.exists()  # two generations back: gone
    assert sorted(p.name for p in (data / "index").glob("gen-*")) == sorted(
        [new.name, current_generation(data).name]
    )


def test_a_parallel_rebuild_indexes_exactly_what_a_serial_one_does(
    indexed_data, tmp_path, monkeypatch
):
    """Large rebuilds classify in worker processes: same documents, same order, several
    segments, all searchable."""
    data = tmp_path / "var"
    data.mkdir()
    shutil.copy(indexed_data / "pages.sqlite3", data / "pages.sqlite3")
    store = open_store(data)
    urls = store.live_urls()
    serial = [doc for _, doc in index_module._documents(store, urls, {}, None, procs=1)]
    monkeypatch.setattr(index_module, "PARALLEL_MIN_PAGES", 10)
    seen: list[int] = []
    parallel = [
        doc
        for _, doc in index_module._documents(
            store, urls, {}, lambda done, total: seen.append(done), procs=2
        )
    ]
    store.close()
    assert parallel == serial and len(serial) > 250
    assert seen[-1] == len(serial)
    report = update_index(data, full=True, procs=2)
    assert report.total == len(serial)
    reference = Searcher(indexed_data).search(SearchQuery(text="assurance prospection"))
    rebuilt = Searcher(data).search(SearchQuery(text="assurance prospection"))
    assert rebuilt.total == reference.total > 0
    assert [h.url for h in rebuilt.hits] == [h.url for h in reference.hits]


def test_second_indexer_waits_then_explains(tmp_path):
    data = tmp_path / "var"
    make_store(data, {"http://essai.invalid/a": EXPORT_TEXT})
    with indexer_lock(data, wait=0):
        result = run_portail("index", "--wait", "0.5", data=data)
    assert result.returncode == 75
    assert "un autre processus met déjà l'index à jour" in result.stderr


def test_killed_indexer_leaves_the_previous_index_searchable(indexed_data, tmp_path):
    data = tmp_path / "var"
    shutil.copytree(indexed_data, data)
    before = Searcher(data).search(SearchQuery(text="douane")).total
    env = {**os.environ, "PORTAIL_DATA": str(data)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "portail_cli", "index", "--full"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    old = current_generation(data)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # kill once the new generation is being written
        if any(p != old for p in (data / "index").glob("gen-*")):
            break
        time.sleep(0.02)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert Searcher(data).search(SearchQuery(text="douane")).total == before
    abandoned = [p for p in (data / "index").glob("gen-*") if not (p / "FORMAT").exists()]
    result = run_portail("index", data=data)
    assert result.returncode == 0, result.stderr
    assert Searcher(data).search(SearchQuery(text="douane")).total == before
    # The next run cleans what the killed rebuild left, and only that.
    left = sorted(p.name for p in (data / "index").glob("gen-*"))
    assert not any(p.exists() for p in abandoned)
    assert current_generation(data).name in left and len(left) <= 2
    assert all((data / "index" / name / "FORMAT").exists() for name in left)


PARALLEL_INDEXER = """
import sys, time
from pathlib import Path
from indexer import index
index.PARALLEL_MIN_PAGES = 10
marker = Path(sys.argv[2])
def progress(done, total):
    marker.write_text(str(done))
    time.sleep(60)  # killed here, workers running
index.update_index(Path(sys.argv[1]), full=True, procs=2, progress=progress)
"""


def _descendants(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    children = [int(c) for c in found.split()]
    return children + [d for c in children for d in _descendants(c)]


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


def test_a_killed_parallel_rebuild_leaves_no_worker_and_no_lock(indexed_data, tmp_path):
    """Classification workers and Whoosh's writer processes die with the indexer: none keeps
    running, none keeps the index lock, the previous index stays searchable."""
    data = tmp_path / "var"
    shutil.copytree(indexed_data, data)
    before = Searcher(data).search(SearchQuery(text="douane")).total
    marker = tmp_path / "progress"
    proc = subprocess.Popen(
        [sys.executable, "-c", PARALLEL_INDEXER, str(data), str(marker)],
        cwd=Path(__file__).resolve().parent.parent,
    )
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the parallel rebuild never reported progress"
    workers = _descendants(proc.pid)
    assert len(workers) >= 3  # two classifiers (and their tracker), two Whoosh writers
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(_running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if _running(w)]
    with indexer_lock(data, wait=5):
        pass
    assert Searcher(data).search(SearchQuery(text="douane")).total == before


def test_classify_command_prints_the_fixed_format():
    line = json.dumps(
        {
            "id": "1",
            "url": "https://exemple.fr/a",
            "title": "Le carnet ATA",
            "text": "Le carnet ATA simplifie le passage en douane des échantillons.",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "portail_cli", "classify", "-"],
        input=line,
        text=True,
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) == {
        "id",
        "step",
        "steps",
        "relevant",
        "kind",
        "countries",
        "regions",
        "sectors",
    }
    assert out["id"] == "1" and out["step"] == "gerer"


def test_classify_command_rejects_bad_json():
    result = subprocess.run(
        [sys.executable, "-m", "portail_cli", "classify", "-"],
        input="{pas du json\n",
        text=True,
        capture_output=True,
        check=False,
    )
    assert result.returncode == 2 and "ligne 1 : JSON invalide" in result.stderr


def test_listings_calendars_and_home_pages_stay_out_of_the_journey(searcher):
    urls = set()
    first = searcher.search(SearchQuery(per_page=50))
    for page in range(1, first.pages + 1):
        urls |= {h.url for h in searcher.search(SearchQuery(per_page=50, page=page)).hits}
    assert urls and not [
        u for u in urls if "/rubriques/" in u or "/calendrier" in u or u.endswith(("/", "/offres"))
    ]
