"""The attendee's workshops, personal agenda and calendar-feed address, on the self-service page."""

from flask import current_app, flash, redirect, request, url_for

from meetings.attendance import agenda_choices, feed_tokens, workshops
from meetings.attendance.blueprint import bp
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.models import Session, utcnow
from meetings.registration.forms import ConfirmForm
from meetings.registration.models import Registration, RegistrationStatus
from meetings.registration.tokens import registration_or_404
from meetings.web.site_url import mail_site
from meetings.web.unit_of_work import domain_errors


def feed_key() -> bytes:
    """The server key personal-feed tokens are derived with."""
    config = current_app.config
    return (config.get("FEED_TOKEN_KEY") or config["SECRET_KEY"]).encode()


def personal_context(registration: Registration) -> dict:
    """What the manage page shows of workshops, personal agenda and feed (reads only)."""
    if registration.status != RegistrationStatus.APPROVED:  # only they see these
        return {}
    token = feed_tokens.existing_feed_token(registration, feed_key())
    return {
        "page_sections": ["attendance/_workshops.html", "attendance/_personal_agenda.html"],
        "sessions": db.session.scalars(workshops.choosable_sessions(registration)).all(),
        "seats": {seat.session_id: seat for seat in registration.workshops},
        "counts": workshops.seat_counts(registration.edition_id),
        "feed_url": url_for("feeds.personal", token=token, _external=True) if token else None,
        # Workshop seats count too: "your agenda" is everything the attendee chose.
        "agenda": db.session.scalars(agenda_choices.chosen_sessions(registration)).all(),
        "agenda_ids": set(db.session.scalars(
            agenda_choices.agenda_session_ids(registration.id))),
        "candidates": db.session.scalars(agenda_choices.agenda_candidates(registration)).all(),
        "sees_closed": agenda_choices.sees_closed_details(registration),
    }


@bp.post("/manage-registration/<token>/agenda/<int:session_id>")
def agenda(token: str, session_id: int):
    registration = registration_or_404(token, utcnow())
    session = db.get_or_404(Session, session_id)
    removing = request.form.get("action") == "remove"
    if ConfirmForm().validate_on_submit():
        with domain_errors() as outcome:
            if removing:
                agenda_choices.remove_from_agenda(registration, session, now=utcnow())
            else:
                agenda_choices.add_to_agenda(registration, session, now=utcnow())
        if outcome.ok:
            message = (_("“%(title)s” is off your agenda.", title=session.title) if removing
                       else _("“%(title)s” is on your agenda.", title=session.title))
            flash(message, "success")
    return redirect(url_for("registration.manage", token=token) + "#agenda")


@bp.post("/manage-registration/<token>/calendar")
def create_calendar(token: str):
    registration = registration_or_404(token, utcnow())
    if registration.status == RegistrationStatus.APPROVED and ConfirmForm().validate_on_submit():
        feed_tokens.feed_token(registration, feed_key(), utcnow())
    return redirect(url_for("registration.manage", token=token) + "#calendar")


@bp.post("/manage-registration/<token>/calendar/reset")
def reset_calendar(token: str):
    registration = registration_or_404(token, utcnow())
    if registration.status == RegistrationStatus.APPROVED and ConfirmForm().validate_on_submit():
        feed_tokens.reset_feed_token(registration, feed_key(), utcnow())
        flash(_("Your calendar has a new address; the old one no longer works. Subscribe "
                "again with the new address."), "success")
    return redirect(url_for("registration.manage", token=token) + "#calendar")


@bp.post("/manage-registration/<token>/workshops/<int:session_id>")
def workshop(token: str, session_id: int):
    registration = registration_or_404(token, utcnow())
    session = db.get_or_404(Session, session_id)
    leaving = request.form.get("action") == "leave"
    with domain_errors() as outcome:
        if leaving:
            workshops.leave(registration, session, now=utcnow(), site=mail_site())
        else:
            seat = workshops.choose(registration, session, now=utcnow())
    if outcome.ok:
        if leaving:
            flash(_("You left “%(title)s”.", title=session.title), "success")
        elif seat.status == "confirmed":
            flash(_("You have a seat in “%(title)s”.", title=session.title), "success")
        else:
            flash(_("“%(title)s” is full: you are on its waiting list.", title=session.title),
                  "warning")
    return redirect(url_for("registration.manage", token=token) + "#workshops")
