"""Array views of one index generation: document sets, BM25F scores and facet counts in numpy.

Whoosh stores, analyses and parses; but its pure-Python matchers walk every match of a query
one posting at a time, which costs hundreds of milliseconds on 50,000 pages (FIELD-NOTES). Here
each term's postings are decoded once per generation, a whole block at a time, into arrays of
document numbers and weights. A parsed query then becomes vector operations over all documents
(a boolean mask of matches and a float score per document), so the exact total, the ranking and
every facet count of a search cost milliseconds, whatever the number of matches.

Scores follow Whoosh's own BM25F (same idf, B and K1, field boosts already in the weights), so
the ranking is the one `searcher.search()` would give. Phrases check word positions here, only
in the documents that hold every word (and only among the rest of the query's matches when
those are fewer), and score as the sum of their words; other query types (date ranges) keep
Whoosh's matchers for their document set, cached.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, AndMaybe, AndNot, Every, Not, NullQuery, Or, Phrase, Query, Term
from whoosh.util.numeric import byte_to_length

from indexer.analysis import JOINER, JoinedPhrases, joined_phrases

B, K1 = 0.75, 1.2  # Whoosh's BM25F defaults
LENGTHS = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)
FREQUENCIES_KEPT = 100_000  # terms whose document frequency is remembered
MAX_POSTINGS = 6_000_000  # postings kept decoded per generation (8 bytes each)

Vector = tuple[np.ndarray, np.ndarray]  # (matches: bool[N], scores: float32[N])


class IndexArrays:
    """Decoded postings, field lengths, sort columns and facets of one Whoosh searcher."""

    def __init__(self, searcher: Any, max_postings: int = MAX_POSTINGS):
        self.searcher = searcher
        self.size = searcher.doc_count_all()
        self.leaves = [(leaf.reader(), offset) for leaf, offset in searcher.leaf_searchers()]
        self.live = np.ones(self.size, dtype=bool)
        for reader, offset in self.leaves:
            if reader.has_deletions():
                alive = np.fromiter(reader.all_doc_ids(), dtype=np.int64)
                dead = np.setdiff1d(np.arange(reader.doc_count_all()), alive)
                self.live[dead + offset] = False
        self.max_postings = max_postings
        self._postings: OrderedDict[tuple[str, Any], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._held = 0
        self._sets: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lengths: dict[str, tuple[np.ndarray, float]] = {}
        self._columns: dict[str, np.ndarray] = {}
        self._facets: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = {}
        self._joins: dict[str, bool] = {}  # field → whether it holds joined phrases
        self._frequencies: OrderedDict[tuple[str, str], int] = OrderedDict()

    # -- postings -----------------------------------------------------------------------

    def postings(self, fieldname: str, text: Any) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers (int32, ascending) and weights (float32) of one term."""
        key = (fieldname, text)
        found = self._postings.get(key)
        if found is not None:
            self._postings.move_to_end(key)
            return found
        ids: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        for offset, matcher in self._leaf_matchers(fieldname, text):
            leaf_ids, leaf_weights = _decode(matcher)
            ids.append(leaf_ids + offset)
            weights.append(leaf_weights)
        found = (
            np.concatenate(ids).astype(np.int32) if ids else np.empty(0, np.int32),
            np.concatenate(weights).astype(np.float32) if weights else np.empty(0, np.float32),
        )
        self._postings[key] = found
        self._held += len(found[0]) + 1
        while self._held > self.max_postings and len(self._postings) > 1:
            _, (old, _) = self._postings.popitem(last=False)
            self._held -= len(old) + 1
        return found

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """How many documents hold a term (read from the term index, kept for the last
        FREQUENCIES_KEPT terms asked)."""
        key = (fieldname, text)
        found = self._frequencies.get(key)
        if found is not None:
            self._frequencies.move_to_end(key)
            return found
        found = self._frequencies[key] = int(self.searcher.doc_frequency(fieldname, text))
        if len(self._frequencies) > FREQUENCIES_KEPT:
            self._frequencies.popitem(last=False)
        return found

    def scores(self, fieldname: str, text: Any) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers and BM25F scores of one term (plain weights if not scorable)."""
        ids, weights = self.postings(fieldname, text)
        if not len(ids) or not self.searcher.schema[fieldname].scorable:
            return ids, weights
        lengths, average = self._field_lengths(fieldname)
        idf = math.log(self.size / (len(ids) + 1)) + 1
        norm = K1 * ((1 - B) + B * lengths[ids] / average)
        return ids, (idf * weights * (K1 + 1) / (weights + norm)).astype(np.float32)

    def _field_lengths(self, fieldname: str) -> tuple[np.ndarray, float]:
        found = self._lengths.get(fieldname)
        if found is None:
            lengths = np.zeros(self.size, dtype=np.float32)
            for reader, offset in self.leaves:
                perdoc = getattr(reader, "_perdoc", None)
                column = (
                    perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
                    if (perdoc is not None)
                    else None
                )
                if column is None:
                    continue
                # One byte per document, read at once (documents past the end have none).
                stored = min(reader.doc_count_all(), column._count)
                raw = np.frombuffer(column._dbfile.get(column._basepos, stored), dtype=np.uint8)
                lengths[offset : offset + len(raw)] = LENGTHS[raw]
            average = self.searcher.avg_field_length(fieldname) or 1.0
            found = (lengths, float(average))
            self._lengths[fieldname] = found
        return found

    # -- queries ------------------------------------------------------------------------

    def evaluate(self, query: Query | None, within: np.ndarray | None = None) -> Vector:
        """The documents a query matches (deleted ones excluded) and their scores.

        With `within`, the answer is exact only for those documents (the caller intersects
        with them anyway): costly parts such as phrases then only check those documents.
        """
        if query is None:
            return self.live.copy(), np.zeros(self.size, dtype=np.float32)
        if within is None:
            within = self.live
        matches, scores = self._vector(query, within & self.live)
        return matches & self.live, scores

    def matches(self, query: Query, within: np.ndarray | None = None) -> np.ndarray:
        return self.evaluate(query, within)[0]

    def _vector(self, query: Query, within: np.ndarray) -> Vector:
        if isinstance(query, Term):
            ids, values = self.scores(query.fieldname, query.text)
            matches = np.zeros(self.size, dtype=bool)
            matches[ids] = True
            scores = np.zeros(self.size, dtype=np.float32)
            scores[ids] = values * query.boost
            return matches, scores
        if isinstance(query, And):
            # Cheap parts first: each narrows the documents the costly ones must check.
            matches, total = within.copy(), np.zeros(self.size, dtype=np.float32)
            for sub in sorted(query.subqueries, key=_cost):
                part, scores = self._vector(sub, matches)
                matches &= part
                total += scores
            return matches, total * matches
        if isinstance(query, Or):
            matches, total = self._nothing()
            for sub in query.subqueries:
                part, scores = self._vector(sub, within)
                matches |= part
                total += scores
            return matches, total
        if isinstance(query, AndNot):
            positive, scores = self._vector(query.a, within)
            negative, _ = self._vector(query.b, within & positive)
            matches = positive & ~negative
            return matches, scores * matches
        if isinstance(query, AndMaybe):
            required, scores = self._vector(query.a, within)
            _, extra = self._vector(query.b, within & required)
            return required, (scores + extra) * required
        if isinstance(query, Not):
            inner, _ = self._vector(query.query, within)
            return ~inner, np.zeros(self.size, dtype=np.float32)
        if isinstance(query, Every):
            return np.ones(self.size, dtype=bool), np.zeros(self.size, dtype=np.float32)
        if query is NullQuery:
            return self._nothing()
        if isinstance(query, Phrase):
            matches = self._phrase_set(query, within)
            scores = np.zeros(self.size, dtype=np.float32)
            for word in query.words:
                ids, values = self.scores(query.fieldname, word)
                scores[ids] += values
            return matches, scores * matches * query.boost
        matches = self._as_mask(
            self._cached(
                repr(query),
                lambda: np.fromiter(self.searcher.docs_for_query(query), dtype=np.int32),
            )
        )
        return matches, matches.astype(np.float32) * getattr(query, "boost", 1.0)

    def _nothing(self) -> Vector:
        return np.zeros(self.size, dtype=bool), np.zeros(self.size, dtype=np.float32)

    def _as_mask(self, ids: np.ndarray) -> np.ndarray:
        matches = np.zeros(self.size, dtype=bool)
        matches[ids] = True
        return matches

    def _cached(self, key: str, compute: Any) -> np.ndarray:
        ids = self._sets.get(key)
        if ids is None:
            ids = compute()
            self._sets[key] = ids
            self._held += len(ids) + 1
            while self._held > self.max_postings and len(self._sets) > 1:
                _, old = self._sets.popitem(last=False)
                self._held -= len(old) + 1
        else:
            self._sets.move_to_end(key)
        return ids

    def _phrase_set(self, query: Phrase, within: np.ndarray) -> np.ndarray:
        """A phrase's documents: all of them (cached), or only those of `within` when they
        are few next to the documents holding every word."""
        key = repr(query)
        if key in self._sets:
            self._sets.move_to_end(key)
            return self._as_mask(self._sets[key])
        joined = self._joined(query)
        if joined is not None:  # a known phrase, one term of the index (JoinedPhrases)
            return self._as_mask(self.postings(query.fieldname, joined)[0])
        lists = [self.postings(query.fieldname, word)[0] for word in query.words]
        if not lists or any(not len(ids) for ids in lists):
            return self._nothing()[0]
        candidates = lists[0]
        for ids in sorted(lists[1:], key=len):
            candidates = np.intersect1d(candidates, ids, assume_unique=True)
        narrowed = candidates[within[candidates]]
        if len(narrowed) * 4 < len(candidates):
            return self._as_mask(self._phrase(query, narrowed))
        return self._as_mask(self._cached(key, lambda: self._phrase(query, candidates)))

    def _joined(self, query: Phrase) -> str | None:
        """The term under which this generation indexed the phrase, if it did: a variant of
        the synonyms, words in a row, in a field analysed with `JoinedPhrases`."""
        words = tuple(query.words)
        if query.slop != 1 or words not in joined_phrases().phrases:
            return None
        joins = self._joins.get(query.fieldname)
        if joins is None:
            field = self.searcher.schema[query.fieldname]
            items = getattr(getattr(field, "analyzer", None), "items", ())
            joins = self._joins[query.fieldname] = any(
                isinstance(item, JoinedPhrases) for item in items
            )
        return JOINER.join(words) if joins else None

    def _phrase(self, query: Phrase, candidates: np.ndarray) -> np.ndarray:
        """The candidates (each holding every word) where the words follow each other in
        order, at most `slop` positions apart."""
        if len(query.words) == 1 or not len(candidates):
            return candidates.astype(np.int32)
        # Each occurrence becomes one number: candidate index * SPAN + position.
        span = np.int64(1 << 32)
        occurrences = [
            self._occurrences(query.fieldname, word, candidates, span) for word in query.words
        ]
        reached = occurrences[0]
        for following in occurrences[1:]:
            steps = [reached + gap for gap in range(1, max(1, query.slop) + 1)]
            reached = np.intersect1d(
                np.concatenate(steps) if len(steps) > 1 else steps[0], following
            )
            if not len(reached):
                break
        return candidates[np.unique(reached // span)].astype(np.int32)

    def _occurrences(
        self, fieldname: str, word: str, docs: np.ndarray, span: np.int64
    ) -> np.ndarray:
        """Index-in-`docs` * span + position, for each occurrence of the word in `docs`."""
        decode = self.searcher.schema[fieldname].format.decode_positions
        values: list[bytes] = []
        for offset, matcher in self._leaf_matchers(fieldname, word):
            if isinstance(matcher, W3LeafMatcher):
                while not matcher._atend:  # only the blocks that hold wanted documents
                    matcher._read_ids()
                    block = np.asarray(matcher._ids, dtype=np.int64) + offset
                    wanted = np.flatnonzero(np.isin(block, docs, assume_unique=True))
                    if len(wanted):
                        matcher._read_values()
                        values.extend(matcher._values[j] for j in wanted)
                    matcher._next_block()
            else:
                while matcher.is_active():
                    if np.isin(matcher.id() + offset, docs):
                        values.append(matcher.value())
                    matcher.next()
        positions = [decode(value) for value in values]
        index = np.repeat(np.arange(len(positions), dtype=np.int64), [len(p) for p in positions])
        flat = np.fromiter((p for ps in positions for p in ps), dtype=np.int64, count=len(index))
        return index * span + flat

    def _leaf_matchers(self, fieldname: str, text: Any) -> Iterator[tuple[int, Any]]:
        """(document offset, raw matcher) of each segment holding the term; deleted documents
        are left in (the `live` mask drops them)."""
        for reader, offset in self.leaves:
            if (fieldname, text) in reader:
                matcher = reader.postings(fieldname, text)
                yield offset, matcher.child if isinstance(matcher, FilterMatcher) else matcher

    # -- ranking ------------------------------------------------------------------------

    def top(
        self, matches: np.ndarray, keys: np.ndarray, limit: int, descending: bool = True
    ) -> list[int]:
        """The first `limit` matching documents ordered by key (ties: index order)."""
        docs = np.flatnonzero(matches)
        if not len(docs) or limit <= 0:
            return []
        values = keys[docs]
        if descending:
            values = -values.astype(np.float64) if values.dtype.kind == "f" else ~values
        limit = min(limit, len(docs))
        if limit < len(docs):
            chosen = np.argpartition(values, limit - 1)[:limit]
            docs, values = docs[chosen], values[chosen]
        order = np.lexsort((docs, values))
        return [int(d) for d in docs[order]]

    def column(self, fieldname: str) -> np.ndarray:
        """A sortable field's keys per document (uint64); documents without it get 0."""
        found = self._columns.get(fieldname)
        if found is None:
            found = np.zeros(self.size, dtype=np.uint64)
            fieldobj = self.searcher.schema[fieldname]
            missing = getattr(fieldobj, "default", None)
            for reader, offset in self.leaves:
                if not reader.has_column(fieldname):
                    continue
                values = np.array(
                    list(reader.column_reader(fieldname, translate=False)), dtype=np.uint64
                )
                if isinstance(missing, int):
                    values[values == np.uint64(missing)] = 0
                found[offset : offset + len(values)] = values
            self._columns[fieldname] = found
        return found

    # -- facets -------------------------------------------------------------------------

    def facet_counts(self, fieldname: str, matches: np.ndarray) -> list[tuple[str, int]]:
        """(value, count) of a field's values among the matches, most frequent first."""
        values, docs, codes = self._facet(fieldname)
        if not values:
            return []
        counts = np.bincount(codes[matches[docs]], minlength=len(values))
        pairs = [(values[i], int(counts[i])) for i in np.flatnonzero(counts)]
        pairs.sort(key=lambda vc: (-vc[1], vc[0]))
        return pairs

    def value_codes(self, fieldname: str) -> np.ndarray:
        """Per document, the number of its value of a one-value field (-1 without one): two
        documents with the same number have the same value."""
        key = f"codes:{fieldname}"
        found = self._columns.get(key)
        if found is None:
            _, docs, codes = self._facet(fieldname)
            found = np.full(self.size, -1, dtype=np.int64)
            found[docs] = codes
            self._columns[key] = found
        return found

    def facet_value_docs(self, fieldname: str, value: str) -> np.ndarray:
        return self.postings(fieldname, value)[0]

    def _facet(self, fieldname: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        found = self._facets.get(fieldname)
        if found is None:
            values: list[str] = []
            docs: list[np.ndarray] = []
            codes: list[np.ndarray] = []
            for raw in self.searcher.lexicon(fieldname):
                value = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
                if not value:
                    continue
                ids, _ = self.postings(fieldname, value)
                docs.append(ids)
                codes.append(np.full(len(ids), len(values), dtype=np.int32))
                values.append(value)
            found = (
                values,
                np.concatenate(docs) if docs else np.empty(0, np.int32),
                np.concatenate(codes) if codes else np.empty(0, np.int32),
            )
            self._facets[fieldname] = found
        return found


def _cost(query: Query) -> int:
    """1 for query parts that check positions or fall back to Whoosh, else 0."""
    leaves = [query] if query.is_leaf() else list(query.leaves())
    return int(any(not isinstance(leaf, Term) for leaf in leaves))


def _decode(matcher: Any) -> tuple[np.ndarray, np.ndarray]:
    """All postings of a segment's matcher; deleted documents are masked by the caller."""
    ids: list[Any] = []
    weights: list[Any] = []
    if isinstance(matcher, W3LeafMatcher):
        # Block by block: one unpickle per 128 postings instead of Python calls per posting.
        while not matcher._atend:
            matcher._read_ids()
            matcher._read_weights()
            ids.append(np.asarray(matcher._ids, dtype=np.int64))
            weights.append(np.asarray(matcher._weights, dtype=np.float32))
            matcher._next_block()
        return (
            np.concatenate(ids) if ids else np.empty(0, np.int64),
            np.concatenate(weights) if weights else np.empty(0, np.float32),
        )
    while matcher.is_active():  # inlined short lists
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32)
