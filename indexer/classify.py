"""Classify a page: its step of the export journey, its kind, and what it is about.

Transparent rules that editors can adjust, not a trained model:

- **Steps** — each step of `journey.toml` has weighted French `terms`, matched on the page's
  analysed words (the search index's French analysis: stemming, accent folding, elision, stop
  words). Term syntax: plain words are stemmed and match singular and plural; `=mots` matches
  the exact words (« =prêt à exporter » is not « prêt export »); `a ~ b` matches two words
  within six words of each other; a weight of 0 blocks a phrase. A term scores
  weight × log2(1 + frequency), the frequency counting the title ×3, the description and the
  URL's words ×1.5, the body ×1. Structured data and the kind add a few rules
  (a V.I.E. offer belongs to `implanter`, a country page to `informer`).
- **Relevance** — a page is about export support when its export vocabulary is dense enough;
  English pages, legal notices and cookie pages are not.
- **Kind** — cues from schema.org types, the URL's folders, the title and the text.
- **Pins** — `pins.toml` fixes the step and/or the kind of a URL; pins win over everything.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from indexer.entities import (
    DESCRIPTION_WEIGHT,
    TITLE_WEIGHT,
    Lexicon,
    Tally,
    Tokens,
    analyse,
    check_terms,
    country_gazetteer,
    country_salience,
    find_regions,
    salient_countries,
    salient_sectors,
    sector_scores,
    url_words,
)
from indexer.journey import KIND_IDS, STEP_IDS, steps
from indexer.model import Model, default_model, features
from indexer.titles import without_site_name
from portail.frdates import event_dates
from portail.language import ENGLISH_WORDS, FRENCH_WORDS

PINS_FILE = Path(__file__).resolve().parent / "pins.toml"
URL_WEIGHT = 1.5

# Relevance: the export evidence (for each matched term of weight EVIDENCE_MIN_WEIGHT or
# more, its best weight, damped) must reach RELEVANCE_MIN, and RELEVANCE_DENSITY per square root
# of the page's analysed words (a long page needs more).
EVIDENCE_MIN_WEIGHT = 2.0
COUNTRY_EVIDENCE = 3.0  # a page about a foreign country is a step towards export
RELEVANT_MIN_EVIDENCE = 8.0
RELEVANCE_DENSITY = 0.6
# With the model: a page is relevant from this probability; between REVIEW_FROM and it, it is
# kept out of the journey but stays searchable, flagged « à vérifier » for an editor.
RELEVANT_FROM = 0.55
REVIEW_FROM = 0.3
# Below this much export vocabulary (French or English), a page is off-topic whatever the model
# says: a page with no word the model knows gets only its prior.
EVIDENCE_FLOOR = 3.0
# Steps and kinds: the rules' share in the blended scores, the model having the rest (chosen by
# cross-validation across the dev writers).
RULES_SHARE_STEPS = 0.2
RULES_SHARE_KINDS = 0.35
# Words that say « export » without pointing at a step (they count for relevance only).
EXPORT_TERMS = {
    "export": 2.0,
    "exporter": 2.0,
    "exportateur": 2.0,
    "exportations": 2.0,
    "import": 1.0,
    "importation": 1.0,
    "international": 2.0,
    "à l'international": 2.0,
    "étranger": 2.0,
    "à l'étranger": 2.0,
    "marchés étrangers": 2.5,
    "commerce extérieur": 2.0,
    "commerce international": 2.5,
    "Team France Export": 2.0,
    "Business France": 1.5,
    "CCI International": 1.5,
    "conseillers du commerce extérieur": 2.0,
    "hors de l'Union européenne": 2.0,
    "pays tiers": 1.5,
    "multinationales": 1.0,
    "mondial": 1.0,
    "clients étrangers": 2.0,
    "marché local": 1.0,
    "zone euro": 1.0,
    # English pages of the sources (French chambers abroad, credit insurers' reports).
    "=exporting": 2.0,
    "=exporters": 2.0,
    "=exporter": 2.0,
    "=exports": 2.0,
    "=overseas": 2.0,
    "=foreign markets": 2.5,
    "=international trade": 2.5,
    "=market entry": 2.5,
    "=customs": 2.0,
    "=trade show": 2.0,
    "=country risk": 2.5,
    "=doing business": 2.0,
    "=french companies": 2.0,
    "=french exporters": 2.5,
    "=subsidiary": 2.0,
    "=buyers": 1.0,
    "=incoterms": 2.0,
}
OFF_TOPIC_TITLE = re.compile(
    r"mentions legales|politique de confidentialite|\bcookies?\b|donnees personnelles"
    r"|accessibilite|plan du site|conditions generales|credits photos?|\bcgu\b"
    r"|page (introuvable|non trouvee)|erreur 404|\b404\b"
)
# « be » and « or » are safe in titles and short texts, where « in » or « as » are not.
TEXT_ENGLISH_WORDS = ENGLISH_WORDS | {"be", "or"}
VIE_ACRONYM = re.compile(r"\bV\.\s?I\.\s?E\b\.?|\bVIE\b")
VIE_IN_URL = re.compile(r"(?:^|/)(?:vie|v-i-e)(?:[-/_]|$)", re.I)

# Step rules beyond the terms: bonuses added to the raw scores.
KIND_STEP_BONUS = {
    "country": ("informer", 6.0),
    "news": ("informer", 3.0),
    "contact": ("diagnostic", 4.0),
}
# A V.I.E. job offer is, by definition, a lasting presence abroad.
KIND_STEP = {"vie": "implanter"}
URL_STEP_HINTS = {
    "pays": "informer",
    "country": "informer",
    "risque-pays": "informer",
    "fiches-pays": "informer",
    "salons": "prospecter",
    "douane": "gerer",
    "implantation": "implanter",
}
URL_STEP_BONUS = 2.0
# A title that announces an assessment of the company (« Le diagnostic douane gratuit… »,
# « Autodiagnostic : êtes-vous prêt à… ») puts the page at the first step, whatever it assesses.
ASSESSMENT_TITLE = re.compile(
    r"^(le |l'|un |une |votre |notre |mon )?(auto-?diagnostic|pre-?diagnostic|diagnostic|audit"
    r"|auto-?evaluation)s?\b|\betes-vous pret|^(testez|evaluez|mesurez) (votre|la maturite)"
)


@dataclass(frozen=True)
class Classification:
    step: str | None
    steps: dict[str, float]
    relevant: bool
    kind: str
    countries: list[str]
    regions: list[str]
    sectors: list[str]
    confidence: float = 1.0  # how sure the relevance decision is (the model's probability)
    review: bool = False  # borderline: kept out of the journey, searchable, « à vérifier »
    candidate: str | None = None  # a page to review: the step it would have if kept


# -- pins ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pin:
    step: str | None  # None: not pinned; "" : pinned off-topic
    kind: str | None


def load_pins(path: Path = PINS_FILE) -> dict[str, Pin]:
    """The editors' pins, checked; every error reported at once, in French."""
    if not path.exists():
        return {}
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path.name} : TOML invalide ({exc})") from exc
    pins, errors = {}, []
    for i, entry in enumerate(raw.get("pin", []), start=1):
        where = f"{path.name}, pin[{i}]"
        url, step, kind = entry.get("url"), entry.get("step"), entry.get("kind")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            errors.append(f"{where} : « url » doit être une adresse http(s)")
        if step is not None and step not in ("", *STEP_IDS):
            errors.append(
                f"{where} : étape inconnue « {step} » (attendu : "
                f'{", ".join(STEP_IDS)} ou "" pour hors sujet)'
            )
        if kind is not None and kind not in KIND_IDS:
            errors.append(f"{where} : type inconnu « {kind} » (attendu : {', '.join(KIND_IDS)})")
        if step is None and kind is None:
            errors.append(f"{where} : indiquer « step », « kind » ou les deux")
        unknown = set(entry) - {"url", "step", "kind", "note"}
        if unknown:
            errors.append(f"{where} : clé inconnue « {sorted(unknown)[0]} »")
        if isinstance(url, str):
            pins[_pin_key(url)] = Pin(step, kind)
    if errors:
        raise ValueError("\n".join(errors))
    return pins


