"""The check-in API for the scanner page and other scanners: JSON, one token per device.

Every call carries `Authorization: Bearer <device token>`; docs/checkin-api.md describes it.
Only the scan upload is exempt from CSRF: it is authenticated by that header, never by a cookie.
"""

import base64

from flask import Response, jsonify, request

from meetings.badges.codes import VERSION
from meetings.badges.keys import public_keys
from meetings.badges.service import revocations_of
from meetings.checkin import reads, reasons, service
from meetings.checkin.blueprint import bp
from meetings.checkin.forms import MAX_BATCH, ScanShapeError, parse_scan
from meetings.checkin.models import CheckIn, DoorStaff
from meetings.checkin.staff import staff_by_token
from meetings.extensions import csrf, db
from meetings.models import utcnow
from meetings.registration.exports import iso
from meetings.registration.models import Registration

PREFIX = "/api/checkin"


def api_error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="checkin"'
    return no_store(response)


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def bearer_device() -> DoorStaff | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return staff_by_token(token.strip()) if scheme.lower() == "bearer" else None


def base64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def edition_of(staff: DoorStaff) -> dict:
    edition = staff.edition
    return {"id": edition.id, "slug": edition.slug, "title": edition.title,
            "timezone": edition.timezone}


@bp.get(PREFIX + "/roster")
def roster():
    """The approved people (door fields only) and the session doors, with the device's name."""
    if (staff := bearer_device()) is None:
        return api_error(401, "a valid device token is required")
    return no_store(jsonify({
        "edition": edition_of(staff), "device": {"id": staff.id, "name": staff.name},
        "generated_at": iso(utcnow()), "people": reads.roster(staff.edition),
        "sessions": [reads.door_of(s) for s in reads.doors(staff.edition)]}))


@bp.get(PREFIX + "/keys")
def keys():
    """Every badge public key (another edition's badge is then named as such, offline too)."""
    if (staff := bearer_device()) is None:
        return api_error(401, "a valid device token is required")
    return no_store(jsonify({
        "edition": edition_of(staff),
        "code": {"format": VERSION, "text": "base45", "signature": "Ed25519"},
        "keys": [{"key_id": key.key_id, "edition_id": key.edition_id, "algorithm": "Ed25519",
                  "public_key": base64url(key.raw)} for key in public_keys().values()]}))


@bp.get(PREFIX + "/revoked")
def revoked():
    """The edition's revoked badge serials."""
    if (staff := bearer_device()) is None:
        return api_error(401, "a valid device token is required")
    serials = [entry.serial for entry in db.session.scalars(revocations_of(staff.edition_id))]
    return no_store(jsonify({"edition": edition_of(staff), "serials": serials}))


def answer(row: CheckIn, new: bool) -> dict:
    person = db.session.get(Registration, row.registration_id) if row.registration_id else None
    return {"nonce": row.nonce, "status": "recorded" if new else "duplicate",
            "admitted": row.admitted, "reason": row.reason,
            "message": reasons.text_of(row.reason),
            "registration_id": row.registration_id, "serial": row.serial,
            "name": person.full_name if person else None,
            "category": person.category.name if person else None,
            "conflict": row.conflict_with_id is not None}


@bp.post(PREFIX + "/scans")
@csrf.exempt
def upload_scans():
    """Record a batch of scans; each answered in order (recorded, duplicate or error)."""
    if (staff := bearer_device()) is None:
        return api_error(401, "a valid device token is required")
    body = request.get_json(silent=True)
    records = body.get("scans") if isinstance(body, dict) else None
    if not isinstance(records, list) or not 0 < len(records) <= MAX_BATCH:
        return api_error(400, f'send {{"scans": [...]}} with 1 to {MAX_BATCH} scans')
    results: list[dict | None] = [None] * len(records)
    scans = []
    for index, record in enumerate(records):
        try:
            scans.append((index, parse_scan(record)))
        except ScanShapeError as error:
            results[index] = {"nonce": record.get("nonce") if isinstance(record, dict)
                              else None, "status": "error", "error": str(error)}
    outcomes = service.record_scans(staff.edition, [scan for _, scan in scans], staff=staff,
                                    now=utcnow())
    for (index, scan), outcome in zip(scans, outcomes, strict=True):
        results[index] = (answer(outcome.row, outcome.new) if outcome.error is None else
                          {"nonce": scan.nonce, "status": "error",
                           "error": str(outcome.error.message)})
    return no_store(jsonify({"results": results}))
