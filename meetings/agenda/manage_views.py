"""Organizer pages for sessions: the agenda grid, create, edit, cancel, restore, delete."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from meetings.agenda import grid, reads, service, signals
from meetings.agenda.blueprint import bp
from meetings.agenda.forms import LOCAL_FORMATS, SPEAKER_ROWS, SessionForm
from meetings.agenda.visibility import ORGANIZER
from meetings.audit.service import record
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.models import Edition, Session, SessionAccess, SessionStatus, SessionType, utcnow
from meetings.web.access import managed_edition_or_403
from meetings.web.request_guards import optional_id
from meetings.web.unit_of_work import domain_errors


def flash_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        flash(warning, "warning")


def managed_session_or_403(session_id: int) -> Session:
    """A session of an edition the current user manages (404 missing, 403 not theirs)."""
    session = db.get_or_404(Session, session_id)
    managed_edition_or_403(session.edition_id)
    return session


def chosen_day(edition: Edition) -> date:
    """The ?day= of the grid when it is one of the edition's days, else the first day."""
    try:
        day = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return edition.starts_on
    return day if day in edition.days else edition.starts_on


def grid_url(session: Session) -> str:
    day = session.starts_at.astimezone(ZoneInfo(session.edition.timezone)).date()
    return url_for("agenda.manage_grid", edition_id=session.edition_id, day=day.isoformat())


