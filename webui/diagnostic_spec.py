"""The export self-assessment's content (webui/data/autodiagnostic.toml), loaded with the
schema-driven loader and checked as docs/autodiagnostic.md (section 11) says: every problem at
once, in French, with the line and the key. The result is a frozen `Spec` that the scoring
(`webui.diagnostic_scoring`) and the pages read; profile questions whose answers come from a
list (`choices`) get that list's answers here (regions, sectors, target countries).

    spec = load_spec()            # DataError (French, one line per problem) on a broken file
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from indexer.journey import STEP_IDS
from portail.schema import (
    Bool,
    Field,
    Int,
    List,
    Map,
    Path_,
    Str,
    Table,
    Type,
    load_toml,
    validate,
)

DATA_FILE = Path(__file__).resolve().parent / "data" / "autodiagnostic.toml"
OVERALL = "overall"
MIN_ACTIONS = 3
MAX_ACTIONS = 5
ID = r"[a-z0-9]+(-[a-z0-9]+)*"
PLACEHOLDER = re.compile(r"\{([a-z]+)\}")
CHOICES = ("regions", "sectors", "countries")
PROFILE_VARIABLES = ("region", "taille", "secteur", "pays")
OPTIONAL_VARIABLES = frozenset({"pays", "secteur"})  # a link may need them; one link may not
# The portal's addresses a link may lead to, with the query parameters each accepts.
LINK_PATHS = {
    re.compile(r"/etapes/(\{step\}|[a-z]+)"): (),
    re.compile(r"/recherche"): ("q", "step", "kind", "country", "region", "sector"),
    re.compile(r"/offres"): ("step", "provider", "region", "aide", "public"),
    re.compile(r"/regions/(\{region\}|\d\d)"): (),
    re.compile(r"/pays/(\{pays\}|[a-z]{2})"): (),
    re.compile(r"/agenda"): ("step", "country", "region", "sector"),
}
CONDITION_KINDS = ("score", "band", "question", "step", "any")


# -- what the file holds --------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    id: str
    label: str
    points: int | None = None  # None: a « sans objet » answer, or a profile answer
    not_applicable: bool = False
    empty: bool = False  # a profile answer that names nothing (« Pas encore choisi »)


@dataclass(frozen=True)
class SkipRule:
    question: str
    answers: frozenset[str]


@dataclass(frozen=True)
class Question:
    """A scored question (with its dimension) or a profile question (dimension None)."""

    id: str
    text: str
    answers: tuple[Answer, ...]
    help: str = ""
    dimension: str | None = None
    skip_if: SkipRule | None = None
    required: bool = True
    choices: str | None = None
    default: str | None = None

    def answer(self, answer_id: str) -> Answer | None:
        return next((a for a in self.answers if a.id == answer_id), None)

    @property
    def max_points(self) -> int:
        return max(a.points or 0 for a in self.answers if not a.not_applicable)


@dataclass(frozen=True)
class Band:
    id: str
    label: str
    min: int
    max: int
    text: str


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    weight: int
    description: str
    advice: Mapping[str, str]


@dataclass(frozen=True)
class Condition:
    """One condition of docs/autodiagnostic.md, section 7; `kind` is one of CONDITION_KINDS."""

    kind: str
    target: str = ""  # the dimension (or "overall") or the question
    low: int = 0
    high: int = 100
    values: frozenset[str] = frozenset()  # bands, answers or steps
    negated: bool = False  # `not_answers`
    inner: tuple[Condition, ...] = ()  # the conditions of an `any`


@dataclass(frozen=True)
class StepRule:
    step: str
    when: tuple[Condition, ...]
    why: str


@dataclass(frozen=True)
class Link:
    label: str
    href: str


@dataclass(frozen=True)
class Action:
    id: str
    title: str
    text: str
    priority: int
    links: tuple[Link, ...]
    when: tuple[Condition, ...] = ()
    group: str | None = None
    fallback: bool = False


@dataclass(frozen=True)
class Example:
    id: str
    label: str
    description: str
    answers: Mapping[str, str]
    expected: Mapping[str, Any]


@dataclass(frozen=True)
class Spec:
    dimensions: tuple[Dimension, ...]
    bands: tuple[Band, ...]
    dimension_bands: tuple[Band, ...]
    profile: tuple[Question, ...]
    questions: tuple[Question, ...]
    step_rules: tuple[StepRule, ...]
    actions: tuple[Action, ...]
    examples: tuple[Example, ...] = ()
    by_id: Mapping[str, Question] = field(default_factory=dict)

    def dimension(self, dimension_id: str) -> Dimension:
        return next(d for d in self.dimensions if d.id == dimension_id)

    def questions_of(self, dimension_id: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.dimension == dimension_id)

    def action(self, action_id: str) -> Action:
        return next(a for a in self.actions if a.id == action_id)


# -- the schema -----------------------------------------------------------------------------------

IDENT = Str(pattern=ID, label="un identifiant (minuscules, chiffres, tirets)")
TEXT = Str(nonempty=True)
IDS = List(Str(nonempty=True), min_items=1)


def _condition_shape(condition: dict[str, Any]) -> str | None:
    kinds = [k for k in CONDITION_KINDS if k in condition]
    if len(kinds) != 1:
        return f"une condition a exactement une des clés {', '.join(CONDITION_KINDS)}"
    kind = kinds[0]
    allowed = {
        "score": {"score", "min", "max"},
        "band": {"band", "in"},
        "question": {"question", "answers", "not_answers"},
        "step": {"step"},
        "any": {"any"},
    }[kind]
    extra = sorted(set(condition) - allowed)
    if extra:
        return f"clé « {extra[0]} » sans objet dans une condition « {kind} »"
    if kind == "score" and "min" not in condition and "max" not in condition:
        return "une condition de score a un « min », un « max » ou les deux"
    if kind == "band" and "in" not in condition:
        return "une condition de bande a une liste « in »"
    if kind == "question" and ("answers" in condition) == ("not_answers" in condition):
        return "une condition de question a « answers » ou « not_answers » (l'un des deux)"
    if kind == "any" and any(isinstance(c, dict) and "any" in c for c in condition["any"]):
        return "« any » ne s'imbrique pas"
    return None


CONDITION_FIELDS = {
    "score": Field(Str(nonempty=True), help="dimension ou « overall »"),
    "min": Field(Int(0, 100)),
    "max": Field(Int(0, 100)),
    "band": Field(Str(nonempty=True), help="dimension ou « overall »"),
    "in": Field(IDS, help="bandes"),
    "question": Field(Str(nonempty=True)),
    "answers": Field(IDS),
    "not_answers": Field(IDS),
    "step": Field(List(Str(choices=STEP_IDS), min_items=1)),
}
INNER_CONDITION = Table({**CONDITION_FIELDS, "any": Field(Type())}, check=_condition_shape)
CONDITION = Table(
    {**CONDITION_FIELDS, "any": Field(List(INNER_CONDITION, min_items=1))},
    check=_condition_shape,
)
CONDITIONS = List(CONDITION)
BAND = Table(
    {
        "id": Field(IDENT, required=True),
        "label": Field(TEXT, required=True),
        "min": Field(Int(0, 100), required=True),
        "max": Field(Int(0, 100), required=True),
        "text": Field(TEXT, required=True),
    }
)
ANSWER = Table(
    {
        "id": Field(IDENT, required=True),
        "label": Field(TEXT, required=True),
        "points": Field(Int(0, 4), help="de 0 à 4"),
        "not_applicable": Field(Bool(), help="réponse « sans objet »"),
        "empty": Field(Bool(), help="réponse de profil qui ne désigne rien"),
    }
)
SCHEMA = Table(
    {
        "dimension": Field(
            List(
                Table(
                    {
                        "id": Field(IDENT, required=True),
                        "label": Field(TEXT, required=True),
                        "weight": Field(Int(1, 100), required=True, help="poids relatif"),
                        "description": Field(TEXT, required=True),
                        "advice": Field(
                            Map(TEXT, key=IDENT), required=True, help="conseil par bande"
                        ),
                    }
                ),
                min_items=1,
            ),
            required=True,
        ),
        "band": Field(List(BAND, min_items=1), required=True),
        "dimension_band": Field(List(BAND, min_items=1), required=True),
        "profile": Field(
            List(
                Table(
                    {
                        "id": Field(IDENT, required=True),
                        "text": Field(TEXT, required=True),
                        "help": Field(Str()),
                        "required": Field(Bool(), required=True),
                        "choices": Field(Str(choices=CHOICES)),
                        "answers": Field(List(ANSWER)),
                        "default": Field(Str(nonempty=True)),
                    }
                )
            ),
            required=True,
        ),
        "question": Field(
            List(
                Table(
                    {
                        "id": Field(IDENT, required=True),
                        "dimension": Field(Str(nonempty=True), required=True),
                        "kind": Field(Str(choices=("single",)), help="choix unique"),
                        "text": Field(TEXT, required=True),
                        "help": Field(Str()),
                        "skip_if": Field(
                            Table(
                                {
                                    "question": Field(Str(nonempty=True), required=True),
                                    "answers": Field(IDS, required=True),
                                }
                            )
                        ),
                        "answers": Field(List(ANSWER, min_items=2), required=True),
                    }
                ),
                min_items=1,
            ),
            required=True,
        ),
        "step_rule": Field(
            List(
                Table(
                    {
                        "step": Field(Str(choices=STEP_IDS), required=True),
                        "when": Field(CONDITIONS, required=True),
                        "why": Field(TEXT, required=True),
                    }
                ),
                min_items=1,
            ),
            required=True,
        ),
        "action": Field(
            List(
                Table(
                    {
                        "id": Field(IDENT, required=True),
                        "title": Field(TEXT, required=True),
                        "text": Field(TEXT, required=True),
                        "priority": Field(Int(1, 100), required=True),
                        "group": Field(IDENT),
                        "fallback": Field(Bool()),
                        "when": Field(CONDITIONS),
                        "links": Field(
                            List(
                                Table(
                                    {
                                        "label": Field(TEXT, required=True),
                                        "href": Field(Str(pattern=r"/\S*"), required=True),
                                    }
                                ),
                                min_items=1,
                            ),
                            required=True,
                        ),
                    }
                ),
                min_items=MIN_ACTIONS,
            ),
            required=True,
        ),
        "example": Field(
            List(
                Table(
                    {
                        "id": Field(IDENT, required=True),
                        "label": Field(TEXT, required=True),
                        "description": Field(TEXT, required=True),
                        "answers": Field(Map(Str(nonempty=True), key=IDENT), required=True),
                        "expected": Field(
                            Table(
                                {
                                    "band": Field(Str(nonempty=True), required=True),
                                    "step": Field(Str(choices=STEP_IDS), required=True),
                                    "actions": Field(List(Str(nonempty=True)), required=True),
                                    "scores": Field(Map(Int(0, 100), key=IDENT), required=True),
                                }
                            ),
                            required=True,
                        ),
                    }
                )
            )
        ),
    }
)


# -- the checks that span several values ----------------------------------------------------------

Problems = list[tuple[Path_, str]]


@dataclass(frozen=True)
class Lists:
    """The answers of the profile questions that read a list (`choices`)."""

    regions: Mapping[str, str]
    sectors: Mapping[str, str]
    countries: Mapping[str, str]

    def of(self, name: str | None) -> Mapping[str, str]:
        return getattr(self, name) if name in CHOICES else {}


def content_problems(raw: dict[str, Any], lists: Lists) -> Problems:
    """Every problem of the file's content that its types do not show (section 11)."""
    known = _known_answers(raw, lists)
    problems = _check_dimensions(raw) + _check_bands(raw)
    problems += _check_profile(raw, known) + _check_questions(raw)
    problems += _check_step_rules(raw, known) + _check_actions(raw, known)
    for i, example in enumerate(raw.get("example", [])):
        problems += _check_example(raw, example, known, ("example", i))
    return problems


