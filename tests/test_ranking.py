"""Ranking on the crawled demo web: sentences, places, corrections, quotes and exclusions,
exact totals and facets."""

from __future__ import annotations

from dataclasses import replace

import pytest

from indexer.search import Searcher, SearchQuery


@pytest.fixture(scope="module")
def searcher(indexed_data):
    return Searcher(indexed_data)


def search(searcher, text, **kw):
    return searcher.search(SearchQuery(text=text, **kw))


def test_a_question_typed_as_a_sentence_finds_many_pages(searcher):
    results = search(searcher, "à qui s'adresser pour se faire accompagner à l'export")
    assert results.total >= 10 and len(results.hits) == 10


def test_pages_with_every_word_come_before_pages_with_some(searcher):
    results = search(searcher, "créer une filiale aux états-unis", per_page=50)
    assert results.complete >= 1
    first = results.hits[0]
    assert "US" in first.countries and first.step == "implanter"


@pytest.mark.parametrize(
    ("query", "country", "first"),
    [
        ("marché vietnamien", "VN", 3),
        ("exporter vers le marché japonais", "JP", 3),
        ("exporter au Japon", "JP", 3),
        ("trouver un distributeur au Canada", "CA", 2),
    ],
)
def test_a_country_named_any_way_leads_with_its_pages(searcher, query, country, first):
    hits = search(searcher, query).hits
    assert len(hits) >= first, [h.title for h in hits]
    assert all(country in h.countries for h in hits[:first]), [h.title for h in hits[:first]]


def test_bretagne_never_finds_grande_bretagne(searcher):
    results = search(searcher, "Bretagne", per_page=50)
    assert results.total >= 1
    for hit in results.hits:
        assert "GB" not in hit.countries, hit.title
        assert "Bretagne" in hit.snippet or "53" in hit.regions, hit.title


@pytest.mark.parametrize(
    ("typed", "fixed"),
    [
        ("assurence prospection", "assurance prospection"),
        ("exportter du vin", "exporter du vin"),
        ("formalités douanieres exportatoin", "formalités douanieres exportation"),
    ],
)
def test_misspelt_words_are_searched_corrected_when_that_finds_many_more(searcher, typed, fixed):
    results = search(searcher, typed)
    assert results.corrected and results.suggestion == fixed
    assert results.total == search(searcher, fixed).total
    typo = next(a for a, b in zip(typed.split(), fixed.split(), strict=True) if a != b)
    assert typo in (results.notice or "") and f"« {fixed} »." in (results.notice or "")


def test_a_correction_of_several_words_names_each_word_typed(searcher):
    results = search(searcher, "exportter du vin en chinne")
    assert results.corrected and results.suggestion == "exporter du vin en chine"
    assert results.notice.startswith("Aucune page ne contient « exportter » ni « chinne » :")


def test_the_literal_mode_keeps_the_typo(searcher):
    results = search(searcher, "assurence prospection", literal=True)
    assert not results.corrected and results.understood.step is None


def test_a_correct_query_is_not_corrected(searcher):
    results = search(searcher, "assurance prospection")
    assert not results.corrected and results.suggestion is None
    assert results.hits[0].title.startswith("Assurance prospection")


def test_quotes_require_the_phrase_and_minus_excludes(searcher):
    with_express = search(searcher, '"assurance prospection"', per_page=50)
    without = search(searcher, '"assurance prospection" -express', per_page=50)
    assert 0 < without.total < with_express.total
    assert not any("express" in h.title.lower() for h in without.hits)


