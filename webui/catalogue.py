"""The catalogue of support offers: every page the indexer classed as an offer, with who it is
for and what it brings (read by the indexer, see indexer/offers.py), its steps, regions and a
stable id. Filters combine; each filter's counts take the other filters into account."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flask import current_app

from indexer.journey import STEP_IDS
from indexer.offers import Cue, Cues, cues, offer_fields
from indexer.search import Hit, QueryError, SearchQuery, unknown_value
from portail.actors import ACTORS, DEFAULT_ACTOR
from portail.geo import regions
from webui import content, pages, params
from webui.ids import hash_of, page_id

MAX_OFFERS = 5000
# A secondary step is shown when it scores at least this share of the main step's score.
SECONDARY_STEP_SHARE = 0.6
NATIONAL = "national"  # the region filter's value for offers open to the whole country
FILTERS = ("provider", "acteur", "step", "region", "sector", "aide", "public")


@dataclass(frozen=True)
class Offer:
    id: str
    url: str
    title: str
    provider: str
    step: str | None
    steps: tuple[str, ...]  # the main step first, then the strong secondary ones
    audience: tuple[Cue, ...]  # whom its page names
    excluded: tuple[Cue, ...]  # whom its page leaves out: the others may use it
    benefits: tuple[Cue, ...]
    regions: tuple[str, ...]  # empty: open to companies of every region
    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    summary: str
    date: str | None
    hit: Hit = field(compare=False, repr=False)
    actor: str = DEFAULT_ACTOR  # public | consulaire | prive | associatif

    @property
    def national(self) -> bool:
        return not self.regions

    @property
    def provider_id(self) -> str:
        return content.slugify(self.provider)

    def open_to(self, audience: str) -> bool:
        """Whether a company of this audience may use it: unless its page leaves it out."""
        return all(c.id != audience for c in self.excluded)

    def applies_in(self, region: str) -> bool:
        return self.national if region == NATIONAL else (self.national or region in self.regions)


def offer_steps(hit: Hit) -> tuple[str, ...]:
    if not hit.step:
        return ()
    best = hit.steps.get(hit.step, 0.0)
    others = sorted(
        (
            s
            for s in STEP_IDS
            if s != hit.step and best and hit.steps.get(s, 0.0) >= SECONDARY_STEP_SHARE * best
        ),
        key=lambda s: -hit.steps[s],
    )
    return (hit.step, *others)


def build_offer(hit: Hit, text: str, found: Cues) -> Offer:
    """An offer from its index entry; `text` is read only for an index made before the indexer
    stored offers' fields."""
    fields = hit.extra.get("offer") or offer_fields(hit.title, hit.description, text, found)
    audience = {c.id: c for c in found.audience}
    benefits = {c.id: c for c in found.benefit}
    return Offer(
        id=page_id(hit.url, hit.title),
        url=hit.url,
        title=hit.title or hit.url,
        provider=hit.provider,
        step=hit.step,
        steps=offer_steps(hit),
        audience=tuple(audience[i] for i in fields["audience"] if i in audience),
        excluded=tuple(audience[i] for i in fields.get("excluded", []) if i in audience),
        benefits=tuple(benefits[i] for i in fields["benefits"] if i in benefits),
        regions=tuple(hit.regions),
        countries=tuple(hit.countries),
        sectors=tuple(hit.sectors),
        summary=fields.get("summary") or hit.description,
        date=hit.date,
        hit=hit,
        actor=hit.actor,
    )


def sort_key(offer: Offer) -> tuple[int, str, str]:
    step = STEP_IDS.index(offer.step) if offer.step in STEP_IDS else len(STEP_IDS)
    return step, content.sort_key(offer.provider), content.sort_key(offer.title)


_lock = threading.Lock()


