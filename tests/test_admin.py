"""The maintainers' console through Flask's test client, on real data directories: the login
guard on every route, rate limiting, CSRF, source status, the recrawl queue consumed by the
scheduler, corrections that survive a full reindex, and the sources check."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import stat
import subprocess
import sys
import threading
import time
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from apscheduler.triggers.interval import IntervalTrigger

import scheduler as scheduling
from conftest import ROOT, run_portail, sql
from indexer.corrections import (
    Correction,
    CorrectionsError,
    load_corrections,
    parse_corrections,
    save_correction,
)
from indexer.journey import steps
from indexer.search import Searcher, SearchQuery
from portail.credentials import set_admin_password
from portail.db import CrawlCounts, open_store
from portail.recrawl import pending, request_recrawl
from webui import create_app
from webui.admin.auth import LoginLimiter

PASSWORD = "une phrase de passe assez longue"
LOGIN = "/admin/connexion"


def make_app(data: Path, sources: Path | None = None, **overrides):
    config = {"DATA_DIR": str(data), "TESTING": True, **overrides}
    if sources is not None:
        config["SOURCES_FILE"] = str(sources)
    return create_app(config)


def token(client, path: str = LOGIN) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def login(client, password: str = PASSWORD, **extra):
    form = {"csrf_token": token(client), "nom": "Camille", "mot_de_passe": password, **extra}
    return client.post(LOGIN, data=form)


def html(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def empty_data(tmp_path):
    set_admin_password(tmp_path, PASSWORD)
    return tmp_path


@pytest.fixture
def data(indexed_data, tmp_path):
    """A private copy of the indexed demo data, with the console's password set."""
    copy = tmp_path / "var"
    shutil.copytree(indexed_data, copy)
    set_admin_password(copy, PASSWORD)
    return copy


@pytest.fixture
def schedule_log():
    """The scheduler's logger writes to the first data directory it is given: give it ours,
    then leave it as new (propagating, so pytest attaches no handler to it) for the next."""
    logger = logging.getLogger("portail.schedule")

    def reset():
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
        logger.propagate = True

    reset()
    yield
    reset()


@pytest.fixture
def admin(data, crawled_data):
    """A logged-in test client on the copy of the indexed demo data."""
    client = make_app(data, crawled_data["sources"]).test_client()
    assert login(client).status_code == 303
    return client


# -- the guard -------------------------------------------------------------------------------


def admin_paths(app) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin") and rule.endpoint != "admin.login":
            paths.append(re.sub(r"<[^>]+>", "x", rule.rule))
    return paths


def test_every_admin_route_redirects_to_login_without_a_session(empty_data):
    app = make_app(empty_data)
    client = app.test_client()
    paths = admin_paths(app)
    assert len(paths) >= 9
    for path in [*paths, "/admin/nulle-part", "/admin/corrections/page?url=http://x/"]:
        for method in ("GET", "POST", "HEAD"):
            response = client.open(path, method=method, data={"csrf_token": "x"})
            assert response.status_code in (302, 303), (method, path, response.status_code)
            target = urlsplit(response.headers["Location"])
            assert target.path == LOGIN and not target.netloc, (method, path)
            after = parse_qs(target.query)["suivant"][0]
            assert after.startswith("/admin") and not after.startswith(LOGIN)
    assert pending(empty_data) == [] and stored_corrections(empty_data) == {}


def test_login_brings_back_to_the_page_asked_for(empty_data):
    client = make_app(empty_data).test_client()
    target = client.get("/admin/sources/verifier?x=1").headers["Location"]
    page = client.get(target)
    assert page.status_code == 200 and 'value="/admin/sources/verifier?x=1"' in html(page)
    response = login(client, suivant="/admin/sources/verifier?x=1")
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/sources/verifier?x=1"
    assert client.get("/admin/sources/verifier").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/admin",
        "//evil.example/admin",
        "/\\evil.example",
        "/recherche",
        "/admin@evil.example",
        "javascript:alert(1)",
        "/admin\r\nSet-Cookie: x=1",
        LOGIN,
        "http:/admin",
    ],
)
def test_after_login_only_local_admin_paths_are_followed(empty_data, target):
    client = make_app(empty_data).test_client()
    response = login(client, suivant=target)
    assert response.status_code == 303 and response.headers["Location"] == "/admin"


