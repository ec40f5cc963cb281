"""The search API: one entry point shared by the HTML pages and the JSON API.

`parse_query_args` turns request arguments into a `SearchQuery` (or raises `QueryError` with a
French message); `Searcher.search` answers it with the total, the page of hits with
highlighted snippets, facet counts that combine with the active filters, and a spelling
suggestion when the query matches little. One `Searcher` per process: it keeps one Whoosh
searcher open, refreshes it when the index changes, and caches results per index generation.
Matching, scoring and counting run on the generation's arrays (`indexer.arrays`); the query is
read by `indexer.understand` and the shown hits highlighted by `indexer.snippets`; Whoosh
stores the fields and the postings the arrays are decoded from.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, cast

import numpy as np
from whoosh import index as whoosh_index
from whoosh.query import And, DateRange, Query, Term

from indexer.analysis import fold
from indexer.arrays import IndexArrays
from indexer.index import current_generation
from indexer.journey import KIND_IDS, kind_labels, steps
from indexer.ranking import Ranked, rank
from indexer.sectors import sectors
from indexer.snippets import make_snippet
from indexer.spelling import Speller, edits
from indexer.understand import Understood, understand
from portail.actors import ACTORS, DEFAULT_ACTOR
from portail.geo import country_name, region_name, regions

FACET_FIELDS = ("step", "kind", "provider", "actor", "region", "country", "sector")
INDEX_FIELD = {
    "step": "step",
    "kind": "kind",
    "provider": "provider",
    "actor": "actor",
    "region": "regions",
    "country": "countries",
    "sector": "sectors",
}
MAX_QUERY_CHARS = 500
MAX_PAGE = 1000
CACHE_SIZE = 512
REFRESH_SECONDS = 0.5
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
LETTERS = re.compile(r"[^\W\d_]+")
FEW = 5  # a query whose words are all on fewer pages may be misspelt
BETTER = 3  # a correction is applied when it finds this many times more complete matches


class QueryError(ValueError):
    """Bad search parameters; the message is French and meant for the user. `parameter` names
    the argument at fault and `accepted` lists the values it takes when they form a closed
    list (the JSON errors give both)."""

    def __init__(self, message: str, parameter: str | None = None, accepted: Iterable[str] = ()):
        super().__init__(message)
        self.parameter = parameter
        self.accepted = list(accepted)


LISTED = 30  # a closed list longer than this is described, not spelt out, in a message


def unknown_value(
    parameter: str, value: str, accepted: Mapping[str, str], described: str = ""
) -> QueryError:
    """The error of a closed-list filter given a value it does not know: the one rule of
    every page (400, naming the parameter and the values it accepts)."""
    shown = value if len(value) <= 40 else value[:40] + "…"
    listing = described or ", ".join(
        f"{v} ({label})" if label and label != v else v for v, label in accepted.items()
    )
    if len(accepted) > LISTED and not described:
        listing = ", ".join(list(accepted)[:LISTED]) + "…"
    return QueryError(
        f"Valeur inconnue pour le paramètre « {parameter} » : « {shown} ». "
        f"Valeurs acceptées : {listing}.",
        parameter,
        accepted,
    )


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    step: str | None = None
    kind: str | None = None
    provider: str | None = None
    actor: str | None = None
    country: str | None = None
    region: str | None = None
    sector: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    per_page: int = 10
    sort: str = "relevance"
    literal: bool = False  # the words as typed: no synonyms, places, steps or correction

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
    updated: str | None = None  # the date the page gives itself (modified, else published)
    actor: str = DEFAULT_ACTOR


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
    # The words typed found little, or one of them is on no page: these are the suggestion's.
    corrected: bool = False
    partial: bool = False  # no page had every word: these pages have most of them
    complete: int = 0  # pages holding every word of the query
    understood: Understood | None = None


def parse_query_args(args: Mapping[str, str]) -> SearchQuery:
    """Validate request arguments into a SearchQuery; QueryError names the bad one."""
    text = CONTROL_CHARS.sub(" ", args.get("q", "") or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"La recherche est trop longue ({MAX_QUERY_CHARS} caractères au plus).", "q"
        )
    page = _int(args.get("page"), "page", 1, MAX_PAGE, 1)
    per_page = _int(args.get("per_page"), "per_page", 1, 50, 10)
    step = _choice(args, "step", {s.id: s.label for s in steps()})
    kind = _choice(args, "kind", {k: kind_labels().get(k, k) for k in KIND_IDS})
    country = _choice(args, "country", iso_countries(), COUNTRY_HELP, upper=True)
    region = _choice(args, "region", {code: region_name(code) for code in regions()})
    provider = (args.get("provider") or "").strip() or None
    if provider and len(provider) > 200:
        raise QueryError("Le nom de l'organisme est trop long.", "provider")
    actor = _choice(args, "actor", ACTORS)
    sector = _choice(args, "sector", sectors())
    sort = _choice(args, "sort", SORTS) or "relevance"
    literal = _choice(args, "literal", LITERAL) or ""
    return SearchQuery(
        text=text,
        step=step,
        kind=kind,
        provider=provider,
        actor=actor,
        country=country,
        region=region,
        sector=sector,
        date_from=_date(args.get("date_from"), "date_from"),
        date_to=_date(args.get("date_to"), "date_to"),
        page=page,
        per_page=per_page,
        sort=sort,
        literal=literal == "1",
    )


def _int(raw: str | None, name: str, low: int, high: int, default: int) -> int:
    if raw in (None, ""):
        return default
    digits = str(raw).strip()
    # Plain ASCII digits only: int() would also take « +10 », « 1_0 » or Arabic-Indic digits,
    # which no link of ours writes and which would make two addresses for one page.
    if not digits.isascii() or not digits.isdigit():
        raise QueryError(f"Le paramètre « {name} » doit être un nombre entier.", name)
    value = int(digits)
    if not low <= value <= high:
        raise QueryError(f"Le paramètre « {name} » doit être compris entre {low} et {high}.", name)
    return value


SORTS = {"relevance": "pertinence", "date": "date, la plus récente d'abord"}
LITERAL = {"1": "les mots tels que saisis", "0": "la recherche comprise"}
COUNTRY_HELP = "un code de pays ISO 3166-1 à deux lettres, par exemple DE (Allemagne) ou JP (Japon)"


@cache
def iso_countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 codes → French names: the values the country filter accepts."""
    import pycountry

    return {c.alpha_2: country_name(c.alpha_2) for c in pycountry.countries}