def _pin_key(url: str) -> str:
    return url.rstrip("/")


# -- the classifier -------------------------------------------------------------------------------


class Classifier:
    """Step lexicon, export vocabulary and pins, loaded once."""

    def __init__(self, pins_file: Path = PINS_FILE, model: Model | bool | None = True) -> None:
        """`model`: the repository's trained model (True), another one, or none (False)."""
        tables: dict[str, Mapping[str, float]] = {}
        errors = []
        for step in steps():
            errors += check_terms(step.terms, f"journey.toml, étape « {step.id} », terms")
            tables[step.id] = step.terms
        if errors:
            raise ValueError("\n".join(errors))
        self.lexicon = Lexicon(tables)
        self.export_lexicon = Lexicon({"export": EXPORT_TERMS})
        self.pins = load_pins(pins_file)
        self.model = default_model() if model is True else (model or None)

    def classify(
        self,
        url: str,
        title: str,
        text: str,
        *,
        structured: dict | None = None,
        source_id: str | None = None,
        source_region: str | None = None,
        description: str = "",
    ) -> Classification:
        # `source_id` is accepted but unused on purpose: per-source priors would fit the rules
        # to today's sites instead of the pages' words.
        # The site's name at the end of an HTML title says nothing of the step or the kind;
        # it may still name a region (« … - Team France Export Bretagne »).
        page = _Page.build(url, without_site_name(title, url), text, description, structured)
        rules = self._rules(page, title, text, description, url)
        regions = find_regions(title, text, source_region, description, url)
        learned = _Learned.of(page, self.model)
        relevant, confidence, review = self._relevance(page, rules.evidence, learned)
        if structured and structured.get("hub"):
            # Listings, calendars and home pages (flagged by the crawler) lead to content;
            # they are not content themselves. A pin can still say otherwise.
            relevant, review = False, False
        kind = _blend(rules.kinds, learned.kinds if learned else None, RULES_SHARE_KINDS, KIND_IDS)
        kind = kind if relevant or review else "other"
        rule_steps = _step_scores(rules.raw, page, kind)
        scores = _blended(
            rule_steps, learned.steps if learned else None, RULES_SHARE_STEPS, STEP_IDS
        )
        if learned and kind in KIND_STEP:  # a V.I.E. offer is, by definition, a presence abroad
            scores = {s: float(s == KIND_STEP[kind]) for s in STEP_IDS}
        pin = self.pins.get(_pin_key(url))
        if pin and pin.step is not None:
            relevant, review, confidence = pin.step != "", False, 1.0
            scores = {s: float(s == pin.step) for s in STEP_IDS}
        if pin and pin.kind:
            kind = pin.kind
        elif pin and not relevant:
            kind = "other"
        candidate = _decide(scores)[0] if review else None
        step, normalised = _decide(scores) if relevant else (None, dict.fromkeys(STEP_IDS, 0.0))
        return Classification(
            step,
            normalised,
            relevant,
            kind,
            rules.countries,
            regions,
            rules.sectors,
            confidence,
            review,
            candidate,
        )

    def _rules(self, page: _Page, title: str, text: str, description: str, url: str) -> _Rules:
        """What the transparent rules say of a page."""
        fields = page.fields()
        frequencies = self._frequencies(self.lexicon, fields)
        raw = self.lexicon.score(frequencies)
        countries = salient_countries(country_salience(title, text, description, url))
        evidence = (
            self._evidence(frequencies)
            + self.export_lexicon.score(self._frequencies(self.export_lexicon, fields))["export"]
            + COUNTRY_EVIDENCE * bool(countries)
        )
        kinds = kind_scores(page, countries)
        sectors = salient_sectors(
            sector_scores(fields), sector_scores([(page.title_tokens, TITLE_WEIGHT)])
        )
        return _Rules(raw, kinds, evidence, countries, sectors)

    def explain(self, url: str, title: str, text: str, description: str = "") -> dict[str, Any]:
        """The words that weighed most in the learned part of a page's classification."""
        page = _Page.build(url, without_site_name(title, url), text, description, None)
        learned = _Learned.of(page, self.model)
        if learned is None:
            return {}
        result = self.classify(url, title, text, description=description)
        model, vector = learned.model, learned.vector
        out = {"pertinence": model.explain("relevant", vector, "relevant")}
        if result.step:
            out["étape"] = model.explain("step", vector, result.step)
        if result.relevant:
            out["type"] = model.explain("kind", vector, result.kind)
        return out

    @staticmethod
    def _frequencies(lexicon: Lexicon, fields: Iterable[tuple[Tokens, float]]) -> Tally[int]:
        frequencies: Tally[int] = Tally()
        for tokens, weight in fields:
            for index, count in lexicon.count(tokens).items():
                frequencies[index] += weight * count
        return frequencies

    def _evidence(self, frequencies: Mapping[int, float]) -> float:
        """How much export vocabulary the page holds (each term's best weight, damped)."""
        best = (max(self.lexicon.entries[i].weights.values()) for i in frequencies)
        return sum(
            weight * math.log2(1 + tf)
            for weight, tf in zip(best, frequencies.values(), strict=True)
            if weight >= EVIDENCE_MIN_WEIGHT
        )

    def _relevance(
        self, page: _Page, evidence: float, learned: _Learned | None
    ) -> tuple[bool, float, bool]:
        """(relevant, confidence, to review). Service pages (legal notices, cookies, errors)
        are never relevant. With the model: its probability, in three bands (out, to review,
        in). Without it, the export vocabulary's density decides (and English is out)."""
        if OFF_TOPIC_TITLE.search(page.folded_title) or evidence < EVIDENCE_FLOOR:
            return False, 1.0, False
        if learned is None:
            size = max(len(page.body), 1)
            dense = evidence >= max(RELEVANT_MIN_EVIDENCE, RELEVANCE_DENSITY * math.sqrt(size))
            return dense and not page.english(), 1.0, False
        p = learned.relevant
        if p >= RELEVANT_FROM:
            return True, p, False
        return False, 1.0 - p, p >= REVIEW_FROM


