"""Extraction: from an HTML or PDF response to a page's clean fields.

The main text keeps the page's own content and drops what every page of a site repeats:
menus, cookie banners, breadcrumbs, sidebars, share buttons and footers, whether or not the
site marks them with HTML5 landmarks (legacy sites use tables and French class names).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import extruct
from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from portail.frdates import find_date
from portail.language import ENGLISH_WORDS, FRENCH_WORDS

DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "object",
    "embed",
    "canvas",
    "dialog",
)
LANDMARK_TAGS = ("nav", "aside", "footer")
# Bounds that keep one page's cost small whatever the site sends: links followed from a page,
# and the size in tags past which a document is read by lxml alone (a full BeautifulSoup tree
# of 300,000 tags takes minutes and over 600 MB; lxml reads it in seconds and a quarter of it).
MAX_LINKS = 2000
LARGE_DOCUMENT_TAGS = 30_000
MAX_TEXT = 200_000
# Past this depth the tree walks of the full extraction recurse too deep (RecursionError) and
# slow down with the square of the depth; browsers flatten such trees too (Blink at 512).
MAX_DEPTH = 256
DROP_ROLES = (
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "dialog",
    "search",
    "alertdialog",
)
# Tokens of class/id names that mark boilerplate, in English and French.
BOILERPLATE_TOKENS = (
    "cookie",
    "consent",
    "gdpr",
    "rgpd",
    "tarteaucitron",
    "didomi",
    "popup",
    "modal",
    "menu",
    "nav",
    "navbar",
    "navigation",
    "breadcrumb",
    "ariane",
    "chemin",
    "header",
    "entete",
    "footer",
    "pied",
    "sidebar",
    "colonne",
    "lateral",
    "share",
    "partage",
    "social",
    "sharing",
    "newsletter",
    "lettre-info",
    "skip",
    "evitement",
    "print",
    "imprimer",
    "outils",
    "toolbar",
    "related",
    "voir-aussi",
    "lire-aussi",
    "pager",
    "pagination",
    "banner",
    "bandeau",
    "sliding",
    "eu",
    "widget",
    "block-views",
    "liens-haut",
    "liens-utiles",
    "logo",
    "tagline",
    "back-to-top",
    "rating",
    "avis",
)
CONTENT_HINTS = (
    "content",
    "contenu",
    "main",
    "article",
    "texte",
    "corps",
    "body",
    "node",
    "field",
    "post",
    "entry",
)
MAX_ADDRESS_BLOCKS = 5
BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "td",
    "th",
    "caption",
    "thead",
    "tbody",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "address",
    "br",
    "hr",
    "tfoot",
    "details",
    "summary",
    "fieldset",
    "center",
}
TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|»|·)\s+")
TOKEN_SPLIT = re.compile(r"[\s_]+|-{1,2}")
WS = re.compile(r"[ \t\u00a0\u2009\u202f]+")


@dataclass
class Extracted:
    title: str = ""
    text: str = ""
    description: str = ""
    language: str = ""
    canonical: str | None = None
    published: str | None = None
    modified: str | None = None
    links: list[str] = field(default_factory=list)
    structured: dict[str, Any] = field(default_factory=dict)
    noindex: bool = False
    nofollow: bool = False  # `<meta name="robots" content="nofollow">`: its links not followed
    hub: bool = False  # a listing, calendar or home page: links to content, not content
    content_type: str = "text/html"
    links_found: int = 0  # links on the page, of which the first MAX_LINKS are kept

    def content_hash(self) -> str:
        payload = f"{self.title}\n{self.text}".encode()
        return hashlib.sha256(payload).hexdigest()

    def fields(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "text": self.text,
            "description": self.description,
            "language": self.language,
            "published": self.published,
            "modified": self.modified,
            "structured": self.structured,
            "links": self.links,
            "content_hash": self.content_hash(),
            "content_type": self.content_type,
        }


def extract_html(url: str, html: str) -> Extracted:
    """Extract a page's fields from its (decoded) HTML."""
    if html.count("<") > LARGE_DOCUMENT_TAGS:
        return extract_large_html(url, html)
    soup = BeautifulSoup(html, "lxml")
    if deeper_than(soup, MAX_DEPTH):
        return extract_large_html(url, html)
    out = Extracted()
    out.structured = structured_data(html, url)
    out.canonical = _canonical(soup, url)
    out.noindex = _robots_meta(soup, "noindex")
    out.nofollow = _robots_meta(soup, "nofollow")
    out.description = _meta(soup, "description") or _meta(soup, "og:description") or ""
    out.language = _language(soup)
    out.links, out.links_found = _links(soup, url)
    published, modified = _jsonld_dates(out.structured)
    out.published = published or _meta(soup, "article:published_time")
    out.modified = modified or _meta(soup, "article:modified_time")
    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    og_title = _meta(soup, "og:title")  # read before main_container removes what it removes
    container = main_container(soup)
    parts = urlsplit(url)
    out.hub = getattr(container, "hub", False) or parts.path in ("", "/") or "page=" in parts.query
    if out.hub:
        out.structured["hub"] = True
    h1 = container.find("h1") or soup.find("h1")
    out.title = clean_title(h1.get_text(" ", strip=True) if h1 else "", page_title, og_title)
    out.text = text_of(container)
    addresses = address_blocks(container)
    if addresses:
        out.structured["addresses"] = addresses
    if not out.published:
        time_tag = container.find("time", attrs={"datetime": True})
        out.published = _iso_date(str(time_tag["datetime"])) if time_tag else None
    if not out.published:
        out.published = find_date(out.text)
    if not out.language:
        out.language = guess_language(out.text)
    return out


