"""Page titles as the classifier and the model read them: without the site's name."""

from __future__ import annotations

import re

from indexer.analysis import fold

TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|»|·)\s+")
HOST_NOISE = frozenset({"www", "fr", "com", "org", "net", "eu", "gouv", "info", "html"})


def without_site_name(title: str, url: str) -> str:
    """The title without the site's name that HTML titles end with (« Prêt Croissance
    International | Bpifrance », « … - Team France Export Bretagne »): a trailing piece of at
    most six words that the site's host name spells (« teamfrance-export.fr »)."""
    pieces = TITLE_SEPARATORS.split(title.strip())
    if len(pieces) < 2:
        return title
    host = re.sub(r"^[a-z]+://", "", (url or "").lower()).split("/")[0].split(":")[0]
    labels = [w for w in re.split(r"[.-]", host) if len(w) >= 3 and w not in HOST_NOISE]
    compact_host = re.sub(r"[^a-z0-9]", "", "".join(labels))
    while len(pieces) > 1:
        last = pieces[-1]
        words = re.findall(r"\w+", fold(last).replace("’", "'"))
        compact = "".join(words)
        named = bool(compact) and (
            any(label in compact for label in labels)
            or compact in compact_host
            or any(len(w) >= 4 and w in compact_host for w in words)
        )
        if len(words) > 6 or not named:
            break
        pieces.pop()
    return " - ".join(pieces)