def _step_scores(raw: Mapping[str, float], page: _Page, kind: str) -> dict[str, float]:
    scores = {s: raw.get(s, 0.0) for s in STEP_IDS}
    if kind in KIND_STEP_BONUS:
        step, bonus = KIND_STEP_BONUS[kind]
        scores[step] += bonus
    for segment in page.segments:
        if segment in URL_STEP_HINTS:
            scores[URL_STEP_HINTS[segment]] += URL_STEP_BONUS
    if kind in KIND_STEP:
        scores[KIND_STEP[kind]] = max(scores.values()) + URL_STEP_BONUS
    elif ASSESSMENT_TITLE.search(page.folded_title):
        scores["diagnostic"] = max(scores.values()) + URL_STEP_BONUS
    return scores


def _decide(scores: Mapping[str, float]) -> tuple[str, dict[str, float]]:
    """The best step and the scores normalised to sum to 1."""
    total = sum(scores.values())
    if total <= 0:
        return "informer", {s: float(s == "informer") for s in STEP_IDS}
    normalised = {s: round(scores[s] / total, 4) for s in STEP_IDS}
    best = max(STEP_IDS, key=lambda s: scores[s])
    return best, normalised


@cache
def default_classifier() -> Classifier:
    return Classifier()


@dataclass(frozen=True)
class _Rules:
    """The rules' findings on a page."""

    raw: dict[str, float]  # the step lexicon's scores
    kinds: dict[str, float]
    evidence: float  # export vocabulary (and a foreign country named)
    countries: list[str]
    sectors: list[str]


