"""The crawler against the demo web on loopback: coverage, extraction, politeness,
incremental recrawls, faults. Every crawl is a real `portail crawl` process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import sql
from crawlers.run import crawl_lock
from demo.render import plain_text
from portail.db import open_store
from portail.sources import load_sources

FAST_SOURCES = ["bpifrance", "region-occitanie", "douane"]


def portail(*args: str, data: Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PORTAIL_DATA": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "portail_cli", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def crawl(sources: Path, data: Path, *ids: str) -> subprocess.CompletedProcess[str]:
    args = ["crawl", "--sources", str(sources)]
    for sid in ids:
        args += ["--source", sid]
    return portail(*args, data=data)


def live_pages(data: Path) -> dict[str, dict]:
    store = open_store(data)
    try:
        return {r["url"]: dict(r) for r in store.pages(status="ok")}
    finally:
        store.close()


@pytest.fixture(scope="session")
def crawled(crawled_data):
    return crawled_data


def test_every_manifest_page_is_stored(crawled, manifest):
    stored = live_pages(crawled["data"])
    missing = [p["url"] for p in manifest["pages"] if p["url"] not in stored]
    assert missing == []


def test_no_never_index_url_is_stored(crawled, manifest):
    stored = live_pages(crawled["data"])
    assert [u for u in manifest["never_index"] if u in stored] == []


def test_disallowed_urls_are_never_requested(crawled, demo_web):
    for site in demo_web.sites.values():
        for rule in site.disallow:
            hits = [e.path for e in crawled["log"] if e.site == site.id and e.path.startswith(rule)]
            assert hits == [], (site.id, rule)


def test_requests_carry_the_bot_user_agent(crawled):
    agents = {e.user_agent for e in crawled["log"] if e.site != "vie"}
    assert agents == {"FranceInternationalBot/1.0 (+https://example.invalid/bot)"}


def test_report_lists_each_source_and_dead_links(crawled):
    out = crawled["result"].stdout
    for source in load_sources(crawled["sources"]).sources:
        assert re.search(rf"^{re.escape(source.id)}\s+\d+", out, re.M), source.id
    assert "lien mort (404)" in out and "Total" in out


def test_the_manifest_knows_every_error_of_the_demo_web(crawled, manifest):
    # Every error of a demo crawl is one the demo web makes on purpose (404s, the redirect
    # loop): `make demo` then reports them as expected. The report shows three addresses per
    # kind of problem; the store keeps them all.
    rows = sql(crawled["data"], "SELECT url, reason FROM crawl_errors")
    assert {r["url"] for r in rows} == set(manifest["dead_links"])
    assert {r["reason"].split(" :")[0] for r in rows} == {
        "lien mort (404)",
        "boucle de redirections",
    }
    dead = {r["url"] for r in rows if r["reason"].startswith("lien mort")}
    shown = re.findall(r"^  - [\w-]+ : lien mort \(404\) — (.+)$", crawled["result"].stdout, re.M)
    assert shown and all(u.split(" et ")[0].split(", ")[0] in dead for u in shown)


def test_the_report_tells_the_demo_webs_dead_links_from_errors(
    demo_web, make_sources, manifest, tmp_path
):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest), "utf-8")
    sources = make_sources(demo_web)
    args = ["crawl", "--sources", str(sources), "--source", "coface", "--manifest", str(path)]
    result = portail(*args, data=tmp_path / "var")
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    table, foreseen = out.split("Liens cassés exprès par le web de démonstration")
    assert re.search(r"^coface(\s+\d+){4}\s+0\s", table, re.M)  # the dead link is expected
    assert "/etudes/barometre-2019 — lien mort (404)" in foreseen
    assert "Problèmes rencontrés" not in out and "Aucune autre erreur." in foreseen


def test_an_unforeseen_error_is_still_an_error():
    import io
    from types import SimpleNamespace

    from crawlers.run import SourceResult, print_report
    from portail.db.crawling import CrawlCounts

    result = SourceResult(
        SimpleNamespace(id="coface"),  # type: ignore[arg-type]
        1,
        "finished",
        CrawlCounts(new=3, errors=2),
        None,
        [("http://a/etudes/barometre-2019", "lien mort (404)"), ("http://a/x", "lien mort (404)")],
        1.0,
    )
    out = io.StringIO()
    print_report([result], out, frozenset({"http://a/etudes/barometre-2019"}))
    foreseen, errors = out.getvalue().split("\nProblèmes rencontrés, par nature :\n")
    assert "http://a/etudes/barometre-2019" in foreseen and "http://a/x" not in foreseen
    # The table's « Erreurs » counts only the unexpected one.
    assert re.search(r"^coface\s+3\s+0\s+0\s+0\s+1\s", foreseen, re.M)
    assert re.search(r"^Total\s+3\s+0\s+0\s+0\s+1$", foreseen, re.M)
    assert "http://a/x" in errors and "barometre" not in errors


def body_sample(text: str) -> list[str]:
    """Three sentences of a page's body as they must appear in the stored text."""
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(plain_text(text).split()))
    return [s for s in sentences if len(s) > 40][:3]


