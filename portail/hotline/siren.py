"""SIREN numbers: nine digits whose Luhn key is right (INSEE's rule)."""

from __future__ import annotations

import re

SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f]")
# La Poste's SIREN was given before the key rule; INSEE lists it as valid.
LA_POSTE = "356000000"


def normalise_siren(value: str) -> str:
    """« 552 100 554 » → « 552100554 » (spaces, dots and dashes dropped)."""
    return SEPARATORS.sub("", value or "")


def luhn_valid(digits: str) -> bool:
    """The Luhn check: from the right, every second digit doubled (minus 9 past 9)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def siren_problem(value: str) -> str | None:
    """What is wrong with a SIREN number, in French, or None when it is valid."""
    siren = normalise_siren(value)
    if not siren.isdigit() or not siren.isascii():
        return "Le numéro SIREN ne contient que des chiffres (9 chiffres, par exemple 552 100 554)."
    if len(siren) == 14:
        return "C'est un numéro SIRET (14 chiffres) : indiquez les 9 premiers, le SIREN."
    if len(siren) != 9:
        return f"Le numéro SIREN compte 9 chiffres (vous en avez saisi {len(siren)})."
    if siren == "000000000" or not (luhn_valid(siren) or siren == LA_POSTE):
        return "Ce numéro SIREN n'existe pas : vérifiez-le (sa clé de contrôle est fausse)."
    return None