def _known_answers(raw: dict[str, Any], lists: Lists) -> dict[str, set[str]]:
    known = {q["id"]: {a["id"] for a in q["answers"]} for q in raw["question"]}
    for p in raw["profile"]:
        from_list = set(lists.of(p.get("choices")))
        known[p["id"]] = from_list | {a["id"] for a in p.get("answers", [])}
    return known


def _duplicates(items: list[dict[str, Any]], where: Path_, what: str) -> Problems:
    seen: set[str] = set()
    found: Problems = []
    for i, item in enumerate(items):
        if item["id"] in seen:
            found.append(((*where, i, "id"), f"{what} : identifiant « {item['id']} » en double"))
        seen.add(item["id"])
    return found


def _check_dimensions(raw: dict[str, Any]) -> Problems:
    problems = _duplicates(raw["dimension"], ("dimension",), "dimension")
    bands = {b["id"] for b in raw["dimension_band"]}
    for i, d in enumerate(raw["dimension"]):
        if set(d["advice"]) != bands:
            problems.append(
                (("dimension", i, "advice"), f"un conseil par bande de dimension ({sorted(bands)})")
            )
        elif any(not isinstance(v, str) or not v.strip() for v in d["advice"].values()):
            problems.append((("dimension", i, "advice"), "chaque conseil est un texte"))
        if not any(q["dimension"] == d["id"] and "skip_if" not in q for q in raw["question"]):
            problems.append((("dimension", i, "id"), "aucune question toujours posée"))
    return problems