def test_stored_text_holds_the_body_and_no_boilerplate(crawled, manifest, demo_web):
    stored = live_pages(crawled["data"])
    problems = []
    for entry in manifest["pages"]:
        site = demo_web.sites[entry["site"]]
        page = site.by_path[entry["url"].split(str(demo_web.ports[site.id]), 1)[1]]
        text = " ".join(stored[entry["url"]]["text"].split())
        if page.media != "html":
            continue
        for sentence in body_sample(page.body):
            if sentence not in text:
                problems.append((entry["url"], "body", sentence[:60]))
        for junk in entry["boilerplate"]:
            if junk in text:
                problems.append((entry["url"], "boilerplate", junk))
    assert problems == []


def test_legacy_latin1_pages_keep_their_accents(crawled, demo_web):
    port = demo_web.ports["region-hdf"]
    pages = [p for u, p in live_pages(crawled["data"]).items() if f":{port}/" in u]
    assert pages and all("Ã" not in p["text"] and "\ufffd" not in p["text"] for p in pages)
    assert sum("é" in p["text"] for p in pages) >= len(pages) - 2


def test_pdf_text_is_extracted(crawled, demo_web):
    url = demo_web.origin("douane") + "/guides/guide-pratique-exportateur.pdf"
    page = live_pages(crawled["data"])[url]
    assert page["content_type"] == "application/pdf"
    assert "numéro EORI" in page["text"] and "preuve de sortie" in page["text"]


def test_json_ld_events_and_job_postings_are_stored(crawled, demo_web, manifest):
    types = {}
    for url, page in live_pages(crawled["data"]).items():
        for item in json.loads(page["structured"]).get("jsonld", []):
            types.setdefault(item.get("@type"), []).append(url)
    assert len(types.get("Event", [])) >= 20
    vie = [u for u in types.get("JobPosting", []) if u.startswith(demo_web.origin("vie"))]
    offers = [p["url"] for p in manifest["pages"] if p["site"] == "vie" and "job" in p]
    # The V.I.E. offers exist only once their script has run.
    assert sorted(vie) == sorted(offers) and len(offers) >= 80


def test_microdata_and_address_blocks_of_contact_pages_are_stored(crawled, manifest):
    stored = live_pages(crawled["data"])
    contacts = [p for p in manifest["pages"] if (p.get("contact") or {}).get("markup")]
    checked = set()
    for page in contacts:
        contact, structured = page["contact"], json.loads(stored[page["url"]]["structured"])
        if contact["markup"] == "microdata":
            [item] = structured["microdata"]
            assert (item["@type"], item["name"]) == ("Organization", contact["name"])
        elif contact["markup"] == "address":
            lines = structured["addresses"][0]
            assert lines[0] == contact["name"] and f"Tél. : {contact['phone']}" in lines
        else:
            assert "microdata" not in structured and "addresses" not in structured
        checked.add(contact["markup"])
    assert checked == {"jsonld", "microdata", "address", "text"}


def test_identical_content_is_stored_once_per_source(crawled):
    keys = [(p["source"], p["content_hash"]) for p in live_pages(crawled["data"]).values()]
    assert len(keys) == len(set(keys))


def test_export_writes_one_json_line_per_page(crawled, tmp_path):
    out = tmp_path / "export.jsonl"
    result = portail("export", str(out), data=crawled["data"])
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(rows) >= 250
    assert set(rows[0]) == {
        "url",
        "canonical_url",
        "source",
        "status",
        "title",
        "text",
        "step",
        "kind",
        "countries",
        "regions",
        "sectors",
        "date",
    }
    assert {r["status"] for r in rows} <= {"ok", "gone", "error"}


def test_unchanged_recrawl_rewrites_nothing_and_downloads_little(crawled, demo_web):
    data = crawled["data"]
    before = live_pages(data)
    start = len(demo_web.requested())
    second = crawl(crawled["sources"], data)
    assert second.returncode == 0, second.stderr[-2000:]
    after = live_pages(data)
    assert after.keys() == before.keys()
    assert [u for u in after if after[u]["version"] != before[u]["version"]] == []
    # Conditional requests spare the bytes of pages fetched directly; pages rendered in a
    # browser carry no validators, so the JavaScript source is downloaded again, no more.
    rendered = {s.id for s in load_sources(crawled["sources"]).sources if s.javascript}
    first = bytes_by_rendering(crawled["log"], rendered)
    second = bytes_by_rendering(demo_web.requested()[start:], rendered)
    assert second[False] < 0.10 * first[False], (second, first)
    assert 0 < second[True] <= 1.05 * first[True], (second, first)


def bytes_by_rendering(log: list, rendered: set[str]) -> dict[bool, int]:
    """Bytes served, split by whether the site's pages are rendered in a browser."""
    out = {False: 0, True: 0}
    for entry in log:
        out[entry.site in rendered] += entry.size
    return out


