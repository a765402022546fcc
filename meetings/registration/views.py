"""Public registration pages: the form, "lost your link", and the self-service page by token."""

import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from meetings.extensions import db, limiter
from meetings.i18n import gettext as _
from meetings.models import utcnow
from meetings.registration import configuration, privacy, service, signals
from meetings.registration.blueprint import bp
from meetings.registration.forms import (
    CHOOSE,
    ConfirmForm,
    DetailsForm,
    LostLinkForm,
    RegistrationForm,
    answers_from,
    with_questions,
)
from meetings.registration.models import Registration, RegistrationStatus
from meetings.registration.notify import send_registration_mail
from meetings.registration.personal_data import personal_data
from meetings.registration.tokens import registration_or_404
from meetings.web.access import visible_edition_or_404
from meetings.web.site_url import mail_site
from meetings.web.uniform_timing import LOST_LINK_FLOOR, no_sooner_than
from meetings.web.unit_of_work import domain_errors


def registrant_from(form, questions) -> service.Registrant:
    """The service's view of what the form says."""
    return service.Registrant(
        given_name=form.given_name.data.strip(), family_name=form.family_name.data.strip(),
        email=form.email.data if "email" in form else "",
        organization=form.organization.data.strip(), job_title=(form.job_title.data or "").strip(),
        country=form.country.data, language=form.language.data,
        dietary=(form.dietary.data or "").strip(),
        accessibility=(form.accessibility.data or "").strip(),
        listed=bool(form.listed.data), answers=answers_from(form, questions))


