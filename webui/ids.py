"""Stable ids of aggregated pages on the portal: a readable slug and a short hash of the URL."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from webui.content import slugify

SLUG_CHARS = 60
HASH_CHARS = 8


def page_id(url: str, title: str = "") -> str:
    """« assurance-prospection-1a2b3c4d »: the same URL always gives the same id."""
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:HASH_CHARS]
    words = slugify(title) or slugify(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    slug = words[:SLUG_CHARS].rstrip("-")
    return f"{slug}-{digest}" if slug else digest


def hash_of(identifier: str) -> str:
    """The hash part of an id (what a lookup really compares: a slug may be retitled)."""
    return identifier.rsplit("-", 1)[-1]
