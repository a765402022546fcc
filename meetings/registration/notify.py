"""Emails to registrants, written in their language and queued in the outbox with a fresh link."""

from datetime import datetime

from flask import render_template
from flask_babel import force_locale

from meetings.i18n import gettext as _
from meetings.mail.service import queue_message
from meetings.mail_site import MailSite
from meetings.models import Edition
from meetings.registration.models import Invitation, Registration
from meetings.registration.tokens import issue_token


def manage_link(token: str, *, site: MailSite) -> str:
    """The absolute self-service URL for a token."""
    # Links must work from the CLI too, so the address is the configured one, not the request's.
    return site.link(f"/manage-registration/{token}")


def new_manage_link(registration: Registration, now: datetime, *, site: MailSite) -> str:
    """A fresh manage link for a mail: a new token, ending with the edition's retention."""
    return manage_link(issue_token(registration, now, retention_days=site.retention_days),
                       site=site)


def message_lines(kind: str, edition: str, detail: str,
                  position: int | None = None) -> tuple[str, list[str]]:
    """Subject and paragraphs of a registration email, in the active locale (only the kind's
    own texts are translated: each translation is a lookup)."""
    match kind:
        case "verify":
            return (_("Please confirm your registration for %(e)s", e=edition),
                    [_("Thank you for registering for %(e)s.", e=edition),
                     _("Please confirm your email address: open the link below and press "
                       "“Confirm my registration”. Until then your registration takes no "
                       "seat.")])
        case "duplicate":
            return (_("Your registration for %(e)s", e=edition),
                    [_("Someone, perhaps you, tried to register again for %(e)s with this email "
                       "address. You already have a registration: use the link below to see or "
                       "change it. If this was not you, ignore this message.", e=edition)])
        case "lost_link":
            return (_("Your link for %(e)s", e=edition),
                    [_("Here is the link to your registration for %(e)s.", e=edition)])
        case "pending":
            return (_("Registration received: %(e)s", e=edition),
                    [_("Your email address is confirmed. The organizers will review your "
                       "registration; a seat is held for you meanwhile.")])
        case "approved":
            return (_("Registration approved: %(e)s", e=edition),
                    [_("Your registration for %(e)s is approved. We look forward to welcoming "
                       "you.", e=edition)])
        case "waitlisted":
            queue = [_("You are number %(n)d on the waiting list.", n=position)] if position \
                else []
            return (_("On the waiting list: %(e)s", e=edition),
                    [_("The meeting is full, so you are on the waiting list. We will email you "
                       "as soon as a seat is yours."), *queue])
        case "promoted":
            return (_("A seat is yours: %(e)s", e=edition),
                    [_("Good news: a seat at %(e)s has become free, and it is now yours. Your "
                       "registration is approved; there is nothing more you need to do.",
                       e=edition), cannot_come()])
        case "promoted_pending":
            return (_("A seat is held for you: %(e)s", e=edition),
                    [_("Good news: a seat at %(e)s has become free, and it is now held for "
                       "you. The organizers still review your registration and will email you "
                       "their decision.", e=edition), cannot_come()])
        case "rejected":
            return (_("Your registration for %(e)s", e=edition),
                    [_("We are sorry: your registration for %(e)s could not be accepted.",
                       e=edition)])
        case "cancelled":
            return (_("Registration cancelled: %(e)s", e=edition),
                    [_("Your registration for %(e)s is cancelled.", e=edition)])
        case "workshop":
            return (_("Workshop seat confirmed: %(e)s", e=edition),
                    [_("You have a seat in “%(s)s”.", s=detail)])
    raise KeyError(kind)


def cannot_come() -> str:
    """The paragraph that asks someone who got a seat to free it if they cannot come."""
    return _("If you can no longer come, please cancel with the link below: your seat then "
             "goes to the next person on the waiting list.")


def send_registration_mail(registration: Registration, kind: str, *, now: datetime,
                           site: MailSite, note: str = "", detail: str = "",
                           position: int | None = None) -> None:
    """Queue one email about a registration (kinds: see message_lines)."""
    if not registration.email:
        return
    link = new_manage_link(registration, now, site=site)
    with force_locale(registration.language or "en"):
        subject, paragraphs = message_lines(kind, registration.edition.title, detail,
                                            position)
        context = {"name": registration.full_name, "paragraphs": paragraphs, "note": note,
                   "link": link, "link_label": _("See or change your registration")}
        text = render_template("mail/message.txt", **context)
        html = render_template("mail/message.html", subject=subject, **context)
    queue_message(registration.email, subject, text, html, now=now,
                  registration_id=registration.id)


def send_invitation_mail(invitation: Invitation, code: str, edition: Edition, *,
                         now: datetime, site: MailSite) -> None:
    """Queue the email that carries an invitation code."""
    link = site.link(f"/{edition.slug}/register?code={code}")
    subject = _("Invitation: %(e)s", e=edition.title)
    context = {"name": "", "note": "", "link": link, "link_label": _("Register"),
               "paragraphs": [_("You are invited to register for %(e)s.", e=edition.title),
                              _("Your personal invitation code is %(code)s. It can be used "
                                "once.", code=code)]}
    text = render_template("mail/message.txt", **context)
    html = render_template("mail/message.html", subject=subject, **context)
    queue_message(invitation.email, subject, text, html, now=now)


def send_edition_cancelled_mail(registration: Registration, *, now: datetime,
                                site: MailSite) -> None:
    """Queue the email saying the edition is cancelled, tied to no registration (it is about to
    be deleted with its edition); its one link is the site's home page, which stays."""
    edition = registration.edition
    with force_locale(registration.language or "en"):
        subject = _("Cancelled: %(e)s", e=edition.title)
        context = {"name": registration.full_name, "edition": edition,
                   "home": site.link("/")}
        text = render_template("mail/edition_cancelled.txt", **context)
        html = render_template("mail/edition_cancelled.html", subject=subject, **context)
    queue_message(registration.email, subject, text, html, now=now)
