"""Passwords: forgotten (a mailed link), set from an invitation or reset link, or changed."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user

from meetings.accounts import links, service, two_factor
from meetings.accounts.blueprint import account_throttle, bp
from meetings.accounts.forms import ChangePasswordForm, EmailForm, NewPasswordForm
from meetings.accounts.models import TokenPurpose
from meetings.audit.service import record
from meetings.extensions import db, limiter
from meetings.i18n import gettext as _
from meetings.models import utcnow
from meetings.web.site_url import site_url
from meetings.web.uniform_timing import no_sooner_than
from meetings.web.unit_of_work import domain_errors

# Asking for a reset link answers after the same fixed time whether or not an account exists
# and a mail was queued, so the timing does not tell which addresses have accounts.
RESET_ANSWER_SECONDS = 0.3


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def forgot_password():
    form = EmailForm()
    if form.validate_on_submit():
        with no_sooner_than(RESET_ANSWER_SECONDS):
            links.request_password_reset(form.email.data, now=utcnow(), site_url=site_url())
            db.session.commit()  # inside the floor, so both answers take the same time
        # The same answer whether or not the address has an account.
        flash(_("If this address has an active account, a link to set a new password is on its "
                "way. It works once, within an hour."), "success")
        return redirect(url_for(".login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def reset_password(token: str):
    return set_password_page(token, TokenPurpose.PASSWORD_RESET)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def accept_invitation(token: str):
    return set_password_page(token, TokenPurpose.INVITATION)


def set_password_page(token: str, purpose: TokenPurpose):
    """Both links lead here: choose a password, then log in with it."""
    now = utcnow()
    link = links.usable_link(token, purpose, now=now)
    if link is None:
        return render_template("accounts/link_invalid.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        with domain_errors(form) as outcome:
            user = links.set_password_with_link(token, purpose, form.password.data, now=now,
                                                throttle=account_throttle())
            record(user, f"user.{purpose.value}_used", f"{user.email} set a password with a link")
        if outcome.ok:
            flash(_("Your password is set. Please log in."), "success")
            return redirect(url_for(".login"))
    return render_template("accounts/set_password.html", form=form, user=link.user,
                           invitation=purpose == TokenPurpose.INVITATION)


@bp.get("/account/")
@login_required
def account():
    return render_template("accounts/account.html",
                           codes_left=two_factor.recovery_codes_left(current_user),
                           required=two_factor.two_factor_required())


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with domain_errors(form) as outcome:
            service.change_password(user, form.current_password.data, form.new_password.data,
                                    now=utcnow(), throttle=account_throttle())
            record(user, "user.password_changed", f"{user.email} changed their password")
        if outcome.ok:
            login_user(user)  # this session goes on with the new token; every other one ended
            flash(_("Your password is changed. Your other sessions are logged out."), "success")
            return redirect(url_for(".account"))
    return render_template("accounts/change_password.html", form=form)