def test_totals_are_exact_and_facets_count_the_list(searcher):
    results = search(searcher, "financer un salon à l'étranger", per_page=50)
    assert results.total > 50 and results.pages == -(-results.total // 50)
    listed = [
        hit.url
        for page in range(1, results.pages + 1)
        for hit in search(searcher, "financer un salon à l'étranger", per_page=50, page=page).hits
    ]
    assert len(listed) == len(set(listed)) == results.total
    assert sum(count for _, count in results.facets["step"]) == results.total
    assert sum(count for _, count in results.facets["kind"]) == results.total


def test_queries_of_stop_words_or_signs_find_nothing_and_say_why(searcher):
    for text in ("les", "*", "?"):
        results = search(searcher, text)
        assert results.total == 0 and "trop courants" in (results.notice or "")


def test_pages_left_to_review_are_searchable_but_out_of_the_journey(tmp_path, monkeypatch):
    from dataclasses import replace

    from test_index import EXPORT_TEXT, make_store

    from indexer import enrich
    from indexer.index import update_index

    data = tmp_path / "var"
    data.mkdir()
    make_store(
        data,
        {
            "https://a.fr/sure": EXPORT_TEXT,
            "https://a.fr/douteuse": EXPORT_TEXT + " ",
        },
    )
    real = enrich.classify_page

    def borderline(url, *args, **kwargs):
        result = real(url, *args, **kwargs)
        if url.endswith("douteuse"):
            return replace(
                result, step=None, relevant=False, review=True, candidate="gerer", confidence=0.6
            )
        return result

    monkeypatch.setattr(enrich, "classify_page", borderline)
    update_index(data, full=True)
    searcher = Searcher(data)
    found = searcher.search(SearchQuery(text="dédouanement"))
    assert [h.url for h in found.hits] == ["https://a.fr/sure", "https://a.fr/douteuse"]
    assert searcher.counts("step") == {"gerer": 1}
    assert [h.url for h in searcher.latest(10)] == ["https://a.fr/sure"]


# -- feedback: the best pages' shared words reorder the head of the list ------------------------

IMPAYES = {
    # Three pages answer « se protéger des impayés » and share « assurance-crédit »,
    # « recouvrement » and « créances ».
    "https://a.fr/1": "Se protéger des impayés à l'export. L'assurance-crédit couvre vos créances "
    "sur les clients étrangers ; le recouvrement des créances impayées à l'international.",
    "https://a.fr/2": "Protéger son entreprise des impayés à l'export. Assurance-crédit, "
    "recouvrement amiable des créances et garanties de paiement des clients étrangers.",
    "https://a.fr/3": "Impayés à l'export : comment se protéger. L'assurance-crédit export et le "
    "recouvrement international de vos créances sur les acheteurs étrangers.",
    # Holds both typed words, but is about trademarks.
    "https://a.fr/marque": "Protéger sa marque à l'export. Le dépôt de la marque avant "
    "d'exporter, et les impayés de redevances de licence.",
    # Holds one typed word, and answers the question in other words.
    "https://a.fr/credit": "Assurance-crédit à l'export. L'assurance-crédit et le recouvrement "
    "de vos créances sur les clients étrangers : les impayés couverts à l'international.",
}


def indexed_among_others(tmp_path_factory, name, pages):
    """A searcher over `pages` and 45 customs pages, so that their words are rare in the index
    as they are in a real one."""
    from test_index import EXPORT_TEXT, make_store

    from indexer.index import update_index

    data = tmp_path_factory.mktemp(name) / "var"
    others = {f"https://a.fr/douane/{i}": f"{EXPORT_TEXT} Fiche {i}." for i in range(45)}
    make_store(data, pages | others)
    update_index(data, full=True)
    return Searcher(data)


@pytest.fixture(scope="module")
def impayes(tmp_path_factory):
    searcher = indexed_among_others(tmp_path_factory, "impayes", IMPAYES)
    yield searcher
    searcher.close()


def test_feedback_lifts_a_page_that_answers_in_other_words(impayes, monkeypatch):
    from indexer import ranking

    def order(**kw):
        impayes._cache.clear()
        return [h.url for h in search(impayes, "se protéger des impayés", **kw).hits]

    with_feedback = order()
    assert with_feedback.index("https://a.fr/credit") < with_feedback.index("https://a.fr/marque")
    # The words typed alone rank the trademark page first of the two: feedback did it.
    monkeypatch.setattr(ranking, "FEEDBACK_WEIGHT", 0.0)
    without = order()
    assert without.index("https://a.fr/marque") < without.index("https://a.fr/credit")
    assert sorted(without) == sorted(with_feedback)


def test_feedback_reorders_the_list_but_never_widens_it(searcher, monkeypatch):
    from indexer import ranking

    queries = ["se protéger des impayés", "trouver un distributeur au Canada", "salon Japon"]
    seen = {}
    for weight in (ranking.FEEDBACK_WEIGHT, 0.0):
        monkeypatch.setattr(ranking, "FEEDBACK_WEIGHT", weight)
        searcher._cache.clear()
        for text in queries:
            results = search(searcher, text, per_page=100)
            found = (results.total, sorted(h.url for h in results.hits), results.facets)
            assert seen.setdefault(text, found) == found, text


def test_the_literal_mode_has_no_feedback(impayes):
    from indexer.understand import understand

    assert understand("se protéger des impayés", literal=True).literal
    impayes._cache.clear()
    hits = search(impayes, "se protéger des impayés", literal=True).hits
    urls = [h.url for h in hits]
    assert urls.index("https://a.fr/marque") < urls.index("https://a.fr/credit")


def test_feedback_words_are_shared_rare_and_not_typed(impayes):
    import numpy as np

    from indexer.ranking import feedback_terms

    arrays = impayes._live
    pages = [{"assur", "credit", "recouvr", "seul"}, {"assur", "recouvr", "impai"}, {"recouvr"}]
    added = feedback_terms(arrays, pages, np.array([3.0, 2.0, 1.0]), frozenset({"impai"}))
    assert "seul" not in added  # one page only
    assert "impai" not in added  # typed
    assert "recouvr" in added and "assur" in added


# -- few pages hold most of the query: those holding less of it are listed too ------------------

CASABLANCA = {
    "https://a.fr/cfc": "Créer une filiale à Casablanca sous le statut CFC : les démarches.",
    # Holds two words of five, the rare « CFC » and « statut » not among them.
    "https://a.fr/maroc": "S'implanter au Maroc : ouvrir une filiale à Casablanca, les démarches "
    "d'implantation à l'étranger.",
}


@pytest.fixture(scope="module")
def casablanca(tmp_path_factory):
    searcher = indexed_among_others(tmp_path_factory, "casablanca", CASABLANCA)
    yield searcher
    searcher.close()


def test_when_few_pages_hold_most_of_the_query_those_holding_less_follow(casablanca, monkeypatch):
    from indexer import ranking

    def found():
        casablanca._cache.clear()
        results = search(casablanca, "créer une filiale à Casablanca statut CFC", per_page=50)
        assert results.total == len(results.hits)
        return [h.url for h in results.hits]

    assert found() == ["https://a.fr/cfc", "https://a.fr/maroc"]
    monkeypatch.setattr(ranking, "FEW_RESULTS", 0)  # the rule off: the rare words weigh most
    assert found() == ["https://a.fr/cfc"]


def test_when_many_pages_hold_most_of_the_query_the_list_is_not_widened(searcher, monkeypatch):
    from indexer import ranking

    def total(text):
        searcher._cache.clear()
        return search(searcher, text).total

    queries = ["assurance prospection", "salon Japon", "formalités douanières"]
    before = [total(q) for q in queries]
    assert min(before) >= ranking.FEW_RESULTS
    monkeypatch.setattr(ranking, "FEW_RESULTS", 0)
    assert [total(q) for q in queries] == before


def test_feedback_breaks_ties_by_the_word_whatever_the_hash_seed(impayes, monkeypatch):
    import numpy as np

    from indexer import ranking

    # Two words shared alike, one candidate kept: the same one in every process.
    monkeypatch.setattr(ranking, "FEEDBACK_CANDIDATES", 1)
    scores = np.array([2.0, 1.0])
    for pages in ([{"creanc", "recouvr"}] * 2, [{"recouvr", "creanc"}] * 2):
        added = ranking.feedback_terms(impayes._live, pages, scores, frozenset())
        assert list(added) == ["recouvr"]


# -- the page's own signals, on a small crafted index ---------------------------------------------

PAID = "Se faire payer à l'export : les moyens de paiement et leurs garanties."
TITLED = "Assurance prospection"
ANSWER = (
    "Le soutien de Bpifrance aux premiers pas à l'étranger. L'assurance prospection couvre une "
    "partie des dépenses engagées pour conquérir un marché. L'assurance prospection rembourse "
    "les frais si le chiffre d'affaires n'est pas au rendez-vous, et l'assurance prospection "
    "accompagnement s'adresse aux plus petites entreprises."
)
SALON = ("Salon viticole", "Salon viticole de Shanghai.", {}, "news", "prospecter")
FOIRE = ("Foire viticole", "Foire viticole de Shanghai.", {}, "guide", "prospecter")
CATALOGUE = "Nos offres de soutien aux entreprises : voir le catalogue."
SIGNALS = {
    # url: (title, text, structured, kind, step, age in days of the page's date)
    "https://b.fr/payer-gerer": (PAID, f"{PAID} Lettres de crédit.", {}, "guide", "gerer", None),
    # Shorter than the page above (its words weigh a little more), but of another step.
    "https://b.fr/payer-prospecter": (PAID, PAID, {}, "guide", "prospecter", None),
    "https://b.fr/salon-recent": (*SALON, 5),
    "https://b.fr/salon-ancien": (*SALON, 1000),
    "https://b.fr/foire-recente": (*FOIRE, 5),
    "https://b.fr/foire-ancienne": (*FOIRE, 1000),
    # A listing that holds the words of its links, and the content page it leads to.
    "https://b.fr/fiches": (
        "Nos fiches : implantation au Groenland",
        "Implantation au Groenland. Implantation au Groenland : la fiscalité. "
        "Implantation au Groenland : les visas. Implantation au Groenland : le droit du travail.",
        {"hub": True},
        None,
        None,
        None,
    ),
    "https://b.fr/groenland": (
        "S'implanter au Groenland",
        "Créer une société au Groenland : l'implantation pas à pas, la fiscalité et les visas.",
        {},
        None,
        None,
        None,
    ),
    # The words in the title only, against a body that answers with them.
    "https://b.fr/titre": (TITLED, CATALOGUE, {}, "guide", "financer", None),
    "https://b.fr/corps": ("Premiers pas à l'étranger", ANSWER, {}, "guide", "financer", None),
}


@pytest.fixture(scope="module")
def signals(tmp_path_factory):
    """The pages of SIGNALS among 45 customs pages, with the kind, step and date each names."""
    from datetime import datetime, timedelta

    from test_index import EXPORT_TEXT

    from indexer import index
    from indexer.index import update_index
    from portail.db import open_store

    data = tmp_path_factory.mktemp("signals") / "var"
    store = open_store(data)
    store.record_source("essai", "Essai", "Organisme d'essai", "")
    crawl = store.start_crawl("essai")
    pages = {u: (t, x, s) for u, (t, x, s, *_) in SIGNALS.items()}
    pages |= {f"https://b.fr/douane/{i}": (f"Fiche {i}", EXPORT_TEXT, {}) for i in range(45)}
    for url, (title, text, structured) in pages.items():
        fields = {"title": title, "text": text, "content_hash": url, "structured": structured}
        store.save_page(crawl, "essai", url, url, fields | {"links": []}, None, None, 200)
    store.close()
    real = index.enrich_page

    def crafted(row, *args):
        enrichment = real(row, *args)
        _, _, _, kind, step, age = SIGNALS.get(row["url"], (None,) * 6)
        if kind:
            enrichment = replace(enrichment, kind=kind, step=step, relevant=True)
        if age is not None:
            enrichment.date = (datetime.now() - timedelta(days=age)).isoformat()
        return enrichment

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index, "enrich_page", crafted)
        update_index(data, full=True, procs=1)
    searcher = Searcher(data)
    yield searcher
    searcher.close()


