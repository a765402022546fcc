"""The visas blueprint; the view modules add their pages to it."""

from flask import Blueprint, url_for

bp = Blueprint("visas", __name__)


def verify_url(reference: str) -> str:
    """The public page a letter's QR code opens (the attendee's and the officer's copy alike)."""
    return url_for("visas.verify", reference=reference, _external=True)
