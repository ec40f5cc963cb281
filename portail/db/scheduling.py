"""The scheduler's part of the data layer: its runs (one crawl and one indexing each)."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from portail.db.base import Base
from portail.db.records import RunRecord
from portail.db.tables import runs

FAILURES_TO_FLAG = 3


class SchedulingAPI(Base):
    def start_run(self, source: str, started: str) -> int:
        with self.begin() as db:
            result = db.execute(
                insert(runs)
                .values(source=source, started=started, status="running")
                .returning(runs.c.id)
            )
            return int(result.scalar_one())

    def finish_run(self, run_id: int, status: str, detail: str, finished: str) -> None:
        with self.begin() as db:
            db.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(status=status, detail=detail, finished=finished)
            )

    def runs(self, source: str, limit: int = 10) -> list[RunRecord]:
        """A source's last runs, newest first."""
        return self.all_as(
            RunRecord,
            select(runs).where(runs.c.source == source).order_by(runs.c.id.desc()).limit(limit),
        )

    def failing_sources(self) -> dict[str, str]:
        """Sources whose last three runs failed, with the last reason; a success clears it."""
        out: dict[str, str] = {}
        for source in [r["source"] for r in self.all(select(runs.c.source).distinct())]:
            rows = self.all(
                select(runs.c.status, runs.c.detail)
                .where(runs.c.source == source, runs.c.status.not_in(("running", "busy")))
                .order_by(runs.c.id.desc())
                .limit(FAILURES_TO_FLAG)
            )
            if len(rows) == FAILURES_TO_FLAG and all(r["status"] != "ok" for r in rows):
                out[source] = rows[0]["detail"] or rows[0]["status"]
        return out
