"""Badge rules: issue one per approved registration, print, reprint with a reason, revoke.

Every function takes `now` (and the sealing secret where a key is needed), flushes, never
commits, and raises DomainError for what the organizer can fix.
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from meetings.attendance.models import WorkshopStatus
from meetings.badges import codes
from meetings.badges.documents import Face, Sheet, render_pdf
from meetings.badges.keys import key_for, public_keys, signing_key
from meetings.badges.models import Badge, BadgeKey, RevocationReason, RevokedBadge
from meetings.countries import country_name
from meetings.dates import local_day_bounds
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.models import Edition
from meetings.registration.models import LAW_ENFORCEMENT, Registration, RegistrationStatus

MAX_REASON = 200


def valid_until(edition: Edition) -> datetime:
    """A badge is good until the end of the edition's last day, in the edition's zone."""
    return local_day_bounds(edition.ends_on, edition.timezone)[1]


def active_badge(registration_id: int) -> Badge | None:
    """The registration's badge that is not revoked, if any."""
    return db.session.scalar(sa.select(Badge).where(
        Badge.registration_id == registration_id, Badge.revoked_at.is_(None)))


def badges_of(edition_id: int) -> sa.Select:
    """Every badge of an edition, newest first, with its registration."""
    return (sa.select(Badge).where(Badge.edition_id == edition_id)
            .options(selectinload(Badge.registration)).order_by(Badge.id.desc()))


def revoked_serials(edition_id: int) -> set[int]:
    return set(db.session.scalars(sa.select(RevokedBadge.serial).where(
        RevokedBadge.edition_id == edition_id)))


def revocations_of(edition_id: int) -> sa.Select:
    return (sa.select(RevokedBadge).where(RevokedBadge.edition_id == edition_id)
            .order_by(RevokedBadge.serial))


def next_serial(edition: Edition, *, secret: str, now: datetime) -> int:
    """The edition's next badge serial, taken under its key row's lock."""
    key = key_for(edition, secret=secret, now=now)
    key = db.session.scalar(sa.select(BadgeKey).where(BadgeKey.id == key.id)
                            .with_for_update().execution_options(populate_existing=True))
    key.last_serial += 1
    return key.last_serial


def issue(registration: Registration, *, secret: str, now: datetime) -> Badge:
    """The registration's badge, issued with a new serial when it has none."""
    if registration.status != RegistrationStatus.APPROVED:
        raise DomainError(_l("Only approved registrations get a badge."))
    badge = active_badge(registration.id)
    if badge is None:
        badge = Badge(edition_id=registration.edition_id, registration_id=registration.id,
                      serial=next_serial(registration.edition, secret=secret, now=now),
                      issued_at=now)
        db.session.add(badge)
        db.session.flush()
    return badge


def approved_of(edition: Edition, registration_ids: Sequence[int] | None) -> list[Registration]:
    """The edition's approved registrations (all, or these), by name; DomainError for others."""
    query = (sa.select(Registration).where(Registration.edition_id == edition.id,
                                           Registration.status == RegistrationStatus.APPROVED)
             .options(selectinload(Registration.category), selectinload(Registration.workshops))
             .order_by(Registration.family_name, Registration.given_name, Registration.id))
    if registration_ids is not None:
        query = query.where(Registration.id.in_(registration_ids))
    found = list(db.session.scalars(query))
    missing = sorted(set(registration_ids or ()) - {r.id for r in found})
    if missing:
        raise DomainError(_l("No approved registration %(ids)s in this edition.",
                             ids=", ".join(f"#{n}" for n in missing)))
    return found


def to_print(edition: Edition, *, registration_ids: Sequence[int] | None = None,
             only_new: bool = False, secret: str, now: datetime) -> list[Badge]:
    """The badges to print: of these registrations or all approved, optionally only unprinted."""
    badges = [issue(r, secret=secret, now=now) for r in approved_of(edition, registration_ids)]
    if only_new:
        badges = [badge for badge in badges if badge.printed_at is None]
    if not badges:
        raise DomainError(_l("There is no badge to print."))
    return badges


def mark_printed(badges: Sequence[Badge], *, now: datetime) -> None:
    for badge in badges:
        badge.printed_at = now
    db.session.flush()


def revoke(badge: Badge, reason: RevocationReason, *, now: datetime) -> None:
    """Put the badge's serial on the edition's revocation list for good."""
    if badge.revoked_at is None:
        badge.revoked_at = now
    listed = db.session.scalar(sa.select(RevokedBadge).where(
        RevokedBadge.edition_id == badge.edition_id, RevokedBadge.serial == badge.serial))
    if listed is None:
        db.session.add(RevokedBadge(edition_id=badge.edition_id, serial=badge.serial,
                                    reason=reason, revoked_at=now))
    else:
        listed.reason = reason
    db.session.flush()


