"""Log in and out; admins list, create and edit organizer accounts."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from wtforms.fields.choices import SelectChoice

from meetings.access import admin_required
from meetings.accounts import service
from meetings.accounts.forms import LoginForm, UserForm
from meetings.audit.service import record
from meetings.editions.service import managed_editions
from meetings.errors import DomainError
from meetings.extensions import db, limiter
from meetings.form_errors import add_error
from meetings.i18n import gettext as _
from meetings.models import Edition, User

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str:
    """Only follow local redirects after login."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("editions.manage_index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            flash(_("You are logged in."), "success")
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append(_("Wrong email or password."))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("editions.index"))


@bp.get("/manage/users/")
@admin_required
def index():
    users = db.session.scalars(service.users_by_email()).all()
    return render_template("accounts/index.html", users=users)


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
        try:
            user = service.create_user(form.email.data, form.password.data or "",
                                       name=form.name.data or "", is_admin=form.is_admin.data)
            service.update_user(user, name=user.name, is_admin=user.is_admin,
                                active=form.active.data,
                                editions=selected_editions(form.editions.data))
            record(current_user, "user.create", f"Created account {user.email}")
            db.session.commit()
        except DomainError as error:
            add_error(form, error, "email")
        else:
            flash(_("Account created."), "success")
            return redirect(url_for("accounts.index"))
    return render_template("accounts/edit.html", form=form, user=None)


def selected_editions(ids: list[int] | None) -> list[Edition]:
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Edition).where(Edition.id.in_(ids))))


@bp.route("/manage/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    form.editions.choices = edition_choices()
    if request.method == "GET":
        form.editions.data = [e.id for e in user.editions]
    if form.validate_on_submit():
        try:
            service.update_user(user, name=form.name.data or "", is_admin=form.is_admin.data,
                                active=form.active.data,
                                editions=selected_editions(form.editions.data),
                                password=form.password.data or "")
            record(current_user, "user.update", f"Updated account {user.email}")
            db.session.commit()
        except DomainError as error:
            add_error(form, error, "name")
        else:
            flash(_("Account saved."), "success")
            return redirect(url_for("accounts.index"))
    return render_template("accounts/edit.html", form=form, user=user)
