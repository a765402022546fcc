"""Editions: the home page, public edition pages, and /manage pages to create, copy and publish."""

from datetime import date

import sqlalchemy as sa
from babel.dates import format_interval
from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from meetings.audit.service import record
from meetings.dates import timezone_names
from meetings.editions import copying, service
from meetings.editions.blueprint import bp
from meetings.editions.forms import (
    FORMAT_LABELS,
    KEEP_INSTANTS,
    KEEP_LOCAL,
    NO_VENUE,
    CopyForm,
    DeleteForm,
    EditionForm,
)
from meetings.editions.rules import EditionFields, normalized
from meetings.errors import NotAllowed
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.i18n import lazy_gettext as _l
from meetings.i18n import ngettext
from meetings.models import Edition, EditionFormat, EditionStatus, Venue, utcnow
from meetings.web.access import admin_required, managed_edition_or_403, visible_edition_or_404
from meetings.web.site_url import mail_site
from meetings.web.unit_of_work import domain_errors, show_domain_error

bp.add_app_template_global(timezone_names)

STATUS_LABELS = {
    EditionStatus.DRAFT: _l("Draft"),
    EditionStatus.PUBLISHED: _l("Published"),
    EditionStatus.ARCHIVED: _l("Archived"),
}


@bp.app_template_filter("date_range")
def date_range(first: date, last: date) -> str:
    """'Jul 11 – 12, 2018' in the active locale."""
    return format_interval(first, last, "yMMMd", locale=get_locale() or "en")


@bp.app_template_filter("edition_format")
def edition_format(value: EditionFormat) -> str:
    return str(FORMAT_LABELS.get(value, value))


@bp.app_template_filter("edition_status")
def edition_status(value: EditionStatus) -> str:
    return str(STATUS_LABELS.get(value, value))


# Public pages --------------------------------------------------------------------------------

@bp.get("/")
def index():
    editions = db.session.scalars(
        service.public_editions().options(joinedload(Edition.venue))).all()
    upcoming, past = service.split_home(editions, utcnow())
    return render_template("editions/index.html", upcoming=upcoming, past=past)


@bp.get("/<slug>/")
def detail(slug: str):
    edition = visible_edition_or_404(slug)
    return render_template("editions/detail.html", edition=edition, current="overview")


# Manage pages --------------------------------------------------------------------------------

@bp.get("/manage/")
@login_required
def manage_index():
    editions = db.session.scalars(
        service.managed_editions(current_user).options(joinedload(Edition.venue))).all()
    return render_template("editions/manage_index.html", editions=editions)


