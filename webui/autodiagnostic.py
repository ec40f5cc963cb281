"""/autodiagnostic: the export self-assessment (docs/autodiagnostic.md). One page for the
profile, then one per dimension, each a plain form (POST, then a redirect to a GET) with a
DSFR stepper; going back keeps the answers. A question made moot by another of the same page
is revealed or hidden by the page's script, and without script by the page coming back with
it. The result (/autodiagnostic/resultat/<token>, and its JSON twin) gives the scores, the
bands, the step of the journey and 3 to 5 next actions, and what changed since the previous
take under the same token.

Takes are anonymous: the answers live in the database under a random token, with no personal
data; unfinished ones are deleted after the retention (`portail autodiagnostic purge`, run
daily by the scheduler).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NoReturn

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from portail.db.selfassessment import TOKEN_PATTERN, SelfAssessment, retention_days
from webui import content, errors
from webui import store as app_store
from webui.diagnostic_scoring import (
    Incomplete,
    Result,
    changes,
    evaluate,
    missing,
    skipped_questions,
    valid_answers,
)
from webui.diagnostic_spec import OVERALL, Band, Question, Spec, spec
from webui.sessions import csrf_valid

bp = Blueprint("autodiagnostic", __name__)
PROFILE = "profil"
NOT_FOUND = (
    "Cet autodiagnostic est introuvable : vérifiez l'adresse (elle contient une clé de 32 "
    "caractères). Les questionnaires laissés inachevés sont effacés au bout de {days} jours."
)
EXPIRED_FORM = (
    "Le formulaire a expiré ou ne vient pas de cette page : revenez en arrière, rechargez la "
    "page et envoyez vos réponses à nouveau."
)


@dataclass(frozen=True)
class Page:
    """One page of the questionnaire: the profile, or one dimension's questions."""

    id: str
    number: int
    title: str
    intro: str
    questions: tuple[Question, ...]


def pages(s: Spec) -> list[Page]:
    profile = Page(
        PROFILE,
        1,
        "Votre entreprise",
        "Ces questions ne sont pas notées : elles orientent vos résultats vers les "
        "conseillers, les aides et les informations qui vous concernent.",
        s.profile,
    )
    return [profile] + [
        Page(d.id, i, d.label, d.description, s.questions_of(d.id))
        for i, d in enumerate(s.dimensions, start=2)
    ]


def page_of(s: Spec, page_id: str) -> Page:
    found = next((p for p in pages(s) if p.id == page_id), None)
    if found is None:
        abort(404)
    return found


def page_holding(s: Spec, question_id: str) -> Page:
    return next(p for p in pages(s) if any(q.id == question_id for q in p.questions))


# -- takes ----------------------------------------------------------------------------------------


def find_take(token: str) -> SelfAssessment:
    """The take of a token; a 404 in French for a malformed or unknown one."""
    take = app_store().selfassessment(token) if re.fullmatch(TOKEN_PATTERN, token) else None
    if take is None:
        fail(404, NOT_FOUND.format(days=retention_days()))
    return take


def fail(status: int, detail: str) -> NoReturn:
    """Stop with the error page (or JSON error) and its French detail."""
    body, _ = errors.error_response(status, detail)
    abort(make_response(body, status))


def draft_of(take: SelfAssessment) -> dict[str, str]:
    """The answers being given: the draft, else the last take's (a retake starts from them)."""
    s = spec()
    return valid_answers(s, take.draft if take.draft is not None else take.answers or {})


def check_form() -> None:
    if not csrf_valid():
        fail(400, EXPIRED_FORM)


# -- the questionnaire ----------------------------------------------------------------------------


@bp.get("/autodiagnostic")
def index():  # type: ignore[no-untyped-def]
    s = spec()
    return render_template(
        "autodiagnostic/index.html",
        spec=s,
        pages=pages(s),
        questions=len(s.questions),
        days=retention_days(),
    )


@bp.post("/autodiagnostic")
def start():  # type: ignore[no-untyped-def]
    """A new take, with the region of « Ma région » already given."""
    check_form()
    region = content.user_region()
    token = app_store().start_selfassessment({"region": region} if region else {})
    return redirect(url_for("autodiagnostic.questions", token=token, page_id=PROFILE), 303)


