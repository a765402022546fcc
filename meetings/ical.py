"""iCalendar (RFC 5545) export, pure: model objects and settings in, bytes out.

Every instant is written in UTC (`…Z`): the one form that Google, Outlook, Apple and Thunderbird
read alike. The venue's wall-clock time goes into the DESCRIPTION for people. DTSTAMP equals
LAST-MODIFIED, so the bytes stay identical until something in the feed changes.

The calendar, its properties, their value types and parameters, and TEXT escaping are
icalendar's (`Calendar`, `Contentline`, `vText`, `vDatetime`, …). Two things are done here, on
purpose:

* Text is cleaned before icalendar sees it. icalendar escapes CR and LF only; other characters
  that some parser takes as the end of a line (U+2028, U+2029, U+0085, VT, FF, …) would pass
  through raw, and control characters are not allowed in TEXT at all.
* Lines are folded by `fold`, not by `Component.to_ical`. icalendar's folding walks the line
  character by character (most of its serialization time for a 1,000-session feed), stops at
  74 octets, and can split an escaped backslash over two lines; `fold` cuts at 75 octets,
  never inside a UTF-8 character or an escape.

Each VEVENT is serialized on its own (`session_event`), so callers can keep its bytes and
re-serialize only the events that changed (see meetings/feeds/events.py). An event is written
as its content lines between BEGIN and END: each line is icalendar's (`Contentline.from_parts`
with the property's value type), without an `Event` container around them, whose dictionary and
parameter objects cost more than the lines themselves. Most lines of an agenda repeat from event
to event (times, locations, categories, status), so those are made once and remembered
(`shared_line`); titles, descriptions, UIDs and links are made for each event.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from icalendar import (
    Calendar,
    Component,
    vCategory,
    vDate,
    vDatetime,
    vDuration,
    vGeo,
    vInt,
    vText,
    vUri,
)
from icalendar.parser import Contentline

from meetings.dates import city_of, to_local, zone_abbreviation
from meetings.markup import plain_text

PRODID = "-//UNICRI and INTERPOL//Global Meeting on AI for Law Enforcement//EN"
# Every character some parser takes as the end of a line: becomes a TEXT line break (\n).
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Control characters other than TAB and LF (C0, DEL, C1) are not allowed in iCalendar text.
_CONTROLS = {code: None for code in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0),
                                     0x2028, 0x2029)}
_URI_CONTROLS = {**_CONTROLS, 0x0A: None}
# Any character `clean` changes: most text has none, and a search is cheaper than translating.
_UNCLEAN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
SHARED_LINES = 8192  # distinct times, places and categories remembered (about 1 MB at most)
REFRESH = timedelta(hours=1)
# The SEQUENCE and modification time of an event rendered before its stamp is known (`stamped`).
UNSTAMPED_TIME = datetime(1970, 1, 1, tzinfo=UTC)


class Stamp(NamedTuple):
    """An event's SEQUENCE and LAST-MODIFIED (also its DTSTAMP)."""

    sequence: int
    modified: datetime


UNSTAMPED = Stamp(0, UNSTAMPED_TIME)


@dataclass(frozen=True)
class Labels:
    """The words a feed shows, translated by the caller (English by default)."""

    closed_session: str = "Closed session"
    cancelled: str = "This session is cancelled."
    cancelled_short: str = "Cancelled"
    no_room: str = "Room to be announced"
    track: str = "Track"
    speakers: str = "Speakers"
    online: str = "Join online"
    zone_time: str = "{city} time"
    session_types: Mapping[str, str] = field(default_factory=dict)
    roles: Mapping[str, str] = field(default_factory=dict)

    def session_type(self, value: str) -> str:
        return self.session_types.get(value) or value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class FeedOptions:
    """What the caller knows that the objects do not: domain, links, audience."""

    domain: str
    session_url: Callable[[object], str]
    country_name: Callable[[str], str] = str
    labels: Labels = field(default_factory=Labels)
    # True only in the organizer feed: closed-session details and online links.
    private: bool = False
    # Online links where they differ from `private` (a personal feed: closed details, no link).
    online_links: bool | None = None


@dataclass(frozen=True)
class CalendarInfo:
    """The calendar's own properties: name, description and web page."""

    name: str
    description: str
    url: str


class Text(vText):
    """icalendar's TEXT, except that a backslash followed by N stays those two characters.

    `vText.to_ical` reads a literal backslash-N as a line break before escaping (icalendar 7.3),
    so "C:\\New" would lose its backslash; each piece between them is escaped by vText instead.
    """

    def to_ical(self) -> bytes:
        if "\\N" not in self:
            return super().to_ical()
        return b"\\\\N".join(vText(piece).to_ical() for piece in self.split("\\N"))


