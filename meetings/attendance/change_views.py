"""Organizers: pending agenda changes and the button that emails attendees their digests."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from meetings.attendance.blueprint import bp
from meetings.attendance.change_mail import dispatch, pending_overview
from meetings.audit.service import record
from meetings.i18n import ngettext
from meetings.models import utcnow
from meetings.registration.forms import ConfirmForm
from meetings.web.access import managed_edition_or_403
from meetings.web.site_url import mail_site

PATH = "/manage/editions/<int:edition_id>/agenda/changes"


@bp.get(PATH)
@login_required
def agenda_changes(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    summaries, attendees, people = pending_overview(edition.id)
    return render_template("attendance/agenda_changes.html", edition=edition,
                           summaries=summaries, attendees=attendees, people=people,
                           form=ConfirmForm())


@bp.post(PATH)
@login_required
def notify_changes(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    if ConfirmForm().validate_on_submit():
        now = utcnow()
        count = dispatch(edition.id, now=now, site=mail_site())
        record(current_user, "agenda.changes_notified",
               f"Emailed agenda changes to {count} attendee(s)", edition=edition, now=now)
        flash(ngettext("%(num)d attendee was emailed their agenda changes.",
                       "%(num)d attendees were emailed their agenda changes.", count), "success")
    return redirect(url_for(".agenda_changes", edition_id=edition.id))