def _normalised(scores: Mapping[str, float]) -> dict[str, float]:
    total = sum(v for v in scores.values() if v > 0)
    return {k: (max(v, 0.0) / total if total else 0.0) for k, v in scores.items()}


def _blended(
    rules: Mapping[str, float],
    learned: Mapping[str, float] | None,
    share: float,
    labels: tuple[str, ...],
) -> dict[str, float]:
    """The rules' scores (normalised) with `share` of the weight, the model's probabilities
    with the rest; the rules alone without a model."""
    if not learned:
        return {label: rules.get(label, 0.0) for label in labels}
    mine = _normalised(rules)
    weight = share if any(mine.values()) else 0.0
    return {
        label: weight * mine.get(label, 0.0) + (1 - weight) * learned.get(label, 0.0)
        for label in labels
    }


def _blend(
    rules: Mapping[str, float],
    learned: Mapping[str, float] | None,
    share: float,
    labels: tuple[str, ...],
) -> str:
    """The best label of the blended scores (ties: the first label)."""
    scores = _blended(rules, learned, share, labels)
    return max(labels, key=lambda label: (scores[label], -labels.index(label)))


@dataclass(frozen=True)
class _Learned:
    """The model's view of a page: its vector and the three heads' probabilities."""

    model: Model
    vector: tuple[Any, Any]
    relevant: float
    steps: dict[str, float]
    kinds: dict[str, float]

    @classmethod
    def of(cls, page: _Page, model: Model | None) -> _Learned | None:
        if model is None:
            return None
        vector = model.vector(features(page.title, page.text, page.description, page.url))
        return cls(
            model,
            vector,
            model.proba("relevant", vector)["relevant"],
            model.proba("step", vector),
            model.proba("kind", vector),
        )


def classify_page(
    url: str,
    title: str,
    text: str,
    *,
    structured: dict | None = None,
    source_id: str | None = None,
    source_region: str | None = None,
    description: str = "",
) -> Classification:
    """Classify one stored page (see the module docstring for the rules)."""
    return default_classifier().classify(
        url,
        title,
        text,
        structured=structured,
        source_id=source_id,
        source_region=source_region,
        description=description,
    )


def classify_record(record: dict) -> dict:
    """For `portail classify`: {"id","url","title","text"} → the classification as JSON."""
    result = classify_page(
        str(record.get("url") or ""), str(record.get("title") or ""), str(record.get("text") or "")
    )
    return {
        "id": record.get("id"),
        "step": result.step,
        "steps": result.steps,
        "relevant": result.relevant,
        "kind": result.kind,
        "countries": result.countries,
        "regions": result.regions,
        "sectors": result.sectors,
    }


# -- the page as the rules see it -----------------------------------------------------------------


