"""The editorial directory (data/directory.toml): partners, regional contacts, country links.

Maintainers edit the file; it is read by the schema-driven loader (portail/schema.py), which
reports every error at once, in French, with the file, the line and the key. Nothing invented is
ever shown as a contact: an editorial contact is shown only with the page it was taken from
(`source`) and the day it was checked (`checked`); the others are kept apart (`unchecked`) and
listed in the maintainers' console. Contacts found by the crawl (kind `contact` pages,
schema.org Organization/ContactPoint in `Hit.extra["contact"]`) are shown with the page that
publishes them, merged with the editorial ones: where both give a value the editorial one wins,
and `regional_contact_differences` lists the disagreements for the maintainers' console.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pycountry

from indexer.analysis import fold
from indexer.journey import STEP_IDS
from indexer.search import Hit, Searcher, SearchQuery
from portail.geo import regions
from portail.schema import Bool, DataError, Field, List, Path_, Str, Table, load_toml

DIRECTORY_FILE = Path(__file__).resolve().parent / "data" / "directory.toml"
GROUPS = {
    "equipe": "L'équipe France export",
    "etat": "Les services de l'État",
    "reseau": "Les réseaux partenaires",
}
CONTACT_FIELDS = ("name", "role", "address", "phone", "email", "form", "url")
COMPARED_FIELDS = ("address", "phone", "email")
EMAIL_RE = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
PHONE_RE = re.compile(r"^\+?[\d .()-]{3,25}$")
MAX_CRAWLED_REGIONS = 2  # a contact page about more regions is a listing, not one office
NAME_STOP_WORDS = frozenset(
    {"de", "du", "des", "la", "le", "les", "l", "d", "et", "a", "au", "aux", "en", "pour", "sur"}
)
DirectoryError = DataError  # the loader's error: `errors` holds one French line each


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
    source: str = ""  # the page the editors took it from
    checked: str = ""  # the day they checked it there (AAAA-MM-JJ)

    @property
    def sourced(self) -> bool:
        """Whether it may be shown: taken from a page, on a day it was checked."""
        return bool(self.source and self.checked)


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    group: str
    providers: tuple[str, ...]  # the names its pages are indexed under (sources' organisation)
    role: str
    steps: tuple[str, ...]  # the journey's steps, shown only when the portal lists nothing
    sites: tuple[Link, ...]
    contacts: tuple[Contact, ...]  # sourced and checked: shown
    unchecked: tuple[Contact, ...] = ()  # without a source or a date: never shown


@dataclass(frozen=True)
class RegionEntry:
    code: str
    council: str
    sites: tuple[Link, ...]
    contacts: tuple[Contact, ...]
    unchecked: tuple[Contact, ...] = ()


@dataclass(frozen=True)
class CountryEntry:
    code: str
    links: tuple[Link, ...]
    contacts: tuple[Contact, ...]
    unchecked: tuple[Contact, ...] = ()


@dataclass(frozen=True)
class CountrySource:
    """A link every country page shows; `{code}` / `{code_lower}` stand for its ISO code."""

    provider: str
    label: str
    url: str
    outside_eu: bool = False  # a customs tool: shown only beyond the EU's customs territory

    def link(self, code: str) -> Link:
        return Link(self.label, self.url.format(code=code.upper(), code_lower=code.lower()))


@dataclass(frozen=True)
class ContactBody:
    """A body a country page groups its contacts by; `source` names the country source linked
    when the crawl found none of its contacts in the country."""

    id: str
    label: str
    cues: tuple[str, ...]
    source: str = ""

    def designates(self, name: str) -> bool:
        folded = _folded(name)
        return any(re.search(rf"\b{re.escape(_folded(cue))}\b", folded) for cue in self.cues)


@dataclass(frozen=True)
class Directory:
    partners: tuple[Partner, ...] = ()
    regions: dict[str, RegionEntry] = field(default_factory=dict)
    countries: dict[str, CountryEntry] = field(default_factory=dict)
    country_sources: tuple[CountrySource, ...] = ()
    contact_bodies: tuple[ContactBody, ...] = ()


# -- the schema --------------------------------------------------------------------------------


def _http(value: str) -> str | None:
    parts = urlsplit(value)
    if value and (parts.scheme not in ("http", "https") or not parts.netloc):
        return f"« {value} » n'est pas une URL http(s) valide"
    return None


def _email(value: str) -> str | None:
    return None if EMAIL_RE.match(value) else f"adresse électronique invalide « {value} »"


def _phone(value: str) -> str | None:
    return None if PHONE_RE.match(value) else f"numéro de téléphone invalide « {value} »"


def _day(value: str) -> str | None:
    try:
        checked = date.fromisoformat(value)
    except ValueError:
        return f"date impossible « {value} » (attendu : AAAA-MM-JJ)"
    return None if checked <= date.today() else f"date à venir « {value} »"


def _reachable(contact: dict[str, Any]) -> str | None:
    if any(contact.get(k) for k in ("address", "phone", "email", "form", "url")):
        return None
    return (
        "un contact donne au moins une adresse, un téléphone, un courriel, un formulaire "
        "ou une page"
    )


def _region_code(code: str) -> str | None:
    return None if code in regions() else f"code de région INSEE inconnu « {code} »"


def _country_code(code: str) -> str | None:
    if pycountry.countries.get(alpha_2=code.upper()) is None:
        return f"code pays ISO 3166-1 inconnu « {code} »"
    return None


def _template(url: str) -> str | None:
    try:
        return _http(url.format(code="DE", code_lower="de"))
    except (KeyError, IndexError, ValueError):
        return f"seuls {{code}} et {{code_lower}} sont permis dans « {url} »"


URL = Str(check=_http)
TEXT = Str(nonempty=True)
LINK = Table({"label": Field(TEXT, required=True), "url": Field(URL, required=True)})
CONTACT = Table(
    {
        "name": Field(TEXT, required=True, help="le service (jamais une personne)"),
        "role": Field(Str(), help="ce qu'il fait pour les entreprises"),
        "address": Field(Str(), help="adresse postale publiée"),
        "phone": Field(Str(check=_phone), help="standard publié"),
        "email": Field(Str(check=_email), help="adresse générique publiée"),
        "form": Field(URL, help="adresse d'un formulaire de contact"),
        "url": Field(URL, help="page où le contact est publié"),
        "source": Field(URL, help="page d'où il est tiré (sans elle, il n'est pas affiché)"),
        "checked": Field(
            Str(check=_day), help="jour où il y a été vérifié (sans lui, il n'est pas affiché)"
        ),
    },
    check=_reachable,
)
CONTACTS = List(CONTACT)
LINKS = List(LINK)
SCHEMA = Table(
    {
        "partner": Field(
            List(
                Table(
                    {
                        "id": Field(Str(pattern=r"[a-z0-9-]+"), required=True),
                        "name": Field(TEXT, required=True),
                        "group": Field(Str(choices=tuple(GROUPS)), required=True),
                        "providers": Field(List(TEXT)),
                        "role": Field(TEXT, required=True),
                        "steps": Field(List(Str(choices=STEP_IDS))),
                        "sites": Field(LINKS),
                        "contacts": Field(CONTACTS),
                    }
                )
            )
        ),
        "region": Field(
            List(
                Table(
                    {
                        "code": Field(Str(check=_region_code), required=True),
                        "council": Field(Str()),
                        "sites": Field(LINKS),
                        "contacts": Field(CONTACTS),
                    }
                )
            )
        ),
        "country": Field(
            List(
                Table(
                    {
                        "code": Field(Str(check=_country_code), required=True),
                        "links": Field(LINKS),
                        "contacts": Field(CONTACTS),
                    }
                )
            )
        ),
        "country_source": Field(
            List(
                Table(
                    {
                        "provider": Field(TEXT, required=True),
                        "label": Field(TEXT, required=True),
                        "url": Field(Str(check=_template), required=True),
                        "outside_eu": Field(
                            Bool(), help="seulement hors du territoire douanier de l'UE"
                        ),
                    }
                )
            )
        ),
        "contact_body": Field(
            List(
                Table(
                    {
                        "id": Field(Str(pattern=r"[a-z0-9-]+"), required=True),
                        "label": Field(TEXT, required=True),
                        "cues": Field(List(TEXT), required=True),
                        "source": Field(Str(), help="le fournisseur d'un [[country_source]]"),
                    }
                )
            )
        ),
    }
)
LABELS = {"region": "code", "country": "code", "contacts": "name", "contact_body": "id"}


def _coverage(raw: dict[str, Any]) -> list[tuple[Path_, str]]:
    """Duplicate partners and regions; every region present."""
    problems: list[tuple[Path_, str]] = []
    for key, name, what in (("partner", "id", "identifiant"), ("region", "code", "région")):
        seen: set[str] = set()
        for i, entry in enumerate(raw.get(key, [])):
            if entry[name] in seen:
                problems.append(((key, i, name), f"{what} en double"))
            seen.add(entry[name])
    providers = {entry["provider"] for entry in raw.get("country_source", [])}
    problems += [
        (
            ("contact_body", i, "source"),
            f"aucun [[country_source]] du fournisseur « {b['source']} »",
        )
        for i, b in enumerate(raw.get("contact_body", []))
        if b.get("source") and b["source"] not in providers
    ]
    codes = {entry["code"] for entry in raw.get("region", [])}
    problems += [
        (("region",), f"la région « {code} » ({region.name}) manque")
        for code, region in regions().items()
        if code not in codes
    ]
    return problems


# -- reading and checking -------------------------------------------------------------------------


def check_directory(path: str | Path = DIRECTORY_FILE) -> list[str]:
    """Every error of a directory file, one French line each (empty when the file is valid)."""
    try:
        load_directory(path)
    except DataError as exc:
        return exc.errors
    return []


def load_directory(path: str | Path = DIRECTORY_FILE) -> Directory:
    """The directory file parsed and checked; DataError lists every problem."""
    raw = load_toml(path, SCHEMA, _coverage, LABELS)
    return Directory(
        tuple(_partner(p) for p in raw.get("partner", [])),
        {r["code"]: _region(r) for r in raw.get("region", [])},
        {c["code"].upper(): _country(c) for c in raw.get("country", [])},
        tuple(
            CountrySource(s["provider"], s["label"], s["url"], s.get("outside_eu", False))
            for s in raw.get("country_source", [])
        ),
        tuple(
            ContactBody(b["id"], b["label"].strip(), tuple(b["cues"]), b.get("source", "").strip())
            for b in raw.get("contact_body", [])
        ),
    )


def _links(items: list[dict[str, str]]) -> tuple[Link, ...]:
    return tuple(Link(i["label"].strip(), i["url"].strip()) for i in items)


def _contacts(entry: dict[str, Any]) -> dict[str, tuple[Contact, ...]]:
    """The entry's contacts split: those shown (sourced and checked) and the others."""
    built = [
        Contact(**{k: str(v).strip() for k, v in raw.items()}) for raw in entry.get("contacts", [])
    ]
    return {
        "contacts": tuple(c for c in built if c.sourced),
        "unchecked": tuple(c for c in built if not c.sourced),
    }


