"""Agenda-change digests: one email per attendee naming every change to sessions they chose.

Organizers send them with a button, and `flask meetings send-mail` sends those of editions whose
last change is older than AGENDA_CHANGE_DIGEST_MINUTES. Mails go through the outbox, so an SMTP
outage delays them but loses nothing.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from flask import render_template
from flask_babel import force_locale

from meetings.agenda.changes import (
    ChangeSummary,
    SessionChange,
    forget,
    pending_changes,
    quiet_editions,
    summarize,
)
from meetings.attendance import agenda_choices
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.ical import Labels, local_time_line
from meetings.mail.service import queue_message
from meetings.mail_site import MailSite
from meetings.registration.models import Registration
from meetings.registration.notify import new_manage_link
from meetings.registration.seats import begin_immediate


def dispatch_due(now: datetime, window: timedelta, *, site: MailSite) -> int:
    """Send the digests of every edition whose last pending change is older than `window`."""
    count = 0
    for edition_id in db.session.scalars(quiet_editions(now - window)).all():
        count += dispatch(edition_id, now=now, site=site)
    return count


def dispatch(edition_id: int, *, now: datetime, site: MailSite) -> int:
    """Queue one digest per attendee of the edition's pending changes; returns how many."""
    begin_immediate()
    changes = db.session.scalars(
        pending_changes(edition_id).with_for_update(of=SessionChange, skip_locked=True)
    ).unique().all()
    summaries = {c.session_id: summarize(c) for c in changes}
    real = {sid: summary for sid, summary in summaries.items() if not summary.is_undone}
    forget(changes)
    by_attendee: dict[Registration, list[ChangeSummary]] = defaultdict(list)
    if real:
        for registration, session_id in db.session.execute(
                agenda_choices.attendees_of(list(real))).all():
            by_attendee[registration].append(real[session_id])
    for registration, summaries_of in by_attendee.items():
        send_digest(registration, summaries_of, now=now, site=site)
    db.session.flush()
    return len(by_attendee)


def pending_overview(edition_id: int) -> tuple[list[ChangeSummary], dict[int, int], int]:
    """The edition's pending changes, attendees per changed session, and attendees in all."""
    summaries = [summarize(c) for c in db.session.scalars(pending_changes(edition_id)).unique()]
    ids = [summary.session.id for summary in summaries if not summary.is_undone]
    per_session: dict[int, set[int]] = defaultdict(set)
    if ids:
        for registration, session_id in db.session.execute(agenda_choices.attendees_of(ids)):
            per_session[session_id].add(registration.id)
    everyone = set().union(*per_session.values())
    return summaries, {sid: len(people) for sid, people in per_session.items()}, len(everyone)


def send_digest(registration: Registration, changes: list[ChangeSummary], *,
                now: datetime, site: MailSite) -> None:
    """Queue the digest for one attendee, in their language, with a fresh manage link."""
    link = new_manage_link(registration, now, site=site)
    edition = registration.edition
    with force_locale(registration.language or "en"):
        subject = _("Agenda changes: %(e)s", e=edition.title)
        items = [change_lines(registration, change) for change in changes]
        context = {"name": registration.full_name, "items": items, "link": link,
                   "intro": _("The organizers changed sessions you chose for %(e)s:",
                              e=edition.title)}
        text = render_template("mail/agenda_changes.txt", **context)
        html = render_template("mail/agenda_changes.html", subject=subject, **context)
    queue_message(registration.email, subject, text, html, now=now,
                  registration_id=registration.id)


def change_lines(registration: Registration, change: ChangeSummary) -> tuple[str, list[str]]:
    """The session's name (as the attendee may see it) and one line per change."""
    session = change.session
    zone = session.edition.timezone
    labels = Labels(zone_time=_("{city} time"))
    title = session.title if agenda_choices.may_see(registration, session) else _(
        "Closed session")
    lines = []
    if change.status == "cancelled":
        lines.append(_("Cancelled."))
    elif change.status == "restored":
        lines.append(_("Scheduled again (it had been cancelled)."))
    if change.times is not None:
        old_start, old_end, new_start, new_end = change.times
        lines.append(_("Time: %(old)s → %(new)s",
                       old=local_time_line(old_start, old_end, zone, labels),
                       new=local_time_line(new_start, new_end, zone, labels)))
    if change.rooms is not None:
        old, new = (name or _("Room to be announced") for name in change.rooms)
        lines.append(_("Room: %(old)s → %(new)s", old=old, new=new))
    if change.times is None and change.status != "cancelled":
        lines.append(_("When: %(when)s", when=local_time_line(
            session.starts_at, session.ends_at, zone, labels)))
    return title, lines