def deeper_than(soup: BeautifulSoup, limit: int) -> bool:
    """Whether elements nest more than `limit` deep (walked without recursion)."""
    depths = {id(soup): 0}
    for node in soup.descendants:
        if isinstance(node, Tag):
            depth = depths[id(node.parent)] + 1
            if depth > limit:
                return True
            depths[id(node)] = depth
    return False


def _gone(tag: Tag) -> bool:
    """Whether a tag was decomposed (bs4's `decomposed` property costs a search of the tag's
    whole subtree when it was not: `Tag.__getattr__` reads « _decomposed » as a child's name)."""
    return bool(tag.__dict__.get("_decomposed", False))


def main_container(soup: BeautifulSoup) -> Tag:
    """Strip boilerplate and return the element holding the page's own content."""
    # One list of the tags, in document order, read by each pass (bs4's find_all with a filter
    # walks the whole tree each time); a pass skips what an earlier one removed.
    tags: list[Tag] = list(soup.find_all(True))
    for tag in tags:
        if not _gone(tag) and tag.name in DROP_TAGS:
            tag.decompose()
    for comment in [d for d in soup.descendants if isinstance(d, Comment)]:
        comment.extract()
    tags = [t for t in tags if not _gone(t)]
    main = next((t for t in tags if t.name == "main"), None) or next(
        (t for t in tags if t.get("role") == "main"), None
    )
    for tag in tags:
        if not _gone(tag) and tag.name in LANDMARK_TAGS:
            tag.decompose()
    for tag in tags:
        if (
            not _gone(tag)
            and tag.name == "header"
            and not tag.find_parent(["article", "main"])
            and not tag.find("h1")
        ):
            tag.decompose()
    for tag in tags:
        if not _gone(tag) and tag.get("role") in DROP_ROLES:
            tag.decompose()
    for tag in tags:
        if not _gone(tag) and _is_boilerplate(tag):
            tag.decompose()
    root = main if main is not None and not _gone(main) else None
    if root is None:
        articles = soup.find_all("article")
        root = articles[0] if len(articles) == 1 else None
    if root is None:
        root = _densest_block(soup.body or soup)
    root.hub = is_hub(root)  # type: ignore[union-attr,attr-defined]
    _drop_link_lists(root)
    return root


def is_hub(root: Tag) -> bool:
    """A page whose content is mostly links to other pages (listings, calendars, indexes)."""
    if root.find("a", rel="next") or root.find("a", rel="prev"):
        return True
    heading = root.find("h1")
    words = len(root.get_text(" ", strip=True).split()) - (
        len(heading.get_text(" ", strip=True).split()) if heading else 0
    )
    if words <= 0:
        return False
    links = [a for a in root.find_all("a", href=True) if not _inside_prose(a)]
    link_words = sum(len(a.get_text(" ", strip=True).split()) for a in links)
    if len(links) >= 3 and link_words / words >= 0.25:
        return True
    # Listings: items that each begin with a link to another page carry most of the words.
    items = [li for li in root.find_all(["li", "tr"]) if _starts_with_link(li)]
    item_words = sum(len(li.get_text(" ", strip=True).split()) for li in items)
    return bool(items) and item_words >= 0.6 * words


