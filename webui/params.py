"""One rule for the parameters of every browsing page, of the search and of their JSON twins.

- A closed-list filter (step, kind, region, country, sector, provider, sort, literal, the
  catalogue's aide and public) given a value it does not know: 400, with a French message that
  names the parameter and the values it accepts (`indexer.search.unknown_value`).
- A page number past the last page: 404, with a link back to page 1 (`PastLastPage`).
- A search text without a letter or a digit (« * », « ? », « ... »): no text at all, said in a
  notice; such a text never lists every page.
Malformed values (page=abc, month=mars, a date that is no date) stay a 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from flask import request, url_for

from indexer.search import QueryError, SearchQuery, SearchResults, parse_query_args, unknown_value
from webui import content

WILDCARD_NOTICE = (
    "« {text} » ne contient ni lettre ni chiffre : ce texte n'est pas cherché "
    "(« * » et « ? » ne remplacent pas des lettres ; tapez des mots)."
)


class PastLastPage(Exception):
    """A page number past the last page of a list (→ 404 with a link to page 1)."""

    def __init__(self, page: int, pages: int):
        there = "il n'y en a qu'une" if pages == 1 else f"il y en a {pages}"
        super().__init__(f"La page {page} n'existe pas : {there}.")
        self.page = page
        self.pages = pages


def check_page(page: int, pages: int) -> None:
    """Raise PastLastPage when `page` is past the last of `pages` (an empty list has one)."""
    if page > max(1, pages):
        raise PastLastPage(page, max(1, pages))


def first_page_url(external: bool = False) -> str:
    """This request's address without its page number (its page 1)."""
    args = {k: v for k, v in request.args.items(multi=False) if k != "page" and v}
    endpoint = request.endpoint or ""
    if not endpoint:
        return request.path
    return url_for(endpoint, **(request.view_args or {}), **_safe(args), _external=external)


def _safe(args: Mapping[str, str]) -> dict[str, str]:
    """Query arguments that url_for takes as such (its own options start with « _ »)."""
    return {k: v for k, v in args.items() if not k.startswith("_")}


def known_providers() -> dict[str, str]:
    """The organisations the provider filter accepts: those indexed, then the directory's."""
    from webui import directory

    names = [p.name for p in content.providers()]
    names += [n for partner in directory.directory().partners for n in partner.providers]
    return {name: name for name in sorted(dict.fromkeys(names), key=content.sort_key)}


def check_provider(value: str | None) -> None:
    known = known_providers()
    if value and value not in known:
        raise unknown_value("provider", value, known)


def parse(args: Mapping[str, str], names: tuple[str, ...] | None = None) -> SearchQuery:
    """The search arguments (only `names` when given), with the provider checked too."""
    if names is not None:
        args = {name: args.get(name, "") for name in names}
    query = parse_query_args(args)
    check_provider(query.provider)
    return query


def is_wildcard(text: str) -> bool:
    """A text with neither a letter nor a digit: « * », « ? », « ... », « -- »."""
    return bool(text) and not any(ch.isalnum() for ch in text)


def search_text(text: str) -> tuple[str, str | None]:
    """(the text to search, the notice explaining why it was dropped, if it was)."""
    if is_wildcard(text):
        return "", WILDCARD_NOTICE.format(text=text[:40])
    return text, None


def search(args: Mapping[str, str]) -> SearchResults:
    """The search shared by /recherche, its JSON twin and /api/search, under the rule."""
    query = parse(args)
    text, notice = search_text(query.text)
    if notice is None:
        results = content.searcher().search(query)
    else:
        query = replace(query, text=text)
        if query.filters() or query.date_from or query.date_to:
            results = replace(content.searcher().search(query), notice=notice)
        else:  # nothing left to search: never every page
            results = SearchResults(query, 0, 1, 1, [], {}, notice=notice)
    check_page(query.page, results.pages)
    return results


__all__ = ["PastLastPage", "QueryError", "check_page", "parse", "search", "search_text"]
