"""Attendance's answers to registration's signals (connected when the package is imported)."""

from datetime import datetime

import sqlalchemy as sa
from flask import url_for

from meetings.agenda import signals as agenda_signals
from meetings.attendance import agenda_choices, feed_tokens, workshops
from meetings.attendance.models import AgendaChoice, PersonalFeed, WorkshopSeat
from meetings.attendance.views import feed_key, personal_context
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.mail_site import MailSite
from meetings.models import LIMITED_SEAT_TYPES, Session
from meetings.registration import signals
from meetings.registration.exports import iso
from meetings.registration.models import Registration
from meetings.registration.personal_data import Section


@signals.leaving.connect
def free_workshop_places(registration: Registration, *, now: datetime, site: MailSite) -> None:
    """A registration gives up its seat: its workshop places go to the next in line (who are
    mailed)."""
    workshops.release_all(registration, now=now, site=site)


@signals.erasing.connect
def forget_own_agenda(registration: Registration) -> None:
    """Erasure: the feed address, the personal agenda and any workshop places go."""
    feed_tokens.forget_feed(registration)
    agenda_choices.forget_choices(registration)
    registration.workshops.clear()
    db.session.flush()


@signals.manage_page.connect
def manage_page_part(registration: Registration, *, token: str) -> dict:
    return personal_context(registration)


def seen_title(registration: Registration, session: Session) -> str:
    """A session's title as the attendee may see it (the manage page's rule)."""
    return session.title if agenda_choices.may_see(registration, session) else _("Closed session")


@agenda_signals.session_page.connect
def seats_left(session: Session) -> dict:
    """A workshop's public page tells how many places are still free."""
    if session.capacity is None or session.type not in LIMITED_SEAT_TYPES:
        return {}
    return {"seats_left": max(0, session.capacity - workshops.confirmed_count(session.id))}


@agenda_signals.session_audience.connect
def cancellation_audience(session: Session) -> int:
    """How many attendees the agenda-change digest tells that this session is cancelled."""
    chosen = agenda_choices.attendees_of([session.id]).subquery()
    return db.session.scalar(sa.select(sa.func.count(sa.distinct(chosen.c.id))))


@signals.personal_data.connect
def personal_data_sections(registration: Registration) -> list[Section]:
    """Workshop places, the personal agenda (by title) and the calendar address."""
    seats = db.session.execute(sa.select(WorkshopSeat, Session).join(Session).where(
        WorkshopSeat.registration_id == registration.id).order_by(Session.starts_at, Session.id))
    choices = db.session.execute(sa.select(AgendaChoice, Session).join(Session).where(
        AgendaChoice.registration_id == registration.id).order_by(Session.starts_at, Session.id))
    feed = db.session.scalar(sa.select(PersonalFeed).where(
        PersonalFeed.registration_id == registration.id))
    token = feed_tokens.existing_feed_token(registration, feed_key()) if feed else None
    return [
        Section("workshops", WorkshopSeat.__tablename__, [
            {"session": seen_title(registration, session), "starts_at": iso(session.starts_at),
             "status": seat.status.value, "since": iso(seat.created_at)}
            for seat, session in seats]),
        Section("personal_agenda", AgendaChoice.__tablename__, [
            {"session": seen_title(registration, session), "starts_at": iso(session.starts_at),
             "added_at": iso(choice.created_at)} for choice, session in choices]),
        Section("calendar_feed", PersonalFeed.__tablename__, [
            {"address": url_for("feeds.personal", token=token, _external=True) if token else None,
             "created_at": iso(feed.created_at)}] if feed else []),
    ]
