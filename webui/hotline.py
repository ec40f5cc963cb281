"""/hotline: the export hotline's form in three short steps, its confirmation, and each
request's private follow-up page (`/hotline/suivi/<token>`).

The form works without JavaScript: each step is a POST that carries the previous answers as
hidden fields; the last one stores the request, routed, with its mails, in one transaction
(`portail.hotline.service.submit`) and the scheduler sends them. Every POST carries the
session's CSRF token; a honeypot field and per-client limits stored in the database keep
robots out, without any third-party captcha. Settings, with their defaults: HOTLINE_DEFAULTS.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.sansio.blueprints import BlueprintSetupState
from werkzeug.wrappers import Response as BaseResponse

from portail.db import HotlineRequestRecord
from portail.geo import regions
from portail.hotline import service
from portail.hotline.routing import UNKNOWN_STEP, routing
from portail.hotline.settings import HotlineSettings, load_settings
from portail.schema import DataError
from webui import content
from webui import hotline_form as form
from webui import store as app_store
from webui.sessions import csrf_valid

bp = Blueprint("hotline", __name__)

HOTLINE_DEFAULTS: dict[str, Any] = {
    # (seconds, requests): each client may send at most that many requests in that window.
    "HOTLINE_LIMITS": ((3600, 5), (86400, 20)),
    "HOTLINE_PUBLIC_URL": None,  # the portal's address in mails; None: the settings', or ours
    "HOTLINE_NOW": None,  # a fixed ISO moment for tests; None: the real clock
}
PUBLIC_EVENTS = {
    "created": "Demande reçue et transmise",
    "assigned": "Prise en charge par un conseiller",
    "answered": "Réponse envoyée",
    "closed": "Demande close",
    "not_for_me": "Demande réorientée vers un autre interlocuteur",
    "erased": "Données personnelles effacées",
}


@bp.record_once
def _defaults(state: BlueprintSetupState) -> None:
    for key, value in HOTLINE_DEFAULTS.items():
        state.app.config.setdefault(key, value)


def moment() -> datetime:
    fixed = current_app.config.get("HOTLINE_NOW")
    return datetime.fromisoformat(fixed) if fixed else datetime.now(UTC)


def labels() -> dict[str, dict[str, str]]:
    """Labels of the ids a request holds, for the mails."""
    rules = routing()
    steps = {s.id: f"Étape {s.number} : {s.label}" for s in content.step_map().values()}
    return {
        "subject": rules.subjects,
        "step": {**steps, UNKNOWN_STEP: "Je ne sais pas"},
        "size": rules.sizes,
        "sector": content.sector_labels(),
    }


def settings() -> HotlineSettings:
    """The hotline's settings (the defaults if the file is wrong: `portail data check` says
    why)."""
    try:
        return load_settings(Path(current_app.config["DATA_DIR"]))
    except DataError:
        return HotlineSettings()


def retention_days() -> int:
    return settings().retention_days


def client_key() -> str:
    """The client, as the rate limits count it: a keyed hash of its address (no address is
    stored)."""
    key = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    address = (request.remote_addr or "inconnu").encode("utf-8")
    return hmac.new(key, address, hashlib.sha256).hexdigest()


def wait_before_next() -> int:
    """0, or the seconds this client must wait before sending another request."""
    store = app_store()
    client = client_key()
    for window, allowed in current_app.config["HOTLINE_LIMITS"]:
        if store.hotline_submissions(client, window, at=time.time()) >= allowed:
            return int(window)
    return 0


def render_step(
    number: int,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    step = form.STEPS_OF_FORM[number - 1]
    page = render_template(
        "hotline/form.html",
        step=step,
        steps=form.STEPS_OF_FORM,
        values=values,
        errors=errors or {},
        notice=notice,
        hidden=[(n, values.get(n, "")) for n in form.FIELDS if n not in step.fields],
        rules=routing(),
        step_options=[
            *((s.id, f"Étape {s.number} : {s.label}") for s in content.step_map().values()),
            (UNKNOWN_STEP, "Je ne sais pas"),
        ],
        region_options=sorted(
            ((code, r.name) for code, r in regions().items()),
            key=lambda r: content.sort_key(r[1]),
        ),
        countries=form.countries(),
        sectors=sorted(content.sector_labels().items(), key=lambda s: content.sort_key(s[1])),
        honeypot=form.HONEYPOT,
        message_max=form.MESSAGE_MAX,
        retention_days=retention_days(),
    )
    return make_response(page, status)


@bp.get("/hotline")
def index():  # type: ignore[no-untyped-def]
    return render_step(1, form.read_values({}))


@bp.post("/hotline")
def step():  # type: ignore[no-untyped-def]
    values = form.read_values(request.form)
    try:
        number = min(max(int(request.form.get("etape_formulaire", "1")), 1), 3)
    except ValueError:
        number = 1
    if not csrf_valid():
        return render_step(
            number,
            values,
            notice="Le formulaire a expiré (ou les cookies sont bloqués) : vérifiez vos réponses "
            "et envoyez-le de nouveau.",
            status=400,
        )
    if request.form.get(form.HONEYPOT):
        return render_step(
            number,
            values,
            notice="Le formulaire n'a pas pu être envoyé : laissez vide le champ « Ne pas "
            "remplir ».",
            status=400,
        )
    if request.form.get("action") == "precedent":
        return render_step(max(number - 1, 1), values)
    sectors = content.sector_labels()
    errors = form.step_errors(number, values, sectors)
    if errors:
        return render_step(number, values, errors, status=400)
    if number < 3:
        return render_step(number + 1, values)
    wrong, errors = form.first_wrong_step(values, sectors)
    if wrong:
        return render_step(wrong, values, errors, status=400)
    return _submit(values)


def _submit(values: dict[str, str]) -> BaseResponse:
    wait = wait_before_next()
    if wait:
        hours = max(1, round(wait / 3600))
        response = render_step(
            3,
            values,
            notice=f"Vous avez envoyé beaucoup de demandes en peu de temps : réessayez dans "
            f"{hours} heure{'s' if hours > 1 else ''}, ou écrivez directement à votre "
            "conseiller régional (page « Régions »).",
            status=429,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    store = app_store()
    store.record_hotline_submission(client_key(), at=time.time())
    done = service.submit(store, routing(), form.submission(values), labels(), follow_url, moment())
    return redirect(url_for("hotline.follow", token=done.token, nouvelle=1), 303)


def follow_url(token: str) -> str:
    base = current_app.config.get("HOTLINE_PUBLIC_URL") or settings().public_url or request.url_root
    return base.rstrip("/") + url_for("hotline.follow", token=token)


def _request_of(token: str) -> HotlineRequestRecord:
    if len(token) > 100:
        abort(404)
    found = app_store().hotline_request_by_token(service.token_hash(token))
    if found is None:
        abort(404)
    return found


@bp.get("/hotline/suivi/<token>")
def follow(token: str):  # type: ignore[no-untyped-def]
    found = _request_of(token)
    history = [
        (event, PUBLIC_EVENTS[event["kind"]])
        for event in app_store().hotline_history(found["id"])
        if event["kind"] in PUBLIC_EVENTS
    ]
    rules = routing()
    page = render_template(
        "hotline/follow.html",
        request_row=found,
        token=token,
        new=request.args.get("nouvelle") == "1",
        status=service.STATUS_LABELS.get(found["status"], found["status"]),
        desk_name=rules.desk_name(found["desk"]),
        history=history,
        subject=rules.subjects.get(found["subject"], found["subject"]),
        reasons=rules.reasons,
        retention_days=retention_days(),
    )
    return _private(make_response(page))


@bp.post("/hotline/suivi/<token>/effacer")
def erase(token: str):  # type: ignore[no-untyped-def]
    found = _request_of(token)
    if not csrf_valid():
        abort(400)
    service.erase(app_store(), found, "le demandeur", "à la demande de la personne", moment())
    return redirect(url_for("hotline.follow", token=token), 303)


def _private(response: Response) -> Response:
    """A follow-up page is private: never cached, never indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
