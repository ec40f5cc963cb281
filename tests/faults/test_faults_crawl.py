"""The fault suite, crawl side: a hostile site crawled with two well-behaved neighbours.

The neighbours complete; the report names every problem of the hostile site in French with its
address; the crawl's memory stays under 400 MB even on a page of 340,000 links (10 MB, what the
size limit admits); `max_pages` is reached exactly and quickly from that page; SIGTERM stops a
crawl stuck on a silent server within seconds; and a site that starts answering its articles
with an error page (a soft 404, three ways) loses nothing — even when a crawl is killed as its
pages collapse — trips the drop guard, and keeps the index equal to the store."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_site import ARTICLES, HostileSite, article_text
from whoosh import index as whoosh_index

from conftest import run_portail, sql
from crawlers.settings import MAX_PAGE_BYTES
from indexer.index import current_generation

PORTAIL = [sys.executable, "-m", "portail_cli"]
NASTY = ["/bombe", "/boucle-a", "/sans-fin/", "/muet", "/goutte", "/enorme-", "/liens", "/petit/"]


def hostile_source(site: HostileSite, deny: list[str], **extra: object) -> str:
    settings = {"timeout": 3, "max_pages": 3000, "depth": 3, **extra}
    lines = [
        "[[source]]",
        'id = "hostile"',
        'name = "Site hostile"',
        f'start_urls = ["{site.url}/"]',
        f"deny = {json.dumps(deny)}",
        *(f"{key} = {json.dumps(value)}" for key, value in settings.items()),
    ]
    return "\n" + "\n".join(lines) + "\n"


@pytest.fixture
def hostile():
    site = HostileSite().start()
    yield site
    site.stop()


def crawl(data: Path, sources: Path, *ids: str, timeout: float = 240) -> tuple[int, dict, str, int]:
    """Run `portail crawl` in its own process: exit code, run record, report, peak RSS (MB)."""
    record = data.parent / "record.json"
    out, err = data.parent / "out.txt", data.parent / "err.txt"
    args = ["crawl", "--sources", str(sources), "--record", str(record)]
    for source_id in ids:
        args += ["--source", source_id]
    env = {**os.environ, "PORTAIL_DATA": str(data)}
    with out.open("w") as stdout, err.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "portail_cli", *args], env=env, stdout=stdout, stderr=stderr
        )
        deadline = time.monotonic() + timeout
        while True:  # wait4, not poll: the rusage of this child alone gives its peak memory
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.1)
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    peak = int(usage.ru_maxrss / 1024)
    report = out.read_text("utf-8") + err.read_text("utf-8")
    return code, json.loads(record.read_text("utf-8")) if record.exists() else {}, report, peak


def by_source(record: dict) -> dict:
    return {s["source"]: s for s in record["sources"]}


def reasons(entry: dict) -> dict[str, str]:
    """The reason reported for each address of a source, by path."""
    return {e["url"].split("/", 3)[-1]: e["reason"] for e in entry["errors"]}


def test_a_hostile_site_is_crawled_with_its_neighbours(demo_web, make_sources, hostile, tmp_path):
    # The page of 340,000 links has a test of its own (the next one).
    sources = make_sources(demo_web, hostile_source(hostile, deny=["/liens", "/petit/"]))
    data = tmp_path / "var"
    code, record, report, peak = run_watched(data, sources)
    entries = by_source(record)
    for neighbour in ("coface", "ccef"):
        assert entries[neighbour]["status"] == "finished", entries[neighbour]
        assert entries[neighbour]["flag"] is None and entries[neighbour]["counts"]["new"] > 5
    found = reasons(entries["hostile"])
    assert "robots.txt illisible" in found["robots.txt"]
    assert "trop volumineuse" in found["bombe"]  # a gzip bomb: 50 MB once decompressed
    assert found["boucle-a"].startswith("boucle de redirections")
    assert "/boucle-b → " in found["boucle-a"]
    assert "trop de redirections" in found["sans-fin/0"]
    assert "délai d'attente dépassé" in found["muet"]
    assert "délai d'attente dépassé" in found["goutte"]
    assert "trop volumineuse" in found["enorme-avec-longueur"]
    assert "trop volumineuse" in found["enorme-sans-longueur"]
    for path in ("robots.txt", "bombe", "boucle-a", "muet", "enorme-sans-longueur"):
        assert f"{hostile.url}/{path}" in report, path  # the printed report names each one
    assert code == 0
    assert peak < 400, f"mémoire de pointe de la collecte : {peak} Mo"
    assert sql(data, "PRAGMA integrity_check")[0][0] == "ok"


def run_watched(data: Path, sources: Path) -> tuple[int, dict, str, int]:
    return crawl(data, sources, "hostile", "coface", "ccef")


def test_max_pages_is_reached_exactly_quickly_and_in_bounded_memory_from_340000_links(
    demo_web, make_sources, hostile, tmp_path
):
    deny = [p for p in NASTY if p not in ("/liens", "/petit/")] + ["/articles/"]
    sources = make_sources(demo_web, hostile_source(hostile, deny=deny, max_pages=50))
    data = tmp_path / "var"
    started = time.monotonic()
    _, record, report, peak = crawl(data, sources, "hostile", timeout=120)
    took = time.monotonic() - started
    entry = by_source(record)["hostile"]
    assert "page très chargée : 340002 liens" in reasons(entry)["liens"]  # with the menu's two
    assert f"{hostile.url}/liens" in report
    assert sql(data, "SELECT count(*) FROM pages WHERE source = 'hostile'")[0][0] == 50
    assert entry["status"] == "incomplete" and "plafond de 50 pages" in entry["flag"]
    assert took < 60, f"{took:.0f} s pour 50 pages"
    assert peak < 400, f"mémoire de pointe de la collecte : {peak} Mo"
    requested = [p for p in hostile.requests if p.startswith("/petit/")]
    assert len(requested) < 200  # the queue was not flooded with 340,000 requests' answers
    assert 9 * 2**20 < len(hostile.links_page()) <= MAX_PAGE_BYTES  # what the size limit admits


def test_sigterm_stops_a_crawl_stuck_on_silent_servers_within_seconds(
    demo_web, make_sources, hostile, tmp_path
):
    deny = ["/bombe", "/boucle-a", "/sans-fin/", "/enorme-", "/liens", "/petit/"]
    sources = make_sources(demo_web, hostile_source(hostile, deny=deny, timeout=120))
    data = tmp_path / "var"
    env = {**os.environ, "PORTAIL_DATA": str(data)}
    record = tmp_path / "record.json"
    args = ["crawl", "--sources", str(sources), "--source", "hostile", "--record", str(record)]
    proc = subprocess.Popen(
        [*PORTAIL, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while "/muet" not in hostile.requests and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # the articles are in; the silent servers hold their connections
    proc.send_signal(signal.SIGTERM)
    stopped = time.monotonic()
    out, _ = proc.communicate(timeout=30)
    assert time.monotonic() - stopped < 15
    entry = by_source(json.loads(record.read_text("utf-8")))["hostile"]
    assert entry["status"] == "incomplete" and "interrompue" in entry["flag"]
    assert "incomplète" in out
    saved = sql(data, "SELECT count(*) FROM pages WHERE source = 'hostile' AND status = 'ok'")
    assert saved[0][0] >= ARTICLES  # what was read before the signal is kept
    assert sql(data, "PRAGMA integrity_check")[0][0] == "ok"


# -- soft 404s ----------------------------------------------------------------------------------


def index_urls(data: Path) -> set[str]:
    ix = whoosh_index.open_dir(current_generation(data))
    with ix.searcher() as searcher:
        return {fields["url"] for fields in searcher.all_stored_fields()}


def live_urls(data: Path) -> set[str]:
    return {r[0] for r in sql(data, "SELECT url FROM pages WHERE status = 'ok'")}


@pytest.mark.parametrize("mode", ["gabarit-sonde", "gabarit-mots", "gabarit-muet"])
def test_a_soft_404_loses_nothing_and_trips_the_drop_guard(
    demo_web, make_sources, hostile, tmp_path, mode
):
    sources = make_sources(demo_web, hostile_source(hostile, deny=NASTY))
    data = tmp_path / "var"
    code, record, _, _ = crawl(data, sources, "hostile")
    assert code == 0 and by_source(record)["hostile"]["flag"] is None
    articles = {
        r["url"]: r["text"]
        for r in sql(data, "SELECT url, text FROM pages WHERE url LIKE '%/articles/%'")
    }
    assert len(articles) == ARTICLES
    assert run_portail("index", data=data).returncode == 0
    if mode == "gabarit-muet":  # the first crawl to see it is killed before its end
        kill_mid_collapse(data, sources, hostile)

    hostile.mode = mode  # every article now answers the same error page, with a 200
    code, record, report, _ = crawl(data, sources, "hostile")
    entry = by_source(record)["hostile"]
    assert entry["flag"] and "chute soudaine" in entry["flag"], report
    assert entry["counts"]["gone"] == 0
    assert any("page d'erreur" in e["reason"] for e in entry["errors"])
    rows = sql(data, "SELECT url, status, text FROM pages WHERE url LIKE '%/articles/%'")
    assert {r["url"]: (r["status"], r["text"]) for r in rows} == {
        url: ("ok", text) for url, text in articles.items()
    }
    assert run_portail("index", data=data).returncode == 0
    assert index_urls(data) == live_urls(data)

    hostile.mode = "sain"  # the site recovers: its pages are the same pages, not new ones
    code, record, _, _ = crawl(data, sources, "hostile")
    entry = by_source(record)["hostile"]
    assert entry["flag"] is None and entry["counts"]["new"] == 0
    assert entry["counts"]["unchanged"] >= ARTICLES
    assert run_portail("index", data=data).returncode == 0
    assert index_urls(data) == live_urls(data)


def kill_when(data: Path, sources: Path, query: str, count: int, timeout: float = 60) -> None:
    """Start `portail crawl` of the hostile site and SIGKILL it once `query` counts `count`."""
    env = {**os.environ, "PORTAIL_DATA": str(data)}
    args = ["crawl", "--sources", str(sources), "--source", "hostile"]
    proc = subprocess.Popen([*PORTAIL, *args], env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while sql(data, query)[0][0] < count and proc.poll() is None:
        assert time.monotonic() < deadline, "la collecte n'avance pas"
        time.sleep(0.02)
    assert proc.poll() is None, "la collecte a fini avant d'être tuée"
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def kill_mid_collapse(data: Path, sources: Path, hostile: HostileSite) -> None:
    """Kill a crawl while the site's articles turn, one by one, into one mute template; check
    that it folded nothing and that every article's text is still there, live or in history."""
    query = "SELECT url, text FROM pages WHERE url LIKE '%/articles/%'"
    articles = {(r["url"], r["text"]) for r in sql(data, query)}
    # Half a second per answer, eight at a time: the 21 articles take three rounds, and the kill
    # lands in the first two, while the crawl still has articles to read.
    hostile.mode, hostile.slow = "gabarit-muet", 0.5
    collapsed = random.Random(hostile.port).randint(3, 12)
    kill_when(data, sources, "SELECT count(*) FROM pages WHERE text LIKE '%travaux%'", collapsed)
    hostile.slow = 0.0
    assert sql(data, "SELECT count(*) FROM crawls WHERE status = 'running'")[0][0] == 1
    assert sql(data, "SELECT url FROM pages WHERE status = 'twin'") == []
    kept = {(r["url"], r["text"]) for r in sql(data, "SELECT url, text FROM page_versions")}
    assert articles <= kept | {(r["url"], r["text"]) for r in sql(data, query)}


