"""Ranking a search: soft matching of the query's concepts, then the page's own signals.

Each concept of `indexer.understand` scores a page with the BM25F of its best alternative
(title and body; a country or a region also by the page's tags). A page is listed when it
holds enough of the query: its **coverage**, the share of the concepts' weight it holds (each
concept weighs its rarity, idf, times its own weight: « comment » weighs little), must reach
`MIN_COVERAGE` (`RELAXED_COVERAGE` when fewer than `FEW_RESULTS` pages reach it: a rare word
then weighs most of the query). Pages with every concept come first, then those with most of them:
the score is multiplied by coverage ** `COVERAGE_POWER`. Quoted phrases are required and
`-mot` excludes. Then mild preferences: the step the query points at, and among news and
events only, the recent ones.

Last, **feedback** (pseudo-relevance feedback, as in RM3): the words that the best pages'
titles and summaries share (« assurance-crédit », « recouvrement » for « se protéger des
impayés ») add a share of their score to the first pages listed, so that a page answering
the question in other words climbs. It reorders the list, never widens it: totals and facets stay
those of the words typed. The constants are tuned on the dev sets of the search evaluation
(`portail eval search`), never on its test half.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
from whoosh.query import Or, Phrase, Query, Term

from indexer.analysis import terms as analysed
from indexer.arrays import IndexArrays
from indexer.understand import Alternative, Concept, Understood

TEXT_FIELDS = ("title", "body")
MIN_COVERAGE = 0.4
FEW_RESULTS = 20  # fewer pages than this reach MIN_COVERAGE: RELAXED_COVERAGE is enough
RELAXED_COVERAGE = 0.2
COVERAGE_POWER = 0.5
TITLE_BOOST = 0.7
# Headings are not weighed apart from the body: a field of them (the stored text's short lines
# that introduce a paragraph) lowered the dev sets at every weight tried, 0.05 to 1.2.
TAG_SHARE = 0.4  # a page tagged with the country scores this share of the concept's best
STEP_BOOST = 1.15
KIND_BOOST = 1.5
RECENT_BOOST = 0.2  # news and events: up to this much more when just published
RECENT_DAYS = 180.0
UNCHECKED_FACTOR = 0.8  # pages left « à vérifier »: searchable, after the journey's pages
FEEDBACK_PAGES = 8  # the best pages whose shared words are added
FEEDBACK_RERANK = 20  # the head of the list that those words reorder
FEEDBACK_TERMS = 15  # the words they share that are added
FEEDBACK_WEIGHT = 0.45  # the added words' share of the score
FEEDBACK_CANDIDATES = 60  # the most shared words, among which the rarest are kept
FEEDBACK_MIN_PAGES = 2  # a word counts when this many of the best pages hold it
FEEDBACK_MAX_SHARE = 0.1  # and when at most this share of all pages does (not « export »)


@dataclass
class Ranked:
    matched: np.ndarray  # bool per document: the list shown
    scores: np.ndarray  # float per document
    complete: int  # documents (among those allowed) holding every concept
    terms: frozenset[str]  # analysed words to highlight
    phrases: frozenset[tuple[str, ...]]  # analysed words to highlight where they follow
    unheld: int = 0  # concepts that no page holds (unknown or misspelt words)


def alternative_query(alternative: Alternative) -> Query:
    """The Whoosh query of one alternative over the text fields (the title's score, already
    weighted in the index, times TITLE_BOOST)."""
    boosts = {"title": TITLE_BOOST, "body": 1.0}
    if len(alternative.terms) == 1:
        return Or([Term(f, alternative.terms[0], boost=boosts[f]) for f in TEXT_FIELDS])
    return Or([Phrase(f, list(alternative.terms), boost=boosts[f]) for f in TEXT_FIELDS])


def rank(arrays: IndexArrays, understood: Understood, allowed: np.ndarray) -> Ranked:
    """Matches and scores of a query's concepts among the `allowed` documents."""
    size = arrays.size
    total = np.zeros(size, dtype=np.float32)
    weights = np.zeros(size, dtype=np.float32)
    weight_sum = 0.0
    unheld = 0
    required = allowed.copy()
    complete = allowed.copy()
    for concept in understood.concepts:
        matches, scores = concept_vector(arrays, concept, allowed)
        complete &= matches
        df = int(np.count_nonzero(matches & arrays.live))
        if not df and not concept.required:
            unheld += 1
            continue  # a word no page holds (unknown, or misspelt): it cannot be covered
        weight = concept.weight * (math.log(size / (df + 1)) + 1)
        weight_sum += weight
        weights += weight * matches
        total += concept.weight * scores
        if concept.required:
            required &= matches
    if weight_sum <= 0:
        nothing = np.zeros(size, dtype=bool)
        return Ranked(nothing, total, 0, frozenset(), frozenset(), unheld)
    coverage = weights / weight_sum
    matched = required & (coverage >= MIN_COVERAGE - 1e-6)
    if np.count_nonzero(matched) < FEW_RESULTS:
        # Few pages hold enough of the query (a rare word weighs most of it): those holding
        # less of it are listed too, their coverage still weighing on their score.
        matched = required & (coverage >= RELAXED_COVERAGE - 1e-6)
    if not matched.any():  # nothing holds enough of the query: the pages holding some of it
        matched = required & (coverage > 0)
    for alternative in understood.excluded:
        excluded, _ = arrays.evaluate(alternative_query(alternative), matched)
        matched &= ~excluded
        complete &= ~excluded
    scores = total * np.power(coverage, COVERAGE_POWER) * _priors(arrays, understood)
    terms, phrases = highlights(understood)
    if not understood.literal:
        typed = terms | {t for phrase in phrases for t in phrase}
        scores = with_feedback(arrays, matched, scores, typed)
    return Ranked(matched, scores, int(np.count_nonzero(complete)), terms, phrases, unheld)


