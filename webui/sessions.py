"""Session cookies and the CSRF token of forms that change something.

The key that signs session cookies is generated once into the data directory (see
`portail.credentials.secret_key`) unless `SECRET_KEY` is configured. Cookies are HttpOnly and
SameSite=Lax, and Secure unless the application runs in debug or testing mode, or
`SESSION_COOKIE_SECURE` (or the environment variable `PORTAIL_COOKIE_SECURE=0`) says otherwise.
Every form that changes something carries a synchronizer token (`csrf_token()` in templates)
that `csrf_valid()` compares, in constant time, with the one kept in the session.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, request, session

from portail.credentials import secret_key

CSRF_FIELD = "csrf_token"
CSRF_SESSION_KEY = "csrf"
SECURE_ENV = "PORTAIL_COOKIE_SECURE"


def init_app(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        try:
            app.config["SECRET_KEY"] = secret_key(Path(app.config["DATA_DIR"]))
        except OSError as exc:  # a read-only data directory: sessions last as long as the process
            app.logger.warning("clé de session non enregistrée (%s) : clé temporaire", exc)
            app.config["SECRET_KEY"] = secrets.token_hex(32)
    secure = app.config.get("SESSION_COOKIE_SECURE")
    if secure is None:
        env = os.environ.get(SECURE_ENV, "").strip().lower()
        secure = env not in ("0", "false", "non", "no") if env else not (app.debug or app.testing)
    app.config.update(
        SESSION_COOKIE_SECURE=bool(secure),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE=app.config.get("SESSION_COOKIE_SAMESITE") or "Lax",
    )
    app.jinja_env.globals.update(csrf_token=csrf_token, csrf_field=CSRF_FIELD)


def csrf_token() -> str:
    """This session's form token, created on first use."""
    token = session.get(CSRF_SESSION_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session[CSRF_SESSION_KEY] = token
    return token


def renew_csrf_token() -> str:
    """A fresh token, e.g. when the user logs in."""
    session.pop(CSRF_SESSION_KEY, None)
    return csrf_token()


def csrf_valid() -> bool:
    """True when the submitted form carries this session's token."""
    expected = session.get(CSRF_SESSION_KEY)
    sent = request.form.get(CSRF_FIELD, "")
    if not isinstance(expected, str) or not expected or not sent:
        return False
    return secrets.compare_digest(expected.encode("utf-8"), sent.encode("utf-8"))
