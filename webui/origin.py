"""Where the portal is reached: the public address of its absolute links, and the reverse
proxies whose forwarded headers are believed.

Absolute links (the OpenAPI document's server, the Atom feeds' self links and ids, the
calendars' links, the country sheets' JSON-LD) are built on `PUBLIC_URL` (or the environment
variable `PORTAIL_PUBLIC_URL`), never on the request's `Host` header, which any client sets.
Without it, they use the request's address only when it is a loopback one (127.0.0.1,
localhost, ::1: development), and stay relative otherwise.

`TRUSTED_PROXIES` (or `PORTAIL_TRUSTED_PROXIES`) is the number of reverse proxies in front of
the portal: their `X-Forwarded-For` and `X-Forwarded-Proto` then give the client's address
(the login limiter counts by it) and whether the request came over HTTPS (the HSTS header).
With 0, the default, those headers are ignored.
"""

from __future__ import annotations

import ipaddress
import os
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix

PUBLIC_URL_ENV = "PORTAIL_PUBLIC_URL"
TRUSTED_PROXIES_ENV = "PORTAIL_TRUSTED_PROXIES"


class SettingError(ValueError):
    """A setting that cannot be used; the message (French) names it and says why."""


class Portal(Flask):
    """Flask, with absolute URLs built on the configured public address."""

    def url_for(  # type: ignore[override]
        self,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        if not _external or not has_request_context():
            return super().url_for(
                endpoint,
                _anchor=_anchor,
                _method=_method,
                _scheme=_scheme,
                _external=_external,
                **values,
            )
        public = self.config.get("PUBLIC_URL")
        if not public and is_loopback(request.host):
            return super().url_for(
                endpoint,
                _anchor=_anchor,
                _method=_method,
                _scheme=_scheme,
                _external=True,
                **values,
            )
        path = super().url_for(endpoint, _anchor=_anchor, _method=_method, **values)
        if not public:
            return path  # an unknown host: a relative link rather than a copy of its Host
        return public + path.removeprefix(request.script_root)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.1, ::1 and localhost, with or without a port."""
    try:
        name = urlsplit(f"//{host}").hostname or ""
    except ValueError:
        return False
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def public_url(value: str | None) -> str | None:
    """The checked public address, without its final slash; None when unset."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or parts.username
        or any(c.isspace() for c in value)
    ):
        raise SettingError(
            f"{PUBLIC_URL_ENV} (PUBLIC_URL) : « {value} » n'est pas une adresse http(s) de "
            "la forme https://export.exemple.fr ou https://exemple.fr/portail"
        )
    return value.rstrip("/")


def trusted_proxies(value: Any) -> int:
    """The number of trusted reverse proxies, checked."""
    try:
        count = int(str(value).strip() or 0)
    except ValueError:
        count = -1
    if not 0 <= count <= 10:
        raise SettingError(
            f"{TRUSTED_PROXIES_ENV} (TRUSTED_PROXIES) : « {value} » n'est pas un nombre de "
            "mandataires inverses (0 à 10)"
        )
    return count


def init_app(app: Flask) -> None:
    """Read the settings (or their environment variables) and trust the proxies said."""
    if app.config.get("PUBLIC_URL") is None:
        app.config["PUBLIC_URL"] = os.environ.get(PUBLIC_URL_ENV)
    app.config["PUBLIC_URL"] = public_url(app.config["PUBLIC_URL"])
    if app.config.get("TRUSTED_PROXIES") is None:
        app.config["TRUSTED_PROXIES"] = os.environ.get(TRUSTED_PROXIES_ENV, "0")
    count = app.config["TRUSTED_PROXIES"] = trusted_proxies(app.config["TRUSTED_PROXIES"])
    if count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=0, x_port=0, x_prefix=0
        )
