"""A generated site of N pages on loopback, for the crawl benchmark."""

from __future__ import annotations

import random
import threading
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from demo.web import QuietHandler

WORDS = [
    "entreprise",
    "export",
    "marché",
    "financement",
    "prospection",
    "salon",
    "douane",
    "incoterm",
    "assurance",
    "crédit",
    "filiale",
    "stratégie",
    "conseiller",
    "diagnostic",
    "région",
    "international",
    "pays",
    "secteur",
    "acheteur",
    "distributeur",
    "logistique",
    "paiement",
    "garantie",
    "change",
    "formation",
    "recrutement",
    "volontariat",
    "implantation",
    "étude",
    "réglementation",
    "certificat",
    "origine",
]


def page_html(n: int, total: int, marker: str = "") -> bytes:
    rng = random.Random(n)
    paragraphs = "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(120)).capitalize() + ".</p>"
        for _ in range(9)
    )
    children = [c for c in (2 * n + 1, 2 * n + 2) if c < total]
    extra = [rng.randrange(total) for _ in range(3)]
    links = "".join(f'<li><a href="/p/{c}">Page {c}</a></li>' for c in children + extra)
    nav = "".join(f'<li><a href="/p/{i}">Rubrique {i}</a></li>' for i in range(20))
    return (
        f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Page {n} {marker}"
        f"</title></head><body><header><nav><ul>{nav}</ul></nav></header><main><h1>Page "
        f"{n} : export {marker}</h1>{paragraphs}<ul>{links}</ul></main><footer>Pied de page "
        f"du site de mesure</footer></body></html>"
    ).encode()


class GeneratedSite:
    def __init__(self, pages: int = 5000, marker: str = ""):
        self.pages = pages
        self.marker = marker  # a word on every page, to find them in the index
        self.server: Any = None

    def app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/robots.txt":
            response = Response(b"User-agent: *\nDisallow:\n", mimetype="text/plain")
        elif request.path.startswith("/p/") and request.path[3:].isdigit():
            n = int(request.path[3:])
            response = (
                Response(
                    page_html(n, self.pages, self.marker), content_type="text/html; charset=utf-8"
                )
                if n < self.pages
                else Response(b"", status=404)
            )
        else:
            response = Response(b"", status=404)
        return response(environ, start_response)

    def start(self) -> str:
        self.server = make_server(
            "127.0.0.1", 0, self.app, threaded=True, request_handler=QuietHandler
        )
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