class Geo(vGeo):
    """GEO with six decimals at most and no exponent (repr gives 52.089400000000005, 1e-05)."""

    def to_ical(self) -> str:
        return f"{coordinate(self.latitude)};{coordinate(self.longitude)}"


def agenda_calendar(sessions: Iterable, info: CalendarInfo, options: FeedOptions,
                    now: datetime) -> bytes:
    """A subscription feed (no METHOD) with one VEVENT per session."""
    return calendar(info, (session_event(session, options, now) for session in sessions))


def session_calendar(session, info: CalendarInfo, options: FeedOptions, now: datetime) -> bytes:
    """A single-session download (METHOD:PUBLISH, which every client imports)."""
    return calendar(info, [session_event(session, options, now)], method="PUBLISH")


def editions_calendar(editions: Iterable, info: CalendarInfo, domain: str,
                      edition_url: Callable[[object], str], now: datetime,
                      country_name: Callable[[str], str] = str) -> bytes:
    """One all-day event per edition (DTEND is the day after the last day, as RFC 5545 wants)."""
    return calendar(info, (
        edition_event(edition, f"edition-{edition.id}@{domain}", edition_url(edition),
                      country_name, now) for edition in editions))


def calendar(info: CalendarInfo, events: Iterable[bytes], method: str | None = None) -> bytes:
    """A VCALENDAR around events already serialized by `session_event` or `edition_event`."""
    head = Calendar()
    head["VERSION"] = vText("2.0")
    head["PRODID"] = Text(PRODID)
    head["CALSCALE"] = vText("GREGORIAN")
    if method:
        head["METHOD"] = vText(method)
    head["NAME"] = head["X-WR-CALNAME"] = Text(clean(info.name))
    head["DESCRIPTION"] = head["X-WR-CALDESC"] = Text(clean(info.description))
    head["REFRESH-INTERVAL"] = vDuration(REFRESH, params={"VALUE": "DURATION"})
    head["X-PUBLISHED-TTL"] = vDuration(REFRESH)
    head["URL"] = vUri(uri(info.url))
    begin = serialize(head)
    end = b"END:VCALENDAR\r\n"
    return b"".join([begin.removesuffix(end), *events, end])


def session_event(session, options: FeedOptions, now: datetime,
                  stamp: Stamp | None = None) -> bytes:
    """One VEVENT; a closed session shows only its time and place unless the feed is private.

    SEQUENCE and LAST-MODIFIED are the session's own counters unless `stamp` gives them
    (`UNSTAMPED` renders the text alone, to fingerprint it and `stamped` it later).
    """
    hidden = session.is_closed and not options.private
    stamp = stamp or Stamp(session.sequence or 0, session.updated_at or now)
    modified = utc(stamp.modified)
    links = [] if hidden else [
        content_line("URL", vUri(uri(options.session_url(session)))),
        categories_line(tuple(session_categories(session, options.labels)))]
    return component(b"VEVENT", [
        text_line("UID", session_uid(session, options.domain)),
        shared_line("DTSTAMP", vDatetime, modified),
        shared_line("DTSTART", vDatetime, utc(session.starts_at)),
        shared_line("DTEND", vDatetime, utc(session.ends_at)),
        text_line("SUMMARY", session_summary(session, options.labels, hidden)),
        text_line("DESCRIPTION", session_description(session, options, hidden)),
        *place_lines(session_venue(session), session_location(session, options.country_name)),
        *links,
        shared_line("STATUS", vText, "CANCELLED" if session.is_cancelled else "CONFIRMED"),
        shared_line("SEQUENCE", vInt, stamp.sequence),
        shared_line("CREATED", vDatetime, utc(session.created_at or now)),
        shared_line("LAST-MODIFIED", vDatetime, modified),
    ])


def edition_event(edition, uid: str, url: str, country_name: Callable[[str], str],
                  now: datetime, stamp: Stamp | None = None) -> bytes:
    """An all-day VEVENT spanning the edition's local dates (SEQUENCE as in `session_event`)."""
    stamp = stamp or Stamp(edition.revision or 0, edition.updated_at or now)
    modified = utc(stamp.modified)
    first, after_last = all_day_range(edition.starts_on, edition.ends_on)
    description = "\n\n".join(part for part in (plain_text(edition.description), url) if part)
    return component(b"VEVENT", [
        text_line("UID", uid),
        shared_line("DTSTAMP", vDatetime, modified),
        content_line("DTSTART", vDate(first, params={"VALUE": "DATE"})),
        content_line("DTEND", vDate(after_last, params={"VALUE": "DATE"})),
        text_line("SUMMARY", edition.title),
        text_line("DESCRIPTION", description),
        *place_lines(edition.venue, ", ".join(venue_parts(edition.venue, country_name))),
        content_line("URL", vUri(uri(url))),
        shared_line("TRANSP", vText, "TRANSPARENT"),
        shared_line("STATUS", vText, "CONFIRMED"),
        shared_line("SEQUENCE", vInt, stamp.sequence),
        shared_line("CREATED", vDatetime, utc(edition.created_at or now)),
        shared_line("LAST-MODIFIED", vDatetime, modified),
    ])


