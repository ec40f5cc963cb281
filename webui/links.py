"""Links the pages build: facet links that keep the other filters, pages, safe redirects."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

from indexer.search import SearchQuery

# Arguments a search link carries over (anything else in the request is dropped).
SEARCH_ARGS = (
    "q",
    "step",
    "kind",
    "provider",
    "actor",
    "region",
    "country",
    "sector",
    "date_from",
    "date_to",
    "sort",
    "literal",
)
UNSAFE_PATH = re.compile(r"[\x00-\x1f\x7f\\]")


def search_args(args: Mapping[str, str], **changes: str | None) -> dict[str, str]:
    """The current search arguments with some changed (None removes one); page is reset."""
    out = {k: args[k] for k in SEARCH_ARGS if args.get(k)}
    for key, value in changes.items():
        if value:
            out[key] = value
        else:
            out.pop(key, None)
    if out.get("sort") == "relevance":
        del out["sort"]
    return out


def query_args(query: SearchQuery) -> dict[str, str]:
    """The normalised arguments of a parsed query (without its page)."""
    args = {"q": query.text, **query.filters()}
    if query.date_from:
        args["date_from"] = query.date_from.isoformat()
    if query.date_to:
        args["date_to"] = query.date_to.isoformat()
    if query.sort != "relevance":
        args["sort"] = query.sort
    if query.literal:
        args["literal"] = "1"
    return {k: v for k, v in args.items() if v}


def query_string(params: Mapping[str, str | int]) -> str:
    return ("?" + urlencode(params)) if params else ""


def safe_local_path(target: str | None, default: str = "/") -> str:
    """`target` if it is a path on this site ("/…"), else `default`: no open redirect."""
    if not target or UNSAFE_PATH.search(target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def external_url(url: str | None) -> str:
    """An outbound link target: only http(s) URLs, anything else becomes inert."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return "#"


def page_window(page: int, pages: int, width: int = 2) -> list[int | None]:
    """Page numbers to show around the current one; None marks a gap (« … »)."""
    shown = {1, pages, *range(max(1, page - width), min(pages, page + width) + 1)}
    out: list[int | None] = []
    previous = 0
    for number in sorted(shown):
        if number - previous > 1:
            out.append(None)
        out.append(number)
        previous = number
    return out
