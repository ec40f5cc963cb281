"""Country fact sheets: official name, capital, zone, currency, languages, time difference with
Paris, the EU's trade relationship and sanctions, each with its source and year.

Facts come from the packages that ship them (pycountry's ISO 3166-1 names, Babel's CLDR
currencies, languages and time zones, country-converter's UN M49 regions) and, for what no
package ships, from webui/data/country_facts.toml (EU membership, trade agreements, sanctions,
capitals in French), where every entry names its source and the date it was checked."""

from __future__ import annotations

import gettext
import re
import zoneinfo
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
from babel import Locale
from babel.core import get_global
from babel.numbers import get_currency_name

from portail.geo import country_name
from portail.schema import Bool, Field, Int, List, Map, Path_, Str, Table, load_toml
from webui import zones
from webui.layout import french_date

FACTS_FILE = Path(__file__).resolve().parent / "data" / "country_facts.toml"
PARIS = "Europe/Paris"
ISO_CODE = r"[A-Z]{2}"
DATE = r"\d{4}-\d{2}-\d{2}"
KINDS = {
    "union-douaniere": "Union douanière avec l'UE",
    "territoire-douanier": "Dans le territoire douanier de l'UE",
    "eee": "Espace économique européen (marché intérieur de l'UE)",
    "libre-echange": "Accord commercial préférentiel avec l'UE",
}
SANCTIONS_MAP = "https://www.sanctionsmap.eu/"
TRESOR_SANCTIONS = (
    "https://www.tresor.economie.gouv.fr/services-aux-entreprises/sanctions-economiques"
)
IANA = "https://www.iana.org/time-zones"
TRADE_LIST = (
    "https://policy.trade.ec.europa.eu/eu-trade-relationships-country-and-region/"
    "negotiations-and-agreements_en"
)


# -- the data file --------------------------------------------------------------------------


def _iso(code: str) -> str | None:
    return None if pycountry.countries.get(alpha_2=code) else f"code ISO 3166-1 inconnu « {code} »"


def _real_date(text: str) -> str | None:
    try:
        date.fromisoformat(text)
    except ValueError:
        return f"date impossible « {text} »"
    return None


def _https(url: str) -> str | None:
    return (
        None if re.fullmatch(r"https://[^\s]+", url) else f"« {url} » n'est pas une adresse https"
    )


CODES = List(Str(pattern=ISO_CODE, check=_iso), min_items=1, unique=True)
URL = Str(check=_https)
CHECKED = Str(pattern=DATE, check=_real_date)
SCHEMA = Table(
    {
        "package": Field(
            List(
                Table(
                    {
                        "id": Field(Str(choices=("iso", "cldr", "m49")), required=True),
                        "label": Field(Str(nonempty=True), required=True),
                        "url": Field(URL, required=True),
                        "distribution": Field(Str(nonempty=True), required=True),
                        "version": Field(Str(nonempty=True), required=True),
                        "year": Field(Int(1990, 2100), required=True),
                    }
                ),
                min_items=3,
            ),
            required=True,
        ),
        "eu": Field(
            Table(
                {
                    "label": Field(Str(nonempty=True), required=True),
                    "source": Field(URL, required=True),
                    "checked": Field(CHECKED, required=True),
                    "members": Field(
                        Map(Int(1958, 2100), key=Str(pattern=ISO_CODE, check=_iso)), required=True
                    ),
                }
            ),
            required=True,
        ),
        "agreement": Field(
            List(
                Table(
                    {
                        "kind": Field(Str(choices=tuple(KINDS)), required=True),
                        "name": Field(Str(nonempty=True), required=True),
                        "countries": Field(CODES, required=True),
                        "since": Field(Int(1950, 2100)),
                        "source": Field(URL, required=True),
                        "checked": Field(CHECKED, required=True),
                    }
                )
            ),
            required=True,
        ),
        "sanctions": Field(
            List(
                Table(
                    {
                        "countries": Field(CODES, required=True),
                        "summary": Field(Str(nonempty=True), required=True),
                        "url": Field(URL),
                        "source": Field(URL, required=True),
                        "checked": Field(CHECKED, required=True),
                        "confirmed": Field(
                            Bool(),
                            help="false: a regime the team knows of but has not yet compared "
                            "with the source (« à confirmer »; `checked`: when it was noted)",
                        ),
                    }
                )
            ),
            required=True,
        ),
        "labels": Field(
            Map(Str(nonempty=True), key=Str(check=_https)),
            required=True,
            help="the name each source address shows on the pages",
        ),
        "capitals": Field(
            Table(
                {
                    "source": Field(URL, required=True),
                    "checked": Field(CHECKED, required=True),
                    "names": Field(
                        Map(Str(nonempty=True), key=Str(pattern=ISO_CODE, check=_iso)),
                        required=True,
                    ),
                }
            ),
            required=True,
        ),
    }
)


