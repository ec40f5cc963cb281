"""Security headers on every response: CSP without inline scripts, no framing, no sniffing;
HSTS on what is served over HTTPS (never over plain HTTP, where a browser ignores it and a
mistaken test network would be locked out)."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

# DSFR's stylesheet embeds small SVGs as data: URLs; everything else comes from this site.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    seconds = current_app.config.get("HSTS_SECONDS")
    if seconds and request.is_secure:  # X-Forwarded-Proto only through TRUSTED_PROXIES
        response.headers.setdefault("Strict-Transport-Security", f"max-age={int(seconds)}")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
