"""Logging in and out of the console, and the guard in front of every `/admin…` address.

The guard runs before every request of the application (not only the blueprint's), so an
address under `/admin` that no view answers redirects to the login page too. Failed logins are
counted per client address in the database, so that every web process and node shares the
limit; behind a reverse proxy, wrap the app in werkzeug's ProxyFix so that `remote_addr` is the
client's. A session lives in the database too: the signed cookie only carries its id, so a
logout, a new password or its expiry ends it everywhere, even for a copy of the cookie.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Response, current_app, flash, redirect, request, session, url_for
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.wrappers import Response as BaseResponse

from portail.credentials import (
    CredentialsError,
    admin_password_hash,
    check_admin_password,
    password_fingerprint,
)
from portail.db import Store
from webui import store as app_store
from webui.admin import bp, data_dir, render
from webui.origin import is_loopback
from webui.sessions import csrf_valid, renew_csrf_token

PREFIX = "/admin"
LOGIN_ENDPOINT = "admin.login"
NEXT_ARG = "suivant"
MAX_NAME_CHARS = 60


class LoginLimiter:
    """At most `attempts` logins per client within `window` seconds; a success is forgiven.

    An attempt is counted before the password is checked, in one transaction with the count,
    so parallel requests cannot slip more guesses through than allowed; the counts are shared
    through the database.
    """

    def __init__(self, store: Store, attempts: int, window: float):
        self.store = store
        self.attempts = attempts
        self.window = window

    def attempt(self, client: str) -> float:
        """Count an attempt and return 0, or the seconds before this client may try again."""
        if self.store.take_login_attempt(client, self.attempts, self.window):
            return 0.0
        return float(self.window)

    def succeeded(self, client: str) -> None:
        self.store.clear_failed_logins(client)


def limiter() -> LoginLimiter:
    return LoginLimiter(
        app_store(),
        current_app.config["ADMIN_LOGIN_ATTEMPTS"],
        current_app.config["ADMIN_LOGIN_WINDOW"],
    )


def is_admin_path(path: str) -> bool:
    return path.startswith(PREFIX)


def logged_in() -> bool:
    """A console session still open in the database, under the password in force."""
    user = session.get("admin")
    if not isinstance(user, dict) or not isinstance(user.get("sid"), str):
        return False
    try:
        stamp = password_fingerprint(data_dir())
    except CredentialsError:
        return False
    return app_store().session_name(user["sid"], stamp) is not None


def safe_next(value: str | None) -> str:
    """A local console address to go to after login; anything else gives the console's home."""
    home = url_for("admin.index")
    if not value or len(value) > 2000 or any(c in value for c in "\\\r\n\t\0"):
        return home
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/"):
        return home
    if not (parts.path == PREFIX or parts.path.startswith(PREFIX + "/")):
        return home
    return home if parts.path == url_for(LOGIN_ENDPOINT) else value


def _next_for_login() -> str:
    """Where to come back after login: this page when it can be shown, else the home."""
    if request.method in ("GET", "HEAD"):
        return safe_next(request.full_path.rstrip("?"))
    try:
        current_app.url_map.bind("localhost").match(request.path, method="GET")
    except (MethodNotAllowed, NotFound):
        return url_for("admin.index")
    return safe_next(request.path)


@bp.before_app_request
def guard() -> BaseResponse | tuple[str, int] | None:
    """No console page or action without a session; no console form without its token."""
    if not is_admin_path(request.path):
        return None
    request.max_content_length = current_app.config["ADMIN_MAX_UPLOAD"]
    if request.endpoint != LOGIN_ENDPOINT and not logged_in():
        code = 302 if request.method in ("GET", "HEAD") else 303
        target: dict[str, Any] = {NEXT_ARG: _next_for_login()}
        return redirect(url_for(LOGIN_ENDPOINT, **target), code)
    if request.method == "POST" and not csrf_valid():
        return refused_form()
    return None


def refused_form() -> tuple[str, int]:
    """A form whose token does not match, and why in French: no session cookie came back
    (a Secure cookie over plain HTTP, or cookies blocked), or the form is stale."""
    if current_app.config["SESSION_COOKIE_NAME"] in request.cookies:
        reason = "expired"
    elif insecure_cookie():
        reason = "https"
        current_app.logger.warning(
            "formulaire refusé : cookie de session Secure sur une requête en HTTP (%s) ; "
            "servez le portail en HTTPS, ou PORTAIL_COOKIE_SECURE=0 sur un réseau de test",
            request.host,
        )
    else:
        reason = "cookies"
    return render("refused.html", 400, reason=reason)


def insecure_cookie() -> bool:
    """The session cookie is Secure but this request did not come over HTTPS."""
    return bool(current_app.config["SESSION_COOKIE_SECURE"]) and not request.is_secure


@bp.after_app_request
def private(response: Response) -> Response:
    """Console pages are never cached nor indexed."""
    if is_admin_path(request.path):
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("/connexion", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    target = safe_next(request.values.get(NEXT_ARG))
    if request.method == "GET" and logged_in():
        return redirect(target)
    try:
        configured = admin_password_hash(data_dir()) is not None
    except CredentialsError as exc:
        configured, error = False, str(exc)
    else:
        error = None
    form = {"name": "", "target": target, "configured": configured}
    # Browsers keep Secure cookies on http://localhost only: elsewhere, say it before the login.
    form["plain_http"] = insecure_cookie() and not is_loopback(request.host)
    if request.method == "GET":
        return render("login.html", form=form, error=error)
    return _attempt(form)


def _attempt(form: dict) -> tuple[str, int] | BaseResponse:
    name = " ".join(request.form.get("nom", "").split())[:MAX_NAME_CHARS]
    form["name"] = name
    if not name:
        return render(
            "login.html", 400, form=form, error="Indiquez votre nom : il signe vos corrections."
        )
    client = request.remote_addr or "inconnu"
    wait = limiter().attempt(client)
    if wait:
        minutes = max(1, round(wait / 60))
        page, status = render(
            "login.html",
            429,
            form=form,
            error=(
                f"Trop de tentatives de connexion : réessayez dans {minutes} minute"
                f"{'s' if minutes > 1 else ''}."
            ),
        )
        return Response(page, status, headers={"Retry-After": str(int(wait))})
    if not check_admin_password(data_dir(), request.form.get("mot_de_passe", "")):
        return render("login.html", 403, form=form, error="Mot de passe incorrect.")
    limiter().succeeded(client)
    session.clear()
    lifetime = current_app.config["ADMIN_SESSION_HOURS"] * 3600
    sid = app_store().open_session(name, lifetime, password_fingerprint(data_dir()))
    session["admin"] = {"sid": sid, "name": name}
    renew_csrf_token()
    return redirect(form["target"], 303)


@bp.post("/deconnexion")
def logout():  # type: ignore[no-untyped-def]
    user = session.get("admin")
    if isinstance(user, dict) and isinstance(user.get("sid"), str):
        app_store().close_session(user["sid"])
    session.clear()
    flash("Vous êtes déconnecté de la console.", "info")
    return redirect(url_for(LOGIN_ENDPOINT), 303)