def test_a_wrong_password_is_refused_then_logins_are_rate_limited(empty_data):
    client = make_app(empty_data).test_client()
    for _ in range(5):
        response = login(client, "pas le bon mot de passe")
        assert response.status_code == 403 and "Mot de passe incorrect" in html(response)
        assert client.get("/admin/sources").status_code == 302
    blocked = login(client)  # even the right password, once blocked
    assert blocked.status_code == 429 and "Trop de tentatives" in html(blocked)
    assert int(blocked.headers["Retry-After"]) > 500
    assert client.get("/admin/sources").status_code == 302
    other = client.application.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert login(other).status_code == 303


def test_the_login_limiter_forgets_old_failures(tmp_path):
    store = open_store(tmp_path)
    limiter = LoginLimiter(store, attempts=2, window=0.2)
    assert limiter.attempt("a") == limiter.attempt("a") == 0
    assert limiter.attempt("a") > 0 and limiter.attempt("b") == 0
    time.sleep(0.25)
    assert limiter.attempt("a") == 0
    limiter.succeeded("a")
    assert limiter.attempt("a") == limiter.attempt("a") == 0
    store.close()


def test_without_a_password_nobody_logs_in(tmp_path):
    client = make_app(tmp_path).test_client()
    assert "portail admin set-password" in html(client.get(LOGIN))
    assert login(client, "").status_code == 403
    assert login(client, "n'importe quoi de long").status_code == 403


def test_the_environment_hash_wins_over_the_file(empty_data, monkeypatch):
    from werkzeug.security import generate_password_hash

    monkeypatch.setenv("PORTAIL_ADMIN_PASSWORD_HASH", generate_password_hash("autre phrase"))
    client = make_app(empty_data).test_client()
    assert login(client).status_code == 403
    assert login(client, "autre phrase").status_code == 303


def test_a_new_password_ends_open_sessions(empty_data):
    client = make_app(empty_data).test_client()
    login(client)
    assert client.get("/admin").status_code == 200
    set_admin_password(empty_data, "une toute nouvelle phrase")
    assert client.get("/admin").status_code == 302


def test_logout_ends_the_session(empty_data):
    client = make_app(empty_data).test_client()
    login(client)
    response = client.post("/admin/deconnexion", data={"csrf_token": token(client, "/admin")})
    assert response.status_code == 303
    assert client.get("/admin").status_code == 302


def test_short_passwords_are_refused_and_the_hash_file_is_private(tmp_path):
    from portail.credentials import CredentialsError

    with pytest.raises(CredentialsError, match="trop court"):
        set_admin_password(tmp_path, "court")
    path = set_admin_password(tmp_path, PASSWORD)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert PASSWORD not in path.read_text("utf-8")


def test_set_password_command_asks_twice_and_stores_a_hash(tmp_path):
    from click.testing import CliRunner

    from portail_cli.admin import admin

    runner = CliRunner()
    env = {"PORTAIL_DATA": str(tmp_path)}
    refused = runner.invoke(admin, ["set-password"], input="court\ncourt\n", env=env)
    assert refused.exit_code == 2 and "trop court" in refused.output
    done = runner.invoke(admin, ["set-password"], input=f"{PASSWORD}\n{PASSWORD}\n", env=env)
    assert done.exit_code == 0, done.output
    client = make_app(tmp_path).test_client()
    assert login(client).status_code == 303


def test_session_cookies_are_secure_httponly_samesite_and_the_key_is_kept(tmp_path):
    app = create_app({"DATA_DIR": str(tmp_path)})  # neither testing nor debug
    cookie = app.test_client().get(LOGIN).headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    key = tmp_path / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert create_app({"DATA_DIR": str(tmp_path)}).secret_key == app.secret_key
    testing = make_app(tmp_path).test_client().get(LOGIN).headers["Set-Cookie"]
    assert "Secure" not in testing and "HttpOnly" in testing


