"""Back office: registration settings, categories and quotas, questions, invitations."""

from datetime import datetime

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from meetings.audit.service import record
from meetings.dates import (
    AmbiguousLocalTime,
    NonexistentLocalTime,
    OutOfRangeLocalTime,
    to_local,
    to_utc,
)
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.models import Edition, utcnow
from meetings.registration import configuration
from meetings.registration.blueprint import MANAGE_PREFIX as PREFIX
from meetings.registration.blueprint import bp
from meetings.registration.forms import (
    QUESTION_KINDS,
    CategoryForm,
    ConfirmForm,
    InvitationForm,
    QuestionEditForm,
    QuestionForm,
    SettingsForm,
    email_lines,
)
from meetings.registration.models import (
    Invitation,
    QuestionKind,
    RegistrationCategory,
    RegistrationMode,
    RegistrationQuestion,
    RegistrationSettings,
)
from meetings.registration.reports import counts_by_category
from meetings.web.access import managed_edition_or_403
from meetings.web.site_url import mail_site
from meetings.web.unit_of_work import domain_errors


def settings_or_setup(edition: Edition) -> RegistrationSettings:
    """The edition's settings; without them every back-office page leads to setup."""
    settings = configuration.settings_of(edition.id)
    if settings is None:
        abort(redirect(url_for(".manage_setup", edition_id=edition.id)))
    return settings


def utc_or_error(value: datetime | None, zone: str, field: str) -> datetime | None:
    """A local form time as UTC; gaps and folds of daylight saving time become form errors."""
    if value is None:
        return None
    try:
        return to_utc(value, zone)
    except OutOfRangeLocalTime as error:
        raise DomainError(_("Enter a year from 1900 to 2200."), field=field) from error
    except NonexistentLocalTime as error:
        raise DomainError(_("This time does not exist in %(zone)s (the clocks skip it).",
                            zone=zone), field=field) from error
    except AmbiguousLocalTime as error:
        raise DomainError(_("This time happens twice in %(zone)s. Choose another time.",
                            zone=zone), field=field) from error


def fill_settings_form(form: SettingsForm, settings: RegistrationSettings, zone: str) -> None:
    for name in ("opens_at", "closes_at"):
        value = getattr(settings, name)
        form[name].data = to_local(value, zone).replace(tzinfo=None) if value else None
    form.capacity.data, form.mode.data = settings.capacity, settings.mode.value
    form.auto_promote.data = settings.auto_promote
    form.privacy_notice.data, form.controller.data = settings.privacy_notice, settings.controller


