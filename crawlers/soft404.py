"""Soft 404s: error pages served with status 200.

Some sites answer every unknown address — or every article, when their back end breaks — with
the same « page introuvable » page and a 200. Stored as content, those pages would replace the
articles they stand for, and folded as twins of one another they would make the source collapse.
Three ways to know one:

- the probe: before a crawl, the spider asks each site for an address that cannot exist; a 200
  gives the site's error page, and any page that says the same (or leads to the same place) is
  an error page too;
- the words: a short page whose title or opening says the page cannot be found;
- the crowd (in the pipeline): several pages of a source that all turn, in one crawl, into the
  same short text are a template, not twins.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawlers.extract import Extracted
from crawlers.urls import clean_url

ERROR_WORDS = re.compile(
    r"\b(?:page|contenu|article|document|ressource|fiche)s?\s+(?:est\s+)?"
    r"(?:introuvables?|non\s+trouvée?s?|inexistante?s?|indisponibles?|supprimée?s?)"
    r"|\b(?:cette|la)\s+page\s+(?:que\s+vous\s+(?:cherchez|demandez|recherchez)\s+)?"
    r"n['’]existe\s+(?:pas|plus)"
    r"|\berreur\s+404\b|\b404\s*[-–:]?\s*(?:page\s+)?(?:introuvable|not\s+found|erreur)"
    r"|\bpage\s+not\s+found\b|\bnot\s+found\b|\bwe\s+can['’]t\s+find\s+(?:that|the)\s+page",
    re.I,
)
SHORT_PAGE_WORDS = 150  # an error page is short: a content page saying « introuvable » is not
SAME_TEMPLATE = 0.85  # share of words two texts must have in common to be the same page
WORD = re.compile(r"\w+", re.U)


def probe_url(start_url: str) -> str:
    """An address of the start URL's site (and folder) that cannot exist."""
    parts = urlsplit(start_url)
    folder = parts.path.rsplit("/", 1)[0] if parts.path.count("/") > 1 else ""
    return f"{parts.scheme}://{parts.netloc}{folder}/{secrets.token_hex(8)}-page-inexistante"


def words(text: str, url: str = "") -> frozenset[str]:
    """The distinct words of a text, leaving out those of the address (an error page often
    repeats the address it was asked for)."""
    in_url = set(WORD.findall(urlsplit(url).path.lower())) if url else set()
    return frozenset(w for w in WORD.findall(text.lower()) if w not in in_url and not w.isdigit())


def alike(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return a == b
    return len(a & b) / len(a | b) >= SAME_TEMPLATE


def says_not_found(extracted: Extracted) -> bool:
    """A short page whose title or opening lines say it cannot be found."""
    if len(extracted.text.split()) > SHORT_PAGE_WORDS:
        return False
    return bool(ERROR_WORDS.search(extracted.title) or ERROR_WORDS.search(extracted.text[:400]))


@dataclass
class ErrorPages:
    """What one source's error pages look like, learnt from the probes."""

    texts: list[frozenset[str]] = field(default_factory=list)
    hashes: set[str] = field(default_factory=set)
    landing: set[str] = field(default_factory=set)  # where unknown addresses are redirected

    def learn(self, asked: str, final: str, extracted: Extracted) -> None:
        if clean_url(final) != clean_url(asked):
            self.landing.add(clean_url(final))
        else:
            self.hashes.add(extracted.content_hash())
            self.texts.append(words(f"{extracted.title} {extracted.text}", asked))

    def is_error(self, asked: str, final: str, extracted: Extracted) -> bool:
        """Whether a page fetched at `asked` (ending at `final`) is an error page."""
        if clean_url(final) in self.landing and clean_url(asked) != clean_url(final):
            return True
        if extracted.content_hash() in self.hashes:
            return True
        if self.texts and len(extracted.text.split()) <= 4 * SHORT_PAGE_WORDS:
            seen = words(f"{extracted.title} {extracted.text}", asked)
            if any(alike(seen, known) for known in self.texts):
                return True
        return says_not_found(extracted)