def test_public_pages_read_on_a_read_only_connection_closed_with_the_request(empty_data):
    from sqlalchemy import insert
    from sqlalchemy.exc import DBAPIError

    import webui
    from portail.db.tables import sources

    app = make_app(empty_data)
    pool = app.extensions["reading"].pool
    with app.test_request_context("/"):
        reading = webui.reader()
        assert reading is webui.reader() and pool.checkedout() == 1  # one per request
        assert reading.news_stamp() == (0, "") and reading.texts(["https://exemple.fr/"]) == {}
        for write in ("begin", "save_page", "save_news", "request_recrawl", "open_session"):
            assert not hasattr(reading, write)
        row = {"id": "x", "name": "X", "organisation": "X", "updated": "2026-12-01"}
        with pytest.raises(DBAPIError, match=r"readonly|read-only"):
            reading.connection.execute(insert(sources).values(row))
        connection = reading.connection
        webui.store().record_source("essai", "Essai", "Organisme", "53")  # the console writes
    assert connection.closed and pool.checkedout() == 0
    assert app.test_client().get("/").status_code == 200  # the home page reads the news
    assert pool.checkedout() == 0 and pool.checkedin() >= 1
    assert set(open_store(empty_data).sources()) == {"essai"}


def test_console_pages_are_neither_cached_nor_indexed(empty_data):
    client = make_app(empty_data).test_client()
    login(client)
    response = client.get("/admin/sources/verifier")
    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert "<title>Vérifier un fichier de sources" in response.get_data(as_text=True)


# -- CSRF ------------------------------------------------------------------------------------


@pytest.mark.parametrize("sent", [None, "", "pas-le-bon-jeton"])
def test_forms_without_the_right_csrf_token_are_refused_and_change_nothing(admin, data, sent):
    form = {} if sent is None else {"csrf_token": sent}
    page = next(iter(open_store(data).pages(status="ok")))["url"]
    posts = [
        ("/admin/sources/bpifrance/collecter", {}),
        ("/admin/corrections/page", {"url": page, "masquer": "1"}),
        ("/admin/corrections/retirer", {"url": page}),
        ("/admin/sources/verifier", {"brouillon": "x = 1"}),
        ("/admin/deconnexion", {}),
    ]
    for path, fields in posts:
        assert admin.post(path, data={**form, **fields}).status_code == 400, path
    assert pending(data) == [] and stored_corrections(data) == {}
    assert admin.get("/admin").status_code == 200  # still logged in: logout was refused too
    anonymous = admin.application.test_client()
    assert (
        anonymous.post(LOGIN, data={**form, "nom": "X", "mot_de_passe": PASSWORD}).status_code
        == 400
    )


# -- sources ---------------------------------------------------------------------------------


def test_the_console_home_lists_the_directory_contacts_it_does_not_show(admin):
    from webui import directory

    page = html(admin.get("/admin"))
    section = page.split('id="annuaire-incomplet"')[1]
    for item in directory.incomplete_entries():
        assert f"{item['entry']}, contact « {item['contact']} » : il manque" in section


def test_the_sources_page_lists_every_source_with_its_last_crawl(admin, data):
    page = html(admin.get("/admin/sources"))
    store = open_store(data)
    for source_id, row in store.sources().items():
        assert row["name"] in page and f"/admin/sources/{source_id}" in page
        last = store.crawls(source_id, limit=1)[0]
        assert str(last["pages_new"]) in page
    store.close()
    assert "Collecter maintenant" in page and "Prochaine collecte" in page
    assert page.count("fr-badge--success") >= 10


def test_a_source_page_shows_its_errors_history_chart_and_next_run(admin, data):
    store = open_store(data)
    crawl = store.crawls("coface", limit=1)[0]
    errors = store.crawl_errors(crawl["id"])
    store.close()
    page = html(admin.get("/admin/sources/coface"))
    assert errors and all(e["url"] in page and e["reason"] in page for e in errors)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'role="img"' in page
    assert "Historique des collectes" in page and "Prochaine collecte" in page
    assert " style=" not in page and "<style" not in page  # the CSP forbids inline styles
    assert admin.get("/admin/sources/inconnue").status_code == 404


