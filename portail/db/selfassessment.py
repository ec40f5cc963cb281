"""The export self-assessment's part of the data layer: anonymous takes kept under a random
token (no name, no address, no IP), the answers of a take in progress (the draft), those of
the last finished take and the scores of the one before, and the cleanup of abandoned drafts.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, insert, select, update

from portail.db.base import Base, now
from portail.db.records import SelfAssessmentRecord
from portail.db.tables import selfassessments

TOKEN_BYTES = 24  # 32 URL-safe characters, 192 random bits
TOKEN_PATTERN = r"[A-Za-z0-9_-]{32}"
RETENTION_ENV = "PORTAIL_AUTODIAGNOSTIC_JOURS"
RETENTION_DAYS = 30  # an unfinished draft untouched this long is deleted


@dataclass(frozen=True)
class SelfAssessment:
    token: str
    created: str
    updated: str
    draft: dict[str, str] | None  # the take in progress
    answers: dict[str, str] | None  # the last finished take
    finished: str | None
    previous: dict[str, Any] | None  # {"finished": date, "scores": {id: score}}


def retention_days() -> int:
    """Days an abandoned draft is kept: PORTAIL_AUTODIAGNOSTIC_JOURS, else 30."""
    raw = os.environ.get(RETENTION_ENV, "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return RETENTION_DAYS


def _json(value: str | None) -> Any:
    return json.loads(value) if value else None


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class SelfAssessmentAPI(Base):
    def start_selfassessment(self, draft: dict[str, str] | None = None) -> str:
        """A new take; its token (the only way back to it)."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        moment = now()
        with self.begin() as db:
            db.execute(
                insert(selfassessments).values(
                    token=token, created=moment, updated=moment, draft=_dump(draft or {})
                )
            )
        return token

    def selfassessment(self, token: str) -> SelfAssessment | None:
        row = self.one_as(
            SelfAssessmentRecord, select(selfassessments).where(selfassessments.c.token == token)
        )
        if row is None:
            return None
        return SelfAssessment(
            row["token"],
            row["created"],
            row["updated"],
            _json(row["draft"]),
            _json(row["answers"]),
            row["finished"],
            _json(row["previous"]),
        )

    def save_selfassessment_draft(self, token: str, draft: dict[str, str]) -> bool:
        """Keep the answers of the take in progress; False for an unknown token."""
        with self.begin() as db:
            done = db.execute(
                update(selfassessments)
                .where(selfassessments.c.token == token)
                .values(draft=_dump(draft), updated=now())
            )
        return bool(done.rowcount)

    def finish_selfassessment(
        self, token: str, answers: dict[str, str], previous: dict[str, Any] | None
    ) -> bool:
        """The draft becomes the finished take; `previous` remembers the take it replaces."""
        moment = now()
        with self.begin() as db:
            done = db.execute(
                update(selfassessments)
                .where(selfassessments.c.token == token)
                .values(
                    answers=_dump(answers),
                    draft=None,
                    finished=moment,
                    updated=moment,
                    previous=_dump(previous) if previous is not None else None,
                )
            )
        return bool(done.rowcount)

    def purge_selfassessments(self, days: int | None = None, at: datetime | None = None) -> int:
        """Delete the takes never finished and untouched for `days` (the retention), and the
        abandoned drafts of finished ones; how many takes lost answers."""
        limit = ((at or datetime.now(UTC)) - timedelta(days=days or retention_days())).replace(
            microsecond=0
        )
        cutoff = limit.isoformat()
        stale = selfassessments.c.updated < cutoff
        with self.begin() as db:
            deleted = db.execute(
                delete(selfassessments).where(and_(stale, selfassessments.c.finished.is_(None)))
            ).rowcount
            cleared = db.execute(
                update(selfassessments)
                .where(and_(stale, selfassessments.c.draft.is_not(None)))
                .values(draft=None)
            ).rowcount
        return int(deleted or 0) + int(cleared or 0)