@bp.get("/autodiagnostic/questionnaire/<token>/<page_id>")
def questions(token: str, page_id: str):  # type: ignore[no-untyped-def]
    s = spec()
    take = find_take(token)
    page = page_of(s, page_id)
    answers = draft_of(take)
    flagged = request.args.get("erreur") == "1"
    needed = set(missing(s, answers))
    shown = visible(s, page, answers)
    response = Response(
        render_template(
            "autodiagnostic/page.html",
            spec=s,
            token=token,
            page=page,
            pages=pages(s),
            answers=answers,
            shown=shown,
            errors=[q for q in page.questions if flagged and q.id in needed and shown[q.id]],
            revealed=request.args.get("suite") == "1",
            retake=take.answers is not None,
            days=retention_days(),
        )
    )
    return private(response)


def visible(s: Spec, page: Page, answers: dict[str, str]) -> dict[str, bool]:
    """Whether each question of the page is shown: a question made moot by an answer given,
    or by a question of the same page not yet answered, starts hidden."""
    skipped = skipped_questions(s, answers)
    shown = {}
    for question in page.questions:
        rule = question.skip_if
        same_page = rule is not None and any(q.id == rule.question for q in page.questions)
        pending = same_page and rule is not None and rule.question not in answers
        shown[question.id] = question.id not in skipped and not pending
    return shown


@bp.post("/autodiagnostic/questionnaire/<token>/<page_id>")
def save(token: str, page_id: str):  # type: ignore[no-untyped-def]
    """Keep the page's answers, then go back, stay (something is missing) or go on."""
    check_form()
    s = spec()
    take = find_take(token)
    page = page_of(s, page_id)
    before = draft_of(take)
    answers = merged(s, page, before, request.form)
    app_store().save_selfassessment_draft(token, answers)
    all_pages = pages(s)
    if request.form.get("action") == "precedent" and page.number > 1:
        return go(token, all_pages[page.number - 2].id)
    needed = [q for q in page.questions if q.id in set(missing(s, answers))]
    if needed:
        hidden = visible(s, page, before)
        new = all(not hidden[q.id] for q in needed)
        return go(token, page.id, suite="1") if new else go(token, page.id, erreur="1")
    if page.number < len(all_pages):
        return go(token, all_pages[page.number].id)
    return finish(s, take, answers)


def merged(s: Spec, page: Page, before: dict[str, str], form: Any) -> dict[str, str]:
    """The draft with this page's answers: a valid choice replaces, an empty one clears."""
    answers = dict(before)
    for question in page.questions:
        if question.id not in form:
            continue
        value = form.get(question.id, "")
        if question.answer(value):
            answers[question.id] = value
        elif not value:
            answers.pop(question.id, None)
    return valid_answers(s, answers)


def go(token: str, page_id: str, **args: Any) -> Any:
    target = url_for("autodiagnostic.questions", token=token, page_id=page_id, **args)
    anchor = "#questions" if args else ""
    return redirect(target + anchor, 303)


def finish(s: Spec, take: SelfAssessment, answers: dict[str, str]) -> Any:
    """The draft becomes the result; the take it replaces is remembered to compare."""
    try:
        evaluate(s, answers)
    except Incomplete as exc:
        return go(take.token, page_holding(s, exc.questions[0]).id, erreur="1")
    previous = None
    if take.answers is not None and take.finished:
        try:
            previous = {"finished": take.finished, "scores": evaluate(s, take.answers).scores()}
        except Incomplete:  # answered before the questions changed: nothing to compare
            previous = None
    app_store().finish_selfassessment(take.token, answers, previous)
    return redirect(url_for("autodiagnostic.result", token=take.token), 303)


