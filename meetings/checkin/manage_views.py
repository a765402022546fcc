"""Back office: counts per room and day, conflicts, recent scans; door-staff devices."""

from flask import flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required

from meetings.audit.service import record
from meetings.checkin import reads, reasons
from meetings.checkin.blueprint import bp
from meetings.checkin.forms import OpenScannerForm, RevokeStaffForm, StaffForm
from meetings.checkin.staff import create_staff, revoke_staff, staff_of
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.models import Edition, utcnow
from meetings.web.access import managed_edition_or_403
from meetings.web.request_guards import optional_id
from meetings.web.unit_of_work import domain_errors

PREFIX = "/manage/editions/<int:edition_id>/checkin"


@bp.get(PREFIX)
@login_required
def manage_index(edition_id: int):
    """Counts per room and day, conflicts to settle, the latest scans (kept live by
    static/js/live.js, which fetches manage_live)."""
    return render_index(managed_edition_or_403(edition_id))


def render_index(edition: Edition, status: int = 200):
    return render_template("checkin/manage.html", **live_context(edition),
                           open_form=OpenScannerForm()), status


@bp.get(PREFIX + "/live")
@login_required
def manage_live(edition_id: int):
    """The live part of the back-office page alone, for static/js/live.js to swap in."""
    response = make_response(render_template("checkin/_live.html",
                                             **live_context(managed_edition_or_403(edition_id))))
    response.headers["Cache-Control"] = "no-store"
    return response


def live_context(edition: Edition) -> dict:
    return {"edition": edition, "counts": reads.counts(edition.id),
            "conflicts": reads.conflicts_of(edition.id), "recent": reads.recent(edition.id),
            "kinds": reasons.KIND_TEXT, "text_of": reasons.text_of}


@bp.post(PREFIX + "/device")
@login_required
def manage_open_scanner(edition_id: int):
    """A scanner on this device: a door-staff device in the organizer's name, opened at once."""
    edition = managed_edition_or_403(edition_id)
    form = OpenScannerForm()
    if not form.validate_on_submit():
        return render_index(edition, status=400)
    now = utcnow()
    with domain_errors(form) as outcome:
        staff, token = create_staff(edition, _("%(name)s (organizer)", name=current_user.name),
                                    now=now)
        record(current_user, "checkin.device", f"Door-staff device #{staff.id} opened by an "
               "organizer.", edition=edition, now=now)
    if not outcome.ok:
        return redirect(url_for(".manage_index", edition_id=edition.id))
    return redirect(url_for(".device", token=token))


def render_staff(edition: Edition, *, form=None, created=None, status: int = 200):
    """The devices page; `created` is (device, link) right after creating one (shown once)."""
    return render_template(
        "checkin/staff.html", edition=edition, staff=db.session.scalars(staff_of(edition.id)),
        form=form or StaffForm(formdata=None), revoke_form=RevokeStaffForm(formdata=None),
        created=created), status


@bp.get(PREFIX + "/staff")
@login_required
def manage_staff(edition_id: int):
    return render_staff(managed_edition_or_403(edition_id))


@bp.post(PREFIX + "/staff")
@login_required
def manage_create_staff(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    form = StaffForm()
    if not form.validate_on_submit():
        return render_staff(edition, form=form, status=400)
    now = utcnow()
    with domain_errors(form) as outcome:
        staff, token = create_staff(edition, form.name.data, now=now)
        record(current_user, "checkin.staff", f"Door-staff device #{staff.id} created.",
               edition=edition, now=now)
    if not outcome.ok:
        return render_staff(edition, form=form, status=400)
    link = url_for(".device", token=token, _external=True)
    return render_staff(edition, created=(staff, link, token))


@bp.post(PREFIX + "/staff/revoke")
@login_required
def manage_revoke_staff(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    form = RevokeStaffForm()
    if not form.validate_on_submit():
        return render_staff(edition, status=400)
    now = utcnow()
    with domain_errors(form) as outcome:
        staff = revoke_staff(edition, optional_id(form.staff_id.data), now=now)
        record(current_user, "checkin.revoke", f"Door-staff device #{staff.id} revoked.",
               edition=edition, now=now)
    if outcome.ok:
        flash(_("The device can no longer open the scanner."), "success")
    return redirect(url_for(".manage_staff", edition_id=edition.id))