def _check_bands(raw: dict[str, Any]) -> Problems:
    problems: Problems = []
    for name in ("band", "dimension_band"):
        problems += _duplicates(raw[name], (name,), "bande")
        expected = 0
        for i, band in enumerate(raw[name]):
            if band["min"] != expected or band["max"] < band["min"]:
                problems.append(
                    ((name, i, "min"), "les bandes doivent se suivre de 0 à 100 sans trou")
                )
                break
            expected = band["max"] + 1
        else:
            if expected != 101:
                problems.append(((name,), "la dernière bande doit finir à 100"))
    return problems


def _check_profile(raw: dict[str, Any], known: Mapping[str, set[str]]) -> Problems:
    problems: Problems = []
    for i, p in enumerate(raw["profile"]):
        where = ("profile", i)
        if not p.get("choices") and not p.get("answers"):
            problems.append((where, "ni réponses ni liste (choices)"))
        problems += _duplicates(p.get("answers", []), (*where, "answers"), "réponse")
        if "default" in p and p["default"] not in known[p["id"]]:
            problems.append(
                ((*where, "default"), f"réponse par défaut inconnue « {p['default']} »")
            )
        if not p["required"] and "default" not in p:
            problems.append((where, "question facultative sans réponse par défaut (default)"))
        for j, a in enumerate(p.get("answers", [])):
            if "points" in a or a.get("not_applicable"):
                problems.append(((*where, "answers", j), "une réponse de profil n'est pas notée"))
    return problems