def _partner(p: dict[str, Any]) -> Partner:
    return Partner(
        p["id"],
        p["name"].strip(),
        p["group"],
        tuple(p.get("providers", [])),
        p["role"].strip(),
        tuple(p.get("steps", [])),
        _links(p.get("sites", [])),
        **_contacts(p),
    )


def _region(r: dict[str, Any]) -> RegionEntry:
    return RegionEntry(
        r["code"], r.get("council", "").strip(), _links(r.get("sites", [])), **_contacts(r)
    )


def _country(c: dict[str, Any]) -> CountryEntry:
    return CountryEntry(c["code"].upper(), _links(c.get("links", [])), **_contacts(c))


def incomplete_entries() -> list[dict[str, str]]:
    """The editorial contacts not shown for want of a source or a checked date, for the
    maintainers' console: [{"entry", "contact", "missing"}]."""
    found = directory()
    entries: list[tuple[str, tuple[Contact, ...]]] = [
        (f"partenaire « {p.name} »", p.unchecked) for p in found.partners
    ]
    entries += [
        (f"région « {regions()[code].name} »", r.unchecked) for code, r in found.regions.items()
    ]
    entries += [(f"pays « {code} »", c.unchecked) for code, c in found.countries.items()]
    out = []
    for where, contacts in entries:
        for contact in contacts:
            missing = [
                label
                for key, label in (("source", "la source"), ("checked", "la date de vérification"))
                if not getattr(contact, key)
            ]
            out.append({"entry": where, "contact": contact.name, "missing": " et ".join(missing)})
    return out


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