def _choice(
    args: Mapping[str, str],
    name: str,
    accepted: Mapping[str, str],
    described: str = "",
    upper: bool = False,
) -> str | None:
    """A closed-list argument: None when absent, else a value of `accepted` (or QueryError)."""
    value = (args.get(name) or "").strip() or None
    if value and upper:
        value = value.upper()
    if value and value not in accepted:
        raise unknown_value(name, value, accepted, described)
    return value


def _date(raw: str | None, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise QueryError(
            f"Date invalide pour le paramètre « {name} » : « {raw} » "
            "(format attendu : AAAA-MM-JJ).",
            name,
        ) from None


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
        self._speller_ready: Future[Speller] | None = None
        self._cache: OrderedDict[Any, Any] = OrderedDict()

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = self._ix = self._arrays = None
            self._path = None

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
        # The vocabulary for corrections is read in the background, from a reader of its own
        # (a third of a second at 50,000 pages): the first misspelt query need not wait.
        self._speller_ready = _in_background(Speller, self._ix.reader())

    # -- queries ------------------------------------------------------------------------

    def _filter_query(self, q: SearchQuery, searching: bool = False) -> Query:
        """The filters of a query over the journey's pages; `searching` adds the pages left
        « à vérifier » (kept out of the journey, but found by a search)."""
        wider = searching and "searchable" in self._ix.schema
        parts: list[Query] = [Term("searchable" if wider else "relevant", True)]
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
        allowed = arrays.matches(self._filter_query(q, searching=bool(q.text)))
        matched, scores, notice = allowed, None, None
        understood: Understood | None = None
        ranked: Ranked | None = None
        if q.text:
            understood = understand(q.text, literal=q.literal)
            if understood.empty:
                notice = "Votre recherche ne contient que des mots trop courants ou des signes."
                matched = np.zeros(arrays.size, dtype=bool)
            else:
                ranked = rank(arrays, understood, allowed)
                matched, scores = allowed & ranked.matched, ranked.scores
        total = int(np.count_nonzero(matched))
        complete = ranked.complete if ranked else total
        partial = bool(ranked and total and not complete and len(understood.concepts) > 1)  # type: ignore[union-attr]
        if partial:
            notice = (
                "Aucune page ne contient tous vos mots : voici celles qui en contiennent le plus."
            )
        if ranked and correcting and not q.literal and complete < FEW:
            fixed = self._corrected(s, q, allowed, complete, ranked.unheld)
            if fixed is not None:
                return fixed
        pages = max(1, -(-total // q.per_page))
        page = min(q.page, pages)
        marks = (ranked.terms, ranked.phrases) if ranked else (frozenset(), frozenset())
        hits = self._page(s, matched, scores, marks, q, page) if total else []
        facets = {name: arrays.facet_counts(INDEX_FIELD[name], matched) for name in FACET_FIELDS}
        return SearchResults(
            q,
            total,
            page,
            pages if total else 0,
            hits,
            facets,
            None,
            notice,
            partial=partial,
            complete=complete,
            understood=understood,
        )

    def _corrected(
        self, s: Any, q: SearchQuery, allowed: np.ndarray, complete: int, unheld: int = 0
    ) -> SearchResults | None:
        """The results of the query with its misspelt words corrected, when they hold many
        more pages with every word, or when a word typed is on no page at all (« trouver un
        distibuteur allemand » lists pages for « trouver » and « allemand » only); else None."""
        suggestion = self._suggest(q, allowed)
        if not suggestion:
            return None
        fixed = self._search(s, replace(q, text=suggestion), correcting=False)
        changed = [
            (a, b)
            for a, b in zip(LETTERS.findall(q.text), LETTERS.findall(suggestion), strict=False)
            if a != b
        ]
        better = fixed.complete >= max(BETTER * complete, 1) and fixed.complete > complete
        # A word on no page, among words that find pages: corrected when it is one edit away
        # from the correction (« distibuteur »), not two (« semences » is not « sciences »).
        slip = all(edits(fold(a), fold(b)) <= 1 for a, b in changed)
        if not (better or (unheld and slip and fixed.total and fixed.complete >= complete)):
            return None
        if complete:
            notice = f"Peu de pages contiennent « {q.text} » : voici les résultats pour "
        else:
            words = _each([a for a, _ in changed] if unheld and changed else [q.text])
            notice = f"Aucune page ne contient {words} : voici les résultats pour "
        return replace(
            fixed,
            query=q,
            suggestion=suggestion,
            corrected=True,
            notice=f"{notice}« {suggestion} ».",
        )

    def _page(
        self,
        s: Any,
        matched: np.ndarray,
        scores: np.ndarray | None,
        marks: tuple[frozenset[str], frozenset[tuple[str, ...]]],
        q: SearchQuery,
        page: int,
    ) -> list[Hit]:
        limit = page * q.per_page
        keys = self._live.column("date") if q.sort == "date" or scores is None else scores
        docs = self._live.top(matched, keys, limit)[(page - 1) * q.per_page : limit]
        return [self._hit(s.stored_fields(doc), *marks) for doc in docs]

    def _hit(
        self,
        stored: dict[str, Any],
        terms: frozenset[str] = frozenset(),
        phrases: frozenset[tuple[str, ...]] = frozenset(),
    ) -> Hit:
        summary = stored.get("summary", "") or ""
        snippet = make_snippet(summary, terms, phrases)
        extra = json.loads(stored.get("extra") or "{}")
        when = stored.get("date")
        first = stored.get("first_seen")
        updated = stored.get("updated")
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
            updated=updated.date().isoformat() if isinstance(updated, datetime) else None,
            actor=stored.get("actor") or DEFAULT_ACTOR,
        )

    def _suggest(self, q: SearchQuery, allowed: np.ndarray) -> str | None:
        """« Vouliez-vous dire … ? »: the query with its unknown words corrected, if the
        corrected query finds pages among those the filters allow."""
        if self._speller is None:
            ready = self._speller_ready
            self._speller = ready.result() if ready else Speller(self._searcher.reader())
        fixes: dict[str, str] = {}
        for word in LETTERS.findall(q.text):
            better = self._speller.correct(word)
            if better:
                fixes[word] = better
        if not fixes:
            return None
        suggestion = LETTERS.sub(lambda m: fixes.get(m[0], m[0]), q.text)
        understood = understand(suggestion)
        if understood.empty:
            return None
        arrays = self._live
        ranked = rank(arrays, understood, allowed)
        best = arrays.top(ranked.matched & allowed, ranked.scores, 1)
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

    def latest(self, n: int, today: date | None = None, **filters: str) -> list[Hit]:
        """The n newest pages by the dates they give themselves (a date after `today` is no
        date; undated pages last, by when they were first seen), no body taking more than its
        share (`varied`)."""
        query = _browsing(filters)

        def newest(arrays: IndexArrays) -> list[int]:
            matches = arrays.matches(self._filter_query(query))
            own = matches & (arrays.column("updated") > 0)
            if today is not None:
                until = datetime.combine(today, datetime.max.time())
                own &= arrays.matches(DateRange("updated", None, until))
            pool = max(n * LATEST_POOL, n)
            dated = arrays.top(own, arrays.column("updated"), pool)
            rest = arrays.top(matches & ~own, arrays.column("first_seen"), pool)
            bodies = arrays.value_codes("provider")
            candidates = [*dated, *rest]
            return varied(candidates, [int(bodies[d]) for d in candidates], n)

        return self._browse(("latest", n, today, query), newest)

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

    def past_events(self, n: int, today: date, **filters: str) -> list[Hit]:
        """The last n events that ended before `today`, the latest first."""
        query = _browsing({**filters, "kind": "event"})
        start = datetime.combine(today, datetime.min.time())

        def latest(arrays: IndexArrays) -> list[int]:
            ended = DateRange("event_end", None, start, endexcl=True)
            full = And([self._filter_query(query), ended])
            return arrays.top(arrays.matches(full), arrays.column("event_start"), n)

        return self._browse(("past", n, today, query), latest)

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


LATEST_POOL = 10  # candidates read per place in a list of latest pages


def _in_background(build: Callable[[Any], Speller], reader: Any) -> Future[Speller]:
    """`build(reader)` run by a daemon thread; its result (or its error) in the future."""
    future: Future[Speller] = Future()

    def run() -> None:
        try:
            future.set_result(build(reader))
        except BaseException as exc:  # handed to the query that waits for it
            future.set_exception(exc)

    threading.Thread(target=run, name="portail-speller", daemon=True).start()
    return future


def varied(docs: list[int], bodies: list[int], n: int) -> list[int]:
    """The first n of `docs` (newest first) with no body over its fair share: n divided by
    the number of bodies among the candidates, rounded up; shares grow only when the other
    bodies run out. The order of `docs` is kept."""
    share = -(-n // max(1, len(set(bodies))))
    chosen: set[int] = set()
    while len(chosen) < min(n, len(docs)):
        taken = Counter(bodies[i] for i in chosen)
        for i, body in enumerate(bodies):
            if len(chosen) >= n:
                break
            if i not in chosen and taken[body] < share:
                chosen.add(i)
                taken[body] += 1
        share += 1
    return [docs[i] for i in sorted(chosen)]


def _browsing(filters: Mapping[str, str]) -> SearchQuery:
    """A query of filters only (facet names as keys), for the browsing helpers."""
    return SearchQuery(**cast(dict[str, Any], dict(filters)))


def _each(words: list[str]) -> str:
    """« a », « b » ni « c »: words named one by one, as a negative sentence lists them."""
    quoted = [f"« {w} »" for w in dict.fromkeys(words)]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} ni {quoted[-1]}"


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]
