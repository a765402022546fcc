"""The attendee's visa letter request (from the self-service page) and the public check."""

from flask import Response, abort, current_app, flash, redirect, render_template, url_for

from meetings.i18n import gettext as _
from meetings.models import utcnow
from meetings.registration.forms import ConfirmForm
from meetings.registration.models import Registration, RegistrationStatus
from meetings.registration.tokens import registration_or_404
from meetings.visas import documents, service
from meetings.visas.blueprint import bp, verify_url
from meetings.visas.crypto import data_key
from meetings.visas.forms import VisaRequestForm
from meetings.visas.models import VisaStatus
from meetings.web.unit_of_work import domain_errors


def render_request_page(registration: Registration, token: str, form: VisaRequestForm,
                        status: int = 200):
    edition = registration.edition
    return render_template(
        "visas/request.html", registration=registration, edition=edition, token=token,
        form=form, confirm=ConfirmForm(), latest=service.latest_request(registration),
        accepting=service.accepting_requests(edition, utcnow()),
        settings=service.settings_of(edition.id), S=VisaStatus,
        approved=registration.status == RegistrationStatus.APPROVED), status


@bp.route("/manage-registration/<token>/visa", methods=["GET", "POST"])
def request_letter(token: str):
    registration = registration_or_404(token, utcnow())
    form = VisaRequestForm()
    if not form.is_submitted():
        return render_request_page(registration, token, form)
    if not form.validate():
        return render_request_page(registration, token, form, status=400)
    details = service.PassportDetails(
        passport_names=" ".join(form.passport_names.data.split()),
        passport_number=form.passport_number.data.strip().upper(),
        issuing_state=form.issuing_state.data, nationality=form.nationality.data,
        date_of_birth=form.date_of_birth.data, passport_expiry=form.passport_expiry.data,
        consulate=form.consulate.data.strip(), function=form.function.data.strip())
    with domain_errors(form) as outcome:
        service.request_letter(registration, details, key=data_key(current_app.config),
                               now=utcnow())
    if not outcome.ok:
        return render_request_page(registration, token, form, status=400)
    flash(_("Your request is sent. Once a visa officer has issued the letter, you can "
            "download it from this page."), "success")
    return redirect(url_for(".request_letter", token=token))


@bp.post("/manage-registration/<token>/visa/withdraw")
def withdraw(token: str):
    registration = registration_or_404(token, utcnow())
    if ConfirmForm().validate_on_submit() and service.withdraw(registration, now=utcnow()):
        flash(_("Your visa letter request is withdrawn; its reference no longer verifies."),
              "success")
    return redirect(url_for(".request_letter", token=token))


@bp.get("/manage-registration/<token>/visa/letter.pdf")
def letter(token: str):
    """The issued letter, rendered now from the sealed fields (the attendee's own data)."""
    registration = registration_or_404(token, utcnow())
    latest = service.latest_request(registration)
    if latest is None or latest.status != VisaStatus.ISSUED or data_key(current_app.config) is None:
        abort(404)
    pdf = documents.render_pdf(service.letter_of(latest, verify_url=verify_url(latest.reference)))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="visa-letter-{latest.reference}.pdf"'})


@bp.get("/verify/<reference>")
def verify(reference: str):
    """What a consulate may confirm: name, meeting, dates, last three passport characters."""
    found = service.by_reference(reference) if len(reference) <= 32 else None
    if found is None or data_key(current_app.config) is None:
        return render_template("visas/verify.html", found=None, reference=reference[:32]), 404
    edition = found.edition
    shown = {"status": found.status.value}
    if found.status == VisaStatus.ISSUED:
        shown.update(name=found.passport_names, edition=edition.title,
                     starts_on=edition.starts_on, ends_on=edition.ends_on,
                     passport_end=found.passport_number[-3:])
    return render_template("visas/verify.html", found=shown, reference=found.reference)