@dataclass(frozen=True)
class _Page:
    url: str
    title: str
    text: str
    description: str
    folded_title: str
    folded_head: str  # the title and the first part of the text, folded
    segments: tuple[str, ...]  # the URL path's folders and slug, lower case
    types: frozenset[str]  # schema.org types and og:type
    title_tokens: Tokens
    description_tokens: Tokens
    url_tokens: Tokens
    body: Tokens

    @classmethod
    def build(
        cls, url: str, title: str, text: str, description: str, structured: dict | None
    ) -> _Page:
        url_text = url_words(url)
        if VIE_IN_URL.search(re.sub(r"^[a-z]+://[^/]+", "", url or "")):
            url_text += " volontariat international"
        path = re.sub(r"^[a-z]+://[^/]+", "", (url or "").lower()).split("?")[0]
        return cls(
            url=url,
            title=title,
            text=text,
            description=description,
            folded_title=_fold(title),
            folded_head=_fold(f"{title}\n{text[:3000]}"),
            segments=tuple(s for s in path.split("/") if s),
            types=_schema_types(structured or {}),
            title_tokens=analyse(_expand(title)),
            description_tokens=analyse(_expand(description)),
            url_tokens=analyse(url_text),
            body=analyse(_expand(text)),
        )

    def fields(self) -> list[tuple[Tokens, float]]:
        return [
            (self.title_tokens, TITLE_WEIGHT),
            (self.description_tokens, DESCRIPTION_WEIGHT),
            (self.url_tokens, URL_WEIGHT),
            (self.body, 1.0),
        ]

    def english(self) -> bool:
        words = re.findall(r"[a-zà-ÿ]+", f"{self.title} {self.text[:5000]}".lower())
        english = sum(w in TEXT_ENGLISH_WORDS for w in words)
        return english >= 5 and english > sum(w in FRENCH_WORDS for w in words)


def _expand(text: str) -> str:
    """« V.I.E. » and « VIE » become « volontariat international » (« vie » is also life)."""
    return VIE_ACRONYM.sub(" volontariat international ", text or "")


def _fold(text: str) -> str:
    from indexer.analysis import fold

    return fold(text or "").replace("’", "'")


def _schema_types(structured: Mapping[str, Any]) -> frozenset[str]:
    types: set[str] = set()
    items = list(structured.get("jsonld") or [])
    while items:
        item = items.pop()
        if isinstance(item, list):
            items.extend(item)
        elif isinstance(item, dict):
            kind = item.get("@type")
            types.update(kind if isinstance(kind, list) else [kind] if kind else [])
            items.extend(item.get("@graph") or [])
    og = (structured.get("opengraph") or {}).get("og:type") or (
        structured.get("opengraph") or {}
    ).get("type")
    if og:
        types.add(f"og:{og}")
    return frozenset(str(t) for t in types)


# -- kinds ---------------------------------------------------------------------------------------

