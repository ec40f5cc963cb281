"""A hostile web site for the fault suite, served on a free loopback port.

Its pages: a home page linking to everything; 21 articles (`/articles/<n>`) whose answers
change with `mode` — healthy, broken in one of three ways, each a soft 404 (a 200 with the same
error page for every article), or gone (a real 404); a gzip bomb; a two-page redirect loop and
an endless chain of redirects; a connection that never answers and one that trickles a byte a
second; 50 MB bodies with and without a length; a page of 340,000 links just under the size
limit (10 MB, made on the fly); a garbage robots.txt.
"""

from __future__ import annotations

import contextlib
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARTICLES = 21
BIG = 50 * 1024 * 1024
WORDS = [
    "exportation",
    "douane",
    "incoterm",
    "assurance",
    "prospection",
    "salon",
    "international",
    "marché",
    "filiale",
    "distributeur",
    "contrat",
    "change",
    "devise",
    "crédit",
    "documentaire",
    "certificat",
    "origine",
    "normes",
    "conformité",
    "logistique",
    "transport",
    "fret",
    "emballage",
    "traduction",
    "prospect",
    "acheteur",
    "rendez-vous",
    "ambassade",
    "chambre",
    "commerce",
    "conseiller",
    "financement",
    "garantie",
    "caution",
    "avance",
    "remboursable",
    "étude",
    "veille",
    "réglementation",
    "fiscalité",
    "TVA",
    "tarif",
    "préférence",
    "accord",
    "libre-échange",
]
# What the broken site serves in place of every article.
TEMPLATE_WITH_WORDS = "<h1>Page introuvable</h1><p>La page que vous demandez n'existe pas.</p>"
TEMPLATE_MUTE = "<h1>Espace en travaux</h1><p>Merci de votre visite, à très bientôt.</p>"
MODES = ("sain", "gabarit-sonde", "gabarit-mots", "gabarit-muet", "articles-retires")


def article_text(n: int) -> str:
    """A distinct text of about 250 words for article n."""
    words = [WORDS[(n * 7 + i * (n + 3)) % len(WORDS)] for i in range(250)]
    sentences = [" ".join(words[i : i + 12]).capitalize() + "." for i in range(0, 250, 12)]
    return f"Article numéro {n} sur l'export. " + " ".join(sentences)


def page(title: str, body: str) -> bytes:
    menu = '<nav><a href="/">Accueil</a> <a href="/plan">Plan</a></nav>'
    return (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title} | Site '
        f"hostile</title></head><body>{menu}<main>{body}</main>"
        "<footer>Mentions légales</footer></body></html>"
    ).encode()


def gzip_bomb(size: int) -> bytes:
    """`size` zero bytes, gzip-compressed (a few tens of kilobytes)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1024 * 1024)
    out = [compressor.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join([*out, compressor.flush()])


class HostileSite:
    def __init__(self, links: int = 340_000):
        self.mode = "sain"
        self.broken: set[int] = set()  # articles answering the error page even when healthy
        self.links = links
        self.slow = 0.0  # seconds each article takes to answer
        self._links_page: bytes | None = None
        self.bomb = gzip_bomb(BIG)
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                return

            def do_GET(self) -> None:
                site.requests.append(self.path)
                with contextlib.suppress(OSError):  # the client hung up: nothing to do
                    site.answer(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> HostileSite:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- the answers --------------------------------------------------------------------

    def answer(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path.split("?", 1)[0]
        if path == "/robots.txt":
            return self.send(h, 200, b"\x89PNG\r\n\x1a\n\x00\x00garbage\x00" * 40, "text/plain")
        if path == "/":
            return self.send(h, 200, self.home())
        if path.startswith("/articles/"):
            return self.article(h, path)
        if path == "/bombe":
            return self.send(h, 200, self.bomb, "text/html", {"Content-Encoding": "gzip"})
        if path in ("/boucle-a", "/boucle-b"):
            target = "/boucle-b" if path == "/boucle-a" else "/boucle-a"
            return self.send(h, 302, b"", headers={"Location": target})
        if path.startswith("/sans-fin/"):
            n = int(path.rsplit("/", 1)[1] or 0)
            return self.send(h, 302, b"", headers={"Location": f"/sans-fin/{n + 1}"})
        if path == "/muet":
            time.sleep(3600)  # accepts, never answers
            return None
        if path == "/goutte":
            return self.trickle(h)
        if path == "/enorme-avec-longueur":
            return self.stream(h, with_length=True)
        if path == "/enorme-sans-longueur":
            return self.stream(h, with_length=False)
        if path == "/liens":
            return self.send(h, 200, self.links_page())
        if path.startswith("/petit/"):
            n = path.rsplit("/", 1)[1]
            return self.send(h, 200, page(f"Petit {n}", f"<h1>Petite page {n}</h1><p>{n}</p>"))
        return self.not_found(h)

    def home(self) -> bytes:
        links = [f'<li><a href="/articles/{n}">Article {n}</a></li>' for n in range(ARTICLES)]
        for path in (
            "/bombe",
            "/boucle-a",
            "/sans-fin/0",
            "/muet",
            "/goutte",
            "/enorme-avec-longueur",
            "/enorme-sans-longueur",
            "/liens",
        ):
            links.append(f'<li><a href="{path}">{path}</a></li>')
        return page("Accueil", f"<h1>Site hostile</h1><ul>{''.join(links)}</ul>")

    def links_page(self) -> bytes:
        """A page of `links` links, as many as the size limit admits (about 29 bytes each)."""
        if self._links_page is None:
            links = "".join(f"<a href=/petit/{i}>{i % 1000}</a>" for i in range(self.links))
            self._links_page = page("Tous les liens", f"<h1>Tous les liens</h1>{links}")
        return self._links_page

    def article(self, h: BaseHTTPRequestHandler, path: str) -> None:
        n = path.rsplit("/", 1)[1]
        if not n.isdigit() or int(n) >= ARTICLES or self.mode == "articles-retires":
            return self.not_found(h)
        time.sleep(self.slow)
        if self.mode == "sain" and int(n) not in self.broken:
            body = f"<h1>Article {n} sur l'export</h1><p>{article_text(int(n))}</p>"
            return self.send(h, 200, page(f"Article {n}", body))
        return self.send(h, 200, self.template())

    def template(self) -> bytes:
        if self.mode == "gabarit-muet":  # says nothing of an error: only the crowd tells
            return page("Site hostile", TEMPLATE_MUTE)
        return page("Page introuvable", TEMPLATE_WITH_WORDS)

    def not_found(self, h: BaseHTTPRequestHandler) -> None:
        if self.mode == "gabarit-sonde":  # unknown addresses get the same 200 error page
            return self.send(h, 200, self.template())
        return self.send(h, 404, page("Erreur 404", "<h1>Erreur 404</h1><p>Introuvable.</p>"))

    def send(
        self,
        h: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        ctype: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        h.end_headers()
        h.wfile.write(body)

    def trickle(self, h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        for _ in range(100_000):
            h.wfile.write(b"<")
            h.wfile.flush()
            time.sleep(1)

    def stream(self, h: BaseHTTPRequestHandler, with_length: bool) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        if with_length:
            h.send_header("Content-Length", str(BIG))
        else:
            h.send_header("Connection", "close")
        h.end_headers()
        chunk = b"<p>" + b"x" * 65_530 + b"</p>"
        for _ in range(BIG // len(chunk)):
            h.wfile.write(chunk)
        h.close_connection = True
