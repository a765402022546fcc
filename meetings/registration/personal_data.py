"""Everything stored about a person, for them to download: readable, and complete by table.

Every table with a foreign key to `registration` is one section (the test walks the metadata
and fails on a table no section covers). Registration's own tables are written here; features
built on registration answer the `personal_data` signal with their sections.
"""

import re
from dataclasses import dataclass

import sqlalchemy as sa

from meetings.agenda.visibility import CLOSED_SESSION, Viewer, public_fields
from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from meetings.models import AuditEntry, Session
from meetings.registration import configuration, signals
from meetings.registration.exports import iso
from meetings.registration.models import (
    LAW_ENFORCEMENT,
    AccessToken,
    Invitation,
    Registration,
    RegistrationEvent,
)


@dataclass(frozen=True)
class Section:
    """One part of the download: its name in the JSON, the table it comes from, its entries."""

    name: str
    table: str
    entries: list[dict]


def details(registration: Registration) -> dict:
    """The registration row, in words: category and question labels instead of ids."""
    labels = {str(q.id): q.label for q in db.session.scalars(
        configuration.questions_of(registration.edition_id))}
    invitation = db.session.get(Invitation, registration.invitation_id) \
        if registration.invitation_id else None
    return {
        "edition": registration.edition.title,
        "status": registration.status.value,
        "category": registration.category.name,
        "email": registration.email,
        **{name: getattr(registration, name) for name in (
            "given_name", "family_name", "organization", "job_title", "country", "language",
            "dietary", "accessibility", "listed", "arrival")},
        "answers": {labels.get(key, key): value for key, value in registration.answers.items()},
        "delegation": {"organization": registration.delegation.organization.name,
                       "endorsement": registration.endorsement and registration.endorsement.value,
                       "head_of_delegation": registration.head_of_delegation}
        if registration.delegation else None,
        "invitation": {"invited_at": iso(invitation.created_at),
                       "used_at": iso(invitation.used_at)} if invitation else None,
        "privacy_consent_at": iso(registration.consent_privacy_at),
        "created_at": iso(registration.created_at),
        "verified_at": iso(registration.verified_at),
        "updated_at": iso(registration.updated_at),
    }


def own_sections(registration: Registration) -> list[Section]:
    """History, manage links (dates only, never the token) and the emails sent to the person."""
    history = db.session.scalars(sa.select(RegistrationEvent).where(
        RegistrationEvent.registration_id == registration.id).order_by(RegistrationEvent.id))
    links = db.session.scalars(sa.select(AccessToken).where(
        AccessToken.registration_id == registration.id).order_by(AccessToken.id))
    mails = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.registration_id == registration.id).order_by(OutboxMessage.id))
    history = list(history)
    titles = session_titles(registration, [e.note for e in history])
    return [
        Section("history", RegistrationEvent.__tablename__, [
            {"at": iso(e.at), "by": e.actor, "from": e.from_status, "to": e.to_status,
             "note": readable_note(e.note, titles)} for e in history]),
        Section("manage_links", AccessToken.__tablename__, [
            {"created_at": iso(t.created_at), "expires_at": iso(t.expires_at)} for t in links]),
        Section("emails", OutboxMessage.__tablename__, [
            {"to": m.to_address, "subject": m.subject, "status": m.status.value,
             "queued_at": iso(m.created_at), "sent_at": iso(m.sent_at)} for m in mails]),
    ]


# Older history notes name a session by its id ("workshop 86 chosen (confirmed)").
SESSION_NOTE = re.compile(r"^(workshop|session) (\d+)\b")


def session_titles(registration: Registration, notes: list[str]) -> dict[int, str]:
    """Titles of the sessions that notes name by id, as the person may see them."""
    ids = {int(match[2]) for note in notes if (match := SESSION_NOTE.match(note or ""))}
    if not ids:
        return {}
    # The attendee's entitlement (meetings/attendance/agenda_choices.viewer_of, minus links).
    viewer = Viewer(sees_closed=registration.category.code == LAW_ENFORCEMENT)
    sessions = db.session.scalars(sa.select(Session).where(
        Session.id.in_(ids), Session.edition_id == registration.edition_id))
    return {session.id: public_fields(session.access, viewer, {"title": session.title},
                                      CLOSED_SESSION)["title"] for session in sessions}


def readable_note(note: str, titles: dict[int, str]) -> str:
    """A history note with the session it names by id named by its title."""
    match = SESSION_NOTE.match(note or "")
    if match is None or int(match[2]) not in titles:
        return note
    return f"{match[1]} “{titles[int(match[2])]}”{note[match.end():]}"


def audit_entries(registration: Registration) -> list[dict]:
    """Organizers' audit entries about this registration (they name it by number)."""
    entries = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.edition_id == registration.edition_id,
        AuditEntry.summary.startswith(f"Registration #{registration.id}:", autoescape=True))
        .order_by(AuditEntry.at, AuditEntry.id))
    return [{"at": iso(e.at), "action": e.action, "summary": e.summary} for e in entries]


def sections(registration: Registration) -> list[Section]:
    """Every section: registration's own, then those of the features built on it."""
    found = own_sections(registration)
    for _receiver, answer in signals.personal_data.send(registration):
        found.extend(answer)
    return found


def personal_data(registration: Registration) -> dict:
    """The whole download as one JSON-ready dict."""
    return {"registration": details(registration),
            **{section.name: section.entries for section in sections(registration)},
            "audit_log": audit_entries(registration)}
