"""The agenda in the frab / c3voc schedule format (XML and JSON), pure: objects in, bytes out.

Conference apps (Giggity, ConfClerk, EventFahrplan) read it to show the agenda offline. Days
follow the edition's local dates; times are local with their UTC offset; guid is the session's
UUID, the same one the calendar feeds use. Sessions come in as a viewer may see them
(`agenda.visibility.public_view`): the rule of who sees a closed session lives there, and a
session without that view (no `withheld`) is refused rather than guessed at.
"""

import json
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from meetings.dates import local_day_bounds, to_local
from meetings.ical import Labels, session_summary

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
GENERATOR = {"name": "meetings", "version": "1"}
# Characters XML 1.0 cannot carry, even escaped.
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class ScheduleOptions:
    """Links the objects do not know: the edition page, its agenda and each session page."""

    edition_url: str
    agenda_url: str
    session_url: Callable[[object], str]
    labels: Labels = field(default_factory=Labels)
    # The tracks to list, when not every track of the edition is public.
    tracks: tuple | None = None


def schedule_json(edition, sessions: Iterable, options: ScheduleOptions) -> bytes:
    """schedule.json, valid against the c3voc schema (draft-06)."""
    document = {
        "$schema": SCHEMA_URL,
        "generator": GENERATOR,
        "schedule": {
            "version": schedule_version(edition),
            "base_url": options.edition_url,
            "conference": conference(edition, list(sessions), options),
        },
    }
    return json.dumps(document, ensure_ascii=False).encode() + b"\n"


def schedule_xml(edition, sessions: Iterable, options: ScheduleOptions) -> bytes:
    """schedule.xml, valid against schedule.xml.xsd (what Giggity reads)."""
    data = conference(edition, list(sessions), options)
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<schedule>",
             f"  {tag('generator', None, GENERATOR)}",
             f"  {tag('version', schedule_version(edition))}"]
    lines += conference_lines(data, options)
    for day in data["days"]:
        lines += day_lines(day)
    lines.append("</schedule>")
    return ("\n".join(lines) + "\n").encode()


def schedule_version(edition) -> str:
    """Moves with every change to the edition's agenda."""
    return str(edition.revision or 0)


def conference(edition, sessions: list, options: ScheduleOptions) -> dict:
    """The JSON `conference` object; the XML is written from the same data."""
    acronym = conference_acronym(edition.slug)
    days = schedule_days(edition, sessions, acronym, options)
    return {
        "acronym": acronym,
        "title": edition.title,
        "start": edition.starts_on.isoformat(),
        "end": edition.ends_on.isoformat(),
        "daysCount": len(days),
        "timeslot_duration": "00:05",
        "time_zone_name": edition.timezone,
        "url": options.edition_url,
        "tracks": [track_data(track) for track in (
            edition.tracks if options.tracks is None else options.tracks)],
        "rooms": [room_data(room, options) for room in rooms_of(sessions)],
        "days": days,
    }


def schedule_days(edition, sessions: list, acronym: str, options: ScheduleOptions) -> list[dict]:
    """One entry per local date, each with its events grouped by room in time order."""
    by_day: dict[date, list] = {day: [] for day in edition.days}
    for session in sorted(sessions, key=lambda s: (s.starts_at, s.id)):
        by_day.setdefault(to_local(session.starts_at, edition.timezone).date(), []).append(session)
    days = []
    for index, day in enumerate(sorted(by_day), start=1):
        start, end = local_day_bounds(day, edition.timezone)
        rooms: dict[str, list] = {}
        for session in by_day[day]:
            event = event_data(session, edition.timezone, acronym, options)
            rooms.setdefault(event["room"], []).append(event)
        days.append({
            "index": index,
            "date": day.isoformat(),
            "day_start": local_iso(start, edition.timezone),
            "day_end": local_iso(end, edition.timezone),
            "rooms": rooms,
        })
    return days


def event_data(session, zone: str, acronym: str, options: ScheduleOptions) -> dict:
    """One event from a session as the viewer may see it (agenda.visibility.public_view):
    a withheld one keeps only its time and room."""
    labels, hidden = options.labels, session.withheld
    minutes = session.duration_minutes
    return {
        "guid": session.uid,
        "id": session.id,
        "date": local_iso(session.starts_at, zone),
        "start": f"{to_local(session.starts_at, zone):%H:%M}",
        "duration": f"{minutes // 60}:{minutes % 60:02d}",
        "room": session.room.name if session.room else labels.no_room,
        "slug": event_slug(acronym, session, hidden),
        "url": options.agenda_url if hidden else options.session_url(session),
        # Apps show the title and subtitle, not a status: the title says it is cancelled.
        "title": session_summary(session, labels, hidden),
        "subtitle": labels.cancelled if session.is_cancelled else "",
        "track": None if hidden or session.track is None else session.track.name,
        "type": labels.closed_session if hidden else labels.session_type(str(session.type)),
        "language": None if hidden else session.language,
        "abstract": "" if hidden else session.description_text or "",
        "description": "",
        "persons": [] if hidden else [person_data(link) for link in session.speaker_links],
        "links": [],
    }


