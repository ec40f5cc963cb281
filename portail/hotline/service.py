"""What happens to a hotline request: it is submitted and routed, taken in charge, answered,
closed or sent back, reminded and escalated, and its personal data erased. Each change is
one transaction of the data layer with its event and its mails; nothing here sends mail (the
scheduler does, from the outbox). Every function takes the moment it acts at: the tests'
clock is an argument.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from portail.db import HotlineRequestRecord, Store
from portail.hotline import messages
from portail.hotline.routing import NATIONAL, Decision, Question, Routing
from portail.hotline.workdays import add_working_days

STATUS_LABELS = {
    "nouvelle": "Nouvelle",
    "prise_en_charge": "Prise en charge",
    "repondue": "Répondue",
    "close_sans_suite": "Close sans suite",
    "pas_pour_moi": "Pas pour moi (à réorienter)",
}
REMIND_AFTER = 3  # working days without an answer: the desk is reminded
ESCALATE_AFTER = 7  # working days: the national desk is told
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's: no I, L, O, U
REFERENCE_CHARS = 5
Labels = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class Submission:
    """A request as the form validated it."""

    subject: str
    step: str
    country: str
    message: str
    siren: str
    size: str
    sector: str
    region: str
    postcode: str
    name: str
    email: str
    phone: str


@dataclass(frozen=True)
class Submitted:
    reference: str
    token: str  # the private link's secret: only its hash is stored
    decision: Decision


def stamp(moment: datetime) -> str:
    """A moment as the tables keep it (ISO 8601, UTC, seconds)."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_reference(moment: datetime) -> str:
    """« HL-2026-7K3QM »: the year and five characters easy to read out on the phone."""
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_CHARS))
    return f"HL-{moment.year}-{code}"


def submit(
    store: Store,
    routing: Routing,
    submission: Submission,
    labels: Labels,
    follow_url: Callable[[str], str],
    at: datetime,
) -> Submitted:
    """Route and store a request with its receipt and the desk's mail, in one transaction."""
    question = Question(submission.subject, submission.step, submission.country, submission.region)
    decision = routing.route(question)
    token = secrets.token_urlsafe(24)
    values = {
        **asdict(submission),
        "token_hash": token_hash(token),
        "status": "nouvelle",
        "desk": decision.desk,
        "rule": decision.rule,
        "because": decision.because,
        "consent": stamp(at),
    }

    def mails(reference: str) -> list[dict[str, Any]]:
        request = asdict(submission)
        return [
            messages.receipt(
                reference, request, decision.name, decision.because, follow_url(token)
            ),
            messages.to_desk(reference, request, labels, decision.desk, decision.because),
        ]

    reference = store.create_hotline_request(values, lambda: new_reference(at), mails, stamp(at))
    return Submitted(reference, token, decision)


def assign(
    store: Store,
    routing: Routing,
    request: HotlineRequestRecord,
    owner: str,
    desk: str,
    by: str,
    labels: Labels,
    at: datetime,
) -> bool:
    """Give a request to an adviser (it is then « prise en charge ») and, when `desk`
    changes, to another desk, which gets the request by mail."""
    values: dict[str, Any] = {"owner": owner}
    mails = []
    detail = f"confiée à {owner}" if owner else "sans conseiller désigné"
    if desk and desk != request["desk"]:
        values |= {"desk": desk, "reminded": None}  # the new desk's reminder clock starts
        detail += f", transmise à {routing.desk_name(desk)}"
        why = f"elle vous est confiée par {by or 'la console'}"
        mails.append(messages.to_desk(request["reference"], request, labels, desk, why))
    if owner and request["status"] in ("nouvelle", "pas_pour_moi"):
        values["status"] = "prise_en_charge"
    return store.change_hotline_request(
        request["id"], stamp(at), "assigned", by, detail, values, mails
    )


def answer(store: Store, request: HotlineRequestRecord, text: str, by: str, at: datetime) -> bool:
    """Send the answer to the requester; the request is « répondue »."""
    values = {"status": "repondue", "answered": request["answered"] or stamp(at)}
    mail = messages.answer(request["reference"], request["email"], text)
    return store.change_hotline_request(
        request["id"], stamp(at), "answered", by, text, values, [mail]
    )


