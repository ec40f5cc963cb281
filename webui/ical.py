"""Events as iCalendar (RFC 5545): all-day events, DTEND exclusive, a stable UID per page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from icalendar import Calendar
from icalendar import Event as VEvent

if TYPE_CHECKING:
    from webui.agenda import Event

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
    return cal.to_ical()


def vevent(event: Event, today: date) -> VEvent:
    ev = VEvent()
    ev.add("uid", f"{event.uid}@{UID_DOMAIN}")
    ev.add("dtstamp", _stamp(event.first_seen, today))
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


def _stamp(first_seen: str | None, today: date) -> datetime:
    """When the portal first saw the event (stable across downloads), in UTC."""
    if first_seen:
        stamp = datetime.fromisoformat(first_seen)
        return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
    return datetime.combine(today, datetime.min.time(), UTC)
