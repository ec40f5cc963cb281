"""The V.I.E. board's offers: their dates counted from « today », their place and allowance.

An offer is a page of `content/vie.toml` with a `[page.job]` table. Its dates are written as
offsets from the day the board is served (`posted_days_ago`, `deadline_in_days`,
`start_in_months`), so the board always holds fresh offers, a few closing today or tomorrow and
a few already closed; `load_board` turns them into ISO dates for a given day, and checks every
offer (all the problems at once, in French).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from demo.site import Page

# The day the manifest's and the labelled records' dates are counted from (a fixed day, so the
# generated files do not change with the calendar); a served board counts from its own today.
MANIFEST_TODAY = date(2026, 11, 27)
TODAY_ENV = "PORTAIL_DEMO_TODAY"
MISSIONS = {"V.I.E.": "vie", "V.I.A.": "via"}
SIZES = ("Start-up", "PME", "ETI", "Grand groupe", "Administration")
ZONES = (
    "Europe",
    "Amérique du Nord",
    "Amérique latine",
    "Afrique",
    "Moyen-Orient",
    "Asie",
    "Océanie",
)
OFFSETS = ("posted_days_ago", "deadline_in_days", "start_in_months", "start_day")
REQUIRED = (
    "reference",
    "mission",
    "company",
    "size",
    "city",
    "country",
    "months",
    "telework",
    "posted_days_ago",
    "deadline_in_days",
    "start_in_months",
)
REFERENCE_RE = re.compile(r"(VIE|VIA)-\d{4}-\d{4}")
SHORTEST_MONTH = 28  # days


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    zone: str
    allowance: int  # euros a month, as Business France pays it in that country
    cities: dict[str, int]  # cities with an allowance of their own

    def allowance_in(self, city: str) -> int:
        return self.cities.get(city, self.allowance)


@dataclass
class Board:
    """The offers of the board, dated from `dated_from`, with the countries and sectors they use."""

    dated_from: date
    countries: dict[str, Country]
    sectors: dict[str, str]
    offers: list[Page]

    def by_reference(self, reference: str) -> Page | None:
        wanted = reference.upper()
        return next((p for p in self.offers if job(p)["reference"] == wanted), None)

    def is_open(self, page: Page, day: date) -> bool:
        """Published and not past its deadline on `day`: what the board shows that day."""
        j = job(page)
        return j["posted"] <= day.isoformat() <= j["deadline"]

    def fiche(self, page: Page) -> list[tuple[str, str]]:
        """The offer's key facts as the board shows them: (label, value)."""
        j = job(page)
        host = "Organisme d'accueil" if j["mission"] == "V.I.A." else "Entreprise"
        return [
            ("Type de mission", j["mission"]),
            (host, j["company"]),
            ("Taille de la structure", j["size"]),
            ("Pays", self.countries[j["country"]].name),
            ("Ville", j["city"]),
            ("Zone", j["zone"]),
            ("Secteur", ", ".join(self.sectors[s] for s in page.sectors)),
            ("Durée", f"{j['months']} mois"),
            ("Début de mission", french_day(j["start"])),
            ("Date de publication", french_day(j["posted"])),
            ("Date limite de candidature", french_day(j["deadline"])),
            ("Télétravail", "possible, à temps partiel" if j["telework"] else "non"),
            ("Indemnité mensuelle", euros(j["allowance"])),
        ]

    def fiche_text(self, page: Page) -> str:
        return "\n".join(f"{label} : {value}" for label, value in self.fiche(page))

    def summary(self, page: Page, url: str) -> dict[str, Any]:
        """One offer as the API lists it."""
        j = job(page)
        return {
            "reference": j["reference"],
            "titre": page.title,
            "type_mission": j["mission"],
            "entreprise": j["company"],
            "taille": j["size"],
            "pays": {"code": j["country"], "nom": self.countries[j["country"]].name},
            "zone": j["zone"],
            "ville": j["city"],
            "secteurs": [{"id": s, "nom": self.sectors[s]} for s in page.sectors],
            "duree_mois": j["months"],
            "date_debut": j["start"],
            "date_publication": j["posted"],
            "date_limite": j["deadline"],
            "teletravail": j["telework"],
            "indemnite_mensuelle": {"montant": j["allowance"], "devise": "EUR"},
            "resume": page.description,
            "chemin": page.path,
            "url": url,
        }

    def job_posting(self, page: Page, url: str) -> dict[str, Any]:
        """schema.org JobPosting of an offer."""
        j = job(page)
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "JobPosting",
            "title": page.title,
            "description": page.description,
            "identifier": {"@type": "PropertyValue", "name": "Référence", "value": j["reference"]},
            "datePosted": j["posted"],
            "validThrough": j["deadline"],
            "employmentType": j["mission"],
            "hiringOrganization": {
                "@type": "GovernmentOrganization" if j["mission"] == "V.I.A." else "Organization",
                "name": j["company"],
            },
            "jobLocation": {
                "@type": "Place",
                "address": {
                    "@type": "PostalAddress",
                    "addressLocality": j["city"],
                    "addressCountry": j["country"],
                },
            },
            "jobStartDate": j["start"],
            "duration": f"P{j['months']}M",
            "industry": [self.sectors[s] for s in page.sectors],
            "baseSalary": {
                "@type": "MonetaryAmount",
                "currency": "EUR",
                "value": {
                    "@type": "QuantitativeValue",
                    "value": j["allowance"],
                    "unitText": "MONTH",
                },
            },
            "url": url,
        }
        if j["telework"]:
            data["jobBenefits"] = "Télétravail partiel possible"
        return data


