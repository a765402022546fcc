"""Administrators invite organizers, edit their accounts and set the two-factor policy."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from meetings.accounts import links, service, two_factor
from meetings.accounts.blueprint import bp
from meetings.accounts.forms import ButtonForm, PolicyForm, UserForm
from meetings.audit.service import record
from meetings.editions.service import managed_editions
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.models import User, utcnow
from meetings.web.access import admin_required
from meetings.web.site_url import site_url
from meetings.web.unit_of_work import domain_errors


@bp.get("/manage/users/")
@admin_required
def index():
    users = db.session.scalars(service.users_by_email()).all()
    policy = PolicyForm(require_two_factor=two_factor.two_factor_required())
    return render_template("accounts/index.html", users=users, policy=policy)


@bp.post("/manage/users/two-factor-policy")
@admin_required
def two_factor_policy():
    form = PolicyForm()
    if form.validate_on_submit():
        required = bool(form.require_two_factor.data)
        two_factor.require_two_factor(required)
        record(current_user, "settings.two_factor",
               f"Two-factor authentication {'required' if required else 'optional'} for everyone")
        flash(_("Two-factor authentication is now required for every account.") if required
              else _("Two-factor authentication is now optional."), "success")
    return redirect(url_for(".index"))


def edition_choices() -> list[SelectChoice]:
    """Every edition, newest first (only admins reach these pages)."""
    editions = db.session.scalars(managed_editions(current_user)).all()
    return [SelectChoice(e.id, f"{e.title} ({e.slug})") for e in editions]


@bp.route("/manage/users/new", methods=["GET", "POST"])
@admin_required
def create():
    form = UserForm()
    form.editions.choices = edition_choices()
    if form.validate_on_submit():
        with domain_errors(form) as outcome:
            user = service.invite_user(form.email.data, name=form.name.data or "",
                                       is_admin=form.is_admin.data, active=form.active.data,
                                       editions=service.selected_editions(form.editions.data))
            links.send_invitation(user, invited_by=current_user, now=utcnow(),
                                  site_url=site_url())
            record(current_user, "user.invite", f"Invited {user.email} to set a password")
        if outcome.ok:
            flash(_("Invitation sent to %(email)s. The link works once, for seven days.",
                    email=user.email), "success")
            return redirect(url_for(".index"))
    return render_template("accounts/edit.html", form=form, user=None)


@bp.route("/manage/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    form.editions.choices = edition_choices()
    if request.method == "GET":
        form.editions.data = [e.id for e in user.editions]
    if form.validate_on_submit():
        with domain_errors(form) as outcome:
            service.update_user(user, name=form.name.data or "", is_admin=form.is_admin.data,
                                active=form.active.data,
                                editions=service.selected_editions(form.editions.data),
                                now=utcnow())
            record(current_user, "user.update", f"Updated account {user.email}")
        if outcome.ok:
            flash(_("Account saved."), "success")
            return redirect(url_for(".index"))
    return render_template("accounts/edit.html", form=form, user=user, button=ButtonForm())


@bp.post("/manage/users/<int:user_id>/invite")
@admin_required
def reinvite(user_id: int):
    user = db.get_or_404(User, user_id)
    links.send_invitation(user, invited_by=current_user, now=utcnow(),
                          site_url=site_url())
    record(current_user, "user.invite", f"Sent {user.email} a new link to set a password")
    flash(_("A new link to set a password was sent to %(email)s.", email=user.email), "success")
    return redirect(url_for(".edit", user_id=user.id))


@bp.post("/manage/users/<int:user_id>/two-factor/off")
@admin_required
def reset_two_factor(user_id: int):
    user = db.get_or_404(User, user_id)
    service.reset_two_factor(user, now=utcnow())
    record(current_user, "user.two_factor_off", f"Turned two-factor off for {user.email}")
    flash(_("Two-factor authentication is off for %(email)s; their sessions ended.",
            email=user.email), "success")
    return redirect(url_for(".edit", user_id=user.id))