SCHEMA_KINDS = {
    "JobPosting": ("vie", 8.0),
    "Event": ("event", 6.0),
    "BusinessEvent": ("event", 6.0),
    "ExhibitionEvent": ("event", 6.0),
    "EducationEvent": ("event", 6.0),
    "NewsArticle": ("news", 3.0),
    "BlogPosting": ("news", 2.0),
    "og:article": ("news", 1.0),
    "ContactPage": ("contact", 3.0),
    "ContactPoint": ("contact", 2.0),
    "Organization": ("contact", 1.5),
    "GovernmentOrganization": ("contact", 1.5),
    "FAQPage": ("guide", 3.0),
    "HowTo": ("guide", 3.0),
    "Product": ("offer", 2.0),
    "Service": ("offer", 2.0),
    "FinancialProduct": ("offer", 3.0),
}
URL_KINDS = {  # words of a URL's folders
    "event": (
        "evenements",
        "evenement",
        "agenda",
        "events",
        "event",
        "webinaires",
        "webinaire",
        "manifestations",
    ),
    "news": (
        "actualites",
        "actualite",
        "actus",
        "actu",
        "news",
        "presse",
        "communiques",
        "communique",
        "blog",
        "breves",
    ),
    "contact": (
        "contact",
        "contacts",
        "nous-contacter",
        "annuaire",
        "equipe",
        "equipes",
        "delegations",
        "interlocuteurs",
        "regions",
        "implantations-france",
    ),
    "country": ("pays", "risque-pays", "fiches-pays", "fiche-pays", "country", "countries"),
    "offer": (
        "offres",
        "offre",
        "nos-offres",
        "solutions",
        "nos-solutions",
        "produits",
        "dispositifs",
        "aides",
        "accompagnement",
        "accompagnements",
        "services",
        "prestations",
        "formations",
        "formation",
        "financement",
        "financements",
        "catalogue",
        "catalogue-offres",
    ),
    "guide": (
        "guides",
        "guide",
        "conseils",
        "fiche",
        "fiches",
        "fiches-pratiques",
        "ressources",
        "documentation",
        "faq",
        "comprendre",
        "dossiers",
        "outils",
        "tutoriels",
        "reglementation",
        "dedouanement",
        "fiscalite",
        "controles",
        "origine",
    ),
}
URL_KIND_SCORE = 3.0
TITLE_CUES = {
    "event": (
        r"\b(webinaire|webinar|salon|foire|pavillon|mission (collective|de prospection"
        r"|d'affaires|economique)|rencontres?|atelier|matinale|conference|seminaire"
        r"|forum|journee|reunion|soiree|petit-dejeuner|masterclass|convention d'affaires)\b"
    ),
    "news": (
        r"\b(bilan|publie|lance|annonce|signe|success story|temoignage|retour sur"
        r"|nomination|record|communique|progresse|recule|se reduit|trouve|conquiert"
        r"|point de situation|entree en vigueur|nouvelle etude|mise a jour)\b"
    ),
    "contact": (
        r"\b(contacts?|contacter|coordonnees|interlocut\w*|equipe|rencontrer"
        r"|(vos|nos|votre|un|une|les|trouver) conseill(er|ere)s?|nous joindre"
        r"|direction regionale|delegation|antenne|comites|guichet|permanences?)\b"
    ),
    "guide": (
        r"\?|\b(comment|etapes|l'essentiel|guide|ce qu'il faut savoir|mode d'emploi"
        r"|check-list|checklist|methode|questions|reperes|pas a pas|bien choisir"
        r"|conseils|erreurs|fiche pratique|comprendre|tout savoir|obtenir"
        r"|exporter (vers|en|des|hors)|le point sur|lequel|laquelle|quelle|quel"
        r"|trame|signaux|principes|reflexes|fiche|note|liste)\b"
    ),
    "offer": (
        r"\b(pret|assurance|aide|cheque|pass|programme|accompagnement|offre|formation"
        r"|garantie|avance|credit|subvention|prime|diagnostic|diag|service|prestation"
        r"|solutions?|financement|dispositif|academie|club|clubs|avis d'expert|parrainage"
        r"|certificat|carnet|legalisation|renseignement|devenir|permanences?|cellule"
        r"|accelerateur|etudes? sur mesure|recrutement|capital|fonds|relations presse"
        r"|test sur offre|prospection personnalisee|listes?|information sur)\b"
        # « … avec la chambre franco-mexicaine », « Exporter avec Bpifrance »: a body's service.
        r"|\bavec (la |le |les |l'|votre |vos |nos |notre )?(chambres?|cci|reseau|bpifrance"
        r"|business france|team france export|conseill\w+|regions?|agences?|coface|douane)\b"
    ),
}
TITLE_CUE_SCORE = {"event": 1.5, "news": 1.5, "contact": 1.5, "guide": 1.5, "offer": 1.2}
BODY_CUES = {
    "event": (
        r"\b(inscri(ption|vez|re|ptions)|date limite|cloture des inscriptions|programme"
        r"|lieu|places limitees|ouvert aux|participation|deroule|\d{1,2} ?h ?\d{0,2}"
        r"|en ligne|visioconference|intervenants?|animee? par)\b",
        0.5,
        3.0,
    ),
    "news": (
        r"communique de presse|selon (le|la|les)\b|\ben 20[2-9]\d\b|\bhier\b"
        r"|cette annee|l'an dernier|\bvient de\b",
        0.5,
        2.0,
    ),
    "contact": (
        r"\b(coordonnees|contactez|ecrivez|appelez|telephone|adresse|accueil"
        r"|prendre rendez-vous|prenez rendez-vous|joindre|nos bureaux|du lundi au"
        r"|permanence)\b",
        0.6,
        3.0,
    ),
    "offer": (
        r"\b(nous vous proposons|nous proposons|notre offre|notre accompagnement"
        r"|nos conseillers|beneficiaires?|eligib\w+|pour qui|montant|tarif|cout"
        r"|prise en charge|pris en charge|euros|€|ht|vous beneficiez|modalites"
        r"|deposer (une|votre) demande|en beneficier|nous financons|finance|couvre"
        r"|garantit|nous prenons|sur mesure|prestation|duree|plafond|remboursable"
        r"|taux|sans frais|gratuit)\b",
        0.4,
        3.0,
    ),
    "guide": (
        r"\b(il faut|vous devez|doit|doivent|veillez|pensez a|assurez-vous|verifiez"
        r"|etape|en pratique|a savoir|attention|bon a savoir|par exemple|c'est-a-dire"
        r"|regle|obligatoire|obligation|conseil|erreur|comment|definition|distingue"
        r"|selon que|lorsque|dans ce cas|en cas de)\b",
        0.3,
        3.0,
    ),
    "vie": (
        r"profil recherche|votre mission|vos missions|missions principales|rattache"
        r"|candidature|postuler|\(h/f\)|a pourvoir|mission de \d+ mois|diplome|courant"
        r"|\bcdi\b|salaire|indemnite mensuelle|poste base|experience",
        1.0,
        5.0,
    ),
    "country": (
        r"\b(pib|croissance|inflation|habitants|population|conjoncture"
        r"|balance commerciale|deficits?|excedents?|notation|risques? pays|monnaie"
        r"|dettes?|chomage|economi\w*|investissements directs|premier client"
        r"|premier fournisseur|secteurs porteurs|debouches|opportunites"
        r"|relations? commerciales?|echanges (bilateraux|commerciaux)|importations"
        r"|marche interieur|consommation|classe moyenne|pouvoir d'achat"
        r"|banque centrale|gouvernement|elections?|reformes?|matieres premieres"
        r"|climat des affaires|recession|ralentissement|reprise|milliards?"
        r"|budgetaire|devise|taux de change|politique|service economique)\b",
        0.5,
        4.0,
    ),
}
# Headings that lay out a scheme or a service: who it is for, what it covers, on what terms.
OFFER_HEADINGS = re.compile(
    r"^(pour qui|pour quels?|qui peut|(les |des )?entreprises? (eligibles?|concernees"
    r"|beneficiaires|accompagnees)|beneficiaires|eligibilite|criteres|conditions|caracteristiques"
    r"|modalites|montants?|duree|tarifs?|couts?|prix|(les )?depenses"
    r"|ce que (nous|vous|comprend|couvre|finance|propose|font|apporte|coute)"
    r"|ce qu'(il|elle|ils|elles) (couvre|finance|propose|apporte)"
    r"|comment (en )?benefici|comment (y )?acceder|comment (ca|cela) (marche|fonctionne)"
    r"|(l'|notre |une |nos |les |des )?(offres?|services?|prestations?)\b|notre intervention"
    r"|(les )?avantages|(les )?aides|combien|les \+|(un |l'|notre )?accompagnement"
    r"|les risques couverts|(la )?quotite"
    r"|(le |un )?parcours|(les )?formules?|(les )?etapes de l'accompagnement|(les )?engagements)"
)
# The provider speaking of what it does for companies (« la chambre propose aux PME »).
PROVISION = re.compile(
    r"\b(propose|proposent|organise|organisent|met a (votre |leur )?disposition|mettent a"
    r"|prend en charge|prennent en charge|accompagne|accompagnent|heberge|hebergent|forme"
    r"|forment|parraine|parrainent|finance|financent|vous aide|vous aident)\b"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+33\s?|\b0)[1-9](?:[\s.-]?\d{2}){4}\b")