def catalogue() -> list[Offer]:
    """Every offer of the index, built once per index generation (kept on the app)."""
    results = content.searcher().search(SearchQuery(kind="offer", per_page=MAX_OFFERS))
    cached = current_app.extensions.get("catalogue")
    if cached and cached[0] is results:
        return cached[1]
    with _lock:
        texts = pages.texts(h.url for h in results.hits if "offer" not in h.extra)
        found = cues()
        offers = sorted(
            (build_offer(h, texts.get(h.url, ""), found) for h in results.hits), key=sort_key
        )
        current_app.extensions["catalogue"] = (results, offers)
    return offers


def find(offer_id: str) -> Offer | None:
    """The offer with this id (its hash part decides, so a retitled offer keeps its links)."""
    wanted = hash_of(offer_id)
    return next((o for o in catalogue() if hash_of(o.id) == wanted), None)


# -- filters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferFilters:
    provider: str | None = None
    acteur: str | None = None
    step: str | None = None
    region: str | None = None
    sector: str | None = None
    aide: str | None = None
    public: str | None = None

    def active(self) -> dict[str, str]:
        return {name: value for name in FILTERS if (value := getattr(self, name))}


def parse_filters(args: Mapping[str, str]) -> OfferFilters:
    """Validate the catalogue's query arguments; QueryError (→ 400) names the bad one."""
    values = {name: (args.get(name) or "").strip() or None for name in FILTERS}
    accepted = {
        "step": {s: content.facet_label("step", s) for s in STEP_IDS},
        "region": {NATIONAL: "offres nationales seulement"}
        | {code: region.name for code, region in regions().items()},
        "sector": content.sector_labels(),
        "aide": cues().labels("benefit"),
        "public": cues().labels("audience"),
    }
    for name, known in accepted.items():
        value = values[name]
        if value and value not in known:
            raise unknown_value(name, value, known)
    if values["provider"] and len(values["provider"]) > 200:
        raise QueryError("Le nom de l'organisme est trop long.", "provider")
    params.check_provider(values["provider"])
    if values["acteur"] and values["acteur"] not in ACTORS:
        raise unknown_value("acteur", values["acteur"], ACTORS)
    return OfferFilters(**values)


TESTS: dict[str, Callable[[Offer, str], bool]] = {
    "provider": lambda o, v: o.provider == v,
    "acteur": lambda o, v: o.actor == v,
    "step": lambda o, v: v in o.steps,
    "region": lambda o, v: o.applies_in(v),
    "sector": lambda o, v: v in o.sectors,
    "aide": lambda o, v: any(c.id == v for c in o.benefits),
    "public": lambda o, v: o.open_to(v),
}


def select(offers: list[Offer], filters: OfferFilters, skip: str | None = None) -> list[Offer]:
    """The offers that pass every active filter (but `skip`)."""
    active = [(name, value) for name, value in filters.active().items() if name != skip]
    chosen = [o for o in offers if all(TESTS[name](o, value) for name, value in active)]
    if filters.region and filters.region != NATIONAL and skip != "region":
        chosen.sort(key=lambda o: o.national)  # the region's own offers first
    return chosen


def facet_counts(offers: list[Offer], filters: OfferFilters) -> dict[str, Counter[str]]:
    """For each filter, how many offers each value would give with the other filters kept."""
    out: dict[str, Counter[str]] = {}
    for name in FILTERS:
        counter: Counter[str] = Counter()
        for offer in select(offers, filters, skip=name):
            counter.update(_values(offer, name))
        out[name] = counter
    return out


def _values(offer: Offer, name: str) -> list[str]:
    if name == "provider":
        return [offer.provider]
    if name == "acteur":
        return [offer.actor]
    if name == "step":
        return list(offer.steps)
    if name == "region":
        return [NATIONAL] if offer.national else list(offer.regions)
    if name == "sector":
        return list(offer.sectors)
    if name == "aide":
        return [c.id for c in offer.benefits]
    return [c.id for c in cues().audience if offer.open_to(c.id)]