def test_changed_and_removed_pages_show_as_changed_and_gone(fresh_demo_web, make_sources, tmp_path):
    sources, data = make_sources(fresh_demo_web), tmp_path / "var"
    assert crawl(sources, data, *FAST_SOURCES).returncode == 0
    bpi = fresh_demo_web.sites["bpifrance"]
    edited, removed = bpi.pages[4], bpi.pages[7]
    fresh_demo_web.change("bpifrance", edited.path, edited.body + "\n\nUn paragraphe ajouté.")
    fresh_demo_web.remove("bpifrance", removed.path)
    result = crawl(sources, data, *FAST_SOURCES)
    assert result.returncode == 0, result.stderr
    store = open_store(data)
    crawl_ids = [r["id"] for r in store.crawls(limit=3)]
    outcomes = {}
    for cid in crawl_ids:
        outcomes |= {
            r["page_url"]: r["outcome"]
            for r in sql(
                data, "SELECT * FROM crawl_pages WHERE crawl_id=? AND outcome<>'unchanged'", cid
            )
        }
    gone = [r["url"] for r in store.pages(status="gone")]
    store.close()
    origin = fresh_demo_web.origin("bpifrance")
    assert outcomes == {origin + edited.path: "changed", origin + removed.path: "missing"}
    assert gone == [origin + removed.path]
    assert re.search(r"^bpifrance\s+0\s+1\s+\d+\s+1\s", result.stdout, re.M), result.stdout


def test_killed_crawl_leaves_a_consistent_store_and_the_next_one_completes(
    demo_web, make_sources, tmp_path, manifest
):
    sources, data = make_sources(demo_web), tmp_path / "var"
    env = {**os.environ, "PORTAIL_DATA": str(data)}
    args = [sys.executable, "-m", "portail_cli", "crawl", "--sources", str(sources)]
    for sid in FAST_SOURCES:
        args += ["--source", sid]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (data / "pages.sqlite3").exists() and len(live_pages(data)) >= 20:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    store = open_store(data)
    assert store.integrity_ok()
    store.close()
    assert crawl(sources, data, *FAST_SOURCES).returncode == 0
    store = open_store(data)
    statuses = [r["status"] for r in store.crawls(limit=10)]
    assert store.integrity_ok() and store.count_pages("gone") == 0
    store.close()
    assert "interrupted" in statuses
    stored = live_pages(data)
    origins = tuple(demo_web.origin(s) for s in FAST_SOURCES)
    wanted = [p["url"] for p in manifest["pages"] if p["url"].startswith(origins)]
    assert [u for u in wanted if u not in stored] == []


def test_a_second_crawl_exits_75_while_one_holds_the_lock(demo_web, make_sources, tmp_path):
    sources, data = make_sources(demo_web), tmp_path / "var"
    data.mkdir()
    source = load_sources(sources).sources[0]
    with crawl_lock(data, [source]):
        result = crawl(sources, data, "bpifrance")
    assert result.returncode == 75
    assert "une collecte est déjà en cours" in result.stderr and "bpifrance" in result.stderr


def test_dead_source_is_reported_and_others_still_crawl(demo_web, make_sources, tmp_path):
    extra = '\n[[source]]\nid = "mort"\nname = "Site mort"\nstart_urls = ["http://127.0.0.1:9/"]\n'
    sources, data = make_sources(demo_web, extra), tmp_path / "var"
    result = crawl(sources, data, "mort", "douane")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^mort\s+0\s+0\s+0\s+0\s+[1-9]", result.stdout, re.M), result.stdout
    assert "connexion refusée" in result.stdout
    assert re.search(r"^douane\s+[1-9]\d+", result.stdout, re.M)


def test_a_sudden_drop_flags_the_source_and_keeps_its_pages(demo_web, make_sources, tmp_path):
    sources, data = make_sources(demo_web), tmp_path / "var"
    assert crawl(sources, data, "douane").returncode == 0
    before = len(live_pages(data))
    text = sources.read_text("utf-8").replace(demo_web.origin("douane"), "http://127.0.0.1:9")
    broken = tmp_path / "broken.toml"
    broken.write_text(text, "utf-8")
    for _ in range(2):
        result = crawl(broken, data, "douane")
    assert "chute soudaine" in result.stdout
    assert len(live_pages(data)) == before


def test_unknown_source_and_broken_sources_file_are_clear_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[source]]\nid = 3\n", "utf-8")
    result = portail("crawl", "--sources", str(bad), data=tmp_path / "var")
    assert result.returncode == 2 and "rien n'a été collecté" in result.stderr
    assert "Traceback" not in result.stderr
    good = tmp_path / "good.toml"
    good.write_text('[[source]]\nid = "a"\nname = "A"\nstart_urls = ["http://127.0.0.1:9/"]\n')
    result = portail("crawl", "--sources", str(good), "--source", "zz", data=tmp_path / "var")
    assert result.returncode == 2 and "source inconnue : zz" in result.stderr


def test_sitemaps_announced_in_robots_txt_are_read(crawled):
    """coface has no `sitemaps` key in the demo sources: its robots.txt names one."""
    paths = {e.path for e in crawled["log"] if e.site == "coface"}
    assert "/robots.txt" in paths and "/sitemap.xml" in paths
