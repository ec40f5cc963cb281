"""The data layer on SQLite and on PostgreSQL: migrations, and each stage's API (crawler,
indexer, console, scheduler, web reads, web nodes' shared state)."""

from __future__ import annotations

import shutil
import sqlite3
import time
from types import UnionType
from typing import get_args, get_origin, get_type_hints, is_typeddict

import pytest
from sqlalchemy import inspect, select, text

from conftest import ROOT, run_portail
from portail.db import CrawlCounts, SchemaError, StoredCorrection, open_store, records, tables
from portail.db.engine import current, ensure_current, head, upgrade
from portail.db.tables import metadata

FIRST_RELEASE = ROOT / "tests" / "data" / "first-release"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path, monkeypatch):
    """A store at the current schema, on each engine."""
    if request.param == "postgresql":
        monkeypatch.setenv("PORTAIL_DATABASE_URL", request.getfixturevalue("postgres_url"))
    else:
        monkeypatch.delenv("PORTAIL_DATABASE_URL", raising=False)
    opened = open_store(tmp_path / "var")
    yield opened
    opened.close()


def page_fields(text: str, **extra) -> dict:
    return {"title": text[:30], "text": text, "content_hash": str(hash(text)), **extra}


def save(store, crawl_id: int, url: str, text: str, source: str = "essai") -> str:
    return store.save_page(crawl_id, source, url, url, page_fields(text), None, None, 200)


# -- migrations ---------------------------------------------------------------------------------


def test_a_fresh_database_gets_every_table_of_the_schema(store):
    tables = set(inspect(store.engine).get_table_names())
    assert set(metadata.tables) <= tables
    assert current(store.engine) == head()


def test_a_database_at_an_unknown_schema_is_refused(store):
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaError, match="ne connaît pas"):
        ensure_current(store.engine)


