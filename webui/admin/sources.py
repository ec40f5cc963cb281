"""The console's home and its source pages: crawl status and history, recrawl requests, and
the check of a draft sources file (the same errors as `portail sources check`)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for

from indexer.corrections import CorrectionsError, load_corrections
from portail.language import plural
from portail.sources import ConfigError, parse_sources
from webui import directory
from webui.admin import bp, data_dir, maintainer, render, store
from webui.admin.chart import history_chart
from webui.admin.status import (
    EXIT_LABELS,
    PAGE_LABELS,
    RUN_LABELS,
    STATUS_LABELS,
    crawl_duration,
    crawl_records,
    read_config,
    runs,
    statuses,
)

HISTORY = 30  # crawls shown in a source's history
MAX_ERRORS = 200  # error lines shown for one crawl
LABELS: dict[str, Any] = {
    "status_labels": STATUS_LABELS,
    "run_labels": RUN_LABELS,
    "page_labels": PAGE_LABELS,
    "exit_labels": EXIT_LABELS,
}


def sources_file() -> Path:
    from portail.paths import default_sources

    return Path(current_app.config.get("SOURCES_FILE") or default_sources())


@bp.get("")
def index():  # type: ignore[no-untyped-def]
    config, errors = read_config(sources_file())
    with store() as opened:
        rows = statuses(opened, config, data_dir())
    try:
        with store() as opened:
            corrections = len(load_corrections(opened))
    except CorrectionsError:
        corrections = None
    return render(
        "index.html",
        rows=rows,
        config_errors=errors,
        corrections=corrections,
        queued=len(opened.pending_recrawls()),
        incomplete=directory.incomplete_entries(),
    )


@bp.get("/sources")
def sources():  # type: ignore[no-untyped-def]
    path = sources_file()
    config, errors = read_config(path)
    with store() as opened:
        rows = statuses(opened, config, data_dir())
    return render("sources.html", rows=rows, config_errors=errors, sources_path=path, **LABELS)


@bp.get("/sources/<source_id>")
def source(source_id: str):  # type: ignore[no-untyped-def]
    config, errors = read_config(sources_file())
    with store() as opened:
        found = next((s for s in statuses(opened, config, data_dir()) if s.id == source_id), None)
        if found is None:
            abort(404)
        crawls = opened.crawls(source_id, limit=HISTORY)
        crawl_errors = opened.crawl_errors(found.last["id"])[:MAX_ERRORS] if found.last else []
        scheduler_runs = runs(opened, source_id)
    return render(
        "source.html",
        s=found,
        crawls=crawls,
        records=crawl_records(crawls),
        crawl_errors=crawl_errors,
        chart=history_chart(crawls),
        runs=scheduler_runs,
        config_errors=errors,
        duration=crawl_duration,
        max_errors=MAX_ERRORS,
        **LABELS,
    )


@bp.post("/sources/<source_id>/collecter")
def recrawl(source_id: str):  # type: ignore[no-untyped-def]
    config, _ = read_config(sources_file())
    if config is None:
        flash(
            "Le fichier de sources est invalide : corrigez-le avant de demander une collecte.",
            "error",
        )
        return redirect(url_for("admin.sources"), 303)
    found = config.get(source_id)
    if found is None:
        abort(404)
    with store() as opened:
        queued = opened.request_recrawl(source_id, maintainer())
    flash(
        f"Collecte de « {found.name} » demandée (file d'attente depuis le "
        f"{queued.at[:16].replace('T', ' à ')} UTC) : le planificateur la lance dans les "
        "secondes qui suivent, après la collecte en cours s'il y en a une.",
        "success",
    )
    return redirect(url_for("admin.source", source_id=source_id), 303)


@bp.route("/sources/verifier", methods=["GET", "POST"])
def check():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return render("check.html", draft="", result=None)
    draft, filename, problem = _draft()
    if problem:
        return render("check.html", 400, draft=draft, result={"errors": [problem]})
    try:
        config = parse_sources(draft, filename)
    except ConfigError as exc:
        count = len(exc.errors)
        return render(
            "check.html",
            draft=draft,
            result={
                "errors": exc.errors,
                "summary": f"{count} erreur{'s' if count > 1 else ''} : fichier refusé.",
            },
        )
    summary = (
        f"{filename} : valide, {plural(len(config.sources), 'source')} dont "
        f"{plural(len(config.enabled()), 'activée')}."
    )
    return render("check.html", draft=draft, result={"errors": [], "summary": summary})


def _draft() -> tuple[str, str, str | None]:
    """The submitted draft (an uploaded file wins over the text area), its name, a problem."""
    upload = request.files.get("fichier")
    if upload is not None and upload.filename:
        name = PurePosixPath(upload.filename.replace("\\", "/")).name
        name = "".join(c for c in name if c.isprintable())[:100] or "sources.toml"
        try:
            return upload.read().decode("utf-8"), name, None
        except UnicodeDecodeError:
            return "", name, f"{name} : le fichier n'est pas encodé en UTF-8."
    draft = request.form.get("brouillon", "").replace("\r\n", "\n")
    if not draft.strip():
        return (
            draft,
            "sources.toml",
            "Collez le contenu d'un fichier sources.toml ou choisissez un fichier.",
        )
    return draft, "sources.toml", None