# « (H/F) », « H/F », « F/H », « (H/F/X) »: a job title.
H_F = re.compile(r"(?<![\w/])[hf]\s*/\s*[hf](?:\s*/\s*x)?(?![\w/])", re.I)
DEFAULT_KIND_SCORES = {"offer": 0.6, "guide": 0.5}
WE = re.compile(r"\b(nous|notre|nos)\b")
# Passé composé (« a signé », « ont inauguré »): what news items are written in. The accent of
# « à » keeps « à Berne » out.
PAST_TENSE = re.compile(
    r"\b(?:a|ont) (?:été |déjà |notamment )?[a-zéèêîôûç]{3,}(?:é|ée|és|ées|is|it|u|us|ert)\b"
)
IMPERATIVE = re.compile(r"(?:^|[.!?:;]\s+|\n)([A-ZÉÈÀ][a-zéèêàâîôûç]+ez)\b")
# Imperatives of offers and events (« Bénéficiez », « Inscrivez-vous »), not of how-tos.
INVITATIONS = frozenset(
    {
        "beneficiez",
        "profitez",
        "contactez",
        "decouvrez",
        "inscrivez",
        "rejoignez",
        "exposez",
        "participez",
        "postulez",
        "rencontrez",
        "demandez",
        "confiez",
        "appelez",
        "ecrivez",
        "venez",
        "reservez",
        "telechargez",
        "candidatez",
        "prenez",
        "accedez",
        "developpez",
        "financez",
        "assurez",
    }
)
INFINITIVE = re.compile(r"[a-z]{3,}(er|ir|re)")
NOT_INFINITIVES = frozenset(
    {
        "offre",
        "centre",
        "lettre",
        "cadre",
        "notre",
        "votre",
        "autre",
        "entre",
        "premier",
        "dossier",
        "atelier",
        "quartier",
        "calendrier",
        "hiver",
        "chantier",
        "fichier",
        "titre",
        "livre",
        "chiffre",
        "membre",
        "rencontre",
        "nombre",
        "filiere",
        "frontiere",
        "matiere",
        "guichet",
        "dernier",
        "foire",
        "conseiller",
        "pionnier",
    }
)
HOW_TO = re.compile(r"^\w+ (son|sa|ses|leurs?|vos|votre)\b")
COUNTRY_MIN_CUES = 3  # distinct economic words (PIB, inflation…); 2 for a title « Maroc »


