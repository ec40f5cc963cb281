"""The maintainers' console, `/admin`: sources and their crawls, corrections, sources check.

Without a session every `/admin…` address redirects to the login page (`auth.py`); every form
carries a CSRF token. Its settings, with their defaults, are `ADMIN_DEFAULTS` below. The views:
`auth.py` (login, logout), `sources.py` (crawl status, recrawl queue, sources check),
`corrections.py` (pin a page's step or kind, hide it). `status.py` and `chart.py` assemble what
the source pages show, without Flask.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, session
from flask.sansio.blueprints import BlueprintSetupState

from portail.db import Store

bp = Blueprint("admin", __name__, url_prefix="/admin")

# Settings of the console (overridable through create_app's `test_config`).
ADMIN_DEFAULTS: dict[str, Any] = {
    "ADMIN_LOGIN_ATTEMPTS": 5,  # failed logins allowed per client address within the window
    "ADMIN_LOGIN_WINDOW": 600,  # seconds over which failed logins are counted
    "ADMIN_SESSION_HOURS": 12,  # a console session ends this long after its login
    "ADMIN_MAX_UPLOAD": 1_000_000,  # bytes accepted in one console request (sources drafts)
}


@bp.record_once
def _defaults(state: BlueprintSetupState) -> None:
    for key, value in ADMIN_DEFAULTS.items():
        state.app.config.setdefault(key, value)


def data_dir() -> Path:
    return Path(current_app.config["DATA_DIR"])


@contextmanager
def store() -> Iterator[Store]:
    """The data layer with its writes, for the console (the process's store, `webui.store()`)."""
    from webui import store as app_store

    yield app_store()


def maintainer() -> str:
    """The name the logged-in maintainer gave, for the journals."""
    return str((session.get("admin") or {}).get("name", ""))


def moment(value: str | datetime | None) -> str:
    """« 2026-11-27T09:30:00+00:00 » → « 27/11/2026 à 10:30 » (Paris time); « — » if none."""
    if not value:
        return "—"
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return str(value)
    if when.tzinfo is not None:
        when = when.astimezone(ZoneInfo("Europe/Paris"))
    return f"{when:%d/%m/%Y à %H:%M}"


def seconds(value: float | None) -> str:
    """A duration in French: « 42 s », « 3 min 05 s », « 1 h 02 min »."""
    if value is None:
        return "—"
    total = round(value)
    if total < 60:
        return f"{total} s"
    if total < 3600:
        return f"{total // 60} min {total % 60:02d} s"
    return f"{total // 3600} h {total % 3600 // 60:02d} min"


def render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(
        f"admin/{template}", maintainer=maintainer(), moment=moment, seconds=seconds, **context
    ), status


from webui.admin import auth, corrections, hotline, sources  # noqa: E402,F401  (registers the views)
