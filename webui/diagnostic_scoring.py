"""The export self-assessment's scoring, as docs/autodiagnostic.md defines it: pure functions
of the content (`Spec`) and one company's answers (`{question id: answer id}`), without Flask
or a database. Exact arithmetic (fractions), halves rounded up; the results are those of the
reference implementation (docs/autodiagnostic_reference.py), checked by the tests.

    result = evaluate(spec, answers)      # scores, bands, step, actions and their links
    missing(spec, answers)                # questions still to answer (the pages ask them)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from math import floor
from urllib.parse import parse_qsl, urlencode, urlsplit

from webui.diagnostic_spec import (
    MAX_ACTIONS,
    MIN_ACTIONS,
    OVERALL,
    PLACEHOLDER,
    Action,
    Band,
    Condition,
    Spec,
    StepRule,
)

Answers = Mapping[str, str]


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
    why: str = field(default="", compare=False)  # the reason the step rule gives

    def scores(self) -> dict[str, int | None]:
        """The rounded scores, overall first, as a take is remembered."""
        return {OVERALL: self.overall, **self.dimensions}


@dataclass(frozen=True)
class Context:
    """What conditions read: the effective answers, the rounded scores, their bands, the step."""

    answers: Mapping[str, str]
    scores: Mapping[str, int | None]
    bands: Mapping[str, str | None]
    step: str | None = None


class Incomplete(ValueError):
    """Answers that miss a question that must be answered; `questions` names them."""

    def __init__(self, questions: list[str]):
        super().__init__("questions sans réponse : " + ", ".join(questions))
        self.questions = questions


# -- answers --------------------------------------------------------------------------------------


def round_half_up(value: Fraction) -> int:
    """The nearest integer, halves rounded up (62.5 → 63), on exact fractions."""
    return floor(value + Fraction(1, 2))


def valid_answers(spec: Spec, answers: Mapping[str, object]) -> dict[str, str]:
    """The answers that name a known question and one of its answers (the rest dropped)."""
    kept = {}
    for question_id, answer_id in answers.items():
        question = spec.by_id.get(question_id)
        if question is not None and isinstance(answer_id, str) and question.answer(answer_id):
            kept[question_id] = answer_id
    return kept


def skipped_questions(spec: Spec, answers: Answers) -> frozenset[str]:
    """Questions made moot by an earlier answer; a skipped question's own answer is ignored."""
    skipped: set[str] = set()
    for question in spec.questions:
        rule = question.skip_if
        if rule is None or rule.question in skipped:
            continue
        if answers.get(rule.question) in rule.answers:
            skipped.add(question.id)
    return frozenset(skipped)


def missing(spec: Spec, answers: Answers) -> list[str]:
    """The questions, in the file's order, that must still be answered: required profile
    questions, and scored questions that are not skipped."""
    skipped = skipped_questions(spec, answers)
    needed = [q for q in spec.profile if q.required]
    needed += [q for q in spec.questions if q.id not in skipped]
    return [q.id for q in needed if q.answer(answers.get(q.id, "")) is None]


def profile_answers(spec: Spec, answers: Answers) -> dict[str, str]:
    """The profile's answers, with the default of an optional question left unanswered."""
    found = {}
    for question in spec.profile:
        value = answers.get(question.id, question.default)
        if value is None:
            raise Incomplete([question.id])
        found[question.id] = value
    return found


# -- scores ---------------------------------------------------------------------------------------


def dimension_scores(
    spec: Spec, answers: Answers, skipped: frozenset[str]
) -> dict[str, Fraction | None]:
    """Exact 0–100 score of each dimension: 100 × points / maximum, over counted questions."""
    points = {d.id: 0 for d in spec.dimensions}
    maxima = {d.id: 0 for d in spec.dimensions}
    for question in spec.questions:
        if question.id in skipped:
            continue
        answer = question.answer(answers.get(question.id, ""))
        if answer is None:
            raise Incomplete([question.id])
        if answer.not_applicable:
            continue
        assert question.dimension is not None
        points[question.dimension] += answer.points or 0
        maxima[question.dimension] += question.max_points
    return {d: Fraction(100 * points[d], maxima[d]) if maxima[d] else None for d in points}


def overall_score(spec: Spec, scores: Mapping[str, Fraction | None]) -> Fraction:
    """Exact 0–100 overall score: the mean of the dimensions' exact scores, weighted."""
    counted = [(d.weight, s) for d in spec.dimensions if (s := scores[d.id]) is not None]
    total = sum((w * s for w, s in counted), Fraction(0))
    return total / sum(w for w, _ in counted)


def band_of(bands: Iterable[Band], score: int | None) -> Band | None:
    """The band whose range holds the rounded score."""
    if score is None:
        return None
    return next(b for b in bands if b.min <= score <= b.max)


# -- conditions, step and actions -----------------------------------------------------------------