def test_one_article_turned_soft_404_is_gone_with_its_content_kept(
    demo_web, make_sources, hostile, tmp_path
):
    sources = make_sources(demo_web, hostile_source(hostile, deny=NASTY))
    data = tmp_path / "var"
    assert crawl(data, sources, "hostile")[0] == 0
    hostile.broken = {3}  # article 3 alone now answers « page introuvable » with a 200
    _, record, _, _ = crawl(data, sources, "hostile")
    entry = by_source(record)["hostile"]
    assert entry["flag"] is None and entry["counts"]["gone"] == 1
    (row,) = sql(data, "SELECT status, text FROM pages WHERE url LIKE '%/articles/3'")
    assert row["status"] == "gone" and article_text(3) in row["text"]  # content kept


def test_the_store_keeps_previous_versions(tmp_path):
    from portail.db import open_store

    store = open_store(tmp_path)
    fields = {"title": "T", "text": "un", "content_hash": "1"}
    for n, text in enumerate(["un", "deux", "trois", "quatre", "cinq"]):
        crawl_id = store.start_crawl("s")
        page = {**fields, "text": text, "content_hash": str(n)}
        store.save_page(crawl_id, "s", "https://x.fr/a", "https://x.fr/a", page, None, None, 200)
    history = store.history("https://x.fr/a")
    assert [h["text"] for h in history] == ["quatre", "trois", "deux"]
    store.close()
    connection = sqlite3.connect(tmp_path / "pages.sqlite3")
    assert connection.execute("SELECT count(*) FROM page_versions").fetchone()[0] == 3
    connection.close()