def _folded(text: str) -> str:
    """The analyser's folding (lower case, no accents), typographic apostrophes made plain."""
    return " ".join(fold(text).replace("’", "'").split())


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


# -- a country's contacts, by body ----------------------------------------------------------------

OTHER_BODY = ContactBody("autres", "Autres contacts", ())


@dataclass(frozen=True)
class ContactGroup:
    """One body's contacts in a country; `fallback` is its official directory when none."""

    body: ContactBody
    contacts: tuple[ListedContact, ...]
    fallback: Link | None = None


def body_of(listed: ListedContact, bodies: tuple[ContactBody, ...]) -> ContactBody:
    """The body a contact belongs to: by its name, else by who publishes its page."""
    provider = listed.page.provider if listed.page else ""
    for name in (listed.contact.name, provider):
        found = next((b for b in bodies if name and b.designates(name)), None)
        if found:
            return found
    return OTHER_BODY


def contact_groups(code: str, contacts: list[ListedContact]) -> list[ContactGroup]:
    """A country's contacts grouped by body, in the directory's order, « other » last; a body
    with a directory and no contact here gets that directory's link instead."""
    found = directory()
    sources = {s.provider: s for s in found.country_sources}
    by_body: dict[str, list[ListedContact]] = {}
    for listed in contacts:
        by_body.setdefault(body_of(listed, found.contact_bodies).id, []).append(listed)
    groups = []
    for body in (*found.contact_bodies, OTHER_BODY):
        members = tuple(by_body.get(body.id, ()))
        source = sources.get(body.source)
        fallback = source.link(code) if source and not members else None
        if members or fallback:
            groups.append(ContactGroup(body, members, fallback))
    return groups
