"""Mail to the attendee when an officer decides their visa request, queued in the outbox in the
decision's transaction. It carries a link and, on a refusal, the officer's message; never the
letter or a passport field (the outbox and the mail server are no place for passport data)."""

from datetime import datetime

from flask import render_template
from flask_babel import force_locale

from meetings.i18n import gettext as _
from meetings.mail.service import queue_message
from meetings.mail_site import MailSite
from meetings.registration.notify import new_manage_link
from meetings.visas.models import VisaRequest, VisaStatus


def decision_lines(request: VisaRequest, edition: str) -> tuple[str, list[str], str]:
    """Subject, paragraphs and link label of the decision mail, in the active locale."""
    reference = request.reference
    if request.status == VisaStatus.ISSUED:
        return (_("Your visa support letter is ready: %(e)s", e=edition),
                [_("Your visa support letter for %(e)s (reference %(r)s) is issued.",
                   e=edition, r=reference),
                 _("It is not attached to this email because it holds your passport details: "
                   "download it from your registration page with the link below.")],
                _("Download your visa support letter"))
    return (_("Your visa support letter request: %(e)s", e=edition),
            [_("We are sorry: your request for a visa support letter for %(e)s (reference "
               "%(r)s) was refused.", e=edition, r=reference),
             _("If the reason below can be put right, you can make a new request from your "
               "registration page.")],
            _("See your registration"))


def send_decision_mail(request: VisaRequest, *, now: datetime, site: MailSite) -> None:
    """Queue the mail telling the attendee their letter is issued or refused."""
    registration = request.registration
    if not registration.email or request.status not in (VisaStatus.ISSUED, VisaStatus.REFUSED):
        return
    link = new_manage_link(registration, now, site=site) + "/visa"
    with force_locale(registration.language or "en"):
        subject, paragraphs, label = decision_lines(request, registration.edition.title)
        context = {"name": registration.full_name, "paragraphs": paragraphs, "link": link,
                   "link_label": label, "note": request.message
                   if request.status == VisaStatus.REFUSED else ""}
        text = render_template("mail/message.txt", **context)
        html = render_template("mail/message.html", subject=subject, **context)
    queue_message(registration.email, subject, text, html, now=now,
                  registration_id=registration.id)
