"""Sensitive registration data: dietary and accessibility needs and answers to sensitive questions.

They are kept only until SENSITIVE_DATA_RETENTION_DAYS after the edition ends, then cleared by
`meetings purge --due` (a daily timer); they stay out of the general exports and reach organizers
only through the catering-and-access export, which is written to the audit log.
"""

from collections import Counter
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from meetings.extensions import db
from meetings.models import Edition
from meetings.registration.models import (
    Registration,
    RegistrationQuestion,
    RegistrationStatus,
)

SENSITIVE_FIELDS = ("dietary", "accessibility")


def clear_after(edition: Edition, retention_days: int) -> date:
    """The first day on which an edition's sensitive data is cleared."""
    return edition.ends_on + timedelta(days=retention_days + 1)


def sensitive_questions(edition_id: int) -> sa.Select:
    """The custom questions of an edition whose answers are sensitive."""
    return (sa.select(RegistrationQuestion)
            .where(RegistrationQuestion.edition_id == edition_id,
                   RegistrationQuestion.sensitive.is_(True))
            .order_by(RegistrationQuestion.position, RegistrationQuestion.id))


def has_sensitive_data(registration: Registration, question_ids: set[str]) -> bool:
    """Whether a registration still holds a need or an answer to a sensitive question."""
    return (any(getattr(registration, name) for name in SENSITIVE_FIELDS)
            or any(key in question_ids for key in registration.answers or {}))


def clear_registration(registration: Registration, question_ids: set[str]) -> None:
    """Empty a registration's needs and drop its answers to sensitive questions."""
    for name in SENSITIVE_FIELDS:
        setattr(registration, name, "")
    # A new dict, so the JSON column is seen as changed.
    registration.answers = {key: value for key, value in (registration.answers or {}).items()
                            if key not in question_ids}


def holding_sensitive_data(edition_id: int, question_ids: set[str]) -> sa.Select:
    """Registrations of an edition that may hold sensitive data (answers are checked in Python)."""
    query = sa.select(Registration).where(Registration.edition_id == edition_id)
    if not question_ids:
        query = query.where(sa.or_(*(getattr(Registration, name) != ""
                                     for name in SENSITIVE_FIELDS)))
    return query.order_by(Registration.id)


def clear_edition(edition: Edition) -> int:
    """Clear the sensitive data of every registration of an edition; returns how many changed."""
    question_ids = {str(q.id) for q in db.session.scalars(sensitive_questions(edition.id))}
    cleared = 0
    for registration in db.session.scalars(holding_sensitive_data(edition.id, question_ids)):
        if has_sensitive_data(registration, question_ids):
            clear_registration(registration, question_ids)
            cleared += 1
    db.session.flush()
    return cleared


def editions_past_retention(retention_days: int, now: datetime) -> sa.Select:
    """Editions whose sensitive data is due for clearing at `now`."""
    last_end = now.date() - timedelta(days=retention_days + 1)
    return sa.select(Edition).where(Edition.ends_on <= last_end).order_by(Edition.ends_on,
                                                                          Edition.id)


def clear_due(*, retention_days: int, now: datetime) -> list[tuple[Edition, int]]:
    """Clear every edition past its sensitive retention; returns (edition, count) where it did.

    Running it again changes nothing and returns nothing, so a daily timer may run it freely.
    """
    done = []
    for edition in db.session.scalars(editions_past_retention(retention_days, now)).all():
        cleared = clear_edition(edition)
        if cleared:
            done.append((edition, cleared))
    return done


def needs_of(edition_id: int) -> sa.Select:
    """Approved registrations of an edition, for the catering-and-access export."""
    return (sa.select(Registration)
            .where(Registration.edition_id == edition_id,
                   Registration.status == RegistrationStatus.APPROVED)
            .options(selectinload(Registration.category))
            .order_by(Registration.family_name, Registration.given_name, Registration.id))


def need_counts(registrations: list[Registration],
                questions: list[RegistrationQuestion]) -> list[tuple[str, str, int]]:
    """(need, answer, how many) for each distinct dietary, accessibility and sensitive answer."""
    counted: Counter[tuple[str, str]] = Counter()
    spelling: dict[tuple[str, str], str] = {}
    for registration in registrations:
        answers = registration.answers or {}
        given = [(name, getattr(registration, name)) for name in SENSITIVE_FIELDS]
        given += [(q.label, item) for q in questions
                  for item in answer_items(answers.get(str(q.id)))]
        for need, text in given:
            text = " ".join((text or "").split())
            if text:
                key = (need, text.casefold())
                spelling.setdefault(key, text)
                counted[key] += 1
    return [(need, spelling[(need, folded)], count)
            for (need, folded), count in sorted(counted.items())]


def answer_items(value) -> list[str]:
    """An answer as the items to count: each choice, 'yes' for a ticked box, else the text."""
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, bool):
        return ["yes"] if value else []
    return [] if value is None else [str(value)]
