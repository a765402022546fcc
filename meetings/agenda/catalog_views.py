"""Organizer pages for an edition's tracks and speakers."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from meetings.agenda import catalog
from meetings.agenda.blueprint import bp
from meetings.agenda.forms import SpeakerForm, TrackForm
from meetings.audit.service import record
from meetings.countries import country_choices
from meetings.database import count_of
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.models import Speaker, Track, utcnow
from meetings.web.access import managed_edition_or_403
from meetings.web.unit_of_work import domain_errors


def managed_track_or_403(track_id: int) -> Track:
    track = db.get_or_404(Track, track_id)
    managed_edition_or_403(track.edition_id)
    return track


def managed_speaker_or_403(speaker_id: int) -> Speaker:
    speaker = db.get_or_404(Speaker, speaker_id)
    managed_edition_or_403(speaker.edition_id)
    return speaker


@bp.route("/manage/editions/<int:edition_id>/tracks", methods=["GET", "POST"])
@login_required
def manage_tracks(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    form = TrackForm()
    if form.validate_on_submit():
        now = utcnow()
        with domain_errors(form) as outcome:
            track = catalog.create_track(edition, name=form.name.data, colour=form.colour.data,
                                         slug=form.slug.data or "", now=now)
        if outcome.ok:
            audit_catalog("track.create", f"Created track “{track.name}”", edition, now)
            flash(_("Track added."), "success")
            return redirect(url_for("agenda.manage_tracks", edition_id=edition.id))
    tracks = db.session.scalars(catalog.tracks_for(edition)).all()
    return render_template("agenda/manage_tracks.html", edition=edition, tracks=tracks, form=form)


def audit_catalog(action: str, summary: str, edition, now) -> None:
    """Audit the change (the request commits it)."""
    record(current_user, action, summary, edition=edition, now=now)


@bp.route("/manage/tracks/<int:track_id>/edit", methods=["GET", "POST"])
@login_required
def track_edit(track_id: int):
    track = managed_track_or_403(track_id)
    form = TrackForm(obj=track)
    if form.validate_on_submit():
        now = utcnow()
        with domain_errors(form) as outcome:
            catalog.update_track(track, name=form.name.data, colour=form.colour.data,
                                 slug=form.slug.data or "", now=now)
        if outcome.ok:
            audit_catalog("track.update", f"Updated track “{track.name}”", track.edition, now)
            flash(_("Track saved."), "success")
            return redirect(url_for("agenda.manage_tracks", edition_id=track.edition_id))
    return render_template("agenda/track_edit.html", edition=track.edition, track=track,
                           form=form)


@bp.get("/manage/tracks/<int:track_id>/delete")
@login_required
def track_delete(track_id: int):
    track = managed_track_or_403(track_id)
    return render_template("agenda/track_delete.html", edition=track.edition, track=track,
                           used_by=count_of(catalog.sessions_of_track(track)))


@bp.post("/manage/tracks/<int:track_id>/delete")
@login_required
def track_delete_confirmed(track_id: int):
    track = managed_track_or_403(track_id)
    edition = track.edition
    now = utcnow()
    name = track.name
    catalog.delete_track(track, now=now)
    audit_catalog("track.delete", f"Deleted track “{name}”", edition, now)
    flash(_("Track deleted."), "success")
    return redirect(url_for("agenda.manage_tracks", edition_id=edition.id))


@bp.get("/manage/editions/<int:edition_id>/speakers")
@login_required
def manage_speakers(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    people = db.session.scalars(catalog.speakers_for(edition)).all()
    return render_template("agenda/manage_speakers.html", edition=edition, people=people)


def speaker_form(speaker: Speaker | None = None) -> SpeakerForm:
    form = SpeakerForm(obj=speaker)
    form.country.choices = country_choices()
    return form


def speaker_fields(form: SpeakerForm) -> dict[str, str]:
    return {name: form[name].data or "" for name in catalog.SPEAKER_FIELDS}


@bp.route("/manage/editions/<int:edition_id>/speakers/new", methods=["GET", "POST"])
@login_required
def speaker_create(edition_id: int):
    edition = managed_edition_or_403(edition_id)
    form = speaker_form()
    if form.validate_on_submit():
        now = utcnow()
        with domain_errors(form) as outcome:
            speaker = catalog.create_speaker(edition, now=now, **speaker_fields(form))
        if outcome.ok:
            audit_catalog("speaker.create", f"Created speaker “{speaker.name}”", edition, now)
            flash(_("Speaker added."), "success")
            return redirect(url_for("agenda.manage_speakers", edition_id=edition.id))
    return render_template("agenda/speaker_edit.html", edition=edition, speaker=None, form=form)


@bp.route("/manage/speakers/<int:speaker_id>/edit", methods=["GET", "POST"])
@login_required
def speaker_edit(speaker_id: int):
    speaker = managed_speaker_or_403(speaker_id)
    form = speaker_form(speaker)
    if form.validate_on_submit():
        now = utcnow()
        with domain_errors(form) as outcome:
            catalog.update_speaker(speaker, now=now, **speaker_fields(form))
        if outcome.ok:
            audit_catalog("speaker.update", f"Updated speaker “{speaker.name}”",
                          speaker.edition, now)
            flash(_("Speaker saved."), "success")
            return redirect(url_for("agenda.manage_speakers", edition_id=speaker.edition_id))
    return render_template("agenda/speaker_edit.html", edition=speaker.edition, speaker=speaker,
                           form=form)


@bp.get("/manage/speakers/<int:speaker_id>/delete")
@login_required
def speaker_delete(speaker_id: int):
    speaker = managed_speaker_or_403(speaker_id)
    return render_template("agenda/speaker_delete.html", edition=speaker.edition,
                           speaker=speaker, used_by=count_of(catalog.sessions_of_speaker(speaker)))


@bp.post("/manage/speakers/<int:speaker_id>/delete")
@login_required
def speaker_delete_confirmed(speaker_id: int):
    speaker = managed_speaker_or_403(speaker_id)
    edition = speaker.edition
    now = utcnow()
    name = speaker.name
    catalog.delete_speaker(speaker, now=now)
    audit_catalog("speaker.delete", f"Deleted speaker “{name}”", edition, now)
    flash(_("Speaker deleted."), "success")
    return redirect(url_for("agenda.manage_speakers", edition_id=edition.id))
