"""Public agenda pages: the agenda by day, one session, the speakers.

The /manage pages of the agenda live in manage_views.py and catalog_views.py on the same blueprint.
"""

from zoneinfo import ZoneInfo

from flask import abort, render_template, request

from meetings.agenda import reads, signals
from meetings.agenda.blueprint import bp
from meetings.agenda.forms import ACCESS_LABELS, LANGUAGE_LABELS, ROLE_LABELS, TYPE_LABELS
from meetings.agenda.visibility import PUBLIC, public_tracks, public_view, withholds
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.models import Session, SessionType, Track
from meetings.web.access import visible_edition_or_404

TYPE_VALUES = {member.value for member in SessionType}


@bp.app_template_filter("session_type")
def session_type_label(value) -> str:
    return str(TYPE_LABELS.get(value, value))


@bp.app_template_filter("session_access")
def session_access_label(value) -> str:
    return str(ACCESS_LABELS.get(value, value))


@bp.app_template_filter("speaker_role")
def speaker_role_label(value) -> str:
    return str(ROLE_LABELS.get(value, value))


@bp.app_template_filter("language_name")
def language_name(code: str) -> str:
    return str(LANGUAGE_LABELS.get(code, code))


@bp.context_processor
def agenda_labels() -> dict:
    """Labels shown once per session, translated once per request."""
    return {
        "type_labels": {key: str(label) for key, label in TYPE_LABELS.items()},
        "labels": {
            "cancelled": _("Cancelled"),
            "closed": _("Closed session — law enforcement only"),
            "registered": _("Registered participants"),
            "chatham": _("Chatham House Rule"),
        },
    }


def chosen_filters(tracks: list[Track]) -> tuple[Track | None, SessionType | None]:
    """The track (by slug) and session type asked for in the query string; unknown ones ignored."""
    slug = request.args.get("track", "")
    track = next((t for t in tracks if t.slug == slug), None)
    session_type = request.args.get("type", "")
    return track, (SessionType(session_type) if session_type in TYPE_VALUES else None)


@bp.get("/<slug>/agenda")
def index(slug: str):
    edition = visible_edition_or_404(slug)
    tracks = db.session.scalars(public_tracks(edition.id)).all()
    track, session_type = chosen_filters(tracks)
    rows = db.session.execute(reads.agenda_rows(edition, track, session_type))
    names = db.session.execute(reads.agenda_speaker_names(edition, track, session_type))
    entries = reads.shown_rows(rows, names, ZoneInfo(edition.timezone), _("Closed session"))
    days = reads.agenda_days(edition, entries, _("No room"))
    withheld = db.session.scalar(reads.withheld_in_track(track)) if track else 0
    return render_template("agenda/index.html", edition=edition, days=days, tracks=tracks,
                           track=track, session_type=session_type, track_withheld=withheld,
                           filtered=bool(track or session_type),
                           types=list(TYPE_LABELS.items()), current="agenda")


@bp.get("/<slug>/sessions/<int:session_id>")
def session(slug: str, session_id: int):
    edition = visible_edition_or_404(slug)
    item = db.session.scalar(reads.sessions_for(edition).where(Session.id == session_id))
    if item is None:
        abort(404)
    label = _("Closed session")
    shown, _start, _end = reads.shown(item, ZoneInfo(edition.timezone), brief=True,
                                      viewer=PUBLIC, closed_title=label)
    extra = {}
    if not withholds(item.access, PUBLIC):  # seats of a closed session are not told
        for _receiver, part in signals.session_page.send(item):
            extra.update(part)
    return render_template("agenda/session.html", edition=edition, item=shown,
                           s=public_view(item, PUBLIC, label),
                           current="agenda", **extra)


@bp.get("/<slug>/speakers")
def speakers(slug: str):
    edition = visible_edition_or_404(slug)
    people = db.session.scalars(reads.speakers_with_sessions(edition)).unique().all()
    zone = ZoneInfo(edition.timezone)
    # A closed session is not listed, nor is it told that the speaker speaks in one.
    appearances = {
        person.id: [reads.shown(link.session, zone, brief=True, viewer=PUBLIC)[0]
                    for link in sorted(person.appearances, key=lambda link: link.session.starts_at)
                    if not withholds(link.session.access, PUBLIC)]
        for person in people
    }
    return render_template("agenda/speakers.html", edition=edition, people=people,
                           appearances=appearances, current="speakers")