def holds(condition: Condition, ctx: Context) -> bool:
    """Whether one condition holds (docs/autodiagnostic.md, section 7)."""
    if condition.kind == "any":
        return any(holds(c, ctx) for c in condition.inner)
    if condition.kind == "score":
        score = ctx.scores.get(condition.target)
        return score is not None and condition.low <= score <= condition.high
    if condition.kind == "band":
        return ctx.bands.get(condition.target) in condition.values
    if condition.kind == "question":
        found = ctx.answers.get(condition.target) in condition.values
        return not found if condition.negated else found
    return ctx.step in condition.values


def all_hold(conditions: Iterable[Condition], ctx: Context) -> bool:
    return all(holds(c, ctx) for c in conditions)


def journey_rule(spec: Spec, ctx: Context) -> StepRule:
    """The first step rule whose conditions all hold (the last has none)."""
    return next(r for r in spec.step_rules if all_hold(r.when, ctx))


def next_actions(spec: Spec, ctx: Context) -> list[str]:
    """Matching actions by priority (file order on ties), one per group, 3 to 5 of them."""
    order = {a.id: i for i, a in enumerate(spec.actions)}
    matching = [a for a in spec.actions if not a.fallback and all_hold(a.when, ctx)]
    matching.sort(key=lambda a: (-a.priority, order[a.id]))
    chosen: list[Action] = []
    _take(chosen, matching, MAX_ACTIONS)
    if len(chosen) < MIN_ACTIONS:
        fallbacks = [a for a in spec.actions if a.fallback and all_hold(a.when, ctx)]
        _take(chosen, fallbacks, MIN_ACTIONS)
    return [a.id for a in chosen]


def _take(chosen: list[Action], candidates: list[Action], up_to: int) -> None:
    groups = {a.group for a in chosen if a.group}
    for action in candidates:
        if len(chosen) >= up_to:
            return
        if action.group and action.group in groups:
            continue
        chosen.append(action)
        if action.group:
            groups.add(action.group)


# -- links ----------------------------------------------------------------------------------------


def action_links(
    spec: Spec, action: Action, profile: Mapping[str, str], step: str
) -> list[tuple[str, str]]:
    """(label, URL) of the action's links whose placeholders all have a value that names
    something (not an `empty` answer such as « aucun »)."""
    values = dict(profile, step=step)
    shown = []
    for link in action.links:
        names = PLACEHOLDER.findall(link.href)
        if any(not _names_something(spec, n, values.get(n)) for n in names):
            continue
        shown.append((link.label, build_href(link.href, values)))
    return shown


def _names_something(spec: Spec, name: str, value: str | None) -> bool:
    if value is None:
        return False
    question = spec.by_id.get(name)
    answer = question.answer(value) if question else None
    return not (answer is not None and answer.empty)


def build_href(href: str, values: Mapping[str, str]) -> str:
    """The URL of a link: placeholders replaced (lower case in the path: /pays/de), the query
    encoded (UTF-8, « + » for spaces)."""
    parts = urlsplit(href)
    path = PLACEHOLDER.sub(lambda m: values[m.group(1)].lower(), parts.path)
    query = [
        (k, PLACEHOLDER.sub(lambda m: values[m.group(1)], v))
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return f"{path}?{urlencode(query)}" if query else path


# -- the whole result -----------------------------------------------------------------------------


def evaluate(spec: Spec, answers: Answers) -> Result:
    """Scores, bands, step, actions and links for one company's answers; Incomplete when a
    question that must be answered is not (or has an unknown answer)."""
    profile = profile_answers(spec, answers)
    skipped = skipped_questions(spec, answers)
    exact = dimension_scores(spec, answers, skipped)
    dimensions = {d: None if s is None else round_half_up(s) for d, s in exact.items()}
    overall = round_half_up(overall_score(spec, exact))
    dimension_bands = {d: _id(band_of(spec.dimension_bands, s)) for d, s in dimensions.items()}
    band = band_of(spec.bands, overall)
    assert band is not None
    scored = {q.id for q in spec.questions} - skipped
    effective = {k: v for k, v in answers.items() if k in scored} | profile
    ctx = Context(
        effective, {OVERALL: overall, **dimensions}, {OVERALL: band.id, **dimension_bands}
    )
    rule = journey_rule(spec, ctx)
    step = rule.step
    actions = next_actions(spec, Context(ctx.answers, ctx.scores, ctx.bands, step))
    return Result(
        profile=profile,
        skipped=skipped,
        dimensions=dimensions,
        dimension_bands=dimension_bands,
        overall=overall,
        band=band.id,
        step=step,
        actions=actions,
        links={a: action_links(spec, spec.action(a), profile, step) for a in actions},
        why=rule.why,
    )


def _id(band: Band | None) -> str | None:
    return band.id if band else None


def changes(
    current: Mapping[str, int | None], previous: Mapping[str, int | None] | None
) -> dict[str, int | None]:
    """Points gained (or lost) per dimension and overall since the previous take; None where
    either take has no score."""
    if previous is None:
        return {key: None for key in current}
    out: dict[str, int | None] = {}
    for key, score in current.items():
        before = previous.get(key)
        out[key] = score - before if score is not None and isinstance(before, int) else None
    return out