def with_feedback(
    arrays: IndexArrays, matched: np.ndarray, scores: np.ndarray, typed: frozenset[str]
) -> np.ndarray:
    """The scores once the best pages' shared words have reordered the head of the list.

    Only the first FEEDBACK_RERANK pages are read (their titles and summaries, stored in the
    index): decoding the postings of the added words would cost more than the search itself
    at 50,000 pages. The pages read only gain, so they stay above the rest of the list.
    """
    head = np.array(arrays.top(matched, scores, FEEDBACK_RERANK), dtype=np.int64)
    if len(head) < FEEDBACK_MIN_PAGES or scores[head[0]] <= 0:
        return scores
    fields = [_stored_words(arrays, int(doc)) for doc in head]
    added = feedback_terms(arrays, [t | s for t, s in fields[:FEEDBACK_PAGES]], scores[head], typed)
    if not added:
        return scores
    scores = scores.copy()
    for doc, (title, summary) in zip(head, fields, strict=True):
        gain = sum(weight * (2.0 * (w in title) + (w in summary)) for w, weight in added.items())
        scores[doc] += np.float32(FEEDBACK_WEIGHT * gain)
    return scores


def _stored_words(arrays: IndexArrays, doc: int) -> tuple[set[str], set[str]]:
    """The analysed words of a page's stored title and summary."""
    stored = arrays.searcher.stored_fields(doc)
    return _words(stored.get("title") or ""), _words(stored.get("summary") or "")


def _words(text: str) -> set[str]:
    """The analysed words of a text, read piece by piece between spaces: the same pieces recur
    from page to page, so a cache serves most of them (a place name of several words comes out
    as its words, which feedback can do without)."""
    words: set[str] = set()
    for piece in set(text.split()):
        words.update(_piece_terms(piece))
    return words


@lru_cache(maxsize=200_000)
def _piece_terms(piece: str) -> tuple[str, ...]:
    return tuple(analysed(piece))