def test_the_next_crawl_first_puts_back_what_a_killed_crawl_left_holding_a_template(tmp_path):
    from types import SimpleNamespace

    from crawlers.pipelines import StorePipeline
    from portail.db import CrawlCounts, open_store

    store = open_store(tmp_path)
    urls = [f"https://x.fr/articles/{n}" for n in range(6)]

    def save(crawl_id: int, url: str, text: str) -> None:
        page = {"title": "T", "text": text, "content_hash": text}
        store.save_page(crawl_id, "s", url, url, page, None, None, 200)

    first = store.start_crawl("s")
    for n, url in enumerate(urls):
        save(first, url, f"article {n}")
    store.finish_crawl(first, "finished", "finished", None, CrawlCounts(), 0)
    killed = store.start_crawl("s")  # killed after four articles turned into one template
    for url in urls[:4]:
        save(killed, url, "Espace en travaux")
    save(killed, "https://x.fr/nouvelle", "une page nouvelle")
    save(killed, "https://x.fr/a", "deux adresses")  # twins, or the start of a template:
    save(killed, "https://x.fr/b", "deux adresses")  # too few to tell, left as they are
    spider = SimpleNamespace(source=SimpleNamespace(id="s"), crawl_id=store.start_crawl("s"))
    crawler = SimpleNamespace(settings={"PORTAIL_DATA_DIR": str(tmp_path)}, spider=spider)
    pipeline = StorePipeline(crawler)
    pipeline.open_spider()
    assert pipeline.store is not None
    pipeline.store.close()
    pages = {r["url"]: (r["status"], r["text"]) for r in store.pages(source="s")}
    assert pages == {
        **{url: ("ok", f"article {n}") for n, url in enumerate(urls)},
        "https://x.fr/nouvelle": ("ok", "une page nouvelle"),
        "https://x.fr/a": ("ok", "deux adresses"),
        "https://x.fr/b": ("ok", "deux adresses"),
    }
    store.close()


