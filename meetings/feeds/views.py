"""Calendar feeds, frab schedules and the organizer's personal feed address."""

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_login import current_user, login_required

from meetings.audit.service import record
from meetings.extensions import db, limiter
from meetings.feeds import service
from meetings.feeds.cache import Feed, with_body
from meetings.models import utcnow

bp = Blueprint("feeds", __name__)

MAX_AGE = 300


def site() -> service.Site:
    """The settings feeds are built with, from the configuration."""
    config = current_app.config
    url = config["SITE_URL"].rstrip("/")
    domain = config.get("CALENDAR_DOMAIN") or config.get("SERVER_NAME") or urlsplit(url).hostname
    return service.Site(url=url, domain=domain or "localhost",
                        locale=config.get("BABEL_DEFAULT_LOCALE", "en"))


@bp.get("/editions.ics")
def editions():
    feed = service.editions_feed(site(), utcnow())
    return feed_response(feed)


@bp.get("/<slug>/agenda.ics")
def edition_agenda(slug: str):
    edition = db.first_or_404(service.public_edition(slug))
    return feed_response(service.agenda_feed(edition, site(), utcnow()))


@bp.get("/<slug>/tracks/<track_slug>.ics")
def track(slug: str, track_slug: str):
    edition = db.first_or_404(service.public_edition(slug))
    chosen = db.first_or_404(service.public_track(edition, track_slug))
    return feed_response(service.track_feed(edition, chosen, site(), utcnow()))


@bp.get("/<slug>/sessions/<int:session_id>.ics")
def session(slug: str, session_id: int):
    edition = db.first_or_404(service.public_edition(slug))
    chosen = db.first_or_404(service.public_session(edition, session_id))
    return feed_response(service.session_feed(edition, chosen, site(), utcnow()))


@bp.get("/<slug>/schedule.xml")
def schedule_xml(slug: str):
    edition = db.first_or_404(service.public_edition(slug))
    return feed_response(service.schedule_feed(edition, "xml", site(), utcnow()))


@bp.get("/<slug>/schedule.json")
def schedule_json(slug: str):
    edition = db.first_or_404(service.public_edition(slug))
    return feed_response(service.schedule_feed(edition, "json", site(), utcnow()))


@bp.get("/feeds/organizer/<token>.ics")
@limiter.limit("30 per minute")
def organizer(token: str):
    user = service.user_for_feed_token(token) if len(token) <= 100 else None
    if user is None:
        abort(404)
    return feed_response(service.organizer_feed(user, site(), utcnow()), public=False)


@bp.get("/manage/feeds/")
@login_required
def manage():
    return render_template("feeds/manage.html", feed_url=None)


@bp.post("/manage/feeds/")
@login_required
def reset_token():
    token = service.reset_feed_token(current_user)
    record(current_user, "feeds.token_reset", "Reset the organizer feed address", now=utcnow())
    db.session.commit()
    # Shown once, on this response only: the database keeps just a hash of the token.
    page = render_template("feeds/manage.html",
                           feed_url=url_for("feeds.organizer", token=token, _external=True))
    return page, 200, {"Cache-Control": "no-store"}


def feed_response(feed: Feed, public: bool = True) -> Response:
    """Answer with the feed: 304 when the client's copy is current, gzip when accepted."""
    if feed.body is not None:
        db.session.commit()  # this request built the body: store it for every worker
    gzipped = request.accept_encodings["gzip"] > 0
    if not_modified(feed):
        return with_headers(Response(status=304), feed, gzipped, public)
    full = with_body(feed)
    if full is None:
        abort(404)
    response = Response(full.gzip_body if gzipped else full.body, mimetype=None,
                        content_type=full.content_type)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    return with_headers(response, full, gzipped, public)


def not_modified(feed: Feed) -> bool:
    """If-None-Match wins over If-Modified-Since (RFC 9110); either variant's ETag matches."""
    if request.if_none_match:
        return any(request.if_none_match.contains_weak(tag) for tag in etags(feed))
    since = request.if_modified_since
    return since is not None and feed.last_modified.replace(microsecond=0) <= since


def etags(feed: Feed) -> tuple[str, str]:
    """Plain and gzip bodies differ in bytes, so each has its own strong ETag."""
    return feed.etag, f"{feed.etag}-gzip"


def with_headers(response: Response, feed: Feed, gzipped: bool, public: bool) -> Response:
    """Validators, caching, Vary and (on public feeds) CORS."""
    response.set_etag(etags(feed)[1 if gzipped else 0])
    response.last_modified = feed.last_modified
    response.headers["Cache-Control"] = f"{'public' if public else 'private'}, max-age={MAX_AGE}"
    response.vary.add("Accept-Encoding")
    if public:
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response