def _starts_with_link(item: Tag) -> bool:
    link = item.find("a", href=True)
    label = link.get_text(" ", strip=True) if link else ""
    return bool(label) and item.get_text(" ", strip=True).startswith(label[:40])


def _inside_prose(link: Tag) -> bool:
    """A link within a sentence (as opposed to a link that is a list item of its own)."""
    paragraph = link.find_parent("p")
    if paragraph is None:
        return False
    return len(paragraph.get_text(" ", strip=True)) > 2 * len(link.get_text(" ", strip=True)) + 20


def _is_boilerplate(tag: Tag) -> bool:
    if _gone(tag) or tag.name in ("html", "body", "main", "article", "h1"):
        return False
    names = " ".join([*(tag.get("class") or []), str(tag.get("id", ""))]).lower()
    if not names.strip():
        return False
    tokens = {t for t in TOKEN_SPLIT.split(names) if t}
    joined = names.replace("_", "-")
    for token in BOILERPLATE_TOKENS:
        if "-" in token:
            if token in joined:
                return _not_content(tag)
        elif any(t == token or (len(token) > 3 and t.startswith(token)) for t in tokens):
            return _not_content(tag)
    return False


def _not_content(tag: Tag) -> bool:
    """Never drop a block that holds the page's heading or most of its text."""
    return tag.find("h1") is None


def _densest_block(root: Tag) -> Tag:
    """The block with the most non-link text: the content of a page without landmarks."""
    best, best_score = root, 0.0
    for tag in root.find_all(["div", "td", "section", "article"]):
        text_len = len(tag.get_text(" ", strip=True))
        if text_len < 200:
            continue
        link_len = sum(len(a.get_text(" ", strip=True)) for a in tag.find_all("a"))
        direct = sum(
            len(c.get_text(" ", strip=True)) for c in tag.find_all(["p", "li", "h2", "h3", "td"])
        )
        score = (text_len - 2 * link_len) * (1.0 if tag.find("h1") else 0.8)
        if direct and score > best_score:
            best, best_score = tag, score
    if best is not root and best.find("h1") is None:
        heading = root.find("h1")
        if heading is not None:
            # Climb to the smallest block that holds both the heading and the densest text.
            for parent in best.parents:
                if parent.find("h1") is heading or heading in parent.descendants:
                    return parent if isinstance(parent, Tag) else best
    return best


def _drop_link_lists(root: Tag) -> None:
    """Remove lists and cells made only of links (menus that carry no class names)."""
    for tag in root.find_all(["ul", "ol", "table", "div", "p"]):
        if _gone(tag):
            continue
        text = tag.get_text(" ", strip=True)
        if not text or tag.find("h1"):
            continue
        links = tag.find_all("a")
        link_text = sum(len(a.get_text(" ", strip=True)) for a in links)
        if len(links) >= 3 and link_text / len(text) > 0.8:
            tag.decompose()