def job(page: Page) -> dict[str, Any]:
    assert page.job is not None
    return page.job


def today_from(value: date | str | None) -> date:
    """The board's today: the given day, else `PORTAIL_DEMO_TODAY`, else the real today."""
    return fixed_today(value) or date.today()


def fixed_today(value: date | str | None) -> date | None:
    """The given day, else `PORTAIL_DEMO_TODAY`; None when neither fixes one."""
    if isinstance(value, date):
        return value
    text = value or os.environ.get(TODAY_ENV, "")
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"date du jour invalide « {text} » ({TODAY_ENV}) : attendu AAAA-MM-JJ"
        ) from None


def load_board(raw: dict[str, Any], pages: list[Page], today: date) -> Board:
    """The board of a content file: its offers dated from `today`; every problem at once."""
    countries = {
        code: Country(code, c["name"], c["zone"], c["allowance"], dict(c.get("cities", {})))
        for code, c in raw.get("country", {}).items()
    }
    sectors = dict(raw.get("sector", {}))
    offers = [p for p in pages if p.job is not None]
    problems = board_problems(offers, countries, sectors)
    if problems:
        raise ValueError("content/vie.toml :\n" + "\n".join(problems))
    for page in offers:
        page.job = dated(job(page), today, countries[job(page)["country"]])
        page.date = job(page)["posted"]
    return Board(today, countries, sectors, offers)


def board_problems(
    offers: list[Page], countries: dict[str, Country], sectors: dict[str, str]
) -> list[str]:
    """Every problem of the board's content, one French line each."""
    problems = [
        f"offre {p.path} : {m}" for p in offers for m in offer_problems(p, countries, sectors)
    ]
    references = [str(job(p).get("reference")) for p in offers]
    doubles = sorted({r for r in references if references.count(r) > 1})
    problems += [f"référence en double : {r}" for r in doubles]
    zones = [c for c in countries.values() if c.zone not in ZONES]
    return problems + [f"pays {c.code} : zone inconnue « {c.zone} »" for c in zones]


def dated(raw: dict[str, Any], today: date, country: Country) -> dict[str, Any]:
    """An offer's job table with its offsets turned into ISO dates, its zone and allowance."""
    out = {k: v for k, v in raw.items() if k not in OFFSETS}
    start = month_start(today, raw["start_in_months"]).replace(day=raw.get("start_day", 1))
    out |= {
        "posted": (today - timedelta(days=raw["posted_days_ago"])).isoformat(),
        "deadline": (today + timedelta(days=raw["deadline_in_days"])).isoformat(),
        "start": start.isoformat(),
        "zone": country.zone,
        "allowance": raw.get("allowance") or country.allowance_in(raw["city"]),
    }
    return out


def offer_problems(page: Page, countries: dict[str, Country], sectors: dict[str, str]) -> list[str]:
    """What is wrong with one offer of the content file (French messages)."""
    j = job(page)
    missing = [k for k in REQUIRED if k not in j]
    if missing:
        return [f"clé manquante : {', '.join(missing)}"]
    unknown = sorted(set(j) - set(REQUIRED) - set(OFFSETS) - {"allowance"})
    problems = [f"clé inconnue : {k}" for k in unknown]
    ref, mission = str(j["reference"]), j["mission"]
    if not REFERENCE_RE.fullmatch(ref) or MISSIONS.get(mission, "") != ref[:3].lower():
        problems.append(f"référence « {ref} » incohérente avec la mission « {mission} »")
    if not page.path.startswith(f"/offres/{ref.lower()}-"):
        problems.append(f"l'adresse doit commencer par /offres/{ref.lower()}-")
    if j["size"] not in SIZES or (j["size"] == "Administration") != (mission == "V.I.A."):
        problems.append(f"taille « {j['size']} » (une administration pour un V.I.A. seulement)")
    if j["country"] not in countries or page.countries != [j["country"]]:
        problems.append(f"pays « {j['country']} » absent de [country] ou des pays de la page")
    if not page.sectors or any(s not in sectors for s in page.sectors):
        problems.append("secteurs vides ou absents de [sector]")
    if not (isinstance(j["months"], int) and 6 <= j["months"] <= 24):
        problems.append("durée hors de 6 à 24 mois")
    if not isinstance(j["telework"], bool):
        problems.append("telework doit valoir true ou false")
    problems += date_problems(j)
    if (page.kind, page.step, page.date) != ("vie", "implanter", ""):
        problems.append("kind « vie », step « implanter » et pas de date (elle est calculée)")
    return problems


def date_problems(j: dict[str, Any]) -> list[str]:
    posted, deadline, months = j["posted_days_ago"], j["deadline_in_days"], j["start_in_months"]
    if not all(isinstance(v, int) for v in (posted, deadline, months)):
        return ["posted_days_ago, deadline_in_days et start_in_months sont des entiers"]
    problems = []
    if posted < 0 or deadline < -posted + 7:
        problems.append("publiée dans le passé, au moins 7 jours avant sa date limite")
    if (months - 1) * SHORTEST_MONTH + 1 < deadline + 14:
        problems.append("la mission doit commencer au moins deux semaines après la date limite")
    if j.get("start_day", 1) not in (1, 15):
        problems.append("start_day vaut 1 ou 15")
    return problems


def month_start(today: date, months: int) -> date:
    """The first day of the month `months` after today's."""
    index = today.year * 12 + today.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def french_day(iso: str) -> str:
    from demo.site import french_date  # site imports this module

    return french_date(iso)


def euros(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u202f") + " €"
