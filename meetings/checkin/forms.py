"""Check-in forms and the API's scan records: shape only (the rules are the service's)."""

import re
from datetime import UTC, datetime

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired, Length

from meetings.checkin.models import CheckKind
from meetings.checkin.service import Scan
from meetings.i18n import lazy_gettext as _l
from meetings.models import id_number

NONCE = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_CODE = 300
MAX_BATCH = 500


class StaffForm(FlaskForm):
    name = StringField(_l("Name of the person or device at the door"),
                       validators=[InputRequired(), Length(max=120)])


class RevokeStaffForm(FlaskForm):
    staff_id = HiddenField(validators=[InputRequired()])


class OpenScannerForm(FlaskForm):
    """One button: a scanner on this device, as a door-staff device of the organizer."""


class ScanShapeError(ValueError):
    """A scan record the API cannot read; its message says which field."""


def optional_int(value, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ScanShapeError(f"{name} must be a number")
    try:
        return id_number(str(value))
    except ValueError:
        raise ScanShapeError(f"{name} must be a number") from None


def instant(value) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise ScanShapeError("scanned_at must be an ISO 8601 time")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ScanShapeError("scanned_at must be an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ScanShapeError("scanned_at needs a time zone (Z or an offset)")
    return moment.astimezone(UTC)


def parse_scan(record) -> Scan:
    """One scan of a POST /api/checkin/scans batch; ScanShapeError names what is wrong."""
    if not isinstance(record, dict):
        raise ScanShapeError("each scan must be an object")
    nonce = record.get("nonce")
    if not isinstance(nonce, str) or not NONCE.fullmatch(nonce):
        raise ScanShapeError("nonce must be 8 to 64 letters, digits, - or _")
    try:
        kind = CheckKind(record.get("kind"))
    except ValueError:
        raise ScanShapeError("kind must be one of " + ", ".join(k.value for k in CheckKind)) \
            from None
    code = record.get("code")
    if code is not None and (not isinstance(code, str) or not code.strip()
                             or len(code) > MAX_CODE):
        raise ScanShapeError("code must be the text of a badge code")
    registration_id = optional_int(record.get("registration_id"), "registration_id")
    if (code is None) == (registration_id is None):
        raise ScanShapeError("give either code or registration_id")
    flags = {name: record.get(name) for name in ("photo_id_checked", "offline")}
    if any(not isinstance(value, bool | None) for value in flags.values()) \
            or not isinstance(record.get("device_admitted"), bool | None):
        raise ScanShapeError("photo_id_checked, offline and device_admitted are true or false")
    return Scan(nonce=nonce, kind=kind, scanned_at=instant(record.get("scanned_at")),
                code=code, registration_id=registration_id,
                session_id=optional_int(record.get("session_id"), "session_id"),
                photo_id_checked=bool(flags["photo_id_checked"]),
                device_admitted=record.get("device_admitted"), offline=bool(flags["offline"]))
