"""The WSGI apps the web bench serves under gunicorn: the portal, and a bare Flask answer.

Both add the worker's process id to each response (`X-Bench-Worker`), so that the bench knows
which worker answered."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, Response

BARE_PAGE = (
    "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Recherche</title>"
    "</head><body><main><h1>Résultats</h1>" + "<p>Une page de résultats fixe.</p>" * 40 + "</main>"
    "</body></html>"
)


def _tag(app: Any) -> Any:
    def tagged(environ: dict[str, Any], start_response: Any) -> Any:
        def start(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            return start_response(status, [*headers, ("X-Bench-Worker", str(os.getpid()))], *args)

        return app(environ, start)

    return tagged


def portal() -> Any:
    """The portal as `portail serve` runs it, on $PORTAIL_DATA."""
    from webui import create_app

    return _tag(create_app())


def bare() -> Any:
    """A bare Flask app answering every path with one fixed page: the web baseline."""
    app = Flask("bare")

    @app.route("/", defaults={"path": ""})
    @app.route("/<path:path>")
    def fixed(path: str) -> Response:
        return Response(BARE_PAGE, mimetype="text/html")

    return _tag(app)
