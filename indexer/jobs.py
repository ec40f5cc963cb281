"""V.I.E. and V.I.A. offers: a job posting's fields for the V.I.E. board.

Each field comes from the page's schema.org JobPosting (`identifier`, `hiringOrganization`,
`jobLocation`, `industry`, `duration`, `jobStartDate`, `datePosted`, `validThrough`,
`employmentType`, `jobLocationType`), else from the facts the page lists, a label then its
value (« Durée : 18 mois », or the label on one line and the value on the next, as the
boards print them), else from the page's classification (its only country, its sectors).
Measured on the demo board's 83 offers: every field right from the JSON-LD, and from the
text alone once the JSON-LD is removed (tests/test_vie.py).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from indexer.analysis import fold
from indexer.events import jsonld_item, jsonld_text
from indexer.gazetteers import country_gazetteer
from indexer.lexicon import TITLE_WEIGHT, analyse
from indexer.sectors import sector_scores
from portail.frdates import MONTHS

MISSIONS = ("V.I.E.", "V.I.A.")
HEAD_CHARS = 4000  # the facts are listed at the top of an offer
# The labels of an offer's facts, as French boards print them.
LABELS = {
    "mission": r"Type de (?:mission|volontariat|contrat)",
    "company": r"Entreprise|Soci[ée]t[ée]|Organisme d'accueil|Structure d'accueil",
    "country": r"Pays",
    "city": r"Ville|Lieu de (?:la )?mission",
    "sectors": r"Secteurs?(?: d'activit[ée])?",
    "months": r"Dur[ée]e(?: de (?:la )?mission)?",
    "start": r"(?:Date de )?d[ée]but(?: de (?:la )?mission)?",
    "posted": r"Date de publication|Publi[ée]e? le",
    "deadline": r"Date limite(?: de candidature)?|Candidatures? jusqu'au",
    "telework": r"T[ée]l[ée]travail",
}
FACT_RE = {
    name: re.compile(rf"^(?:{label})[ \t]*(?::[ \t]*|\n)[ \t]*(\S[^\n]*)$", re.I | re.M)
    for name, label in LABELS.items()
}
REFERENCE_RE = re.compile(r"\bR[ée]f[ée]rence\s*:?\s*([A-Z0-9][A-Z0-9._/-]{3,30}[A-Z0-9])")
WRITTEN_DATE = re.compile(r"(\d{1,2})(?:er)?\s+([a-zéû]+)\.?\s+(\d{4})", re.I)
NUMERIC_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
ISO_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?", re.I)
MONTHS_RE = re.compile(r"(\d{1,2})\s*mois", re.I)
YEARS_RE = re.compile(r"(\d)\s*ans?\b", re.I)
NO = re.compile(r"^(?:non|aucun|impossible|pas de)", re.I)


def job_fields(
    items: list[dict[str, Any]],
    title: str,
    text: str,
    countries: list[str],
    sectors: list[str],
) -> dict[str, Any] | None:
    """The offer's fields, or None when the page neither is a JobPosting nor lists a job's
    facts. `mission` is « V.I.E. », « V.I.A. » or None (another kind of job)."""
    item = jsonld_item(items, "JobPosting") or {}
    facts = listed_facts(text[:HEAD_CHARS])
    if not item and len(facts) < 4:
        return None
    reference = _reference(item, text)
    return {
        "reference": reference,
        "mission": _mission(item, facts, reference, title),
        "company": jsonld_text(item.get("hiringOrganization")) or facts.get("company", ""),
        "country": _country(item, facts, countries),
        "city": _city(item) or facts.get("city", ""),
        "sectors": _sectors(item, facts) or list(sectors),
        "months": _months(item, facts),
        "start": _date(item.get("jobStartDate")) or read_date(facts.get("start", "")),
        "posted": _date(item.get("datePosted")) or read_date(facts.get("posted", "")),
        "deadline": _date(item.get("validThrough")) or read_date(facts.get("deadline", "")),
        "telework": _telework(item, facts),
    }


def listed_facts(text: str) -> dict[str, str]:
    """The facts a page lists, by field (the first value given for each label)."""
    out = {}
    for name, pattern in FACT_RE.items():
        found = pattern.search(text)
        if found:
            out[name] = found[1].strip()
    return out


# -- each field ----------------------------------------------------------------------------------


def _reference(item: dict[str, Any], text: str) -> str:
    identifier = item.get("identifier")
    if isinstance(identifier, dict):
        identifier = identifier.get("value") or identifier.get("name")
    if isinstance(identifier, str | int) and str(identifier).strip():
        return str(identifier).strip()
    found = REFERENCE_RE.search(text[:HEAD_CHARS])
    return found[1] if found else ""


def mission_type(written: str) -> str | None:
    """« V.I.E. », « VIE », « Volontariat international en entreprise » → « V.I.E. »."""
    folded = re.sub(r"[\s.]", "", fold(written or ""))
    if folded.startswith("vie") or "volontariatinternationalenentreprise" in folded:
        return "V.I.E."
    if folded.startswith("via") or "volontariatinternationalenadministration" in folded:
        return "V.I.A."
    return None


def _mission(item: dict[str, Any], facts: dict[str, str], reference: str, title: str) -> str | None:
    employment = item.get("employmentType")
    if isinstance(employment, list):
        employment = " ".join(str(e) for e in employment)
    for written in (str(employment or ""), facts.get("mission", ""), reference, title):
        found = mission_type(written)
        if found:
            return found
    return None


def _country(item: dict[str, Any], facts: dict[str, str], countries: list[str]) -> str:
    address = _address(item)
    written = address.get("addressCountry") if address else None
    code = country_code(jsonld_text(written)) if written else ""
    if not code and facts.get("country"):
        code = country_code(facts["country"])
    if not code and len(countries) == 1:
        code = countries[0]
    return code


def country_code(written: str) -> str:
    """An ISO code (« DE ») or a French name (« Allemagne ») → « DE »; empty if unknown."""
    written = written.strip()
    if re.fullmatch(r"[A-Za-z]{2}", written):
        return written.upper()
    named = [m.code for m in country_gazetteer().find(written, cased=False) if m.kind == "name"]
    return named[0] if named else ""


def _address(item: dict[str, Any]) -> dict[str, Any]:
    location = item.get("jobLocation") or {}
    if isinstance(location, list):
        location = location[0] if location else {}
    address = location.get("address", {}) if isinstance(location, dict) else {}
    return address if isinstance(address, dict) else {}


def _city(item: dict[str, Any]) -> str:
    return str(_address(item).get("addressLocality") or "").strip()


def _sectors(item: dict[str, Any], facts: dict[str, str]) -> list[str]:
    """The sectors the board names (`industry`, or the « Secteur » fact), as sector ids."""
    industry = item.get("industry")
    labels = industry if isinstance(industry, list) else [industry] if industry else []
    if not labels and facts.get("sectors"):
        labels = re.split(r"\s*[,;/]\s*", facts["sectors"])
    found = [sector_of(str(label)) for label in labels]
    return list(dict.fromkeys(s for s in found if s))


def sector_of(label: str) -> str | None:
    """The one sector a board's label names (« Mer et industries navales » → maritime)."""
    scores = sector_scores([(analyse(label), TITLE_WEIGHT)])
    best = max(scores.items(), key=lambda kv: kv[1], default=("", 0.0))
    return best[0] if best[1] > 0 else None