def person_data(link) -> dict:
    """A speaker as the pretalx-style person object (name, id, biography)."""
    speaker = link.speaker
    return {"id": speaker.id, "name": speaker.name, "biography": speaker.bio_text or None}


def track_data(track) -> dict:
    """A track with its colour (and its slug where the schemas accept it)."""
    data = {"name": track.name}
    if re.fullmatch(r"#[0-9a-fA-F]{6}", track.colour or ""):
        data["color"] = track.colour
    if re.fullmatch(r"[a-z][a-z0-9-]*[a-z0-9]", track.slug or ""):
        data["slug"] = track.slug
    return data


def room_data(room, options: ScheduleOptions) -> dict:
    """A room; its guid is derived from the site and the room's id, so it stays put."""
    return {
        "name": room.name,
        "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{options.edition_url}#room-{room.id}")),
        "capacity": room.capacity,
    }


def rooms_of(sessions: list) -> list:
    """The distinct rooms used by the sessions, by name."""
    rooms = {session.room.id: session.room for session in sessions if session.room is not None}
    return sorted(rooms.values(), key=lambda room: (room.name, room.id))


def conference_acronym(slug: str) -> str:
    """'2027' -> '2027', 'gm-2027' -> 'gm_2027': what both schemas accept as an acronym."""
    return re.sub(r"[^a-z0-9_]", "_", slug.lower()).ljust(4, "_")


def event_slug(acronym: str, session, hidden: bool) -> str:
    """'2027-12-opening-keynote': unique by the session id, ASCII, lowercase."""
    words = "" if hidden else ascii_slug(session.title)
    return f"{acronym}-{session.id}-{words or 'session'}"


def ascii_slug(title: str) -> str:
    """'Opening keynote: AI & policing' -> 'opening-keynote-ai-policing' ('' for non-Latin)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:50].strip("-")


def local_iso(instant, zone: str) -> str:
    """'2027-03-28T10:00:00+02:00'."""
    return to_local(instant, zone).isoformat(timespec="seconds")


def conference_lines(data: dict, options: ScheduleOptions) -> list[str]:
    """<conference> with title, acronym, dates, days, time zone and tracks."""
    children = [tag(name, data[name]) for name in ("acronym", "title", "start", "end")]
    children += [
        tag("days", str(data["daysCount"])),
        tag("timeslot_duration", data["timeslot_duration"]),
        tag("base_url", options.edition_url),
        tag("url", data["url"]),
        tag("time_zone_name", data["time_zone_name"]),
    ]
    children += [tag("track", None, track) for track in data["tracks"]]
    return ["  <conference>", *(f"    {child}" for child in children), "  </conference>"]


def day_lines(day: dict) -> list[str]:
    """<day> with one <room> per room and its <event>s."""
    attributes = {"index": str(day["index"]), "date": day["date"], "start": day["day_start"],
                  "end": day["day_end"]}
    lines = [f"  {open_tag('day', attributes)}"]
    for room_name, events in day["rooms"].items():
        lines.append(f"    {open_tag('room', {'name': room_name})}")
        for event in events:
            lines += event_lines(event)
        lines.append("    </room>")
    return [*lines, "  </day>"]


def event_lines(event: dict) -> list[str]:
    """<event guid id> with the children Giggity and the XSD expect."""
    children = [
        tag(name, event[name] or "")
        for name in ("date", "start", "duration", "room", "slug", "url", "title", "subtitle",
                     "track", "type", "language", "abstract", "description")
        # language is optional in the XSD; every other element is written, empty if need be
        if not (name == "language" and event[name] is None)
    ]
    persons = [tag("person", person["name"], {"id": str(person["id"])})
               for person in event["persons"]]
    lines = [f"      {open_tag('event', {'guid': event['guid'], 'id': str(event['id'])})}"]
    lines += [f"        {child}" for child in children]
    if persons:
        lines += ["        <persons>", *(f"          {p}" for p in persons), "        </persons>"]
    else:
        lines.append("        <persons/>")
    return [*lines, "        <links/>", "      </event>"]


def open_tag(name: str, attributes: dict) -> str:
    """<name a="1" b="2">."""
    return f"<{name}{attribute_text(attributes)}>"


def tag(name: str, text: str | None, attributes: dict | None = None) -> str:
    """One element on one line: <name a="1">text</name>, or <name a="1"/> when empty."""
    if not text:
        return f"<{name}{attribute_text(attributes or {})}/>"
    return f"<{name}{attribute_text(attributes or {})}>{xml_escape(text)}</{name}>"


def attribute_text(attributes: dict) -> str:
    return "".join(f' {key}="{xml_escape(value, quote=True)}"' for key, value in attributes.items())


def xml_escape(value: str, quote: bool = False) -> str:
    """Escape text for XML 1.0 and drop the characters it cannot carry at all."""
    value = _XML_INVALID.sub("", value).replace("&", "&amp;").replace("<", "&lt;")
    value = value.replace(">", "&gt;").replace("\r", "&#13;")
    if quote:
        value = value.replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    return value
