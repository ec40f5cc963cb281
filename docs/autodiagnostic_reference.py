"""Reference implementation of the export self-assessment (docs/autodiagnostic.md).

Pure functions on the parsed webui/data/autodiagnostic.toml (`spec`) and the answers of one
company (`{question or profile id: answer id}`): the scores, the bands, the step of the
journey, the next actions and their links, and the checks a loader must make on the file.
A loader's tests compare their results with `evaluate()` and `check()`.

    python docs/autodiagnostic_reference.py     # runs the [[example]] profiles; code 1 if one
                                                # differs from its expected result
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from math import floor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

Spec = Mapping[str, Any]
Answers = Mapping[str, str]

ROOT = Path(__file__).resolve().parents[1]
DATA_FILE = ROOT / "webui" / "data" / "autodiagnostic.toml"
STEPS = ("diagnostic", "informer", "strategie", "prospecter", "gerer", "implanter")
OVERALL = "overall"
HOME = frozenset({"FR", "GP", "MQ", "GF", "RE", "YT"})  # not targets: webui/countries.py
MAX_ACTIONS = 5
MIN_ACTIONS = 3
PLACEHOLDER = re.compile(r"\{([a-z]+)\}")
ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# Paths a link may lead to, and the query parameters each accepts.
LINK_PATHS = {
    re.compile(r"/etapes/(\{step\}|[a-z]+)"): (),
    re.compile(r"/recherche"): ("q", "step", "kind", "country", "region", "sector"),
    re.compile(r"/offres"): ("step", "provider", "region", "aide", "public"),
    re.compile(r"/regions/(\{region\}|\d\d)"): (),
    re.compile(r"/pays/(\{pays\}|[a-z]{2})"): (),
    re.compile(r"/agenda"): ("step", "country", "region", "sector"),
}


@dataclass(frozen=True)
class Result:
    """What the result page shows for one company."""

    profile: dict[str, str]  # profile answers, the default of an unanswered one applied
    skipped: frozenset[str]  # questions not asked
    dimensions: dict[str, int | None]  # rounded 0–100; None when no question counted
    dimension_bands: dict[str, str | None]
    overall: int
    band: str
    step: str
    actions: list[str]
    links: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """What conditions read: the effective answers, the rounded scores, their bands, the step."""

    answers: Mapping[str, str]
    scores: Mapping[str, int | None]
    bands: Mapping[str, str | None]
    step: str | None = None


# -- scores ---------------------------------------------------------------------------------------


def round_half_up(value: Fraction) -> int:
    """The nearest integer, halves rounded up (42.5 → 43), on exact fractions."""
    return floor(value + Fraction(1, 2))


def max_points(question: Mapping[str, Any]) -> int:
    """The most points an answer of the question gives (4 in a valid file)."""
    return max(a["points"] for a in question["answers"] if not a.get("not_applicable"))


def answer_of(question: Mapping[str, Any], answer_id: str) -> Mapping[str, Any]:
    """The answer with this id; ValueError if the question has none."""
    for answer in question["answers"]:
        if answer["id"] == answer_id:
            return answer
    raise ValueError(f"question « {question['id']} » : réponse inconnue « {answer_id} »")


def skipped_questions(spec: Spec, answers: Answers) -> frozenset[str]:
    """Questions made moot by an earlier answer; a skipped question's own answer is ignored."""
    skipped: set[str] = set()
    for question in spec["question"]:
        rule = question.get("skip_if")
        if rule is None or rule["question"] in skipped:
            continue
        if answers.get(rule["question"]) in rule["answers"]:
            skipped.add(question["id"])
    return frozenset(skipped)


def dimension_scores(
    spec: Spec, answers: Answers, skipped: frozenset[str]
) -> dict[str, Fraction | None]:
    """Exact 0–100 score of each dimension: 100 × points / maximum, over counted questions."""
    points = {d["id"]: 0 for d in spec["dimension"]}
    maxima = {d["id"]: 0 for d in spec["dimension"]}
    for question in spec["question"]:
        if question["id"] in skipped:
            continue
        if question["id"] not in answers:
            raise ValueError(f"question « {question['id']} » sans réponse")
        answer = answer_of(question, answers[question["id"]])
        if answer.get("not_applicable"):
            continue
        points[question["dimension"]] += answer["points"]
        maxima[question["dimension"]] += max_points(question)
    return {d: Fraction(100 * points[d], maxima[d]) if maxima[d] else None for d in points}


