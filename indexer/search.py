"""The search API: one entry point shared by the HTML pages and the JSON API.

`parse_query_args` turns request arguments into a `SearchQuery` (or raises `QueryError` with a
French message); `Searcher.search` answers it with the total, the page of hits with
highlighted snippets, facet counts that combine with the active filters, and a spelling
suggestion when the query matches little. One `Searcher` per process: it keeps one Whoosh
searcher open, refreshes it when the index changes, and caches results per index generation.
Matching, scoring and counting run on the generation's arrays (`indexer.arrays`); Whoosh
parses the query, stores the fields and highlights the ten shown hits.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any, cast

import numpy as np
from whoosh import index as whoosh_index
from whoosh import qparser
from whoosh.highlight import ContextFragmenter, HtmlFormatter, highlight
from whoosh.query import And, DateRange, NullQuery, Or, Query, Term

from indexer.analysis import fold
from indexer.arrays import IndexArrays
from indexer.index import current_generation, schema
from indexer.journey import KIND_IDS, STEP_IDS
from indexer.spelling import Speller
from indexer.synonyms import expand_synonyms
from portail.geo import regions

FACET_FIELDS = ("step", "kind", "provider", "region", "country", "sector")
INDEX_FIELD = {
    "step": "step",
    "kind": "kind",
    "provider": "provider",
    "region": "regions",
    "country": "countries",
    "sector": "sectors",
}
MAX_QUERY_CHARS = 500
MAX_PAGE = 1000
CACHE_SIZE = 512
REFRESH_SECONDS = 0.5
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
WORD = re.compile(r"\w+(?:['’.-]\w+)*")
LETTERS = re.compile(r"[^\W\d_]+")


class QueryError(ValueError):
    """Bad search parameters; the message is French and meant for the user."""


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    step: str | None = None
    kind: str | None = None
    provider: str | None = None
    country: str | None = None
    region: str | None = None
    sector: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    per_page: int = 10
    sort: str = "relevance"

    def filters(self) -> dict[str, str]:
        return {name: value for name in FACET_FIELDS if (value := getattr(self, name))}


@dataclass
class Hit:
    url: str
    title: str
    snippet: str
    description: str
    step: str | None
    steps: dict[str, float]
    kind: str
    provider: str
    source: str
    countries: list[str]
    regions: list[str]
    sectors: list[str]
    date: str | None
    language: str
    event: dict[str, Any] | None
    first_seen: str | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class SearchResults:
    query: SearchQuery
    total: int
    page: int
    pages: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    suggestion: str | None = None
    notice: str | None = None
    corrected: bool = False  # nothing matched the words typed: these are the suggestion's
    partial: bool = False  # no page had every word: these pages have some of them


def parse_query_args(args: Mapping[str, str]) -> SearchQuery:
    """Validate request arguments into a SearchQuery; QueryError names the bad one."""
    text = CONTROL_CHARS.sub(" ", args.get("q", "") or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"La recherche est trop longue ({MAX_QUERY_CHARS} caractères au plus).")
    page = _int(args.get("page"), "page", 1, MAX_PAGE, 1)
    per_page = _int(args.get("per_page"), "per_page", 1, 50, 10)
    step = _choice(args.get("step"), STEP_IDS, "étape")
    kind = _choice(args.get("kind"), KIND_IDS, "type de contenu")
    country = (args.get("country") or "").strip().upper() or None
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        raise QueryError("Le pays doit être un code ISO à deux lettres (par exemple « DE »).")
    region = (args.get("region") or "").strip() or None
    if region and region not in regions():
        raise QueryError(f"Code de région inconnu : « {region} ».")
    provider = (args.get("provider") or "").strip() or None
    if provider and len(provider) > 200:
        raise QueryError("Le nom de l'organisme est trop long.")
    sector = (args.get("sector") or "").strip() or None
    if sector and not re.fullmatch(r"[a-z0-9-]{1,60}", sector):
        raise QueryError(f"Secteur inconnu : « {sector} ».")
    sort = (args.get("sort") or "relevance").strip()
    if sort not in ("relevance", "date"):
        raise QueryError("Le tri doit être « relevance » (pertinence) ou « date ».")
    return SearchQuery(
        text=text,
        step=step,
        kind=kind,
        provider=provider,
        country=country,
        region=region,
        sector=sector,
        date_from=_date(args.get("date_from")),
        date_to=_date(args.get("date_to")),
        page=page,
        per_page=per_page,
        sort=sort,
    )


def _int(raw: str | None, name: str, low: int, high: int, default: int) -> int:
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise QueryError(f"Le paramètre « {name} » doit être un nombre entier.") from None
    if not low <= value <= high:
        raise QueryError(f"Le paramètre « {name} » doit être compris entre {low} et {high}.")
    return value


def _choice(raw: str | None, allowed: tuple[str, ...], label: str) -> str | None:
    value = (raw or "").strip() or None
    if value and value not in allowed:
        raise QueryError(f"Valeur inconnue pour le {label} : « {value} ».")
    return value


def _date(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise QueryError(f"Date invalide : « {raw} » (format attendu : AAAA-MM-JJ).") from None


class MarkFormatter(HtmlFormatter):
    """Highlights as bare <mark> elements; Whoosh escapes all the text around them."""

    template = "<%(tag)s>%(t)s</%(tag)s>"

    def __init__(self) -> None:
        super().__init__(tagname="mark", between=" … ")


class Searcher:
    """Searches the live index generation; safe to share between threads."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self._lock = threading.RLock()
        self._ix: Any = None
        self._path: Path | None = None
        self._searcher: Any = None
        self._checked = 0.0
        self._arrays: IndexArrays | None = None
        self._speller: Speller | None = None
        self._cache: OrderedDict[Any, Any] = OrderedDict()
        self._parser = self._make_parser()
        self._analyzer = schema()["body"].analyzer

    # -- index generations --------------------------------------------------------------

    def _current(self) -> Any:
        """The up-to-date Whoosh searcher, or None when there is no index yet."""
        now = time.monotonic()
        if self._searcher is not None and now - self._checked < REFRESH_SECONDS:
            return self._searcher
        self._checked = now
        path = current_generation(self.data_dir)
        if path is None:
            return None
        if path != self._path:
            if self._searcher is not None:
                self._searcher.close()
            self._ix = whoosh_index.open_dir(path)
            self._path = path
            self._searcher = self._ix.searcher()
            self._forget()
        elif not self._searcher.up_to_date():
            self._searcher = self._searcher.refresh()
            self._forget()
        return self._searcher

    @property
    def _live(self) -> IndexArrays:
        """The live generation's arrays (set whenever `_current()` found an index)."""
        if self._arrays is None:
            raise RuntimeError("no index generation is open")
        return self._arrays

    def _forget(self) -> None:
        """A new index generation: every cached result and decoded posting is stale."""
        self._cache.clear()
        self._arrays = IndexArrays(self._searcher)
        self._speller = None

    # -- queries ------------------------------------------------------------------------

    @staticmethod
    def _make_parser() -> qparser.QueryParser:
        parser = qparser.MultifieldParser(["title", "body"], schema(), group=qparser.AndGroup)
        for plugin in (
            qparser.FieldsPlugin,
            qparser.WildcardPlugin,
            qparser.RangePlugin,
            qparser.BoostPlugin,
            qparser.EveryPlugin,
            qparser.PlusMinusPlugin,
        ):
            parser.remove_plugin_class(plugin)
        return parser

    def _text_query(self, text: str) -> tuple[Query | None, str | None]:
        """Parse the user's words; a malformed query degrades to its plain words."""
        if not text:
            return None, None
        expanded = expand_synonyms(text)
        try:
            parsed = self._parser.parse(expanded)
        except Exception:  # Whoosh's parser raises many kinds on odd input
            parsed = None
        if parsed is None or parsed is NullQuery or _has_error(parsed):
            words = " ".join(WORD.findall(text))
            parsed = self._parser.parse(expand_synonyms(words)) if words else NullQuery
            notice = "Votre recherche a été simplifiée : seuls ses mots ont été pris en compte."
            return (None if parsed is NullQuery else parsed), notice
        return (None if parsed is NullQuery else parsed), None

    @staticmethod
    def _filter_query(q: SearchQuery) -> Query:
        parts: list[Query] = [Term("relevant", True)]
        for name, value in q.filters().items():
            parts.append(Term(INDEX_FIELD[name], value))
        if q.date_from or q.date_to:
            start = datetime.combine(q.date_from, datetime.min.time()) if q.date_from else None
            end = datetime.combine(q.date_to, datetime.max.time()) if q.date_to else None
            parts.append(DateRange("date", start, end))
        return And(parts)

    def search(self, q: SearchQuery) -> SearchResults:
        with self._lock:
            s = self._current()
            if s is None:
                return SearchResults(
                    q,
                    0,
                    q.page,
                    0,
                    [],
                    {},
                    None,
                    "L'index est vide : aucune collecte n'a encore été indexée.",
                )
            return self._remembered(("search", q), lambda: self._search(s, q))

    def _remembered(self, key: Any, compute: Any) -> Any:
        """A result of the live generation, computed once (kept for the CACHE_SIZE last)."""
        key = (self._path, self._ix.latest_generation(), key)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        result = compute()
        self._cache[key] = result
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return result

    def _search(self, s: Any, q: SearchQuery, correcting: bool = True) -> SearchResults:
        arrays = self._live
        text_q, notice = self._text_query(q.text)
        if q.text and text_q is None:
            notice = notice or "Votre recherche ne contient que des mots trop courants."
        allowed = arrays.matches(self._filter_query(q))
        matched, scores, fell_back = allowed, None, False
        if text_q is not None:
            found, scores = arrays.evaluate(text_q, allowed)
            matched = allowed & found
            if not matched.any() and len(WORD.findall(q.text)) > 1:
                # No page has every word: fall back to pages with any of them.
                any_q = _any_of(text_q)
                found, any_scores = arrays.evaluate(any_q, allowed)
                if (allowed & found).any():
                    notice = (
                        "Aucune page ne contient tous vos mots : voici celles qui en "
                        "contiennent au moins un."
                    )
                    text_q, matched, scores = any_q, allowed & found, any_scores
                    fell_back = True
        total = int(np.count_nonzero(matched))
        pages = max(1, -(-total // q.per_page))
        page = min(q.page, pages)
        hits = self._page(s, matched, scores, text_q, q, page) if total else []
        facets = {name: arrays.facet_counts(INDEX_FIELD[name], matched) for name in FACET_FIELDS}
        # A word that matches nothing, or almost nothing found: perhaps a typo.
        suggestion = self._suggest(q, allowed) if q.text and (total < 3 or fell_back) else None
        if suggestion and (not total or fell_back) and correcting:
            fixed = self._search(s, replace(q, text=suggestion), correcting=False)
            if fixed.total and not fixed.partial:
                return replace(
                    fixed,
                    query=q,
                    suggestion=suggestion,
                    corrected=True,
                    notice=(
                        f"Aucune page ne contient « {q.text} » : voici les résultats pour "
                        f"« {suggestion} »."
                    ),
                )
        return SearchResults(
            q,
            total,
            page,
            pages if total else 0,
            hits,
            facets,
            suggestion,
            notice,
            partial=fell_back,
        )

    def _page(
        self,
        s: Any,
        matched: np.ndarray,
        scores: np.ndarray | None,
        text_q: Query | None,
        q: SearchQuery,
        page: int,
    ) -> list[Hit]:
        limit = page * q.per_page
        keys = self._live.column("date") if q.sort == "date" or scores is None else scores
        docs = self._live.top(matched, keys, limit)[(page - 1) * q.per_page : limit]
        terms = _highlight_terms(text_q)
        return [self._hit(s.stored_fields(doc), terms) for doc in docs]

    def _hit(self, stored: dict[str, Any], terms: frozenset[str] = frozenset()) -> Hit:
        summary = stored.get("summary", "") or ""
        snippet = ""
        if terms and summary:
            snippet = highlight(
                summary,
                terms,
                self._analyzer,
                ContextFragmenter(maxchars=220, surround=60),
                MarkFormatter(),
                top=2,
            )
        if not snippet:
            short = summary[:240]
            snippet = escape(short + ("…" if len(summary) > 240 else ""), quote=False)
        extra = json.loads(stored.get("extra") or "{}")
        when = stored.get("date")
        first = stored.get("first_seen")
        return Hit(
            url=stored["url"],
            title=stored.get("title", ""),
            snippet=snippet,
            description=stored.get("description", ""),
            step=stored.get("step") or None,
            steps=json.loads(stored.get("steps") or "{}"),
            kind=stored.get("kind", "other"),
            provider=stored.get("provider", ""),
            source=stored.get("source", ""),
            countries=_split(stored.get("countries")),
            regions=_split(stored.get("regions")),
            sectors=_split(stored.get("sectors")),
            date=when.date().isoformat() if isinstance(when, datetime) else None,
            language=stored.get("language", ""),
            event=extra.get("event"),
            first_seen=first.isoformat() if isinstance(first, datetime) else None,
            extra=extra,
        )

    def _suggest(self, q: SearchQuery, allowed: np.ndarray) -> str | None:
        """« Vouliez-vous dire … ? »: the query with its unknown words corrected, if the
        corrected query finds pages among those the filters allow."""
        if self._speller is None:
            self._speller = Speller(self._searcher.reader())
        fixes: dict[str, str] = {}
        for word in LETTERS.findall(q.text):
            better = self._speller.correct(word)
            if better:
                fixes[word] = better
        if not fixes:
            return None
        suggestion = LETTERS.sub(lambda m: fixes.get(m[0], m[0]), q.text)
        reparsed, _ = self._text_query(suggestion)
        if reparsed is None:
            return None
        arrays = self._live
        found, scores = arrays.evaluate(reparsed, allowed)
        best = arrays.top(found & allowed, scores, 1)
        if not best:
            return None
        # The index keeps words without accents: take their spelling from the best page.
        stored = self._searcher.stored_fields(best[0])
        spelt = {
            fold(w): w
            for w in LETTERS.findall(f"{stored.get('title', '')} {stored.get('summary', '')}")
        }
        for word, better in fixes.items():
            form = (
                spelt.get(better)
                or next(  # « douanières » spells « douanière »
                    (
                        spelt[plural][:-1]
                        for plural in (better + "s", better + "x")
                        if plural in spelt
                    ),
                    better,
                )
            )
            fixes[word] = form[0].upper() + form[1:] if word[0].isupper() else form.lower()
        return LETTERS.sub(lambda m: fixes.get(m[0], m[0]), q.text)

    # -- browsing helpers ---------------------------------------------------------------

    def counts(self, facet: str, **filters: str) -> dict[str, int]:
        """Counts of relevant pages per value of a facet, within optional filters."""
        query = _browsing(filters)
        with self._lock:
            if self._current() is None:
                return {}
            matched = self._live.matches(self._filter_query(query))
            return dict(self._live.facet_counts(INDEX_FIELD[facet], matched))

    def latest(self, n: int, **filters: str) -> list[Hit]:
        """The n pages first seen most recently."""
        query = _browsing(filters)
        return self._browse(
            ("latest", n, query),
            lambda arrays: arrays.top(
                arrays.matches(self._filter_query(query)), arrays.column("first_seen"), n
            ),
        )

    def upcoming_events(self, n: int, today: date, **filters: str) -> list[Hit]:
        """The next n events that have not ended, soonest first (undated starts last)."""
        query = _browsing({**filters, "kind": "event"})
        start = datetime.combine(today, datetime.min.time())

        def soonest(arrays: IndexArrays) -> list[int]:
            full = And([self._filter_query(query), DateRange("event_end", start, None)])
            starts = arrays.column("event_start")
            keys = np.where(starts == 0, np.iinfo(np.uint64).max, starts).astype(np.uint64)
            return arrays.top(arrays.matches(full), keys, n, descending=False)

        return self._browse(("upcoming", n, today, query), soonest)

    def _browse(self, key: Any, select: Callable[[IndexArrays], list[int]]) -> list[Hit]:
        """The hits of the documents `select` picks, kept for the generation."""
        with self._lock:
            s = self._current()
            if s is None:
                return []
            arrays = self._live
            hits = self._remembered(
                key, lambda: [self._hit(s.stored_fields(doc)) for doc in select(arrays)]
            )
            return list(hits)

    def get(self, url: str) -> Hit | None:
        with self._lock:
            s = self._current()
            if s is None:
                return None
            stored = s.document(url=url)
            return self._hit(stored) if stored else None


def _browsing(filters: Mapping[str, str]) -> SearchQuery:
    """A query of filters only (facet names as keys), for the browsing helpers."""
    return SearchQuery(**cast(dict[str, Any], dict(filters)))


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def _highlight_terms(query: Query | None) -> frozenset[str]:
    """The analysed words of a query's text fields, for the highlighter."""
    if query is None:
        return frozenset()
    return frozenset(
        text
        for field, text in query.all_terms()
        if field in ("title", "body") and isinstance(text, str)
    )


def _has_error(query: Query) -> bool:
    return (
        any(type(q).__name__ == "ErrorQuery" for q in query.leaves())
        if hasattr(query, "leaves")
        else False
    )


def _any_of(query: Query) -> Query:
    """The same words, any of them (an AND of terms becomes an OR)."""
    if isinstance(query, And):
        return Or(list(query.subqueries))
    return query
