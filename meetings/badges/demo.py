"""Demo badges for the upcoming edition: a few approved attendees (Arabic and Chinese names
among them, law enforcement and others), most badges printed, one reprinted."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from meetings.badges import service
from meetings.extensions import db
from meetings.models import Edition
from meetings.registration.configuration import settings_of
from meetings.registration.models import (
    LAW_ENFORCEMENT,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)

PEOPLE = (  # given, family, organization, country, category, name in Latin letters
    ("Amira", "Haddad", "Jordan Public Security Directorate", "JO", LAW_ENFORCEMENT, ""),
    ("محمد", "العتيبي", "شرطة دبي", "AE", LAW_ENFORCEMENT, "Mohammed Al-Otaibi"),
    ("小明", "王", "公安部", "CN", LAW_ENFORCEMENT, "Wang Xiaoming"),
    ("Lucía", "Fernández", "Ministerio del Interior", "ES", "government", ""),
    ("Kwame", "Mensah", "University of Ghana", "GH", "academia", ""),
    ("Ingrid", "Berg", "Nordic AI Lab", "NO", "industry", ""),
)


def category_ids(edition: Edition) -> dict[str, int]:
    return dict(db.session.execute(sa.select(RegistrationCategory.code, RegistrationCategory.id)
                                   .where(RegistrationCategory.edition_id == edition.id)).all())


def add_demo_badges(edition: Edition, *, secret: str, now: datetime) -> None:
    """Approved demo attendees with badges: four printed, one of them reprinted, two not."""
    settings, categories = settings_of(edition.id), category_ids(edition)
    people = []
    for n, (given, family, organization, country, code, _latin) in enumerate(PEOPLE, 1):
        person = Registration(
            edition_id=edition.id, category_id=categories.get(code, min(categories.values())),
            status=RegistrationStatus.APPROVED, email=f"demo.attendee{n}@example.org",
            given_name=given, family_name=family, organization=organization, country=country,
            consent_privacy_at=now, verified_at=now, arrival=settings.next_arrival(),
            created_at=now, updated_at=now)
        db.session.add(person)
        people.append(person)
    db.session.flush()
    for person, row in zip(people, PEOPLE, strict=True):
        if row[5]:
            service.set_latin_name(person, row[5], secret=secret, now=now)
    printed = service.to_print(edition, registration_ids=[p.id for p in people[:4]],
                               secret=secret, now=now)
    service.mark_printed(printed, now=now - timedelta(hours=2))
    service.reprint(people[0], reason="Badge left at the hotel (demo)", secret=secret, now=now)
    service.issue(people[4], secret=secret, now=now)
