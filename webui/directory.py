"""The editorial directory (data/directory.toml): partners, regional contacts, country links.

Maintainers edit the file; `check_directory` reports every error at once, in French, naming
the file, the entry and the key. Contacts found by the crawl (kind `contact` pages, schema.org
Organization/ContactPoint in `Hit.extra["contact"]`) are merged with the editorial ones: where
both give a value the editorial one wins, and `regional_contact_differences` lists the
disagreements for the maintainers' console.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pycountry

from indexer.journey import STEP_IDS
from indexer.search import Hit, Searcher, SearchQuery
from portail.geo import regions
from portail.schema import TOO_DEEP

DIRECTORY_FILE = Path(__file__).resolve().parent / "data" / "directory.toml"
GROUPS = {
    "equipe": "L'équipe France export",
    "etat": "Les services de l'État",
    "reseau": "Les réseaux partenaires",
}
CONTACT_FIELDS = ("name", "role", "address", "phone", "email", "form", "url")
COMPARED_FIELDS = ("address", "phone", "email")
LINK_KEYS = ("label", "url")
PARTNER_KEYS = ("id", "name", "group", "providers", "role", "steps", "sites", "contacts")
REGION_KEYS = ("code", "council", "sites", "contacts")
COUNTRY_KEYS = ("code", "links", "contacts")
SOURCE_KEYS = ("provider", "label", "url")
TOP_KEYS = ("partner", "region", "country", "country_source")
ID_RE = re.compile(r"^[a-z0-9-]+$")
EMAIL_RE = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
PHONE_RE = re.compile(r"^\+?[\d .()-]{3,25}$")
MAX_CRAWLED_REGIONS = 2  # a contact page about more regions is a listing, not one office
NAME_STOP_WORDS = frozenset(
    {"de", "du", "des", "la", "le", "les", "l", "d", "et", "a", "au", "aux", "en", "pour", "sur"}
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Contact:
    name: str
    role: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    form: str = ""  # a contact form's URL
    url: str = ""  # the page where it is published


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    group: str
    providers: tuple[str, ...]  # the names its pages are indexed under (sources' organisation)
    role: str
    steps: tuple[str, ...]
    sites: tuple[Link, ...]
    contacts: tuple[Contact, ...]


@dataclass(frozen=True)
class RegionEntry:
    code: str
    council: str
    sites: tuple[Link, ...]
    contacts: tuple[Contact, ...]


@dataclass(frozen=True)
class CountryEntry:
    code: str
    links: tuple[Link, ...]
    contacts: tuple[Contact, ...]


@dataclass(frozen=True)
class CountrySource:
    """A link every country page shows; `{code}` / `{code_lower}` stand for its ISO code."""

    provider: str
    label: str
    url: str

    def link(self, code: str) -> Link:
        return Link(self.label, self.url.format(code=code.upper(), code_lower=code.lower()))


@dataclass(frozen=True)
class Directory:
    partners: tuple[Partner, ...] = ()
    regions: dict[str, RegionEntry] = field(default_factory=dict)
    countries: dict[str, CountryEntry] = field(default_factory=dict)
    country_sources: tuple[CountrySource, ...] = ()


class DirectoryError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


# -- reading and checking -------------------------------------------------------------------------


def check_directory(path: str | Path = DIRECTORY_FILE) -> list[str]:
    """Every error of a directory file, one French line each (empty when the file is valid)."""
    try:
        load_directory(path)
    except DirectoryError as exc:
        return exc.errors
    return []


def load_directory(path: str | Path = DIRECTORY_FILE) -> Directory:
    """The directory file parsed and checked; DirectoryError lists every problem."""
    path = Path(path)
    name = path.name
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise DirectoryError([f"{path} : fichier introuvable"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DirectoryError([f"{path} : lecture impossible ({exc})"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise DirectoryError([f"{name} : syntaxe TOML invalide ({exc})"]) from None
    except RecursionError:
        raise DirectoryError([f"{name} : {TOO_DEEP}"]) from None
    errors = [
        f"{name}, {key} : clé inconnue (attendu : {', '.join(TOP_KEYS)})"
        for key in raw
        if key not in TOP_KEYS
    ]
    partners = _entries(raw, "partner", name, errors, _partner)
    ids = [str(p["id"]) for p in raw.get("partner", []) if isinstance(p, dict) and p.get("id")]
    errors += [
        f"{name}, partner « {i} », id : identifiant en double"
        for i in sorted({i for i in ids if ids.count(i) > 1})
    ]
    region_list = _entries(raw, "region", name, errors, _region)
    codes = [str(r["code"]) for r in raw.get("region", []) if isinstance(r, dict) and r.get("code")]
    errors += [
        f"{name}, region « {c} », code : région en double"
        for c in sorted({c for c in codes if codes.count(c) > 1})
    ]
    errors += [
        f"{name}, region : la région « {c} » ({r.name}) manque"
        for c, r in regions().items()
        if c not in codes
    ]
    country_list = _entries(raw, "country", name, errors, _country)
    sources = _entries(raw, "country_source", name, errors, _country_source)
    if errors:
        raise DirectoryError(errors)
    return Directory(
        tuple(partners),
        {r.code: r for r in region_list},
        {c.code: c for c in country_list},
        tuple(sources),
    )


def _entries(
    raw: dict[str, Any], key: str, filename: str, errors: list[str], build: Any
) -> list[Any]:
    items = raw.get(key, [])
    if not isinstance(items, list):
        errors.append(f"{filename}, {key} : utilisez des tables [[{key}]]")
        return []
    out = []
    for n, item in enumerate(items, start=1):
        label = item.get("id") or item.get("code") if isinstance(item, dict) else None
        where = f"{filename}, {key} « {label} »" if label else f"{filename}, {key} n°{n}"
        if not isinstance(item, dict):
            errors.append(f"{where} : doit être une table [[{key}]]")
            continue
        problems: list[str] = []
        built = build(item, problems)
        errors.extend(f"{where}, {p}" for p in problems)
        if built is not None and not problems:
            out.append(built)
    return out


def _unknown(
    item: dict[str, Any], allowed: tuple[str, ...], problems: list[str], prefix: str = ""
) -> None:
    problems.extend(
        f"{prefix}{key} : clé inconnue (attendu : {', '.join(allowed)})"
        for key in item
        if key not in allowed
    )


def _text(
    item: dict[str, Any], key: str, problems: list[str], required: bool = False, prefix: str = ""
) -> str:
    value = item.get(key, "")
    if not isinstance(value, str):
        problems.append(f"{prefix}{key} : doit être une chaîne")
        return ""
    if required and not value.strip():
        problems.append(f"{prefix}{key} : clé obligatoire manquante")
    return value.strip()


def _url(value: str, key: str, problems: list[str], prefix: str = "") -> str:
    parts = urlsplit(value)
    if value and (parts.scheme not in ("http", "https") or not parts.netloc):
        problems.append(f"{prefix}{key} : « {value} » n'est pas une URL http(s) valide")
    return value


def _links(item: dict[str, Any], key: str, problems: list[str]) -> tuple[Link, ...]:
    out = []
    for i, link in enumerate(_table_list(item, key, problems)):
        prefix = f"{key}[{i}]."
        _unknown(link, LINK_KEYS, problems, prefix)
        label = _text(link, "label", problems, True, prefix)
        url = _url(_text(link, "url", problems, True, prefix), "url", problems, prefix)
        out.append(Link(label, url))
    return tuple(out)


def _contacts(item: dict[str, Any], problems: list[str]) -> tuple[Contact, ...]:
    out = []
    for i, raw in enumerate(_table_list(item, "contacts", problems)):
        prefix = f"contacts[{i}]."
        _unknown(raw, CONTACT_FIELDS, problems, prefix)
        values = {k: _text(raw, k, problems, k == "name", prefix) for k in CONTACT_FIELDS}
        if values["email"] and not EMAIL_RE.match(values["email"]):
            problems.append(f"{prefix}email : adresse électronique invalide « {values['email']} »")
        if values["phone"] and not PHONE_RE.match(values["phone"]):
            problems.append(f"{prefix}phone : numéro de téléphone invalide « {values['phone']} »")
        for key in ("form", "url"):
            _url(values[key], key, problems, prefix)
        if not any(values[k] for k in ("address", "phone", "email", "form", "url")):
            problems.append(
                f"{prefix}name : un contact donne au moins une adresse, un "
                "téléphone, un courriel, un formulaire ou une page"
            )
        out.append(Contact(**values))
    return tuple(out)


def _table_list(item: dict[str, Any], key: str, problems: list[str]) -> list[dict[str, Any]]:
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        problems.append(f"{key} : doit être une liste de tables")
        return []
    return value


def _strings(item: dict[str, Any], key: str, problems: list[str]) -> tuple[str, ...]:
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{key} : doit être une liste de chaînes")
        return ()
    return tuple(value)


def _partner(item: dict[str, Any], problems: list[str]) -> Partner:
    _unknown(item, PARTNER_KEYS, problems)
    partner_id = _text(item, "id", problems, True)
    if partner_id and not ID_RE.match(partner_id):
        problems.append(
            f"id : « {partner_id} » : seuls les minuscules, chiffres et tirets sont permis"
        )
    group = _text(item, "group", problems, True)
    if group and group not in GROUPS:
        problems.append(f"group : groupe inconnu « {group} » (attendu : {', '.join(GROUPS)})")
    steps = _strings(item, "steps", problems)
    problems.extend(
        f"steps : étape inconnue « {s} » (attendu : {', '.join(STEP_IDS)})"
        for s in steps
        if s not in STEP_IDS
    )
    return Partner(
        partner_id,
        _text(item, "name", problems, True),
        group,
        _strings(item, "providers", problems),
        _text(item, "role", problems, True),
        steps,
        _links(item, "sites", problems),
        _contacts(item, problems),
    )


def _region(item: dict[str, Any], problems: list[str]) -> RegionEntry:
    _unknown(item, REGION_KEYS, problems)
    code = _text(item, "code", problems, True)
    if code and code not in regions():
        problems.append(f"code : code de région INSEE inconnu « {code} »")
    contacts = _contacts(item, problems)
    if not contacts:
        problems.append("contacts : au moins un contact est nécessaire")
    return RegionEntry(
        code, _text(item, "council", problems), _links(item, "sites", problems), contacts
    )


def _country(item: dict[str, Any], problems: list[str]) -> CountryEntry:
    _unknown(item, COUNTRY_KEYS, problems)
    code = _text(item, "code", problems, True).upper()
    if code and pycountry.countries.get(alpha_2=code) is None:
        problems.append(f"code : code pays ISO 3166-1 inconnu « {code} »")
    return CountryEntry(code, _links(item, "links", problems), _contacts(item, problems))


def _country_source(item: dict[str, Any], problems: list[str]) -> CountrySource:
    _unknown(item, SOURCE_KEYS, problems)
    url = _text(item, "url", problems, True)
    try:
        _url(url.format(code="DE", code_lower="de"), "url", problems)
    except (KeyError, IndexError, ValueError):
        problems.append(f"url : seuls {{code}} et {{code_lower}} sont permis dans « {url} »")
    return CountrySource(
        _text(item, "provider", problems, True), _text(item, "label", problems, True), url
    )


@cache
def directory() -> Directory:
    """The bundled directory (a broken file fails loudly: the tests check it)."""
    return load_directory(DIRECTORY_FILE)


def partner(partner_id: str) -> Partner | None:
    return next((p for p in directory().partners if p.id == partner_id), None)


def partner_for_provider(provider: str) -> Partner | None:
    return next((p for p in directory().partners if provider in p.providers), None)


# -- contacts found by the crawl, merged with the editorial ones -----------------------------------


@dataclass(frozen=True)
class Difference:
    field: str
    editorial: str
    crawled: str


@dataclass(frozen=True)
class ListedContact:
    """A contact as a page shows it: the merged values, where they come from, what differs."""

    contact: Contact
    editorial: bool
    page: Hit | None = None  # the crawled page that publishes it
    differences: tuple[Difference, ...] = ()


def crawled_contact(hit: Hit) -> Contact:
    """The contact a crawled page publishes (its title stands for a missing name)."""
    found = hit.extra.get("contact") or {}
    return Contact(
        name=str(found.get("name") or hit.title or hit.url),
        role=f"Publié par {hit.provider}" if hit.provider else "",
        address=str(found.get("address") or ""),
        phone=str(found.get("phone") or ""),
        email=str(found.get("email") or ""),
        url=hit.url,
    )


def name_words(name: str) -> frozenset[str]:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return frozenset(w for w in re.findall(r"[a-z0-9]+", folded) if w not in NAME_STOP_WORDS)


def same_body(editorial: str, crawled: str) -> bool:
    """Whether two contact names designate the same office (one's words hold the other's)."""
    a, b = name_words(editorial), name_words(crawled)
    if len(a) < 2 or len(b) < 2:
        return a == b and bool(a)
    return a <= b or b <= a


def _normal(field_name: str, value: str) -> str:
    if field_name == "phone":
        digits = re.sub(r"\D", "", value)
        return "0" + digits[2:] if digits.startswith("33") and len(digits) == 11 else digits
    if field_name == "email":
        return value.strip().lower()
    return " ".join(sorted(name_words(value)))


def merge(editorial: Contact, page: Hit) -> ListedContact:
    """The editorial contact completed by the crawled one; the editorial value wins."""
    crawled = crawled_contact(page)
    differences = tuple(
        Difference(f, getattr(editorial, f), getattr(crawled, f))
        for f in COMPARED_FIELDS
        if getattr(editorial, f)
        and getattr(crawled, f)
        and _normal(f, getattr(editorial, f)) != _normal(f, getattr(crawled, f))
    )
    filled = {f: getattr(editorial, f) or getattr(crawled, f) for f in COMPARED_FIELDS}
    return ListedContact(replace(editorial, **filled), True, page, differences)


def merge_contacts(editorial: tuple[Contact, ...], pages: list[Hit]) -> list[ListedContact]:
    """Editorial contacts first (completed by the crawl), then the crawled pages left over."""
    left = list(pages)
    out = []
    for contact in editorial:
        match = next((p for p in left if same_body(contact.name, crawled_contact(p).name)), None)
        if match is None:
            out.append(ListedContact(contact, True))
        else:
            left.remove(match)
            out.append(merge(contact, match))
    out.extend(ListedContact(crawled_contact(p), False, p) for p in left)
    return out


def region_contact_pages(searcher: Searcher, code: str) -> list[Hit]:
    """Crawled contact pages about one region (listings of many regions left out)."""
    hits = searcher.search(SearchQuery(kind="contact", region=code, per_page=100)).hits
    return [h for h in hits if len(h.regions) <= MAX_CRAWLED_REGIONS]


def region_contacts(searcher: Searcher, code: str) -> list[ListedContact]:
    entry = directory().regions.get(code)
    return merge_contacts(entry.contacts if entry else (), region_contact_pages(searcher, code))


def regional_contact_differences(searcher: Searcher | None = None) -> list[dict[str, str]]:
    """Where a crawled regional contact disagrees with the editorial file, for maintainers:
    [{"region", "region_name", "contact", "field", "editorial", "crawled", "url"}]."""
    if searcher is None:
        from webui import content

        searcher = content.searcher()
    out = []
    for code, region in regions().items():
        for listed in region_contacts(searcher, code):
            for diff in listed.differences:
                out.append(
                    {
                        "region": code,
                        "region_name": region.name,
                        "contact": listed.contact.name,
                        "field": diff.field,
                        "editorial": diff.editorial,
                        "crawled": diff.crawled,
                        "url": listed.page.url if listed.page else "",
                    }
                )
    return out
