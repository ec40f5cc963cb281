"""The contact a contact page publishes: its name, postal address, phone and e-mail.

Read, most reliable first, from the page's schema.org items (JSON-LD or microdata:
Organization, GovernmentOrganization, LocalBusiness and their ContactPoint), from its
`<address>` blocks (kept by the crawler), then from the labelled values of its text
(« Adresse : … », « Tél. : … », « se trouve au … »). Phone numbers may be French or
international (« +81 3 5798 6100 »).
"""

from __future__ import annotations

import re
from typing import Any

from indexer.events import jsonld_item, jsonld_text
from indexer.kinds import EMAIL, INTERNATIONAL_PHONE, PHONE

ORGANISATION_TYPES = ("Organization", "GovernmentOrganization", "LocalBusiness")
MIN_DIGITS, MAX_DIGITS = 8, 15
LABEL = re.compile(
    r"^(?:t[ée]l|t[ée]l[ée]phone|fax|t[ée]l[ée]copie|courriel|e-?mail|m[ée]l)\b", re.I
)
TEXT_ADDRESS = re.compile(
    r"(?:\badresse\s*:|\bse trouve au|\best situ[ée] au|\bsi[èe]ge\s*:)\s*([^\n]+?)"
    r"(?=\.\s|\.$|\s(?:T[ée]l|T[ée]l[ée]phone)\b|\n|$)",
    re.I,
)
ADDRESS_PARTS = (
    "streetAddress",
    "postalCode",
    "addressLocality",
    "addressRegion",
    "addressCountry",
)


def contact_fields(structured: dict[str, Any], text: str) -> dict[str, str]:
    """{name, address, phone, email} of a contact page; an empty string where none is found."""
    items = [*structured.get("jsonld", []), *structured.get("microdata", [])]
    item = jsonld_item(items, *ORGANISATION_TYPES) or {}
    block = _block(structured.get("addresses") or [])
    point = item.get("contactPoint") or {}
    if isinstance(point, list):
        point = point[0] if point else {}
    return {
        "name": jsonld_text(item.get("name")) or block["name"],
        "address": postal_address(item.get("address")) or block["address"] or text_address(text),
        "phone": _value(point.get("telephone") or item.get("telephone"), "tel:")
        or block["phone"]
        or phone_in(text),
        "email": _value(point.get("email") or item.get("email"), "mailto:")
        or block["email"]
        or email_in(text),
    }


def postal_address(value: Any) -> str:
    """A schema.org address as one line: « 5 Pariser Platz, 10117 Berlin, Allemagne »."""
    if isinstance(value, list):
        return postal_address(value[0]) if value else ""
    if isinstance(value, dict):
        parts = [str(value.get(key) or "").strip() for key in ADDRESS_PARTS]
        return ", ".join(p for p in parts if p)
    return " ".join(str(value or "").split())


def phone_in(text: str) -> str:
    """The first phone number of a text, international or French."""
    for match in INTERNATIONAL_PHONE.finditer(text):
        if MIN_DIGITS <= len(re.sub(r"\D", "", match[0])) <= MAX_DIGITS:
            return match[0].strip()
    found = PHONE.search(text)
    return found[0] if found else ""


def email_in(text: str) -> str:
    found = EMAIL.search(text)
    return found[0].rstrip(".") if found else ""


def text_address(text: str) -> str:
    """An address the text gives after a label (« Adresse : … », « se trouve au … »)."""
    for match in TEXT_ADDRESS.finditer(text):
        if re.search(r"\d", match[1]):
            return match[1].strip(" ,;")
    return ""


def _value(value: Any, scheme: str) -> str:
    text = str(value or "").strip()
    return text[len(scheme) :] if text.lower().startswith(scheme) else text


def _block(blocks: list[list[str]]) -> dict[str, str]:
    """The first `<address>` block read: its name line, its address, phone and e-mail."""
    lines = [line.strip() for line in (blocks[0] if blocks else []) if line.strip()]
    joined = "\n".join(lines)
    postal = [
        line for line in lines if not (LABEL.match(line) or EMAIL.search(line) or phone_in(line))
    ]
    name = ""
    if len(postal) > 2 and not re.search(r"\d", postal[0]):
        name = postal.pop(0)
    return {
        "name": name,
        "address": ", ".join(postal),
        "phone": phone_in(joined),
        "email": email_in(joined),
    }