def feedback_terms(
    arrays: IndexArrays, pages: list[set[str]], scores: np.ndarray, typed: frozenset[str]
) -> dict[str, float]:
    """The words that the best pages share and the query lacks, with their weights (the
    pages' scores relative to the first, times the word's rarity): the FEEDBACK_TERMS most
    telling."""
    weight: dict[str, float] = {}
    holding: dict[str, int] = {}
    for words, score in zip(pages, scores, strict=False):
        share = float(score / scores[0])
        for word in words - typed:
            if len(word) >= 3 and " " not in word:  # not a joined synonym phrase
                weight[word] = weight.get(word, 0.0) + share
                holding[word] = holding.get(word, 0) + 1
    # Ties broken by the word: the same list in every process, whatever its hash seed.
    shared = sorted(
        (w for w in weight if holding[w] >= FEEDBACK_MIN_PAGES), key=lambda w: (weight[w], w)
    )
    ranked = []
    for word in shared[-FEEDBACK_CANDIDATES:]:  # the most shared: their rarity is looked up
        share = weight[word]
        df = arrays.doc_frequency("body", word)
        if 0 < df <= FEEDBACK_MAX_SHARE * arrays.size:
            idf = math.log(arrays.size / (df + 1)) + 1
            ranked.append((share * idf, idf, word))
    ranked.sort(reverse=True)
    return {word: idf for _, idf, word in ranked[:FEEDBACK_TERMS]}


def concept_vector(
    arrays: IndexArrays, concept: Concept, within: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The documents holding a concept (any alternative, or its place tag) and its score:
    the best alternative's."""
    matches = np.zeros(arrays.size, dtype=bool)
    scores = np.zeros(arrays.size, dtype=np.float32)
    for alternative in concept.alternatives:
        found, values = arrays.evaluate(alternative_query(alternative), within)
        matches |= found
        np.maximum(scores, values * found, out=scores)
    tag = _tag(concept)
    if tag is not None:
        tagged = np.zeros(arrays.size, dtype=bool)
        tagged[arrays.facet_value_docs(*tag)] = True
        tagged &= arrays.live
        best = float(scores.max()) if matches.any() else 1.0
        np.maximum(scores, np.float32(TAG_SHARE * best) * tagged, out=scores)
        # Named and tagged: the page is about the place, not only mentioning it.
        scores += np.float32(TAG_SHARE * best * 0.5) * (tagged & matches)
        matches |= tagged
    return matches, scores


def _tag(concept: Concept) -> tuple[str, str] | None:
    if concept.country:
        return "countries", concept.country
    if concept.region:
        return "regions", concept.region
    return None


def _priors(arrays: IndexArrays, understood: Understood) -> np.ndarray:
    """Per-document factors: the step asked for, recent news and events, pages to review."""
    factors = np.ones(arrays.size, dtype=np.float32)
    if "searchable" in arrays.searcher.schema:
        in_journey = arrays.matches(Term("relevant", True))
        factors[~in_journey] *= UNCHECKED_FACTOR
    if understood.step:
        factors[arrays.facet_value_docs("step", understood.step)] *= STEP_BOOST
    if understood.kind:
        factors[arrays.facet_value_docs("kind", understood.kind)] *= KIND_BOOST
    dated = arrays.column("date")
    timely = np.zeros(arrays.size, dtype=bool)
    for kind in ("news", "event"):
        timely[arrays.facet_value_docs("kind", kind)] = True
    timely &= dated > 0
    if timely.any():
        now = _ticks(datetime.now())
        age_days = np.clip((now - dated[timely].astype(np.float64)) / 864e9, 0, None)
        factors[timely] *= (1 + RECENT_BOOST * np.exp(-age_days / RECENT_DAYS)).astype(np.float32)
    return factors


def _ticks(moment: datetime) -> float:
    """Whoosh's DATETIME column value of a moment (100-nanosecond ticks since year 1)."""
    from whoosh.util.times import datetime_to_long

    return float(datetime_to_long(moment))


def highlights(understood: Understood) -> tuple[frozenset[str], frozenset[tuple[str, ...]]]:
    """The single words and the phrases of the query's concepts, as the snippets mark them."""
    alternatives = [a for concept in understood.concepts for a in concept.alternatives]
    words = frozenset(a.terms[0] for a in alternatives if len(a.terms) == 1)
    phrases = frozenset(a.terms for a in alternatives if len(a.terms) > 1)
    return words, phrases