@bp.get("/manage/editions/<int:edition_id>/agenda")
@login_required
def manage_grid(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    day = chosen_day(edition)
    rooms = list(edition.venue.rooms) if edition.venue else []
    on_day = db.session.scalars(reads.sessions_on(edition, day)).unique().all()
    everything = db.session.scalars(reads.sessions_for(edition)).unique().all()
    zone = ZoneInfo(edition.timezone)
    return render_template("agenda/manage_grid.html", edition=edition, day=day,
                           grid=grid.grid_for_day(edition, rooms, on_day, day),
                           listing=[reads.shown(s, zone, viewer=ORGANIZER)[0]
                                    for s in everything])


def session_form(edition: Edition, data: dict | None = None) -> SessionForm:
    """The session form with this edition's rooms, tracks and speakers to choose from."""
    form = SessionForm(data=data or {})
    rooms = edition.venue.rooms if edition.venue else []
    form.room.choices = [SelectChoice("", _("No room"))] + [
        SelectChoice(str(r.id), r.name) for r in rooms]
    form.track.choices = [SelectChoice("", _("No track"))] + [
        SelectChoice(str(t.id), t.name) for t in edition.tracks]
    people = [SelectChoice("", "—")] + [SelectChoice(str(p.id), p.name) for p in edition.speakers]
    for row in range(1, SPEAKER_ROWS + 1):
        form[f"speaker_{row}"].choices = people
    return form


def session_input(form: SessionForm) -> service.SessionInput:
    """The service's input from a validated form."""
    speakers = [(optional_id(form[f"speaker_{row}"].data), form[f"role_{row}"].data)
                for row in range(1, SPEAKER_ROWS + 1)]
    return service.SessionInput(
        title=form.title.data, type=SessionType(form.type.data), start=form.start.data,
        end=form.end.data, room_id=optional_id(form.room.data),
        track_id=optional_id(form.track.data), speakers=speakers,
        description=form.description.data or "", language=form.language.data,
        access=SessionAccess(form.access.data), chatham_house=form.chatham_house.data,
        status=SessionStatus(form.status.data), capacity=form.capacity.data,
        online_url=form.online_url.data or "",
    )


def prefill(edition: Edition) -> dict:
    """Initial values from the grid's "Add session here" link (?room=&start=)."""
    room = optional_id(request.args.get("room"))
    data = {"room": str(room) if room else ""}
    start = None
    for pattern in LOCAL_FORMATS:
        try:
            start = datetime.strptime(request.args.get("start", ""), pattern)
            break
        except ValueError:
            continue
    start = start or datetime.combine(edition.starts_on, datetime.min.time()).replace(hour=9)
    data.update(start=start, end=start + timedelta(hours=1))
    return data


def stored_values(session: Session) -> dict:
    """The form's initial values for an existing session (times in the edition's zone)."""
    zone = ZoneInfo(session.edition.timezone)
    data = {name: getattr(session, name) for name in (
        "title", "description", "language", "chatham_house", "capacity", "online_url")}
    data.update(type=session.type.value, access=session.access.value, status=session.status.value,
                start=session.starts_at.astimezone(zone).replace(tzinfo=None),
                end=session.ends_at.astimezone(zone).replace(tzinfo=None),
                room=str(session.room_id or ""), track=str(session.track_id or ""))
    for row, link in enumerate(session.speaker_links[:SPEAKER_ROWS], start=1):
        data[f"speaker_{row}"], data[f"role_{row}"] = str(link.speaker_id), link.role.value
    return data


@bp.route("/manage/editions/<int:edition_id>/sessions/new", methods=["GET", "POST"])
@login_required
def session_create(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    form = session_form(edition, prefill(edition))
    if form.validate_on_submit():
        now = utcnow()
        with domain_errors(form) as outcome:
            session, warnings = service.create_session(edition, session_input(form), now=now)
        if outcome.ok:
            record(current_user, "session.create", f"Created session “{session.title}”",
                   edition=edition, now=now)
            flash_warnings(warnings)
            flash(_("Session added."), "success")
            return redirect(grid_url(session))
    return render_template("agenda/session_edit.html", form=form, edition=edition, session=None,
                           speaker_rows=SPEAKER_ROWS)


@bp.route("/manage/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def session_edit(session_id: int):
    session = managed_session_or_403(session_id)
    edition = session.edition
    form = session_form(edition, stored_values(session))
    if form.validate_on_submit():
        now = utcnow()
        with domain_errors(form) as outcome:
            data = session_input(form)
            # Speakers beyond the form's rows (added by the CLI or a copy) are kept as they are.
            data.speakers += [(link.speaker_id, link.role)
                              for link in session.speaker_links[SPEAKER_ROWS:]]
            warnings = service.update_session(session, data, now=now)
        if outcome.ok:
            record(current_user, "session.update", f"Updated session “{session.title}”",
                   edition=edition, now=now)
            flash_warnings(warnings)
            flash(_("Session saved."), "success")
            return redirect(grid_url(session))
    return render_template("agenda/session_edit.html", form=form, edition=edition,
                           session=session, speaker_rows=SPEAKER_ROWS)


@bp.get("/manage/sessions/<int:session_id>/cancel")
@login_required
def session_cancel_confirm(session_id: int):
    session = managed_session_or_403(session_id)
    # Attendance (a layer up) answers with whom its agenda-change digest would tell.
    audience = sum(count for _receiver, count in signals.session_audience.send(session))
    return render_template("agenda/session_cancel.html", session=session,
                           edition=session.edition, audience=audience)


@bp.post("/manage/sessions/<int:session_id>/cancel")
@login_required
def session_cancel(session_id: int):
    session = managed_session_or_403(session_id)
    now = utcnow()
    service.cancel_session(session, now=now)
    record(current_user, "session.cancel", f"Cancelled session “{session.title}”",
           edition=session.edition, now=now)
    flash(_("Session cancelled. It stays on the agenda, marked as cancelled."), "success")
    return redirect(url_for("agenda.session_edit", session_id=session.id))


@bp.post("/manage/sessions/<int:session_id>/restore")
@login_required
def session_restore(session_id: int):
    session = managed_session_or_403(session_id)
    now = utcnow()
    with domain_errors() as outcome:
        warnings = service.restore_session(session, now=now)
    if outcome.ok:
        record(current_user, "session.restore", f"Restored session “{session.title}”",
               edition=session.edition, now=now)
        flash_warnings(warnings)
        flash(_("Session scheduled again."), "success")
    return redirect(url_for("agenda.session_edit", session_id=session.id))


@bp.get("/manage/sessions/<int:session_id>/delete")
@login_required
def session_delete(session_id: int):
    session = managed_session_or_403(session_id)
    return render_template("agenda/session_delete.html", session=session, edition=session.edition)


@bp.post("/manage/sessions/<int:session_id>/delete")
@login_required
def session_delete_confirmed(session_id: int):
    session = managed_session_or_403(session_id)
    edition = session.edition
    back = grid_url(session)
    now = utcnow()
    title = session.title
    with domain_errors() as outcome:
        service.delete_session(session, now=now)
        record(current_user, "session.delete", f"Deleted session “{title}”", edition=edition,
               now=now)
    if not outcome.ok:
        return render_template("agenda/session_delete.html", session=session, edition=edition,
                               refused=True)
    flash(_("Session deleted."), "success")
    return redirect(back)
