"""/flux.atom: the newest resources as an Atom feed, optionally for one step, region, country."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request, url_for

from indexer.search import Hit, parse_query_args
from webui import content, links

bp = Blueprint("feed", __name__)
ATOM = "http://www.w3.org/2005/Atom"
FEED_FILTERS = ("step", "region", "country")


@bp.get("/flux.atom")
def atom() -> Response:
    query = parse_query_args({k: request.args.get(k, "") for k in FEED_FILTERS})
    filters = {k: v for k, v in query.filters().items() if k in FEED_FILTERS}
    hits = content.searcher().latest(current_app.config["FEED_SIZE"], content.today(), **filters)
    self_url = url_for("feed.atom", _external=True) + links.query_string(filters)
    xml = feed_xml(hits, self_url, feed_title(filters))
    return Response(xml, content_type="application/atom+xml; charset=utf-8")


def feed_title(filters: dict[str, str]) -> str:
    parts = [content.facet_label(name, value) for name, value in filters.items()]
    suffix = f" — {', '.join(parts)}" if parts else ""
    return f"France International : nouvelles ressources{suffix}"


def _stamp(value: str | None) -> str:
    if not value:
        return datetime.now(UTC).replace(microsecond=0).isoformat()
    stamp = datetime.fromisoformat(value)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.isoformat()


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = text
    return element


def feed_xml(hits: list[Hit], self_url: str, title: str) -> bytes:
    """The Atom document (built as XML, so every text is escaped)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "fr"})
    _text(feed, "id", self_url)
    _text(feed, "title", title)
    _text(
        feed,
        "subtitle",
        "Offres, guides, événements et contacts d'appui à l'export, "
        "classés selon le parcours export.",
    )
    _text(feed, "updated", max((_stamp(_updated(h)) for h in hits), default=_stamp(None)))
    ET.SubElement(
        feed, f"{{{ATOM}}}link", {"rel": "self", "href": self_url, "type": "application/atom+xml"}
    )
    ET.SubElement(
        feed,
        f"{{{ATOM}}}link",
        {"rel": "alternate", "type": "text/html", "href": url_for("journey.home", _external=True)},
    )
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "France International")
    for hit in hits:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", hit.url)
        _text(entry, "title", hit.title or hit.url)
        ET.SubElement(
            entry, f"{{{ATOM}}}link", {"href": links.external_url(hit.url), "rel": "alternate"}
        )
        _text(entry, "updated", _stamp(_updated(hit)))
        if hit.date and not hit.event:  # an event's date is when it is held
            _text(entry, "published", _stamp(hit.date))
        if hit.provider:
            _text(_sub(entry, "author"), "name", hit.provider)
        step = content.step_map().get(hit.step or "")
        if step:
            ET.SubElement(entry, f"{{{ATOM}}}category", {"term": step.id, "label": step.label})
        ET.SubElement(
            entry, f"{{{ATOM}}}category", {"term": hit.kind, "label": content.kind_label(hit.kind)}
        )
        summary = hit.description or _plain(hit.snippet)
        if summary:
            _text(entry, "summary", summary)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _updated(hit: Hit) -> str | None:
    """The date the page gives itself, else the day the portal first saw it."""
    return hit.updated or hit.first_seen


def _sub(parent: ET.Element, tag: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{ATOM}}}{tag}")


def _plain(snippet: str) -> str:
    """The text of an escaped snippet (it holds no markup but <mark>)."""
    from html import unescape

    return unescape(snippet.replace("<mark>", "").replace("</mark>", ""))