def private(response: Response) -> Response:
    """A take's pages are nobody else's business: not cached, not indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# -- the result -----------------------------------------------------------------------------------


@bp.get("/autodiagnostic/resultat/<token>")
@bp.get("/autodiagnostic/resultat/<token>.json", defaults={"as_json": True}, endpoint="result_json")
def result(token: str, as_json: bool = False):  # type: ignore[no-untyped-def]
    s = spec()
    take = find_take(token)
    json_wanted = as_json or errors.wants_json()
    outcome = None
    if take.answers is not None:
        try:
            outcome = evaluate(s, valid_answers(s, take.answers))
        except Incomplete:
            outcome = None
    if outcome is None:
        if json_wanted:
            return private(jsonify(error="Cet autodiagnostic n'est pas encore terminé.")), 404
        first = missing(s, draft_of(take))
        page_id = page_holding(s, first[0]).id if first else PROFILE
        return redirect(url_for("autodiagnostic.questions", token=token, page_id=page_id))
    view = result_view(s, take, outcome)
    if json_wanted:
        response = jsonify(result_document(view))
        response.vary.add("Accept")
        return private(response)
    response = Response(render_template("autodiagnostic/result.html", **view))
    response.vary.add("Accept")
    return private(response)


@dataclass(frozen=True)
class DimensionRow:
    id: str
    label: str
    weight: int
    score: int | None
    band: Band | None
    advice: str
    change: int | None


def result_view(s: Spec, take: SelfAssessment, outcome: Result) -> dict[str, Any]:
    """Everything the result page and its JSON twin show."""
    previous = take.previous
    delta = changes(outcome.scores(), previous["scores"] if previous else None)
    bands = {b.id: b for b in s.dimension_bands}
    rows = []
    for d in s.dimensions:
        band_id = outcome.dimension_bands[d.id]
        band = bands.get(band_id) if band_id else None
        rows.append(
            DimensionRow(
                d.id,
                d.label,
                d.weight,
                outcome.dimensions[d.id],
                band,
                d.advice[band.id] if band else "",
                delta[d.id],
            )
        )
    profile = outcome.profile
    return {
        "spec": s,
        "token": take.token,
        "finished": take.finished,
        "previous": previous,
        "result": outcome,
        "band": next(b for b in s.bands if b.id == outcome.band),
        "overall_change": delta[OVERALL],
        "rows": rows,
        "step": content.step_map()[outcome.step],
        "actions": [(s.action(a), outcome.links[a]) for a in outcome.actions],
        "profile_labels": {
            q.id: answer.label
            for q in s.profile
            if (answer := q.answer(profile[q.id])) is not None and not answer.empty
        },
        "region": profile.get("region"),
        "country": None if _empty(s, "pays", profile.get("pays")) else profile.get("pays"),
        "sector": None if _empty(s, "secteur", profile.get("secteur")) else profile["secteur"],
        "share_url": url_for("autodiagnostic.result", token=take.token, _external=True),
    }


def _empty(s: Spec, question_id: str, value: str | None) -> bool:
    question = s.by_id.get(question_id)
    answer = question.answer(value or "") if question else None
    return answer is None or answer.empty


def result_document(view: dict[str, Any]) -> dict[str, Any]:
    """The JSON twin of the result page."""
    outcome: Result = view["result"]
    s: Spec = view["spec"]
    root = request.host_url.rstrip("/")
    return {
        "token": view["token"],
        "url": view["share_url"],
        "finished": view["finished"],
        "profile": {
            q.id: {"id": outcome.profile[q.id], "label": view["profile_labels"].get(q.id)}
            for q in s.profile
        },
        "overall": {
            "score": outcome.overall,
            "band": _band_json(view["band"]),
            "change": view["overall_change"],
        },
        "dimensions": [
            {
                "id": row.id,
                "label": row.label,
                "weight": row.weight,
                "score": row.score,
                "band": _band_json(row.band) if row.band else None,
                "advice": row.advice or None,
                "change": row.change,
            }
            for row in view["rows"]
        ],
        "step": {
            "id": outcome.step,
            "label": view["step"].label,
            "why": outcome.why,
            "url": url_for("journey.step", step_id=outcome.step, _external=True),
        },
        "actions": [
            {
                "id": action.id,
                "title": action.title,
                "text": action.text,
                "links": [{"label": label, "url": root + href} for label, href in links],
            }
            for action, links in view["actions"]
        ],
        "previous": view["previous"],
        "bands": [_band_json(b) for b in s.bands],
    }


def _band_json(band: Band) -> dict[str, Any]:
    return {"id": band.id, "label": band.label, "min": band.min, "max": band.max}


# -- OpenAPI --------------------------------------------------------------------------------------


def add_openapi(document: dict[str, Any]) -> None:
    """Describe the result's JSON twin in /api/openapi.json."""
    document["paths"].update(OPENAPI_PATHS)  # after the rest: uses the shared Error schema
    document["components"]["schemas"].update(OPENAPI_SCHEMAS)


