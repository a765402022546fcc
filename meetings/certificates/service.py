"""Certificates of attendance: who qualifies, the days and workshops they attended, the
reference that verifies a certificate, and the bulk mail of links. Nothing personal is stored:
each certificate is drawn from the check-ins when it is asked for.

The reference is an HMAC of (edition id, registration id) under a key derived from the server's
secret, shown after the edition id ("7-ABCD-EFGH-JKLM-NPQR"). The verification page recomputes
it for the edition's attendees; erasure removes the registration and its check-ins, so an erased
person's reference matches no one. Changing SECRET_KEY changes every reference (certificates
issued before no longer verify). Functions take `now`, flush, never commit.
"""

import base64
import hashlib
import hmac
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale, get_babel

from meetings.certificates.documents import Certificate, language_of
from meetings.certificates.models import CertificateSent
from meetings.checkin.models import CheckIn, CheckKind
from meetings.database import insert_on_conflict
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.mail.service import queue_message
from meetings.mail_site import MailSite
from meetings.models import LIMITED_SEAT_TYPES, Edition, Session
from meetings.registration.models import Registration
from meetings.registration.notify import new_manage_link

PURPOSE = b"meetings certificate reference v1"
ATTENDING = (CheckKind.COLLECTION, CheckKind.ENTRY, CheckKind.SESSION)  # not a check-out
REFERENCE = re.compile(r"(\d{1,9})-((?:[A-Z2-7]{4}-){3}[A-Z2-7]{4})")


@dataclass(frozen=True)
class Attendance:
    """One person's attendance: the local days they were admitted and the workshops they
    entered (titles, in time order)."""

    registration: Registration
    days: tuple[date, ...]
    workshops: tuple[str, ...] = field(default=())


def reference_key(secret: str) -> bytes:
    """The HMAC key of references, derived from the server secret under its own label."""
    return hmac.new(secret.encode("utf-8"), PURPOSE, hashlib.sha256).digest()


def reference_of(edition_id: int, registration_id: int, key: bytes) -> str:
    """The certificate's reference: edition id, then 80 bits of HMAC in base32 groups."""
    digest = hmac.new(key, f"{edition_id}:{registration_id}".encode("ascii"),
                      hashlib.sha256).digest()[:10]
    code = base64.b32encode(digest).decode("ascii")
    return f"{edition_id}-" + "-".join(code[at:at + 4] for at in range(0, 16, 4))


def attended(edition_id: int, registration_ids: Collection[int] | None = None
             ) -> dict[int, tuple[tuple[date, ...], tuple[str, ...]]]:
    """{registration id: (days, workshop titles)} from the admitted scans of the edition."""
    query = (sa.select(CheckIn.registration_id, CheckIn.day, Session)
             .outerjoin(Session, sa.and_(Session.id == CheckIn.session_id,
                                         CheckIn.kind == CheckKind.SESSION,
                                         Session.type.in_(LIMITED_SEAT_TYPES)))
             .where(CheckIn.edition_id == edition_id, CheckIn.admitted.is_(True),
                    CheckIn.kind.in_(ATTENDING), CheckIn.registration_id.is_not(None)))
    if registration_ids is not None:
        query = query.where(CheckIn.registration_id.in_(list(registration_ids)))
    days: dict[int, set[date]] = {}
    workshops: dict[int, dict[int, Session]] = {}
    for registration_id, day, session in db.session.execute(query):
        days.setdefault(registration_id, set()).add(day)
        if session is not None:
            workshops.setdefault(registration_id, {})[session.id] = session
    return {rid: (tuple(sorted(found)), tuple(
        s.title for s in sorted(workshops.get(rid, {}).values(),
                                key=lambda s: (s.starts_at, s.id)))) for rid, found in days.items()}


def qualifying(edition: Edition) -> list[Attendance]:
    """Everyone of the edition checked in at least once, by family name."""
    found = attended(edition.id)
    if not found:
        return []
    people = db.session.scalars(sa.select(Registration).where(
        Registration.edition_id == edition.id, Registration.id.in_(list(found)))
        .order_by(Registration.family_name, Registration.given_name, Registration.id))
    return [Attendance(person, *found[person.id]) for person in people]


