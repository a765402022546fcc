"""Public: what a scanner downloads to check badges offline (public keys, revoked serials)."""

import base64

from flask import jsonify

from meetings.badges import service
from meetings.badges.blueprint import bp
from meetings.badges.codes import VERSION
from meetings.badges.keys import edition_public_keys
from meetings.extensions import db
from meetings.registration.exports import iso
from meetings.web.access import visible_edition_or_404


def base64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


@bp.get("/<slug>/checkin/keys.json")
def keys(slug: str):
    """The edition's Ed25519 public keys: raw 32 bytes as base64url, with key id and edition."""
    edition = visible_edition_or_404(slug)
    response = jsonify({
        "edition": {"id": edition.id, "slug": edition.slug},
        "code": {"format": VERSION, "text": "base45", "signature": "Ed25519"},
        "keys": [{"key_id": key.key_id, "edition_id": key.edition_id, "algorithm": "Ed25519",
                  "public_key": base64url(key.raw)} for key in edition_public_keys(edition)],
    })
    response.cache_control.no_cache = True
    return response


@bp.get("/<slug>/checkin/revoked.json")
def revoked(slug: str):
    """The edition's revoked badge serials (cancelled, rejected, erased, reprinted)."""
    edition = visible_edition_or_404(slug)
    entries = db.session.scalars(service.revocations_of(edition.id)).all()
    response = jsonify({
        "edition": {"id": edition.id, "slug": edition.slug},
        "serials": [entry.serial for entry in entries],
        "revoked": [{"serial": entry.serial, "reason": entry.reason.value,
                     "revoked_at": iso(entry.revoked_at)} for entry in entries],
    })
    response.cache_control.no_cache = True
    return response