def _closed(properties: dict[str, Any], nullable: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }
    if nullable:
        schema["nullable"] = True
    return schema


_STRING = {"type": "string"}
_SCORE = {"type": "integer", "minimum": 0, "maximum": 100}
_CHANGE = {
    "type": "integer",
    "nullable": True,
    "description": "Points gagnés (ou perdus) depuis le passage précédent ; null sans passage "
    "précédent ou sans score.",
}
_REF = "#/components/schemas/"
_BAND = {"id": _STRING, "label": _STRING, "min": _SCORE, "max": _SCORE}
OPENAPI_SCHEMAS: dict[str, Any] = {
    "SelfAssessmentBand": _closed(_BAND),
    "SelfAssessmentResult": _closed(
        {
            "token": {"type": "string", "pattern": "^" + TOKEN_PATTERN + "$"},
            "url": {"type": "string", "format": "uri"},
            "finished": {"type": "string", "format": "date-time"},
            "profile": {
                "type": "object",
                "description": "Réponses du profil (région, taille, secteur, pays visé).",
                "additionalProperties": _closed(
                    {"id": _STRING, "label": {"type": "string", "nullable": True}}
                ),
            },
            "overall": _closed(
                {"score": _SCORE, "band": {"$ref": _REF + "SelfAssessmentBand"}, "change": _CHANGE}
            ),
            "dimensions": {
                "type": "array",
                "items": _closed(
                    {
                        "id": _STRING,
                        "label": _STRING,
                        "weight": {"type": "integer", "minimum": 1},
                        "score": {**_SCORE, "nullable": True},
                        "band": _closed(_BAND, nullable=True),
                        "advice": {"type": "string", "nullable": True},
                        "change": _CHANGE,
                    }
                ),
            },
            "step": _closed(
                {
                    "id": _STRING,
                    "label": _STRING,
                    "why": _STRING,
                    "url": {"type": "string", "format": "uri"},
                }
            ),
            "actions": {
                "type": "array",
                "minItems": 3,
                "maxItems": 5,
                "items": _closed(
                    {
                        "id": _STRING,
                        "title": _STRING,
                        "text": _STRING,
                        "links": {
                            "type": "array",
                            "minItems": 1,
                            "items": _closed(
                                {"label": _STRING, "url": {"type": "string", "format": "uri"}}
                            ),
                        },
                    }
                ),
            },
            "previous": _closed(
                {
                    "finished": {"type": "string", "format": "date-time"},
                    "scores": {
                        "type": "object",
                        "additionalProperties": {**_SCORE, "nullable": True},
                    },
                },
                nullable=True,
            ),
            "bands": {"type": "array", "items": {"$ref": _REF + "SelfAssessmentBand"}},
        }
    ),
}
OPENAPI_PATHS: dict[str, Any] = {
    "/autodiagnostic/resultat/{token}.json": {
        "get": {
            "operationId": "selfAssessmentResult",
            "summary": "Résultat d'un autodiagnostic export",
            "description": "Les scores par dimension et global avec leurs bandes, l'étape du "
            "parcours, les actions proposées et l'évolution depuis le passage précédent. La page "
            "/autodiagnostic/resultat/{token} répond aussi en JSON à « Accept: "
            "application/json ».",
            "parameters": [
                {
                    "name": "token",
                    "in": "path",
                    "required": True,
                    "description": "La clé de l'autodiagnostic (32 caractères).",
                    "schema": {"type": "string"},
                }
            ],
            "responses": {
                "200": {
                    "description": "Le résultat",
                    "content": {
                        "application/json": {"schema": {"$ref": _REF + "SelfAssessmentResult"}}
                    },
                },
                "404": {
                    "description": "Clé inconnue, ou autodiagnostic pas encore terminé",
                    "content": {"application/json": {"schema": {"$ref": _REF + "Error"}}},
                },
            },
        }
    }
}
