"""A page as the rules see it: its title, text and URL, folded and analysed once."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from indexer.analysis import fold
from indexer.lexicon import DESCRIPTION_WEIGHT, TITLE_WEIGHT, Tokens, analyse, url_words
from portail.language import ENGLISH_WORDS, FRENCH_WORDS

URL_WEIGHT = 1.5
# « be » and « or » are safe in titles and short texts, where « in » or « as » are not.
TEXT_ENGLISH_WORDS = ENGLISH_WORDS | {"be", "or"}
VIE_ACRONYM = re.compile(r"\bV\.\s?I\.\s?E\b\.?|\bVIE\b")
VIE_IN_URL = re.compile(r"(?:^|/)(?:vie|v-i-e)(?:[-/_]|$)", re.I)


@dataclass(frozen=True)
class Page:
    url: str
    title: str  # without the site's name (indexer.titles)
    text: str
    description: str
    folded_title: str
    folded_head: str  # the title and the first part of the text, folded
    segments: tuple[str, ...]  # the URL path's folders and slug, lower case
    types: frozenset[str]  # schema.org types and og:type
    title_tokens: Tokens
    description_tokens: Tokens
    url_tokens: Tokens
    body: Tokens

    @classmethod
    def build(
        cls, url: str, title: str, text: str, description: str, structured: dict | None
    ) -> Page:
        url_text = url_words(url)
        if VIE_IN_URL.search(re.sub(r"^[a-z]+://[^/]+", "", url or "")):
            url_text += " volontariat international"
        path = re.sub(r"^[a-z]+://[^/]+", "", (url or "").lower()).split("?")[0]
        return cls(
            url=url,
            title=title,
            text=text,
            description=description,
            folded_title=folded(title),
            folded_head=folded(f"{title}\n{text[:3000]}"),
            segments=tuple(s for s in path.split("/") if s),
            types=schema_types(structured or {}),
            title_tokens=analyse(expand(title)),
            description_tokens=analyse(expand(description)),
            url_tokens=analyse(url_text),
            body=analyse(expand(text)),
        )

    def fields(self) -> list[tuple[Tokens, float]]:
        """The analysed fields and their weights (the title counts most)."""
        return [
            (self.title_tokens, TITLE_WEIGHT),
            (self.description_tokens, DESCRIPTION_WEIGHT),
            (self.url_tokens, URL_WEIGHT),
            (self.body, 1.0),
        ]

    def english(self) -> bool:
        words = re.findall(r"[a-zà-ÿ]+", f"{self.title} {self.text[:5000]}".lower())
        english = sum(w in TEXT_ENGLISH_WORDS for w in words)
        return english >= 5 and english > sum(w in FRENCH_WORDS for w in words)


def expand(text: str) -> str:
    """« V.I.E. » and « VIE » become « volontariat international » (« vie » is also life)."""
    return VIE_ACRONYM.sub(" volontariat international ", text or "")


def folded(text: str) -> str:
    """Lower case without accents, typographic apostrophes made plain."""
    return fold(text or "").replace("’", "'")


def schema_types(structured: Mapping[str, Any]) -> frozenset[str]:
    """The schema.org types of a page's JSON-LD and microdata, and its og:type (« og:article »)."""
    types: set[str] = set()
    items = [*(structured.get("jsonld") or []), *(structured.get("microdata") or [])]
    while items:
        item = items.pop()
        if isinstance(item, list):
            items.extend(item)
        elif isinstance(item, dict):
            kind = item.get("@type")
            types.update(kind if isinstance(kind, list) else [kind] if kind else [])
            items.extend(item.get("@graph") or [])
    og = (structured.get("opengraph") or {}).get("og:type") or (
        structured.get("opengraph") or {}
    ).get("type")
    if og:
        types.add(f"og:{og}")
    return frozenset(str(t) for t in types)
