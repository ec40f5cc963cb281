"""The catalogue of support offers (/offres, /offres/<id>) on the crawled and indexed demo web."""

from __future__ import annotations

import re
import tomllib
from html import unescape

import pytest

from conftest import DEMO_SOURCES
from indexer.offers import load_cues
from indexer.search import Hit
from webui import catalogue, create_app, pages
from webui.catalogue import NATIONAL, OfferFilters, build_offer
from webui.ids import page_id

TODAY = "2026-11-27"


@pytest.fixture(scope="module")
def app(indexed_data):
    return create_app({"DATA_DIR": str(indexed_data), "TODAY": TODAY, "TESTING": True})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def offers(app):
    with app.app_context():
        return catalogue.catalogue()


@pytest.fixture(scope="module")
def organisations():
    """Site id → the organisation its pages are indexed under (the demo's sources file)."""
    raw = tomllib.loads(DEMO_SOURCES.read_text("utf-8"))
    return {s["id"]: s.get("organisation", s["name"]) for s in raw["source"]}


def html(response) -> str:
    return unescape(response.get_data(as_text=True))


def listed_offer_ids(page: str) -> list[str]:
    return re.findall(r'href="/offres/([a-z0-9-]+)"', page)


def make_hit(title: str, text: str = "", description: str = "", **fields) -> Hit:
    values = dict(
        url="https://exemple.invalid/offres/x",
        title=title,
        snippet="",
        description=description,
        step="strategie",
        steps={"strategie": 1.0},
        kind="offer",
        provider="Bpifrance",
        source="bpifrance",
        countries=[],
        regions=[],
        sectors=[],
        date=None,
        language="fr",
        event=None,
        first_seen=None,
    )
    values.update(fields)
    return Hit(**values)


# -- the demo's offers -------------------------------------------------------------------------


def test_every_demo_offer_is_in_the_catalogue_with_its_provider(
    manifest, offers, organisations, app
):
    searcher = app.extensions["searcher"]
    by_url = {o.url: o for o in offers}
    expected = [p for p in manifest["pages"] if p["kind"] == "offer"]
    assert len(expected) >= 90
    missing = [p["url"] for p in expected if p["url"] not in by_url]
    kinds = {url: (hit.kind if (hit := searcher.get(url)) else None) for url in missing}
    assert not missing, kinds
    wrong = [
        (p["url"], by_url[p["url"]].provider)
        for p in expected
        if by_url[p["url"]].provider != organisations[p["site"]]
    ]
    assert not wrong


def test_every_demo_offer_shows_the_step_the_manifest_gives(manifest, offers):
    """An offer shows its main step and the secondary steps that score nearly as well (a
    customs diagnostic is both « diagnostic » and « gérer »): the manifest's step is among them,
    and it is the main one for 95 % of the offers."""
    by_url = {o.url: o for o in offers}
    expected = [p for p in manifest["pages"] if p["kind"] == "offer"]
    shown = [
        (p["url"], p["step"], by_url[p["url"]].steps)
        for p in expected
        if p["step"] not in by_url[p["url"]].steps
    ]
    assert not shown
    main = [p for p in expected if by_url[p["url"]].step == p["step"]]
    assert len(main) >= 0.95 * len(expected), [
        (p["url"], p["step"], by_url[p["url"]].step) for p in expected if p not in main
    ]


def test_the_catalogue_lists_the_public_bodies(offers):
    providers = {o.provider for o in offers}
    assert {"Bpifrance", "Coface", "Business France", "CCI International", "CCEF"} <= providers