def test_the_migrations_build_exactly_the_columns_of_tables_py(store):
    """Column by column (types, nullability, defaults, indexes), not only table names."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    def same_default(_context, _column, _meta_column, inspected, _default, rendered):
        return _unquoted(inspected) != _unquoted(rendered)

    options = {"compare_type": True, "compare_server_default": same_default}
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=options)
        assert compare_metadata(context, metadata) == []


def _unquoted(default: object) -> str | None:
    """A server default as written in SQL (« ('') », « '0' », « ''::text ») → its value."""
    if default is None:
        return None
    text_ = str(default).split("::")[0].strip().removeprefix("(").removesuffix(")")
    return text_[1:-1] if len(text_) >= 2 and text_[0] == text_[-1] == "'" else text_


def test_upgrading_twice_changes_nothing(store):
    assert upgrade(store.engine) == (head(), head())


def test_the_first_release_store_is_upgraded_without_losing_a_page(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAIL_DATABASE_URL", raising=False)
    data = tmp_path / "var"
    shutil.copytree(FIRST_RELEASE, data)
    before = sqlite3.connect(data / "pages.sqlite3").execute("SELECT count(*) FROM pages")
    count = before.fetchone()[0]
    assert count == 40
    refused = run_portail("index", data=data)
    assert refused.returncode == 78 and "portail db upgrade" in refused.stderr
    assert "Traceback" not in refused.stderr
    done = run_portail("db", "upgrade", data=data)
    assert done.returncode == 0, done.stderr
    assert "du schéma de la première version au schéma" in done.stdout
    assert "1 correction importée" in done.stdout
    assert not (data / "corrections.toml").exists()
    store = open_store(data)
    try:
        assert store.count_pages() == count
        assert store.enrichment("https://www.exemple.fr/pages/00")["step"] == "informer"
        assert store.corrections()["https://www.exemple.fr/pages/01"].step == "gerer"
    finally:
        store.close()
    indexed = run_portail("index", data=data)
    assert indexed.returncode == 0, indexed.stderr
    assert run_portail("db", "upgrade", data=data).stdout.startswith("La base de données est déjà")


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["schedule"]])
def test_serve_and_schedule_refuse_a_schema_they_do_not_know_before_starting(
    command, tmp_path, monkeypatch
):
    from click.testing import CliRunner

    from portail_cli.main import main

    monkeypatch.delenv("PORTAIL_DATABASE_URL", raising=False)
    data = tmp_path / "var"
    open_store(data).close()
    with sqlite3.connect(data / "pages.sqlite3") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    extra = ["--sources", str(ROOT / "demo" / "sources.toml")] if command == ["schedule"] else []
    refused = CliRunner().invoke(main, [*command, *extra], env={"PORTAIL_DATA": str(data)})
    assert refused.exit_code == 78, refused.output
    assert "Base de données refusée" in refused.stderr and "ne connaît pas" in refused.stderr
    assert refused.stdout == ""  # no start banner: the schema is refused first


def test_a_read_only_store_of_a_missing_file_is_created_not_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAIL_DATABASE_URL", raising=False)
    open_store(tmp_path / "new", read_only=True).close()


# -- the crawler's API --------------------------------------------------------------------------


def test_pages_are_new_then_unchanged_then_changed(store):
    crawl = store.start_crawl("essai")
    url = "https://exemple.fr/a"
    assert save(store, crawl, url, "Texte A") == "new"
    assert save(store, store.start_crawl("essai"), url, "Texte A") == "unchanged"
    assert save(store, store.start_crawl("essai"), url, "Texte A modifié") == "changed"
    assert store.page(url)["version"] == 2
    assert store.fetch_info(url)["page_url"] == url


def test_a_page_reached_twice_in_a_crawl_keeps_its_first_news(store):
    crawl = store.start_crawl("essai")
    save(store, crawl, "https://exemple.fr/a", "Texte")
    assert not store.mark_seen(crawl, "https://exemple.fr/a", "unchanged")
    assert store.outcome_counts(crawl) == {"new": 1}


def test_twins_fold_and_an_interrupted_crawl_is_marked(store):
    crawl = store.start_crawl("essai")
    save(store, crawl, "https://exemple.fr/a", "Même texte")
    save(store, crawl, "https://exemple.fr/a?x=1", "Autre")
    assert store.twin_of("essai", str(hash("Même texte")), "https://exemple.fr/b") == (
        "https://exemple.fr/a"
    )
    store.fold_twin("https://exemple.fr/a?x=1", "https://exemple.fr/a")
    folded = store.page("https://exemple.fr/a?x=1")  # kept, with its history, but not live
    assert folded["status"] == "twin" and folded["text"] == "Autre"
    assert store.fetch_info("https://exemple.fr/a?x=1")["page_url"] == "https://exemple.fr/a"
    second = store.start_crawl("essai")
    assert store.crawl(crawl)["status"] == "interrupted" and second > crawl


def test_closing_a_crawl_marks_missing_pages_gone_unless_the_source_collapsed(store):
    first = store.start_crawl("essai")
    for i in range(10):
        save(store, first, f"https://exemple.fr/{i}", f"Texte {i}")
    store.close_crawl(first, "essai", complete=True)
    collapsed = store.start_crawl("essai")
    save(store, collapsed, "https://exemple.fr/0", "Texte 0")
    gone, flag = store.close_crawl(collapsed, "essai", complete=True)
    assert gone == 0 and flag and "chute soudaine" in flag
    normal = store.start_crawl("essai")
    for i in range(9):
        save(store, normal, f"https://exemple.fr/{i}", f"Texte {i}")
    store.mark_seen(normal, "https://exemple.fr/9", "missing")
    gone, flag = store.close_crawl(normal, "essai", complete=True)
    assert (gone, flag) == (1, None)
    assert store.page("https://exemple.fr/9")["status"] == "gone"
    record = {"source": "essai", "exit": 0}
    store.finish_crawl(normal, "finished", "finished", None, CrawlCounts(unchanged=9), 0, record)
    assert '"source": "essai"' in store.crawl(normal)["record"]


def test_a_sites_pages_left_at_an_old_origin_are_retired(store):
    """The demo web moves to other ports from one `portail demo` to the next."""
    crawl = store.start_crawl("essai")
    for port in (8801, 40123):
        for i in range(3):
            save(store, crawl, f"http://127.0.0.1:{port}/page-{i}", f"Texte {port} {i}")
    save(store, crawl, "http://127.0.0.1:8801/autre", "Autre", source="autre")
    assert store.retire_elsewhere("essai", ["http://127.0.0.1:40123"]) == 3
    assert store.page("http://127.0.0.1:8801/page-0")["status"] == "gone"
    assert store.page("http://127.0.0.1:40123/page-0")["status"] == "ok"
    assert store.page("http://127.0.0.1:8801/autre")["status"] == "ok"  # another source
    assert store.retire_elsewhere("essai", ["http://127.0.0.1:40123"]) == 0


# -- the indexer's API --------------------------------------------------------------------------


def test_the_indexer_sees_new_changed_and_stale_pages(store):
    crawl = store.start_crawl("essai")
    for name in ("a", "b"):
        save(store, crawl, f"https://exemple.fr/{name}", f"Texte {name}")
    assert sorted(store.urls_to_index()) == ["https://exemple.fr/a", "https://exemple.fr/b"]
    rows = [
        (r["url"], r["version"], "gerer", "{}", 1, "guide", "[]", "[]", "[]", None, "{}")
        for r in store.rows(store.urls_to_index())
    ]
    store.record_enrichment(rows, [])
    assert store.urls_to_index() == []
    store.mark_for_reindex("https://exemple.fr/a")
    assert store.urls_to_index() == ["https://exemple.fr/a"]
    store.fold_twin("https://exemple.fr/b", "https://exemple.fr/a")
    assert store.stale_urls() == ["https://exemple.fr/b"]  # the index drops the folded twin


# -- the console's, the scheduler's, the web's --------------------------------------------------


def test_corrections_are_saved_replaced_and_removed(store):
    correction = StoredCorrection("https://exemple.fr/a", "gerer", None, False, "Camille", "t", "")
    store.save_correction(correction)
    store.save_correction(StoredCorrection(**{**correction.__dict__, "kind": "guide"}))
    assert store.corrections()["https://exemple.fr/a"].kind == "guide"
    assert store.remove_correction("https://exemple.fr/a")
    assert not store.remove_correction("https://exemple.fr/a")


def test_a_recrawl_request_is_kept_once_and_taken_once(store):
    first = store.request_recrawl("essai", "Camille")
    again = store.request_recrawl("essai", "Dominique")
    assert again == first and [r.source for r in store.pending_recrawls()] == ["essai"]
    assert store.take_recrawl("essai") == first and store.take_recrawl("essai") is None


def test_three_failed_runs_flag_a_source_until_a_success(store):
    for _ in range(3):
        run = store.start_run("essai", "2026-12-01T00:00:00+00:00")
        store.finish_run(run, "failed", "site injoignable", "2026-12-01T00:01:00+00:00")
    assert store.failing_sources() == {"essai": "site injoignable"}
    run = store.start_run("essai", "2026-12-02T00:00:00+00:00")
    store.finish_run(run, "ok", "", "2026-12-02T00:01:00+00:00")
    assert store.failing_sources() == {} and store.runs("essai")[0]["status"] == "ok"


def test_the_web_reads_texts_sources_and_the_export(store):
    store.record_source("essai", "Essai", "Organisme", "53")
    crawl = store.start_crawl("essai")
    save(store, crawl, "https://exemple.fr/a", "Le texte entier")
    assert store.texts(["https://exemple.fr/a", "https://exemple.fr/x"]) == {
        "https://exemple.fr/a": "Le texte entier"
    }
    assert store.crawled_sources()["essai"].region == "53"
    (row,) = list(store.export_rows())
    assert row["canonical_url"] == "https://exemple.fr/a" and row["step"] is None


def test_a_reader_reads_what_public_pages_need_and_cannot_write(store, tmp_path):
    from sqlalchemy import insert
    from sqlalchemy.exc import DBAPIError

    from portail.db import Reader, reading_engine
    from portail.db.tables import sources

    store.record_source("essai", "Essai", "Organisme", "53")
    save(store, store.start_crawl("essai"), "https://exemple.fr/a", "Le texte entier")
    engine = reading_engine(tmp_path / "var")
    reader = Reader(engine.connect())
    try:
        assert reader.texts(["https://exemple.fr/a"]) == {"https://exemple.fr/a": "Le texte entier"}
        assert reader.crawled_sources()["essai"].region == "53"
        assert reader.news_stamp() == (0, "") and reader.news_items() == []
        row = {"id": "x", "name": "X", "organisation": "X", "updated": "2026-12-01"}
        with pytest.raises(DBAPIError, match=r"readonly|read-only"):
            reader.connection.execute(insert(sources).values(row))
    finally:
        reader.close()
        engine.dispose()
    assert set(store.sources()) == {"essai"}


def test_failed_logins_are_counted_in_a_window_and_forgiven(store):
    moment = time.time()
    for i in range(3):
        store.record_failed_login("10.0.0.1", moment - 1000 + i)
    store.record_failed_login("10.0.0.1", moment)
    assert store.failed_logins("10.0.0.1", 600, moment) == 1
    store.clear_failed_logins("10.0.0.1")
    assert store.failed_logins("10.0.0.1", 600, moment) == 0


def test_simultaneous_login_attempts_are_counted_one_after_the_other(store, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from portail.db import open_store

    stores = [store, open_store(tmp_path / "var")]  # two engines, as two processes would have
    with ThreadPoolExecutor(12) as pool:
        allowed = list(
            pool.map(lambda i: stores[i % 2].take_login_attempt("10.0.0.2", 5, 600), range(24))
        )
    stores[1].close()
    assert allowed.count(True) == 5
    assert store.failed_logins("10.0.0.2", 600) == 5 and store.failed_logins("10.0.0.3", 600) == 0
    store.clock = lambda: time.time() + 601  # the window has passed
    assert store.take_login_attempt("10.0.0.2", 5, 600)


def test_sessions_end_with_logout_a_new_password_or_their_expiry(store):
    token = store.open_session("Camille", 3600, "empreinte-1")
    assert store.session_name(token, "empreinte-1") == "Camille"
    assert store.session_name(token, "empreinte-2") is None
    store.close_session(token)
    assert store.session_name(token, "empreinte-1") is None
    short = store.open_session("Camille", -1, "empreinte-1")
    assert store.session_name(short, "empreinte-1") is None
    later = store.open_session("Camille", 3600, "empreinte-1")
    store.clock = lambda: time.time() + 3601
    assert store.session_name(later, "empreinte-1") is None


def test_the_whole_demo_crawls_and_indexes_on_postgresql(
    demo_web, make_sources, tmp_path, postgres_url, monkeypatch
):
    """The real pipeline (Scrapy into the data layer, then the index) on PostgreSQL."""
    from conftest import chromium_or_skip

    chromium_or_skip()
    monkeypatch.setenv("PORTAIL_DATABASE_URL", postgres_url)
    data = tmp_path / "var"
    sources = make_sources(demo_web)
    crawl = run_portail("crawl", "--sources", str(sources), "--source", "douane", data=data)
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    assert not (data / "pages.sqlite3").exists()  # every table is on PostgreSQL
    store = open_store(data)
    try:
        count = store.count_pages()
    finally:
        store.close()
    assert count > 10
    indexed = run_portail("index", data=data)
    assert indexed.returncode == 0, indexed.stderr[-2000:]
    assert f"{count} pages dans l'index" in indexed.stdout


def test_processes_starting_together_on_an_empty_database_migrate_it_once(tmp_path):
    import subprocess
    import sys

    code = "import sys; from pathlib import Path; from portail.db import open_store; "
    code += "open_store(Path(sys.argv[1])).close()"
    env = {k: v for k, v in __import__("os").environ.items() if k != "PORTAIL_DATABASE_URL"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(tmp_path / "var")],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors


# -- the crawler's per-page statements read through indexes ------------------------------------


def test_each_statement_of_a_page_save_uses_an_index_not_a_scan(tmp_path, monkeypatch):
    """A crawl runs these for every page: one of them reading a whole source's pages makes a
    crawl quadratic (the twin lookup once did, on SQLite's choice of a two-column index)."""
    from sqlalchemy import event

    monkeypatch.delenv("PORTAIL_DATABASE_URL", raising=False)
    store = open_store(tmp_path / "var")
    crawl = store.start_crawl("essai")
    for n in range(300):
        save(store, crawl, f"https://exemple.fr/{n}", f"Texte {n}")
    statements: list[tuple[str, tuple]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            statements.append((statement, tuple(parameters)))

    event.listen(store.engine, "before_cursor_execute", keep)
    url = "https://exemple.fr/nouvelle"
    assert save(store, crawl, url, "Texte nouveau") == "new"
    assert store.twin_of("essai", page_fields("Texte nouveau")["content_hash"], url) is None
    store.mark_seen(crawl, url, "unchanged")
    event.remove(store.engine, "before_cursor_execute", keep)
    assert len(statements) >= 3
    with store.engine.connect() as connection:
        for statement, parameters in statements:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            details = [row[3] for row in plan]
            assert not any(d.startswith("SCAN pages") for d in details), (statement, details)
            if "content_hash =" in statement.partition("WHERE")[2]:
                assert any("pages_hash" in d for d in details), (statement, details)
    store.close()


# -- typed records: each one matches its table, and what the Store reads matches each one ------

# A record named after a table holds every column of it.
WHOLE_ROWS = {
    records.PageRecord: tables.pages,
    records.PageVersionRecord: tables.page_versions,
    records.CrawlRecord: tables.crawls,
    records.SourceRecord: tables.sources,
    records.FeedEntryRecord: tables.feed_entries,
    records.EnrichmentRecord: tables.enrichment,
    records.SignedNewsItemRecord: tables.news,
    records.RunRecord: tables.runs,
    records.CorrectionRecord: tables.corrections,
    records.RecrawlRecord: tables.recrawl_queue,
    records.SessionRecord: tables.sessions,
    records.SelfAssessmentRecord: tables.selfassessments,
    records.HotlineRequestRecord: tables.hotline_requests,
    records.HotlineEventRecord: tables.hotline_events,
    records.OutboxRecord: tables.hotline_outbox,
}
# A record of a query: (tables joined, tables read through an outer join, computed columns).
SUBSETS = {
    records.FetchRecord: ((tables.fetches, tables.pages), (), {}),
    records.CrawlErrorRecord: ((tables.crawl_errors,), (), {}),
    records.SameContentRecord: ((tables.pages,), (), {}),
    records.FeedItemRecord: ((tables.feed_entries,), (tables.enrichment,), {"page": str | None}),
    records.NewsItemRecord: ((tables.news,), (), {}),
    records.NewsPageRecord: ((tables.pages, tables.enrichment), (), {}),
    records.PageCountRecord: ((tables.pages,), (), {"count": int}),
    records.FoundPageRecord: ((tables.pages,), (tables.enrichment,), {}),
    records.ReviewRecord: ((tables.pages, tables.enrichment), (), {}),
    records.HotlineReasonRecord: (
        (tables.hotline_events, tables.hotline_requests),
        (),
        {"reason": str, "n": int},
    ),
    records.HotlinePurgeRecord: ((tables.hotline_requests,), (), {}),
}
BUILT = {records.ExportRecord}  # made by the data layer from a query, no table's row


def _column_type(column, nullable: bool = False) -> object:
    kind = column.type.python_type
    return kind | None if nullable or column.nullable else kind


def test_every_record_is_checked_against_the_tables():
    declared = {v for v in vars(records).values() if is_typeddict(v)}
    assert declared == set(WHOLE_ROWS) | set(SUBSETS) | BUILT


@pytest.mark.parametrize("record", list(WHOLE_ROWS), ids=lambda r: r.__name__)
def test_a_table_record_has_every_column_of_its_table_with_its_type(record):
    table = WHOLE_ROWS[record]
    expected = {c.name: _column_type(c) for c in table.columns}
    assert get_type_hints(record) == expected


@pytest.mark.parametrize("record", list(SUBSETS), ids=lambda r: r.__name__)
def test_a_query_record_holds_columns_of_its_tables_with_their_types(record):
    joined, outer, computed = SUBSETS[record]
    for key, annotation in get_type_hints(record).items():
        if key in computed:
            assert annotation == computed[key], key
            continue
        owner = next((t for t in (*joined, *outer) if key in t.columns), None)
        assert owner is not None, f"{record.__name__}.{key} is no column of its tables"
        assert annotation == _column_type(owner.columns[key], owner in outer), key


def _conforms(record, row) -> None:
    """The row has exactly the record's keys, each value of its annotated type."""
    hints = get_type_hints(record)
    assert set(row) == set(hints), record.__name__
    for key, annotation in hints.items():
        assert _is_a(row[key], annotation), (record.__name__, key, row[key], annotation)


def _is_a(value: object, annotation: object) -> bool:
    if isinstance(annotation, UnionType):
        return any(_is_a(value, option) for option in get_args(annotation))
    if annotation is type(None):
        return value is None
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        return isinstance(value, list) and all(_is_a(v, item) for v in value)
    assert isinstance(annotation, type)
    return type(value) is annotation  # a bool is no int, an int no float


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stocked(request, tmp_path_factory):
    """A store holding one row (at least) of every shape the records describe, on each
    engine; every nullable column the stages fill holds a value."""
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "postgresql":
            patch.setenv("PORTAIL_DATABASE_URL", _fresh_database(request))
        else:
            patch.delenv("PORTAIL_DATABASE_URL", raising=False)
        opened = open_store(tmp_path_factory.mktemp("records"))
    _stock(opened)
    yield opened
    opened.close()


def _fresh_database(request) -> str:
    import uuid

    import psycopg

    server = request.getfixturevalue("postgres_server")
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


URL = "https://exemple.fr/actualite"
AT = "2026-12-01T09:00:00+00:00"


def _stock(store) -> None:
    from portail.hotline.messages import mail

    store.record_source("essai", "Essai", "Organisme", "53", "consulaire")
    crawl = store.start_crawl("essai")
    fields = {"published": "2026-11-30", "modified": "2026-12-01", "content_type": "text/html"}
    fields |= {"structured": {"jsonld": []}, "links": [URL + "/suite"], "language": "fr"}
    for content in ("Une actualité", "Une actualité, corrigée"):
        store.save_page(
            crawl, "essai", URL, URL + "?x", page_fields(content, **fields), "e", AT, 200
        )
    store.save_page(
        crawl, "essai", URL + "/2", URL + "/2", page_fields("Une actualité"), *[None] * 2, 200
    )
    store.add_error(crawl, URL + "/mort", "lien mort (404)")
    counts = CrawlCounts(new=2, changed=1)
    store.finish_crawl(crawl, "incomplete", "délai", "chute", counts, 1234, {"status": "ok"})
    extra = '{"review": {"confidence": 0.4, "step": "gerer"}}'
    store.record_enrichment(
        [(URL, 2, "gerer", '{"gerer": 0.9}', 1, "news", '["DE"]', '["53"]', '["vin"]', AT, extra)],
        [],
    )
    entries = [{"url": URL, "title": "Une actualité", "summary": "Résumé", "published": AT}]
    store.save_feed_entries("essai", "https://exemple.fr/flux.xml", entries)
    news_row = (URL, URL, "essai", "Organisme", "Une actualité", "Résumé", "2026-11-30", "page")
    store.save_news([(*news_row, 0, "gerer", "[]", '["53"]', "[]", "ab12", "f1", AT)], [])
    run = store.start_run("essai", AT)
    store.finish_run(run, "failed", "site injoignable", AT)
    store.save_correction(StoredCorrection(URL, "gerer", "news", True, "Camille", AT, "vu"))
    store.request_recrawl("essai", "Camille")
    store.open_session("Camille", 3600, "empreinte")
    token = store.start_selfassessment({"q1": "oui"})
    store.finish_selfassessment(token, {"q1": "oui"}, {"finished": AT, "scores": {}})
    store.save_selfassessment_draft(token, {"q1": "non"})
    values = {"status": "nouvelle", "desk": "tfe-53", "subject": "marches"}
    values |= {"region": "53", "email": "a@exemple.fr", "consent": AT}
    for reference in ("HL-2026-EFFACE", "HL-2026-ESSAI"):
        store.create_hotline_request(
            {**values, "token_hash": reference},
            lambda reference=reference: reference,
            lambda ref: [mail("receipt", ref, "Reçue", "", "a@b.fr")],
            AT,
        )
    erased = store.hotline_request("HL-2026-EFFACE")["id"]
    store.erase_hotline_request(erased, AT, "Camille", "à la demande de la personne")
    request_id = store.hotline_request("HL-2026-ESSAI")["id"]
    followed = {"reminded": AT, "escalated": AT, "answered": AT}
    store.change_hotline_request(request_id, AT, "answered", "Camille", "Réponse", followed)
    store.change_hotline_request(request_id, AT, "closed", "Camille", "hors_champ", {"closed": AT})
    (claimed,) = store.claim_outbox(AT, AT)
    store.outbox_state(claimed["id"], "sent", AT)


def test_the_crawlers_records_hold_the_types_stored(stocked):
    for row in (stocked.page(URL), *stocked.pages(), *stocked.rows([URL])):
        _conforms(records.PageRecord, row)
    (before,) = stocked.history(URL)
    _conforms(records.PageVersionRecord, before)
    _conforms(records.FetchRecord, stocked.fetch_info(URL + "?x"))
    crawl = stocked.crawls("essai")[0]
    for row in (crawl, stocked.crawl(crawl["id"])):
        _conforms(records.CrawlRecord, row)
    _conforms(records.CrawlErrorRecord, stocked.crawl_errors(crawl["id"])[0])
    same = stocked.same_content("essai", page_fields("Une actualité")["content_hash"])
    _conforms(records.SameContentRecord, same[0])
    _conforms(records.SourceRecord, stocked.sources()["essai"])


def test_the_indexers_records_hold_the_types_stored(stocked):
    _conforms(records.EnrichmentRecord, stocked.enrichment(URL))
    _conforms(records.NewsItemRecord, stocked.news_items()[0])
    _conforms(records.SignedNewsItemRecord, stocked.news_items(with_signatures=True)[0])
    _conforms(records.NewsPageRecord, stocked.news_pages()[0])
    (item,) = stocked.feed_items()
    assert item["page"] == URL
    _conforms(records.FeedItemRecord, item)


def test_the_consoles_and_the_schedulers_records_hold_the_types_stored(stocked):
    _conforms(records.CrawlRecord, stocked.last_crawls()[0])
    for row in stocked.page_counts():
        _conforms(records.PageCountRecord, row)
    for row in stocked.find_pages("actualité"):
        _conforms(records.FoundPageRecord, row)
    ((review, _),) = stocked.pages_to_review()
    _conforms(records.ReviewRecord, review)
    _conforms(
        records.CorrectionRecord,
        stocked.one_as(records.CorrectionRecord, select(tables.corrections)),
    )
    _conforms(
        records.RecrawlRecord, stocked.one_as(records.RecrawlRecord, select(tables.recrawl_queue))
    )
    _conforms(records.RunRecord, stocked.runs("essai")[0])


def test_the_web_nodes_and_self_assessments_records_hold_the_types_stored(stocked):
    _conforms(records.SessionRecord, stocked.one_as(records.SessionRecord, select(tables.sessions)))
    taken = stocked.one_as(records.SelfAssessmentRecord, select(tables.selfassessments))
    _conforms(records.SelfAssessmentRecord, taken)


def test_the_hotlines_records_hold_the_types_stored(stocked):
    found = stocked.hotline_request("HL-2026-ESSAI")
    rows = [found, stocked.hotline_request_by_token("HL-2026-ESSAI"), *stocked.hotline_requests()]
    for row in rows:
        _conforms(records.HotlineRequestRecord, row)
    for event in stocked.hotline_history(found["id"]):
        _conforms(records.HotlineEventRecord, event)
    (reason,) = stocked.hotline_reason_counts()
    _conforms(records.HotlineReasonRecord, reason)
    (purged,) = stocked.hotline_to_purge("9999")
    _conforms(records.HotlinePurgeRecord, purged)
    for mail in stocked.outbox():  # one sent, one cancelled by the erasure
        _conforms(records.OutboxRecord, mail)


def test_the_export_records_hold_the_types_written(stocked):
    for row in stocked.export_rows():
        _conforms(records.ExportRecord, row)
