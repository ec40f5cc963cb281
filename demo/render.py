"""Rendering of the demo web's pages: body markup, layouts, feeds, sitemaps, PDF."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable
from html import escape
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from demo.site import DEMO_DIR, Page, Site, french_date, slugify

LINK_RE = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
Resolver = Callable[[str], str]

_env = Environment(
    loader=FileSystemLoader(Path(DEMO_DIR) / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["french_date"] = french_date
_env.filters["slugify"] = slugify


def inline(text: str, resolve: Resolver) -> str:
    """Escape a line of text and turn its `[text](target)` links into anchors."""
    out, last = [], 0
    for m in LINK_RE.finditer(text):
        out.append(escape(text[last : m.start()], quote=False))
        out.append(f'<a href="{escape(resolve(m[2]))}">{escape(m[1], quote=False)}</a>')
        last = m.end()
    out.append(escape(text[last:], quote=False))
    return "".join(out)


def body_html(markup: str, resolve: Resolver) -> str:
    """Render the body markup: paragraphs, `## ` headings and `- ` lists."""
    html: list[str] = []
    for block in re.split(r"\n\s*\n", markup.strip()):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("## ") and len(lines) == 1:
            html.append(f"<h2>{inline(lines[0][3:], resolve)}</h2>")
        elif all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{inline(line[2:], resolve)}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        else:
            if lines[0].startswith("## "):
                html.append(f"<h2>{inline(lines.pop(0)[3:], resolve)}</h2>")
            html.append(f"<p>{inline(' '.join(lines), resolve)}</p>")
    return "\n".join(html)


def plain_text(markup: str) -> str:
    """The body markup as plain text (links reduced to their text)."""
    text = LINK_RE.sub(r"\1", markup)
    return re.sub(r"^(## |- )", "", text, flags=re.M)


def render_template(name: str, **context: object) -> str:
    return _env.get_template(name).render(**context)


def json_ld(page: Page, site: Site, url: str) -> str | None:
    """schema.org JSON-LD for events, V.I.E. offers and contact pages."""
    data: dict[str, object] | None = None
    if page.event and site.id in ("agenda", "teamfrance", "cci-international"):
        ev = page.event
        location: dict[str, object]
        if ev.get("online"):
            location = {"@type": "VirtualLocation", "url": url}
        else:
            location = {
                "@type": "Place",
                "name": ev.get("city", ""),
                "address": {
                    "@type": "PostalAddress",
                    "addressLocality": ev.get("city", ""),
                    "addressCountry": ev.get("country", ""),
                },
            }
        data = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": page.title,
            "startDate": ev["start"],
            "endDate": ev.get("end", ev["start"]),
            "eventAttendanceMode": "https://schema.org/"
            + ("OnlineEventAttendanceMode" if ev.get("online") else "OfflineEventAttendanceMode"),
            "location": location,
            "description": page.description,
            "organizer": {"@type": "Organization", "name": ev.get("organiser", site.organisation)},
            "url": url,
        }
    elif page.job and site.board:
        data = site.board.job_posting(page, url)
    elif page.contact and contact_markup(page, site) == "jsonld":
        c = page.contact
        data = {
            "@context": "https://schema.org",
            "@type": "Organization",
            "name": c.get("name", site.organisation),
            "url": url,
            "address": c.get("address", ""),
            "contactPoint": {
                "@type": "ContactPoint",
                "contactType": c.get("role", ""),
                "telephone": c.get("phone", ""),
                "email": c.get("email", ""),
            },
        }
    if data is None:
        return None
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def contact_markup(page: Page, site: Site) -> str:
    """How a contact page publishes its contact: `jsonld` (the modern sites' default),
    `microdata` (a schema.org block), `address` (an `<address>` block) or `text` (the body)."""
    default = "jsonld" if site.layout in ("modern", "js") else "text"
    return str((page.contact or {}).get("markup") or default)


def contact_html(page: Page, site: Site) -> str:
    """The contact block a page shows after its body, in the markup it declares."""
    c = page.contact or {}
    markup = contact_markup(page, site)
    phone, email = c.get("phone", ""), c.get("email", "")
    tel = "tel:" + re.sub(r"[^\d+]", "", phone)
    if markup == "microdata":
        *street, locality, country = c.get("address", "").split(", ")
        return (
            '<div class="bloc-contact" itemscope itemtype="https://schema.org/Organization">'
            f'<h2 itemprop="name">{escape(c.get("name", site.organisation))}</h2>'
            '<p itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">'
            f'<span itemprop="streetAddress">{escape(", ".join(street))}</span><br>'
            f'<span itemprop="addressLocality">{escape(locality)}</span><br>'
            f'<span itemprop="addressCountry">{escape(country)}</span></p>'
            f'<p>Tél. : <a href="{escape(tel)}">'
            f'<span itemprop="telephone">{escape(phone)}</span></a><br>'
            f'Courriel : <a itemprop="email" href="mailto:{escape(email)}">{escape(email)}</a></p>'
            "</div>"
        )
    if markup == "address":
        return (
            f'<h2>Nous écrire, nous appeler</h2><address class="coordonnees">'
            f"<strong>{escape(c.get('name', site.organisation))}</strong><br>"
            + "<br>".join(escape(line) for line in c.get("address", "").split(", "))
            + f'<br>Tél. : <a href="{escape(tel)}">{escape(phone)}</a>'
            f'<br>Courriel : <a href="mailto:{escape(email)}">{escape(email)}</a></address>'
        )
    return ""


def big_table(rows: int = 9000) -> str:
    """A very large nomenclature table (about 1 MB of HTML)."""
    cells = []
    for i in range(rows):
        chapter = 1 + i * 97 // rows
        code = f"{chapter:02d}{(i * 37) % 100:02d} {(i * 53) % 100:02d} {i % 100:02d}"
        cells.append(
            f"<tr><td>{code}</td><td>Chapitre {chapter:02d}, sous-position "
            f"tarifaire n° {i + 1} : marchandise classée selon les notes du chapitre"
            f"</td><td>{(i * 7) % 18} %</td></tr>"
        )
    return (
        '<table class="nomenclature"><caption>Positions de la nomenclature combinée'
        "</caption><tr><th>Code NC</th><th>Libellé</th><th>Droit conventionnel</th></tr>"
        + "".join(cells)
        + "</table>"
    )


def pdf_bytes(title: str, text: str) -> bytes:
    """A small, valid PDF (Helvetica, WinAnsi) holding the title and the text."""
    lines = [title, ""]
    for paragraph in text.split("\n"):
        words, current = paragraph.split(), ""
        for word in words:
            if len(current) + len(word) + 1 > 90:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}".strip()
        lines.append(current)
    pages = [lines[i : i + 48] for i in range(0, len(lines), 48)]

    def pdf_str(s: str) -> bytes:
        raw = s.encode("cp1252", "replace")
        return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    font_id = 3
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    kids = []
    for chunk in pages:
        ops = [b"BT /F1 11 Tf 14 TL 56 790 Td"]
        ops += [pdf_str(line) + b" Tj T*" for line in chunk]
        ops.append(b"ET")
        stream = zlib.compress(b"\n".join(ops))
        objects.append(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream
            + b"\nendstream"
        )
        content_id = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font_id, content_id)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def as_markup(html: str) -> Markup:
    return Markup(html)
