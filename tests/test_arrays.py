"""The array engine under the search API, checked against Whoosh's own matchers and scores on
real indexes (the crawled demo web, and small multi-segment indexes with deletions); and the
spelling corrector."""

from __future__ import annotations

import random

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import qparser
from whoosh.query import And, AndNot, Not, Or, Phrase, Term

from indexer.arrays import IndexArrays
from indexer.index import current_generation, schema
from indexer.search import Searcher, SearchQuery
from indexer.spelling import Speller, _damerau, edits
from indexer.synonyms import expand_synonyms

QUERIES = [
    "export",
    "douane",
    "assurance prospection",
    "crédit documentaire",
    "V.I.E Allemagne",
    "salon",
    "Team France Export",
    "financement PME",
    "certificat d'origine",
    '"assurance prospection"',
    "Japon OR Corée",
    "export NOT salon",
]


def whoosh_query(text: str):
    """The query as Whoosh's own parser reads it (every word required), with the synonyms."""
    parser = qparser.MultifieldParser(["title", "body"], schema(), group=qparser.AndGroup)
    return parser.parse(expand_synonyms(text))


@pytest.fixture(scope="module")
def live(indexed_data):
    ix = whoosh_index.open_dir(current_generation(indexed_data))
    with ix.searcher() as s:
        yield s, IndexArrays(s), Searcher(indexed_data)


def docs(matches: np.ndarray) -> set[int]:
    return {int(d) for d in np.flatnonzero(matches)}


@pytest.mark.parametrize("text", QUERIES)
def test_matches_are_whoosh_matches(live, text):
    s, arrays, _ = live
    query = whoosh_query(text)
    assert docs(arrays.matches(query)) == set(s.docs_for_query(query))


@pytest.mark.parametrize(
    "text", ["export", "douane", "financement PME", "Japon OR Corée", "assurance crédit"]
)
def test_scores_are_whoosh_bm25f_scores(live, text):
    s, arrays, _ = live
    query = whoosh_query(text)
    _, scores = arrays.evaluate(query)
    results = s.search(query, limit=20)
    assert len(results) > 0
    for i, hit in enumerate(results[:20]):
        assert scores[hit.docnum] == pytest.approx(results.score(i), rel=1e-4)
    matched, scores = arrays.evaluate(query)
    ours = arrays.top(matched, scores, 20)
    theirs = [hit.docnum for hit in results[:20]]
    # The same ranking: equal scores in the same order (pages tied on score may swap).
    expected = [results.score(i) for i in range(len(theirs))]
    assert [float(scores[d]) for d in ours] == pytest.approx(expected, rel=1e-4)
    close = [[abs(a - b) <= 1e-4 * abs(b) for a in expected] for b in expected]
    last = expected[-1]  # a page tied with the last one may be the 21st for Whoosh
    untied = [
        d
        for i, d in enumerate(theirs)
        if sum(close[i]) == 1 and abs(expected[i] - last) > 1e-4 * abs(last)
    ]
    assert [d for d in ours if d in untied] == untied


