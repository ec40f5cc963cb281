"""Working days in France: Monday to Friday, French public holidays excepted (the `holidays`
package's calendar for France), counted in Paris time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

PARIS = ZoneInfo("Europe/Paris")


@cache
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FR", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(moment: datetime, days: int) -> datetime:
    """The moment `days` working days after `moment` (same time of day, Paris time). A moment
    on a day off counts from the start of the next working day: a request sent on Saturday
    is due as if sent on Monday at midnight."""
    local = moment.astimezone(PARIS)
    day = local.date()
    if not is_working_day(day):
        while not is_working_day(day):
            day += timedelta(days=1)
        local = datetime.combine(day, time(0, 0), PARIS)
    for _ in range(days):
        day += timedelta(days=1)
        while not is_working_day(day):
            day += timedelta(days=1)
    due = datetime.combine(day, local.timetz().replace(tzinfo=None), PARIS)
    return due.astimezone(moment.tzinfo or PARIS)