def _check_questions(raw: dict[str, Any]) -> Problems:
    problems: Problems = []
    seen = {p["id"] for p in raw["profile"]}
    for i, q in enumerate(raw["question"]):
        if q["id"] in seen:
            problems.append(
                (("question", i, "id"), f"question : identifiant « {q['id']} » en double")
            )
        seen.add(q["id"])
    dimensions = {d["id"] for d in raw["dimension"]}
    earlier: dict[str, set[str]] = {}
    for i, q in enumerate(raw["question"]):
        where: Path_ = ("question", i)
        if q["dimension"] not in dimensions:
            problems.append(((*where, "dimension"), f"dimension inconnue « {q['dimension']} »"))
        problems += _check_answers(q["answers"], (*where, "answers"))
        rule = q.get("skip_if")
        if rule is not None:
            if rule["question"] not in earlier:
                problems.append(
                    ((*where, "skip_if"), "skip_if doit viser une question posée avant")
                )
            elif not set(rule["answers"]) <= earlier[rule["question"]]:
                problems.append(((*where, "skip_if"), "skip_if vise une réponse inconnue"))
        earlier[q["id"]] = {a["id"] for a in q["answers"]}
    return problems


def _check_answers(answers: list[dict[str, Any]], where: Path_) -> Problems:
    problems = _duplicates(answers, where, "réponse")
    for j, a in enumerate(answers):
        if a.get("not_applicable") and "points" in a:
            problems.append(((*where, j, "points"), "une réponse sans objet n'a pas de points"))
        if not a.get("not_applicable") and "points" not in a:
            problems.append(((*where, j), "des points de 0 à 4 (points)"))
        if a.get("empty"):
            problems.append(((*where, j, "empty"), "seules les réponses de profil sont « empty »"))
    scored = [a for a in answers if not a.get("not_applicable")]
    if len(scored) < 2 or max((a.get("points", 0) for a in scored), default=0) != 4:
        problems.append((where, "au moins deux réponses notées, dont une à 4 points"))
    return problems


def _check_step_rules(raw: dict[str, Any], known: Mapping[str, set[str]]) -> Problems:
    problems: Problems = []
    rules = raw["step_rule"]
    for i, rule in enumerate(rules):
        problems += _check_conditions(rule["when"], raw, known, ("step_rule", i, "when"), False)
    if rules and rules[-1]["when"]:
        problems.append(
            (("step_rule", len(rules) - 1, "when"), "la dernière règle doit être sans condition")
        )
    return problems


