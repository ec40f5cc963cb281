"""What web nodes share so that any of them can serve any request: failed logins counted
across processes and machines, and console sessions that a logout or a new password ends
everywhere."""

from __future__ import annotations

import secrets
import time

from sqlalchemy import delete, func, insert, select

from portail.db.base import Base
from portail.db.records import SessionRecord
from portail.db.tables import login_attempts, sessions


class NodesAPI(Base):
    clock = staticmethod(time.time)  # seconds since the epoch; tests move it forward

    # -- failed logins --------------------------------------------------------------------

    def take_login_attempt(self, client: str, attempts: int, window: float) -> bool:
        """Count a login attempt of a client, unless it made `attempts` within the last
        `window` seconds: True when it may try. The count and the record are one transaction
        that holds the table's write lock, so simultaneous attempts on several processes or
        nodes are counted one after the other (none slips through between them)."""
        moment = self.clock()
        with self.begin() as db:
            if db.dialect.name == "postgresql":
                db.exec_driver_sql("LOCK TABLE login_attempts IN SHARE ROW EXCLUSIVE MODE")
            # On SQLite this first write takes the database's write lock for the transaction.
            db.execute(delete(login_attempts).where(login_attempts.c.at < moment - window))
            made = db.execute(
                select(func.count())
                .select_from(login_attempts)
                .where(login_attempts.c.client == client)
            ).scalar_one()
            if made >= attempts:
                return False
            db.execute(insert(login_attempts).values(client=client, at=moment))
        return True

    def record_failed_login(self, client: str, at: float | None = None) -> None:
        with self.begin() as db:
            db.execute(insert(login_attempts).values(client=client, at=at or self.clock()))

    def failed_logins(self, client: str, window: float, at: float | None = None) -> int:
        """Failed logins of a client within the last `window` seconds (older ones are
        forgotten on the way)."""
        moment = at or self.clock()
        with self.begin() as db:
            db.execute(delete(login_attempts).where(login_attempts.c.at < moment - window))
            return int(
                db.execute(
                    select(func.count())
                    .select_from(login_attempts)
                    .where(
                        login_attempts.c.client == client, login_attempts.c.at >= moment - window
                    )
                ).scalar_one()
            )

    def clear_failed_logins(self, client: str) -> None:
        with self.begin() as db:
            db.execute(delete(login_attempts).where(login_attempts.c.client == client))

    # -- sessions -------------------------------------------------------------------------

    def open_session(self, name: str, lifetime: float, password_stamp: str) -> str:
        """A new console session; its id goes into the signed cookie."""
        token = secrets.token_urlsafe(32)
        moment = self.clock()
        with self.begin() as db:
            db.execute(delete(sessions).where(sessions.c.expires < moment))
            db.execute(
                insert(sessions).values(
                    id=token,
                    name=name,
                    created=moment,
                    expires=moment + lifetime,
                    password_stamp=password_stamp,
                )
            )
        return token

    def session_name(self, token: str, password_stamp: str) -> str | None:
        """Who holds a live session (opened with the current password), or None."""
        row = self.one_as(SessionRecord, select(sessions).where(sessions.c.id == token))
        if row is None or row["expires"] < self.clock() or row["password_stamp"] != password_stamp:
            return None
        return str(row["name"])

    def close_session(self, token: str) -> None:
        with self.begin() as db:
            db.execute(delete(sessions).where(sessions.c.id == token))

    def close_all_sessions(self) -> None:
        with self.begin() as db:
            db.execute(delete(sessions))
