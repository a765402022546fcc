"""Visas' answers to registration's signals (connected when the package is imported)."""

from datetime import datetime

from meetings.extensions import db
from meetings.mail_site import MailSite
from meetings.registration import signals
from meetings.registration.exports import iso
from meetings.registration.models import Registration, RegistrationStatus
from meetings.registration.personal_data import Section
from meetings.visas import service
from meetings.visas.models import VisaRequest


@signals.leaving.connect
def withdraw_letter(registration: Registration, *, now: datetime, site: MailSite) -> None:
    """Cancelled, rejected or erased: an open request or issued letter is withdrawn."""
    service.withdraw(registration, now=now)


@signals.erasing.connect
def forget_visa_requests(registration: Registration) -> None:
    """Erasure (and purge): the passport data and the requests' history go."""
    service.forget(registration)


@signals.manage_page.connect
def manage_page_part(registration: Registration, *, token: str) -> dict:
    """Approved attendees of an edition with visa support see a link to their request."""
    if registration.status != RegistrationStatus.APPROVED:
        return {}
    settings = service.settings_of(registration.edition_id)
    if not (settings and settings.enabled):
        return {}
    return {"page_sections": ["visas/_manage_section.html"],
            "visa_request": service.latest_request(registration)}


@signals.personal_data.connect
def personal_data_sections(registration: Registration) -> list[Section]:
    """The person's visa requests with the passport fields decrypted (their own data)."""
    requests = db.session.scalars(service.requests_of(registration)).all()
    return [Section("visa_requests", VisaRequest.__tablename__, [
        {"reference": r.reference, "status": r.status.value, "requested_at": iso(r.requested_at),
         "decided_at": iso(r.decided_at), "message": r.message,
         "passport_names": r.passport_names, "passport_number": r.passport_number,
         "issuing_state": r.issuing_state, "nationality": r.nationality,
         "date_of_birth": r.date_of_birth.isoformat(),
         "passport_expiry": r.passport_expiry.isoformat(), "consulate": r.consulate,
         "function": r.function,
         "history": [{"status": e.status.value, "at": iso(e.at), "message": e.message}
                     for e in r.history]} for r in requests])]
