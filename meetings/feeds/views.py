"""Calendar feeds, frab schedules and the organizer's personal feed address."""

from functools import wraps
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


def public_feed(view):
    """Answer with the feed the view returns: its stored validators, its body only when sent."""

    @wraps(view)
    def answer(**kwargs):
        # A hit is two reads (the edition, the stored validators): outside a transaction they
        # wait for no BEGIN and ROLLBACK. A miss stores its body in one statement: none needed.
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return feed_response(view(**kwargs))

    # Public feeds are polled by calendar services from shared addresses: no per-client limit,
    # and skipping the limiter keeps a cached hit close to the cost of serving bytes.
    return limiter.exempt(answer)


@bp.get("/editions.ics")
@public_feed
def editions():
    return service.editions_feed(site(), utcnow())


@bp.get("/<slug>/agenda.ics")
@public_feed
def edition_agenda(slug: str):
    edition = db.first_or_404(service.public_edition(slug))
    return service.agenda_feed(edition, site(), utcnow())


@bp.get("/<slug>/tracks/<track_slug>.ics")
@public_feed
def track(slug: str, track_slug: str):
    edition = db.first_or_404(service.public_edition(slug))
    chosen = db.first_or_404(service.public_track(edition, track_slug))
    return service.track_feed(edition, chosen, site(), utcnow())


@bp.get("/<slug>/sessions/<int:session_id>.ics")
@public_feed
def session(slug: str, session_id: int):
    edition = db.first_or_404(service.public_edition(slug))
    chosen = db.first_or_404(service.public_session(edition, session_id))
    return service.session_feed(edition, chosen, site(), utcnow())


@bp.get("/<slug>/schedule.xml")
@public_feed
def schedule_xml(slug: str):
    edition = db.first_or_404(service.public_edition(slug))
    return service.schedule_feed(edition, "xml", site(), utcnow())


@bp.get("/<slug>/schedule.json")
@public_feed
def schedule_json(slug: str):
    edition = db.first_or_404(service.public_edition(slug))
    return service.schedule_feed(edition, "json", site(), utcnow())


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


def loaded(feed: Feed) -> Feed:
    """The feed with its bodies; one this request built is committed first, for every worker."""
    if feed.built:
        db.session.commit()
    if feed.body is not None:
        return feed
    return with_body(feed) or abort(404)


def feed_response(feed: Feed, public: bool = True) -> Response:
    """Answer with a feed the service returned (stored first if this request built it)."""
    return respond(loaded(feed), public)


def respond(feed: Feed, public: bool = True) -> Response:
    """Answer with the feed and its bodies: 304 when the client's copy is current, gzip if asked."""
    gzipped = request.accept_encodings["gzip"] > 0
    if not_modified(feed):
        return with_headers(Response(status=304), feed, gzipped, public)
    response = Response(feed.gzip_body if gzipped else feed.body, mimetype=None,
                        content_type=feed.content_type)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    return with_headers(response, feed, gzipped, public)


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


def is_miss(response: Response) -> bool:
    return response.status_code == 404


@bp.get("/feeds/<token>.ics")
@limiter.limit("30 per minute", deduct_when=is_miss)  # only misses count: guessing, not polling
def personal(token: str):
    from meetings.feeds.personal import personal_feed
    from meetings.registration.feed_tokens import registration_for_feed_token

    registration = registration_for_feed_token(token)
    if registration is None:
        abort(404)
    return feed_response(loaded(personal_feed(registration, site(), utcnow())), public=False)
