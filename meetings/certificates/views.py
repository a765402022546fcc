"""Public pages: an attendee's certificate from their manage link, and the verification page
its QR code opens (name, edition and days only)."""

from flask import Response, abort, current_app, render_template

from meetings.certificates import service
from meetings.certificates.blueprint import bp
from meetings.certificates.documents import render_pdf
from meetings.models import utcnow
from meetings.registration.tokens import registration_or_404
from meetings.web.site_url import site_url


def reference_key() -> bytes:
    return service.reference_key(current_app.config["SECRET_KEY"])


@bp.get("/manage-registration/<token>/certificate.pdf")
def download(token: str):
    """The attendee's certificate, drawn now from their check-ins (404 if never checked in)."""
    registration = registration_or_404(token, utcnow())
    attendance = service.attendance_of(registration)
    if attendance is None:
        abort(404)
    certificate = service.certificate_of(attendance, key=reference_key(),
                                         site_url=site_url())
    response = Response(render_pdf(certificate), mimetype="application/pdf", headers={
        "Content-Disposition": 'attachment; filename="certificate.pdf"'})
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response


@bp.get("/verify/certificate/<reference>")
def verify(reference: str):
    """Whether a certificate is genuine: name, edition and days, or 'not found' (404)."""
    attendance = service.find(reference[:100], reference_key())
    return render_template("certificates/verify.html", attendance=attendance,
                           reference=reference[:100]), 200 if attendance else 404
