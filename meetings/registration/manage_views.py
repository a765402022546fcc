"""Back office: the registrations table, decisions, exports and the dashboard."""

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from meetings.audit.service import record
from meetings.countries import country_names
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.i18n import ngettext
from meetings.models import utcnow
from meetings.registration import chart, configuration, exports, reports, retention, service
from meetings.registration.blueprint import MANAGE_PREFIX as PREFIX
from meetings.registration.blueprint import bp
from meetings.registration.forms import LANGUAGES, ConfirmForm, DecisionForm
from meetings.registration.models import Registration, RegistrationEvent, RegistrationStatus
from meetings.registration.seats import seats_taken
from meetings.web.access import managed_edition_or_403
from meetings.web.request_guards import id_number, optional_id, page_number
from meetings.web.site_url import mail_site
from meetings.web.unit_of_work import domain_errors

ACTIONS = {"approve": service.approve, "reject": service.reject, "promote": service.promote}


def filters() -> dict:
    """The table's filters from the query string (bad values are ignored, never a 500)."""
    return {"search": request.args.get("q", "")[:100], "status": request.args.get("status", ""),
            "category_id": request.args.get("category", type=id_number),
            "country": request.args.get("country", "")[:2]}


@bp.get(PREFIX + "/")
@login_required
def manage_index(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    settings = configuration.settings_of(edition.id)
    chosen = filters()
    page = db.paginate(reports.registrations_for(edition.id, **chosen), page=page_number(),
                       per_page=50, error_out=False)
    return render_template(
        "registration/manage_index.html", edition=edition, settings=settings, page=page,
        chosen=chosen, statuses=list(RegistrationStatus), countries=country_names(),
        categories=db.session.scalars(configuration.categories_of(edition.id)).all(),
        taken=seats_taken(edition.id), form=DecisionForm(), confirm=ConfirmForm(),
        places=reports.waiting_positions(edition.id))


@bp.route(PREFIX + "/setup", methods=["GET", "POST"])
@login_required
def manage_setup(edition_id: int):
    """What setting registration up does, and the button that does it (closed at first)."""
    edition = managed_edition_or_403(edition_id)
    if configuration.settings_of(edition.id) is not None:
        return redirect(url_for(".manage_settings", edition_id=edition.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        now = utcnow()
        configuration.set_up(edition, now=now)
        record(current_user, "registration.setup", "Set up registration", edition=edition, now=now)
        flash(_("Registration is set up and closed. To open it, give its dates and write the "
                "privacy notice."), "success")
        return redirect(url_for(".manage_settings", edition_id=edition.id))
    return render_template("registration/manage_setup.html", edition=edition, form=form,
                           over=service.edition_is_over(edition, utcnow()))


def registration_of(edition_id: int, registration_id: int) -> Registration:
    registration = db.get_or_404(Registration, registration_id)
    if registration.edition_id != edition_id:
        abort(404)
    return registration


@bp.get(PREFIX + "/<int:registration_id>")
@login_required
def manage_detail(edition_id: int, registration_id: int):
    edition = managed_edition_or_403(edition_id)
    registration = db.first_or_404(
        sa.select(Registration).where(Registration.id == registration_id,
                                      Registration.edition_id == edition.id)
        .options(selectinload(Registration.history).selectinload(RegistrationEvent.user),
                 selectinload(Registration.workshops)))
    return render_template("registration/manage_detail.html", edition=edition,
                           registration=registration, form=DecisionForm(),
                           questions=db.session.scalars(configuration.questions_of(edition.id)).all(),
                           S=RegistrationStatus, languages=dict(LANGUAGES),
                           place=service.waiting_position(registration))


@bp.post(PREFIX + "/<int:registration_id>/<any(approve, reject, promote, cancel):action>")
@login_required
def manage_decide(edition_id: int, registration_id: int, action: str):
    edition = managed_edition_or_403(edition_id)
    registration = registration_of(edition.id, registration_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(" ".join(form.note.errors) or _("The form could not be read."), "error")
        return redirect(url_for(".manage_detail", edition_id=edition.id,
                                registration_id=registration.id))
    now, note, site = utcnow(), (form.note.data or "").strip(), mail_site()
    with domain_errors() as outcome:
        if action == "cancel":
            service.cancel(registration, now=now, site=site, user=current_user)
        elif action == "promote":
            service.promote(registration, current_user, now=now, site=site)
        else:
            ACTIONS[action](registration, current_user, now=now, site=site, note=note)
        record(current_user, f"registration.{action}", f"Registration #{registration.id}: "
               f"{action}", edition=edition, now=now)
    if outcome.ok:
        flash(_("Saved: the registrant is notified by email."), "success")
    return redirect(url_for(".manage_detail", edition_id=edition.id,
                            registration_id=registration_id))


@bp.post(PREFIX + "/bulk")
@login_required
def manage_bulk(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    form = DecisionForm()
    action = request.form.get("action", "")
    ids = [i for i in map(optional_id, request.form.getlist("ids")) if i is not None]
    if not form.validate_on_submit() or action not in ("approve", "reject") or not ids:
        flash(_("Choose registrations and an action."), "error")
        return redirect(url_for(".manage_index", edition_id=edition.id))
    chosen = db.session.scalars(sa.select(Registration).where(
        Registration.edition_id == edition.id, Registration.id.in_(ids))).all()
    now = utcnow()
    done, problems = service.decide_many(chosen, action, current_user, now=now, site=mail_site(),
                                         note=(form.note.data or "").strip())
    record(current_user, f"registration.bulk_{action}",
           f"{action}: {done} of {len(chosen)} registrations", edition=edition, now=now)
    flash(ngettext("%(num)d registration changed.", "%(num)d registrations changed.", done),
          "success")
    for problem in problems:
        flash(problem, "error")
    return redirect(url_for(".manage_index", edition_id=edition.id))


def export_rows(edition_id: int):
    chosen = filters()
    registrations = db.session.scalars(reports.registrations_for(edition_id, **chosen)).all()
    return registrations, db.session.scalars(configuration.questions_of(edition_id)).all()


@bp.get(PREFIX + "/export.<any(csv, xlsx):kind>")
@login_required
def manage_export(edition_id: int, kind: str):
    edition = managed_edition_or_403(edition_id)
    registrations, questions = export_rows(edition.id)
    record(current_user, "registration.export",
           f"Exported {len(registrations)} registrations as {kind.upper()}", edition=edition,
           now=utcnow())
    db.session.commit()  # a GET that writes: every export of personal data is in the audit log
    name = f"registrations-{edition.slug}.{kind}"
    if kind == "csv":
        body = exports.registrations_csv(registrations, questions)
        mimetype = "text/csv; charset=utf-8"
    else:
        body = exports.registrations_xlsx(
            registrations, questions, zone=edition.timezone,
            workshops=reports.workshop_choices(edition.id), languages=dict(LANGUAGES))
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get(PREFIX + "/catering.csv")
@login_required
def manage_catering_export(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    registrations = db.session.scalars(retention.needs_of(edition.id)).all()
    questions = db.session.scalars(configuration.questions_of(edition.id)).all()
    record(current_user, "registration.export",  # an audited read (see the route sweep)
           f"Exported the catering and access needs of {len(registrations)} approved attendees",
           edition=edition, now=utcnow())
    db.session.commit()  # a GET that writes: every export of personal data is in the audit log
    return Response(exports.catering_csv(registrations, questions),
                    mimetype="text/csv; charset=utf-8", headers={
                        "Content-Disposition":
                            f'attachment; filename="catering-access-{edition.slug}.csv"'})


@bp.get(PREFIX + "/dashboard")
@login_required
def manage_dashboard(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    settings = configuration.settings_of(edition.id)
    capacity = settings.capacity if settings else None
    days = reports.cumulative(reports.daily_counts(edition.id, edition.timezone))
    categories = reports.category_status_lines(edition.id)
    by_country = reports.count_by(edition.id, Registration.country)
    by_region = reports.count_by_region(by_country)
    workshops = reports.workshop_occupancy(edition.id)
    return render_template(
        "registration/dashboard.html", edition=edition, settings=settings,
        by_status=reports.count_by(edition.id, Registration.status), categories=categories,
        by_country=by_country, by_region=by_region, workshops=workshops, days=days,
        taken=seats_taken(edition.id), statuses=list(RegistrationStatus),
        waiting=len(reports.waiting_positions(edition.id)), now=utcnow(),
        charts=dashboard_charts(days, capacity, categories, workshops, by_region))


def dashboard_charts(days, capacity, categories, workshops, by_region) -> dict[str, str]:
    """The dashboard's SVG charts (each shown with its table)."""
    return {
        "days": chart.cumulative_chart_svg(days, capacity, _("Registrations so far, by day"),
                                           _("Capacity")),
        "categories": chart.bars_svg([(line.name, line.holding, line.quota)
                                      for line in categories],
                                     _("Seats held by category, against quota")),
        "workshops": chart.bars_svg([(title, taken, seats) for title, taken, seats, _w
                                     in workshops], _("Workshop places taken, against capacity")),
        "regions": chart.bars_svg([(region or _("Unknown"), count, None)
                                   for region, count in by_region], _("Registrations by region")),
    }
