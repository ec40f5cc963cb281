"""The demo web: every manifest URL answers as it should, and the mess behaves as designed."""

from __future__ import annotations

import collections
import json
import os
import re
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from datetime import date, timedelta

import feedparser
import pytest

from conftest import CHROMIUM, MANIFEST, ROOT, chromium_or_skip
from crawlers.settings import CHROMIUM_ARGS
from demo.offers import SIZES, ZONES, load_board
from demo.site import Page, slugify
from demo.web import DemoWeb, manifest_json
from portail.geo import regions

STEPS = {"diagnostic", "informer", "strategie", "prospecter", "gerer", "implanter"}
SECTORS = ROOT / "indexer" / "data" / "sectors.toml"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url: str, headers: dict[str, str] | None = None):
    """(status, headers, body) without following redirects."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_manifest_is_in_sync_with_the_content():
    assert json.loads(manifest_json(DemoWeb())) == json.loads(MANIFEST.read_text("utf-8"))


def test_content_is_large_and_covers_the_journey(manifest):
    pages = manifest["pages"]
    assert len(pages) >= 250
    steps = collections.Counter(p["step"] for p in pages)
    assert all(steps[s] >= 25 for s in STEPS), steps
    assert {p["kind"] for p in pages} >= {
        "offer",
        "guide",
        "event",
        "news",
        "contact",
        "country",
        "vie",
    }
    assert len({c for p in pages for c in p["countries"]}) >= 25
    assert {r for p in pages for r in p["regions"]} == set(regions())
    assert len({p["site"] for p in pages}) >= 10
    assert sum(p["step"] is None for p in pages) >= 3


def test_every_manifest_url_answers(demo_web, manifest):
    for page in manifest["pages"]:
        status, _headers, body = fetch(page["url"])
        assert status in (200, 500), page["url"]  # the flaky page fails every other time
        if status == 500:
            assert fetch(page["url"])[0] == 200
        assert len(body) > 200 or status == 500


def test_never_index_urls_behave_as_designed(demo_web, manifest):
    for url in manifest["never_index"]:
        status, headers, body = fetch(url)
        if status in (301, 302):
            assert headers["Location"], url
        elif status == 200:
            text = body.decode("utf-8", "replace")
            canonical = 'rel="canonical"' in text
            assert (
                canonical
                or "/presse/" in url
                or "calendrier" in url
                or (headers.get_content_type() != "text/html")
                or "/espace" in url
                or ("/recherche" in url or "/admin" in url)
            ), url
        else:
            assert status == 404, (url, status)


def test_robots_and_sitemaps(demo_web):
    status, _, body = fetch(demo_web.origin("bpifrance") + "/robots.txt")
    assert status == 200 and b"Disallow: /admin/" in body and b"Sitemap:" in body
    _, _, index = fetch(demo_web.origin("bpifrance") + "/sitemap.xml")
    assert b"<sitemapindex" in index
    _, _, plain = fetch(demo_web.origin("tresor") + "/sitemap.xml")
    assert plain.count(b"<url>") >= 30


def test_feeds_parse(demo_web):
    rss = feedparser.parse(fetch(demo_web.origin("bpifrance") + "/actualites/rss.xml")[2])
    atom = feedparser.parse(fetch(demo_web.origin("agenda") + "/flux.atom")[2])
    assert len(rss.entries) >= 3 and len(atom.entries) >= 20


def test_redirects_and_loop(demo_web):
    origin = demo_web.origin("bpifrance")
    status, headers, _ = fetch(origin + "/nos-offres/pret-croissance-international")
    assert status == 301 and headers["Location"].endswith("/offres/pret-croissance-international")
    status, headers, _ = fetch(demo_web.origin("coface") + "/derniere-etude")
    assert status == 302
    a = fetch(demo_web.origin("teamfrance") + "/boucle/a")[1]["Location"]
    assert fetch(a)[1]["Location"].endswith("/boucle/a")


def test_server_error_recovers_on_retry(fresh_demo_web):
    site = fresh_demo_web.sites["cci-international"]
    url = fresh_demo_web.origin(site.id) + site.pages[0].path
    assert fetch(url)[0] == 500 and fetch(url)[0] == 200


def test_slow_large_and_binary_pages(demo_web):
    site = demo_web.sites["cci-international"]
    started = time.monotonic()
    fetch(demo_web.origin(site.id) + "/rubriques/" + slugify(next(iter(site.sections))) + "/")
    assert time.monotonic() - started >= 1.4
    big = fetch(demo_web.origin("douane") + "/nomenclature/nomenclature-combinee-complete")[2]
    assert len(big) > 1_000_000
    _status, headers, body = fetch(
        demo_web.origin("douane") + "/telechargements/logiciel-declaration.zip"
    )
    assert headers.get_content_type() == "application/zip" and b"<html" not in body
    _, headers, body = fetch(demo_web.origin("douane") + "/guides/guide-pratique-exportateur.pdf")
    assert headers.get_content_type() == "application/pdf" and body.startswith(b"%PDF-")


def test_legacy_site_declares_latin1_only_in_a_meta_tag(demo_web):
    page = demo_web.sites["region-hdf"].pages[0]
    _, headers, body = fetch(demo_web.origin("region-hdf") + page.path)
    assert "charset" not in headers["Content-Type"]
    assert b"charset=iso-8859-1" in body and b"<main" not in body
    assert "é".encode("latin-1") in body and "é".encode() not in body


def test_conditional_requests_get_304(demo_web):
    url = demo_web.origin("tresor") + demo_web.sites["tresor"].pages[0].path
    _, headers, _ = fetch(url)
    assert fetch(url, {"If-None-Match": headers["ETag"]})[0] == 304
    assert fetch(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304


def test_calendar_is_endless(demo_web):
    _, _, body = fetch(demo_web.origin("agenda") + "/calendrier?mois=2031-05")
    assert b"mois=2031-06" in body and b"mois=2031-04" in body


def test_js_site_has_content_only_through_its_script(demo_web, manifest):
    offer = next(p for p in vie_offers(manifest))
    for url in (offer["url"], demo_web.origin("vie") + "/", demo_web.origin("vie") + "/offres"):
        status, _, shell = fetch(url)
        assert status == 200 and b"/static/app.js" in shell and b'<main id="app">' in shell
        assert (
            offer["title"].encode() not in shell and offer["job"]["company"].encode() not in shell
        )
        assert not re.search(rb'<a [^>]*href="[^"]*/offres/vi', shell)  # no link to an offer
    _, _, data = fetch(demo_web.origin("vie") + "/api/offres/" + offer["job"]["reference"])
    assert json.loads(data)["titre"] == offer["title"]
    page = next(p for p in demo_web.sites["vie"].pages if p.job is None)
    _, _, data = fetch(demo_web.origin("vie") + "/api/page.json?path=" + page.path)
    assert json.loads(data)["title"] == page.title


# -- the V.I.E. board -----------------------------------------------------------------------

SUMMARY = {
    "reference",
    "titre",
    "type_mission",
    "entreprise",
    "taille",
    "pays",
    "zone",
    "ville",
    "secteurs",
    "duree_mois",
    "date_debut",
    "date_publication",
    "date_limite",
    "teletravail",
    "indemnite_mensuelle",
    "resume",
    "chemin",
    "url",
}
FICHE = [
    "Type de mission",
    "Taille de la structure",
    "Pays",
    "Ville",
    "Zone",
    "Secteur",
    "Durée",
    "Début de mission",
    "Date de publication",
    "Date limite de candidature",
    "Télétravail",
    "Indemnité mensuelle",
]


def vie_offers(manifest) -> list[dict]:
    return [p for p in manifest["pages"] if p["site"] == "vie" and "job" in p]


def get_json(url: str):
    status, _headers, body = fetch(url)
    return status, json.loads(body)


def all_offers(origin: str, query: str = "") -> list[dict]:
    """Every offer the API lists, page after page, following its `suivante` links."""
    status, data = get_json(origin + "/api/offres" + query)
    assert status == 200, data
    offers = data["offres"]
    while data["suivante"]:
        data = get_json(origin + data["suivante"])[1]
        offers += data["offres"]
    return offers


def shifted(iso: str, days: int) -> str:
    return (date.fromisoformat(iso) + timedelta(days=days)).isoformat()


@pytest.fixture
def board_on():
    """Start demo webs whose board runs on a given day; stopped after the test."""
    webs = []

    def start(**kwargs) -> DemoWeb:
        webs.append(DemoWeb(ephemeral=True, **kwargs).start())
        return webs[-1]

    yield start
    for web in webs:
        web.stop()


def test_the_board_holds_many_varied_offers(manifest):
    offers = vie_offers(manifest)
    jobs = [p["job"] for p in offers]
    sector_ids = {s["id"] for s in tomllib.loads(SECTORS.read_text("utf-8"))["sector"]}
    assert len(offers) >= 80
    assert all(p["kind"] == "vie" and p["step"] == "implanter" for p in offers)
    assert all(p["countries"] == [p["job"]["country"]] and p["sectors"] for p in offers)
    assert {s for p in offers for s in p["sectors"]} == sector_ids
    assert len({j["country"] for j in jobs}) >= 30 and {j["zone"] for j in jobs} == set(ZONES)
    assert {j["size"] for j in jobs} == set(SIZES)
    missions = collections.Counter(j["mission"] for j in jobs)
    assert set(missions) == {"V.I.E.", "V.I.A."} and missions["V.I.A."] >= 10
    vias = [j for j in jobs if j["mission"] == "V.I.A."]
    assert all(j["size"] == "Administration" and j["reference"].startswith("VIA-") for j in vias)
    assert all(6 <= j["months"] <= 24 for j in jobs) and len({j["months"] for j in jobs}) >= 6
    assert 5 <= sum(j["telework"] for j in jobs) <= len(jobs) - 30
    assert len({j["start"][:7] for j in jobs}) >= 5
    references = [j["reference"] for j in jobs]
    assert len(set(references)) == len(references)
    assert all(
        f"/offres/{j['reference'].lower()}-" in p["url"] for p, j in zip(offers, jobs, strict=True)
    )


def test_allowances_are_plausible_and_the_same_in_one_place(manifest):
    jobs = [p["job"] for p in vie_offers(manifest)]
    assert all(1500 <= j["allowance"] <= 4500 for j in jobs)
    by_place = collections.defaultdict(set)
    for j in jobs:
        by_place[(j["country"], j["city"])].add(j["allowance"])
    assert all(len(amounts) == 1 for amounts in by_place.values()), by_place
    new_york = by_place[("US", "New York")].pop()
    assert new_york > max(j["allowance"] for j in jobs if j["country"] in ("MA", "IN", "VN"))


def test_manifest_dates_count_from_its_today(manifest):
    today = manifest["today"]
    jobs = [p["job"] for p in vie_offers(manifest)]
    assert all(j["posted"] <= today <= j["deadline"] < j["start"] for j in jobs)
    deadlines = collections.Counter(j["deadline"] for j in jobs)
    assert deadlines[today] >= 1 and deadlines[shifted(today, 1)] >= 1
    assert sum(n for d, n in deadlines.items() if d > shifted(today, 7)) >= 0.8 * len(jobs)
    closed = [u for u in manifest["never_index"] if "/offres/vi" in u]
    assert len(closed) >= 3 and not {p["url"] for p in vie_offers(manifest)} & set(closed)


def test_the_offers_api_pages_through_every_open_offer(demo_web, manifest):
    origin = demo_web.origin("vie")
    status, first = get_json(origin + "/api/offres")
    expected = vie_offers(manifest)
    assert status == 200 and (first["page"], first["par_page"]) == (1, 10)
    assert first["total"] == len(expected) and first["pages"] == -(-len(expected) // 10)
    assert first["precedente"] is None and first["suivante"] == "/api/offres?page=2"
    sizes = [len(get_json(f"{origin}/api/offres?page={n}")[1]["offres"]) for n in (1, 2)]
    assert sizes == [10, 10]
    last = get_json(f"{origin}/api/offres?page={first['pages']}")[1]
    assert len(last["offres"]) == len(expected) - 10 * (first["pages"] - 1)
    assert last["suivante"] is None and last["precedente"]
    offers = all_offers(origin)
    assert sorted(o["url"] for o in offers) == sorted(demo_web.rewrite(p["url"]) for p in expected)
    posted = [o["date_publication"] for o in offers]
    assert posted == sorted(posted, reverse=True)
    assert len(all_offers(origin, "?par_page=25")) == len(expected)
    assert fetch(f"{origin}/api/offres?page={first['pages'] + 1}")[0] == 404


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=deux",
        "par_page=500",
        "pays=France",
        "zone=lune",
        "secteur=jeux-video",
        "type=cdi",
        "teletravail=parfois",
    ],
)
def test_bad_listing_parameters_get_a_400_in_french(demo_web, query):
    status, error = get_json(demo_web.origin("vie") + "/api/offres?" + query)
    assert status == 400 and query.split("=")[0] in error["erreur"]


def test_an_offer_gives_every_field_in_the_list_and_on_its_own(demo_web, manifest):
    origin = demo_web.origin("vie")
    entry = next(p for p in vie_offers(manifest) if p["job"]["telework"])
    j = entry["job"]
    listed = next(o for o in all_offers(origin) if o["reference"] == j["reference"])
    assert set(listed) == SUMMARY
    status, offer = get_json(origin + "/api/offres/" + j["reference"].lower())
    assert status == 200 and set(offer) == SUMMARY | {"fiche", "description_html", "jsonld"}
    assert {k: offer[k] for k in SUMMARY} == listed
    assert (offer["titre"], offer["url"]) == (entry["title"], demo_web.rewrite(entry["url"]))
    assert (offer["entreprise"], offer["taille"], offer["type_mission"]) == (
        j["company"],
        j["size"],
        j["mission"],
    )
    assert (offer["pays"]["code"], offer["ville"], offer["zone"]) == (
        j["country"],
        j["city"],
        j["zone"],
    )
    assert [s["id"] for s in offer["secteurs"]] == entry["sectors"]
    assert (offer["duree_mois"], offer["teletravail"]) == (j["months"], True)
    assert offer["indemnite_mensuelle"] == {"montant": j["allowance"], "devise": "EUR"}
    days = (demo_web.dates_from - date.fromisoformat(manifest["today"])).days
    assert offer["date_publication"] == shifted(j["posted"], days)
    assert offer["date_limite"] == shifted(j["deadline"], days)
    assert offer["date_debut"][8:] in ("01", "15") and offer["date_debut"] > offer["date_limite"]
    assert [label for label, _ in offer["fiche"]] == [FICHE[0], "Entreprise", *FICHE[1:]]
    assert "<h2>" in offer["description_html"]
    ld = offer["jsonld"]
    assert (ld["@type"], ld["identifier"]["value"], ld["validThrough"]) == (
        "JobPosting",
        j["reference"],
        offer["date_limite"],
    )
    assert ld["baseSalary"]["value"]["value"] == j["allowance"] and ld["jobBenefits"]
    assert ld["hiringOrganization"]["name"] == j["company"]
    status, error = get_json(origin + "/api/offres/VIE-1999-0001")
    assert status == 404 and "introuvable" in error["erreur"]


def test_filters_narrow_the_list_and_facets_count_it(demo_web):
    origin = demo_web.origin("vie")
    facets = get_json(origin + "/api/offres")[1]["facettes"]
    for name, values in facets.items():
        assert len(values) >= 2, name
        value = values[0]
        offers = all_offers(origin, f"?{name}={value['valeur']}")
        assert len(offers) == value["nombre"], (name, value)
    via = all_offers(origin, "?type=via&teletravail=non")
    assert via and all(o["type_mission"] == "V.I.A." and not o["teletravail"] for o in via)
    german = all_offers(origin, "?pays=de")
    assert german and all(o["pays"] == {"code": "DE", "nom": "Allemagne"} for o in german)
    data = get_json(origin + "/api/offres?pays=DE")[1]
    assert data["filtres"] == {"pays": "DE"} and len(data["facettes"]["pays"]) > 1


def test_offers_are_dated_from_the_boards_today(board_on):
    web = board_on(today=date(2027, 3, 10))
    offers = all_offers(web.origin("vie"))
    assert web.today == web.dates_from == date(2027, 3, 10)
    assert all(o["date_publication"] <= "2027-03-10" <= o["date_limite"] for o in offers)
    deadlines = collections.Counter(o["date_limite"] for o in offers)
    assert deadlines["2027-03-10"] >= 1 and deadlines["2027-03-11"] >= 1
    _, _, sitemap = fetch(web.origin("vie") + "/sitemap.xml")
    assert sitemap.count(b"/offres/vi") == len(offers)


def test_offers_close_when_the_clock_moves_past_their_deadline(board_on):
    web = board_on(today="2027-03-10")
    origin = web.origin("vie")
    before = {o["reference"]: o for o in all_offers(origin)}
    closing = {r for r, o in before.items() if o["date_limite"] <= "2027-03-11"}
    assert closing
    assert web.move_clock(2) == date(2027, 3, 12)
    after = {o["reference"]: o for o in all_offers(origin)}
    assert set(after) == set(before) - closing
    assert all(after[r] == before[r] for r in after)  # the dates stay put
    gone = before[min(closing)]
    assert get_json(origin + "/api/offres/" + gone["reference"])[0] == 404
    assert fetch(gone["url"])[0] == 404
    assert gone["url"].encode() not in fetch(origin + "/sitemap.xml")[2]
    later = board_on(today=date(2027, 3, 12), dates_from=date(2027, 3, 10))
    assert {o["reference"] for o in all_offers(later.origin("vie"))} == set(after)


def test_the_boards_today_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORTAIL_DEMO_TODAY", "2027-06-01")
    web = DemoWeb()
    assert web.today == web.dates_from == date(2027, 6, 1)
    assert web.move_clock(1) == date(2027, 6, 2) and web.dates_from == date(2027, 6, 1)
    monkeypatch.setenv("PORTAIL_DEMO_TODAY", "1er juin")
    with pytest.raises(ValueError, match="date du jour invalide « 1er juin »"):
        DemoWeb()


def test_demo_web_command_refuses_a_bad_today_in_french():
    env = {**os.environ, "PORTAIL_DEMO_TODAY": "demain"}
    result = subprocess.run(
        [sys.executable, "-m", "portail_cli", "demo-web", "--port", "9"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "date du jour invalide « demain » (PORTAIL_DEMO_TODAY)" in result.stderr


def test_a_removed_offer_leaves_the_board(fresh_demo_web):
    origin = fresh_demo_web.origin("vie")
    before = all_offers(origin)
    page = fresh_demo_web.remove_offer(before[3]["reference"])
    after = all_offers(origin)
    assert [o["reference"] for o in after] == [
        o["reference"] for i, o in enumerate(before) if i != 3
    ]
    assert get_json(origin + "/api/offres/" + before[3]["reference"])[0] == 404
    assert fetch(before[3]["url"])[0] == 404 and fetch(origin + page.path)[0] == 404
    assert page.path.encode() not in fetch(origin + "/sitemap.xml")[2]
    with pytest.raises(KeyError):
        fresh_demo_web.remove_offer("VIE-1999-0001")


def test_broken_offers_are_reported_together_in_french():
    pages = [
        Page(
            site="vie",
            path="/offres/vie-2026-0001-x",
            title="V.I.E. – X",
            body="",
            kind="vie",
            step="implanter",
            countries=["DE"],
            sectors=["industrie"],
            job={
                "reference": "VIA-2026-0001",
                "mission": "V.I.E.",
                "company": "X",
                "size": "Immense",
                "city": "Berlin",
                "country": "DE",
                "months": 30,
                "telework": "oui",
                "posted_days_ago": 3,
                "deadline_in_days": 40,
                "start_in_months": 1,
            },
        )
    ]
    raw = {"country": {"DE": {"name": "Allemagne", "zone": "Europe", "allowance": 2400}}}
    with pytest.raises(ValueError) as error:
        load_board(raw, pages, date(2027, 1, 1))
    message = str(error.value)
    for words in (
        "incohérente avec la mission",
        "/offres/via-2026-0001-",
        "taille « Immense »",
        "secteurs vides ou absents",
        "durée hors de 6 à 24 mois",
        "telework",
        "deux semaines après la date limite",
    ):
        assert words in message


@pytest.mark.browser
def test_a_browser_renders_the_board_and_an_offer(demo_web, manifest):
    """Headless Chromium: the listing, its pages and filters, then one offer with its JSON-LD."""
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    origin = demo_web.origin("vie")
    total = len(vie_offers(manifest))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="fr-FR")
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(origin + "/")
        page.locator("li.offre").first.wait_for()
        assert page.locator("h1").inner_text() == "Offres de volontariat international"
        assert page.locator("li.offre").count() == 10
        assert page.locator("p.compte").inner_text().startswith(f"{total} offres en cours")
        first_page = page.locator("li.offre h2 a").all_inner_texts()
        page.get_by_role("link", name="Page suivante").click()
        page.wait_for_url("**/offres?page=2")
        page.locator("nav.pager strong", has_text="2").wait_for()
        assert not set(page.locator("li.offre h2 a").all_inner_texts()) & set(first_page)
        page.select_option("select[name=pays]", "JP")
        page.get_by_role("button", name="Filtrer").click()
        page.wait_for_url("**/offres?pays=JP")
        page.locator("p.compte").wait_for()
        japan = [p for p in vie_offers(manifest) if p["job"]["country"] == "JP"]
        assert page.locator("li.offre").count() == len(japan)
        entry = japan[0]
        page.get_by_role("link", name=entry["title"]).click()
        page.locator("dl.fiche").wait_for()
        assert page.title().startswith(entry["title"])
        assert page.locator("h1").inner_text() == entry["title"]
        labels, values = page.locator("dt").all_inner_texts(), page.locator("dd").all_inner_texts()
        fiche = dict(zip(labels, values, strict=True))
        assert fiche["Ville"] == entry["job"]["city"] and fiche["Pays"] == "Japon"
        ld = json.loads(page.locator("script[type='application/ld+json']").inner_text())
        assert (
            ld["@type"] == "JobPosting" and ld["identifier"]["value"] == entry["job"]["reference"]
        )
        assert ld["jobLocation"]["address"]["addressCountry"] == "JP"
        canonical = page.locator("link[rel=canonical]").get_attribute("href")
        assert canonical == demo_web.rewrite(entry["url"])
        browser.close()
    assert errors == []


def free_port(span: int = 1) -> int:
    """A port p such that p … p + span - 1 are all free on loopback."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        try:
            for port in range(base, base + span):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no free range of ports")


