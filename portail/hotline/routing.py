"""Who answers a hotline request: subjects, desks and routing rules from
`portail/data/hotline.toml`, checked by the schema loader.

    decision = route(Question(subject="financement", step="strategie", country="", region="53"))
    decision.desk        # « bpifrance-53 »: the desk with its region (or country)
    decision.name        # « Bpifrance, direction régionale pour la région Bretagne »
    decision.because     # « le financement … relèvent de Bpifrance »

The first rule whose conditions all hold wins; nothing matches: the national desk.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from portail.geo import country_name, region_name, regions
from portail.schema import Field, List, Path_, Str, Table, load_toml

HOTLINE_FILE = Path(__file__).resolve().parent.parent / "data" / "hotline.toml"
NATIONAL = "national"
# The journey's steps (the fixed interface of `portail classify`), and « I don't know ».
STEPS = ("diagnostic", "informer", "strategie", "prospecter", "gerer", "implanter")
UNKNOWN_STEP = "inconnue"
SCOPES = ("national", "region", "country")
ANY_COUNTRY = "*"
ID = Str(nonempty=True, pattern=r"[a-z0-9-]+", label="un identifiant")


def _country(code: str) -> str | None:
    import pycountry

    if code == ANY_COUNTRY or pycountry.countries.get(alpha_2=code) is not None:
        return None
    return f"code de pays ISO inconnu « {code} » (deux lettres majuscules, ou « * »)"


def _region(code: str) -> str | None:
    return None if code in regions() else f"code de région INSEE inconnu « {code} »"


def _choice_list(label: str) -> Field:
    return Field(
        List(
            Table(
                {
                    "id": Field(ID, required=True),
                    "label": Field(Str(nonempty=True), required=True, help=label),
                }
            ),
            min_items=1,
        ),
        required=True,
    )


SCHEMA = Table(
    {
        "subject": _choice_list("l'objet de la demande, tel que le formulaire le propose"),
        "size": _choice_list("la taille de l'entreprise"),
        "reason": _choice_list("un motif de clôture ou de renvoi"),
        "desk": Field(
            List(
                Table(
                    {
                        "id": Field(ID, required=True),
                        "scope": Field(Str(choices=SCOPES), required=True),
                        "name": Field(Str(nonempty=True), required=True),
                        "description": Field(Str(nonempty=True), required=True),
                    }
                ),
                min_items=1,
            ),
            required=True,
        ),
        "rule": Field(
            List(
                Table(
                    {
                        "id": Field(ID, required=True),
                        "subjects": Field(List(ID, unique=True)),
                        "steps": Field(List(Str(choices=(*STEPS, UNKNOWN_STEP)), unique=True)),
                        "countries": Field(List(Str(check=_country), unique=True)),
                        "regions": Field(List(Str(check=_region), unique=True)),
                        "desk": Field(ID, required=True),
                        "because": Field(Str(nonempty=True), required=True),
                    }
                )
            ),
            required=True,
        ),
    }
)


def consistency(raw: dict[str, Any]) -> list[tuple[Path_, str]]:
    """What one value cannot tell: ids used twice, unknown desks and subjects, no national
    desk, a placeholder a desk's scope cannot fill."""
    problems: list[tuple[Path_, str]] = []
    for table in ("subject", "size", "reason", "desk", "rule"):
        seen: set[str] = set()
        for i, entry in enumerate(raw.get(table, [])):
            if entry["id"] in seen:
                problems.append(((table, i, "id"), "identifiant en double"))
            seen.add(entry["id"])
    desks = {d["id"]: d for d in raw["desk"]}
    national = desks.get(NATIONAL)
    if national is None or national["scope"] != "national":
        problems.append((("desk",), "le guichet national « national » (scope national) manque"))
    for i, desk in enumerate(raw["desk"]):
        for scope, mark in (("region", "{region}"), ("country", "{country}")):
            if mark in desk["name"] and desk["scope"] != scope:
                problems.append(((("desk", i, "name")), f"{mark} sans scope « {scope} »"))
    subjects = {s["id"] for s in raw["subject"]}
    for i, rule in enumerate(raw["rule"]):
        if rule["desk"] not in desks:
            problems.append((("rule", i, "desk"), f"guichet inconnu « {rule['desk']} »"))
        for j, subject in enumerate(rule.get("subjects", [])):
            if subject not in subjects:
                problems.append((("rule", i, "subjects", j), f"objet inconnu « {subject} »"))
    return problems


