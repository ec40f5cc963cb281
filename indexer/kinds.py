"""The kind of a page (offer, guide, event, news, contact, country, vie): the rules' scores.

The cues editors tune — schema.org types, URL folders, title and text patterns, offer
headings — are in `data/kinds.toml`; what stays here is how they combine, and the cues that are
grammar rather than vocabulary (dates, e-mails and phones, the passé composé of news, the
imperatives of how-tos, job titles « (H/F) »).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from indexer.gazetteers import country_gazetteer
from indexer.journey import KIND_IDS, STEP_IDS
from indexer.page import Page, folded
from portail.frdates import event_dates
from portail.schema import Field, List, Map, Num, Str, Table, load_toml, regex_problem

KINDS_FILE = Path(__file__).resolve().parent / "data" / "kinds.toml"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+33\s?|\b0)[1-9](?:[\s.-]?\d{2}){4}\b")
# A phone number in international form (« +49 211 3004 1200 », « +1 212-555-0147 », « +33 1 40
# 00 00 00 », no line break inside), and one abroad (« +81 3 5798 6100 »).
_PHONE_GROUPS = r"(?:[ \u00a0.-]?\(?\d{1,5}\)?){2,7}"
INTERNATIONAL_PHONE = re.compile(r"\+\d{1,3}" + _PHONE_GROUPS)
FOREIGN_PHONE = re.compile(r"\+(?!33)\d{1,3}" + _PHONE_GROUPS)
# « (H/F) », « H/F », « F/H », « (H/F/X) »: a job title.
H_F = re.compile(r"(?<![\w/])[hf]\s*/\s*[hf](?:\s*/\s*x)?(?![\w/])", re.I)
WE = re.compile(r"\b(nous|notre|nos)\b")
# Passé composé (« a signé », « ont inauguré »): what news items are written in. The accent of
# « à » keeps « à Berne » out.
PAST_TENSE = re.compile(
    r"\b(?:a|ont) (?:été |déjà |notamment )?[a-zéèêîôûç]{3,}(?:é|ée|és|ées|is|it|u|us|ert)\b"
)
IMPERATIVE = re.compile(r"(?:^|[.!?:;]\s+|\n)([A-ZÉÈÀ][a-zéèêàâîôûç]+ez)\b")
INFINITIVE = re.compile(r"[a-z]{3,}(er|ir|re)")
HOW_TO = re.compile(r"^\w+ (son|sa|ses|leurs?|vos|votre)\b")


KIND = Str(choices=KIND_IDS, label="un type de page")
PATTERN = Str(nonempty=True, check=regex_problem, label="une expression régulière")
SCORE = Num(0, 20)
SCHEMA = Table(
    {
        "start": Field(Map(SCORE, key=KIND), help="scores de départ par type"),
        "schema": Field(
            Map(Table({"kind": Field(KIND, required=True), "score": Field(SCORE, required=True)}))
        ),
        "url": Field(
            Table(
                {
                    "score": Field(SCORE, required=True),
                    "words": Field(Map(List(Str(nonempty=True)), key=KIND), required=True),
                }
            )
        ),
        "title": Field(
            Map(
                Table({"pattern": Field(PATTERN, required=True), "score": Field(SCORE, True)}),
                key=KIND,
            )
        ),
        "body": Field(
            Map(
                Table(
                    {
                        "pattern": Field(PATTERN, required=True),
                        "each": Field(SCORE, required=True),
                        "cap": Field(SCORE, required=True),
                    }
                ),
                key=KIND,
            )
        ),
        "offer": Field(
            Table({"headings": Field(PATTERN, True), "provision": Field(PATTERN, True)}),
            required=True,
        ),
        "guide": Field(
            Table(
                {
                    "invitations": Field(List(Str(nonempty=True)), True),
                    "not_infinitives": Field(List(Str(nonempty=True)), True),
                }
            ),
            required=True,
        ),
        "country": Field(Table({"min_cues": Field(Num(0, 20), True)}), required=True),
        "step_bonus": Field(
            Map(
                Table(
                    {
                        "step": Field(Str(choices=STEP_IDS), required=True),
                        "bonus": Field(SCORE, required=True),
                    }
                ),
                key=KIND,
            )
        ),
    }
)


@dataclass(frozen=True)
class KindCues:
    start: dict[str, float]
    schema: dict[str, tuple[str, float]]
    url_score: float
    url_words: dict[str, frozenset[str]]
    title: dict[str, tuple[re.Pattern[str], float]]
    body: dict[str, tuple[re.Pattern[str], float, float]]
    offer_headings: re.Pattern[str]
    provision: re.Pattern[str]
    invitations: frozenset[str]
    not_infinitives: frozenset[str]
    country_min_cues: float
    step_bonus: dict[str, tuple[str, float]]


def load_cues(path: Path = KINDS_FILE) -> KindCues:
    """The kind cues, checked (DataError lists every problem with its line)."""
    raw: dict[str, Any] = load_toml(path, SCHEMA)
    return KindCues(
        start=dict(raw.get("start", {})),
        schema={t: (v["kind"], float(v["score"])) for t, v in raw.get("schema", {}).items()},
        url_score=float(raw["url"]["score"]),
        url_words={k: frozenset(v) for k, v in raw["url"]["words"].items()},
        title={k: (re.compile(v["pattern"]), float(v["score"])) for k, v in raw["title"].items()},
        body={
            k: (re.compile(v["pattern"]), float(v["each"]), float(v["cap"]))
            for k, v in raw["body"].items()
        },
        offer_headings=re.compile(raw["offer"]["headings"]),
        provision=re.compile(raw["offer"]["provision"]),
        invitations=frozenset(raw["guide"]["invitations"]),
        not_infinitives=frozenset(raw["guide"]["not_infinitives"]),
        country_min_cues=float(raw["country"]["min_cues"]),
        step_bonus={k: (v["step"], float(v["bonus"])) for k, v in raw["step_bonus"].items()},
    )


@cache
def cues() -> KindCues:
    return load_cues()


def kind_scores(page: Page, countries: list[str]) -> dict[str, float]:
    """A score per kind from schema.org types, URL folders, title and text cues."""
    c = cues()
    scores: defaultdict[str, float] = defaultdict(float, c.start)
    for schema_type in page.types:
        if schema_type in c.schema:
            kind, score = c.schema[schema_type]
            scores[kind] = (
                max(scores[kind], score) if kind in ("vie", "event") else (scores[kind] + score)
            )
    folders = page.segments[:-1] or page.segments
    words = {word for segment in folders for word in segment.split("-")} | set(folders)
    for kind, names in c.url_words.items():
        if words.intersection(names):
            scores[kind] += c.url_score
    for kind, (pattern, score) in c.title.items():
        if pattern.search(page.folded_title):
            scores[kind] += score
    found = {kind: pattern.findall(page.folded_head) for kind, (pattern, _, _) in c.body.items()}
    for kind, (_, each, cap) in c.body.items():
        scores[kind] += min(cap, each * len(found[kind]))
    _dates_and_people(page, countries, scores, found)
    headings = [
        folded(line.strip())
        for line in page.text[:4000].split("\n")
        if 0 < len(line.split()) <= 7 and not line.rstrip().endswith((".", ";", ","))
    ]
    scores["offer"] += min(2.4, 0.8 * sum(bool(c.offer_headings.match(h)) for h in headings))
    scores["offer"] += min(1.5, 0.5 * len(c.provision.findall(page.folded_head)))
    return dict(scores)


def _dates_and_people(
    page: Page,
    countries: list[str],
    scores: defaultdict[str, float],
    body_cues: dict[str, list[Any]],
) -> None:
    """Cues that are not plain words: event dates, e-mails and phones, V.I.E. offers, countries
    (`body_cues`: each kind's body cues found in the page's head)."""
    c = cues()
    if event_dates(page.title):
        scores["event"] += 2.0
    if event_dates(page.text[:1500]):
        scores["event"] += 1.5
    head = page.text[:4000]
    phones = PHONE.findall(head) + FOREIGN_PHONE.findall(head)
    contacts = len(EMAIL.findall(head)) + len(phones)
    scores["contact"] += min(3.0, 1.2 * contacts)
    vie_title = "volontariat international" in " ".join(page.title_tokens.words) or (
        "volontariat" in page.title_tokens.words
    )
    if H_F.search(page.title):
        scores["vie"] += 4.0 if vie_title else 2.5
    elif vie_title and scores["vie"] >= 2:
        scores["vie"] += 2.0
    job_cues = len(set(body_cues.get("vie", ())))
    if not ("JobPosting" in page.types or H_F.search(page.title) or job_cues >= 4):
        scores["vie"] = 0.0  # a page about the V.I.E. programme is not a job offer
    found = body_cues.get("country", [])
    economy = len({m[0] for m in found})
    titled = _titled_country(page.title) if countries else 0.0
    if not countries or economy < c.country_min_cues - (titled >= 3):
        scores["country"] = 0.0  # a country page describes the country's economy
    else:
        scores["country"] += titled
    _voice(page, scores)


def _voice(page: Page, scores: defaultdict[str, float]) -> None:
    """How the page speaks: a provider of itself (« nous », « notre offre »): an offer; news
    in the passé composé; a how-to title (« Protéger sa marque ») and imperatives
    (« Vérifiez… »): a guide."""
    c = cues()
    head = page.folded_head
    scores["offer"] += min(2.0, 0.3 * len(WE.findall(head)))
    scores["news"] += min(2.5, 0.5 * len(PAST_TENSE.findall(page.text[:3000])))
    imperatives = [
        v for v in IMPERATIVE.findall(page.text[:3000]) if folded(v) not in c.invitations
    ]
    scores["guide"] += min(2.0, 0.4 * len(imperatives))
    for part in page.folded_title.split(":")[:2]:
        part = part.strip()
        first = part.split(" ", 1)[0]
        if INFINITIVE.fullmatch(first) and first not in c.not_infinitives:
            scores["guide"] += 2.0 if HOW_TO.search(part) else 1.0


def _titled_country(title: str) -> float:
    """3 for a title that is a country's name (« Brésil »), 1 for one that starts with it
    (« Brésil : évaluation du risque pays »), else 0."""
    head, colon, _ = title.partition(":")
    mentions = country_gazetteer().find(head.strip()) if len(head.split()) <= 4 else []
    if not any(m.kind == "name" for m in mentions):
        return 0.0
    return 1.0 if colon else 3.0


def best_kind(scores: dict[str, float]) -> str:
    return max(scores, key=lambda k: (scores[k], -KIND_IDS.index(k)))