def status_once_up(url: str, seconds: float) -> int | None:
    """The status of a page, retried while its server is still starting."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return fetch(url)[0]
        except OSError:
            time.sleep(0.1)
    return None


def test_demo_web_command_serves_every_site(tmp_path):
    numbers = sorted(site.n for site in DemoWeb().sites.values())
    assert numbers == list(range(1, len(numbers) + 1))  # site n on base + n
    base = free_port(len(numbers)) - 1
    proc = subprocess.Popen(
        [sys.executable, "-m", "portail_cli", "demo-web", "--port", str(base)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert "Web de démonstration servi" in line
        for n in numbers:
            assert status_once_up(f"http://127.0.0.1:{base + n}/", 10) == 200, n
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


@pytest.mark.slow
def test_portail_demo_serves_the_demo_web_then_the_portal(tmp_path):
    """What `make demo` runs: demo web, crawl, index, then the portal on its port."""
    from conftest import chromium_or_skip

    chromium_or_skip()
    port = free_port()
    env = {**os.environ, "PORTAIL_DATA": str(tmp_path / "var")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "portail_cli", "demo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "Le portail est prêt" in line or not line:
                break
        served = next(ln for ln in lines if "1/3 Web de démonstration servi" in ln)
        origin = re.search(r"(http://127\.0\.0\.1:(\d+))", served)
        assert origin and int(origin[2]) not in range(8800, 8815), served  # free ports
        assert fetch(origin[1] + "/")[0] == 200
        assert any("Le portail est prêt" in ln for ln in lines), "".join(lines[-20:])
        # A clean run: the demo web's broken links are announced as expected, and only them.
        report = "".join(lines)
        table, foreseen = report.split("Liens cassés exprès par le web de démonstration")
        assert re.search(r"^Total(\s+\d+){4}\s+0$", table, re.M), table
        assert "lien mort (404)" in foreseen and "boucle de redirections" in foreseen
        assert "Problèmes rencontrés" not in report and "Aucune autre erreur." in foreseen
        assert status_once_up(f"http://127.0.0.1:{port}/", 20) == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        proc.stdout.close()


def test_portail_demo_refuses_a_taken_port_in_french(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "portail_cli", "demo", "--port", str(port)],
            env={**os.environ, "PORTAIL_DATA": str(tmp_path / "var")},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"Le port {port} est déjà pris" in result.stderr
    assert f"make demo PORT={port + 1}" in result.stderr
    assert "Web de démonstration servi" not in result.stdout


def test_a_second_demo_on_the_same_data_folder_is_refused_in_french(tmp_path):
    from portail_cli.demo import demo_lock

    data, port = tmp_path / "var", free_port()
    with demo_lock(data, 5000):  # the first demo, serving its portal on port 5000
        result = subprocess.run(
            [sys.executable, "-m", "portail_cli", "demo", "--port", str(port)],
            env={**os.environ, "PORTAIL_DATA": str(data)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"Une démonstration tourne déjà sur le dossier de données {data} " in result.stderr
    assert "(portail sur http://127.0.0.1:5000/)" in result.stderr
    assert f"« PORTAIL_DATA=var-{port} make demo PORT={port} »" in result.stderr
    assert "Web de démonstration servi" not in result.stdout
    with demo_lock(data, port):  # the lock goes with its demo; its file stays, harmless
        assert (data / "demo.lock").read_text("utf-8") == f"{port}\n"


def test_the_demo_web_command_keeps_its_documented_ports():
    web = DemoWeb()
    assert sorted(web.ports.values()) == list(range(8801, 8815))
    assert web.origin("bpifrance") == "http://127.0.0.1:8801"
    assert DemoWeb(base_port=9000).origin("bpifrance") == "http://127.0.0.1:9001"
