"""The fields of an event page: its dates and hours, its place (a city and its country, or
online), its organiser and the time zone of its hours; from the page's schema.org Event
first, else from its French text.

What the text says about the event is read where it speaks of the event: the title and the
sentences that give its dates. « Une réunion de préparation en ligne est prévue en février »
does not make a trade fair in Düsseldorf an online event."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from indexer.gazetteers import country_gazetteer, region_gazetteer
from indexer.lexicon import normalise
from indexer.timezones import event_zone
from portail.frdates import (
    EventDates,
    all_event_dates,
    event_hours,
    find_event_dates,
    sentence_around,
)

EVENT_TYPES = ("Event", "BusinessEvent", "ExhibitionEvent", "EducationEvent")
ONLINE = re.compile(
    r"\b(?:webinaires?|webinars?|web-?conf[ée]rences?|visioconf[ée]rences?|en ligne|en visio|"
    r"(?:en|100 %) distanciel|(?:salon|forum|événement|rencontres?) virtuel(?:le)?s?)\b",
    re.I,
)
HYBRID = re.compile(
    r"\b(?:hybrides?|(?:en présentiel|sur place) et en ligne|en ligne et (?:en présentiel|"
    r"sur place))\b",
    re.I,
)
PARIS_TIME = re.compile(r"\bheure (?:de Paris|française|de France|de la France)\b", re.I)
# The region gazetteer leaves Paris out (« Paris » names no region); an event may be there.
PARIS = re.compile(r"\bParis\b")


def event_fields(items: list[dict[str, Any]], title: str, text: str) -> dict[str, Any] | None:
    """Dates, hours, place and time zone of an event; None when the page gives no date."""
    title, text = normalise(title), normalise(text)
    item = jsonld_item(items, *EVENT_TYPES)
    fields = None
    if item and isinstance(item.get("startDate"), str):
        fields = _from_jsonld(item, title, text)
    if fields is None:  # no schema.org Event, or one without a readable start
        fields = _from_text(title, text)
    if fields is None:
        return None
    sentences = fields.pop("sentences")
    fields["tz"] = event_zone(
        fields["country"], fields["city"], fields.pop("region"), fields["online"]
    )
    if any(PARIS_TIME.search(s) for s in sentences):  # « à 10 h, heure de Paris »
        fields["tz"] = event_zone("FR")
    return fields


def _from_jsonld(item: dict[str, Any], title: str, text: str) -> dict[str, Any] | None:
    start, start_at = _iso_datetime(item["startDate"])
    end, end_at = _iso_datetime(str(item.get("endDate") or item["startDate"]))
    if start is None:
        return None
    end = max(end or start, start)
    location = item.get("location") or {}
    address = location.get("address", {}) if isinstance(location, dict) else {}
    online = "Online" in str(item.get("eventAttendanceMode", "")) or (
        isinstance(location, dict) and location.get("@type") == "VirtualLocation"
    )
    country = address.get("addressCountry", "") if isinstance(address, dict) else ""
    city = "" if online else (jsonld_text(address) or jsonld_text(location))
    mentions = [m for m in all_event_dates(text) if m.start == start]
    sentences = [_sentence(text, m) for m in mentions]
    # The city's country and region; without a city, the place the text gives.
    _, city_country, region = _first_city(city) if city else ("", "", "")
    if not online and not city:
        city, city_country, region = _place([title, *sentences], text)
    hours = (start_at, end_at if end_at and start == end else None) if start_at else None
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "days": _days(mentions, end),
        "online": online,
        "city": city,
        "country": "" if online else (_country_code(jsonld_text(country)) or city_country),
        "region": region,
        "organiser": jsonld_text(item.get("organizer")),
        **_clock_fields(hours or event_hours(text, mentions)),
        "sentences": sentences,
    }


def _from_text(title: str, text: str) -> dict[str, Any] | None:
    found = find_event_dates(text)
    if found is None:
        return None
    mentions = [m for m in all_event_dates(text) if m.start == found.start] or [found]
    sentences = [_sentence(text, m) for m in mentions]
    spoken = [title, *sentences]
    online = any(ONLINE.search(s) for s in spoken) and not any(HYBRID.search(s) for s in spoken)
    city, country, region = ("", "", "") if online else _place(spoken, text)
    return {
        "start": found.start.isoformat(),
        "end": found.end.isoformat(),
        "days": _days(mentions, found.end),
        "online": online,
        "city": city,
        "country": country,
        "region": region,
        "organiser": "",
        **_clock_fields(event_hours(text, mentions)),
        "sentences": sentences,
    }


def _sentence(text: str, found: EventDates) -> str:
    start, end = sentence_around(text, found.at, found.until)
    return text[start:end]


def _days(mentions: list[EventDates], end: date) -> list[str]:
    """The days the event is held on, when the text lists them (« les mardis 9 et 16 mars »)."""
    for found in mentions:
        if found.days and found.end == end:
            return [d.isoformat() for d in found.days]
    return []


def _clock_fields(hours: tuple[time, time | None] | None) -> dict[str, str | None]:
    begin, finish = hours if hours else (None, None)
    return {
        "start_time": begin.strftime("%H:%M") if begin else None,
        "end_time": finish.strftime("%H:%M") if finish else None,
    }


# -- places ---------------------------------------------------------------------------------


def _place(spoken: list[str], text: str) -> tuple[str, str, str]:
    """(city, country, INSEE region) of the event: the first city named in its title, then in
    the sentences giving its dates, then in the page; else a country those name."""
    for part in (*spoken, text):
        city, country, region = _first_city(part)
        if city:
            return city, country, region
    for part in spoken:
        named = [m.code for m in country_gazetteer().find(part) if m.kind == "name"]
        if named:
            return "", named[0], ""
    return "", "", ""


def _country_code(written: str) -> str:
    """A schema.org addressCountry: an ISO code (« DE ») or a name (« Allemagne »)."""
    if re.fullmatch(r"[A-Za-z]{2}", written.strip()):
        return written.strip().upper()
    if written.strip().lower() == "france":
        return "FR"
    named = [m.code for m in country_gazetteer().find(written) if m.kind == "name"]
    return named[0] if named else ""


def _first_city(text: str) -> tuple[str, str, str]:
    """The first city named in a text: (as written, its country, its region if French)."""
    text = PARIS_TIME.sub(lambda m: " " * len(m[0]), text)
    found: list[tuple[int, str, str, str]] = [
        (m.start, text[m.start : m.end], m.code, "")
        for m in country_gazetteer().find(text)
        if m.kind == "city"
    ]
    found += [
        (m.start, text[m.start : m.end], "FR", m.code)
        for m in region_gazetteer().find(text)
        if m.kind == "city"
    ]
    found += [(m.start(), m[0], "FR", "11") for m in PARIS.finditer(text)]
    if not found:
        return "", "", ""
    _, city, country, region = min(found)
    return city, country, region


# -- schema.org ----------------------------------------------------------------------------


def jsonld_item(items: list[dict[str, Any]], *types: str) -> dict[str, Any] | None:
    """The first schema.org item of one of these types."""
    for item in items:
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(k in types for k in kinds):
            return item
    return None


def jsonld_text(value: Any) -> str:
    """A schema.org value as text: a thing by its name, an address by its locality."""
    if isinstance(value, dict):
        return str(value.get("name") or value.get("addressLocality") or "")
    if isinstance(value, list):
        return jsonld_text(value[0]) if value else ""
    return str(value or "")


def _iso_datetime(value: str) -> tuple[date | None, time | None]:
    """A schema.org date or date-time: its day, and its hour when it gives one."""
    try:
        if len(value) <= 10:
            return date.fromisoformat(value), None
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            return date.fromisoformat(value[:10]), None
        except ValueError:
            return None, None
    return moment.date(), moment.time().replace(second=0, microsecond=0, tzinfo=None)
