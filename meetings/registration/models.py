"""Registration models: per-edition settings, categories, questions, invitations, registrations."""

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from meetings.extensions import db
from meetings.models import Edition, User, UTCDateTime, enum_column, utcnow


class RegistrationMode(enum.StrEnum):
    OPEN = "open"
    APPROVAL = "approval"
    INVITATION = "invitation"


class RegistrationStatus(enum.StrEnum):
    UNVERIFIED = "unverified"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


# Pending registrations hold a seat while they wait for a decision (as Indico counts them).
SEAT_HOLDING = (RegistrationStatus.PENDING, RegistrationStatus.APPROVED)

# Law-enforcement attendees see closed sessions, so their registrations always need approval.
LAW_ENFORCEMENT = "law_enforcement"


class EndorsementRule(enum.StrEnum):
    """Whether a focal point's endorsement comes before the secretariat's approval."""

    NONE = "none"  # focal points see who claims their organization; nobody waits for them
    DELEGATIONS = "delegations"  # whoever claims a delegation waits for its focal point
    # As above, and law-enforcement participants must belong to a law-enforcement delegation.
    LAW_ENFORCEMENT = "law_enforcement"


class Endorsement(enum.StrEnum):
    AWAITING = "awaiting"
    ENDORSED = "endorsed"
    DECLINED = "declined"


class OrganizationKind(enum.StrEnum):
    POLICE = "police"
    MINISTRY = "ministry"
    NCB = "ncb"  # an INTERPOL National Central Bureau
    INTERNATIONAL = "international"
    INDUSTRY = "industry"
    ACADEMIA = "academia"
    CIVIL_SOCIETY = "civil_society"


# Kinds whose people are law enforcement unless the organizer says otherwise.
LAW_ENFORCEMENT_KINDS = (OrganizationKind.POLICE, OrganizationKind.NCB)