def consistency(data: dict[str, Any]) -> list[tuple[Path_, str]]:
    """An EU member has no agreement with the EU; a country has one sanctions entry."""
    problems: list[tuple[Path_, str]] = []
    members = set(data["eu"]["members"])
    for i, agreement in enumerate(data["agreement"]):
        for code in sorted(members & set(agreement["countries"])):
            problems.append((("agreement", i, "countries"), f"« {code} » est membre de l'UE"))
    seen: set[str] = set()
    for i, entry in enumerate(data["sanctions"]):
        for code in entry["countries"]:
            if code in seen:
                problems.append((("sanctions", i, "countries"), f"« {code} » figure deux fois"))
            seen.add(code)
    return problems


@cache
def load() -> dict[str, Any]:
    return load_toml(FACTS_FILE, SCHEMA, consistency)


# -- facts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    label: str
    url: str
    year: int
    checked: str | None = None  # ISO date an editor compared the fact with the source


@dataclass(frozen=True)
class Fact:
    id: str
    label: str
    value: str
    source: Source


@dataclass(frozen=True)
class Sanction:
    summary: str
    url: str | None
    source: Source
    confirmed: bool = True  # False: noted by the team, not yet compared with the source
    noted: str | None = None  # for a regime to confirm: when the team noted it (ISO date)


@dataclass(frozen=True)
class Sheet:
    """A country's fact sheet: the table rows and the sanctions that call for an alert."""

    code: str
    facts: list[Fact]
    sanctions: list[Sanction] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "facts": [asdict(f) for f in self.facts],
            "sanctions": [asdict(s) for s in self.sanctions],
        }


def package_source(package_id: str) -> Source:
    entry = next(p for p in load()["package"] if p["id"] == package_id)
    return Source(entry["label"], entry["url"], entry["year"])


def _checked(url: str, checked: str) -> Source:
    """The source of an editorial fact: its page and the date an editor compared them."""
    return Source(load()["labels"].get(url, url), url, int(checked[:4]), checked)


def sheet(code: str, day: date) -> Sheet:
    """Every fact the portal can source about a country, for `day` (the time difference)."""
    rows = [
        official_name(code),
        capital(code),
        zone(code),
        currency(code),
        languages(code),
        time_difference(code, day),
        trade(code),
    ]
    found = sanctions(code)
    return Sheet(code, [r for r in rows if r is not None] + [sanctions_fact(found)], found)


@cache
def _french_iso() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])


