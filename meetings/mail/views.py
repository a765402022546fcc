"""Manage → Mail (administrators): what the outbox holds, failed messages and their retry."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from meetings.audit.service import record
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.i18n import ngettext
from meetings.mail import service
from meetings.mail.blueprint import bp
from meetings.mail.forms import RetryForm
from meetings.mail.models import OutboxMessage, OutboxStatus
from meetings.models import utcnow
from meetings.web.access import admin_required
from meetings.web.request_guards import page_number


@bp.get("/")
@admin_required
def index():
    page = db.paginate(service.failed_messages(), page=page_number(), per_page=50,
                       error_out=False)
    retrying = db.session.scalars(service.retrying_messages().limit(50)).all()
    return render_template("mail/manage.html", counts=service.mail_counts(), page=page,
                           retrying=retrying, form=RetryForm())


@bp.post("/<int:message_id>/retry")
@admin_required
def retry(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if RetryForm().validate_on_submit() and message.status == OutboxStatus.FAILED:
        now = utcnow()
        service.retry_message(message, now)
        record(current_user, "mail.retry", f"Email #{message.id} to {message.to_address} "
               "queued again.", now=now)
        flash(_("The message is queued again."), "success")
    return redirect(url_for(".index"))


@bp.post("/retry-failed")
@admin_required
def retry_failed():
    if RetryForm().validate_on_submit():
        now = utcnow()
        messages = db.session.scalars(service.failed_messages()).all()
        for message in messages:
            service.retry_message(message, now)
        record(current_user, "mail.retry", f"{len(messages)} failed emails queued again.",
               now=now)
        flash(ngettext("%(num)d message is queued again.", "%(num)d messages are queued again.",
                       len(messages)), "success")
    return redirect(url_for(".index"))
