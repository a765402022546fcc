"""Two-factor authentication for one's own account: set up, new recovery codes, turn off."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from meetings.accounts import service, two_factor
from meetings.accounts.blueprint import account_throttle, bp
from meetings.accounts.forms import CodeForm, StartTwoFactorForm, TurnOffTwoFactorForm
from meetings.audit.service import record
from meetings.extensions import limiter
from meetings.i18n import gettext as _
from meetings.i18n import lazy_gettext as _l
from meetings.models import utcnow
from meetings.web.unit_of_work import domain_errors

SIX_DIGITS = _l("The 6-digit code your authenticator app shows now.")


def status_page(**forms):
    user = current_user._get_current_object()
    forms.setdefault("start_form", StartTwoFactorForm(prefix="start"))
    forms.setdefault("codes_form", CodeForm(prefix="codes"))
    forms.setdefault("off_form", TurnOffTwoFactorForm(prefix="off"))
    forms["codes_form"].code.description = SIX_DIGITS
    return render_template("accounts/two_factor.html", user=user,
                           codes_left=two_factor.recovery_codes_left(user),
                           required=two_factor.two_factor_required(), **forms)


@bp.get("/account/two-factor")
@login_required
def two_factor_status():
    return status_page()


@bp.post("/account/two-factor/start")
@login_required
@limiter.limit("10 per minute")
def start_two_factor():
    form = StartTwoFactorForm(prefix="start")
    if not form.validate_on_submit():
        return status_page(start_form=form)
    with domain_errors(form) as outcome:
        service.start_two_factor(current_user._get_current_object(), form.password.data,
                                 throttle=account_throttle())
    if not outcome.ok:
        return status_page(start_form=form)
    return redirect(url_for(".set_up_two_factor"))


@bp.route("/account/two-factor/setup", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute", methods=["POST"])
def set_up_two_factor():
    user = current_user._get_current_object()
    if user.totp_enabled or not user.totp_secret:
        return redirect(url_for(".two_factor_status"))
    form = CodeForm()
    form.code.description = SIX_DIGITS
    if form.validate_on_submit():
        with domain_errors(form) as outcome:
            codes = two_factor.confirm_enrolment(user, form.code.data, now=utcnow())
            record(user, "user.two_factor_on", f"{user.email} turned two-factor on")
        if outcome.ok:
            return render_template("accounts/recovery_codes.html", codes=codes, new=True)
    uri = two_factor.provisioning_uri(user)
    return render_template("accounts/two_factor_setup.html", form=form, secret=user.totp_secret,
                           qr_code=two_factor.qr_code_data_uri(uri))


@bp.post("/account/two-factor/recovery-codes")
@login_required
@limiter.limit("10 per minute")
def new_recovery_codes():
    user = current_user._get_current_object()
    form = CodeForm(prefix="codes")
    if form.validate_on_submit():
        with domain_errors(form) as outcome:
            codes = service.new_recovery_codes(user, form.code.data, now=utcnow(),
                                               throttle=account_throttle())
            record(user, "user.recovery_codes", f"{user.email} made new recovery codes")
        if outcome.ok:
            return render_template("accounts/recovery_codes.html", codes=codes, new=False)
    return status_page(codes_form=form)


@bp.post("/account/two-factor/off")
@login_required
@limiter.limit("10 per minute")
def turn_off_two_factor():
    user = current_user._get_current_object()
    form = TurnOffTwoFactorForm(prefix="off")
    if form.validate_on_submit():
        with domain_errors(form) as outcome:
            service.turn_off_two_factor(user, form.password.data, form.code.data, now=utcnow(),
                                        throttle=account_throttle())
            record(user, "user.two_factor_off", f"{user.email} turned two-factor off")
        if outcome.ok:
            flash(_("Two-factor authentication is off."), "success")
            return redirect(url_for(".two_factor_status"))
    return status_page(off_form=form)
