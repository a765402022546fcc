"""The words a person reads for each registration status: back-office pages and exports alike."""

from meetings.i18n import lazy_gettext as _l
from meetings.registration.models import RegistrationStatus

STATUS_LABELS = {
    RegistrationStatus.UNVERIFIED: _l("Waiting for email confirmation"),
    RegistrationStatus.PENDING: _l("Waiting for approval (seat held)"),
    RegistrationStatus.APPROVED: _l("Approved"),
    RegistrationStatus.REJECTED: _l("Not accepted"),
    RegistrationStatus.WAITLISTED: _l("On the waiting list"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
}


def status_label(status: RegistrationStatus | str) -> str:
    """The status in the active language; a value that is no status comes back as it is."""
    return str(STATUS_LABELS.get(status, status))
