"""Focal point pages: accepting the invitation, and a delegation's page (nominate, endorse or
decline, head of delegation, substitution, and every delegate's progress)."""

from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from meetings.delegations import mails, reads, service
from meetings.delegations.blueprint import bp
from meetings.delegations.forms import NominationForm, SubstitutionForm
from meetings.extensions import db, limiter
from meetings.i18n import gettext as _
from meetings.models import utcnow
from meetings.registration import configuration
from meetings.registration.forms import ConfirmForm
from meetings.registration.models import Delegation, RegistrationStatus
from meetings.web.site_url import mail_site
from meetings.web.unit_of_work import domain_errors

ACTIVE = (RegistrationStatus.UNVERIFIED, RegistrationStatus.PENDING, RegistrationStatus.APPROVED,
          RegistrationStatus.WAITLISTED)


def acted_for_or_403(delegation_id: int) -> Delegation:
    """A delegation the signed-in user is a focal point (or an organizer) of."""
    delegation = db.get_or_404(Delegation, delegation_id)
    if not service.acts_for(current_user, delegation):
        abort(403)
    return delegation


@bp.get("/delegations/")
@login_required
def mine():
    return render_template("delegations/mine.html",
                           delegations=service.delegations_led_by(current_user))


@bp.route("/delegations/accept/<token>", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def accept(token: str):
    """The invitation link: it works only for a signed-in account with the invited address."""
    focal_point = service.focal_point_by_token(token, utcnow())
    if focal_point is None:
        return render_template("delegations/accept.html", focal_point=None), 404
    form = ConfirmForm()
    if form.validate_on_submit():
        if not current_user.is_authenticated:
            # The account link goes to the invited address only, never to whoever clicks; an
            # existing account signs in (or resets its password) the usual way.
            if service.account_for_invitation(focal_point) is None:
                mails.account_link(focal_point, now=utcnow(), site=mail_site())
            flash(_("If the invited address has no account yet, a link to choose a password "
                    "is on its way to it. Otherwise sign in, or reset your password."),
                  "success")
            return redirect(url_for(".accept", token=token))
        with domain_errors() as outcome:
            service.accept(focal_point, current_user, now=utcnow())
        if outcome.ok:
            flash(_("You are now a focal point of %(org)s.",
                    org=focal_point.delegation.organization.name), "success")
            return redirect(url_for(".delegation", delegation_id=focal_point.delegation_id))
    signed_in_as_other = (current_user.is_authenticated
                          and current_user.email.lower() != focal_point.email)
    return render_template(
        "delegations/accept.html", focal_point=focal_point, form=form,
        signed_in_as_other=signed_in_as_other,
        has_account=service.account_for_invitation(focal_point) is not None,
        masked=mask(focal_point.email)), 403 if signed_in_as_other else 200


def mask(email: str) -> str:
    """j•••@police.go.ke: enough for the right person to recognise their address."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def render_delegation(delegation: Delegation, *, nomination_form=None, substitution_form=None,
                      status=200):
    categories = db.session.scalars(configuration.categories_of(delegation.edition_id)).all()
    people = reads.progress(delegation)
    active = [p.registration for p in people if p.registration.status in ACTIVE]
    choices = [("", "—")] + [(r.id, r.full_name) for r in active]
    substitution_form = (substitution_form or SubstitutionForm(formdata=None)).offer(categories)
    substitution_form.registration.choices = choices
    substitution_form.category.choices[0] = ("", _("As the person replaced"))
    return render_template(
        "delegations/delegation.html", delegation=delegation, edition=delegation.edition,
        people=people, seats=service.seat_use(delegation), S=RegistrationStatus,
        waiting=db.session.scalars(service.awaiting_endorsement(delegation.id)).all(),
        nominations=db.session.scalars(service.open_nominations(delegation.id)).all(),
        nomination_form=(nomination_form or NominationForm(formdata=None)).offer(categories),
        substitution_form=substitution_form, active=active, confirm=ConfirmForm(),
        focal_points=service.focal_points_of(delegation.id),
        organizer=current_user.can_manage(delegation.edition)), status


@bp.get("/delegations/<int:delegation_id>")
@login_required
def delegation(delegation_id: int):
    return render_delegation(acted_for_or_403(delegation_id))


@bp.post("/delegations/<int:delegation_id>/nominate")
@login_required
def nominate(delegation_id: int):
    delegation = acted_for_or_403(delegation_id)
    categories = db.session.scalars(configuration.categories_of(delegation.edition_id)).all()
    form = NominationForm().offer(categories)
    if form.validate_on_submit():
        with domain_errors(form) as outcome:
            invitation, code = service.nominate(
                delegation, current_user, name=form.name.data, email=form.email.data,
                category_id=form.category.data, now=utcnow())
            mails.nomination(invitation, code, now=utcnow(), site=mail_site())
        if outcome.ok:
            flash(_("%(name)s is nominated: an invitation to register went to %(email)s.",
                    name=invitation.name, email=invitation.email), "success")
            return redirect(url_for(".delegation", delegation_id=delegation.id))
    return render_delegation(delegation, nomination_form=form, status=400)


@bp.post("/delegations/<int:delegation_id>/substitute")
@login_required
def substitute(delegation_id: int):
    delegation = acted_for_or_403(delegation_id)
    categories = db.session.scalars(configuration.categories_of(delegation.edition_id)).all()
    form = SubstitutionForm().offer(categories)
    form.category.choices[0] = ("", "")
    form.registration.choices = [(r.id, r.full_name) for r in service.members(delegation)]
    if form.validate_on_submit():
        with domain_errors(form) as outcome:
            invitation, code = service.substitute(
                delegation, current_user, form.registration.data, name=form.name.data,
                email=form.email.data, category_id=form.category.data, now=utcnow(),
                site=mail_site())
            mails.nomination(invitation, code, now=utcnow(), site=mail_site())
        if outcome.ok:
            flash(_("The substitution is done: the registration replaced is cancelled and "
                    "%(name)s is nominated.", name=invitation.name), "success")
            return redirect(url_for(".delegation", delegation_id=delegation.id))
    return render_delegation(delegation, substitution_form=form, status=400)


def one_person_action(delegation_id: int, action, message: str):
    """Endorse, decline, name head or withdraw a nomination: one POST, one service call."""
    delegation = acted_for_or_403(delegation_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    with domain_errors() as outcome:
        action(delegation, current_user, request.form.get("id", type=int), now=utcnow())
    if outcome.ok:
        flash(message, "success")
    return redirect(url_for(".delegation", delegation_id=delegation.id))


@bp.post("/delegations/<int:delegation_id>/endorse")
@login_required
def endorse(delegation_id: int):
    return one_person_action(delegation_id, service.endorse,
                             _("Endorsed: the organizers can now decide on this registration."))


@bp.post("/delegations/<int:delegation_id>/decline")
@login_required
def decline(delegation_id: int):
    return one_person_action(delegation_id, partial(service.decline, site=mail_site()),
                             _("Declined: the registration is closed and the person told."))


@bp.post("/delegations/<int:delegation_id>/head")
@login_required
def head(delegation_id: int):
    return one_person_action(delegation_id, service.name_head,
                             _("The head of delegation is named."))


@bp.post("/delegations/<int:delegation_id>/withdraw")
@login_required
def withdraw(delegation_id: int):
    return one_person_action(delegation_id, service.withdraw_nomination,
                             _("The nomination is withdrawn: its link no longer works."))
