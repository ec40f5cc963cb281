"""The export hotline's part of the data layer: requests, their history, the mail outbox and
the submissions counted for rate limits.

A request, its first event and its mails are stored in one transaction, before anything is
sent: a process killed at any moment leaves either nothing or all of it. Mails are sent later
by the scheduler (`scheduler.hotline`), one outbox row at a time through the states
pending → sending (claimed, with a lease) → transmitting (the SMTP DATA under way) → sent;
see `scheduler/hotline.py` for why a row found `transmitting` is never sent again by itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from portail.db.base import Base
from portail.db.records import (
    HotlineEventRecord,
    HotlinePurgeRecord,
    HotlineReasonRecord,
    HotlineRequestRecord,
    OutboxRecord,
)
from portail.db.tables import hotline_events, hotline_outbox, hotline_requests, hotline_submissions

OPEN_STATUSES = ("nouvelle", "prise_en_charge", "pas_pour_moi")
PERSONAL_FIELDS = ("message", "siren", "postcode", "name", "email", "phone")
PERSONAL_EVENTS = ("answered", "note")  # events whose detail is free text: erased too
REASON_EVENTS = ("closed", "not_for_me")  # events whose detail is a reason id: counted
ERASED = "[effacé]"
REFERENCE_TRIES = 8


class HotlineAPI(Base):
    # -- rate limits ----------------------------------------------------------------------

    def hotline_submissions(self, client: str, window: float, at: float | None = None) -> int:
        """Requests a client sent within the last `window` seconds (older ones forgotten)."""
        moment = at if at is not None else time.time()
        with self.begin() as db:
            db.execute(
                delete(hotline_submissions).where(hotline_submissions.c.at < moment - 7 * 86400)
            )
            count = db.execute(
                select(func.count())
                .select_from(hotline_submissions)
                .where(
                    hotline_submissions.c.client == client,
                    hotline_submissions.c.at >= moment - window,
                )
            ).scalar_one()
        return int(count)

    def record_hotline_submission(self, client: str, at: float | None = None) -> None:
        with self.begin() as db:
            db.execute(
                insert(hotline_submissions).values(
                    client=client, at=at if at is not None else time.time()
                )
            )

    # -- requests -------------------------------------------------------------------------

    def create_hotline_request(
        self,
        values: Mapping[str, Any],
        make_reference: Callable[[], str],
        mails: Callable[[str], Iterable[Mapping[str, Any]]],
        at: str,
    ) -> str:
        """Store a request, its first event and the mails `mails(reference)` composes, in one
        transaction; return its reference (a new one is drawn if one is already taken)."""
        for _ in range(REFERENCE_TRIES):
            reference = make_reference()
            try:
                with self.begin() as db:
                    taken = db.execute(
                        select(hotline_requests.c.id).where(
                            hotline_requests.c.reference == reference
                        )
                    ).first()
                    if taken:
                        continue
                    row = {**values, "reference": reference, "created": at, "updated": at}
                    request_id = db.execute(
                        insert(hotline_requests).values(row).returning(hotline_requests.c.id)
                    ).scalar_one()
                    _event(db, request_id, at, "created", "", values.get("because", ""))
                    _queue(db, request_id, mails(reference), at)
                return reference
            except IntegrityError:
                continue  # drawn by another process at the same moment: draw again
        raise RuntimeError("no free hotline reference after several draws")

    def hotline_request(self, reference: str) -> HotlineRequestRecord | None:
        return self.one_as(
            HotlineRequestRecord,
            select(hotline_requests).where(hotline_requests.c.reference == reference),
        )

    def hotline_request_by_token(self, token_hash: str) -> HotlineRequestRecord | None:
        return self.one_as(
            HotlineRequestRecord,
            select(hotline_requests).where(hotline_requests.c.token_hash == token_hash),
        )

    def hotline_requests(
        self,
        status: str | None = None,
        region: str | None = None,
        owner: str | None = None,
        desk: str | None = None,
        limit: int = 200,
    ) -> list[HotlineRequestRecord]:
        """Requests, the latest first, within the filters given."""
        query = select(hotline_requests)
        for column, value in (
            (hotline_requests.c.status, status),
            (hotline_requests.c.region, region),
            (hotline_requests.c.owner, owner),
            (hotline_requests.c.desk, desk),
        ):
            if value is not None:
                query = query.where(column == value)
        return self.all_as(
            HotlineRequestRecord, query.order_by(hotline_requests.c.id.desc()).limit(limit)
        )

    def hotline_counts(self, column: str) -> dict[str, int]:
        """How many requests per value of a column (status, region, owner, desk, …)."""
        field = hotline_requests.c[column]
        rows = self.all(select(field.label("value"), func.count().label("n")).group_by(field))
        return {str(r["value"]): int(r["n"]) for r in rows}

    def hotline_reason_counts(self) -> list[HotlineReasonRecord]:
        """Closings and « pas pour moi » per reason and routing rule, most frequent first:
        what the routing rules should learn from. Counts survive the erasure of personal
        data."""
        kind, reason, rule = hotline_events.c.kind, hotline_events.c.detail, hotline_requests.c.rule
        return self.all_as(
            HotlineReasonRecord,
            select(kind, reason.label("reason"), rule, func.count().label("n"))
            .select_from(
                hotline_events.join(
                    hotline_requests, hotline_requests.c.id == hotline_events.c.request_id
                )
            )
            .where(kind.in_(REASON_EVENTS))
            .group_by(kind, reason, rule)
            .order_by(func.count().desc(), kind, reason),
        )

    def hotline_history(self, request_id: int) -> list[HotlineEventRecord]:
        return self.all_as(
            HotlineEventRecord,
            select(hotline_events)
            .where(hotline_events.c.request_id == request_id)
            .order_by(hotline_events.c.id),
        )

    def change_hotline_request(
        self,
        request_id: int,
        at: str,
        kind: str,
        by: str = "",
        detail: str = "",
        values: Mapping[str, Any] | None = None,
        mails: Iterable[Mapping[str, Any]] = (),
        only_if: Mapping[str, Any] | None = None,
    ) -> bool:
        """Change a request, record the event and queue its mails, in one transaction; with
        `only_if`, nothing happens unless the request still has those values (False)."""
        with self.begin() as db:
            query = update(hotline_requests).where(hotline_requests.c.id == request_id)
            for column, value in (only_if or {}).items():
                field = hotline_requests.c[column]
                query = query.where(field.is_(None) if value is None else field == value)
            changed = db.execute(query.values({**(values or {}), "updated": at})).rowcount
            if not changed:
                return False
            _event(db, request_id, at, kind, by, detail)
            _queue(db, request_id, mails, at)
        return True

    def open_hotline_requests(self) -> list[HotlineRequestRecord]:
        """Requests still waiting for an answer, oldest first (for reminders)."""
        return self.all_as(
            HotlineRequestRecord,
            select(hotline_requests)
            .where(hotline_requests.c.status.in_(OPEN_STATUSES))
            .order_by(hotline_requests.c.id),
        )

    def erase_hotline_request(self, request_id: int, at: str, by: str, why: str) -> bool:
        """Erase a request's personal data (its fields, the details of its history, its
        mails), keeping what is counted; mails not yet sent are cancelled."""
        with self.begin() as db:
            changed = db.execute(
                update(hotline_requests)
                .where(hotline_requests.c.id == request_id, hotline_requests.c.erased.is_(None))
                .values(
                    {
                        **{name: "" for name in PERSONAL_FIELDS},
                        "erased": at,
                        "updated": at,
                        "consent": None,
                    }
                )
            ).rowcount
            if not changed:
                return False
            db.execute(
                update(hotline_events)
                .where(hotline_events.c.request_id == request_id, hotline_events.c.detail != "")
                .where(hotline_events.c.kind.in_(PERSONAL_EVENTS))
                .values(detail=ERASED)
            )
            db.execute(
                update(hotline_outbox)
                .where(
                    hotline_outbox.c.request_id == request_id,
                    hotline_outbox.c.status.in_(("pending", "failed", "uncertain")),
                )
                .values(status="cancelled")
            )
            db.execute(
                update(hotline_outbox)
                .where(hotline_outbox.c.request_id == request_id)
                .values(to_address="", body=ERASED)
            )
            _event(db, request_id, at, "erased", by, why)
        return True

    def hotline_to_purge(self, before: str) -> list[HotlinePurgeRecord]:
        """Requests not yet erased whose last event is older than `before`."""
        return self.all_as(
            HotlinePurgeRecord,
            select(hotline_requests.c.id, hotline_requests.c.reference).where(
                hotline_requests.c.erased.is_(None), hotline_requests.c.updated < before
            ),
        )

    # -- the outbox -----------------------------------------------------------------------

    def claim_outbox(self, at: str, lease_expired: str, limit: int = 50) -> list[OutboxRecord]:
        """Claim the mails due for sending (a claim is a lease: the claim of a sender that
        died before talking to the mail server expires, and the mail is due again; one
        that died during the DATA exchange leaves it `uncertain`)."""
        with self.begin() as db:
            db.execute(
                update(hotline_outbox)
                .where(
                    hotline_outbox.c.status == "sending", hotline_outbox.c.claimed < lease_expired
                )
                .values(status="pending", claimed=None)
            )
            db.execute(
                update(hotline_outbox)
                .where(
                    hotline_outbox.c.status == "transmitting",
                    hotline_outbox.c.claimed < lease_expired,
                )
                .values(
                    status="uncertain",
                    last_error="envoi interrompu pendant la transmission : vérifier la "
                    "réception avant de renvoyer",
                )
            )
        due = self.all(
            select(hotline_outbox.c.id)
            .where(hotline_outbox.c.status == "pending", hotline_outbox.c.next_attempt <= at)
            .order_by(hotline_outbox.c.id)
            .limit(limit)
        )
        claimed = []
        for row in due:
            with self.begin() as db:
                won = db.execute(
                    update(hotline_outbox)
                    .where(hotline_outbox.c.id == row["id"], hotline_outbox.c.status == "pending")
                    .values(status="sending", claimed=at, attempts=hotline_outbox.c.attempts + 1)
                ).rowcount
            if won:  # another sender may have claimed it in between
                claimed.append(
                    self.one_as(
                        OutboxRecord, select(hotline_outbox).where(hotline_outbox.c.id == row["id"])
                    )
                )
        return [r for r in claimed if r is not None]

    def outbox_state(
        self, outbox_id: int, status: str, at: str, error: str = "", **values: Any
    ) -> None:
        """Move a claimed mail on: transmitting, sent, pending (retry at `next_attempt`),
        failed or uncertain."""
        changes: dict[str, Any] = {"status": status, **values}
        if status == "sent":
            changes["sent"] = at
        if status == "transmitting":
            changes["claimed"] = at
        if error:
            changes["last_error"] = error[:500]
        with self.begin() as db:
            db.execute(
                update(hotline_outbox).where(hotline_outbox.c.id == outbox_id).values(changes)
            )

    def outbox(
        self, statuses: Iterable[str] | None = None, request_id: int | None = None
    ) -> list[OutboxRecord]:
        query = select(hotline_outbox).order_by(hotline_outbox.c.id)
        if statuses is not None:
            query = query.where(hotline_outbox.c.status.in_(list(statuses)))
        if request_id is not None:
            query = query.where(hotline_outbox.c.request_id == request_id)
        return self.all_as(OutboxRecord, query)

    def outbox_counts(self) -> dict[str, int]:
        rows = self.all(
            select(hotline_outbox.c.status, func.count().label("n")).group_by(
                hotline_outbox.c.status
            )
        )
        return {r["status"]: int(r["n"]) for r in rows}

    def settle_outbox(self, outbox_id: int, resend: bool, at: str) -> bool:
        """A maintainer settles an uncertain or failed mail: send it again (same Message-ID)
        or record it as received."""
        values = {"status": "pending", "next_attempt": at, "claimed": None}
        if not resend:
            values = {"status": "sent", "sent": at}
        with self.begin() as db:
            return bool(
                db.execute(
                    update(hotline_outbox)
                    .where(
                        hotline_outbox.c.id == outbox_id,
                        or_(
                            hotline_outbox.c.status == "uncertain",
                            hotline_outbox.c.status == "failed",
                        ),
                    )
                    .values(values)
                ).rowcount
            )


def _event(db: Connection, request_id: int, at: str, kind: str, by: str, detail: str) -> None:
    db.execute(
        insert(hotline_events).values(request_id=request_id, at=at, kind=kind, by=by, detail=detail)
    )


def _queue(db: Connection, request_id: int, mails: Iterable[Mapping[str, Any]], at: str) -> None:
    rows = [{"request_id": request_id, "created": at, "next_attempt": at, **mail} for mail in mails]
    if rows:
        db.execute(insert(hotline_outbox), rows)


__all__ = ["ERASED", "OPEN_STATUSES", "PERSONAL_FIELDS", "HotlineAPI"]