def test_the_catalogue_page_counts_and_pages_every_offer(client, offers):
    page = html(client.get("/offres"))
    assert "<h1>Catalogue des offres d'appui à l'export</h1>" in page
    assert f"<strong>{len(offers)}</strong> offres" in page
    seen = []
    for number in range(1, -(-len(offers) // 20) + 1):
        seen += listed_offer_ids(html(client.get(f"/offres?page={number}")))
    assert sorted(set(seen)) == sorted(o.id for o in offers)


# -- filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, value",
    [
        ("provider", "Bpifrance"),
        ("step", "gerer"),
        ("aide", "assurance"),
        ("public", "grandes-entreprises"),  # some offers are reserved to PME and ETI
    ],
)
def test_a_filter_lists_exactly_the_matching_offers(client, offers, name, value):
    expected = catalogue.select(offers, OfferFilters(**{name: value}))
    assert expected and len(expected) < len(offers)
    page = html(client.get(f"/offres?{name}={value}&page=1"))
    assert f"<strong>{len(expected)}</strong> offre" in page
    assert set(listed_offer_ids(page)) >= {o.id for o in expected[:20]}
    assert "Retirer le filtre" in page


def test_the_region_filter_keeps_national_offers_and_that_regions_own(offers):
    chosen = catalogue.select(offers, OfferFilters(region="84"))
    assert any(o.regions == ("84",) for o in chosen)
    assert all(o.national or "84" in o.regions for o in chosen)
    assert not any(o.regions and "84" not in o.regions for o in chosen)
    first_national = next(i for i, o in enumerate(chosen) if o.national)
    assert all(not o.national for o in chosen[:first_national])  # the region's own first
    national = catalogue.select(offers, OfferFilters(region=NATIONAL))
    assert national and all(o.national for o in national)


def test_filters_combine_and_their_counts_take_the_others_into_account(client, offers):
    both = catalogue.select(offers, OfferFilters(provider="Bpifrance", step="gerer"))
    assert both and all(o.provider == "Bpifrance" and "gerer" in o.steps for o in both)
    page = html(client.get("/offres?provider=Bpifrance&step=gerer"))
    assert f"<strong>{len(both)}</strong> offre" in page
    # The step filter's count is that of Bpifrance's offers (the other filter kept).
    assert f">Étape 5 : Gérer ses exportations et ses approvisionnements ({len(both)})<" in page
    strategy = catalogue.select(offers, OfferFilters(provider="Bpifrance", step="strategie"))
    assert f">Étape 3 : Bâtir une stratégie ({len(strategy)})<" in page


def test_pagination_keeps_the_filters(client, offers):
    chosen = catalogue.select(offers, OfferFilters(public="pme"))
    assert len(chosen) > 20
    assert "/offres?public=pme&page=2" in html(client.get("/offres?public=pme"))
    second = html(client.get("/offres?public=pme&page=2"))
    assert set(listed_offer_ids(second)) >= {o.id for o in chosen[20:40]}


@pytest.mark.parametrize(
    "query",
    [
        "step=nope",
        "region=99",
        "aide=cadeau",
        "public=tout-le-monde",
        "page=0",
        "page=x",
    ],
)
def test_bad_filters_give_a_400_page(client, query):
    response = client.get(f"/offres?{query}")
    assert response.status_code == 400
    assert "Requête incorrecte" in html(response)


# -- one offer -------------------------------------------------------------------------------------


def test_an_offer_page_shows_its_summary_facts_and_the_providers_page(client, offers):
    offer = next(o for o in offers if o.url.endswith("/offres/assurance-prospection"))
    page = html(client.get(f"/offres/{offer.id}"))
    assert f"<h1>{offer.title}</h1>" in page
    assert (
        f'href="{offer.url}" target="_blank" rel="noopener">Consulter l\'offre sur le site '
        "de Bpifrance" in page
    )
    assert offer.summary and offer.summary in page
    assert "Ce qu'elle apporte" in page and "Pour qui" in page
    assert "Assurance et garantie" in page
    assert 'href="/partenaires/bpifrance"' in page
    assert "<title>Assurance prospection — Offres d'appui — France International</title>" in page


def test_every_offer_has_its_own_page(client, offers):
    for offer in offers:
        assert client.get(f"/offres/{offer.id}").status_code == 200, offer.url


def test_offer_ids_are_a_slug_and_a_hash_of_the_url(offers):
    assert page_id("https://a.example/x", "Prêt Export") == page_id(
        "https://a.example/x", "Prêt Export"
    )
    assert page_id("https://a.example/x", "Prêt") != page_id("https://a.example/y", "Prêt")
    assert re.fullmatch(r"pret-export-[0-9a-f]{8}", page_id("https://a.example/x", "Prêt Export"))
    assert len({o.id for o in offers}) == len(offers)


def test_a_retitled_offer_keeps_its_address_through_its_hash(client, offers):
    offer = offers[0]
    response = client.get(f"/offres/ancien-titre-{offer.id.rsplit('-', 1)[1]}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/offres/{offer.id}")
    assert client.get("/offres/inconnue-00000000").status_code == 404


# -- who it is for and what it brings ------------------------------------------------------------


@pytest.mark.parametrize(
    "title, text, audience, benefits",
    [
        (
            "Prêt Export",
            "Un prêt sans garantie pour les PME et ETI. Le prêt finance vos dépenses.",
            {"pme", "eti"},
            {"financement"},
        ),
        (
            "Assurance prospection",
            "Pour les primo-exportateurs : une assurance contre l'échec.",
            {"primo-exportateurs"},
            {"assurance"},
        ),
        (
            "Formation Incoterms",
            "Une formation d'une journée sur les Incoterms et la douane.",
            set(),
            {"formation", "formalites"},
        ),
        (
            "Recruter un V.I.E.",
            "Le V.I.E. permet de recruter un volontaire. La vie à l'étranger.",
            set(),
            {"recrutement"},
        ),
    ],
)
def test_audience_and_benefits_come_from_the_pages_words(title, text, audience, benefits):
    offer = build_offer(make_hit(title), text, load_cues())
    assert {c.id for c in offer.audience} == audience
    assert benefits <= {c.id for c in offer.benefits}


@pytest.mark.parametrize(
    "text, excluded",
    [
        ("Pour les primo-exportateurs : une assurance contre l'échec.", set()),
        ("Un prêt pour les PME et ETI qui exportent déjà.", set()),
        ("Vendre hors de France : les PME y trouvent un appui.", set()),
        ("Ouvert à toutes les entreprises, hors TPE et micro-entreprises.", {"tpe"}),
        ("Les start-up ne sont pas éligibles à ce prêt.", {"start-up"}),
        ("Programme réservé aux ETI.", {"tpe", "pme", "grandes-entreprises"}),
        ("Réservé aux PME de plus de trois ans.", {"eti", "grandes-entreprises"}),
        ("Atelier réservé aux entreprises des Hauts-de-France.", set()),
        (
            "Mission réservée aux exportateurs confirmés.",
            {"primo-exportateurs"},
        ),
    ],
)
def test_an_offer_leaves_out_only_the_audiences_it_excludes(text, excluded):
    offer = build_offer(make_hit("Offre"), text, load_cues())
    assert {c.id for c in offer.excluded} == excluded
    assert all(offer.open_to(c.id) != (c.id in excluded) for c in load_cues().audience)


def test_naming_first_time_exporters_does_not_drop_an_offer_from_tpe(offers, client):
    prospection = next(o for o in offers if o.url.endswith("/offres/assurance-prospection"))
    assert "primo-exportateurs" in {c.id for c in prospection.audience}
    chosen = catalogue.select(offers, OfferFilters(public="tpe"))
    assert prospection in chosen
    assert chosen == [o for o in offers if "tpe" not in {c.id for c in o.excluded}]
    page = html(client.get("/offres?public=tpe"))
    assert f"<strong>{len(chosen)}</strong> offre" in page


def test_the_audience_cues_refuse_an_unknown_within(tmp_path):
    path = tmp_path / "offer_cues.toml"
    path.write_text(
        '[[audience]]\nid = "tpe"\nlabel = "TPE"\nwithin = ["pmi"]\npatterns = ["TPE"]\n',
        "utf-8",
    )
    with pytest.raises(ValueError) as caught:
        load_cues(path)
    assert "ligne 4, audience « tpe », within : audience inconnue « pmi »" in str(caught.value)


def test_a_lowercase_vie_is_not_a_recruitment():
    offer = build_offer(
        make_hit("Conseil"), "La vie des affaires, la vie locale, la vie.", load_cues()
    )
    assert "recrutement" not in {c.id for c in offer.benefits}


def test_the_cue_file_reports_every_error_naming_the_entry_and_the_key(tmp_path):
    bad = tmp_path / "offer_cues.toml"
    bad.write_text(
        '[[audience]]\nid = "pme"\nlabel = "PME"\npatterns = ["(PME"]\n'
        '[[audience]]\nid = "pme"\nlabel = ""\npatterns = ["x"]\n'
        '[[benefit]]\nid = "Pas Bon"\nlabel = "X"\npatterns = []\n',
        "utf-8",
    )
    with pytest.raises(ValueError) as caught:
        load_cues(bad)
    lines = str(caught.value).splitlines()
    assert any(
        "ligne 4, audience « pme », patterns[0] : expression régulière invalide" in e for e in lines
    )
    assert any("ligne 7, audience « pme », label : ne doit pas être vide" in e for e in lines)
    assert any("benefit « Pas Bon », id : identifiant invalide" in e for e in lines)
    assert any("benefit « Pas Bon », patterns : au moins 1 élément" in e for e in lines)
    assert all(e.startswith("offer_cues.toml, ") for e in lines)
    bad.write_text(
        '[[audience]]\nid = "pme"\nlabel = "PME"\npatterns = ["x"]\n'
        '[[audience]]\nid = "pme"\nlabel = "P"\npatterns = ["x"]\n',
        "utf-8",
    )
    with pytest.raises(ValueError) as caught:
        load_cues(bad)
    assert "ligne 6, audience « pme », id : identifiant en double" in str(caught.value)


def test_the_bundled_cue_file_is_valid():
    cues = load_cues()
    assert cues.audience and cues.benefit


@pytest.mark.parametrize(
    "path",
    [
        "/offres",
        "/partenaires",
        "/partenaires/bpifrance",
        "/regions",
        "/regions/84",
        "/pays",
        "/pays/de",
        "/agenda",
        "/agenda.ics",
        "/agenda/flux.atom",
    ],
)
def test_the_applications_work_before_anything_is_indexed(tmp_path, path):
    client = create_app({"DATA_DIR": str(tmp_path), "TODAY": TODAY, "TESTING": True}).test_client()
    assert client.get(path).status_code == 200


def test_the_index_holds_each_offers_audience_help_and_summary(app, offers, monkeypatch):
    """The indexer reads the cues: the catalogue builds from the index alone."""
    assert all("offer" in o.hit.extra for o in offers)
    with_help = [o for o in offers if o.benefits]
    assert len(with_help) >= 0.8 * len(offers)
    assert all(o.summary for o in offers)

    def no_reading(urls):
        wanted = list(urls)
        assert not wanted, f"the catalogue read {len(wanted)} texts"
        return {}

    monkeypatch.setattr(pages, "texts", no_reading)
    app.extensions.pop("catalogue", None)
    with app.app_context():
        rebuilt = catalogue.catalogue()
    assert [(o.id, o.audience, o.benefits) for o in rebuilt] == [
        (o.id, o.audience, o.benefits) for o in offers
    ]