def test_a_source_page_shows_the_records_of_its_last_crawls(admin, data):
    store = open_store(data)
    demo = json.loads(store.crawls("coface", limit=1)[0]["record"])
    crawl = store.start_crawl("coface")
    errors = [{"url": f"https://exemple.fr/{n}", "reason": "HTTP 503"} for n in range(7)]
    record = {
        "source": "coface",
        "exit_code": 1,
        "status": "incomplete",
        "flag": "source injoignable : HTTP 503",
        "counts": {"new": 0, "changed": 0, "unchanged": 0, "gone": 0, "errors": 7},
        "errors": errors,
    }
    store.finish_crawl(crawl, "incomplete", "shutdown", None, CrawlCounts(), 0, record)
    store.start_crawl("coface")  # running: no record yet
    store.close()
    page = html(admin.get("/admin/sources/coface"))
    section = page.split("Bilans des dernières collectes")[1].split("</table>")[0]
    rows = section.split("<tr>")[2:]
    assert "aucun bilan enregistré" in rows[0] and "en cours" in rows[0]
    assert "incomplète" in rows[1] and "1 (échec : aucune page atteinte)" in rows[1]
    assert "source injoignable : HTTP 503" in rows[1] and "0 nouvelles" in rows[1]
    assert "https://exemple.fr/4 : HTTP 503" in rows[1] and "https://exemple.fr/5" not in rows[1]
    assert "… et 2 autres erreurs" in rows[1]
    counts = demo["counts"]
    assert demo["exit_code"] == 0 and "0 (réussie)" in rows[2] and "terminée" in rows[2]
    assert f"{counts['new']} nouvelles, {counts['changed']} modifiées" in rows[2]


def test_a_queued_recrawl_is_run_by_the_scheduler(admin, data, crawled_data, schedule_log):
    response = admin.post(
        "/admin/sources/coface/collecter",
        data={"csrf_token": token(admin, "/admin/sources/coface")},
    )
    assert response.status_code == 303
    assert "Collecte demandée" in html(admin.get("/admin/sources/coface"))
    [queued] = pending(data)
    assert (queued.source, queued.by) == ("coface", "Camille")
    assert request_recrawl(data, "coface", "Dominique").by == "Camille"  # asked once
    request_recrawl(data, "ghost", "Dominique")  # unknown to the sources file: dropped

    class Recording(scheduling.Runner):
        ran: list[str] = []

        def run(self, source_id):
            self.ran.append(source_id)
            return super().run(source_id)

        def _crawl(self, source_id):
            return "ok", ""

        def _index(self, detail):
            return "ok", detail

    sources = crawled_data["sources"]
    sched = scheduling.PortalScheduler(
        sources,
        data,
        runner=Recording(sources, data),
        trigger_for=lambda source: IntervalTrigger(days=365),
        reload_every=0.1,
    )
    sched.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (pending(data) or not Recording.ran):
            time.sleep(0.05)
        time.sleep(0.3)  # a second tick must not run it again
    finally:
        sched.shutdown()
    assert Recording.ran == ["coface"] and pending(data) == []
    assert "Collecte demandée" not in html(admin.get("/admin/sources/coface"))
    assert "réussie" in html(admin.get("/admin/sources/coface"))  # the scheduler's run


def test_a_queued_recrawl_waits_for_the_running_one(tmp_path, crawled_data, schedule_log):
    """Queued runs go through the single worker: never two at once."""
    sources = crawled_data["sources"]
    spans: list[tuple[str, float, float]] = []
    lock = threading.Lock()

    class Slow(scheduling.Runner):
        def _crawl(self, source_id):
            start = time.monotonic()
            time.sleep(0.4)
            with lock:
                spans.append((source_id, start, time.monotonic()))
            return "ok", ""

        def _index(self, detail):
            return "ok", detail

    for source_id in ("douane", "vie"):
        request_recrawl(tmp_path, source_id, "test")
    sched = scheduling.PortalScheduler(
        sources,
        tmp_path,
        runner=Slow(sources, tmp_path),
        trigger_for=lambda s: IntervalTrigger(days=365),
        reload_every=0.1,
    )
    sched.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(spans) < 2:
            time.sleep(0.05)
    finally:
        sched.shutdown()
    spans.sort(key=lambda s: s[1])
    assert [s[0] for s in spans] == ["douane", "vie"] and spans[1][1] >= spans[0][2] - 0.01


# -- corrections -----------------------------------------------------------------------------