def _months(item: dict[str, Any], facts: dict[str, str]) -> int | None:
    found = ISO_DURATION.fullmatch(str(item.get("duration") or "").strip())
    if found and any(found.groups()):
        years, months, weeks, days = (int(g or 0) for g in found.groups())
        return round(years * 12 + months + (weeks * 7 + days) / 30.44) or None
    written = facts.get("months", "")
    by_months, by_years = MONTHS_RE.search(written), YEARS_RE.search(written)
    if by_months:
        return int(by_months[1])
    return int(by_years[1]) * 12 if by_years else None


def _telework(item: dict[str, Any], facts: dict[str, str]) -> bool | None:
    """What the page says of telework; None when it says nothing."""
    if "telework" in facts:
        return not NO.match(facts["telework"])
    if str(item.get("jobLocationType") or "").upper() == "TELECOMMUTE":
        return True
    benefits = fold(jsonld_text(item.get("jobBenefits")))
    if "teletravail" in benefits:
        return not re.search(r"\b(?:pas de|sans|aucun) teletravail", benefits)
    return None


def _date(value: Any) -> str:
    """A schema.org date or date-time, as an ISO day; empty when unreadable."""
    try:
        return date.fromisoformat(str(value or "")[:10]).isoformat()
    except ValueError:
        return ""


def read_date(written: str) -> str:
    """« 1er avril 2027 » or « 01/04/2027 » → « 2027-04-01 »; empty when unreadable."""
    found = WRITTEN_DATE.search(written)
    if found and found[2].lower() in MONTHS:
        day, month, year = int(found[1]), MONTHS[found[2].lower()], int(found[3])
    else:
        found = NUMERIC_DATE.search(written)
        if not found:
            return ""
        day, month, year = int(found[1]), int(found[2]), int(found[3])
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""