def reprint(registration: Registration, *, reason: str, secret: str, now: datetime) -> Badge:
    """A new badge (new serial) replaces the printed one, whose code is revoked."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Say why the badge is printed again."), field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(_l("Keep the reason under %(n)d characters.", n=MAX_REASON),
                          field="reason")
    old = active_badge(registration.id)
    if old is None or old.printed_at is None:
        raise DomainError(_l("This badge has not been printed yet: print it instead."))
    revoke(old, RevocationReason.REPRINTED, now=now)
    badge = issue(registration, secret=secret, now=now)
    badge.reprint_reason, badge.latin_name = reason, old.latin_name
    db.session.flush()
    return badge


def set_latin_name(registration: Registration, latin_name: str, *, secret: str,
                   now: datetime) -> Badge:
    """The name in Latin letters printed under the name as the person writes it."""
    latin_name = (latin_name or "").strip()
    if len(latin_name) > 200:
        raise DomainError(_l("Keep the name under 200 characters."), field="latin_name")
    badge = issue(registration, secret=secret, now=now)
    badge.latin_name = latin_name
    db.session.flush()
    return badge


def withdraw(registration: Registration, *, now: datetime) -> None:
    """The registration gave up its seat (cancelled or rejected): its badge is revoked."""
    badge = active_badge(registration.id)
    if badge is not None:
        revoke(badge, RevocationReason.WITHDRAWN, now=now)


def forget(registration: Registration, *, now: datetime) -> None:
    """Erasure: every serial of the registration is revoked as erased, then its badges go."""
    for badge in db.session.scalars(sa.select(Badge).where(
            Badge.registration_id == registration.id)):
        revoke(badge, RevocationReason.ERASED, now=now)
        db.session.delete(badge)
    db.session.flush()


def payload_of(badge: Badge, key: BadgeKey) -> codes.Payload:
    """What the badge's code says: ids, access classes, validity; nothing personal."""
    registration = badge.registration
    workshops = sorted(seat.session_id for seat in registration.workshops
                       if seat.status == WorkshopStatus.CONFIRMED)
    return codes.Payload(key_id=key.id, edition_id=badge.edition_id,
                         registration_id=registration.id, serial=badge.serial,
                         valid_until=valid_until(registration.edition),
                         law_enforcement=registration.category.code == LAW_ENFORCEMENT,
                         workshops=tuple(workshops))


def code_of(badge: Badge, *, secret: str, now: datetime) -> str:
    """The signed code printed on the badge (Ed25519 signs deterministically)."""
    key = key_for(badge.registration.edition, secret=secret, now=now)
    try:
        return codes.sign(payload_of(badge, key), signing_key(key, secret))
    except codes.CodeError:
        raise DomainError(_l("%(name)s holds too many workshops for one badge code.",
                             name=badge.registration.full_name)) from None


CATEGORY_COLOURS = ("#1d4e89", "#7a2e0e", "#2e6b30", "#5b2a86", "#8a5a00", "#0f5e66", "#8c1c4a")
LAW_ENFORCEMENT_COLOUR = "#111111"


def colour_of(category) -> str:
    """The band colour: law enforcement black, others from a dark palette (white text reads)."""
    if category.code == LAW_ENFORCEMENT:
        return LAW_ENFORCEMENT_COLOUR
    return CATEGORY_COLOURS[category.position % len(CATEGORY_COLOURS)]


def face_of(badge: Badge, code: str) -> Face:
    registration = badge.registration
    latin = badge.latin_name if badge.latin_name != registration.full_name else ""
    return Face(name=registration.full_name, latin_name=latin,
                organization=registration.organization,
                country=country_name(registration.country) if registration.country else "",
                category=registration.category.name, colour=colour_of(registration.category),
                edition=registration.edition.title, code=code, serial=badge.serial)


def print_badges(edition: Edition, *, registration_ids: Sequence[int] | None = None,
                 only_new: bool = False, sheet: Sheet = Sheet.A4, secret: str,
                 now: datetime) -> tuple[bytes, list[Badge]]:
    """The PDF of the chosen badges, which are marked printed; and those badges."""
    badges = to_print(edition, registration_ids=registration_ids, only_new=only_new,
                      secret=secret, now=now)
    pdf = pdf_of(badges, sheet, secret=secret, now=now)
    mark_printed(badges, now=now)
    return pdf, badges


def pdf_of(badges: Sequence[Badge], sheet: Sheet, *, secret: str, now: datetime) -> bytes:
    return render_pdf([face_of(b, code_of(b, secret=secret, now=now)) for b in badges], sheet)


def reprint_pdf(registration: Registration, *, reason: str, secret: str,
                now: datetime) -> tuple[bytes, Badge]:
    """Reprint: the new badge's PDF (A6), marked printed; the old code is revoked."""
    badge = reprint(registration, reason=reason, secret=secret, now=now)
    pdf = pdf_of([badge], Sheet.A6, secret=secret, now=now)
    mark_printed([badge], now=now)
    return pdf, badge


def check(edition: Edition, code: str, *, now: datetime) -> codes.Verdict:
    """Whether a code admits its holder to this edition, and why not."""
    return codes.verify(code, edition_id=edition.id, keys=public_keys(),
                        revoked=revoked_serials(edition.id), now=now)


def roster(edition_id: int) -> list[tuple[Registration, list[Badge]]]:
    """The back office's list: approved registrations by name, each with its badges (newest
    first; the first is the active one unless all were revoked)."""
    registrations = db.session.scalars(
        sa.select(Registration).where(Registration.edition_id == edition_id,
                                      Registration.status == RegistrationStatus.APPROVED)
        .options(selectinload(Registration.category))
        .order_by(Registration.family_name, Registration.given_name, Registration.id)).all()
    badges: dict[int, list[Badge]] = {}
    for badge in db.session.scalars(sa.select(Badge).where(Badge.edition_id == edition_id)
                                    .order_by(Badge.id.desc())):
        badges.setdefault(badge.registration_id, []).append(badge)
    return [(registration, badges.get(registration.id, [])) for registration in registrations]
