"""The search API: one entry point shared by the HTML pages and the JSON API.

`parse_query_args` turns request arguments into a `SearchQuery` (or raises `QueryError` with a
French message); `Searcher.search` answers it with the total, the page of hits with
highlighted snippets, facet counts that combine with the active filters, and a spelling
suggestion when the query matches little. One `Searcher` per process: it keeps one Whoosh
searcher open, refreshes it when the index changes, and caches results per index generation.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import qparser
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.query import And, DateRange, Every, NullQuery, Or, Query, Term

from indexer.index import current_generation, schema
from indexer.journey import KIND_IDS, STEP_IDS
from indexer.synonyms import expand_synonyms
from portail.geo import regions

FACET_FIELDS = ("step", "kind", "provider", "region", "country", "sector")
INDEX_FIELD = {"step": "step", "kind": "kind", "provider": "provider", "region": "regions",
               "country": "countries", "sector": "sectors"}
MAX_QUERY_CHARS = 500
MAX_PAGE = 1000
CACHE_SIZE = 512
MAX_CACHED_DOCS = 2_000_000  # document numbers kept in the term and filter set cache
REFRESH_SECONDS = 0.5
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
WORD = re.compile(r"\w+(?:['’.-]\w+)*")


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
    return SearchQuery(text=text, step=step, kind=kind, provider=provider, country=country,
                       region=region, sector=sector, date_from=_date(args.get("date_from")),
                       date_to=_date(args.get("date_to")), page=page, per_page=per_page,
                       sort=sort)


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
        self._cache: OrderedDict[Any, Any] = OrderedDict()
        self._sets: OrderedDict[Any, frozenset[int]] = OrderedDict()
        self._postings_cache: dict[str, dict[str, frozenset[int]]] = {}
        self._set_sizes = 0
        self._parser = self._make_parser()

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

    def _forget(self) -> None:
        """A new index generation: every cached result and document set is stale."""
        self._cache.clear()
        self._sets.clear()
        self._postings_cache.clear()
        self._set_sizes = 0

    # -- queries ------------------------------------------------------------------------

    @staticmethod
    def _make_parser() -> qparser.QueryParser:
        parser = qparser.MultifieldParser(["title", "body"], schema(), group=qparser.AndGroup)
        for plugin in (qparser.FieldsPlugin, qparser.WildcardPlugin, qparser.RangePlugin,
                       qparser.BoostPlugin, qparser.EveryPlugin, qparser.PlusMinusPlugin):
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
                return SearchResults(q, 0, q.page, 0, [], {}, None,
                                     "L'index est vide : aucune collecte n'a encore été indexée.")
            key = ("search", self._path, self._ix.latest_generation(), q)
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
            results = self._search(s, q)
            self._cache[key] = results
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            return results

    def _search(self, s: Any, q: SearchQuery) -> SearchResults:
        text_q, notice = self._text_query(q.text)
        if q.text and text_q is None:
            notice = notice or "Votre recherche ne contient que des mots trop courants."
        allowed = self._docs(s, self._filter_query(q))
        matched = allowed & self._docs(s, text_q) if text_q is not None else allowed
        if text_q is not None and not matched and len(WORD.findall(q.text)) > 1:
            # No page has every word: fall back to pages with any of them.
            any_q = _any_of(text_q)
            matched = allowed & self._docs(s, any_q)
            if matched:
                notice = ("Aucune page ne contient tous vos mots : voici celles qui en "
                          "contiennent au moins un.")
                text_q = any_q
        total = len(matched)
        pages = max(1, -(-total // q.per_page))
        page = min(q.page, pages)
        hits = self._page(s, matched, text_q, q, page) if total else []
        facets = self._facets(s, matched)
        suggestion = self._suggest(s, q, text_q) if q.text and total < 3 else None
        return SearchResults(q, total, page, pages if total else 0, hits, facets, suggestion,
                             notice)

    def _docs(self, s: Any, query: Query) -> frozenset[int]:
        """The documents matching a query, from per-generation caches of its parts.

        Terms, phrases and filters recur from one query to the next: their document sets are
        cached, and AND / OR combine them with set operations instead of matchers.
        """
        if isinstance(query, And):
            parts = sorted((self._docs(s, sub) for sub in query.subqueries), key=len)
            return parts[0].intersection(*parts[1:]) if parts else frozenset()
        if isinstance(query, Or):
            return frozenset().union(*(self._docs(s, sub) for sub in query.subqueries))
        key = ("docs", repr(query))
        cached = self._sets.get(key)
        if cached is None:
            cached = frozenset(s.docs_for_query(query))
            self._sets[key] = cached
            self._set_sizes += len(cached) + 1
            while self._set_sizes > MAX_CACHED_DOCS and len(self._sets) > 1:
                _, dropped = self._sets.popitem(last=False)
                self._set_sizes -= len(dropped) + 1
        else:
            self._sets.move_to_end(key)
        return cached

    def _page(self, s: Any, matched: frozenset[int], text_q: Query | None, q: SearchQuery,
              page: int) -> list[Hit]:
        limit = page * q.per_page
        if q.sort == "date" or text_q is None:
            results = s.search(text_q or Every(), filter=set(matched), limit=limit,
                               sortedby="date", reverse=True)
        else:
            # No terms=True: recording matched terms for every hit is costly, and the
            # highlighter falls back to the query's own terms.
            results = s.search(text_q, filter=set(matched), limit=limit)
        results.fragmenter = ContextFragmenter(maxchars=220, surround=60)
        results.formatter = MarkFormatter()
        start = (page - 1) * q.per_page
        # Slicing, not list(results): len() would count every match exactly (slow).
        return [self._hit(hit.fields(), hit if text_q is not None else None)
                for hit in results[start:limit]]

    def _hit(self, stored: dict[str, Any], hit: Any = None) -> Hit:
        summary = stored.get("summary", "") or ""
        snippet = ""
        if hit is not None and summary:
            snippet = hit.highlights("body", text=summary, top=2)
        if not snippet:
            short = summary[:240]
            snippet = escape(short + ("…" if len(summary) > 240 else ""), quote=False)
        extra = json.loads(stored.get("extra") or "{}")
        when = stored.get("date")
        first = stored.get("first_seen")
        return Hit(
            url=stored["url"], title=stored.get("title", ""), snippet=snippet,
            description=stored.get("description", ""), step=stored.get("step") or None,
            steps=json.loads(stored.get("steps") or "{}"), kind=stored.get("kind", "other"),
            provider=stored.get("provider", ""), source=stored.get("source", ""),
            countries=_split(stored.get("countries")), regions=_split(stored.get("regions")),
            sectors=_split(stored.get("sectors")),
            date=when.date().isoformat() if isinstance(when, datetime) else None,
            language=stored.get("language", ""), event=extra.get("event"),
            first_seen=first.isoformat() if isinstance(first, datetime) else None, extra=extra)

    def _facets(self, s: Any, matched: frozenset[int]) -> dict[str, list[tuple[str, int]]]:
        out: dict[str, list[tuple[str, int]]] = {}
        for name in FACET_FIELDS:
            counts = []
            for value, docs in self._postings(s, INDEX_FIELD[name]).items():
                n = len(matched & docs)
                if n:
                    counts.append((value, n))
            counts.sort(key=lambda vc: (-vc[1], vc[0]))
            out[name] = counts
        return out

    def _postings(self, s: Any, fieldname: str) -> dict[str, frozenset[int]]:
        """Every value of a facet field with its documents, cached per index generation."""
        cached = self._postings_cache.get(fieldname)
        if cached is None:
            cached = {}
            for raw in s.lexicon(fieldname):
                value = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
                if value:
                    cached[value] = frozenset(s.docs_for_query(Term(fieldname, value)))
            self._postings_cache[fieldname] = cached
        return cached

    def _suggest(self, s: Any, q: SearchQuery, text_q: Query | None) -> str | None:
        """« Vouliez-vous dire … ? »: a corrected query that finds more pages."""
        try:
            parsed = text_q or self._parser.parse(q.text)
            corrected = s.correct_query(parsed, q.text, maxdist=2)
        except Exception:  # the corrector trips on odd queries: no suggestion then
            return None
        if corrected.query == parsed or not corrected.string.strip():
            return None
        suggestion = corrected.string
        if suggestion.strip().lower() == q.text.strip().lower():
            return None
        # The corrector spells whole words: parse them again to get their stems.
        reparsed, _ = self._text_query(suggestion)
        if reparsed is None:
            return None
        better = self._docs(s, And([reparsed, self._filter_query(q)]))
        return suggestion if better else None

    # -- browsing helpers ---------------------------------------------------------------

    def counts(self, facet: str, **filters: str) -> dict[str, int]:
        """Counts of relevant pages per value of a facet, within optional filters."""
        query = replace(SearchQuery(), **filters)
        with self._lock:
            s = self._current()
            if s is None:
                return {}
            matched = self._docs(s, self._filter_query(query))
            return dict(self._facets(s, matched)[facet])

    def latest(self, n: int, **filters: str) -> list[Hit]:
        query = replace(SearchQuery(), **filters)
        with self._lock:
            s = self._current()
            if s is None:
                return []
            results = s.search(self._filter_query(query), limit=n, sortedby="first_seen",
                               reverse=True)
            return [self._hit(hit.fields()) for hit in results]

    def upcoming_events(self, n: int, today: date, **filters: str) -> list[Hit]:
        query = replace(SearchQuery(), kind="event", **filters)
        start = datetime.combine(today, datetime.min.time())
        with self._lock:
            s = self._current()
            if s is None:
                return []
            full = And([self._filter_query(query), DateRange("event_end", start, None)])
            results = s.search(full, limit=n, sortedby="event_start")
            return [self._hit(hit.fields()) for hit in results]

    def get(self, url: str) -> Hit | None:
        with self._lock:
            s = self._current()
            if s is None:
                return None
            stored = s.document(url=url)
            return self._hit(stored) if stored else None


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def _has_error(query: Query) -> bool:
    return any(type(q).__name__ == "ErrorQuery" for q in query.leaves()) if hasattr(
        query, "leaves") else False


def _any_of(query: Query) -> Query:
    """The same words, any of them (an AND of terms becomes an OR)."""
    if isinstance(query, And):
        return Or(list(query.subqueries))
    return query