def relevant_pages(data: Path) -> list:
    return sql(
        data,
        "SELECT p.url, p.title, e.step FROM pages p JOIN enrichment e ON e.url = p.url "
        "WHERE e.relevant = 1 AND e.step IS NOT NULL AND length(p.title) > 25 "
        "ORDER BY p.url",
    )


def stored_corrections(data: Path) -> dict:
    store = open_store(data)
    try:
        return load_corrections(store)
    finally:
        store.close()


def found_urls(searcher: Searcher, words: str) -> set[str]:
    return {h.url for h in searcher.search(SearchQuery(text=words, per_page=50)).hits}


def correct(client, url: str, **fields):
    form = {"csrf_token": token(client, "/admin/corrections"), "url": url, **fields}
    return client.post("/admin/corrections/page", data=form)


def test_a_correction_is_queued_for_the_scheduler_and_survives_a_full_reindex(admin, data):
    pinned, hidden = relevant_pages(data)[:2]
    new_step = "implanter" if pinned["step"] != "implanter" else "diagnostic"
    searcher = Searcher(data)
    assert hidden["url"] in found_urls(searcher, hidden["title"])

    assert (
        correct(admin, pinned["url"], etape=new_step, type="guide", note="Test « pin »").status_code
        == 303
    )
    response = correct(admin, hidden["url"], masquer="1")
    assert response.status_code == 303
    assert "à la prochaine indexation" in html(admin.get(response.headers["Location"]))
    assert searcher.get(pinned["url"]).step != new_step  # no indexing in the web request
    store = open_store(data)
    assert store.reindex_pending() == 2
    store.close()
    assert run_portail("index", data=data).returncode == 0  # what the scheduler runs

    saved = stored_corrections(data)
    assert saved[pinned["url"]].step == new_step and saved[pinned["url"]].by == "Camille"
    assert saved[hidden["url"]].hidden and saved[hidden["url"]].at
    time.sleep(0.6)  # the searcher looks for a new index commit twice a second
    assert searcher.get(pinned["url"]).step == new_step
    assert searcher.get(pinned["url"]).kind == "guide"
    assert hidden["url"] not in found_urls(searcher, hidden["title"])

    result = run_portail("index", "--full", data=data)
    assert result.returncode == 0, result.stderr
    rebuilt = Searcher(data)
    assert rebuilt.get(pinned["url"]).step == new_step
    assert hidden["url"] not in found_urls(rebuilt, hidden["title"])

    journal = html(admin.get("/admin/corrections"))
    assert pinned["url"] in journal and "Camille" in journal and "Test « pin »" in journal
    detail = html(admin.get("/admin/corrections/page", query_string={"url": pinned["url"]}))
    assert "Classifieur seul" in detail and "Page corrigée par Camille" in detail

    form = {"csrf_token": token(admin, "/admin/corrections"), "url": hidden["url"]}
    assert admin.post("/admin/corrections/retirer", data=form).status_code == 303
    assert hidden["url"] not in stored_corrections(data)
    assert run_portail("index", data=data).returncode == 0
    time.sleep(0.6)
    assert hidden["url"] in found_urls(searcher, hidden["title"])


def flag_for_review(data: Path, url: str, step: str) -> None:
    """Leave a page as the indexer leaves a borderline one: out of the journey, to review."""
    (row,) = sql(data, "SELECT extra FROM enrichment WHERE url = ?", url)
    extra = {**json.loads(row["extra"]), "review": {"confidence": 0.58, "step": step}}
    sql(
        data,
        "UPDATE enrichment SET relevant = 0, step = NULL, extra = ? WHERE url = ?",
        json.dumps(extra),
        url,
    )


def journey_label(step_id: str) -> str:
    """A step's number and label, as the console's sentences name it."""
    step = next(s for s in steps() if s.id == step_id)
    return f"{step.number} « {step.label} »"


