"""Venues and their rooms: create, change and delete, keeping editions' feeds up to date."""

import dataclasses
import math
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from meetings.countries import is_country_code
from meetings.dates import is_valid_timezone
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.i18n import ngettext
from meetings.models import Room, Session, Venue


@dataclass
class VenueFields:
    """What an organizer enters for a venue."""

    name: str
    address: str
    city: str
    country: str
    timezone: str
    latitude: float | None = None
    longitude: float | None = None
    accessibility_notes: str = ""


@dataclass
class RoomFields:
    """What an organizer enters for a room."""

    name: str
    capacity: int | None = None
    floor: str = ""


# Reads ---------------------------------------------------------------------------------------

def venues_by_name() -> sa.Select:
    """Every venue with its rooms and editions, by name."""
    return (sa.select(Venue).order_by(Venue.name, Venue.id)
            .options(selectinload(Venue.rooms), selectinload(Venue.editions)))


def room_session_count(room: Room) -> int:
    """How many sessions (of any edition) take place in the room."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Session).where(Session.room_id == room.id))


def may_change(user, venue: Venue) -> bool:
    """Admins change any venue; organizers only one whose every edition they manage."""
    return user.is_admin or all(user.can_manage(edition) for edition in venue.editions)


# Venues --------------------------------------------------------------------------------------

def create_venue(fields: VenueFields) -> Venue:
    """Add a venue (no edition uses it yet)."""
    venue = Venue()
    apply_fields(venue, checked_venue(fields))
    db.session.add(venue)
    db.session.flush()
    return venue


def update_venue(venue: Venue, fields: VenueFields, *, now: datetime) -> Venue:
    """Change a venue; every edition held there gets a new revision."""
    apply_fields(venue, checked_venue(fields))
    touch_editions(venue, now)
    db.session.flush()
    return venue


def delete_venue(venue: Venue) -> None:
    """Delete a venue and its rooms, unless an edition uses it."""
    if venue.editions:
        names = ", ".join(sorted(edition.title for edition in venue.editions))
        raise DomainError(_l("This venue is used by %(editions)s: choose another venue there "
                             "first.", editions=names))
    db.session.delete(venue)
    db.session.flush()


def apply_fields(target, fields) -> None:
    for field in dataclasses.fields(fields):
        setattr(target, field.name, getattr(fields, field.name))


def checked_venue(fields: VenueFields) -> VenueFields:
    """Trim the text and check country, time zone and coordinates."""
    fields = dataclasses.replace(
        fields, name=fields.name.strip(), address=(fields.address or "").strip(),
        city=(fields.city or "").strip(), country=(fields.country or "").strip().upper(),
        timezone=(fields.timezone or "").strip(),
        accessibility_notes=fields.accessibility_notes or "")
    if not fields.name:
        raise DomainError(_l("Give the venue a name."), field="name")
    if not is_country_code(fields.country):
        raise DomainError(_l("Choose a country from the list."), field="country")
    if not is_valid_timezone(fields.timezone):
        raise DomainError(_l("Enter an IANA time zone such as Europe/Amsterdam."),
                          field="timezone")
    check_coordinates(fields.latitude, fields.longitude)
    return fields


def check_coordinates(latitude: float | None, longitude: float | None) -> None:
    """Both coordinates or neither, finite and in range."""
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        raise DomainError(_l("Give both latitude and longitude, or neither."), field=missing)
    if latitude is None:
        return
    if not math.isfinite(latitude) or not -90 <= latitude <= 90:
        raise DomainError(_l("Latitude is between -90 and 90."), field="latitude")
    if not math.isfinite(longitude) or not -180 <= longitude <= 180:
        raise DomainError(_l("Longitude is between -180 and 180."), field="longitude")


def touch_editions(venue: Venue, now: datetime) -> None:
    """Editions held at the venue show its rooms and address: their feeds must rebuild."""
    for edition in venue.editions:
        edition.touch(now)


# Rooms ---------------------------------------------------------------------------------------

def create_room(venue: Venue, fields: RoomFields, *, now: datetime) -> Room:
    """Add a room to a venue; names are unique within the venue."""
    fields = checked_room(venue, fields)
    room = Room(venue=venue)
    apply_fields(room, fields)
    db.session.add(room)
    touch_editions(venue, now)
    db.session.flush()
    return room


def update_room(room: Room, fields: RoomFields, *, now: datetime) -> Room:
    """Change a room's name, capacity or floor."""
    apply_fields(room, checked_room(room.venue, fields, room))
    touch_editions(room.venue, now)
    db.session.flush()
    return room


def delete_room(room: Room, *, now: datetime) -> None:
    """Delete a room, unless sessions take place in it."""
    count = room_session_count(room)
    if count:
        raise DomainError(ngettext(
            "%(num)d session takes place in this room: move or delete it first.",
            "%(num)d sessions take place in this room: move or delete them first.", count))
    venue = room.venue
    touch_editions(venue, now)
    venue.rooms.remove(room)
    db.session.flush()


def checked_room(venue: Venue, fields: RoomFields, room: Room | None = None) -> RoomFields:
    """Trim the text, check the capacity and that no other room of the venue has the name."""
    fields = dataclasses.replace(fields, name=fields.name.strip(),
                                 floor=(fields.floor or "").strip())
    if not fields.name:
        raise DomainError(_l("Give the room a name."), field="name")
    if fields.capacity is not None and fields.capacity <= 0:
        raise DomainError(_l("Capacity is a positive number of seats."), field="capacity")
    taken = {other.name.casefold() for other in venue.rooms if other is not room}
    if fields.name.casefold() in taken:
        raise DomainError(_l("This venue already has a room with this name."), field="name")
    return fields