@bp.route("/<slug>/register", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def register(slug: str):
    edition = visible_edition_or_404(slug)
    questions = db.session.scalars(configuration.questions_of(edition.id)).all()
    form = with_questions(RegistrationForm, questions)()
    # Held until the view returns, so the service finds the chosen category without a query.
    categories = db.session.scalars(configuration.categories_of(edition.id)).all()
    form.category.choices = [SelectChoice("", CHOOSE)] + [SelectChoice(c.id, c.name)
                                                          for c in categories]
    delegations = db.session.scalars(configuration.delegations_of(edition.id)).all()
    form.delegation.choices = [SelectChoice("", _("None / not listed"))] + [
        SelectChoice(d.id, configuration.delegation_label(d)) for d in delegations]
    if request.method == "GET" and request.args.get("code"):
        form.invitation_code.data = request.args["code"][:64]
    nomination = configuration.nomination_for(edition.id, form.invitation_code.data or "")
    if nomination is not None and request.method == "GET":
        form.email.data = nomination.email
        form.organization.data = nomination.delegation.organization.name
    if form.validate_on_submit():
        if form.website.data:  # a bot: answer as if all went well, keep nothing
            return redirect(url_for(".sent", slug=slug))
        with domain_errors(form) as outcome:
            service.register(edition, registrant_from(form, questions),
                             category_id=form.category.data, consent=form.consent.data,
                             invitation_code=form.invitation_code.data or "",
                             delegation_id=form.delegation.data, now=utcnow(),
                             site=mail_site())
        if outcome.ok:
            return redirect(url_for(".sent", slug=slug))
    now = utcnow()
    # A past or archived edition takes no registrations, whatever its dates: no form to fill in.
    settings = None if service.edition_is_over(edition, now) else configuration.settings_of(
        edition.id)
    outlook = service.outlook(settings, categories) if settings and settings.is_open(now) else None
    return render_template("registration/register.html", edition=edition, settings=settings,
                           form=form, questions=questions, now=now, outlook=outlook,
                           delegations=delegations, nomination=nomination,
                           over=settings is None and service.edition_is_over(edition, now))


@bp.get("/<slug>/register/sent")
def sent(slug: str):
    edition = visible_edition_or_404(slug)
    return render_template("registration/sent.html", edition=edition)


@bp.route("/<slug>/register/lost-link", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def lost_link(slug: str):
    edition = visible_edition_or_404(slug)
    form = LostLinkForm()
    if form.validate_on_submit():
        # A known and an unknown address take the same time (and give the same answer).
        with no_sooner_than(LOST_LINK_FLOOR):
            registration = service.registration_by_email(edition.id, form.email.data)
            if registration is not None:
                send_registration_mail(registration, "lost_link", now=utcnow(),
                                       site=mail_site())
                db.session.commit()  # inside the floor, so both answers take the same time
        # The same answer whether or not the address is registered.
        flash(_("If this address is registered, its link is on its way."), "success")
        return redirect(url_for(".sent", slug=slug))
    return render_template("registration/lost_link.html", edition=edition, form=form)


def manage_page(registration: Registration, token: str, **extra):
    # Attendance (workshops, personal agenda, calendar address) and certificates add their
    # parts of the page; each names its own templates in "page_sections".
    sections = []
    for _receiver, part in signals.manage_page.send(registration, token=token):
        sections += part.get("page_sections", [])
        extra = {**part, **extra}
    extra["page_sections"] = sections
    return render_template(
        "registration/manage.html", registration=registration, token=token,
        edition=registration.edition, confirm=ConfirmForm(),
        position=service.waiting_position(registration),
        may_register_again=(registration.status == RegistrationStatus.CANCELLED
                            and configuration.is_open(registration.edition_id, utcnow())),
        questions=db.session.scalars(configuration.questions_of(registration.edition_id)).all(),
        S=RegistrationStatus, **extra)


@bp.get("/manage-registration/<token>")
def manage(token: str):
    return manage_page(registration_or_404(token, utcnow()), token)


@bp.post("/manage-registration/<token>/verify")
def verify(token: str):
    registration = registration_or_404(token, utcnow())
    if ConfirmForm().validate_on_submit():
        service.verify(registration, now=utcnow(), site=mail_site())
        flash(_("Thank you: your email address is confirmed."), "success")
    return redirect(url_for(".manage", token=token))


@bp.route("/manage-registration/<token>/edit", methods=["GET", "POST"])
def edit_details(token: str):
    registration = registration_or_404(token, utcnow())
    if registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED):
        abort(404)
    questions = db.session.scalars(configuration.questions_of(registration.edition_id)).all()
    form_class = with_questions(DetailsForm, questions)
    form = form_class(obj=registration, data={f"q{k}": v for k, v in registration.answers.items()})
    if form.validate_on_submit():
        service.update_details(registration, registrant_from(form, questions), now=utcnow())
        flash(_("Your details are saved."), "success")
        return redirect(url_for(".manage", token=token))
    return render_template("registration/edit.html", registration=registration, token=token,
                           edition=registration.edition, form=form, questions=questions)


@bp.get("/manage-registration/<token>/data.json")
def download_data(token: str):
    registration = registration_or_404(token, utcnow())
    body = json.dumps(personal_data(registration), indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="registration-{registration.id}.json"'})


def confirm_page(registration: Registration, token: str, form: ConfirmForm, action: str):
    return render_template("registration/confirm.html", registration=registration, token=token,
                           edition=registration.edition, form=form, action=action)


@bp.get("/manage-registration/<token>/cancel")
def cancel(token: str):
    return confirm_page(registration_or_404(token, utcnow()), token, ConfirmForm(), "cancel")


@bp.post("/manage-registration/<token>/cancel")
def cancel_confirmed(token: str):
    registration = registration_or_404(token, utcnow())
    form = ConfirmForm()
    if form.validate_on_submit():
        with domain_errors() as outcome:
            service.cancel(registration, now=utcnow(), site=mail_site())
        if outcome.ok:
            flash(_("Your registration is cancelled."), "success")
        return redirect(url_for(".manage", token=token))
    return confirm_page(registration, token, form, "cancel")


@bp.get("/manage-registration/<token>/erase")
def erase(token: str):
    return confirm_page(registration_or_404(token, utcnow()), token, ConfirmForm(), "erase")


@bp.post("/manage-registration/<token>/erase")
def erase_confirmed(token: str):
    registration = registration_or_404(token, utcnow())
    form = ConfirmForm()
    if form.validate_on_submit():
        edition = registration.edition
        privacy.erase(registration, now=utcnow(), site=mail_site())
        return render_template("registration/erased.html", edition=edition)
    return confirm_page(registration, token, form, "erase")


@bp.get("/manage-registration/<token>/participants")
def participants(token: str):
    registration = registration_or_404(token, utcnow())
    if registration.status != RegistrationStatus.APPROVED:
        abort(404)
    # Only those who show themselves see the others (an unlisted attendee sees how to opt in).
    people = (db.session.scalars(privacy.participants(registration.edition_id)).all()
              if registration.listed else None)
    return render_template("registration/participants.html", registration=registration,
                           token=token, edition=registration.edition, people=people)
