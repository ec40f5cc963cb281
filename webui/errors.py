"""Error pages in the design system, and JSON errors for the API and the JSON twins (a `.json`
address or `Accept: application/json`). Never a traceback."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from markupsafe import escape
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from indexer.search import QueryError
from portail.storage import storage_problem
from webui.params import PastLastPage, first_page_url

RETRY_AFTER = 300  # seconds a client should wait after a refused write

MESSAGES = {
    400: ("Requête incorrecte", "Les paramètres de la page sont incorrects."),
    404: (
        "Page non trouvée",
        "La page que vous cherchez est introuvable. Excusez-nous pour la gêne occasionnée.",
    ),
    405: ("Méthode non autorisée", "Cette adresse ne s'utilise pas de cette façon."),
    503: (
        "Service momentanément indisponible",
        "Le portail ne peut pas enregistrer pour l'instant : rien n'a été modifié. Réessayez "
        "dans quelques minutes ; si cela dure, prévenez l'équipe qui entretient le portail.",
    ),
    500: (
        "Erreur inattendue",
        "Désolé, le service rencontre un problème, nous travaillons pour le "
        "résoudre le plus rapidement possible.",
    ),
}


def wants_json() -> bool:
    """The API, the JSON twins of the pages (`.json`), and clients that prefer JSON."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        request.path.startswith("/api/")
        or request.path.endswith(".json")
        or (best == "application/json")
    )


def error_response(
    status: int, detail: str | None = None, **extra: Any
) -> tuple[Response | str, int]:
    """The error page, or the JSON error `{"error", …extra}` (extra: `parameter`, `accepted`,
    `first_page`, see the Error schema of /api/openapi.json)."""
    title, message = MESSAGES.get(status, (f"Erreur {status}", "Une erreur est survenue."))
    extra = {k: v for k, v in extra.items() if v}
    if wants_json():
        return jsonify(error=detail or message, **extra), status
    return render_template(
        "errors/error.html",
        status=status,
        title=title,
        message=message,
        detail=detail,
        json_twin=None,
        **extra,
    ), status


REDIRECT_BODY = (
    '<!doctype html>\n<html lang="fr">\n<meta charset="utf-8">\n<title>Redirection</title>\n'
    '<p>Cette page se trouve à l\'adresse <a href="{0}">{0}</a>.</p>\n</html>\n'
)


def french_redirect(response: Response) -> Response:
    """A redirect says where it leads in French (Flask's and Werkzeug's say it in English)."""
    if 300 <= response.status_code < 400 and response.location and response.mimetype == "text/html":
        response.set_data(REDIRECT_BODY.format(escape(response.location)))
    return response


def init_app(app: Flask) -> None:
    app.after_request(french_redirect)

    @app.errorhandler(QueryError)
    def query_error(exc: QueryError):  # type: ignore[no-untyped-def]
        return error_response(400, str(exc), parameter=exc.parameter, accepted=exc.accepted)

    @app.errorhandler(PastLastPage)
    def past_last_page(exc: PastLastPage):  # type: ignore[no-untyped-def]
        return error_response(
            404, str(exc), parameter="page", first_page=first_page_url(wants_json())
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        if exc.code is None or exc.code < 400:
            return exc
        body, status = error_response(exc.code)
        allow = {k: v for k, v in exc.get_headers() if k == "Allow"}  # for 405
        return body, status, allow

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError):  # type: ignore[no-untyped-def]
        return error_response(500)

    @app.errorhandler(OSError)
    @app.errorhandler(SQLAlchemyError)
    def storage_error(exc: Exception):  # type: ignore[no-untyped-def]
        """A data directory or database that refuses a write (read-only, full): a 503 that
        says so; the transaction was rolled back. Any other such error stays a 500."""
        reason = storage_problem(exc, paths=False)
        if reason is None:
            app.logger.exception("erreur inattendue sur %s", request.path)
            return error_response(500)
        app.logger.error("écriture impossible sur %s : %s", request.path, storage_problem(exc))
        body, status = error_response(503, f"Écriture refusée : {reason}.")
        return body, status, {"Retry-After": str(RETRY_AFTER)}
