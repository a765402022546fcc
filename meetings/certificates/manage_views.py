"""Back office: who qualifies for a certificate, who was mailed it, and the one button that
mails the rest a link to theirs."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from meetings.audit.service import record
from meetings.certificates import service
from meetings.certificates.blueprint import bp
from meetings.certificates.forms import SendForm
from meetings.i18n import gettext as _
from meetings.models import utcnow
from meetings.web.access import managed_edition_or_403
from meetings.web.site_url import mail_site
from meetings.web.unit_of_work import domain_errors

PREFIX = "/manage/editions/<int:edition_id>/certificates"


@bp.get(PREFIX)
@login_required
def manage_index(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    return render_template("certificates/manage.html", edition=edition,
                           people=service.qualifying(edition),
                           sent=service.sent_ids(edition.id), form=SendForm(formdata=None))


@bp.post(PREFIX + "/send")
@login_required
def manage_send(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    form = SendForm()
    if not form.validate_on_submit():
        flash(_("The form expired; please press the button again."), "warning")
        return redirect(url_for(".manage_index", edition_id=edition.id))
    now = utcnow()
    with domain_errors(form) as outcome:
        count = service.send_certificates(edition, now=now, site=mail_site())
        record(current_user, "certificates.send",
               f"Queued {count} certificate emails.", edition=edition, now=now)
    if outcome.ok:
        flash(_("%(n)d emails with a link to the certificate were queued.", n=count), "success")
    return redirect(url_for(".manage_index", edition_id=edition.id))
