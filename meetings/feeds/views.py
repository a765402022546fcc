"""Calendar feeds and conference-app exports (routes being built; see issue 4)."""

from flask import Blueprint, abort

bp = Blueprint("feeds", __name__)


@bp.get("/editions.ics")
def editions():
    abort(404)


@bp.get("/<slug>/agenda.ics")
def edition_agenda(slug: str):
    abort(404)


@bp.get("/<slug>/tracks/<track_slug>.ics")
def track(slug: str, track_slug: str):
    abort(404)


@bp.get("/<slug>/sessions/<int:session_id>.ics")
def session(slug: str, session_id: int):
    abort(404)