def text_of(root: Tag) -> str:
    """Readable text: one line per block, inline elements joined, whitespace collapsed."""
    parts: list[str] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                parts.append(str(child))
            elif isinstance(child, Tag):
                block = child.name in BLOCK_TAGS
                if block:
                    parts.append("\n")
                walk(child)
                if block:
                    parts.append("\n")

    walk(root)
    lines = (WS.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def clean_title(h1: str, page_title: str, og_title: str | None) -> str:
    if h1:
        return WS.sub(" ", h1).strip()
    for candidate in (og_title, page_title):
        if candidate:
            pieces = TITLE_SEPARATORS.split(candidate.strip())
            return max(pieces, key=len) if len(pieces) > 1 else pieces[0]
    return ""


def structured_data(html: str, url: str) -> dict[str, Any]:
    """schema.org JSON-LD and microdata items, and OpenGraph properties."""
    lowered = html.lower()
    syntaxes = [
        name
        for name, cue in (("json-ld", "ld+json"), ("opengraph", "og:"), ("microdata", "itemscope"))
        if cue in lowered
    ]
    if not syntaxes:
        return {}  # none: no second parse of the page by extruct
    try:
        data = extruct.extract(html, base_url=url, syntaxes=syntaxes, uniform=True, errors="ignore")
    except Exception:  # extruct raises many kinds on broken markup: structured data is optional
        return {}
    out: dict[str, Any] = {}
    items = [i for i in data.get("json-ld", []) if isinstance(i, dict)]
    flat: list[dict[str, Any]] = []
    for item in items:
        graph = item.get("@graph")
        flat.extend(g for g in graph if isinstance(g, dict)) if isinstance(graph, list) else (
            flat.append(item)
        )
    if flat:
        out["jsonld"] = flat
    microdata = [i for i in data.get("microdata", []) if isinstance(i, dict)]
    if microdata:
        out["microdata"] = microdata
    og = data.get("opengraph") or []
    if og and isinstance(og[0], dict):
        out["opengraph"] = {k: v for k, v in og[0].items() if k != "@context"}
    return out


def address_blocks(root: Tag) -> list[list[str]]:
    """The lines of each `<address>` block of the content (an office's postal details)."""
    return [text_of(tag).splitlines() for tag in root.find_all("address")][:MAX_ADDRESS_BLOCKS]


def _jsonld_dates(structured: dict[str, Any]) -> tuple[str | None, str | None]:
    for item in structured.get("jsonld", []):
        published = item.get("datePublished") or item.get("datePosted")
        modified = item.get("dateModified")
        if published or modified:
            return _iso_date(published), _iso_date(modified)
    return None, None


def _iso_date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    m = re.match(r"(\d{4}-\d{2}-\d{2})", value.strip())
    return m[1] if m else None


def _meta(soup: BeautifulSoup, name: str) -> str | None:
    """The content of the first `<meta name=…>`, else of the first `<meta property=…>`."""
    by_name, by_property = _metas(soup)
    tag = by_name.get(name) or by_property.get(name)
    content = tag.get("content") if tag else None
    return WS.sub(" ", str(content)).strip() if content else None


def _metas(soup: BeautifulSoup) -> tuple[dict[str, Tag], dict[str, Tag]]:
    """The page's first meta tag of each name and of each property (read once per page)."""
    found = soup.__dict__.get("_portail_metas")
    if found is None:
        by_name: dict[str, Tag] = {}
        by_property: dict[str, Tag] = {}
        for tag in soup.find_all("meta"):
            for key, table in (("name", by_name), ("property", by_property)):
                value = tag.get(key)
                if isinstance(value, str):
                    table.setdefault(value, tag)
        found = soup.__dict__["_portail_metas"] = (by_name, by_property)
    return found  # type: ignore[no-any-return]


def _robots_meta(soup: BeautifulSoup, directive: str) -> bool:
    tag = soup.find("meta", attrs={"name": re.compile("^robots$", re.I)})
    return robots_says(str(tag.get("content", "")) if tag else "", directive)


def robots_says(content: str, directive: str) -> bool:
    """Whether a robots meta's content holds a directive (« none » is noindex and nofollow)."""
    words = set(re.split(r"[\s,;]+", content.lower()))
    return directive in words or "none" in words


def _canonical(soup: BeautifulSoup, url: str) -> str | None:
    link = soup.find("link", rel="canonical", href=True)
    try:
        return urljoin(url, str(link["href"]).strip()) if link else None
    except ValueError:  # a malformed address (« http://[::1 »): no canonical
        return None


def _language(soup: BeautifulSoup) -> str:
    html = soup.find("html")
    lang = str(html.get("lang", "")) if html else ""
    return lang.split("-")[0].lower()[:2]


def _links(soup: BeautifulSoup, url: str) -> tuple[list[str], int]:
    """The page's first MAX_LINKS distinct links, and how many it has."""
    return _first_links((str(a["href"]) for a in soup.find_all("a", href=True)), url)


def _first_links(hrefs: Iterable[str], url: str) -> tuple[list[str], int]:
    """The first MAX_LINKS distinct links, and the number of links (past the bound, counted
    without resolving them: resolving 300,000 addresses alone takes half a minute)."""
    out: dict[str, None] = {}
    found = 0
    for raw in hrefs:
        href = raw.strip()
        if not href or href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        if len(out) >= MAX_LINKS:
            found += 1
            continue
        try:
            link = urljoin(url, href).split("#", 1)[0]
        except ValueError:  # a malformed address (« http://[x »): not a link
            continue
        if link not in out:
            found += 1
            out[link] = None
    return list(out), found


def extract_large_html(url: str, html: str) -> Extracted:
    """A document too large for the full extraction: its title, its text (bounded) and its
    first links, read in one streaming pass that builds no tree (memory stays flat whatever
    the size). Such a page is a listing (hub), never a content page."""
    from lxml import etree

    collector = _Collector()
    parser = etree.HTMLParser(target=collector, recover=True)
    try:
        parser.feed(html)
        parser.close()
    except etree.LxmlError as exc:
        raise ExtractionError(f"HTML illisible ({exc})") from exc
    out = Extracted(hub=True, structured={"hub": True})
    out.title = clean_title(collector.h1.strip(), collector.title.strip(), None)
    out.language = collector.lang.split("-")[0].lower()[:2]
    out.links, out.links_found = _first_links(collector.hrefs, url)
    out.links_found += collector.hrefs_dropped
    out.text = WS.sub(" ", " ".join(collector.text)).strip()
    robots = collector.robots or ""
    out.noindex, out.nofollow = robots_says(robots, "noindex"), robots_says(robots, "nofollow")
    if not out.language:
        out.language = guess_language(out.text)
    return out


class _Collector:
    """An lxml parser target keeping what `extract_large_html` needs, within bounds."""

    def __init__(self) -> None:
        self.title = ""
        self.h1 = ""
        self.lang = ""
        self.text: list[str] = []
        self.text_size = 0
        self.hrefs: list[str] = []
        self.hrefs_dropped = 0
        self.open: list[str] = []
        self.skipping = 0
        self.robots: str | None = None  # the first `<meta name="robots">`'s content

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.open.append(tag)
        if tag in DROP_TAGS:
            self.skipping += 1
        elif tag == "html":
            self.lang = attrib.get("lang", "")
        elif tag == "meta" and self.robots is None and attrib.get("name", "").lower() == "robots":
            self.robots = attrib.get("content", "")
        elif tag == "a" and attrib.get("href") is not None:
            if len(self.hrefs) < 4 * MAX_LINKS:
                self.hrefs.append(attrib["href"])
            else:
                self.hrefs_dropped += 1

    def end(self, tag: str) -> None:
        if self.open and self.open[-1] == tag:
            self.open.pop()
            if tag in DROP_TAGS:
                self.skipping -= 1

    def data(self, data: str) -> None:
        if self.skipping:
            return
        if "title" in self.open[-1:] and len(self.title) < 1000:
            self.title += data
        if "head" in self.open:
            return
        if "h1" in self.open and len(self.h1) < 1000:
            self.h1 += data
        if self.text_size < MAX_TEXT:
            self.text.append(data)
            self.text_size += len(data)

    def close(self) -> None:
        return None


# « en », « in » and « as » are ambiguous in a sentence, telling enough over a whole page.
PAGE_FRENCH_WORDS = FRENCH_WORDS | {"en"}
PAGE_ENGLISH_WORDS = ENGLISH_WORDS | {"in", "as"}


def guess_language(text: str) -> str:
    words = re.findall(r"[a-zà-ÿ]+", text.lower()[:5000])
    fr = sum(w in PAGE_FRENCH_WORDS for w in words)
    en = sum(w in PAGE_ENGLISH_WORDS for w in words)
    if not fr and not en:
        return ""
    return "fr" if fr >= en else "en"


def extract_pdf(url: str, data: bytes) -> Extracted:
    """Text and title of a PDF document."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    out = Extracted(content_type="application/pdf")
    try:
        reader = PdfReader(io.BytesIO(data))
        texts = [page.extract_text() or "" for page in reader.pages[:200]]
        meta_title = (reader.metadata.title if reader.metadata else None) or ""
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ExtractionError(f"PDF illisible ({exc})") from exc
    lines = [WS.sub(" ", line).strip() for text in texts for line in text.splitlines()]
    lines = [line for line in lines if line]
    out.title = str(meta_title).strip() or (lines[0] if lines else url.rsplit("/", 1)[-1])
    body = lines[1:] if lines and lines[0] == out.title else lines
    out.text = _join_pdf_lines(body)
    out.language = guess_language(out.text)
    out.published = find_date(out.text)
    return out


def _join_pdf_lines(lines: list[str]) -> str:
    """Re-flow the wrapped lines of a PDF into paragraphs."""
    paragraphs: list[str] = []
    for line in lines:
        if paragraphs and not paragraphs[-1].endswith((".", ":", "!", "?")) and len(line) > 0:
            paragraphs[-1] += " " + line
        else:
            paragraphs.append(line)
    return "\n".join(paragraphs)


class ExtractionError(Exception):
    """A document that could not be read."""
