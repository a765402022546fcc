"""Organizer pages: the edition's delegations, their quotas and focal points, the approval rule,
and the coverage of countries and regions."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from meetings.audit.service import record
from meetings.database import count_of
from meetings.delegations import mails, reads, service
from meetings.delegations.blueprint import bp
from meetings.delegations.forms import (
    KIND_LABELS,
    DelegationForm,
    DelegationSettingsForm,
    FocalPointForm,
    RuleForm,
)
from meetings.delegations.models import FocalPoint
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.models import Edition, utcnow
from meetings.registration import configuration
from meetings.registration.forms import ConfirmForm
from meetings.registration.models import Delegation, EndorsementRule, OrganizationKind
from meetings.web.access import managed_edition_or_403
from meetings.web.site_url import mail_site
from meetings.web.unit_of_work import domain_errors

PREFIX = "/manage/editions/<int:edition_id>/delegations"


def managed_delegation_or_404(edition: Edition, delegation_id: int) -> Delegation:
    delegation = db.get_or_404(Delegation, delegation_id)
    if delegation.edition_id != edition.id:
        abort(404)
    return delegation


def render_index(edition: Edition, *, delegation_form=None, rule_form=None, status=200):
    settings = configuration.settings_of(edition.id)
    delegations = db.session.scalars(configuration.delegations_of(edition.id)).all()
    rows = [(d, service.seat_use(d), service.focal_points_of(d.id),
             count_of(service.awaiting_endorsement(d.id)))
            for d in delegations]
    rule_form = rule_form or RuleForm(formdata=None, rule=(
        settings.endorsement_rule.value if settings else EndorsementRule.NONE.value))
    return render_template(
        "delegations/manage.html", edition=edition, rows=rows, settings=settings,
        coverage=reads.coverage(edition.id), confirm=ConfirmForm(),
        delegation_form=delegation_form or DelegationForm(formdata=None),
        rule_form=rule_form, kinds=KIND_LABELS), status


@bp.get(PREFIX + "/")
@login_required
def manage_index(edition_id: int):
    return render_index(managed_edition_or_403(edition_id))


@bp.post(PREFIX + "/")
@login_required
def manage_add(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    form = DelegationForm()
    if form.validate_on_submit():
        with domain_errors(form) as outcome:
            delegation = service.add_delegation(
                edition, name=form.name.data, kind=OrganizationKind(form.kind.data),
                country=form.country.data, quota=form.quota.data)
            record(current_user, "delegations.add",
                   f"{delegation.organization.name} takes part.", edition=edition)
        if outcome.ok:
            flash(_("Delegation added. Invite its focal point below."), "success")
            return redirect(url_for(".manage_index", edition_id=edition.id)
                            + f"#delegation-{delegation.id}")
    return render_index(edition, delegation_form=form, status=400)


@bp.post(PREFIX + "/rule")
@login_required
def manage_rule(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    form = RuleForm()
    settings = configuration.settings_of(edition.id)
    if settings is None:
        flash(_("Set up registration first."), "error")
        return redirect(url_for("registration.manage_settings", edition_id=edition.id))
    if not form.validate_on_submit():
        return render_index(edition, rule_form=form, status=400)
    service.set_endorsement_rule(settings, EndorsementRule(form.rule.data))
    record(current_user, "delegations.rule", f"Endorsement rule: {form.rule.data}.",
           edition=edition)
    flash(_("Approval rule saved."), "success")
    return redirect(url_for(".manage_index", edition_id=edition.id))


@bp.post(PREFIX + "/<int:delegation_id>/settings")
@login_required
def manage_settings(edition_id: int, delegation_id: int):
    edition = managed_edition_or_403(edition_id)
    delegation = managed_delegation_or_404(edition, delegation_id)
    form = DelegationSettingsForm()
    if form.validate_on_submit():
        with domain_errors(form) as outcome:
            service.update_delegation(delegation, quota=form.quota.data,
                                      law_enforcement=form.law_enforcement.data)
        if outcome.ok:
            flash(_("Delegation saved."), "success")
    else:
        flash(_("The quota must be a whole number of 0 or more."), "error")
    return redirect(url_for(".manage_index", edition_id=edition.id)
                    + f"#delegation-{delegation.id}")


@bp.post(PREFIX + "/<int:delegation_id>/focal-points")
@login_required
def manage_invite(edition_id: int, delegation_id: int):
    edition = managed_edition_or_403(edition_id)
    delegation = managed_delegation_or_404(edition, delegation_id)
    form = FocalPointForm()
    if not form.validate_on_submit():
        flash(_("Give the focal point's name and a valid email address."), "error")
    else:
        with domain_errors() as outcome:
            focal_point, token = service.invite_focal_point(
                delegation, email=form.email.data, name=form.name.data, now=utcnow())
            mails.focal_point_invitation(focal_point, token, now=utcnow(), site=mail_site())
            record(current_user, "delegations.focal_point",
                   f"{focal_point.email} invited as focal point of "
                   f"{delegation.organization.name}.", edition=edition)
        if outcome.ok:
            flash(_("Invitation sent to %(email)s; it works only for that address.",
                    email=focal_point.email), "success")
    return redirect(url_for(".manage_index", edition_id=edition.id)
                    + f"#delegation-{delegation.id}")


@bp.post(PREFIX + "/<int:delegation_id>/focal-points/<int:focal_point_id>/revoke")
@login_required
def manage_revoke(edition_id: int, delegation_id: int, focal_point_id: int):
    edition = managed_edition_or_403(edition_id)
    delegation = managed_delegation_or_404(edition, delegation_id)
    focal_point = db.get_or_404(FocalPoint, focal_point_id)
    if focal_point.delegation_id != delegation.id or not ConfirmForm().validate_on_submit():
        return redirect(url_for(".manage_index", edition_id=edition.id))
    service.revoke_focal_point(focal_point, now=utcnow())
    record(current_user, "delegations.focal_point",
           f"{focal_point.email} is no longer a focal point of {delegation.organization.name}.",
           edition=edition)
    flash(_("%(email)s is no longer a focal point.", email=focal_point.email), "success")
    return redirect(url_for(".manage_index", edition_id=edition.id)
                    + f"#delegation-{delegation.id}")