def kind_scores(page: _Page, countries: list[str]) -> dict[str, float]:
    """A score per kind from schema.org types, URL folders, title and text cues."""
    scores: defaultdict[str, float] = defaultdict(float, DEFAULT_KIND_SCORES)
    for schema_type in page.types:
        if schema_type in SCHEMA_KINDS:
            kind, score = SCHEMA_KINDS[schema_type]
            scores[kind] = (
                max(scores[kind], score) if kind in ("vie", "event") else (scores[kind] + score)
            )
    folders = page.segments[:-1] or page.segments
    words = {word for segment in folders for word in segment.split("-")} | set(folders)
    for kind, names in URL_KINDS.items():
        if words.intersection(names):
            scores[kind] += URL_KIND_SCORE
    for kind, pattern in TITLE_CUES.items():
        if re.search(pattern, page.folded_title):
            scores[kind] += TITLE_CUE_SCORE[kind]
    for kind, (pattern, each, cap) in BODY_CUES.items():
        hits = len(re.findall(pattern, page.folded_head))
        scores[kind] += min(cap, each * hits)
    _dates_and_people(page, countries, scores)
    headings = [
        _fold(line.strip())
        for line in page.text[:4000].split("\n")
        if 0 < len(line.split()) <= 7 and not line.rstrip().endswith((".", ";", ","))
    ]
    scores["offer"] += min(2.4, 0.8 * sum(bool(OFFER_HEADINGS.match(h)) for h in headings))
    scores["offer"] += min(1.5, 0.5 * len(PROVISION.findall(page.folded_head)))
    return dict(scores)


def _dates_and_people(page: _Page, countries: list[str], scores: defaultdict[str, float]) -> None:
    """Cues that are not plain words: event dates, e-mails and phones, V.I.E. offers, countries."""
    if event_dates(page.title):
        scores["event"] += 2.0
    if event_dates(page.text[:1500]):
        scores["event"] += 1.5
    head = page.text[:4000]
    contacts = len(EMAIL.findall(head)) + len(PHONE.findall(head))
    scores["contact"] += min(3.0, 1.2 * contacts)
    vie_title = "volontariat international" in " ".join(page.title_tokens.words) or (
        "volontariat" in page.title_tokens.words
    )
    if H_F.search(page.title):
        scores["vie"] += 4.0 if vie_title else 2.5
    elif vie_title and scores["vie"] >= 2:
        scores["vie"] += 2.0
    job_cues = len({m for m in re.findall(BODY_CUES["vie"][0], page.folded_head)})
    if not ("JobPosting" in page.types or H_F.search(page.title) or job_cues >= 4):
        scores["vie"] = 0.0  # a page about the V.I.E. programme is not a job offer
    economy = len({m[0] for m in re.findall(BODY_CUES["country"][0], page.folded_head)})
    titled = _titled_country(page.title) if countries else 0.0
    if not countries or economy < COUNTRY_MIN_CUES - (titled >= 3):
        scores["country"] = 0.0  # a country page describes the country's economy
    else:
        scores["country"] += titled
    _voice(page, scores)


def _voice(page: _Page, scores: defaultdict[str, float]) -> None:
    """How the page speaks: a provider of itself (« nous », « notre offre »): an offer; news
    in the passé composé; a how-to title (« Protéger sa marque ») and imperatives
    (« Vérifiez… »): a guide."""
    head = page.folded_head
    scores["offer"] += min(2.0, 0.3 * len(WE.findall(head)))
    scores["news"] += min(2.5, 0.5 * len(PAST_TENSE.findall(page.text[:3000])))
    imperatives = [v for v in IMPERATIVE.findall(page.text[:3000]) if _fold(v) not in INVITATIONS]
    scores["guide"] += min(2.0, 0.4 * len(imperatives))
    for part in page.folded_title.split(":")[:2]:
        part = part.strip()
        first = part.split(" ", 1)[0]
        if INFINITIVE.fullmatch(first) and first not in NOT_INFINITIVES:
            scores["guide"] += 2.0 if HOW_TO.search(part) else 1.0


def _titled_country(title: str) -> float:
    """3 for a title that is a country's name (« Brésil »), 1 for one that starts with it
    (« Brésil : évaluation du risque pays »), else 0."""
    head, colon, _ = title.partition(":")
    mentions = country_gazetteer().find(head.strip()) if len(head.split()) <= 4 else []
    if not any(m.kind == "name" for m in mentions):
        return 0.0
    return 1.0 if colon else 3.0
