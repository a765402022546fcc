"""What survives an erased or purged registration: a count by category, country, status and day.

The registration row itself is deleted (its id, times and arrival order would link it back to a
person); the count keeps only what the dashboard and the organizers' reports need.
"""

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from meetings.dates import to_local
from meetings.extensions import db
from meetings.registration.models import Registration


class ErasedRegistrationCount(db.Model):
    """How many registrations of one kind were erased; nothing in it names or links a person."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    edition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"), index=True
    )
    category_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("registration_category.id", ondelete="CASCADE"), index=True
    )
    country: so.Mapped[str] = so.mapped_column(sa.String(2))
    status: so.Mapped[str] = so.mapped_column(sa.String(20))
    # The day the registration was made, in the edition's time zone.
    day: so.Mapped[date] = so.mapped_column(sa.Date)
    count: so.Mapped[int] = so.mapped_column(default=0)

    __table_args__ = (
        sa.UniqueConstraint("edition_id", "category_id", "country", "status", "day"),
    )


def count_erased(registration: Registration) -> None:
    """Add the registration to the anonymous counts before it is deleted."""
    key = dict(edition_id=registration.edition_id, category_id=registration.category_id,
               country=registration.country or "", status=registration.status.value,
               day=to_local(registration.created_at, registration.edition.timezone).date())
    row = db.session.scalar(sa.select(ErasedRegistrationCount).filter_by(**key))
    if row is None:
        row = ErasedRegistrationCount(**key, count=0)
        db.session.add(row)
    row.count += 1


def erased_counts(edition_id: int) -> sa.Select:
    """The anonymous counts of an edition's erased registrations, by day."""
    return (sa.select(ErasedRegistrationCount)
            .where(ErasedRegistrationCount.edition_id == edition_id)
            .order_by(ErasedRegistrationCount.day, ErasedRegistrationCount.id))
