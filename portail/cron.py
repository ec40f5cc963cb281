"""When a source is crawled: its `schedule` (cron syntax), in Paris time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from portail.sources import Source

TIMEZONE = "Europe/Paris"


def cron_trigger(source: Source) -> BaseTrigger:
    return CronTrigger.from_crontab(source.schedule, timezone=TIMEZONE)


def next_run(source: Source, moment: datetime | None = None) -> datetime | None:
    """When the scheduler will next crawl an enabled source, from its cron expression."""
    if not source.enabled:
        return None
    moment = moment or datetime.now(ZoneInfo(TIMEZONE))
    return cron_trigger(source).get_next_fire_time(None, moment)