def test_pages_to_review_are_settled_in_one_click_and_stay_settled(admin, data):
    kept, dropped = relevant_pages(data)[2:4]
    flag_for_review(data, kept["url"], kept["step"])
    flag_for_review(data, dropped["url"], dropped["step"])
    listing = html(admin.get("/admin/a-verifier"))
    assert "2 pages à vérifier" in listing and kept["url"] in listing and dropped["url"] in listing
    assert "le classifieur la juge plutôt hors sujet (certitude : 58 %)" in listing
    label = journey_label(kept["step"])
    assert f"gardée, elle irait à l'étape {label}" in listing

    form = {"csrf_token": token(admin, "/admin/a-verifier"), "url": kept["url"]}
    assert (
        admin.post(
            "/admin/a-verifier", data={**form, "decision": "garder", "etape": kept["step"]}
        ).status_code
        == 303
    )
    form["url"] = dropped["url"]
    assert admin.post("/admin/a-verifier", data={**form, "decision": "ecarter"}).status_code == 303
    assert (
        admin.post("/admin/a-verifier", data={**form, "decision": "peut-etre"}).status_code == 400
    )

    saved = stored_corrections(data)
    assert saved[kept["url"]].step == kept["step"] and saved[dropped["url"]].hidden
    result = run_portail("index", "--full", data=data)
    assert result.returncode == 0, result.stderr
    searcher = Searcher(data)
    assert searcher.get(kept["url"]).step == kept["step"]
    assert dropped["url"] not in found_urls(searcher, dropped["title"])
    assert "Aucune page n'attend de vérification" in html(admin.get("/admin/a-verifier"))


def weights_shown(page: str, head: str) -> list[float]:
    """The signed weights the explanation shows under one head (« Pertinence : … »)."""
    block = page.split(f'<dt class="fr-text--bold">{head}', 1)[1].split("</dd>", 1)[0]
    return [
        float(value.replace(",", ".")) * (1 if sign == "+" else -1)
        for sign, value in re.findall(r" ([+−])(\d+,\d+)</span>", block)
    ]


def rejected_page(data: Path) -> str:
    """A demo page about an exhibition that the model, not a rule, keeps out of the journey."""
    (row,) = sql(data, "SELECT url FROM pages WHERE url LIKE '%/mecenat/exposition%'")
    return row["url"]


def test_the_classification_page_explains_each_decision_with_terms_and_words(admin, data):
    kept = relevant_pages(data)[0]["url"]
    detail = html(admin.get("/admin/corrections/page", query_string={"url": kept}))
    assert "Pourquoi ce classement ?" in detail and "Pertinence : appui à l'export" in detail
    assert "Le classifieur seul garde cette page dans le parcours, avec une confiance de" in detail
    assert re.search(r"« [^»]+ » \+\d+,\d\d</span>", detail)  # the rules' terms, not only words
    assert sum(weights_shown(detail, "Pertinence")) > 0

    out = rejected_page(data)
    detail = html(admin.get("/admin/corrections/page", query_string={"url": out}))
    assert "écarte cette page comme hors sujet" in detail
    # « + » weighs toward the decision taken, here « hors sujet »: the words of an exhibition.
    shown = weights_shown(detail, "Pertinence : hors sujet")
    assert shown and sum(shown) > 0 and max(shown) > 0
    assert "ils plaidaient pour la garder (−)" in detail


def test_the_classification_page_shows_a_page_to_review_and_its_confidence(admin, data):
    page = relevant_pages(data)[5]
    flag_for_review(data, page["url"], page["step"])
    detail = html(admin.get("/admin/corrections/page", query_string={"url": page["url"]}))
    indexed = detail.split('<th scope="row">Décision</th>', 1)[1].split("</tr>", 1)[0]
    assert "« à vérifier » : hors du parcours, mais trouvée par la recherche" in indexed
    confidence = detail.split("Confiance du classifieur dans cette décision</th>", 1)[1]
    assert confidence.startswith("<td>58 %</td>")
    assert "aucune tant qu'elle n'est pas vérifiée" in detail
    assert "Pertinente (dans le parcours et la recherche)" not in detail


def test_corrections_find_pages_by_address_and_by_words(admin, data):
    page = relevant_pages(data)[0]
    by_url = html(admin.get("/admin/corrections", query_string={"q": page["url"]}))
    by_words = html(admin.get("/admin/corrections", query_string={"q": page["title"]}))
    assert page["url"] in by_url and page["url"] in by_words
    assert "Aucune page" in html(admin.get("/admin/corrections", query_string={"q": "zzqqy"}))