def attendance_of(registration: Registration) -> Attendance | None:
    """The person's attendance, or None when they were never checked in."""
    found = attended(registration.edition_id, [registration.id]).get(registration.id)
    return Attendance(registration, *found) if found else None


def find(reference: str, key: bytes) -> Attendance | None:
    """The attendance a reference names, or None (malformed, unknown, erased)."""
    match = REFERENCE.fullmatch(reference.strip().upper())
    if match is None:
        return None
    edition_id = int(match.group(1))
    wanted = match.group(0)
    ids = list(attended(edition_id))  # only those with a certificate can match
    for registration_id in ids:
        if hmac.compare_digest(reference_of(edition_id, registration_id, key), wanted):
            registration = db.session.get(Registration, registration_id)
            return attendance_of(registration) if registration is not None else None
    return None


def mail_language(preferred: str | None) -> str:
    """The language of the mail: the person's when a translation catalogue exists for it,
    else English (the certificate itself has a text in each UN language, see documents.py)."""
    available = {str(locale) for locale in get_babel().instance.list_translations()}
    return preferred if preferred in available else "en"


def verify_url(site_url: str, reference: str) -> str:
    return f"{site_url.rstrip('/')}/verify/certificate/{reference}"


def certificate_of(attendance: Attendance, *, key: bytes, site_url: str) -> Certificate:
    """What the PDF shows; it is written in the person's language when drawn."""
    registration = attendance.registration
    edition = registration.edition
    venue = edition.venue
    reference = reference_of(edition.id, registration.id, key)
    return Certificate(
        name=registration.full_name, edition=edition.title,
        starts_on=edition.starts_on, ends_on=edition.ends_on,
        city=venue.city if venue is not None else "",
        country=venue.country if venue is not None else "",
        days=attendance.days, workshops=attendance.workshops, reference=reference,
        verify_url=verify_url(site_url, reference),
        language=language_of(registration.language))


def sent_ids(edition_id: int) -> set[int]:
    """Registrations already mailed their certificate link."""
    return set(db.session.scalars(sa.select(CertificateSent.registration_id).where(
        CertificateSent.edition_id == edition_id)))


def mark_sent(edition_id: int, registration_id: int, now: datetime) -> bool:
    """Record the send; False when it was recorded already (a second press, or a race)."""
    return db.session.scalar(
        insert_on_conflict(CertificateSent)
        .values(edition_id=edition_id, registration_id=registration_id, sent_at=now)
        .on_conflict_do_nothing(index_elements=["edition_id", "registration_id"])
        .returning(CertificateSent.id)) is not None


def send_link(registration: Registration, *, now: datetime, site: MailSite) -> None:
    """Queue the mail with a link to the certificate on the person's manage page.

    A link, not an attachment: the outbox keeps encrypted text bodies, not files.
    """
    link = new_manage_link(registration, now, site=site) + "/certificate.pdf"
    edition = registration.edition.title
    with force_locale(mail_language(registration.language)):
        subject = _("Your certificate of attendance: %(e)s", e=edition)
        context = {"name": registration.full_name, "note": "", "link": link,
                   "link_label": _("Download your certificate (PDF)"),
                   "paragraphs": [_("Thank you for attending %(e)s. Your certificate of "
                                    "attendance is ready.", e=edition)]}
        text = render_template("mail/message.txt", **context)
        html = render_template("mail/message.html", subject=subject, **context)
    queue_message(registration.email, subject, text, html, now=now,
                  registration_id=registration.id)


def send_certificates(edition: Edition, *, now: datetime, site: MailSite) -> int:
    """Mail each qualifying person the link to their certificate, once; how many were mailed."""
    count = 0
    for attendance in qualifying(edition):
        registration = attendance.registration
        if registration.email and mark_sent(edition.id, registration.id, now):
            send_link(registration, now=now, site=site)
            count += 1
    db.session.flush()
    return count


def forget(registration_id: int) -> None:
    """Erasure: the record that the person was mailed goes."""
    db.session.execute(sa.delete(CertificateSent).where(
        CertificateSent.registration_id == registration_id))