def _check_conditions(
    conditions: list[dict[str, Any]],
    raw: dict[str, Any],
    known: Mapping[str, set[str]],
    where: Path_,
    steps: bool,
) -> Problems:
    problems: Problems = []
    dimensions = {d["id"] for d in raw["dimension"]}
    for i, c in enumerate(conditions):
        here: Path_ = (*where, i)
        if "any" in c:
            problems += _check_conditions(c["any"], raw, known, (*here, "any"), steps)
        elif "score" in c or "band" in c:
            key = "score" if "score" in c else "band"
            target = c[key]
            if target != OVERALL and target not in dimensions:
                problems.append(((*here, key), f"dimension inconnue « {target} »"))
            elif key == "band":
                bands = raw["band"] if target == OVERALL else raw["dimension_band"]
                unknown = set(c["in"]) - {b["id"] for b in bands}
                if unknown:
                    problems.append(((*here, "in"), f"bande inconnue « {sorted(unknown)[0]} »"))
        elif "question" in c:
            if c["question"] not in known:
                problems.append(((*here, "question"), f"question inconnue « {c['question']} »"))
                continue
            key = "answers" if "answers" in c else "not_answers"
            unknown = set(c[key]) - known[c["question"]]
            if unknown:
                problems.append(
                    (
                        (*here, key),
                        f"réponse inconnue « {sorted(unknown)[0]} » pour « {c['question']} »",
                    )
                )
        elif "step" in c and not steps:
            problems.append(((*here, "step"), "une règle d'étape ne peut pas tester l'étape"))
    return problems


def _check_actions(raw: dict[str, Any], known: Mapping[str, set[str]]) -> Problems:
    actions = raw["action"]
    problems = _duplicates(actions, ("action",), "action")
    for i, a in enumerate(actions):
        where: Path_ = ("action", i)
        problems += _check_conditions(a.get("when", []), raw, known, (*where, "when"), True)
        for j, link in enumerate(a["links"]):
            problems += [((*where, "links", j, "href"), m) for m in _link_problems(link["href"])]
        if all(OPTIONAL_VARIABLES & set(PLACEHOLDER.findall(link["href"])) for link in a["links"]):
            problems.append(
                (
                    (*where, "links"),
                    "un lien au moins ne doit dépendre ni de {pays} ni de {secteur}",
                )
            )
    free = [a for a in actions if a.get("fallback") and not a.get("when") and not a.get("group")]
    if len(free) < MIN_ACTIONS:
        problems.append(
            (("action",), f"au moins {MIN_ACTIONS} actions de repli sans condition ni groupe")
        )
    return problems


def _link_problems(href: str) -> list[str]:
    parts = urlsplit(href)
    allowed = next((q for p, q in LINK_PATHS.items() if p.fullmatch(parts.path)), None)
    if allowed is None:
        return [f"adresse inconnue « {href} »"]
    problems = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key not in allowed:
            problems.append(f"« {href} » : paramètre inconnu « {key} »")
        if key == "step" and value not in STEP_IDS and value != "{step}":
            problems.append(f"« {href} » : étape inconnue « {value} »")
    for name in PLACEHOLDER.findall(href):
        if name not in ("step", *PROFILE_VARIABLES):
            problems.append(f"« {href} » : variable inconnue {{{name}}}")
    step = re.fullmatch(r"/etapes/([a-z]+)", parts.path)
    if step and step.group(1) not in STEP_IDS:
        problems.append(f"« {href} » : étape inconnue « {step.group(1)} »")
    return problems


def _check_example(
    raw: dict[str, Any], example: dict[str, Any], known: Mapping[str, set[str]], where: Path_
) -> Problems:
    problems: Problems = []
    for key, value in example["answers"].items():
        if key not in known:
            problems.append(((*where, "answers", key), f"question inconnue « {key} »"))
        elif value not in known[key]:
            problems.append(((*where, "answers", key), f"réponse inconnue « {value} » à « {key} »"))
    ids = {a["id"] for a in raw["action"]}
    for action_id in example["expected"]["actions"]:
        if action_id not in ids:
            problems.append(
                ((*where, "expected", "actions"), f"action attendue inconnue « {action_id} »")
            )
    return problems


# -- building the Spec ----------------------------------------------------------------------------


