"""The hotline in the console: requests by status, region and owner; one request's details,
history and mails, with its actions (assign, answer, close with a reason, « pas pour moi »,
erase its personal data); the reasons counted, so that the routing rules improve; the mails
the sender could not settle by itself (uncertain or refused)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for

from portail.db import HotlineRequestRecord
from portail.geo import regions
from portail.hotline import service
from portail.hotline.routing import routing
from webui.admin import bp, maintainer, render, store
from webui.hotline import labels, moment

MAX_OWNER = 80
MAX_ANSWER = 8000
OUTBOX_LABELS = {
    "pending": "En attente",
    "sending": "En cours d'envoi",
    "transmitting": "En cours de transmission",
    "sent": "Envoyé",
    "uncertain": "Incertain : vérifier la réception",
    "failed": "Refusé par le serveur",
    "cancelled": "Annulé (données effacées)",
}
KIND_LABELS = {
    "receipt": "Accusé de réception",
    "desk": "Transmission au guichet",
    "reminder": "Relance",
    "escalation": "Escalade",
    "answer": "Réponse",
}
EVENT_LABELS = {
    "created": "Reçue et routée",
    "assigned": "Attribuée",
    "answered": "Répondue",
    "closed": "Close sans suite",
    "not_for_me": "Pas pour moi",
    "note": "Note",
    "reminded": "Relance du guichet",
    "escalated": "Escalade au guichet national",
    "erased": "Données personnelles effacées",
}


def _filters() -> dict[str, str]:
    wanted = {
        name: (request.args.get(name) or "").strip()
        for name in ("etat", "region", "conseiller", "guichet")
    }
    return {k: v[:100] for k, v in wanted.items() if v}


@bp.get("/hotline")
def hotline():  # type: ignore[no-untyped-def]
    filters = _filters()
    with store() as opened:
        rows = opened.hotline_requests(
            status=filters.get("etat"),
            region=filters.get("region"),
            owner=filters.get("conseiller"),
            desk=filters.get("guichet"),
        )
        counts = {
            "status": opened.hotline_counts("status"),
            "region": opened.hotline_counts("region"),
            "owner": opened.hotline_counts("owner"),
        }
        mail = opened.outbox_counts()
        trouble = opened.outbox(["uncertain", "failed"])
    return render(
        "hotline.html",
        rows=rows,
        filters=filters,
        counts=counts,
        mail=mail,
        trouble=trouble,
        status_labels=service.STATUS_LABELS,
        outbox_labels=OUTBOX_LABELS,
        kind_labels=KIND_LABELS,
        rules=routing(),
        regions=regions(),
    )


def _request(reference: str) -> HotlineRequestRecord:
    with store() as opened:
        found = opened.hotline_request(reference)
    if found is None:
        abort(404)
    return found


@bp.get("/hotline/<reference>")
def hotline_request(reference: str):  # type: ignore[no-untyped-def]
    found = _request(reference)
    with store() as opened:
        history = opened.hotline_history(found["id"])
        mails = opened.outbox(request_id=found["id"])
    rules = routing()
    desks = rules.desk_keys()
    if found["desk"] not in dict(desks):
        desks.insert(0, (found["desk"], rules.desk_name(found["desk"])))
    return render(
        "hotline_request.html",
        req=found,
        history=history,
        mails=mails,
        rules=rules,
        desks=desks,
        labels=labels(),
        status_labels=service.STATUS_LABELS,
        event_labels=EVENT_LABELS,
        outbox_labels=OUTBOX_LABELS,
        kind_labels=KIND_LABELS,
        closed=found["status"] in ("repondue", "close_sans_suite"),
    )


def _back(reference: str, message: str, category: str = "success"):  # type: ignore[no-untyped-def]
    flash(message, category)
    return redirect(url_for("admin.hotline_request", reference=reference), 303)


@bp.post("/hotline/<reference>/attribuer")
def hotline_assign(reference: str):  # type: ignore[no-untyped-def]
    found = _request(reference)
    owner = " ".join(request.form.get("conseiller", "").split())[:MAX_OWNER]
    desk = request.form.get("guichet", "").strip()
    if desk and desk != found["desk"] and desk not in dict(routing().desk_keys()):
        return _back(reference, "Guichet inconnu : choisissez-le dans la liste.", "error")
    with store() as opened:
        service.assign(opened, routing(), found, owner, desk, maintainer(), labels(), moment())
    return _back(reference, "Demande attribuée.")


@bp.post("/hotline/<reference>/repondre")
def hotline_answer(reference: str):  # type: ignore[no-untyped-def]
    found = _request(reference)
    text = request.form.get("reponse", "").strip().replace("\r\n", "\n")
    if found["erased"]:
        return _back(
            reference,
            "Les coordonnées du demandeur sont effacées : impossible de lui répondre.",
            "error",
        )
    if not text or len(text) > MAX_ANSWER:
        return _back(reference, f"Écrivez la réponse ({MAX_ANSWER} caractères au plus).", "error")
    with store() as opened:
        service.answer(opened, found, text, maintainer(), moment())
    return _back(reference, "Réponse enregistrée : elle part au demandeur par courriel.")


@bp.post("/hotline/<reference>/clore")
def hotline_close(reference: str):  # type: ignore[no-untyped-def]
    found = _request(reference)
    reason = request.form.get("motif", "")
    if reason not in routing().reasons:
        return _back(reference, "Choisissez le motif de la clôture.", "error")
    note = " ".join(request.form.get("note", "").split())[:500]
    with store() as opened:
        service.close(opened, found, reason, note, maintainer(), moment())
    return _back(reference, "Demande close ; son motif est compté.")


@bp.post("/hotline/<reference>/pas-pour-moi")
def hotline_not_for_me(reference: str):  # type: ignore[no-untyped-def]
    found = _request(reference)
    reason = request.form.get("motif", "")
    if reason not in routing().reasons:
        return _back(reference, "Choisissez pourquoi la demande ne relève pas de vous.", "error")
    with store() as opened:
        service.not_for_me(opened, found, reason, maintainer(), labels(), moment())
    return _back(reference, "Demande renvoyée à l'équipe nationale d'orientation.")


@bp.post("/hotline/<reference>/effacer")
def hotline_erase(reference: str):  # type: ignore[no-untyped-def]
    found = _request(reference)
    if request.form.get("confirmer") != "oui":
        return _back(reference, "Cochez la case pour confirmer l'effacement.", "error")
    with store() as opened:
        done = service.erase(opened, found, maintainer(), "à la demande de la personne", moment())
    return _back(reference, "Données personnelles effacées." if done else "Déjà effacées.")


@bp.get("/hotline/motifs")
def hotline_reasons():  # type: ignore[no-untyped-def]
    with store() as opened:
        rows = opened.hotline_reason_counts()
    return render("hotline_reasons.html", rows=rows, rules=routing())


@bp.post("/hotline/courriels/<int:outbox_id>")
def hotline_settle(outbox_id: int):  # type: ignore[no-untyped-def]
    resend = request.form.get("decision") == "renvoyer"
    with store() as opened:
        done = opened.settle_outbox(outbox_id, resend, service.stamp(moment()))
    if done:
        flash(
            "Le courriel repart au prochain passage." if resend else "Courriel noté reçu.",
            "success",
        )
    else:
        flash("Ce courriel n'attend plus de décision.", "info")
    return redirect(url_for("admin.hotline"), 303)