def official_name(code: str) -> Fact | None:
    """ISO 3166-1's official name in French; where ISO gives none (Japon, Canada…), the usual
    name, said to be one, with ISO's short name when it differs (« Russie, Fédération de »)."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return None
    official = getattr(country, "official_name", None)
    if official:
        name = _french_iso().gettext(official)
    else:
        usual, short = country_name(code), _french_iso().gettext(country.name)
        iso = f" ; son nom court ISO : « {short} »" if short != usual else ""
        name = f"{usual} (nom usuel : la norme ISO 3166-1 ne donne pas de nom officiel{iso})"
    return Fact("official_name", "Nom officiel", name, package_source("iso"))


def capital(code: str) -> Fact | None:
    entry = load()["capitals"]
    name = entry["names"].get(code)
    return Fact("capital", "Capitale", name, _source_of(entry)) if name else None


def zone(code: str) -> Fact:
    return Fact("zone", "Zone", zones.zone_of(code).label, package_source("m49"))


def currency(code: str) -> Fact | None:
    current = [
        c
        for c, _start, end, tender in get_global("territory_currencies").get(code, [])
        if tender and end is None
    ]
    if not current:
        return None
    names = [_currency_name(c) for c in current]
    label = "Monnaie" if len(names) == 1 else "Monnaies"
    return Fact("currency", label, ", ".join(names), package_source("cldr"))


def _currency_name(code: str) -> str:
    name = get_currency_name(code, locale="fr")
    return code if name == code else f"{name} ({code})"


def languages(code: str) -> Fact | None:
    spoken = get_global("territory_languages").get(code, {})
    official = [lang for lang, info in spoken.items() if info["official_status"] == "official"]
    suffix = ""
    if not official:
        official = [
            lang for lang, info in spoken.items() if info["official_status"] == "de_facto_official"
        ]
        suffix = " (de fait)"
    if not official:
        return None
    names = [language_name(lang) for lang in official]
    label = "Langue officielle" if len(names) == 1 else "Langues officielles"
    return Fact(
        "languages", label, ", ".join(dict.fromkeys(names)) + suffix, package_source("cldr")
    )


def language_name(code: str) -> str:
    names = Locale.parse("fr").languages
    return names.get(code) or names.get(code.split("_")[0]) or code


# -- time ------------------------------------------------------------------------------------


def offsets(code: str, day: date) -> list[int]:
    """Minutes between each of the country's time zones and Paris at noon UTC on `day`,
    summer time included on both sides."""
    instant = datetime.combine(day, time(12), tzinfo=UTC)
    paris = _offset(PARIS, instant)
    found = set()
    for name in get_global("territory_zones").get(code, []):
        try:
            found.add(_offset(name, instant) - paris)
        except zoneinfo.ZoneInfoNotFoundError:
            continue
    return sorted(found)


def _offset(name: str, instant: datetime) -> int:
    delta = instant.astimezone(zoneinfo.ZoneInfo(name)).utcoffset()
    assert delta is not None
    return int(delta.total_seconds() // 60)


def hours(minutes: int) -> str:
    """« +8 h », « −5 h 30 », « 0 h » (a true minus sign)."""
    sign = "−" if minutes < 0 else "+" if minutes > 0 else ""
    h, m = divmod(abs(minutes), 60)
    return f"{sign}{h} h" + (f" {m:02d}" if m else "")


def time_difference(code: str, day: date) -> Fact | None:
    found = offsets(code, day)
    if not found:
        return None
    when = f"le {french_date(day.isoformat())}"
    if len(found) == 1:
        value = (
            f"Même heure qu'à Paris {when}"
            if found[0] == 0
            else f"{hours(found[0])} par rapport à Paris {when}"
        )
    else:
        value = (
            f"De {hours(found[0])} à {hours(found[-1])} par rapport à Paris selon la région "
            f"({len(get_global('territory_zones')[code])} fuseaux horaires) {when}"
        )
    label = (
        f"Calcul du portail, fuseaux horaires de l'IANA {tz_version()} (liste des fuseaux : CLDR)"
    )
    return Fact("time_difference", "Décalage horaire", value, Source(label, IANA, day.year))


@cache
def tz_version() -> str:
    """The IANA release the zoneinfo module reads (system files first, then tzdata)."""
    for folder in zoneinfo.TZPATH:
        index = Path(folder) / "tzdata.zi"
        if index.is_file():
            first = index.read_text("utf-8", errors="replace").partition("\n")[0]
            return first.removeprefix("# version ").strip()
    import tzdata

    return str(tzdata.IANA_VERSION)


# -- the EU ----------------------------------------------------------------------------------


def _source_of(entry: dict[str, Any]) -> Source:
    return _checked(entry["source"], entry["checked"])


def _latest(entries: list[dict[str, Any]]) -> str:
    return max((e["checked"] for e in entries), default=load()["eu"]["checked"])


def trade(code: str) -> Fact:
    eu = load()["eu"]
    if code in eu["members"]:
        value = f"État membre de l'Union européenne depuis {eu['members'][code]}"
        return Fact("eu", "Union européenne", value, _source_of(eu))
    agreements = load()["agreement"]
    found = [a for a in agreements if code in a["countries"]]
    if found:
        value = " ; ".join(_agreement_text(a) for a in found)
        return Fact("eu", "Relation commerciale avec l'UE", value, _source_of(found[0]))
    value = (
        "Aucun accord commercial préférentiel de l'UE en application avec ce pays dans le "
        "relevé du portail"
    )
    return Fact(
        "eu", "Relation commerciale avec l'UE", value, _checked(TRADE_LIST, _latest(agreements))
    )


def in_eu_customs_territory(code: str) -> bool:
    """An EU member, or a country inside the EU's customs territory (Monaco): no customs duty."""
    kinds = {a["kind"] for a in load()["agreement"] if code in a["countries"]}
    return code in load()["eu"]["members"] or "territoire-douanier" in kinds


