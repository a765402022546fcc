"""Registration's answers to the editions feature's signals (connected when imported)."""

import sqlalchemy as sa

from meetings.editions import signals as edition_signals
from meetings.extensions import db
from meetings.mail.service import erase_messages_about
from meetings.models import Edition
from meetings.registration.models import Registration


def registrations_of(edition: Edition) -> sa.Select:
    return sa.select(Registration.id).where(Registration.edition_id == edition.id)


@edition_signals.counting_contents.connect
def count_registrations(edition: Edition) -> dict[str, int]:
    return {"registrations": db.session.scalar(
        sa.select(sa.func.count()).select_from(registrations_of(edition).subquery()))}


@edition_signals.deleting.connect
def delete_registrations(edition: Edition) -> None:
    """Registrations go first, with their workshop seats and agenda choices (the database
    lets a session go only once nothing names it), and the mail that could only reach them."""
    erase_messages_about(registrations_of(edition))
    db.session.execute(sa.delete(Registration).where(Registration.edition_id == edition.id))
