"""Each scan's answer in words: the reasons of badges.codes and of check-in, translated."""

from meetings.badges.codes import Reason
from meetings.checkin.models import CheckKind, Refusal
from meetings.i18n import lazy_gettext as _l

TEXT = {
    Refusal.ADMITTED: _l("Admitted"),
    Reason.MALFORMED: _l("Not a badge code"),
    Reason.UNKNOWN_KEY: _l("Unknown key: not a badge of this event"),
    Reason.BAD_SIGNATURE: _l("Bad signature: the code was altered or forged"),
    Reason.OTHER_EDITION: _l("Badge of another edition"),
    Reason.REVOKED: _l("Revoked badge (cancelled, erased or reprinted)"),
    Reason.EXPIRED: _l("Expired badge"),
    Refusal.UNKNOWN_PERSON: _l("No approved registration"),
    Refusal.ALREADY_COLLECTED: _l("Badge already collected"),
    Refusal.ALREADY_ADMITTED: _l("Already admitted (no check-out since)"),
    Refusal.NOT_FOR_THIS_ROOM: _l("Not for this room"),
    Refusal.PHOTO_ID: _l("Check the photo ID first"),
}
KIND_TEXT = {
    CheckKind.COLLECTION: _l("Badge collection"),
    CheckKind.ENTRY: _l("Daily entry"),
    CheckKind.SESSION: _l("Session door"),
    CheckKind.CHECKOUT: _l("Check-out"),
}


def text_of(reason: str) -> str:
    """The words for a reason (the reason itself when unknown, e.g. from a newer scanner)."""
    return str(TEXT.get(reason, reason))


def all_texts() -> dict[str, str]:
    """Every reason's words, for the scanner page (it answers offline in the same words)."""
    return {str(reason): str(text) for reason, text in TEXT.items()}
