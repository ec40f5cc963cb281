"""The news stream in the indexer: news pages and feed entries as items dated by their
publication, near-duplicates from two bodies as one story with both links, similar but
distinct stories kept apart, incremental updates. Real SQLite store, real `portail index`."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT, run_portail, sql
from demo.records import demo_records
from indexer.dedup import THRESHOLD, signature, similarity
from indexer.news import day_of
from portail.db import open_store

PAIRS = tomllib.loads((ROOT / "eval" / "news" / "pairs.toml").read_text("utf-8"))
CRAFTED = {item["id"]: item for item in PAIRS["item"]}
DEMO = {r["url"]: r for r in demo_records() if r["kind"] == "news"}
DOUANE_US = "http://127.0.0.1:8810/actualites/etats-unis-droits-de-douane-point-de-situation"
BPI_INVESTISSEMENT = "http://127.0.0.1:8801/actualites/2026/assurance-investissement-pme"
ARAVIS = "http://127.0.0.1:8804/actualites/fruitiere-des-aravis-japon"


def page(url: str, title: str, text: str, published: str | None = None, **extra) -> dict:
    return {
        "url": url,
        "title": title,
        "text": f"{title}\n{text}",
        "published": published,
        "content_hash": str(hash((title, text))),
        **extra,
    }


def demo_page(url: str, at: str, published: str) -> dict:
    record = DEMO[url]
    path = url.split("/", 3)[3]
    return page(f"https://{at}/{path}", record["title"], record["text"], published)


def crafted(key: str, at: str, **extra) -> dict:
    item = CRAFTED[key]
    url = f"https://{at}/actualites/{key}"
    return page(url, item["title"], item["text"], extra.pop("published", item["date"]), **extra)


SOURCES = {
    "douane": "Douane",
    "cci": "CCI International",
    "bpi": "Bpifrance",
    "hdf": "Région Hauts-de-France",
    "ara": "Région Auvergne-Rhône-Alpes",
}


def make_store(data: Path, pages: dict[str, list[dict]]) -> None:
    """A store holding these pages of these sources (each source's organisation in SOURCES)."""
    store = open_store(data)
    for source, listed in pages.items():
        store.record_source(source, SOURCES[source], SOURCES[source], "")
        crawl = store.start_crawl(source)
        for fields in listed:
            url = fields.pop("url")
            store.save_page(crawl, source, url, url, fields, None, None, 200)
    store.close()


def index(data: Path) -> str:
    result = run_portail("index", data=data)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def stories(data: Path) -> dict[str, set[str]]:
    """{story: its items' URLs}."""
    out: dict[str, set[str]] = {}
    for row in sql(data, "SELECT story, url FROM news"):
        out.setdefault(row["story"], set()).add(row["url"])
    return out


@pytest.fixture(scope="module")
def relayed(tmp_path_factory):
    """A store where CCI International and a region relay two stories of other bodies, beside
    look-alikes published in the same weeks, indexed once."""
    data = tmp_path_factory.mktemp("news") / "var"
    make_store(
        data,
        {
            "douane": [
                demo_page(DOUANE_US, "douane.essai.invalid", "2025-09-15"),
                crafted("etats-unis-acier-aluminium-octobre", "douane.essai.invalid"),
            ],
            "cci": [crafted("relais-droits-us-cci", "cci.essai.invalid")],
            "bpi": [
                demo_page(BPI_INVESTISSEMENT, "bpi.essai.invalid", "2026-06-15"),
                crafted("assurance-prospection-tpe", "bpi.essai.invalid"),
            ],
            "hdf": [crafted("relais-assurance-investissement-hdf", "hdf.essai.invalid")],
            "ara": [
                demo_page(ARAVIS, "ara.essai.invalid", "2026-05-19"),
                crafted("biscuiterie-savoyarde-coree", "ara.essai.invalid"),
            ],
        },
    )
    output = index(data)
    return data, output


def test_the_same_story_from_two_bodies_is_one_story_with_both_links(relayed):
    data, output = relayed
    found = stories(data)
    douane = (
        "https://douane.essai.invalid/actualites/etats-unis-droits-de-douane-point-de-situation"
    )
    assert found[douane] == {douane, "https://cci.essai.invalid/actualites/relais-droits-us-cci"}
    bpi = "https://bpi.essai.invalid/actualites/2026/assurance-investissement-pme"
    assert found[bpi] == {
        bpi,
        "https://hdf.essai.invalid/actualites/relais-assurance-investissement-hdf",
    }
    providers = {r["provider"] for r in sql(data, "SELECT provider FROM news WHERE story = ?", bpi)}
    assert providers == {"Bpifrance", "Région Hauts-de-France"}
    assert "Actualités : " in output


def test_similar_but_distinct_stories_of_the_same_weeks_stay_apart(relayed):
    data, _ = relayed
    alone = {
        "https://douane.essai.invalid/actualites/etats-unis-acier-aluminium-octobre",
        "https://ara.essai.invalid/actualites/biscuiterie-savoyarde-coree",
        "https://ara.essai.invalid/actualites/fruitiere-des-aravis-japon",
    }
    found = stories(data)
    for url in alone:
        assert any(members == {url} for members in found.values()), url
    # the offer-like announcement is not news at all, and the rest is 2 relays + 3 singles
    assert sum(len(m) for m in found.values()) == 7
    assert len(found) == 5


def test_a_story_starts_with_its_first_telling_and_keeps_its_id(relayed):
    data, _ = relayed
    row = sql(
        data,
        "SELECT story FROM news WHERE url = ?",
        "https://cci.essai.invalid/actualites/relais-droits-us-cci",
    )[0]
    assert row["story"].startswith("https://douane.essai.invalid/")  # published two days before


def test_news_items_carry_the_classifier_tags_and_their_publication_date(relayed):
    data, _ = relayed
    rows = {r["url"]: r for r in sql(data, "SELECT * FROM news")}
    relay = rows["https://cci.essai.invalid/actualites/relais-droits-us-cci"]
    assert json.loads(relay["countries"]) == ["US"]
    assert (relay["published"], relay["dated_by"]) == ("2025-09-17", "page")
    assert relay["step"] == "informer"
    assert relay["summary"].startswith("La douane a publié une note")


def test_a_second_index_run_leaves_the_news_untouched(relayed, tmp_path):
    import shutil

    data = tmp_path / "var"
    shutil.copytree(relayed[0], data)
    before = sql(data, "SELECT url, story, updated FROM news ORDER BY url")
    assert "0 ajoutés, 0 mis à jour, 0 retirés" in index(data)
    assert sql(data, "SELECT url, story, updated FROM news ORDER BY url") == before


def test_changed_gone_and_new_pages_update_the_stream(relayed, tmp_path):
    import shutil

    data = tmp_path / "var"
    shutil.copytree(relayed[0], data)
    relay = "https://cci.essai.invalid/actualites/relais-droits-us-cci"
    sql(data, "UPDATE pages SET status = 'gone', version = version + 1 WHERE url = ?", relay)
    store = open_store(data)
    crawl = store.start_crawl("hdf")
    fields = crafted("relais-macf-hdf", "hdf.essai.invalid")
    store.save_page(crawl, "hdf", fields.pop("url"), "x", fields, None, None, 200)
    store.close()
    output = index(data)
    assert "1 ajoutés, 0 mis à jour, 1 retirés" in output, output
    assert not sql(data, "SELECT url FROM news WHERE url = ?", relay)


def test_news_is_dated_by_its_page_then_its_feed_then_its_modification(tmp_path):
    data = tmp_path / "var"
    text = CRAFTED["relais-programme-2027-cci"]["text"]
    title = "Le programme 2027 des salons est en ligne"
    make_store(
        data,
        {
            "cci": [
                page("https://cci.essai.invalid/actualites/a", title, text, "2026-09-24"),
                page("https://cci.essai.invalid/actualites/b", title + " (B)", text),
                page(
                    "https://cci.essai.invalid/actualites/c",
                    title + " (C)",
                    text,
                    modified="2026-09-30",
                ),
            ]
        },
    )
    store = open_store(data)
    store.save_feed_entries(
        "cci",
        "https://cci.essai.invalid/rss.xml",
        [
            {
                "url": "https://cci.essai.invalid/actualites/b",
                "title": title,
                "summary": "Le programme est en ligne.",
                "published": "2026-09-25T22:30:00+00:00",  # the 26th in Paris
            }
        ],
    )
    store.close()
    index(data)
    rows = {
        r["url"][-1]: r for r in sql(data, "SELECT url, published, dated_by, summary FROM news")
    }
    assert {k: (r["published"], r["dated_by"]) for k, r in rows.items()} == {
        "a": ("2026-09-24", "page"),
        "b": ("2026-09-26", "feed"),
        "c": ("2026-09-30", "modified"),
    }
    assert rows["b"]["summary"] == "Le programme est en ligne."


def test_a_feed_entry_the_crawl_did_not_reach_is_news_of_its_own(tmp_path):
    data = tmp_path / "var"
    make_store(data, {"cci": []})
    store = open_store(data)
    store.save_feed_entries(
        "cci",
        "https://cci.essai.invalid/rss.xml",
        [
            {
                "url": "https://partenaire.invalid/actualites/japon-accord-fromages",
                "title": "Japon : l'accord de partenariat économique ouvre le marché aux fromages",
                "summary": "Les droits de douane japonais sur les fromages européens baissent "
                "encore cette année : ce que les exportateurs français doivent savoir.",
                "published": "2026-04-01T08:00:00+00:00",
            },
            {
                "url": "https://partenaire.invalid/recette-du-gratin",
                "title": "La recette du gratin savoyard",
                "summary": "Pommes de terre, reblochon et crème : notre recette du dimanche.",
                "published": "2026-04-02T08:00:00+00:00",
            },
        ],
    )
    store.close()
    index(data)
    (row,) = sql(data, "SELECT * FROM news")
    assert row["url"] == "https://partenaire.invalid/actualites/japon-accord-fromages"
    assert (row["from_feed"], row["dated_by"], row["provider"]) == (1, "feed", "CCI International")
    assert "JP" in json.loads(row["countries"])


def test_a_hidden_page_leaves_the_stream(relayed, tmp_path):
    import shutil

    from indexer.corrections import Correction, save_correction

    data = tmp_path / "var"
    shutil.copytree(relayed[0], data)
    hidden = "https://ara.essai.invalid/actualites/biscuiterie-savoyarde-coree"
    store = open_store(data)
    save_correction(store, Correction(url=hidden, hidden=True, by="test"))
    store.mark_for_reindex(hidden)
    store.close()
    assert "1 retirés" in index(data)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-06-19", "2026-06-19"),
        ("2026-06-19T23:30:00+00:00", "2026-06-20"),
        ("2026-06-19T12:00:00", "2026-06-19"),
        ("19/06/2026", None),
        (None, None),
    ],
)
def test_dates_are_read_in_paris(value, expected):
    assert day_of(value) == expected


def test_the_demo_relay_is_one_story_with_the_region_and_team_france_export(indexed_data):
    rows = sql(indexed_data, "SELECT story, url, provider FROM news")
    relay = next(r for r in rows if r["url"].endswith("/fromagerie-haute-savoie-importateur-japon"))
    members = {r["provider"] for r in rows if r["story"] == relay["story"]}
    assert members == {"Région Auvergne-Rhône-Alpes", "Business France"}
    farnborough = [r for r in rows if "farnborough" in r["url"]]
    assert len(farnborough) == 2 and farnborough[0]["story"] != farnborough[1]["story"]


def test_near_identical_texts_pass_the_threshold_and_look_alikes_do_not():
    original = DEMO[DOUANE_US]["title"] + "\n" + DEMO[DOUANE_US]["text"]
    relay = CRAFTED["relais-droits-us-cci"]
    look_alike = CRAFTED["etats-unis-acier-aluminium-octobre"]
    base = signature(original)
    assert similarity(base, signature(relay["title"] + "\n" + relay["text"])) >= THRESHOLD
    assert similarity(base, signature(look_alike["title"] + "\n" + look_alike["text"])) < 0.15
