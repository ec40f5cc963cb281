"""Events as iCalendar (RFC 5545), a stable UID per event. An event whose page gives its hours
is timed in the zone of its place (TZID, with its VTIMEZONE), one occurrence per day it is
held (RDATE); the others are all-day events (DTEND exclusive)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent

if TYPE_CHECKING:
    from webui.events import Event

PRODID = "-//France International//Agenda de l'export//FR"
UID_DOMAIN = "france-international"


def calendar(events: list[Event], name: str, today: date) -> bytes:
    """One VCALENDAR holding every event (its name shows in calendar applications)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(vevent(event, today))
    timed = [e for e in events if e.timed]
    if timed:  # a VTIMEZONE for each zone, its rules covering the events' years
        first = min(e.start for e in timed).replace(month=1, day=1)
        last = max(e.end for e in timed).replace(month=12, day=31)
        cal.add_missing_timezones(first - timedelta(days=1), last + timedelta(days=1))
    return cal.to_ical()


def vevent(event: Event, today: date) -> VEvent:
    ev = VEvent()
    ev.add("uid", f"{event.uid}@{UID_DOMAIN}")
    ev.add("dtstamp", _stamp(event.first_seen, today))
    if event.timed:
        _add_hours(ev, event)
    else:
        ev.add("dtstart", event.start)
        ev.add("dtend", event.end + timedelta(days=1))  # exclusive end of an all-day event
    ev.add("summary", event.title)
    ev.add("url", event.url)
    location = event.place
    if location:
        ev.add("location", location)
    ev.add("description", event.ics_description)
    if event.categories:
        ev.add("categories", event.categories)
    ev.add("transp", "TRANSPARENT")
    return ev


def _add_hours(ev: VEvent, event: Event) -> None:
    """DTSTART and DTEND on the first day it is held, then an RDATE for each other day."""
    zone = ZoneInfo(event.tz or "")
    first, *others = event.session_days
    ev.add("dtstart", datetime.combine(first, event.start_time, zone))  # type: ignore[arg-type]
    if event.end_time:
        ev.add("dtend", datetime.combine(first, event.end_time, zone))
    if others:
        ev.add("rdate", [datetime.combine(d, event.start_time, zone) for d in others])  # type: ignore[arg-type]


def _stamp(first_seen: str | None, today: date) -> datetime:
    """When the portal first saw the event (stable across downloads), in UTC."""
    if first_seen:
        stamp = datetime.fromisoformat(first_seen)
        return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
    return datetime.combine(today, datetime.min.time(), UTC)
