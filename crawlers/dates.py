"""Publication dates written in French in a page's text (« Publié le 14 avril 2026 »)."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fev": 2, "mars": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8,
    "septembre": 9, "sept": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11,
    "décembre": 12, "decembre": 12, "déc": 12, "dec": 12,
}
CUE = r"(?:publié|publiée|mis à jour|mise à jour|actualisé|modifié|date de publication|posté)"
NUMERIC = re.compile(CUE + r"\s*(?:le|:)?\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", re.I)
WRITTEN = re.compile(
    CUE + r"\s*(?:le|:)?\s*(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)?\s*"
    r"(\d{1,2})(?:er)?\s+([a-zéû]+)\.?\s+(\d{4})", re.I)


def find_date(text: str) -> str | None:
    """The ISO date that follows a publication cue in the text, or None."""
    head = text[:4000] + "\n" + text[-1500:]
    for m in WRITTEN.finditer(head):
        month = MONTHS.get(m[2].lower())
        if month:
            iso = _iso(int(m[3]), month, int(m[1]))
            if iso:
                return iso
    for m in NUMERIC.finditer(head):
        iso = _iso(int(m[3]), int(m[2]), int(m[1]))
        if iso:
            return iso
    return None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None
