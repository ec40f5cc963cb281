"""The self-assessment's part of the data layer on SQLite and PostgreSQL: anonymous takes under
unguessable tokens, drafts, finished takes with the scores of the one before, and the cleanup
of abandoned drafts after the retention."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect
from test_schedule import RecordingRunner

import scheduler as scheduling
from conftest import run_portail, sql
from portail.db import open_store
from portail.db.selfassessment import TOKEN_PATTERN, retention_days


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path, monkeypatch):
    if request.param == "postgresql":
        monkeypatch.setenv("PORTAIL_DATABASE_URL", request.getfixturevalue("postgres_url"))
    else:
        monkeypatch.delenv("PORTAIL_DATABASE_URL", raising=False)
    opened = open_store(tmp_path / "var")
    yield opened
    opened.close()


LATER = datetime.now(UTC) + timedelta(days=31)


def test_the_migration_creates_the_table_without_personal_columns(store):
    columns = {c["name"] for c in inspect(store.engine).get_columns("selfassessments")}
    assert columns == {"token", "created", "updated", "draft", "answers", "finished", "previous"}


def test_tokens_are_random_url_safe_and_distinct(store):
    tokens = {store.start_selfassessment() for _ in range(50)}
    assert len(tokens) == 50
    assert all(re.fullmatch(TOKEN_PATTERN, t) for t in tokens)


def test_a_draft_is_kept_then_finished_with_the_previous_scores(store):
    token = store.start_selfassessment({"region": "53"})
    assert store.selfassessment(token).draft == {"region": "53"}
    assert store.save_selfassessment_draft(token, {"region": "53", "taille": "pme"})
    assert store.finish_selfassessment(token, {"region": "53", "taille": "pme"}, None)
    done = store.selfassessment(token)
    assert done.draft is None and done.previous is None
    assert done.answers == {"region": "53", "taille": "pme"}
    assert done.finished
    previous = {"finished": done.finished, "scores": {"overall": 42, "offre": None}}
    store.save_selfassessment_draft(token, {"region": "11"})
    store.finish_selfassessment(token, {"region": "11"}, previous)
    again = store.selfassessment(token)
    assert again.answers == {"region": "11"} and again.previous == previous


def test_an_unknown_token_is_none_and_changes_nothing(store):
    assert store.selfassessment("x" * 32) is None
    assert not store.save_selfassessment_draft("x" * 32, {})
    assert not store.finish_selfassessment("x" * 32, {}, None)


def test_abandoned_drafts_are_deleted_after_the_retention_finished_results_kept(store):
    abandoned = store.start_selfassessment({"region": "53"})
    finished = store.start_selfassessment({"region": "84"})
    store.finish_selfassessment(finished, {"region": "84"}, None)
    retaken = store.start_selfassessment()
    store.finish_selfassessment(retaken, {"region": "76"}, None)
    store.save_selfassessment_draft(retaken, {"region": "11"})
    assert store.purge_selfassessments(30) == 0  # nothing is that old yet
    assert store.purge_selfassessments(30, at=LATER) == 2
    assert store.selfassessment(abandoned) is None
    assert store.selfassessment(finished).answers == {"region": "84"}
    kept = store.selfassessment(retaken)
    assert kept.draft is None and kept.answers == {"region": "76"}
    assert store.purge_selfassessments(30, at=LATER) == 0


def test_the_retention_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("PORTAIL_AUTODIAGNOSTIC_JOURS", raising=False)
    assert retention_days() == 30
    monkeypatch.setenv("PORTAIL_AUTODIAGNOSTIC_JOURS", "7")
    assert retention_days() == 7
    monkeypatch.setenv("PORTAIL_AUTODIAGNOSTIC_JOURS", "zéro")
    assert retention_days() == 30


# -- the cleanup, by the command line and by the scheduler's nightly upkeep ---------------------

STALE = "UPDATE selfassessments SET updated = '2000-01-01T00:00:00+00:00' WHERE token = ?"


def abandoned_and_finished(data) -> tuple[str, str]:
    store = open_store(data)
    try:
        abandoned = store.start_selfassessment({"region": "53"})
        finished = store.start_selfassessment()
        store.finish_selfassessment(finished, {"region": "84"}, None)
    finally:
        store.close()
    for token in (abandoned, finished):
        sql(data, STALE, token)
    return abandoned, finished


def test_the_purge_command_deletes_abandoned_takes(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAIL_DATABASE_URL", raising=False)
    data = tmp_path / "var"
    _, finished = abandoned_and_finished(data)
    result = run_portail("autodiagnostic", "purge", "--jours", "10", data=data)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1 autodiagnostic inachevé effacé (conservation : 10 jours)."
    tokens = [r["token"] for r in sql(data, "SELECT token FROM selfassessments")]
    assert tokens == [finished]
    refused = run_portail("autodiagnostic", "purge", "--jours", "0", data=data)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr


def test_the_scheduler_purges_every_night(demo_web, make_sources, tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAIL_DATABASE_URL", raising=False)
    data = tmp_path / "var"
    _, finished = abandoned_and_finished(data)
    sources = make_sources(demo_web)
    sched = scheduling.PortalScheduler(sources, data, runner=RecordingRunner(sources, data))
    sched.start()
    try:
        job = sched.scheduler.get_job("__maintenance__")
        assert job is not None and job.next_run_time.hour == scheduling.MAINTENANCE_HOUR
        assert sched.maintenance() == 1
    finally:
        sched.shutdown()
    assert [r["token"] for r in sql(data, "SELECT token FROM selfassessments")] == [finished]
    log = (data / "logs" / "schedule.log").read_text("utf-8")
    assert '"event": "maintenance"' in log and '"selfassessments_deleted": 1' in log
