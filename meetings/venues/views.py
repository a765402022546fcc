"""Venues: the public venue page of an edition, and /manage pages for venues and rooms."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from meetings.audit.service import record
from meetings.countries import country_choices
from meetings.dates import timezone_names
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.models import Room, Venue, utcnow
from meetings.venues import service
from meetings.venues.blueprint import bp
from meetings.venues.forms import RoomForm, VenueForm
from meetings.web.access import visible_edition_or_404
from meetings.web.unit_of_work import domain_errors

bp.add_app_template_global(timezone_names)


def changeable_venue_or_403(venue: Venue) -> Venue:
    """A venue the current user may change (see service.may_change), else 403."""
    if not service.may_change(current_user, venue):
        abort(403)
    return venue


@bp.get("/<slug>/venue")
def detail(slug: str):
    edition = visible_edition_or_404(slug)
    if edition.venue is None:
        abort(404)
    return render_template("venues/detail.html", edition=edition, venue=edition.venue,
                           current="venue")


@bp.get("/manage/venues/")
@login_required
def manage_index():
    venues = db.session.scalars(service.venues_by_name()).all()
    return render_template("venues/manage_index.html", venues=venues)


def venue_form(venue: Venue | None = None) -> VenueForm:
    form = VenueForm(obj=venue)
    form.country.choices = country_choices()
    return form


def venue_fields(form: VenueForm) -> service.VenueFields:
    return service.VenueFields(
        name=form.name.data, address=form.address.data or "", city=form.city.data or "",
        country=form.country.data or "", timezone=form.timezone.data or "",
        latitude=form.latitude.data, longitude=form.longitude.data,
        accessibility_notes=form.accessibility_notes.data or "")


@bp.route("/manage/venues/new", methods=["GET", "POST"])
@login_required
def create():
    form = venue_form()
    if form.validate_on_submit():
        with domain_errors(form) as outcome:
            venue = service.create_venue(venue_fields(form))
            record(current_user, "venue.create", f"Created venue {venue.name}", now=utcnow())
        if outcome.ok:
            flash(_("Venue created. Add its rooms below."), "success")
            return redirect(url_for("venues.edit", venue_id=venue.id))
    return render_template("venues/edit.html", form=form, venue=None)


@bp.route("/manage/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@login_required
def edit(venue_id: int):
    venue = db.get_or_404(Venue, venue_id)
    changeable_venue_or_403(venue)
    form = venue_form(venue)
    if form.validate_on_submit():
        now = utcnow()
        with domain_errors(form) as outcome:
            service.update_venue(venue, venue_fields(form), now=now)
            record(current_user, "venue.update", f"Updated venue {venue.name}", now=now)
        if outcome.ok:
            flash(_("Venue saved."), "success")
            return redirect(url_for("venues.edit", venue_id=venue.id))
    return render_template("venues/edit.html", form=form, venue=venue)


@bp.get("/manage/venues/<int:venue_id>/delete")
@login_required
def delete(venue_id: int):
    venue = db.get_or_404(Venue, venue_id)
    changeable_venue_or_403(venue)
    return render_template("venues/delete.html", venue=venue)


@bp.post("/manage/venues/<int:venue_id>/delete")
@login_required
def delete_confirmed(venue_id: int):
    venue = db.get_or_404(Venue, venue_id)
    changeable_venue_or_403(venue)
    name = venue.name
    with domain_errors() as outcome:
        service.delete_venue(venue)
        record(current_user, "venue.delete", f"Deleted venue {name}", now=utcnow())
    if not outcome.ok:
        return render_template("venues/delete.html", venue=venue)
    flash(_("Venue deleted."), "success")
    return redirect(url_for("venues.manage_index"))


def room_fields(form: RoomForm) -> service.RoomFields:
    return service.RoomFields(name=form.name.data, capacity=form.capacity.data,
                              floor=form.floor.data or "")


@bp.route("/manage/venues/<int:venue_id>/rooms/new", methods=["GET", "POST"])
@login_required
def room_create(venue_id: int):
    venue = db.get_or_404(Venue, venue_id)
    changeable_venue_or_403(venue)
    form = RoomForm()
    if form.validate_on_submit():
        now = utcnow()
        with domain_errors(form) as outcome:
            room = service.create_room(venue, room_fields(form), now=now)
            record(current_user, "room.create", f"Added room {room.name} to {venue.name}",
                   now=now)
        if outcome.ok:
            flash(_("Room added."), "success")
            return redirect(url_for("venues.edit", venue_id=venue.id))
    return render_template("venues/room_edit.html", form=form, venue=venue, room=None)


@bp.route("/manage/rooms/<int:room_id>/edit", methods=["GET", "POST"])
@login_required
def room_edit(room_id: int):
    room = db.get_or_404(Room, room_id, options=[joinedload(Room.venue)])
    changeable_venue_or_403(room.venue)
    form = RoomForm(obj=room)
    if form.validate_on_submit():
        now = utcnow()
        with domain_errors(form) as outcome:
            service.update_room(room, room_fields(form), now=now)
            record(current_user, "room.update",
                   f"Updated room {room.name} of {room.venue.name}", now=now)
        if outcome.ok:
            flash(_("Room saved."), "success")
            return redirect(url_for("venues.edit", venue_id=room.venue_id))
    return render_template("venues/room_edit.html", form=form, venue=room.venue, room=room)


def managed_room_or_403(room_id: int) -> Room:
    room = db.get_or_404(Room, room_id, options=[selectinload(Room.venue)])
    changeable_venue_or_403(room.venue)
    return room


def room_delete_page(room: Room):
    return render_template("venues/room_delete.html", room=room,
                           session_count=service.room_session_count(room))


@bp.get("/manage/rooms/<int:room_id>/delete")
@login_required
def room_delete(room_id: int):
    return room_delete_page(managed_room_or_403(room_id))


@bp.post("/manage/rooms/<int:room_id>/delete")
@login_required
def room_delete_confirmed(room_id: int):
    room = managed_room_or_403(room_id)
    venue_id = room.venue_id
    summary = f"Deleted room {room.name} of {room.venue.name}"
    with domain_errors() as outcome:
        service.delete_room(room, now=utcnow())
        record(current_user, "room.delete", summary, now=utcnow())
    if not outcome.ok:
        return room_delete_page(room)
    flash(_("Room deleted."), "success")
    return redirect(url_for("venues.edit", venue_id=venue_id))
