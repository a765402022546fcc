"""Log in (password, then a code when two-factor is on) and log out."""

import logging
import re
from datetime import timedelta

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from meetings.accounts import service, two_factor
from meetings.accounts.blueprint import account_throttle, bp
from meetings.accounts.forms import CodeForm, LoginForm
from meetings.accounts.redirects import local_path
from meetings.extensions import limiter
from meetings.i18n import gettext as _
from meetings.models import User, utcnow
from meetings.web.unit_of_work import domain_errors

# Sign-ins go to the security log (journald under systemd), the audit log keeps changes.
log = logging.getLogger("meetings.web.security")
PENDING = "login_pending"
MANAGE_PATH = re.compile(r"/manage(/|$)")  # not /manage-registration/…, an attendee's page
PENDING_FOR = timedelta(minutes=5)


def safe_next(target: str | None) -> str:
    """Only follow local redirects after login."""
    return local_path(target) or url_for("editions.manage_index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        with domain_errors(form) as outcome:
            user = service.authenticate(form.email.data, form.password.data,
                                        throttle=account_throttle())
        if not outcome.ok:
            log.warning("Login refused for %r from %s: %s", form.email.data[:254],
                        request.remote_addr, outcome.error.message)
        elif user.totp_enabled:
            return ask_for_code(user)
        else:
            return complete_login(user, "password")
    return render_template("accounts/login.html", form=form)


def ask_for_code(user: User):
    """The password was right; the session stays anonymous until the second factor is given."""
    session[PENDING] = {"user": user.get_id(), "until": (utcnow() + PENDING_FOR).timestamp()}
    return redirect(url_for(".login_code", next=local_path(request.args.get("next"))))


def complete_login(user: User, method: str):
    session.pop(PENDING, None)
    login_user(user)
    account_throttle().clear(user.email)
    log.info("Login: %s (user %s) from %s with %s", user.email, user.id, request.remote_addr,
             method)
    flash(_("You are logged in."), "success")
    return redirect(safe_next(request.args.get("next")))


def pending_user() -> User | None:
    """The account whose password was given in this browser in the last five minutes."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("until"), int | float):
        return None
    if pending["until"] < utcnow().timestamp():
        return None
    return service.load_user(str(pending.get("user")))


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login_code():
    user = pending_user()
    if user is None:
        flash(_("Please log in again."), "error")
        return redirect(url_for(".login"))
    form = CodeForm()
    if form.validate_on_submit():
        with domain_errors(form) as outcome:
            method = service.verify_login_code(user, form.code.data, now=utcnow(),
                                               throttle=account_throttle())
        if not outcome.ok:
            log.warning("Second factor refused for %s from %s: %s", user.email,
                        request.remote_addr, outcome.error.message)
        else:
            return complete_login(user, method)
    return render_template("accounts/login_code.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    user = current_user._get_current_object()
    service.log_out_everywhere(user)
    log.info("Logout: %s (user %s); every session of the account ended", user.email, user.id)
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("editions.index"))


@bp.before_app_request
def require_two_factor_enrolment():
    """When administrators require two-factor, accounts without it set it up before /manage."""
    if not MANAGE_PATH.match(request.path) or not current_user.is_authenticated:
        return None
    if current_user.totp_enabled or not two_factor.two_factor_required():
        return None
    flash(_("Administrators require two-factor authentication: please set it up to continue."),
          "error")
    return redirect(url_for("accounts.two_factor_status"))
