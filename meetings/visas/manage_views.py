"""Back office: visa settings (organizers), officers (admins), and decisions (visa officers).

Organizers see what waits and for how long, and a count by consulate; only the edition's visa
officers open the passport fields, each time by a POST that writes an audit entry (a GET never
commits, so a read it made could not be recorded).
"""

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from meetings.audit.service import record
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.models import Edition, utcnow
from meetings.registration.forms import ConfirmForm
from meetings.visas import documents, service
from meetings.visas.blueprint import bp, verify_url
from meetings.visas.crypto import data_key
from meetings.visas.forms import OfficerForm, RefuseForm, VisaSettingsForm
from meetings.visas.models import VisaRequest, VisaStatus
from meetings.web.access import managed_edition_or_403
from meetings.web.site_url import mail_site
from meetings.web.unit_of_work import domain_errors

PREFIX = "/manage/editions/<int:edition_id>/visas"


def officer_request_or_403(edition_id: int, request_id: int) -> tuple[Edition, VisaRequest]:
    """A request of an edition the current user is a visa officer of (organizers: 403)."""
    edition = db.get_or_404(Edition, edition_id)
    if not service.is_officer(current_user, edition):
        abort(403)
    request = db.get_or_404(VisaRequest, request_id)
    if request.edition_id != edition.id:
        abort(404)
    if data_key(current_app.config) is None:
        abort(503)
    return edition, request


def render_index(edition: Edition, *, settings_form=None, officer_form=None, status=200):
    settings = service.settings_of(edition.id)
    return render_template(
        "visas/manage.html", edition=edition, now=utcnow(),
        waiting=db.session.execute(service.waiting(edition.id)).all(),
        counts=service.status_counts(edition.id), S=VisaStatus,
        consulates=service.consulate_counts(edition.id) if data_key(current_app.config) else [],
        is_officer=service.is_officer(current_user, edition),
        officers=service.officers_of(edition.id), confirm=ConfirmForm(),
        settings_form=settings_form or VisaSettingsForm(formdata=None, obj=settings),
        officer_form=officer_form or OfficerForm(formdata=None)), status


@bp.get(PREFIX + "/")
@login_required
def manage_index(edition_id: int):
    return render_index(managed_edition_or_403(edition_id))


@bp.post(PREFIX + "/settings")
@login_required
def manage_settings(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    form = VisaSettingsForm()
    if not form.validate_on_submit():
        return render_index(edition, settings_form=form, status=400)
    with domain_errors(form) as outcome:
        service.save_settings(edition, enabled=form.enabled.data,
                              requests_until=form.requests_until.data)
        record(current_user, "visas.settings", "Visa support " + (
            f"on, requests until {form.requests_until.data}" if form.enabled.data else "off")
            + ".", edition=edition)
    if not outcome.ok:
        return render_index(edition, settings_form=form, status=400)
    flash(_("Visa settings saved."), "success")
    return redirect(url_for(".manage_index", edition_id=edition.id))


@bp.post(PREFIX + "/officers")
@login_required
def manage_add_officer(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    if not current_user.is_admin:
        abort(403)
    form = OfficerForm()
    if not form.validate_on_submit():
        return render_index(edition, officer_form=form, status=400)
    with domain_errors(form) as outcome:
        user = service.add_officer(edition, form.email.data)
        record(current_user, "visas.officer", f"{user.email} is a visa officer.",
               edition=edition)
    if not outcome.ok:
        return render_index(edition, officer_form=form, status=400)
    return redirect(url_for(".manage_index", edition_id=edition.id))


@bp.post(PREFIX + "/officers/<int:user_id>/remove")
@login_required
def manage_remove_officer(edition_id: int, user_id: int):
    edition = managed_edition_or_403(edition_id)
    if not current_user.is_admin:
        abort(403)
    if ConfirmForm().validate_on_submit():
        service.remove_officer(edition, user_id)
        record(current_user, "visas.officer", f"User #{user_id} is no longer a visa officer.",
               edition=edition)
    return redirect(url_for(".manage_index", edition_id=edition.id))


def audited_read(edition: Edition, request: VisaRequest, what: str) -> None:
    record(current_user, "visas.read", f"Visa request {request.reference} (registration "
           f"#{request.registration_id}): {what}.", edition=edition)


@bp.post(PREFIX + "/<int:request_id>/open")
@login_required
def manage_open(edition_id: int, request_id: int):
    """The passport fields, decrypted for a visa officer; the read is written to the audit log."""
    edition, request = officer_request_or_403(edition_id, request_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".manage_index", edition_id=edition.id))
    audited_read(edition, request, "passport details shown")
    return render_template("visas/detail.html", edition=edition, request=request,
                           S=VisaStatus, confirm=ConfirmForm(),
                           refuse_form=RefuseForm(formdata=None))


@bp.post(PREFIX + "/<int:request_id>/preview")
@login_required
def manage_preview(edition_id: int, request_id: int):
    edition, request = officer_request_or_403(edition_id, request_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".manage_index", edition_id=edition.id))
    audited_read(edition, request, "letter previewed")
    pdf = documents.render_pdf(service.letter_of(request, verify_url=verify_url(
        request.reference)))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="visa-letter-{request.reference}.pdf"'})


@bp.post(PREFIX + "/<int:request_id>/issue")
@login_required
def manage_issue(edition_id: int, request_id: int):
    edition, request = officer_request_or_403(edition_id, request_id)
    if ConfirmForm().validate_on_submit():
        with domain_errors() as outcome:
            service.decide(request, current_user, issue=True, message="", now=utcnow(),
                           site=mail_site())
            record(current_user, "visas.issue", f"Visa letter {request.reference} issued.",
                   edition=edition)
        if outcome.ok:
            flash(_("The letter is issued; the attendee can download it now."), "success")
    return redirect(url_for(".manage_index", edition_id=edition.id))


@bp.post(PREFIX + "/<int:request_id>/refuse")
@login_required
def manage_refuse(edition_id: int, request_id: int):
    """Refuse with a message; a missing message comes back as a note on the list (the passport
    fields are shown again only through an audited open)."""
    edition, request = officer_request_or_403(edition_id, request_id)
    form = RefuseForm()
    with domain_errors() as outcome:
        service.decide(request, current_user, issue=False,
                       message=form.message.data if form.validate_on_submit() else "",
                       now=utcnow(), site=mail_site())
        record(current_user, "visas.refuse", f"Visa letter {request.reference} refused.",
               edition=edition)
    if outcome.ok:
        flash(_("The request is refused; the attendee sees your message."), "success")
    return redirect(url_for(".manage_index", edition_id=edition.id))