def test_two_pages_turning_into_one_text_are_a_template_a_new_address_of_a_page_a_twin(tmp_path):
    from crawlers.pipelines import settle
    from portail.db import CrawlCounts, open_store

    store = open_store(tmp_path)

    def save(crawl_id: int, path: str, text: str) -> None:
        url = f"https://x.fr/{path}"
        page = {"title": "T", "text": text, "content_hash": text}
        store.save_page(crawl_id, "s", url, url, page, None, None, 200)

    first = store.start_crawl("s")
    for path, text in [("a", "article a"), ("b", "article b"), ("c", "texte commun")]:
        save(first, path, text)
    store.finish_crawl(first, "finished", "finished", None, CrawlCounts(), 0)
    second = store.start_crawl("s")
    save(second, "a", "Espace en travaux")  # two articles turn into one short text:
    save(second, "b", "Espace en travaux")  # too few for a crowd, but they converged
    save(second, "c-bis", "texte commun")  # a new address of a known page: a twin
    errors = settle(store, "s", second, {"Espace en travaux", "texte commun"})
    pages = {r["url"][len("https://x.fr/") :]: (r["status"], r["text"]) for r in store.pages()}
    assert pages == {
        "a": ("ok", "article a"),
        "b": ("ok", "article b"),
        "c": ("ok", "texte commun"),
        "c-bis": ("twin", "texte commun"),
    }
    assert sorted(url for url, _ in errors) == ["https://x.fr/a", "https://x.fr/b"]
    assert store.outcome_counts(second) == {"missing": 2, "new": 1, "unchanged": 1}
    store.close()