@dataclass(frozen=True)
class Desk:
    id: str
    scope: str
    name: str
    description: str


@dataclass(frozen=True)
class Rule:
    id: str
    subjects: frozenset[str]
    steps: frozenset[str]
    countries: frozenset[str]
    regions: frozenset[str]
    desk: str
    because: str

    def matches(self, question: Question, scope: str) -> bool:
        if scope == "country" and not question.country:
            return False
        if self.countries and not (
            question.country
            and (ANY_COUNTRY in self.countries or question.country in self.countries)
        ):
            return False
        return (
            (not self.subjects or question.subject in self.subjects)
            and (not self.steps or question.step in self.steps)
            and (not self.regions or question.region in self.regions)
        )


@dataclass(frozen=True)
class Question:
    """What routing reads of a request."""

    subject: str
    step: str
    country: str  # ISO alpha-2, upper case, or ""
    region: str  # INSEE code


@dataclass(frozen=True)
class Decision:
    desk: str  # « tfe-53 », « etranger-de », « national »
    kind: str  # the desk's id in the data file (« tfe »)
    name: str
    description: str
    rule: str  # the rule's id, « » for the national desk by default
    because: str


@dataclass(frozen=True)
class Routing:
    subjects: dict[str, str]
    sizes: dict[str, str]
    reasons: dict[str, str]
    desks: dict[str, Desk]
    rules: tuple[Rule, ...]

    def route(self, question: Question) -> Decision:
        for rule in self.rules:
            desk = self.desks[rule.desk]
            if rule.matches(question, desk.scope):
                return self.decision(desk, question, rule.id, rule.because)
        return self.decision(
            self.desks[NATIONAL],
            question,
            "",
            "aucun guichet spécialisé ne correspond à votre demande : l'équipe nationale la lit "
            "et la confie au bon interlocuteur",
        )

    def decision(self, desk: Desk, question: Question, rule: str, because: str) -> Decision:
        key = desk_key(desk, question)
        return Decision(key, desk.id, self.desk_name(key), desk.description, rule, because)

    def desk_name(self, key: str) -> str:
        """The name of a desk key (« tfe-53 » → « la Team France Export de la région
        Bretagne … »)."""
        kind, _, place = key.rpartition("-") if key not in self.desks else (key, "", "")
        desk = self.desks.get(kind)
        if desk is None:
            return key
        return desk.name.format(
            region=region_name(place) if desk.scope == "region" else "",
            country=country_name(place.upper()) if desk.scope == "country" else "",
        )

    def desk_keys(self) -> list[tuple[str, str]]:
        """Every desk key with its name: national, per region, then the countries' desks
        are too many to list (their key is « etranger-<iso2> »)."""
        out = []
        for desk in self.desks.values():
            if desk.scope == "national":
                out.append((desk.id, self.desk_name(desk.id)))
            elif desk.scope == "region":
                out += [
                    (f"{desk.id}-{code}", self.desk_name(f"{desk.id}-{code}")) for code in regions()
                ]
        return out


def desk_key(desk: Desk, question: Question) -> str:
    if desk.scope == "region":
        return f"{desk.id}-{question.region}"
    if desk.scope == "country":
        return f"{desk.id}-{question.country.lower()}"
    return desk.id


def load_routing(path: Path = HOTLINE_FILE) -> Routing:
    """The routing of a data file, checked (DataError lists every problem)."""
    raw = load_toml(path, SCHEMA, consistency, labels={"subject": "id", "rule": "id"})
    return Routing(
        subjects={s["id"]: s["label"] for s in raw["subject"]},
        sizes={s["id"]: s["label"] for s in raw["size"]},
        reasons={r["id"]: r["label"] for r in raw["reason"]},
        desks={
            d["id"]: Desk(d["id"], d["scope"], d["name"], d["description"]) for d in raw["desk"]
        },
        rules=tuple(
            Rule(
                r["id"],
                frozenset(r.get("subjects", ())),
                frozenset(r.get("steps", ())),
                frozenset(r.get("countries", ())),
                frozenset(r.get("regions", ())),
                r["desk"],
                r["because"],
            )
            for r in raw["rule"]
        ),
    )


@cache
def routing() -> Routing:
    """The routing of the repository's data file, loaded once."""
    return load_routing()