def overall_score(spec: Spec, scores: Mapping[str, Fraction | None]) -> Fraction:
    """Exact 0–100 overall score: the mean of the dimensions' exact scores, weighted."""
    counted = [(d["weight"], s) for d in spec["dimension"] if (s := scores[d["id"]]) is not None]
    total = sum((w * s for w, s in counted), Fraction(0))
    return total / sum(w for w, _ in counted)


def band_of(bands: Iterable[Mapping[str, Any]], score: int | None) -> str | None:
    """The id of the band whose range holds the rounded score."""
    if score is None:
        return None
    return next(b["id"] for b in bands if b["min"] <= score <= b["max"])


def profile_answers(spec: Spec, answers: Answers) -> dict[str, str]:
    """The profile's answers, with the default of an optional question left unanswered."""
    found = {}
    for question in spec["profile"]:
        value = answers.get(question["id"], question.get("default"))
        if value is None:
            raise ValueError(f"question de profil « {question['id']} » sans réponse")
        found[question["id"]] = value
    return found


# -- conditions -----------------------------------------------------------------------------------


def holds(condition: Mapping[str, Any], ctx: Context) -> bool:
    """Whether one condition holds (see « Les conditions » in docs/autodiagnostic.md)."""
    if "any" in condition:
        return any(holds(c, ctx) for c in condition["any"])
    if "score" in condition:
        score = ctx.scores.get(condition["score"])
        low, high = condition.get("min", 0), condition.get("max", 100)
        return score is not None and low <= score <= high
    if "band" in condition:
        return ctx.bands.get(condition["band"]) in condition["in"]
    if "question" in condition:
        given = ctx.answers.get(condition["question"])
        if "answers" in condition:
            return given in condition["answers"]
        return given not in condition["not_answers"]
    if "step" in condition:
        return ctx.step in condition["step"]
    raise ValueError(f"condition inconnue : {dict(condition)}")


def all_hold(conditions: Iterable[Mapping[str, Any]], ctx: Context) -> bool:
    return all(holds(c, ctx) for c in conditions)


def journey_step(spec: Spec, ctx: Context) -> str:
    """The step of the first rule whose conditions all hold."""
    return next(r["step"] for r in spec["step_rule"] if all_hold(r["when"], ctx))


def next_actions(spec: Spec, ctx: Context) -> list[str]:
    """Matching actions by priority (file order on ties), one per group, 3 to 5 of them."""
    order = {a["id"]: i for i, a in enumerate(spec["action"])}
    matching = [
        a for a in spec["action"] if not a.get("fallback") and all_hold(a.get("when", []), ctx)
    ]
    matching.sort(key=lambda a: (-a["priority"], order[a["id"]]))
    chosen: list[Mapping[str, Any]] = []
    _take(chosen, matching, MAX_ACTIONS)
    if len(chosen) < MIN_ACTIONS:
        fallbacks = [
            a for a in spec["action"] if a.get("fallback") and all_hold(a.get("when", []), ctx)
        ]
        _take(chosen, fallbacks, MIN_ACTIONS)
    return [a["id"] for a in chosen]


def _take(chosen: list[Mapping[str, Any]], candidates: list[Mapping[str, Any]], up_to: int) -> None:
    groups = {a.get("group") for a in chosen} - {None}
    for action in candidates:
        if len(chosen) >= up_to:
            return
        group = action.get("group")
        if group is not None and group in groups:
            continue
        chosen.append(action)
        if group is not None:
            groups.add(group)


# -- links ----------------------------------------------------------------------------------------


def empty_answers(spec: Spec) -> set[tuple[str, str]]:
    """(profile id, answer id) pairs marked `empty`: they name no region, sector or country."""
    return {
        (p["id"], a["id"]) for p in spec["profile"] for a in p.get("answers", []) if a.get("empty")
    }


def action_links(
    spec: Spec, action: Mapping[str, Any], profile: Mapping[str, str], step: str
) -> list[tuple[str, str]]:
    """(label, URL) of the action's links whose placeholders all have a value."""
    values = dict(profile, step=step)
    empty = empty_answers(spec)
    shown = []
    for link in action["links"]:
        names = PLACEHOLDER.findall(link["href"])
        if any(values.get(n) is None or (n, values[n]) in empty for n in names):
            continue
        shown.append((link["label"], build_href(link["href"], values)))
    return shown