def close(
    store: Store, request: HotlineRequestRecord, reason: str, note: str, by: str, at: datetime
) -> bool:
    """Close a request without follow-up, for a reason that is counted."""
    values = {"status": "close_sans_suite", "close_reason": reason, "closed": stamp(at)}
    done = store.change_hotline_request(request["id"], stamp(at), "closed", by, reason, values)
    if done and note:
        store.change_hotline_request(request["id"], stamp(at), "note", by, note)
    return done


def not_for_me(
    store: Store,
    request: HotlineRequestRecord,
    reason: str,
    by: str,
    labels: Labels,
    at: datetime,
) -> bool:
    """The desk says the request is not theirs: it goes back to the national desk, and the
    reason is counted (what the routing rules should learn)."""
    values = {
        "status": "pas_pour_moi",
        "close_reason": reason,
        "desk": NATIONAL,
        "owner": "",
        "reminded": None,
    }
    why = f"{request['desk']} l'a renvoyée (« pas pour moi ») : à réorienter"
    mail = messages.to_desk(request["reference"], request, labels, NATIONAL, why)
    return store.change_hotline_request(
        request["id"], stamp(at), "not_for_me", by, reason, values, [mail]
    )


def erase(store: Store, request: HotlineRequestRecord, by: str, why: str, at: datetime) -> bool:
    """Erase the personal data of a request, keeping its anonymous counts."""
    return store.erase_hotline_request(request["id"], stamp(at), by, why)


def follow_up(store: Store, routing: Routing, at: datetime) -> dict[str, int]:
    """Remind a desk of a request it has had for 3 working days without an answer (counted
    from when it got it: a request passed on starts again), and tell the national desk after
    7 working days from its creation; each once. Returns how many of each."""
    done = {"reminded": 0, "escalated": 0}
    for request in store.open_hotline_requests():
        created = datetime.fromisoformat(request["created"])
        if request["escalated"] is None and at >= add_working_days(created, ESCALATE_AFTER):
            done["escalated"] += _escalate(store, routing, request, at)
        elif request["reminded"] is None and at >= add_working_days(
            handed_over(store, request), REMIND_AFTER
        ):
            done["reminded"] += _remind(store, request, at)
    return done


def handed_over(store: Store, request: HotlineRequestRecord) -> datetime:
    """When the request's desk got it: the last mail that handed it to that desk."""
    sent = [
        m["created"]
        for m in store.outbox(request_id=request["id"])
        if m["kind"] == "desk" and m["to_desk"] == request["desk"]
    ]
    return datetime.fromisoformat(sent[-1] if sent else request["created"])


def _escalate(store: Store, routing: Routing, request: HotlineRequestRecord, at: datetime) -> int:
    """Tell the national desk, once (1 when done, 0 when another pass did it first)."""
    desk_name = routing.desk_name(request["desk"])
    reminded = request["reminded"] is not None
    mail = messages.escalation(request["reference"], desk_name, ESCALATE_AFTER, NATIONAL, reminded)
    values = {"escalated": stamp(at), "reminded": request["reminded"] or stamp(at)}
    changed = store.change_hotline_request(
        request["id"],
        stamp(at),
        "escalated",
        "",
        NATIONAL,
        values,
        [mail],
        only_if={"escalated": None},
    )
    return int(changed)


def _remind(store: Store, request: HotlineRequestRecord, at: datetime) -> int:
    """Remind the request's desk, once (1 when done, 0 when another pass did it first)."""
    mail = messages.reminder(request["reference"], request["desk"], REMIND_AFTER)
    changed = store.change_hotline_request(
        request["id"],
        stamp(at),
        "reminded",
        "",
        request["desk"],
        {"reminded": stamp(at)},
        [mail],
        only_if={"reminded": None},
    )
    return int(changed)


def purge(store: Store, retention_days: int, at: datetime) -> int:
    """Erase the personal data of requests whose last event is older than the retention."""
    before = stamp(at - timedelta(days=retention_days))
    count = 0
    for row in store.hotline_to_purge(before):
        why = f"durée de conservation écoulée ({retention_days} jours)"
        if store.erase_hotline_request(row["id"], stamp(at), "purge automatique", why):
            count += 1
    return count
