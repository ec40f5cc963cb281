"""URL hygiene: one spelling per URL, tracking parameters and fragments removed."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

TRACKING_PREFIXES = (
    "utm_",
    "pk_",
    "mtm_",
    "at_",
    "xtor",
    "fbclid",
    "gclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "ref_src",
)


def is_tracking(name: str) -> bool:
    return name.lower().startswith(TRACKING_PREFIXES)


def clean_url(url: str) -> str:
    """Canonical spelling: no fragment, no tracking parameters, sorted query, lower-case host."""
    parts = urlsplit(safe_url_string(url.strip()))
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)
    ]
    path = parts.path or "/"
    cleaned = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query), ""))
    return canonicalize_url(cleaned, keep_fragments=False)


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


def rank(url: str) -> tuple[int, int, str]:
    """Which of two twin URLs to keep: the shorter, then the one in lower case."""
    return (len(url), sum(c.isupper() for c in url), url)