@bp.get("/manage/editions/<int:edition_id>/")
@login_required
def manage_detail(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    return render_template("editions/manage_detail.html", edition=edition,
                           session_count=service.session_count(edition))


def venue_choices() -> list[SelectChoice]:
    venues = db.session.scalars(sa.select(Venue).order_by(Venue.name)).all()
    return [SelectChoice(NO_VENUE, _("None (virtual edition)"))] + [
        SelectChoice(v.id, f"{v.name}, {v.city}" if v.city else v.name) for v in venues]


def edition_form(edition: Edition | None = None) -> EditionForm:
    form = EditionForm(obj=edition)
    form.venue_id.choices = venue_choices()
    if request.method == "GET" and edition is not None:
        form.venue_id.data = edition.venue_id or NO_VENUE
    elif request.method == "GET":  # consistent defaults: a venue goes with "in person"
        venue = service.default_venue()
        form.ordinal.data = service.next_ordinal()
        form.venue_id.data = venue.id if venue else NO_VENUE
        form.format.data = (EditionFormat.IN_PERSON if venue else EditionFormat.VIRTUAL).value
    return form


def edition_fields(form: EditionForm) -> EditionFields:
    """The service's input; values whose shape was wrong are None (the form shows why)."""
    venue = db.session.get(Venue, form.venue_id.data) if form.venue_id.data else None
    known_format = form.format.data in {f.value for f in EditionFormat}
    return EditionFields(
        ordinal=form.ordinal.data, title=form.title.data or "", slug=form.slug.data or "",
        starts_on=form.starts_on.data, ends_on=form.ends_on.data,
        timezone=form.timezone.data or "",
        format=EditionFormat(form.format.data) if known_format else None, venue=venue,
        host_event=form.host_event.data or "", description=form.description.data or "",
    )


def show_problems(form: EditionForm, problems: list) -> None:
    """Every problem beside its field, once (a field already showing an error keeps it)."""
    for problem in problems:
        field = form._fields.get(problem.field)
        if field is None or not field.errors:
            show_domain_error(problem, form)


def submitted(form: EditionForm, edition: Edition | None = None) -> bool:
    """A POST whose shape is right; when it is not, the service's rules are checked too, so the
    form lists every error at once instead of one per submit."""
    if not form.is_submitted():
        return False
    if form.validate():
        return True
    show_problems(form, service.edition_problems(normalized(edition_fields(form)), edition))
    return False


@bp.route("/manage/editions/new", methods=["GET", "POST"])
@admin_required
def create():
    form = edition_form()
    if submitted(form):
        now = utcnow()
        with domain_errors(form) as outcome:
            edition = service.create_edition(edition_fields(form), creator=current_user,
                                             now=now)
            record(current_user, "edition.create", f"Created edition {edition.slug}",
                   edition=edition, now=now)
        if outcome.ok:
            flash(_("Edition created as a draft."), "success")
            flash_warnings(service.zone_warnings(edition))
            return redirect(url_for("editions.manage_detail", edition_id=edition.id))
        show_problems(form, getattr(outcome.error, "problems", []))
    return render_template("editions/edit.html", form=form, edition=None, session_count=0)


def keep_local_times(form: EditionForm) -> bool | None:
    return {KEEP_LOCAL: True, KEEP_INSTANTS: False}.get(form.session_times.data)


@bp.route("/manage/editions/<int:edition_id>/edit", methods=["GET", "POST"])
@login_required
def edit(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    form = edition_form(edition)
    if submitted(form, edition):
        now = utcnow()
        with domain_errors(form) as outcome:
            service.update_edition(edition, edition_fields(form), now=now,
                                   keep_local_times=keep_local_times(form))
            record(current_user, "edition.update", f"Updated edition {edition.slug}",
                   edition=edition, now=now)
        if outcome.ok:
            flash(_("Edition saved."), "success")
            flash_warnings(service.zone_warnings(edition))
            return redirect(url_for("editions.manage_detail", edition_id=edition.id))
        show_problems(form, getattr(outcome.error, "problems", []))
    return render_template("editions/edit.html", form=form, edition=edition,
                           session_count=service.session_count(edition))


def flash_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        flash(warning, "warning")


@bp.route("/manage/editions/<int:edition_id>/copy", methods=["GET", "POST"])
@admin_required
def copy(edition_id: int):
    source = managed_edition_or_403(edition_id)
    form = CopyForm(data=copying.proposed_copy(source, service.next_ordinal())
                    if request.method == "GET" else None)
    if form.validate_on_submit():
        now = utcnow()
        with domain_errors(form) as outcome:
            edition = copying.copy_edition(
                source, title=form.title.data, slug=form.slug.data or "",
                ordinal=form.ordinal.data, starts_on=form.starts_on.data, user=current_user,
                now=now)
            record(current_user, "edition.copy",
                   f"Copied edition {source.slug} to {edition.slug}", edition=edition, now=now)
        if outcome.ok:
            flash(_("Copy created as a draft. Check its dates, sessions and speakers."), "success")
            return redirect(url_for("editions.manage_detail", edition_id=edition.id))
        show_problems(form, getattr(outcome.error, "problems", []))
    return render_template("editions/copy.html", form=form, source=source)


def change_status(edition_id: int, status: EditionStatus, action: str, message: str):
    edition = managed_edition_or_403(edition_id)
    now = utcnow()
    with domain_errors() as outcome:
        service.set_status(edition, status, now=now)
        record(current_user, action, f"{message} {edition.slug}", edition=edition, now=now)
    if outcome.ok:
        flash(_("Status of the edition: %(status)s.", status=edition_status(status)), "success")
    return redirect(url_for("editions.manage_detail", edition_id=edition_id))


@bp.post("/manage/editions/<int:edition_id>/publish")
@login_required
def publish(edition_id: int):
    return change_status(edition_id, EditionStatus.PUBLISHED, "edition.publish", "Published")


@bp.post("/manage/editions/<int:edition_id>/unpublish")
@login_required
def unpublish(edition_id: int):
    return change_status(edition_id, EditionStatus.DRAFT, "edition.unpublish", "Unpublished")


@bp.post("/manage/editions/<int:edition_id>/archive")
@login_required
def archive(edition_id: int):
    return change_status(edition_id, EditionStatus.ARCHIVED, "edition.archive", "Archived")


@bp.get("/manage/editions/<int:edition_id>/delete")
@login_required
def delete(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    return delete_page(edition, DeleteForm(tell_registrants=True))


def delete_page(edition: Edition, form: DeleteForm, status: int = 200):
    audience = service.registrants_to_tell(edition)
    form.tell_registrants.label.text = ngettext(
        "Email the %(num)d registrant that the edition is cancelled",
        "Email the %(num)d registrants that the edition is cancelled", audience)
    return render_template("editions/delete.html", edition=edition, form=form,
                           removed=service.removal_summary(edition), audience=audience), status


@bp.post("/manage/editions/<int:edition_id>/delete")
@login_required
def delete_confirmed(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        return delete_page(edition, form, 400)
    counts = service.removal_summary(edition)
    summary = (f"Deleted edition {edition.slug} ({edition.title}) with "
               + ", ".join(f"{count} {name}" for name, count in counts.items()))
    with domain_errors(form) as outcome:
        now = utcnow()
        told = service.registrants_to_tell(edition) if form.tell_registrants.data else 0
        service.delete_edition(edition, user=current_user,
                               confirmation=form.confirmation.data or "",
                               tell_registrants=form.tell_registrants.data, now=now,
                               site=mail_site())
        if told:
            summary += f"; {told} registrants emailed that it is cancelled"
        record(current_user, "edition.delete", summary, now=now)
    if not outcome.ok:
        return delete_page(edition, form, 403 if isinstance(outcome.error, NotAllowed) else 400)
    flash(ngettext("Edition deleted. %(num)d registrant will be emailed that it is cancelled.",
                   "Edition deleted. %(num)d registrants will be emailed that it is cancelled.",
                   told) if told else _("Edition deleted."), "success")
    return redirect(url_for("editions.manage_index"))