def build_href(href: str, values: Mapping[str, str]) -> str:
    """The URL of a link: placeholders replaced (in lower case in the path: /pays/de), the
    query encoded (UTF-8, « + » for spaces)."""
    parts = urlsplit(href)
    path = PLACEHOLDER.sub(lambda m: values[m.group(1)].lower(), parts.path)
    query = [
        (k, PLACEHOLDER.sub(lambda m: values[m.group(1)], v))
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return f"{path}?{urlencode(query)}" if query else path


# -- the whole result -----------------------------------------------------------------------------


def evaluate(spec: Spec, answers: Answers) -> Result:
    """Scores, bands, step, actions and links for one company's answers."""
    profile = profile_answers(spec, answers)
    skipped = skipped_questions(spec, answers)
    exact = dimension_scores(spec, answers, skipped)
    dimensions = {d: None if s is None else round_half_up(s) for d, s in exact.items()}
    overall = round_half_up(overall_score(spec, exact))
    dimension_bands = {d: band_of(spec["dimension_band"], s) for d, s in dimensions.items()}
    band = band_of(spec["band"], overall)
    assert band is not None
    scored = {q["id"] for q in spec["question"]} - skipped
    effective = {k: v for k, v in answers.items() if k in scored} | profile
    ctx = Context(
        answers=effective,
        scores={OVERALL: overall, **dimensions},
        bands={OVERALL: band, **dimension_bands},
    )
    step = journey_step(spec, ctx)
    ctx = Context(ctx.answers, ctx.scores, ctx.bands, step)
    actions = next_actions(spec, ctx)
    by_id = {a["id"]: a for a in spec["action"]}
    return Result(
        profile=profile,
        skipped=skipped,
        dimensions=dimensions,
        dimension_bands=dimension_bands,
        overall=overall,
        band=band,
        step=step,
        actions=actions,
        links={a: action_links(spec, by_id[a], profile, step) for a in actions},
    )


# -- checks of the file ---------------------------------------------------------------------------


def check(
    spec: Spec, regions: Iterable[str], sectors: Iterable[str], countries: Iterable[str]
) -> list[str]:
    """Every problem of the file's content, in French (empty when the file is valid)."""
    known = _known(spec, set(regions), set(sectors), set(countries))
    problems = _check_dimensions(spec) + _check_bands(spec)
    problems += _check_profile(spec, known) + _check_questions(spec)
    for i, rule in enumerate(spec["step_rule"]):
        if rule["step"] not in STEPS:
            problems.append(f"step_rule[{i}] : étape inconnue « {rule['step']} »")
        problems += _check_conditions(rule["when"], spec, known, f"step_rule[{i}]", steps=False)
    if spec["step_rule"] and spec["step_rule"][-1]["when"]:
        problems.append("step_rule : la dernière règle doit être sans condition")
    problems += _check_actions(spec, known)
    for example in spec.get("example", []):
        problems += _check_example(spec, example, known)
    return problems


def _known(
    spec: Spec, regions: set[str], sectors: set[str], countries: set[str]
) -> dict[str, set[str]]:
    """The answer ids of every question and profile question."""
    known = {q["id"]: {a["id"] for a in q["answers"]} for q in spec["question"]}
    sources = {"regions": regions, "sectors": sectors, "countries": countries}
    for p in spec["profile"]:
        known[p["id"]] = sources.get(p.get("choices", ""), set()) | {
            a["id"] for a in p.get("answers", [])
        }
    return known


def _check_dimensions(spec: Spec) -> list[str]:
    problems = _unique("dimension", [d["id"] for d in spec["dimension"]])
    bands = {b["id"] for b in spec["dimension_band"]}
    for d in spec["dimension"]:
        if not isinstance(d["weight"], int) or not 1 <= d["weight"] <= 100:
            problems.append(f"dimension « {d['id']} » : le poids est un entier de 1 à 100")
        if set(d.get("advice", {})) != bands:
            problems.append(f"dimension « {d['id']} » : un conseil par bande ({sorted(bands)})")
        if not any(q["dimension"] == d["id"] and "skip_if" not in q for q in spec["question"]):
            problems.append(f"dimension « {d['id']} » : aucune question toujours posée")
    return problems


def _check_bands(spec: Spec) -> list[str]:
    problems = []
    for name in ("band", "dimension_band"):
        bands = spec[name]
        problems += _unique(name, [b["id"] for b in bands])
        bounds = [(b["min"], b["max"]) for b in bands]
        expected_min = 0
        for low, high in bounds:
            if low != expected_min or high < low:
                problems.append(f"{name} : les bandes doivent se suivre de 0 à 100 sans trou")
                break
            expected_min = high + 1
        else:
            if expected_min != 101:
                problems.append(f"{name} : la dernière bande doit finir à 100")
    return problems


def _check_profile(spec: Spec, known: Mapping[str, set[str]]) -> list[str]:
    problems = []
    for p in spec["profile"]:
        if not p.get("choices") and not p.get("answers"):
            problems.append(f"profil « {p['id']} » : ni réponses ni liste (choices)")
        if p.get("choices") not in (None, "regions", "sectors", "countries"):
            problems.append(f"profil « {p['id']} » : liste inconnue « {p['choices']} »")
        if "default" in p and p["default"] not in known[p["id"]]:
            problems.append(f"profil « {p['id']} » : réponse par défaut inconnue")
        if not p.get("required") and "default" not in p:
            problems.append(f"profil « {p['id']} » : facultative sans réponse par défaut")
    return problems


def _check_questions(spec: Spec) -> list[str]:
    ids = [q["id"] for q in spec["profile"]] + [q["id"] for q in spec["question"]]
    problems = _unique("question", ids)
    dimensions = {d["id"] for d in spec["dimension"]}
    seen: dict[str, set[str]] = {}
    for q in spec["question"]:
        where = f"question « {q['id']} »"
        if q["dimension"] not in dimensions:
            problems.append(f"{where} : dimension inconnue « {q['dimension']} »")
        if q.get("kind", "single") != "single":
            problems.append(f"{where} : type inconnu « {q['kind']} »")
        problems += [f"{where} : {m}" for m in _check_answers(q["answers"])]
        rule = q.get("skip_if")
        if rule is not None:
            if rule["question"] not in seen:
                problems.append(f"{where} : skip_if doit viser une question posée avant")
            elif not set(rule["answers"]) <= seen[rule["question"]]:
                problems.append(f"{where} : skip_if vise une réponse inconnue")
        seen[q["id"]] = {a["id"] for a in q["answers"]}
    return problems


def _check_answers(answers: list[Mapping[str, Any]]) -> list[str]:
    problems = _unique("réponse", [a["id"] for a in answers])
    scored = [a for a in answers if not a.get("not_applicable")]
    for a in answers:
        if a.get("not_applicable") and "points" in a:
            problems.append(f"réponse « {a['id']} » : sans objet, elle n'a pas de points")
        if not a.get("not_applicable") and a.get("points") not in range(5):
            problems.append(f"réponse « {a['id']} » : des points de 0 à 4")
    if len(scored) < 2 or max((a.get("points", 0) for a in scored), default=0) != 4:
        problems.append("au moins deux réponses notées, dont une à 4 points")
    return problems


def _check_actions(spec: Spec, known: Mapping[str, set[str]]) -> list[str]:
    actions = spec["action"]
    problems = _unique("action", [a["id"] for a in actions])
    optional = {"pays", "secteur"}
    for a in actions:
        where = f"action « {a['id']} »"
        if not 1 <= a["priority"] <= 100:
            problems.append(f"{where} : priorité de 1 à 100")
        problems += _check_conditions(a.get("when", []), spec, known, where, steps=True)
        problems += [f"{where} : {m}" for m in _check_links(a["links"], known)]
        if all(optional & set(PLACEHOLDER.findall(link["href"])) for link in a["links"]):
            problems.append(
                f"{where} : un lien au moins ne doit dépendre ni de {{pays}} ni de {{secteur}}"
            )
    free = [a for a in actions if a.get("fallback") and not a.get("when") and not a.get("group")]
    if len(free) < MIN_ACTIONS:
        problems.append(
            f"action : au moins {MIN_ACTIONS} actions de repli sans condition ni groupe"
        )
    return problems


def _check_links(links: list[Mapping[str, str]], known: Mapping[str, set[str]]) -> list[str]:
    problems = []
    if not links:
        problems.append("au moins un lien")
    names = {"step", *(p for p in ("region", "taille", "secteur", "pays") if p in known)}
    for link in links:
        parts = urlsplit(link["href"])
        allowed = next((q for p, q in LINK_PATHS.items() if p.fullmatch(parts.path)), None)
        if allowed is None:
            problems.append(f"adresse inconnue « {link['href']} »")
            continue
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            if key not in allowed:
                problems.append(f"« {link['href']} » : paramètre inconnu « {key} »")
            if key == "step" and value not in STEPS and value != "{step}":
                problems.append(f"« {link['href']} » : étape inconnue « {value} »")
        for name in PLACEHOLDER.findall(link["href"]):
            if name not in names:
                problems.append(f"« {link['href']} » : variable inconnue {{{name}}}")
        step = re.fullmatch(r"/etapes/([a-z]+)", parts.path)
        if step and step.group(1) not in STEPS:
            problems.append(f"« {link['href']} » : étape inconnue")
    return problems


def _check_conditions(
    conditions: list[Mapping[str, Any]],
    spec: Spec,
    known: Mapping[str, set[str]],
    where: str,
    steps: bool,
) -> list[str]:
    problems = []
    for c in conditions:
        if "any" in c:
            if any("any" in inner for inner in c["any"]):
                problems.append(f"{where} : « any » ne s'imbrique pas")
            problems += _check_conditions(c["any"], spec, known, where, steps)
        elif "score" in c or "band" in c:
            problems += [f"{where} : {m}" for m in _check_score_condition(c, spec)]
        elif "question" in c:
            if c["question"] not in known:
                problems.append(f"{where} : question inconnue « {c['question']} »")
                continue
            values = set(c.get("answers", c.get("not_answers", [])))
            if not values <= known[c["question"]]:
                problems.append(f"{where} : réponse inconnue pour « {c['question']} »")
        elif "step" in c:
            if not steps:
                problems.append(f"{where} : une règle d'étape ne peut pas tester l'étape")
            elif not set(c["step"]) <= set(STEPS):
                problems.append(f"{where} : étape inconnue")
        else:
            problems.append(f"{where} : condition inconnue {dict(c)}")
    return problems


def _check_score_condition(c: Mapping[str, Any], spec: Spec) -> list[str]:
    target = c.get("score", c.get("band"))
    if target != OVERALL and target not in {d["id"] for d in spec["dimension"]}:
        return [f"dimension inconnue « {target} »"]
    if "band" in c:
        bands = spec["band"] if target == OVERALL else spec["dimension_band"]
        if not set(c["in"]) <= {b["id"] for b in bands}:
            return [f"bande inconnue pour « {target} »"]
        return []
    if "min" not in c and "max" not in c:
        return ["une condition de score a un « min », un « max » ou les deux"]
    return []


def _check_example(
    spec: Spec, example: Mapping[str, Any], known: Mapping[str, set[str]]
) -> list[str]:
    where = f"example « {example['id']} »"
    problems = []
    for key, value in example["answers"].items():
        if key not in known:
            problems.append(f"{where} : question inconnue « {key} »")
        elif value not in known[key]:
            problems.append(f"{where} : réponse inconnue « {value} » à « {key} »")
    actions = {a["id"] for a in spec["action"]}
    if not set(example["expected"]["actions"]) <= actions:
        problems.append(f"{where} : action attendue inconnue")
    return problems


def _unique(what: str, ids: list[str]) -> list[str]:
    problems = [f"{what} : identifiant invalide « {i} »" for i in ids if not ID.fullmatch(i)]
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            problems.append(f"{what} : identifiant « {i} » en double")
        seen.add(i)
    return problems


# -- command line ---------------------------------------------------------------------------------


def load(path: Path = DATA_FILE) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


def repository_ids() -> tuple[list[str], list[str], list[str]]:
    """The region codes, sector ids and target countries the portal knows."""
    import pycountry  # the portal's own dependency; the country directory is built on it

    regions = [r["code"] for r in load(ROOT / "portail" / "data" / "regions.toml")["region"]]
    sectors = [s["id"] for s in load(ROOT / "indexer" / "data" / "sectors.toml")["sector"]]
    countries = [c.alpha_2 for c in pycountry.countries if c.alpha_2 not in HOME]
    return regions, sectors, countries


def expected_of(result: Result) -> dict[str, Any]:
    """A result in the shape of an example's `expected` table."""
    return {
        "band": result.band,
        "step": result.step,
        "actions": result.actions,
        "scores": {OVERALL: result.overall, **result.dimensions},
    }


def main(argv: list[str]) -> int:
    spec = load(Path(argv[0]) if argv else DATA_FILE)
    problems = check(spec, *repository_ids())
    for problem in problems:
        print(problem)
    failed = bool(problems)
    for example in spec.get("example", []):
        result = evaluate(spec, example["answers"])
        got = expected_of(result)
        ok = got == example["expected"]
        failed |= not ok
        print(
            f"{'ok ' if ok else 'DIFFÉRENT'} {example['id']} : {result.overall}/100 "
            f"« {result.band} », étape {result.step}, actions {result.actions}"
        )
        print(f"    dimensions {result.dimensions}")
        if not ok:
            print(f"    attendu {example['expected']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