def urls(searcher, text, **kw):
    searcher._cache.clear()
    return [h.url for h in search(searcher, text, per_page=50, **kw).hits]


def test_the_step_a_query_names_lifts_its_pages_above_better_worded_ones(signals, monkeypatch):
    from indexer import ranking

    monkeypatch.setattr(ranking, "FEEDBACK_WEIGHT", 0.0)  # the step's boost alone
    assert urls(signals, "se faire payer à l'export")[:2] == [
        "https://b.fr/payer-gerer",
        "https://b.fr/payer-prospecter",
    ]
    monkeypatch.setattr(ranking, "STEP_BOOST", 1.0)  # the words alone prefer the other page
    assert urls(signals, "se faire payer à l'export")[0] == "https://b.fr/payer-prospecter"


def test_recent_news_come_first_but_recency_does_not_lift_other_pages(signals, monkeypatch):
    from indexer import ranking

    def scores(text):
        signals._cache.clear()
        results = search(signals, text, per_page=50)
        understood = results.understood
        ranked = ranking.rank(signals._live, understood, signals._live.live.copy())
        doc = {signals._searcher.stored_fields(d)["url"]: d for d in range(signals._live.size)}
        return [h.url for h in results.hits], lambda url: float(ranked.scores[doc[url]])

    order, score = scores("salon viticole")
    assert order.index("https://b.fr/salon-recent") < order.index("https://b.fr/salon-ancien")
    assert score("https://b.fr/salon-recent") > score("https://b.fr/salon-ancien")
    order, score = scores("foire viticole")
    assert score("https://b.fr/foire-recente") == score("https://b.fr/foire-ancienne")
    monkeypatch.setattr(ranking, "RECENT_BOOST", 0.0)
    order, score = scores("salon viticole")
    assert score("https://b.fr/salon-recent") == score("https://b.fr/salon-ancien")


def test_a_search_with_words_lists_the_content_page_not_the_listing_holding_them(signals):
    found = urls(signals, "implantation au Groenland")
    assert found and found[0] == "https://b.fr/groenland"
    assert "https://b.fr/fiches" not in found


def test_the_title_weighs_without_drowning_a_body_that_answers(signals, monkeypatch):
    from indexer import ranking

    found = urls(signals, "assurance prospection")
    assert found.index("https://b.fr/corps") < found.index("https://b.fr/titre")
    # The title does weigh: much more of it, and the words in the title alone lead.
    monkeypatch.setattr(ranking, "TITLE_BOOST", 5.0)
    found = urls(signals, "assurance prospection")
    assert found.index("https://b.fr/titre") < found.index("https://b.fr/corps")