@bp.route(PREFIX + "/settings", methods=["GET", "POST"])
@login_required
def manage_settings(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    settings = settings_or_setup(edition)
    form = SettingsForm()
    if not form.is_submitted():
        fill_settings_form(form, settings, edition.timezone)
    if form.validate_on_submit():
        now = utcnow()
        with domain_errors(form) as outcome:
            promoted = configuration.update_settings(
                edition, opens_at=utc_or_error(form.opens_at.data, edition.timezone, "opens_at"),
                closes_at=utc_or_error(form.closes_at.data, edition.timezone, "closes_at"),
                capacity=form.capacity.data, mode=RegistrationMode(form.mode.data),
                auto_promote=form.auto_promote.data,
                privacy_notice=form.privacy_notice.data or "",
                controller=form.controller.data or "", now=now, site=mail_site())
            record(current_user, "registration.settings",
                   f"Registration settings saved (capacity {form.capacity.data}, "
                   f"{len(promoted)} promoted)", edition=edition, now=now)
        if outcome.ok:
            flash(_("Registration settings saved."), "success")
            return redirect(url_for(".manage_settings", edition_id=edition.id))
    return render_template("registration/manage_settings.html", edition=edition, form=form,
                           settings=settings)


@bp.route(PREFIX + "/categories", methods=["GET", "POST"])
@bp.route(PREFIX + "/categories/<int:category_id>", methods=["GET", "POST"])
@login_required
def manage_categories(edition_id: int, category_id: int | None = None):
    edition = managed_edition_or_403(edition_id)
    settings_or_setup(edition)
    category = db.get_or_404(RegistrationCategory, category_id) if category_id else None
    if category is not None and category.edition_id != edition.id:
        abort(404)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        now = utcnow()
        with domain_errors(form) as outcome:
            saved = configuration.save_category(edition, category, name=form.name.data,
                                        quota=form.quota.data,
                                        requires_approval=form.requires_approval.data, now=now,
                                        site=mail_site())
            record(current_user, "registration.category", f"Category {saved.name} saved "
                   f"(quota {saved.quota})", edition=edition, now=now)
        if outcome.ok:
            flash(_("Category saved."), "success")
            return redirect(url_for(".manage_categories", edition_id=edition.id))
    return render_template("registration/manage_categories.html", edition=edition, form=form,
                           category=category, counts=counts_by_category(edition.id),
                           categories=db.session.scalars(configuration.categories_of(edition.id)).all())


@bp.route(PREFIX + "/questions", methods=["GET", "POST"])
@login_required
def manage_questions(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    settings_or_setup(edition)
    form = QuestionForm()
    if form.validate_on_submit():
        with domain_errors(form) as outcome:
            question = configuration.add_question(edition, label=form.label.data,
                                          kind=QuestionKind(form.kind.data),
                                          choices_text=form.choices_text.data or "",
                                          required=form.required.data,
                                          sensitive=form.sensitive.data)
            record(current_user, "registration.question", f"Question added: {question.label}"
                   f"{' (sensitive)' if question.sensitive else ''}", edition=edition,
                   now=utcnow())
        if outcome.ok:
            flash(_("Question added."), "success")
            return redirect(url_for(".manage_questions", edition_id=edition.id))
    return render_template("registration/manage_questions.html", edition=edition, form=form,
                           questions=db.session.scalars(configuration.questions_of(edition.id)).all(),
                           confirm=ConfirmForm(), kinds=QUESTION_KINDS)


def question_of(question_id: int) -> tuple[RegistrationQuestion, Edition]:
    question = db.get_or_404(RegistrationQuestion, question_id)
    return question, managed_edition_or_403(question.edition_id)


@bp.route("/manage/registration-questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def manage_question_edit(question_id: int):
    question, edition = question_of(question_id)
    form = QuestionEditForm(obj=question)
    if form.validate_on_submit():
        with domain_errors(form) as outcome:
            configuration.edit_question(question, label=form.label.data,
                                        choices_text=form.choices_text.data or "",
                                        required=form.required.data,
                                        sensitive=form.sensitive.data)
            record(current_user, "registration.question", f"Question edited: {question.label}"
                   f"{' (sensitive)' if question.sensitive else ''}", edition=edition,
                   now=utcnow())
        if outcome.ok:
            flash(_("Question saved."), "success")
            return redirect(url_for(".manage_questions", edition_id=edition.id))
    return render_template("registration/manage_question_edit.html", edition=edition,
                           question=question, form=form, kinds=QUESTION_KINDS)


@bp.post("/manage/registration-questions/<int:question_id>/<any(up, down):direction>")
@login_required
def manage_question_move(question_id: int, direction: str):
    question, edition = question_of(question_id)
    if ConfirmForm().validate_on_submit():
        configuration.move_question(question, -1 if direction == "up" else 1)
        flash(_("Question moved."), "success")
    return redirect(url_for(".manage_questions", edition_id=edition.id)
                    + f"#question-{question.id}")


@bp.post("/manage/registration-questions/<int:question_id>/sensitive")
@login_required
def manage_question_sensitive(question_id: int):
    question = db.get_or_404(RegistrationQuestion, question_id)
    edition = managed_edition_or_403(question.edition_id)
    if ConfirmForm().validate_on_submit():
        sensitive = request.form.get("sensitive") == "1"
        configuration.mark_sensitive(question, sensitive)
        record(current_user, "registration.question_sensitive", f"Question "
               f"{'marked' if sensitive else 'no longer'} sensitive: {question.label}",
               edition=edition, now=utcnow())
        flash(_("Question saved."), "success")
    return redirect(url_for(".manage_questions", edition_id=edition.id))


@bp.get("/manage/registration-questions/<int:question_id>/delete")
@login_required
def manage_question_delete(question_id: int):
    question = db.get_or_404(RegistrationQuestion, question_id)
    edition = managed_edition_or_403(question.edition_id)
    return render_template("registration/manage_question_delete.html", edition=edition,
                           question=question, form=ConfirmForm())


@bp.post("/manage/registration-questions/<int:question_id>/delete")
@login_required
def manage_question_delete_confirmed(question_id: int):
    question = db.get_or_404(RegistrationQuestion, question_id)
    edition = managed_edition_or_403(question.edition_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        configuration.delete_question(question)
        record(current_user, "registration.question_delete", f"Question deleted: "
               f"{question.label}", edition=edition, now=utcnow())
        flash(_("Question deleted. Answers already given stay in the registrations."), "success")
        return redirect(url_for(".manage_questions", edition_id=edition.id))
    return render_template("registration/manage_question_delete.html", edition=edition,
                           question=question, form=form)


@bp.route(PREFIX + "/invitations", methods=["GET", "POST"])
@login_required
def manage_invitations(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    settings = settings_or_setup(edition)
    form = InvitationForm()
    if form.validate_on_submit():
        now = utcnow()
        invitations = configuration.invite(edition, email_lines(form.emails.data), now=now,
                                           site=mail_site())
        record(current_user, "registration.invite", f"{len(invitations)} invitations sent",
               edition=edition, now=now)
        flash(_("%(num)d invitations sent.", num=len(invitations)), "success")
        return redirect(url_for(".manage_invitations", edition_id=edition.id))
    invitations = db.session.scalars(sa.select(Invitation).where(
        Invitation.edition_id == edition.id).order_by(Invitation.created_at.desc())).all()
    return render_template("registration/manage_invitations.html", edition=edition, form=form,
                           invitations=invitations, settings=settings, confirm=ConfirmForm())


@bp.post("/manage/invitations/<int:invitation_id>/revoke")
@login_required
def manage_invitation_revoke(invitation_id: int):
    invitation = db.get_or_404(Invitation, invitation_id)
    edition = managed_edition_or_403(invitation.edition_id)
    if ConfirmForm().validate_on_submit():
        now = utcnow()
        with domain_errors() as outcome:
            configuration.revoke(invitation, now=now)
            record(current_user, "registration.revoke", f"Invitation #{invitation.id} revoked",
                   edition=edition, now=now)
        if outcome.ok:
            flash(_("Invitation revoked."), "success")
    return redirect(url_for(".manage_invitations", edition_id=edition.id))
