"""The web front end through Flask's test client: every route, the region cookie, facets,
pagination bounds, escaping, security headers and error pages. Real index of the demo web."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree as ET

import pytest

import webui
from conftest import sql
from indexer.journey import STEP_IDS
from indexer.search import Searcher, SearchQuery, varied
from portail.geo import country_name, region_locative, region_name
from webui import assets, content, create_app, links

TEMPLATES = Path(webui.__file__).resolve().parent / "templates"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def app(indexed_data):
    return create_app({"DATA_DIR": str(indexed_data), "TODAY": "2026-11-27", "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def searcher(app) -> Searcher:
    return app.extensions["searcher"]


def html(response) -> str:
    return response.get_data(as_text=True)


def hrefs(page: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', page)]


def search_links(page: str) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(h).query) for h in hrefs(page) if h.startswith("/recherche?")]


# -- the application and its layout ----------------------------------------------------------


@pytest.mark.parametrize("path", ["/pays/jp/", "/pays/JP", "/secteurs/"])
def test_a_redirect_says_where_it_leads_in_french(client, path):
    response = client.get(path)
    assert response.status_code == 301
    body = response.get_data(as_text=True)
    assert '<html lang="fr">' in body and "Redirecting" not in body and "redirected" not in body
    assert f'Cette page se trouve à l\'adresse <a href="{response.location}">' in body


def test_the_app_keeps_one_searcher_on_the_data_directory(app, indexed_data):
    searcher = app.extensions["searcher"]
    assert isinstance(searcher, Searcher)
    assert searcher.data_dir == Path(indexed_data)
    with app.test_client() as c:
        c.get("/")
        c.get("/recherche?q=douane")
    assert app.extensions["searcher"] is searcher


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/etapes",
        "/etapes/gerer",
        "/recherche?q=douane",
        "/partenaires",
        "/ma-region",
        "/page-inconnue",
    ],
)
def test_every_page_is_french_with_skip_links_landmarks_and_the_state_header(client, path):
    page = html(client.get(path))
    assert '<html lang="fr"' in page
    assert 'href="#contenu"' in page and 'id="contenu"' in page
    assert 'role="banner"' in page and 'role="main"' in page and 'role="contentinfo"' in page
    assert 'aria-label="Menu principal"' in page
    assert "République<br>française" in page
    assert "France International" in page and "Le portail de l&#39;export" in page
    assert 'role="search"' in page


def test_pages_load_the_dsfr_from_this_site_without_inline_script(client):
    page = html(client.get("/"))
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts and all('src="/static/' in tag for tag in scripts)
    assert all(
        not body.strip() for body in re.findall(r"<script\b[^>]*>(.*?)</script>", page, re.S)
    )
    assert " style=" not in page and "<style" not in page
    assert 'href="/static/dsfr/dsfr.min.css"' in page


def test_the_dsfr_files_the_pages_use_are_served(client):
    page = html(client.get("/"))
    for url in re.findall(r'(?:href|src)="(/static/[^"#]+)', page):
        response = client.get(url)
        response.close()
        assert response.status_code == 200, url


def test_main_navigation_links_only_routes_that_exist(app, client):
    page = html(client.get("/"))
    nav = page.split('aria-label="Menu principal"')[1].split("</nav>")[0]
    targets = [urlsplit(h).path for h in hrefs(nav)]
    assert targets[:4] == ["/", "/etapes", "/recherche", "/offres"]
    with app.test_request_context():
        for href in targets:
            assert app.url_map.bind("localhost").match(href)


def test_every_application_appears_in_the_navigation(client):
    nav = html(client.get("/")).split('aria-label="Menu principal"')[1].split("</nav>")[0]
    for path in ("/offres", "/partenaires", "/regions", "/pays", "/agenda"):
        assert f'href="{path}"' in nav, path


def test_page_titles_say_where_you_are(client):
    assert "<title>Accueil — France International</title>" in html(client.get("/"))
    assert "<title>Recherche : douane — France International</title>" in html(
        client.get("/recherche?q=douane")
    )
    assert "<title>Étape 4 : Prospecter — Le parcours export — France International</title>" in (
        html(client.get("/etapes/prospecter"))
    )


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/etapes",
        "/etapes/gerer",
        "/recherche?q=douane",
        "/partenaires",
        "/flux.atom",
        "/api/search?q=douane",
    ],
)
def test_pages_work_before_anything_is_indexed(tmp_path, path):
    client = create_app({"DATA_DIR": str(tmp_path), "TESTING": True}).test_client()
    response = client.get(path)
    assert response.status_code == 200
    if path.startswith("/recherche"):
        assert "L&#39;index est vide" in html(response)


# -- home and the journey --------------------------------------------------------------------


def test_home_shows_the_six_steps_with_their_numbers_and_counts(client, searcher):
    page = html(client.get("/"))
    counts = searcher.counts("step")
    for number, step_id in enumerate(STEP_IDS, start=1):
        assert f'href="/etapes/{step_id}"' in page
        assert f"Étape {number} : " in page
        assert f"{counts[step_id]} ressource" in page
    assert page.index("/etapes/diagnostic") < page.index("/etapes/implanter")


def test_home_lists_latest_upcoming_events_and_providers(client, searcher, app):
    page = unescape(html(client.get("/")))
    for hit in searcher.latest(6, webui.today(app)):
        assert hit.url in page
    # The agenda's next four entries (one per event, however many organisers announce it).
    agenda = client.get("/agenda.json").get_json()["months"]
    events = [event for month in agenda for event in month["events"]][:4]
    assert len(events) == 4, "the demo web announces events after 2026-11-27"
    for event in events:
        assert event["url"] in page
        assert event["end"] >= "2026-11-27"
    for name in searcher.counts("provider"):
        assert f"/partenaires/{content.slugify(name)}" in page


def test_journey_page_lists_each_step_with_its_kinds(client):
    page = unescape(html(client.get("/etapes")))
    for step_id in STEP_IDS:
        assert f"/recherche?step={step_id}&kind=" in page


@pytest.mark.parametrize("step_id", STEP_IDS)
def test_each_step_page_groups_its_resources_by_kind_offers_first(client, searcher, step_id):
    response = client.get(f"/etapes/{step_id}")
    assert response.status_code == 200
    page = html(response)
    kinds = re.findall(r'<h2 class="fr-h4" id="type-(\w+)"', page)
    assert kinds and set(kinds) == set(searcher.counts("kind", step=step_id))
    order = [k for k in content.KIND_ORDER if k in kinds]
    assert kinds == order
    total = sum(searcher.counts("kind", step=step_id).values())
    assert f"{total} ressource" in page


def test_step_page_filters_by_region_country_provider_and_sector(client, searcher):
    region = next(iter(searcher.counts("region", step="gerer")))
    page = unescape(html(client.get(f"/etapes/gerer?region={region}")))
    expected = searcher.search(SearchQuery(step="gerer", region=region, per_page=50))
    assert f"{expected.total} ressource" in page
    shown = re.findall(r'class="fr-card__title"><a href="([^"]+)"', page)
    assert shown and set(shown) <= {h.url for h in expected.hits}
    assert f'<option value="{region}" selected>' in page


def test_step_page_rejects_bad_filters_and_unknown_steps(client):
    assert client.get("/etapes/gerer?region=999").status_code == 400
    assert client.get("/etapes/gerer?country=France").status_code == 400
    response = client.get("/etapes/exporter-sur-mars")
    assert response.status_code == 404
    assert "Page non trouvée" in html(response) and "fr-header" in html(response)


# -- the user's region -----------------------------------------------------------------------


def test_my_region_sets_a_cookie_and_returns_to_the_page(client):
    response = client.get("/ma-region?region=76&next=/etapes/gerer")
    assert response.status_code == 303
    assert response.headers["Location"] == "/etapes/gerer"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("region=76;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = html(client.get("/etapes/gerer"))
    assert "Ma région : Occitanie" in page
    assert 'id="ma-region-bloc"' in page  # the region's block replaces the form on steps
    assert '<option value="76" selected>Occitanie</option>' in html(client.get("/ma-region"))
    assert "Ma région : Occitanie" in html(client.get("/recherche?q=douane"))


def test_my_region_highlights_regional_resources(client, searcher):
    region = next(iter(searcher.counts("region", step="prospecter")))
    client.get(f"/ma-region?region={region}&next=/")
    expected = searcher.search(SearchQuery(step="prospecter", region=region, per_page=3)).hits
    page = unescape(html(client.get("/etapes/prospecter")))
    where = region_locative(region)  # « En Bretagne », « Dans les Hauts-de-France »
    assert f'id="pres-titre">{where[:1].upper()}{where[1:]}</h2>' in page
    for hit in expected:
        assert hit.url in page


def test_my_region_can_be_cleared(client):
    client.get("/ma-region?region=32&next=/")
    response = client.get("/ma-region?region=&next=/")
    assert "region=;" in response.headers["Set-Cookie"]
    assert "Choisir ma région" in html(client.get("/"))


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/%0d%0aSet-Cookie:x=1",
        "ftp://evil.example",
        "evil.example",
    ],
)
def test_my_region_never_redirects_off_site(client, target):
    response = client.get("/ma-region", query_string={"region": "11", "next": target})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert urlsplit(location).netloc == ""


def test_my_region_rejects_unknown_codes_and_ignores_forged_cookies(client):
    assert client.get("/ma-region?region=99&next=/").status_code == 400
    client.set_cookie("region", "<script>")
    page = html(client.get("/"))
    assert (
        "Choisir ma région" in page
        and "<script>" not in page.split("</head>")[1].split('<script type="module"')[0]
    )


def test_my_region_page_without_parameters_shows_the_form(client):
    page = html(client.get("/ma-region?next=/etapes/informer"))
    assert '<label class="fr-label" for="ma-region">Ou choisissez votre région' in page
    label = '<label class="fr-label" for="ma-region-lieu">Code postal, commune ou département'
    assert label in page
    assert 'name="next" value="/etapes/informer"' in page


# -- search ----------------------------------------------------------------------------------


def test_search_shows_results_with_provider_kind_step_and_highlights(client, searcher):
    res = searcher.search(SearchQuery(text="douane"))
    page = unescape(html(client.get("/recherche?q=douane")))
    assert f"<strong>{res.total}</strong> résultat" in page
    for hit in res.hits:
        assert hit.url in page and hit.provider in page
    assert "<mark>" in page
    assert 'href="/etapes/gerer"' in page
    assert "Guide pratique" in page or "Offre d'accompagnement" in page


def test_outbound_links_open_the_original_page_and_say_so(client):
    page = html(client.get("/recherche?q=douane"))
    outbound = re.findall(r'<a href="(http://127\.0\.0\.1:\d+/[^"]*)"([^>]*)>(.*?)</a>', page)
    assert outbound
    for _url, attrs, text in outbound:
        assert 'target="_blank"' in attrs and 'rel="noopener"' in attrs
        assert "nouvelle fenêtre" in text and "fr-sr-only" in text


def test_facets_add_a_filter_and_keep_the_others(client, searcher):
    page = html(client.get("/recherche?q=export&step=prospecter"))
    res = searcher.search(SearchQuery(text="export", step="prospecter"))
    kind, count = res.facets["kind"][0]
    links_ = search_links(page)
    adding = [q for q in links_ if q.get("kind") == [kind]]
    assert adding and all(q["step"] == ["prospecter"] and q["q"] == ["export"] for q in adding)
    assert f"({count})" in page
    combined = searcher.search(SearchQuery(text="export", step="prospecter", kind=kind))
    assert combined.total == count
    page2 = html(client.get(f"/recherche?q=export&step=prospecter&kind={kind}"))
    assert f"<strong>{combined.total}</strong> résultat" in page2


def test_a_chosen_facet_value_links_to_its_removal(client):
    page = html(client.get("/recherche?q=export&step=prospecter&kind=event"))
    removals = [q for q in search_links(page) if "kind" not in q and q.get("step")]
    assert removals and all(q["q"] == ["export"] for q in removals)
    assert "Retirer le filtre" in page and 'aria-current="true"' in page


def test_country_and_region_facets_show_french_names(client, searcher):
    res = searcher.search(SearchQuery(text="export"))
    page = unescape(html(client.get("/recherche?q=export")))
    for field, name in (("country", country_name), ("region", region_name)):
        value, count = res.facets[field][0]
        assert f"{name(value)} ({count})" in page
    assert "Allemagne" in html(client.get("/recherche?country=de"))


def test_pagination_links_keep_the_query_and_filters(client, searcher):
    res = searcher.search(SearchQuery(step="informer"))
    assert res.pages >= 2
    page = html(client.get("/recherche?step=informer"))
    pages = [q for q in search_links(page) if "page" in q]
    assert pages and all(q["step"] == ["informer"] for q in pages)
    assert {q["page"][0] for q in pages} >= {"2", str(res.pages)}
    second = html(client.get("/recherche?step=informer&page=2"))
    assert f"page 2 sur {res.pages}" in second
    assert 'aria-current="page" title="Page 2"' in second


@pytest.mark.parametrize(
    "args",
    [
        "page=0",
        "page=-1",
        "page=1001",
        "page=abc",
        "page=1e3",
        "per_page=500",
        "q=" + "a" * 501,
        "step=exporter",
        "kind=podcast",
        "country=France",
        "region=00",
        "sort=popularity",
        "date_from=hier",
        "date_to=2026-13-45",
        "sector=Vins%20rouges",
    ],
)
def test_bad_search_parameters_give_a_400_page_never_a_500(client, args):
    response = client.get(f"/recherche?{args}")
    assert response.status_code == 400
    page = html(response)
    assert "Requête incorrecte" in page and "fr-alert--error" in page


def test_a_page_beyond_the_last_is_a_404_that_leads_to_the_first(client, searcher):
    res = searcher.search(SearchQuery(text="douane"))
    assert client.get(f"/recherche?q=douane&page={res.pages}").status_code == 200
    response = client.get(f"/recherche?q=douane&page={res.pages + 1}")
    assert response.status_code == 404
    page = html(response)
    assert f"La page {res.pages + 1} n&#39;existe pas" in page and "fr-alert--error" in page
    assert '<a class="fr-btn" href="/recherche?q=douane">Revenir à la première page</a>' in page


def test_sort_by_date_puts_the_newest_first(client, searcher):
    res = searcher.search(SearchQuery(text="export", sort="date"))
    page = html(client.get("/recherche?q=export&sort=date"))
    shown = [unescape(u) for u in re.findall(r'class="fr-card__title"><a href="([^"]+)"', page)]
    assert shown == [h.url for h in res.hits]
    dates = [h.date for h in res.hits if h.date]
    assert dates == sorted(dates, reverse=True)
    assert '<strong aria-current="true">date</strong>' in page


def test_hostile_queries_are_escaped(client):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = client.get("/recherche", query_string={"q": hostile})
    assert response.status_code == 200
    page = html(response)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_snippets_are_the_only_unescaped_output(client):
    unsafe = [m for t in TEMPLATES.rglob("*.html") for m in re.findall(r"\|\s*safe", t.read_text())]
    assert unsafe == ["|safe"]
    assert "hit.snippet|safe" in (TEMPLATES / "macros.html").read_text()


def test_a_suggestion_links_to_the_corrected_search_keeping_filters(client, searcher, monkeypatch):
    real = searcher.search

    def with_suggestion(query):
        return replace(
            real(query), suggestion="douane", corrected=False, notice="Recherche simplifiée."
        )

    monkeypatch.setattr(searcher, "search", with_suggestion)
    page = html(client.get("/recherche?q=douanne&step=gerer"))
    assert "Vouliez-vous dire" in page and "Recherche simplifiée." in page
    assert 'href="/recherche?q=douane&amp;step=gerer">« douane »</a>' in page


def test_a_search_that_matches_nothing_shows_the_corrected_one(client):
    page = unescape(html(client.get("/recherche?q=douanne")))
    assert "Résultats pour « douane »" in page and "Vouliez-vous dire" not in page
    assert "Aucune page ne contient « douanne » : voici les résultats pour « douane »." in page
    assert "Aucun résultat" not in page
    data = client.get("/api/search?q=douanne").get_json()
    assert data["corrected"] is True and data["suggestion"] == "douane" and data["total"] > 0


def test_a_corrected_search_links_to_the_words_as_typed(client):
    page = unescape(html(client.get("/recherche?q=assurence+prospection")))
    assert "Résultats pour « assurance prospection »" in page
    assert 'href="/recherche?q=assurence+prospection&literal=1"' in page
    assert "Rechercher plutôt « assurence prospection »" in page
    literal = unescape(html(client.get("/recherche?q=assurence+prospection&literal=1")))
    assert "Résultats pour « assurence prospection »" in literal
    assert "Recherche comprise" not in literal
    # From the words as typed, a link leads back to the search as understood.
    assert "Revenir à la recherche comprise" in literal
    assert 'href="/recherche?q=assurence+prospection">Revenir' in literal


def test_the_search_says_what_it_understood_and_offers_its_filter(client):
    page = unescape(html(client.get("/recherche?q=exporter+vers+le+march%C3%A9+japonais")))
    assert "Recherche comprise avec : pays : Japon" in page
    assert 'href="/recherche?q=exporter+vers+le+march%C3%A9+japonais&country=JP"' in page
    assert "Filtrer sur Japon ?" in page
    assert "Rechercher les mots tels que saisis" in page
    data = client.get("/api/search?q=marché+japonais").get_json()
    assert data["understood"]["countries"] == ["JP"]
    filtered = unescape(html(client.get("/recherche?q=march%C3%A9+japonais&country=JP")))
    assert "Filtrer sur Japon ?" not in filtered


def test_the_search_names_synonyms_by_the_words_typed_not_their_stems(client):
    page = unescape(html(client.get("/recherche?q=cr%C3%A9er+une+filiale+aux+douanes")))
    assert "synonymes et sigles : « filiale » → succursale, implantation à l'étranger" in page
    assert "« douanes » → dgddi" in page
    assert "« filial »" not in page and "« douan »" not in page
    data = client.get("/api/search?q=assurance+prospection+V.I.E.").get_json()
    assert data["understood"]["synonyms"] == ["assurance prospection", "V.I.E."]
    assert data["understood"]["synonym_variants"]["assurance prospection"] == ["ap"]


def test_the_search_says_which_words_after_sans_weigh_little(client):
    page = unescape(html(client.get("/recherche?q=recruter+%C3%A0+l%27%C3%A9tranger+sans+filiale")))
    assert "comptés faiblement, après « sans » : « filiale »" in page
    data = client.get("/api/search?q=recruter+sans+filiale").get_json()
    assert data["understood"]["without"] == ["filiale"]


def test_the_literal_parameter_takes_0_or_1(client):
    response = client.get("/api/search?q=export&literal=oui")
    assert response.status_code == 400 and "literal" in response.get_json()["error"]


def test_the_empty_search_page_helps(client):
    page = html(client.get("/recherche"))
    assert "Recherches fréquentes" in page
    for text in content.popular_searches()[:3]:
        assert text in unescape(page)
    for step_id in STEP_IDS:
        assert f'href="/etapes/{step_id}"' in page


def test_a_search_without_results_suggests_what_to_do(client):
    page = unescape(html(client.get("/recherche?q=zzqxw&step=gerer")))
    assert "Aucun résultat" in page and "Vérifiez l'orthographe" in page
    assert "Retirez les filtres" in page and "Recherches fréquentes" in page


# -- partners --------------------------------------------------------------------------------


def test_partners_page_lists_every_provider_with_counts(client, searcher):
    page = unescape(html(client.get("/partenaires")))
    for name, count in searcher.counts("provider").items():
        assert f'/partenaires/{content.slugify(name)}">{name}</a>' in page
        assert f"<td>{count}</td>" in page


def test_a_provider_page_shows_its_offers_and_resources_by_step(client, searcher):
    name = "Bpifrance"
    page = unescape(html(client.get("/partenaires/bpifrance")))
    assert "<h1>Bpifrance</h1>" in page
    offers = searcher.search(SearchQuery(provider=name, kind="offer", per_page=6)).hits
    assert offers and all(h.url in page for h in offers)
    for step_id in searcher.counts("step", provider=name):
        assert f"/etapes/{step_id}?provider=Bpifrance" in page
    assert client.get("/partenaires/inconnu").status_code == 404


# -- feed, errors, headers -------------------------------------------------------------------


def test_atom_feed_lists_new_resources(client, searcher, app):
    response = client.get("/flux.atom")
    assert response.status_code == 200
    assert response.content_type == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    expected = searcher.latest(app.config["FEED_SIZE"], webui.today(app))
    assert [e.find(f"{ATOM}id").text for e in entries] == [h.url for h in expected]
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith("/flux.atom")


def fair_share(n: int, bodies: int) -> int:
    return -(-n // bodies)


def test_the_latest_resources_are_the_newest_by_their_own_dates(searcher, app, indexed_data):
    today = webui.today(app)
    latest = searcher.latest(30, today)
    dated = [h.updated for h in latest if h.updated]
    assert len(dated) == 30 and dated == sorted(dated, reverse=True)
    assert all(d <= today.isoformat() for d in dated)
    own = {
        row["url"]: max(d for d in (row["published"], row["modified"]) if d)[:10]
        for row in sql(indexed_data, "SELECT url, published, modified FROM pages")
        if row["published"] or row["modified"]
    }
    assert all(own[h.url] == h.updated for h in latest)  # the page's date, not the crawl's


def test_no_body_fills_the_latest_resources(searcher, app, client):
    bodies = len(searcher.counts("provider"))
    assert bodies >= 8
    for n in (6, 30):
        latest = searcher.latest(n, webui.today(app))
        counts = Counter(h.provider for h in latest)
        assert len(latest) == n and max(counts.values()) <= fair_share(n, bodies), counts
    home = html(client.get("/")).split('id="nouveautes-titre"')[1].split("</ul>")[0]
    shown = [h for h in searcher.latest(6, webui.today(app)) if h.url in unescape(home)]
    assert len(shown) == 6 and len({h.provider for h in shown}) == 6
    feed = ET.fromstring(client.get("/flux.atom").data)
    authors = Counter(e.find(f"{ATOM}author/{ATOM}name").text for e in feed.findall(f"{ATOM}entry"))
    assert max(authors.values()) <= fair_share(30, bodies), authors
    stamps = [e.find(f"{ATOM}updated").text for e in feed.findall(f"{ATOM}entry")]
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize(
    "bodies, n, expected",
    [
        (["a"] * 10 + ["b", "c"], 6, [0, 1, 10, 11, 2, 3]),
        (["a", "a", "b", "a", "c", "c", "c"], 3, [0, 2, 4]),
        (["a"] * 5, 3, [0, 1, 2]),
        (["a", "b"], 5, [0, 1]),
    ],
)
def test_varied_keeps_the_order_and_a_fair_share_per_body(bodies, n, expected):
    docs = list(range(len(bodies)))
    chosen = varied(docs, bodies, n)
    assert sorted(chosen) == sorted(expected) and chosen == sorted(chosen)


def test_atom_feed_filters_by_step_region_and_country(client, searcher, app):
    region = next(iter(searcher.counts("region", step="gerer")))
    feed = ET.fromstring(client.get(f"/flux.atom?step=gerer&region={region}").data)
    entries = feed.findall(f"{ATOM}entry")
    expected = searcher.latest(30, webui.today(app), step="gerer", region=region)
    assert len(entries) == len(expected) > 0
    for entry in entries:
        assert entry.find(f"{ATOM}category[@term='gerer']") is not None
    assert region_name(region) in feed.find(f"{ATOM}title").text
    assert client.get("/flux.atom?country=DE").status_code == 200
    assert client.get("/flux.atom?step=nulle-part").status_code == 400


def test_errors_are_pages_of_the_design_system(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page non trouvée" in html(response) and "fr-footer" in html(response)
    assert client.post("/recherche").status_code == 405


def test_an_unexpected_error_gives_a_500_page_without_traceback(indexed_data):
    app = create_app({"DATA_DIR": str(indexed_data)})

    @app.get("/boom")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("secret detail")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    page = html(response)
    assert "Erreur inattendue" in page and "secret detail" not in page
    assert "Traceback" not in page


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/recherche?q=douane",
        "/api/search?q=douane",
        "/nulle-part",
        "/recherche?page=0",
        "/flux.atom",
    ],
)
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


# -- helpers, assets and serving -------------------------------------------------------------


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/etapes/gerer?region=76", "/etapes/gerer?region=76"),
        ("/", "/"),
        (None, "/"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil", "/"),
        ("", "/"),
        ("relative", "/"),
        ("/a\nb", "/"),
    ],
)
def test_safe_local_path(target, expected):
    assert links.safe_local_path(target) == expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://www.bpifrance.fr/x", "https://www.bpifrance.fr/x"),
        ("javascript:alert(1)", "#"),
        ("data:text/html,x", "#"),
        ("", "#"),
        ("http://127.0.0.1:8801/", "http://127.0.0.1:8801/"),
    ],
)
def test_outbound_links_accept_only_http(url, expected):
    assert links.external_url(url) == expected


def test_page_window_shows_ends_and_neighbours():
    assert links.page_window(1, 1) == [1]
    assert links.page_window(5, 20) == [1, None, 3, 4, 5, 6, 7, None, 20]
    assert links.page_window(2, 4) == [1, 2, 3, 4]


def test_every_icon_class_in_the_templates_is_copied_by_the_assets_script():
    used = set()
    for template in TEMPLATES.rglob("*.html"):
        used |= set(re.findall(r"\bfr-icon-([a-z0-9-]+)", template.read_text()))
    assert used == set(assets.ICONS)


def test_assets_copy_only_what_is_used_and_are_idempotent(tmp_path):
    if not assets.DIST.is_dir():
        pytest.skip("node_modules absent : lancez « npm ci »")
    written, removed = assets.sync(tmp_path)
    assert written > 0 and removed == 0
    (tmp_path / "stale.txt").write_text("x")
    assert assets.sync(tmp_path) == (0, 1)
    names = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert {
        "dsfr.min.css",
        "dsfr.module.min.js",
        "dsfr.nomodule.min.js",
        "utility/icons.min.css",
        "favicon/favicon.svg",
        "fonts/Marianne-Regular.woff2",
        "icons/system/search-line.svg",
    } <= names
    assert not any(n.startswith(("component/", "core/", "example/")) for n in names)
    assert len(names) < 150


def test_assets_explain_in_french_when_node_modules_is_missing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(assets, "DIST", tmp_path / "absent")
    assert assets.main() == 1
    assert "npm ci" in capsys.readouterr().err


def test_serve_runs_waitress_with_four_threads(monkeypatch, indexed_data):
    import waitress

    calls = {}
    monkeypatch.setenv("PORTAIL_DATA", str(indexed_data))
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: calls.update(kw, app=app))
    webui.serve("127.0.0.1", 8123)
    assert calls["host"] == "127.0.0.1" and calls["port"] == 8123 and calls["threads"] == 4
    assert calls["app"].name == "webui"


def test_english_pages_are_found_and_labelled_in_english(tmp_path):
    from indexer.index import update_index
    from portail.db import open_store

    data = tmp_path / "var"
    store = open_store(data)
    store.record_source("chambre", "Chambre", "CCI France Japon", "")
    crawl = store.start_crawl("chambre")
    text = (
        "Our chamber helps French exporters enter the Japanese market: market studies, "
        "business meetings with Japanese buyers and distributors, trade show pavilions and "
        "support for French companies setting up a subsidiary in Tokyo. Export support for "
        "small French companies, customs advice and market entry programmes."
    )
    fields = {"title": "Market entry support for French exporters in Japan", "text": text}
    fields |= {"language": "en", "content_hash": "x", "structured": {}, "links": []}
    url = "https://www.ccifj.or.jp/en/services/market-entry"
    store.save_page(crawl, "chambre", url, url, fields, None, None, 200)
    store.close()
    update_index(data, full=True)
    client = create_app({"DATA_DIR": str(data), "TESTING": True}).test_client()
    result = client.get("/api/search?q=japon+export").get_json()["results"]
    assert [r["url"] for r in result] == [url] and result[0]["language"] == "en"
    page = html(client.get("/recherche?q=market+entry+japan"))
    assert "en anglais" in page and 'lang="en"' in page
