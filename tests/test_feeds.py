"""RSS and Atom feeds: their entries read with feedparser (link, title, summary, date), kept by
the crawl in the data layer (SQLite and PostgreSQL), and the demo web's feeds crawled."""

from __future__ import annotations

import pytest

from conftest import sql
from crawlers.feeds import FeedError, plain, read_feed
from portail.db import open_store

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Actualit\xc3\xa9s</title><link>https://essai.invalid/</link>
<item><title>Assurance prospection : un parcours simplifi\xc3\xa9</title>
<link>https://essai.invalid/actualites/assurance-prospection?utm_source=rss#haut</link>
<description>&lt;p&gt;Un parcours &lt;b&gt;simplifi\xc3\xa9&lt;/b&gt; pour les TPE &amp;amp;
PME.&lt;/p&gt;</description>
<pubDate>Fri, 19 Jun 2026 23:30:00 +0000</pubDate></item>
<item><title>Relative</title><link>/actualites/relative</link><pubDate>2026-02-12</pubDate></item>
<item><title>Sans lien</title><description>Rien</description></item>
<item><title>Doublon</title><link>https://essai.invalid/actualites/assurance-prospection</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Agenda</title><id>https://essai.invalid/</id>
<updated>2026-11-01T00:00:00Z</updated>
<entry><title>Farnborough 2026 : bilan</title><link href="https://essai.invalid/actualites/farnborough"/>
<id>https://essai.invalid/actualites/farnborough</id><updated>2026-07-30T08:00:00+02:00</updated>
<summary>67 entreprises fran\xc3\xa7aises.</summary></entry>
<entry><title>Sans date</title><link href="https://essai.invalid/actualites/sans-date"/>
<id>x</id></entry>
</feed>"""


def test_rss_entries_give_their_clean_link_plain_summary_and_utc_date():
    entries = read_feed(RSS, "https://essai.invalid/actualites/rss.xml")
    first = entries[0]
    assert first.url == "https://essai.invalid/actualites/assurance-prospection"
    assert first.title == "Assurance prospection : un parcours simplifié"
    assert first.summary == "Un parcours simplifié pour les TPE & PME."
    assert first.published == "2026-06-19T23:30:00+00:00"


def test_relative_links_resolve_and_entries_without_a_link_or_twice_listed_are_dropped():
    entries = read_feed(RSS, "https://essai.invalid/actualites/rss.xml")
    assert [e.url for e in entries] == [
        "https://essai.invalid/actualites/assurance-prospection",
        "https://essai.invalid/actualites/relative",
    ]
    assert entries[1].published == "2026-02-12T00:00:00+00:00"  # a bare date, as many feeds


def test_atom_entries_take_their_update_date_when_they_have_no_publication_date():
    entries = read_feed(ATOM, "https://essai.invalid/flux.atom")
    assert [(e.title, e.published) for e in entries] == [
        ("Farnborough 2026 : bilan", "2026-07-30T06:00:00+00:00"),
        ("Sans date", None),
    ]
    assert entries[0].summary == "67 entreprises françaises."


def test_a_body_that_is_no_feed_is_an_error_in_french():
    with pytest.raises(FeedError, match="illisible"):
        read_feed(b"<html><body>Erreur 500</body></html>\x00\x01", "https://essai.invalid/rss")


def test_plain_text_of_html_fields():
    assert plain("<p>Un&nbsp;<em>texte</em>\n  sur\tdeux lignes</p>") == "Un texte sur deux lignes"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path, monkeypatch):
    if request.param == "postgresql":
        monkeypatch.setenv("PORTAIL_DATABASE_URL", request.getfixturevalue("postgres_url"))
    else:
        monkeypatch.delenv("PORTAIL_DATABASE_URL", raising=False)
    opened = open_store(tmp_path / "var")
    yield opened
    opened.close()


def entry(url: str, title: str = "Titre", published: str | None = "2026-06-19") -> dict:
    return {"url": url, "title": title, "summary": "Résumé", "published": published}


def test_feed_entries_are_kept_updated_and_never_forgotten(store):
    feed = "https://essai.invalid/rss.xml"
    assert store.save_feed_entries("essai", feed, [entry("https://essai.invalid/a")]) == 1
    assert store.save_feed_entries("essai", feed, [entry("https://essai.invalid/a")]) == 0
    changed = [entry("https://essai.invalid/a", "Nouveau titre"), entry("https://essai.invalid/b")]
    assert store.save_feed_entries("essai", feed, changed) == 2
    assert store.save_feed_entries("essai", feed, []) == 0  # a feed lists only its last entries
    rows = {r["url"]: r for r in store.feed_items()}
    assert set(rows) == {"https://essai.invalid/a", "https://essai.invalid/b"}
    assert rows["https://essai.invalid/a"]["title"] == "Nouveau titre"
    assert rows["https://essai.invalid/a"]["page"] is None  # never crawled


def test_a_feed_entry_is_joined_to_the_page_its_link_redirects_to(store):
    crawl = store.start_crawl("essai")
    fields = {"title": "Page", "text": "Texte", "content_hash": "h"}
    store.save_page(
        crawl, "essai", "https://essai.invalid/page", "https://essai.invalid/ancienne", fields,
        None, None, 200,
    )  # fmt: skip
    store.save_feed_entries(
        "essai", "https://essai.invalid/rss", [entry("https://essai.invalid/ancienne")]
    )
    (row,) = store.feed_items()
    assert row["page"] == "https://essai.invalid/page"


def test_the_demo_feeds_are_crawled_into_entries(crawled_data, manifest):
    rows = sql(crawled_data["data"], "SELECT feed, url, title, published FROM feed_entries")
    by_feed: dict[str, list] = {}
    for row in rows:
        by_feed.setdefault(row["feed"].rsplit("/", 1)[1], []).append(row)
    bpifrance = [p for p in manifest["pages"] if p["kind"] == "news" and p["site"] == "bpifrance"]
    assert len(by_feed["rss.xml"]) == len(bpifrance)
    dated = {r["url"]: r["published"][:10] for r in by_feed["rss.xml"]}
    assert dated == {p["url"]: p["date"] for p in bpifrance}
    agenda = {
        p["url"]
        for p in manifest["pages"]
        if p["site"] == "agenda" and p["kind"] in ("event", "news")
    }
    assert {r["url"] for r in by_feed["flux.atom"]} == agenda