def stamped(event: bytes, stamp: Stamp) -> bytes:
    """An event rendered with `UNSTAMPED`, with its real SEQUENCE, DTSTAMP and LAST-MODIFIED."""
    modified = datetime_value(utc(stamp.modified))
    for name in (b"DTSTAMP", b"LAST-MODIFIED"):
        event = event.replace(b"\r\n%s:%s\r\n" % (name, _UNSTAMPED_VALUE),
                              b"\r\n%s:%s\r\n" % (name, modified), 1)
    return event.replace(b"\r\nSEQUENCE:0\r\n", b"\r\nSEQUENCE:%d\r\n" % stamp.sequence, 1)


@lru_cache(maxsize=SHARED_LINES)
def datetime_value(instant: datetime) -> bytes:
    """A UTC instant as icalendar writes it (20270328T080000Z)."""
    return vDatetime(instant).to_ical()


_UNSTAMPED_VALUE = datetime_value(UNSTAMPED_TIME)


def session_summary(session, labels: Labels, hidden: bool) -> str:
    """The title ('Closed session' when hidden), 'Cancelled: ' first when it is cancelled:
    not every calendar shows STATUS."""
    title = labels.closed_session if hidden else session.title
    return f"{labels.cancelled_short}: {title}" if session.is_cancelled else title


def place_lines(venue, location: str) -> list[bytes]:
    """LOCATION and, where the venue has coordinates, GEO."""
    lines = [shared_line("LOCATION", Text, clean(location))] if location else []
    if venue is not None and venue.has_coordinates:
        # Not shared: 0.0 and -0.0 are one key but two texts.
        lines.append(content_line("GEO", Geo((venue.latitude, venue.longitude))))
    return lines


def session_uid(session, domain: str) -> str:
    """The UID that never changes for the life of a session."""
    return f"{session.uid}@{domain}"


def session_description(session, options: FeedOptions, hidden: bool) -> str:
    """Plain text: status, type and track, speakers, abstract, local time, link."""
    labels = options.labels
    when = local_time_line(session.starts_at, session.ends_at, session.edition.timezone, labels)
    if hidden:
        parts = [when]
    else:
        parts = [heading_line(session, labels), speakers_line(session, labels),
                 session.description_text or "", when]
        online = options.private if options.online_links is None else options.online_links
        if online and session.online_url:
            parts.append(f"{labels.online}: {session.online_url}")
        parts.append(options.session_url(session))
    if session.is_cancelled:
        parts.insert(0, labels.cancelled)
    return "\n\n".join(part for part in parts if part)


def heading_line(session, labels: Labels) -> str:
    """'Keynote · Track: Policy'."""
    line = labels.session_type(str(session.type))
    if session.track is not None:
        line += f" · {labels.track}: {session.track.name}"
    return line


def speakers_line(session, labels: Labels) -> str:
    """'Speakers: Ada Lovelace (INTERPOL), Alan Turing (UNICRI, moderator)'."""
    names = []
    for link in session.speaker_links:
        extras = [link.speaker.organization] if link.speaker.organization else []
        role = str(link.role or "speaker")
        if role != "speaker":
            extras.append(labels.roles.get(role) or role)
        names.append(f"{link.speaker.name} ({', '.join(extras)})" if extras else link.speaker.name)
    return f"{labels.speakers}: {', '.join(names)}" if names else ""


def local_time_line(starts_at: datetime, ends_at: datetime, zone: str, labels: Labels) -> str:
    """'2027-03-28, 10:00–11:30 Amsterdam time (CEST)'; both dates or zones when they differ."""
    start, end = to_local(starts_at, zone), to_local(ends_at, zone)
    first, last = zone_label(starts_at, zone), zone_label(ends_at, zone)
    place = labels.zone_time.format(city=city_of(zone))
    if start.date() != end.date():
        return f"{start:%Y-%m-%d %H:%M} {first} – {end:%Y-%m-%d %H:%M} {last}, {place}"
    if first != last:
        return f"{start:%Y-%m-%d}, {start:%H:%M} {first} – {end:%H:%M} {last}, {place}"
    return f"{start:%Y-%m-%d}, {start:%H:%M}–{end:%H:%M} {place} ({first})"


