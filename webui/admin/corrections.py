"""Corrections: find a page, see how it is classified, pin its step or kind, or hide it.

Corrections are saved in the database (see `indexer.corrections`), which every indexing reads;
the corrected page is queued for the scheduler's next indexing (a web request never reindexes).
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for

from indexer.corrections import (
    Correction,
    CorrectionsError,
    load_corrections,
    remove_correction,
    save_correction,
)
from indexer.journey import KIND_IDS, STEP_IDS
from portail.db import now
from webui.admin import bp, maintainer, render, store
from webui.admin.pages import (
    classifier_verdict,
    explanation,
    find_pages,
    indexed_verdict,
    pages_to_review,
    queue_reindex,
)


def _corrections() -> tuple[dict[str, Correction], list[str]]:
    try:
        with store() as opened:
            return load_corrections(opened), []
    except CorrectionsError as exc:
        return {}, exc.errors


@bp.get("/corrections")
def corrections():  # type: ignore[no-untyped-def]
    query = request.args.get("q", "").strip()[:500]
    found, errors = _corrections()
    with store() as opened:
        results = find_pages(opened, query) if query else []
    journal = sorted(found.values(), key=lambda c: c.at, reverse=True)
    return render(
        "corrections.html",
        query=query,
        results=results,
        journal=journal,
        corrected=found,
        file_errors=errors,
    )


@bp.get("/corrections/page")
def classification():  # type: ignore[no-untyped-def]
    url = request.args.get("url", "")
    found, errors = _corrections()
    with store() as opened:
        row = opened.page(url)
        if row is None:
            abort(404)
        indexed = indexed_verdict(opened, url)
        why = explanation(opened, row)
        automatic = classifier_verdict(opened, row, why)
    return render(
        "page.html",
        page=row,
        indexed=indexed,
        automatic=automatic,
        why=why,
        correction=found.get(url),
        file_errors=errors,
        step_ids=STEP_IDS,
        kind_ids=KIND_IDS,
    )


@bp.post("/corrections/page")
def correct():  # type: ignore[no-untyped-def]
    url = request.form.get("url", "")
    with store() as opened:
        if opened.page(url) is None:
            abort(404)
    correction = Correction(
        url=url,
        step=request.form.get("etape") or None,
        kind=request.form.get("type") or None,
        hidden=request.form.get("masquer") == "1",
        by=maintainer(),
        at=now(),
        note=" ".join(request.form.get("note", "").split()),
    )
    try:
        with store() as opened:
            save_correction(opened, correction)
    except CorrectionsError as exc:
        flash("Correction refusée : " + " ; ".join(exc.errors) + ".", "error")
        return redirect(url_for("admin.classification", url=url), 303)
    _reindexed("Correction enregistrée", url)
    return redirect(url_for("admin.classification", url=url), 303)


@bp.get("/a-verifier")
def to_review():  # type: ignore[no-untyped-def]
    with store() as opened:
        pages = pages_to_review(opened)
    return render("review.html", pages=pages)


@bp.post("/a-verifier")
def settle():  # type: ignore[no-untyped-def]
    """One click settles a page: kept in the journey at its proposed step, or set aside."""
    url = request.form.get("url", "")
    decision = request.form.get("decision")
    step = request.form.get("etape") or None
    with store() as opened:
        if opened.page(url) is None:
            abort(404)
    if decision not in ("garder", "ecarter") or (decision == "garder" and step not in STEP_IDS):
        abort(400)
    correction = Correction(
        url=url,
        step=step if decision == "garder" else None,
        hidden=decision == "ecarter",
        by=maintainer(),
        at=now(),
        note="Vérifiée : gardée dans le parcours."
        if decision == "garder"
        else "Vérifiée : hors sujet.",
    )
    try:
        with store() as opened:
            save_correction(opened, correction)
    except CorrectionsError as exc:
        flash("Décision refusée : " + " ; ".join(exc.errors) + ".", "error")
        return redirect(url_for("admin.to_review"), 303)
    _reindexed("Page gardée dans le parcours" if decision == "garder" else "Page écartée", url)
    return redirect(url_for("admin.to_review"), 303)


@bp.post("/corrections/retirer")
def uncorrect():  # type: ignore[no-untyped-def]
    url = request.form.get("url", "")
    try:
        with store() as opened:
            removed = remove_correction(opened, url)
    except CorrectionsError as exc:
        flash("Le fichier des corrections est invalide : " + " ; ".join(exc.errors), "error")
        return redirect(url_for("admin.corrections"), 303)
    if removed is None:
        abort(404)
    _reindexed("Correction retirée : le classement automatique s'applique de nouveau", url)
    return redirect(url_for("admin.classification", url=url), 303)


def _reindexed(done: str, url: str) -> None:
    with store() as opened:
        outcome = queue_reindex(opened, url)
    flash(f"{done}. {outcome}", "success")