def test_an_invalid_correction_is_refused(admin, data):
    url = relevant_pages(data)[0]["url"]
    response = correct(admin, url, etape="nulle-part")
    assert "Correction refusée" in html(admin.get(response.headers["Location"]))
    assert correct(admin, url).status_code == 303  # nothing to correct: refused too
    assert load_corrections(open_store(data)) == {}
    assert correct(admin, "http://127.0.0.1:9/inconnue", masquer="1").status_code == 404


def test_corrections_round_trip_and_every_error_is_reported(tmp_path):
    store = open_store(tmp_path)
    odd = Correction(
        'http://example.org/a?b="c"',
        step="gerer",
        by="Zoé \\ '",
        at="2026-11-27T10:00:00+00:00",
        note="« guillemets » \"doubles\" '''",
    )
    save_correction(store, odd)
    with pytest.raises(CorrectionsError, match="caractère de contrôle"):
        save_correction(store, Correction("https://example.org/c", hidden=True, by="\x7f"))
    save_correction(store, Correction("https://example.org/b", hidden=True, by="A"))
    assert load_corrections(store)[odd.url] == odd
    with pytest.raises(CorrectionsError) as caught:
        parse_corrections(
            '[[correction]]\nurl = "ftp://x"\nstep = "nope"\ncolour = 1\n'
            '[[correction]]\nurl = "http://y/"\nhidden = "oui"\n'
        )
    # Every error at once, each with the file, its line, the correction and the key.
    assert [line.split(" : ", 1)[0] for line in caught.value.errors] == [
        "corrections.toml, ligne 2, correction « ftp://x », url",
        "corrections.toml, ligne 3, correction « ftp://x », step",
        "corrections.toml, ligne 4, correction « ftp://x », colour",
        "corrections.toml, ligne 7, correction « http://y/ », hidden",
    ]
    with pytest.raises(CorrectionsError, match="ligne 5, correction « http://y/ », url : page"):
        parse_corrections('[[correction]]\nurl = "http://y/"\nhidden = true\n' * 2)


# -- the sources check -----------------------------------------------------------------------

BROKEN = """[defaults]
depth = "deux"
[[source]]
id = "Bad Id"
name = "Bad"
start_urls = ["ftp://example.org/"]
allow = ["("]
colour = "bleu"
[[source]]
id = "ok"
name = "OK"
start_urls = ["https://example.org/"]
[[source]]
id = "ok"
name = "Twice"
start_urls = ["https://example.org/"]
"""


VALID = '[[source]]\nid = "ok"\nname = "OK"\nstart_urls = ["https://example.org/"]\n'


def cli_errors(draft: str, tmp_path: Path, name: str) -> list[str]:
    (tmp_path / name).write_text(draft, "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "portail_cli", "sources", "check", name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 2
    return result.stderr.splitlines()


def shown_errors(response) -> list[str]:
    page = html(response)
    block = page.split('class="portail-check-errors"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"<li><code>(.*?)</code></li>", block)


def test_the_sources_check_shows_the_same_errors_as_the_cli(admin, tmp_path):
    expected = cli_errors(BROKEN, tmp_path, "sources.toml")
    pasted = admin.post(
        "/admin/sources/verifier",
        data={"csrf_token": token(admin, "/admin/sources/verifier"), "brouillon": BROKEN},
    )
    assert pasted.status_code == 200
    assert shown_errors(pasted) == expected[:-1] and len(expected) >= 6
    assert expected[-1] in html(pasted)  # « 6 erreurs : fichier refusé. »

    from io import BytesIO

    uploaded = admin.post(
        "/admin/sources/verifier",
        content_type="multipart/form-data",
        data={
            "csrf_token": token(admin, "/admin/sources/verifier"),
            "brouillon": "",
            "fichier": (BytesIO(BROKEN.encode("utf-8")), "brouillon.toml"),
        },
    )
    assert shown_errors(uploaded) == cli_errors(BROKEN, tmp_path, "brouillon.toml")[:-1]

    valid = admin.post(
        "/admin/sources/verifier",
        data={"csrf_token": token(admin, "/admin/sources/verifier"), "brouillon": VALID},
    )
    assert "sources.toml : valide, 1 source dont 1 activée." in html(valid)