class QuestionKind(enum.StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    CHECKBOX = "checkbox"


class RegistrationSettings(db.Model):
    """One row per edition; its row lock serializes every seat decision of that edition."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    edition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"), unique=True
    )
    opens_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    closes_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    capacity: so.Mapped[int | None] = so.mapped_column()
    mode: so.Mapped[RegistrationMode] = so.mapped_column(
        enum_column(RegistrationMode), default=RegistrationMode.OPEN
    )
    auto_promote: so.Mapped[bool] = so.mapped_column(default=True)
    privacy_notice: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Who answers for the data (the controller) and how to reach them, for the privacy page.
    controller: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    endorsement_rule: so.Mapped[EndorsementRule] = so.mapped_column(
        enum_column(EndorsementRule), default=EndorsementRule.NONE,
        server_default=EndorsementRule.NONE.value)
    # Arrival counter: taken under the lock, so it orders the waiting list exactly.
    last_arrival: so.Mapped[int] = so.mapped_column(default=0)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    edition: so.Mapped[Edition] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_non_negative"),
        sa.CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR closes_at > opens_at",
            name="closes_after_opens",
        ),
    )

    def is_open(self, now: datetime) -> bool:
        """Whether registering is possible at `now`: closed until both dates and a privacy
        notice are set (configuration.update_settings enforces them together)."""
        if self.opens_at is None or self.closes_at is None:
            return False
        if not (self.privacy_notice or "").strip():
            return False
        return self.opens_at <= now < self.closes_at

    def next_arrival(self) -> int:
        """The next number in arrival order (call only under the edition lock)."""
        self.last_arrival = (self.last_arrival or 0) + 1
        return self.last_arrival


class RegistrationCategory(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    edition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"), index=True
    )
    code: so.Mapped[str] = so.mapped_column(sa.String(40))
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    quota: so.Mapped[int | None] = so.mapped_column()
    requires_approval: so.Mapped[bool] = so.mapped_column(default=False)
    position: so.Mapped[int] = so.mapped_column(default=0)

    __table_args__ = (
        sa.UniqueConstraint("edition_id", "code"),
        sa.CheckConstraint("quota IS NULL OR quota >= 0", name="quota_non_negative"),
    )


class RegistrationQuestion(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    edition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"), index=True
    )
    label: so.Mapped[str] = so.mapped_column(sa.String(300))
    kind: so.Mapped[QuestionKind] = so.mapped_column(enum_column(QuestionKind))
    # Choices, one per line, for single and multiple choice questions.
    choices_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    required: so.Mapped[bool] = so.mapped_column(default=False)
    # Sensitive answers (health, beliefs…) follow dietary needs: short retention, own export.
    sensitive: so.Mapped[bool] = so.mapped_column(default=False)
    position: so.Mapped[int] = so.mapped_column(default=0)

    @property
    def choices(self) -> list[str]:
        return [line.strip() for line in self.choices_text.splitlines() if line.strip()]


class Organization(db.Model):
    """A police force, ministry, National Central Bureau, international organization, company,
    university or civil-society group, with its country (kept from one edition to the next)."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    kind: so.Mapped[OrganizationKind] = so.mapped_column(enum_column(OrganizationKind))
    country: so.Mapped[str] = so.mapped_column(sa.String(2), default="")
    law_enforcement: so.Mapped[bool] = so.mapped_column(default=False)

    __table_args__ = (sa.UniqueConstraint("name", "country"),)


class Delegation(db.Model):
    """An organization taking part in one edition, with its own quota of seats (on top of the
    edition's capacity and the category quotas, decided under the same edition lock)."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    edition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"), index=True)
    organization_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    quota: so.Mapped[int | None] = so.mapped_column()

    edition: so.Mapped[Edition] = so.relationship()
    organization: so.Mapped[Organization] = so.relationship(lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("edition_id", "organization_id"),
        sa.CheckConstraint("quota IS NULL OR quota >= 0", name="delegation_quota_non_negative"),
    )


class Invitation(db.Model):
    """A single-use code; only its hash is stored (the code travels in the invitation email).

    A nomination is an invitation with a delegation: bound to its email address, it fixes the
    organization and the category, and counts as endorsed by the delegation's focal point.
    """

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    edition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"), index=True
    )
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    delegation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("delegation.id", ondelete="CASCADE"), index=True)
    category_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("registration_category.id", ondelete="CASCADE"))
    # The nominee's name as the focal point wrote it (nominations only).
    name: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")

    delegation: so.Mapped[Delegation | None] = so.relationship()
    category: so.Mapped["RegistrationCategory | None"] = so.relationship()

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.revoked_at is None


class Registration(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    edition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"), index=True
    )
    category_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("registration_category.id", ondelete="RESTRICT"), index=True
    )
    status: so.Mapped[RegistrationStatus] = so.mapped_column(
        enum_column(RegistrationStatus), default=RegistrationStatus.UNVERIFIED, index=True
    )
    # NULL once anonymized, so the unique (edition, email) pair only binds real people.
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    given_name: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    family_name: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    organization: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    job_title: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    country: so.Mapped[str] = so.mapped_column(sa.String(2), default="")
    language: so.Mapped[str] = so.mapped_column(sa.String(10), default="en")
    dietary: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    accessibility: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    answers: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    consent_privacy_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    listed: so.Mapped[bool] = so.mapped_column(default=False)
    invitation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("invitation.id", ondelete="SET NULL")
    )
    arrival: so.Mapped[int | None] = so.mapped_column()
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    verified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # The delegation the person belongs to (claimed on the form, or fixed by a nomination),
    # its focal point's word on it, and whether they lead it.
    delegation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("delegation.id", ondelete="SET NULL"), index=True)
    endorsement: so.Mapped[Endorsement | None] = so.mapped_column(enum_column(Endorsement))
    head_of_delegation: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    edition: so.Mapped[Edition] = so.relationship()
    category: so.Mapped[RegistrationCategory] = so.relationship()
    delegation: so.Mapped[Delegation | None] = so.relationship()
    history: so.Mapped[list["RegistrationEvent"]] = so.relationship(
        back_populates="registration", cascade="all, delete-orphan",
        order_by="RegistrationEvent.id",
    )

    __table_args__ = (
        sa.UniqueConstraint("edition_id", "email"),
        sa.UniqueConstraint("edition_id", "arrival"),
    )

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_HOLDING



class RegistrationEvent(db.Model):
    """History: one row per status change or noteworthy action, with who and when."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    registration_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    actor: so.Mapped[str] = so.mapped_column(sa.String(20))  # attendee, organizer, system
    from_status: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    to_status: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    registration: so.Mapped[Registration] = so.relationship(back_populates="history")
    user: so.Mapped[User | None] = so.relationship()


class AccessToken(db.Model):
    """A manage link: sha256 of a random token (every email carries a fresh one)."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    registration_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)

    registration: so.Mapped[Registration] = so.relationship()