def repository_lists() -> Lists:
    """The regions, sectors and target countries the portal knows, with their French names."""
    import pycountry

    from indexer.sectors import sectors
    from portail.geo import country_name, regions
    from webui.content import sort_key
    from webui.countries import NOT_TARGETS

    countries = sorted(
        ((c.alpha_2, country_name(c.alpha_2)) for c in pycountry.countries),
        key=lambda pair: sort_key(pair[1]),
    )
    return Lists(
        regions={code: r.name for code, r in regions().items()},
        sectors=dict(sorted(sectors().items(), key=lambda pair: sort_key(pair[1]))),
        countries={code: name for code, name in countries if code not in NOT_TARGETS},
    )


def problems_of(raw: dict[str, Any], lists: Lists) -> Problems:
    """Every problem of a parsed file: its types first, then its content."""
    return validate(SCHEMA, raw) or content_problems(raw, lists)


def load_spec(path: str | Path = DATA_FILE, lists: Lists | None = None) -> Spec:
    """The file read and checked; DataError lists every problem (file, line, key)."""
    lists = lists or repository_lists()
    raw = load_toml(path, SCHEMA, lambda data: content_problems(data, lists))
    return build(raw, lists)


@cache
def spec() -> Spec:
    """The bundled self-assessment (a broken file fails loudly: `portail data check`)."""
    return load_spec()


def build(raw: dict[str, Any], lists: Lists) -> Spec:
    """The Spec of a checked file."""
    profile = tuple(_profile_question(p, lists) for p in raw["profile"])
    questions = tuple(_question(q) for q in raw["question"])
    return Spec(
        dimensions=tuple(
            Dimension(d["id"], d["label"], d["weight"], d["description"], dict(d["advice"]))
            for d in raw["dimension"]
        ),
        bands=tuple(_band(b) for b in raw["band"]),
        dimension_bands=tuple(_band(b) for b in raw["dimension_band"]),
        profile=profile,
        questions=questions,
        step_rules=tuple(
            StepRule(r["step"], _conditions(r["when"]), r["why"]) for r in raw["step_rule"]
        ),
        actions=tuple(_action(a) for a in raw["action"]),
        examples=tuple(
            Example(e["id"], e["label"], e["description"], dict(e["answers"]), e["expected"])
            for e in raw.get("example", [])
        ),
        by_id={q.id: q for q in (*profile, *questions)},
    )


def _band(raw: dict[str, Any]) -> Band:
    return Band(raw["id"], raw["label"], raw["min"], raw["max"], raw["text"])


def _answer(raw: dict[str, Any]) -> Answer:
    return Answer(
        raw["id"],
        raw["label"],
        raw.get("points"),
        bool(raw.get("not_applicable")),
        bool(raw.get("empty")),
    )


def _profile_question(raw: dict[str, Any], lists: Lists) -> Question:
    listed = tuple(Answer(code, name) for code, name in lists.of(raw.get("choices")).items())
    return Question(
        raw["id"],
        raw["text"],
        listed + tuple(_answer(a) for a in raw.get("answers", [])),
        help=raw.get("help", ""),
        required=raw["required"],
        choices=raw.get("choices"),
        default=raw.get("default"),
    )


def _question(raw: dict[str, Any]) -> Question:
    rule = raw.get("skip_if")
    return Question(
        raw["id"],
        raw["text"],
        tuple(_answer(a) for a in raw["answers"]),
        help=raw.get("help", ""),
        dimension=raw["dimension"],
        skip_if=SkipRule(rule["question"], frozenset(rule["answers"])) if rule else None,
    )


def _conditions(raw: Iterable[dict[str, Any]]) -> tuple[Condition, ...]:
    return tuple(_condition(c) for c in raw)


def _condition(raw: dict[str, Any]) -> Condition:
    if "any" in raw:
        return Condition("any", inner=_conditions(raw["any"]))
    if "score" in raw:
        return Condition("score", raw["score"], raw.get("min", 0), raw.get("max", 100))
    if "band" in raw:
        return Condition("band", raw["band"], values=frozenset(raw["in"]))
    if "question" in raw:
        negated = "not_answers" in raw
        values = raw["not_answers"] if negated else raw["answers"]
        return Condition("question", raw["question"], values=frozenset(values), negated=negated)
    return Condition("step", values=frozenset(raw["step"]))


def _action(raw: dict[str, Any]) -> Action:
    return Action(
        raw["id"],
        raw["title"],
        raw["text"],
        raw["priority"],
        tuple(Link(link["label"], link["href"]) for link in raw["links"]),
        _conditions(raw.get("when", [])),
        raw.get("group"),
        bool(raw.get("fallback")),
    )