def test_phrases_within_a_subset_are_exact_there(live):
    s, arrays, _ = live
    phrase = Phrase("body", ["assur", "prospect"])
    everywhere = set(s.docs_for_query(phrase))
    assert everywhere
    rng = random.Random(5)
    subset = np.zeros(arrays.size, dtype=bool)
    subset[rng.sample(range(arrays.size), arrays.size // 10)] = True
    fresh = IndexArrays(s)  # nothing cached: the phrase is checked on the subset only
    assert docs(fresh.matches(phrase, subset) & subset) == everywhere & docs(subset)
    assert docs(arrays.matches(phrase)) == everywhere


def test_boolean_shapes(live):
    s, arrays, _ = live
    export, salon = Term("body", "export"), Term("body", "salon")
    for query in (
        And([export, salon]),
        Or([export, salon]),
        AndNot(export, salon),
        And([export, Not(salon)]),
    ):
        assert docs(arrays.matches(query)) == set(s.docs_for_query(query)), query


def build(tmp_path, segments: list[list[str]], delete: list[str]):
    """A real index with one segment per list of texts, then some documents deleted."""
    ix = whoosh_index.create_in(tmp_path, schema())
    number = 0
    for texts in segments:
        writer = ix.writer()
        for text in texts:
            writer.add_document(
                url=f"u{number}",
                title=text.split()[0],
                body=text,
                relevant=True,
                step="gerer" if number % 2 else "preparer",
            )
            number += 1
        writer.commit(merge=False)
    writer = ix.writer()
    for url in delete:
        writer.delete_by_term("url", url)
    writer.commit(merge=False)
    return ix


def test_several_segments_and_deleted_documents(tmp_path):
    ix = build(
        tmp_path,
        [
            ["export vers le Japon", "salon à Tokyo", "export de vins"],
            ["douane et export", "export export export", "salon du vin"],
        ],
        delete=["u1", "u4"],
    )
    with ix.searcher() as s:
        assert len(s.leaf_searchers()) >= 2 and s.reader().has_deletions()
        arrays = IndexArrays(s)
        for query in (
            Term("body", "export"),
            Term("body", "salon"),
            Phrase("body", ["export", "vin"]),
            Term("step", "gerer"),
            Or([Term("body", "vin"), Term("body", "douan")]),
        ):
            assert docs(arrays.matches(query)) == set(s.docs_for_query(query)), query
        counts = dict(arrays.facet_counts("step", arrays.matches(Term("relevant", True))))
        assert counts == {"preparer": 2, "gerer": 2}


def test_no_document_lost_when_the_postings_cache_is_tiny(indexed_data, live):
    s, arrays, _ = live
    small = IndexArrays(s, max_postings=50)
    for text in QUERIES:
        query = whoosh_query(text)
        assert docs(small.matches(query)) == docs(arrays.matches(query))


def test_date_and_first_seen_columns_sort_like_the_stored_values(live):
    s, arrays, _ = live
    everything = arrays.matches(Term("relevant", True))
    newest = arrays.top(everything, arrays.column("first_seen"), 30)
    stamps = [s.stored_fields(d)["first_seen"] for d in newest]
    assert stamps == sorted(stamps, reverse=True)
    dated = arrays.top(everything, arrays.column("date"), 30)
    values = [s.stored_fields(d).get("date") for d in dated]
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=True)
    assert values[: len(present)] == present  # pages without a date come last


def reference_distance(a: str, b: str) -> int:
    """Optimal string alignment distance, the textbook way."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def test_vectorised_distance_matches_the_textbook_one():
    rng = random.Random(11)
    for length in (3, 6, 9):
        words = ["".join(rng.choice("abcde") for _ in range(length)) for _ in range(60)]
        codes = np.array([[ord(c) for c in w] for w in words], dtype=np.int32)
        for query in ("abcde", "edcba", "aab", "abcdeabcd", "ba"):
            got = _damerau(codes, [ord(c) for c in query])
            assert list(got) == [reference_distance(query, w) for w in words], query


def test_edits_between_two_words_of_any_lengths():
    rng = random.Random(5)
    for _ in range(200):
        a = "".join(rng.choice("abc") for _ in range(rng.randint(1, 7)))
        b = "".join(rng.choice("abc") for _ in range(rng.randint(1, 7)))
        assert edits(a, b) == reference_distance(a, b), (a, b)
    assert edits("distibuteur", "distributeur") == 1 and edits("semences", "sciences") == 2


@pytest.mark.parametrize(
    ("typed", "proposed"),
    [
        ("douanne", "douane"),
        ("exportatoin", "exportation"),
        ("Alemagne", "Allemagne"),
        ("reglementaton", "réglementation"),
        ("certificat d'origne", "certificat d'origine"),
        ("reglementaton douanniere", "réglementation douanière"),
    ],
)
def test_suggestions_fix_typos_and_restore_accents(searcher_for_typos, typed, proposed):
    results = searcher_for_typos.search(SearchQuery(text=typed))
    assert results.suggestion == proposed


@pytest.fixture(scope="module")
def searcher_for_typos(indexed_data):
    return Searcher(indexed_data)


def test_known_words_and_short_words_are_left_alone(live):
    s, _, _ = live
    speller = Speller(s.reader())
    assert speller.correct("export") is None
    assert speller.correct("de") is None
    assert speller.correct("zzzzzzzz") is None
    assert speller.correct("douanne") == "douane"


def test_threads_share_one_searcher_safely(indexed_data):
    """The web server's threads share one Searcher: answers are those of a lone thread."""
    from concurrent.futures import ThreadPoolExecutor

    queries = [SearchQuery(text=t, page=p) for t in QUERIES for p in (1, 2)]
    alone = Searcher(indexed_data)
    expected = {q: [h.url for h in alone.search(q).hits] for q in queries}
    shared = Searcher(indexed_data)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda q: (q, shared.search(q)), queries * 4))
    assert all([h.url for h in res.hits] == expected[q] for q, res in answers)


# -- the synonyms' phrases, joined into one term at indexing ------------------------------------


def test_each_known_phrase_finds_by_its_joined_term_what_the_positions_find(live):
    """The index holds each multi-word variant of the synonyms as one term too: reading it must
    give exactly the pages where Whoosh's own phrase matcher finds the words in a row."""
    from indexer.analysis import JOINER, joined_phrases

    s, _, _ = live
    arrays = IndexArrays(s)
    found = 0
    for phrase in sorted(joined_phrases().phrases):
        for field in ("title", "body"):
            query = Phrase(field, list(phrase))
            expected = set(s.docs_for_query(query))
            assert docs(arrays.matches(query)) == expected, (field, phrase)
            assert (field, JOINER.join(phrase)) in s.reader() or not expected
            found += bool(expected)
    assert found >= 20  # the demo web uses many of them


def test_an_index_without_joined_phrases_is_still_read_by_positions(tmp_path):
    """A generation built before the joining (served until the next full rebuild) answers a
    known phrase from the words' positions."""
    from indexer.analysis import JoinedPhrases

    before = schema()
    for name in ("title", "body"):
        analyzer = before[name].analyzer
        analyzer.items = [i for i in analyzer.items if not isinstance(i, JoinedPhrases)]
    ix = whoosh_index.create_in(tmp_path, before)
    writer = ix.writer()
    texts = ["Le réseau Team France Export vous aide", "Une équipe de France pour l'export"]
    for n, text in enumerate(texts):
        writer.add_document(url=f"u{n}", title="Titre", body=text, relevant=True)
    writer.commit()
    with ix.searcher() as s:
        assert ("body", "team franc export") not in s.reader()
        query = Phrase("body", ["team", "franc", "export"])
        assert docs(IndexArrays(s).matches(query)) == set(s.docs_for_query(query)) == {0}


def test_document_frequencies_are_the_postings_counts_and_stay_right_once_kept(live):
    _, arrays, _ = live
    for word in ("export", "douan", "japon", "mot-que-nul-n-a"):
        counted = len(arrays.postings("body", word)[0])
        assert arrays.doc_frequency("body", word) == counted
        assert arrays.doc_frequency("body", word) == counted  # from what was kept
