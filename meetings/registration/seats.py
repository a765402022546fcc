"""Seats: the edition lock, seat counts, and promotion from the waiting list.

Every decision that takes or frees a seat runs under the edition lock, so two requests can
never both take the last seat: PostgreSQL locks the edition's settings row (SELECT ... FOR
UPDATE); SQLite starts the transaction with BEGIN IMMEDIATE (one writer at a time).
"""

import sqlite3
from datetime import datetime

import sqlalchemy as sa

from meetings.config import SETTINGS_BY_NAME
from meetings.database import LOCK_TIMEOUT_OPTION
from meetings.errors import Busy, DomainError
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.models import User
from meetings.registration.models import (
    LAW_ENFORCEMENT,
    SEAT_HOLDING,
    Delegation,
    Endorsement,
    EndorsementRule,
    Registration,
    RegistrationCategory,
    RegistrationEvent,
    RegistrationMode,
    RegistrationSettings,
    RegistrationStatus,
)

BUSY_MESSAGE = _l("Many people are registering right now. Please try again in a moment; "
                  "nothing you entered is lost.")


def begin_immediate() -> None:
    """On SQLite, make the current transaction a write transaction before its first read."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.driver_connection
    # Once a write has happened the transaction already holds SQLite's write lock.
    if not raw.in_transaction:
        try:
            raw.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:  # "database is locked" after the busy timeout
            raise Busy(BUSY_MESSAGE) from error


def lock_edition(edition_id: int) -> RegistrationSettings:
    """Take the edition's registration lock and return its fresh settings.

    A stuck transaction elsewhere never hangs the request: after the engine's lock timeout
    (LOCK_TIMEOUT_MS) it raises Busy, and the request's unit of work rolls back.
    """
    begin_immediate()
    query = (sa.select(RegistrationSettings)
             .where(RegistrationSettings.edition_id == edition_id)
             .with_for_update()
             .execution_options(populate_existing=True))
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        timeout_ms = connection.get_execution_options().get(
            LOCK_TIMEOUT_OPTION, SETTINGS_BY_NAME["LOCK_TIMEOUT_MS"].default)
        settings = locked_with_timeout(query, timeout_ms)
    else:
        settings = db.session.scalar(query)
    if settings is None:
        raise DomainError(_l("Registration is not open for this edition."))
    return settings


def locked_with_timeout(query: sa.Select, timeout_ms: int) -> RegistrationSettings | None:
    """Run a FOR UPDATE query with PostgreSQL's lock_timeout; Busy when the lock is not had.

    Three statements: set ours (reading the one in force), lock, put that one back. A timeout
    aborts the transaction; Busy is a domain error, so the caller's unit of work rolls it back.
    """
    try:
        # Ours for this one statement, then whatever the operator configured.
        # OFFSET 0 keeps the subquery apart, so the old value is read before ours is set.
        before = sa.select(sa.func.current_setting("lock_timeout").label("previous")) \
            .offset(0).subquery()
        previous = db.session.scalar(sa.select(
            before.c.previous, sa.func.set_config("lock_timeout", f"{int(timeout_ms)}ms", True)))
        settings = db.session.scalar(query)
        db.session.execute(sa.select(sa.func.set_config("lock_timeout", previous, True)))
    except sa.exc.OperationalError as error:
        if getattr(error.orig, "sqlstate", None) == "55P03":  # lock_not_available
            raise Busy(BUSY_MESSAGE) from error
        raise
    return settings


def seats_taken(edition_id: int, category_id: int | None = None,
                delegation_id: int | None = None) -> int:
    """Registrations holding a seat (pending and approved), in the edition, one category or
    one delegation."""
    query = sa.select(sa.func.count(Registration.id)).where(
        Registration.edition_id == edition_id, Registration.status.in_(SEAT_HOLDING)
    )
    if category_id is not None:
        query = query.where(Registration.category_id == category_id)
    if delegation_id is not None:
        query = query.where(Registration.delegation_id == delegation_id)
    return db.session.scalar(query) or 0


def has_seat(settings: RegistrationSettings, category: RegistrationCategory,
             delegation: Delegation | None = None) -> bool:
    """Whether the edition, the category and the person's delegation all have a free seat
    (call under the lock)."""
    if settings.capacity is not None and seats_taken(settings.edition_id) >= settings.capacity:
        return False
    quota = category.quota
    if quota is not None and seats_taken(settings.edition_id, category.id) >= quota:
        return False
    return (delegation is None or delegation.quota is None
            or seats_taken(settings.edition_id, delegation_id=delegation.id) < delegation.quota)


def needs_endorsement(settings: RegistrationSettings, registration: Registration) -> bool:
    """Whether the secretariat waits for a focal point before deciding on this registration."""
    return (settings.endorsement_rule != EndorsementRule.NONE
            and registration.endorsement == Endorsement.AWAITING)


def seat_status(settings: RegistrationSettings, category: RegistrationCategory,
                delegation: Delegation | None = None) -> RegistrationStatus:
    """The status a registration gets when it takes a seat: pending if someone must approve it.

    Law enforcement always needs approval (it opens closed-session details), whatever the box
    says; so does every member of a delegation when the edition approves in stages (focal point,
    then secretariat).
    """
    if (settings.mode == RegistrationMode.APPROVAL or category.requires_approval
            or category.code == LAW_ENFORCEMENT
            or (delegation is not None and settings.endorsement_rule != EndorsementRule.NONE)):
        return RegistrationStatus.PENDING
    return RegistrationStatus.APPROVED


def waiting_list(edition_id: int) -> sa.Select:
    """Waitlisted registrations of an edition in arrival order."""
    return (
        sa.select(Registration)
        .where(Registration.edition_id == edition_id,
               Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.arrival, Registration.id)
    )


def change_status(registration: Registration, status: RegistrationStatus, *, now: datetime,
                  user: User | None = None, actor: str = "system", note: str = "") -> None:
    """Move a registration to a new status and write the history row."""
    # Added beside the history, not appended to it: appending would load every earlier row.
    db.session.add(RegistrationEvent(
        registration=registration,
        at=now, user=user if user is not None and getattr(user, "id", None) else None,
        actor=actor, from_status=registration.status.value, to_status=status.value, note=note,
    ))
    registration.status = status
    registration.updated_at = now
    db.session.flush()


def promote_waiting(settings: RegistrationSettings, now: datetime) -> list[Registration]:
    """Give free seats to the waiting list in arrival order (skipping full categories)."""
    if not settings.auto_promote:
        return []
    promoted = []
    for registration in db.session.scalars(waiting_list(settings.edition_id)).all():
        if settings.capacity is not None and seats_taken(settings.edition_id) >= settings.capacity:
            break
        if has_seat(settings, registration.category, registration.delegation):
            change_status(registration, seat_status(settings, registration.category,
                                                    registration.delegation), now=now,
                          note="promoted from the waiting list")
            promoted.append(registration)
    return promoted
