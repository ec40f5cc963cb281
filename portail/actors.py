"""The kinds of actor a source belongs to (`actor` in sources.toml): the facet « type
d'acteur » of searches and of the offers catalogue. Private actors' offers are labelled so."""

from __future__ import annotations

import re

# id → French label, in the order the facets show them.
ACTORS = {
    "public": "Acteur public",
    "consulaire": "Réseau consulaire",
    "prive": "Acteur privé",
    "associatif": "Association",
}
DEFAULT_ACTOR = "public"
# The chambers (CCI, CMA, chambers of agriculture, French chambers abroad) are « consulaire »
# unless the source says otherwise.
CHAMBER = re.compile(r"\b(CCI|CMA|chambres?\s+(de|des|d'|du)\b)", re.IGNORECASE)


def default_actor(organisation: str, name: str = "") -> str:
    """The actor of a source that does not say: a chamber is « consulaire », else public."""
    return "consulaire" if CHAMBER.search(f"{organisation} {name}") else DEFAULT_ACTOR


def actor_label(actor: str) -> str:
    return ACTORS.get(actor, actor)