def zone_label(instant: datetime, zone: str) -> str:
    """'CET', or 'UTC+08' where the zone has no letters of its own."""
    label = zone_abbreviation(instant, zone)
    return f"UTC{label}" if label[:1] in "+-" else label


def session_location(session, country_name: Callable[[str], str]) -> str:
    """'Room B, World Forum, Churchillplein 10, The Hague, Netherlands' (what is known of it)."""
    if session.room is None:
        return ", ".join(venue_parts(session.edition.venue, country_name))
    return ", ".join([session.room.name, *venue_parts(session.room.venue, country_name)])


def session_venue(session):
    """The venue of the session's room, else the edition's venue (None when online)."""
    return session.room.venue if session.room is not None else session.edition.venue


def venue_parts(venue, country_name: Callable[[str], str]) -> list[str]:
    """The venue's name and address, without repeating a city the address already names."""
    if venue is None:
        return []
    address = venue.address or ""
    city = venue.city if venue.city and venue.city.lower() not in address.lower() else ""
    country = country_name(venue.country) if venue.country else ""
    if country and country.lower() == city.lower():
        country = ""
    return [part for part in (venue.name, address, city, country) if part]


def session_categories(session, labels: Labels) -> list[str]:
    """CATEGORIES: the track (if any) and the session type."""
    names = [session.track.name] if session.track is not None else []
    return [*names, labels.session_type(str(session.type))]


def all_day_range(first: date, last: date) -> tuple[date, date]:
    """DTSTART and the exclusive DTEND of an all-day span from `first` to `last` inclusive."""
    return first, last + timedelta(days=1)


def utc(instant: datetime) -> datetime:
    """The instant in UTC, which icalendar writes as 20270328T080000Z."""
    return instant.astimezone(UTC)


def clean(value: str) -> str:
    """Text icalendar can escape safely: every line break a LF, other control characters gone."""
    if _UNCLEAN.search(value) is None:
        return value
    return _LINE_BREAKS.sub("\n", value).translate(_CONTROLS)


def uri(value: str) -> str:
    """A URI value (icalendar does not escape it): never allowed to break the line."""
    return value.translate(_URI_CONTROLS)


def coordinate(value: float) -> str:
    """52.0894 rather than 52.089400000000005: six decimals at most."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def serialize(component: Component) -> bytes:
    """The component's content lines, as icalendar writes them in our order, folded."""
    return b"".join(fold(line.encode()) for line in component.content_lines(sorted=False)
                    if line)


def component(name: bytes, lines: Iterable[bytes]) -> bytes:
    """A component (b"VEVENT") around content lines already folded."""
    return b"".join([b"BEGIN:%s\r\n" % name, *lines, b"END:%s\r\n" % name])


def content_line(name: str, value) -> bytes:
    """One property as icalendar writes it (name, parameters, value), folded by `fold`."""
    return fold(Contentline.from_parts(name, value.params, value, sorted=False).encode())


def text_line(name: str, value: str) -> bytes:
    """A TEXT property, cleaned first (see `clean`)."""
    return content_line(name, Text(clean(value)))


@lru_cache(maxsize=SHARED_LINES)
def shared_line(name: str, kind: type, value) -> bytes:
    """`content_line` of a value many events share (a time, a place, a status), made once.

    `value` is what `kind` is made from (hashable: a UTC datetime, a string, a tuple)."""
    return content_line(name, kind(value))


@lru_cache(maxsize=SHARED_LINES)
def categories_line(names: tuple[str, ...]) -> bytes:
    """CATEGORIES with these names, in order."""
    return content_line("CATEGORIES", vCategory([Text(clean(name)) for name in names]))


def forget_lines() -> None:
    """Empty the remembered lines (a benchmark's cold start)."""
    for remembered in (shared_line, categories_line, datetime_value):
        remembered.cache_clear()


def fold(line: bytes) -> bytes:
    """Fold one line at 75 octets, never inside a UTF-8 character or a backslash escape."""
    if len(line) <= 75:
        return line + b"\r\n"
    pieces, start, width = [], 0, 75
    while len(line) - start > width:
        cut = start + width
        while line[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte
            cut -= 1
        backslashes = len(line[start:cut]) - len(line[start:cut].rstrip(b"\\"))
        if backslashes % 2:  # keep "\," and "\n" on one line for lenient parsers
            cut -= 1
        pieces.append(line[start:cut])
        start, width = cut, 74  # continuation lines begin with a space
    pieces.append(line[start:])
    return b"\r\n ".join(pieces) + b"\r\n"
