"""What web nodes share so that any of them can serve any request: failed logins counted
across processes and machines, and console sessions that a logout or a new password ends
everywhere."""

from __future__ import annotations

import secrets
import time

from sqlalchemy import delete, func, insert, select

from portail.db.base import Base
from portail.db.tables import login_attempts, sessions


class NodesAPI(Base):
    # -- failed logins --------------------------------------------------------------------

    def record_failed_login(self, client: str, at: float | None = None) -> None:
        with self.begin() as db:
            db.execute(insert(login_attempts).values(client=client, at=at or time.time()))

    def failed_logins(self, client: str, window: float, at: float | None = None) -> int:
        """Failed logins of a client within the last `window` seconds (older ones are
        forgotten on the way)."""
        moment = at or time.time()
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
        moment = time.time()
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
        row = self.one(select(sessions).where(sessions.c.id == token))
        if row is None or row["expires"] < time.time() or row["password_stamp"] != password_stamp:
            return None
        return str(row["name"])

    def close_session(self, token: str) -> None:
        with self.begin() as db:
            db.execute(delete(sessions).where(sessions.c.id == token))

    def close_all_sessions(self) -> None:
        with self.begin() as db:
            db.execute(delete(sessions))
