"""Back office: who has a badge, printed when; print one, a selection or all new; reprint."""

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from meetings.audit.service import record
from meetings.badges import service
from meetings.badges.blueprint import bp
from meetings.badges.documents import Sheet
from meetings.badges.forms import LatinNameForm, PrintForm, ReprintForm
from meetings.badges.keys import secret_of
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.models import Edition, utcnow
from meetings.registration.models import Registration
from meetings.web.access import managed_edition_or_403
from meetings.web.unit_of_work import domain_errors

PREFIX = "/manage/editions/<int:edition_id>/badges"


def registration_of(edition: Edition, registration_id: int) -> Registration:
    registration = db.get_or_404(Registration, registration_id)
    if registration.edition_id != edition.id:
        abort(404)
    return registration


def pdf_response(pdf: bytes, filename: str) -> Response:
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def render_index(edition: Edition, *, print_form=None, failed=None, status: int = 200):
    """The page; `failed` is (registration id, form) of a reprint or name that needs fixing."""
    return render_template(
        "badges/manage.html", edition=edition, roster=service.roster(edition.id),
        print_form=print_form or PrintForm(formdata=None), failed=failed or (None, None),
        reprint_form=ReprintForm(formdata=None), latin_form=LatinNameForm(formdata=None),
        revoked=len(service.revoked_serials(edition.id))), status


@bp.get(PREFIX + "/")
@login_required
def manage_index(edition_id: int):
    return render_index(managed_edition_or_403(edition_id))


@bp.post(PREFIX + "/print")
@login_required
def manage_print(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    form = PrintForm()
    if not form.validate_on_submit():
        return render_index(edition, print_form=form, status=400)
    chosen = form.registrations.data if form.scope.data == "selected" else None
    now = utcnow()
    with domain_errors(form) as outcome:
        pdf, badges = service.print_badges(
            edition, registration_ids=chosen, only_new=form.scope.data == "new",
            sheet=Sheet(form.sheet.data), secret=secret_of(current_app.config), now=now)
        record(current_user, "badges.print", f"Printed {len(badges)} badges.", edition=edition,
               now=now)
    if not outcome.ok:
        return redirect(url_for(".manage_index", edition_id=edition.id))
    return pdf_response(pdf, f"badges-{edition.slug}.pdf")


@bp.post(PREFIX + "/<int:registration_id>/reprint")
@login_required
def manage_reprint(edition_id: int, registration_id: int):
    edition = managed_edition_or_403(edition_id)
    registration = registration_of(edition, registration_id)
    form = ReprintForm()
    if not form.validate_on_submit():
        return render_index(edition, failed=(registration.id, form), status=400)
    now = utcnow()
    with domain_errors(form) as outcome:
        pdf, badge = service.reprint_pdf(registration, reason=form.reason.data,
                                         secret=secret_of(current_app.config), now=now)
        record(current_user, "badges.reprint", f"Registration #{registration.id}: badge "
               f"reprinted as #{badge.serial}.", edition=edition, now=now)
    if not outcome.ok:
        return render_index(edition, failed=(registration.id, form), status=400)
    return pdf_response(pdf, f"badge-{edition.slug}-{badge.serial}.pdf")


@bp.post(PREFIX + "/<int:registration_id>/latin-name")
@login_required
def manage_latin_name(edition_id: int, registration_id: int):
    edition = managed_edition_or_403(edition_id)
    registration = registration_of(edition, registration_id)
    form = LatinNameForm()
    if not form.validate_on_submit():
        return render_index(edition, failed=(registration.id, form), status=400)
    with domain_errors(form) as outcome:
        service.set_latin_name(registration, form.latin_name.data,
                               secret=secret_of(current_app.config), now=utcnow())
    if not outcome.ok:
        return render_index(edition, failed=(registration.id, form), status=400)
    flash(_("The name in Latin letters is saved; it shows on the next print."), "success")
    return redirect(url_for(".manage_index", edition_id=edition.id))
