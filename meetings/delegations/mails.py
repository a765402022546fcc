"""Mails of the delegations feature: focal point invitations, nominations and endorsement digests.

Every link is absolute (the MailSite the caller passes), so the same mails can be queued from a
request or the CLI.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import render_template

from meetings.accounts.links import issue_link
from meetings.accounts.models import TokenPurpose
from meetings.accounts.service import invite_user
from meetings.dates import to_local
from meetings.delegations.models import FocalPoint
from meetings.delegations.service import account_for_invitation, awaiting_endorsement
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.mail.service import queue_message
from meetings.mail_site import MailSite
from meetings.models import Edition, EditionStatus
from meetings.registration.models import Delegation, Invitation

# A focal point gets at most one digest in this time, however often the timer runs.
DIGEST_INTERVAL = timedelta(hours=20)


def queue(to: str, subject: str, *, name: str = "", paragraphs: list[str], link: str,
          link_label: str, footnote: str, items: list[str] = (), now: datetime) -> None:
    context = {"subject": subject, "name": name, "paragraphs": paragraphs, "items": items,
               "link": link, "link_label": link_label, "footnote": footnote}
    queue_message(to, subject, render_template("delegations/mail.txt", **context),
                  render_template("delegations/mail.html", **context), now=now)


def focal_point_invitation(focal_point: FocalPoint, token: str, *, now: datetime,
                           site: MailSite) -> None:
    delegation = focal_point.delegation
    edition, organization = delegation.edition, delegation.organization.name
    queue(focal_point.email,
          _("Focal point for %(org)s: %(e)s", org=organization, e=edition.title),
          name=focal_point.name,
          paragraphs=[_("The organizers of %(e)s ask you to act as focal point for %(org)s: "
                        "you nominate its delegates, endorse people who register in its name, "
                        "and follow their registration, visa and badge.",
                        e=edition.title, org=organization),
                      _("Open the link below and sign in with this email address (%(email)s) "
                        "to accept. The invitation works only for this address.",
                        email=focal_point.email)],
          link=site.link(f"/delegations/accept/{token}"), link_label=_("Accept the invitation"),
          footnote=_("If you did not expect this message, ignore it: nothing happens until "
                     "the invitation is accepted."), now=now)


def account_link(focal_point: FocalPoint, *, now: datetime, site: MailSite) -> None:
    """A link to set a password for the invited address (creating its account if needed).

    It goes to the invited address only: whoever else holds the invitation link gets nothing.
    """
    user = account_for_invitation(focal_point) or invite_user(
        focal_point.email, name=focal_point.name, is_admin=False, active=True, editions=[])
    link = issue_link(user, TokenPurpose.INVITATION, now=now, site_url=site.url)
    queue(focal_point.email, _("Your account for accepting the focal point invitation"),
          name=focal_point.name,
          paragraphs=[_("Choose a password with the link below (it works once, for seven "
                        "days). Then open your focal point invitation again and accept it.")],
          link=link, link_label=_("Choose a password"),
          footnote=_("If you did not ask for this, ignore this message."), now=now)


def nomination(invitation: Invitation, code: str, *, now: datetime, site: MailSite) -> None:
    delegation = invitation.delegation
    edition = delegation.edition
    queue(invitation.email, _("You are nominated for %(e)s", e=edition.title),
          name=invitation.name,
          paragraphs=[_("%(org)s has nominated you as a delegate to %(e)s.",
                        org=delegation.organization.name, e=edition.title),
                      _("Register with the link below, using this email address: your "
                        "organization and category are filled in. The organizers then review "
                        "your registration.")],
          link=site.link(f"/{edition.slug}/register?code={code}"), link_label=_("Register"),
          footnote=_("The nomination works once and only for this email address."), now=now)


def send_digests(*, now: datetime, site: MailSite) -> int:
    """Mail each focal point of a running edition the people waiting for their endorsement;
    returns how many digests were queued."""
    focal_points = db.session.scalars(
        sa.select(FocalPoint).join(Delegation, FocalPoint.delegation_id == Delegation.id)
        .join(Edition, Delegation.edition_id == Edition.id)
        .where(FocalPoint.accepted_at.is_not(None), FocalPoint.revoked_at.is_(None),
               Edition.status != EditionStatus.ARCHIVED)).all()
    sent = 0
    for focal_point in focal_points:
        delegation, edition = focal_point.delegation, focal_point.delegation.edition
        if to_local(now, edition.timezone).date() > edition.ends_on:
            continue
        if focal_point.digest_sent_at and now - focal_point.digest_sent_at < DIGEST_INTERVAL:
            continue
        waiting = db.session.scalars(awaiting_endorsement(delegation.id)).all()
        if not waiting:
            continue
        queue(focal_point.email,
              _("%(n)d people wait for your endorsement: %(e)s", n=len(waiting),
                e=edition.title),
              name=focal_point.name,
              paragraphs=[_("These people registered for %(e)s saying they belong to %(org)s. "
                            "The organizers decide on them once you have endorsed or declined "
                            "them.", e=edition.title, org=delegation.organization.name)],
              items=[f"{r.full_name} ({r.job_title or r.organization}), "
                     f"{r.created_at.date().isoformat()}" for r in waiting],
              link=site.link(f"/delegations/{delegation.id}"),
              link_label=_("Open your delegation's page"),
              footnote=_("You receive this summary at most once a day while people wait."),
              now=now)
        focal_point.digest_sent_at = now
        sent += 1
    db.session.flush()
    return sent