def _agreement_text(agreement: dict[str, Any]) -> str:
    since = f", appliqué depuis {agreement['since']}" if agreement.get("since") else ""
    return f"{KINDS[agreement['kind']]} : {agreement['name']}{since}"


def sanctions(code: str) -> list[Sanction]:
    """The regimes aimed at the country: the confirmed ones first, then those to confirm."""
    found = [
        Sanction(
            entry["summary"],
            entry.get("url"),
            _sanction_source(entry),
            _confirmed(entry),
            None if _confirmed(entry) else entry["checked"],
        )
        for entry in load()["sanctions"]
        if code in entry["countries"]
    ]
    return sorted(found, key=lambda s: not s.confirmed)


def _confirmed(entry: dict[str, Any]) -> bool:
    return bool(entry.get("confirmed", True))


def _sanction_source(entry: dict[str, Any]) -> Source:
    """A regime to confirm shows no « relevé du » date: nobody compared it with its source."""
    source = _source_of(entry)
    return source if _confirmed(entry) else replace(source, checked=None)


def sanctions_fact(found: list[Sanction]) -> Fact:
    if found:
        confirmed = [s.summary for s in found if s.confirmed]
        to_confirm = [s.summary for s in found if not s.confirmed]
        parts = ["Oui : " + " ; ".join(confirmed)] if confirmed else []
        if to_confirm:
            noted = french_date(max(s.noted or "" for s in found))
            parts.append(
                f"Signalées, à confirmer (relevé de l'équipe du {noted}, pas encore comparé "
                "avec la carte des sanctions de l'UE) : " + " ; ".join(to_confirm)
            )
        return Fact("sanctions", "Sanctions de l'UE", ". ".join(parts), found[0].source)
    confirmed_entries = [e for e in load()["sanctions"] if _confirmed(e)]
    source = _checked(SANCTIONS_MAP, _latest(confirmed_entries))
    return Fact("sanctions", "Sanctions de l'UE", unlisted_sanctions(source), source)


def unlisted_sanctions(source: Source) -> str:
    """What a page says where the portal's list has no regime: never that there is none."""
    return (
        "Non relevées par le portail : sa liste des régimes de sanctions de l'UE, vérifiée le "
        f"{french_date(source.checked or '')}, n'en compte aucun propre à ce pays, mais elle "
        "peut être incomplète ; vérifiez sur la carte des sanctions de l'UE, qui fait foi. Des "
        "gels d'avoirs visent aussi des personnes et entités de tous pays"
    )
