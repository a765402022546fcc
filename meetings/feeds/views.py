"""Calendar feeds, frab schedules and the organizer's personal feed address."""

from functools import wraps
from urllib.parse import urlsplit

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.http import http_date, quote_etag

from meetings.audit.service import record
from meetings.extensions import db, limiter
from meetings.feeds import service
from meetings.feeds.blueprint import bp
from meetings.feeds.cache import Feed, with_body
from meetings.models import utcnow
from meetings.web.site_url import site_url

MAX_AGE = 300


def site() -> service.Site:
    """The settings feeds are built with, from the configuration."""
    config = current_app.config
    url = site_url()
    domain = config.get("CALENDAR_DOMAIN") or config.get("SERVER_NAME") or urlsplit(url).hostname
    return service.Site(url=url, domain=domain or "localhost",
                        locale=config.get("BABEL_DEFAULT_LOCALE", "en"))


# Public feeds are polled by calendar services from shared addresses: no per-client limit.
# A request filter (rather than `limiter.exempt`) lets the limiter skip resolving its limits.
PUBLIC_FEEDS: set[str] = set()


@limiter.request_filter
def is_public_feed() -> bool:
    return request.endpoint in PUBLIC_FEEDS


def public_feed(view):
    """Answer with the feed the view returns: its stored validators, its body only when sent."""

    @wraps(view)
    def answer(**kwargs):
        return feed_response(view(**kwargs) or abort(404))

    PUBLIC_FEEDS.add(f"{bp.name}.{view.__name__}")
    return answer


@bp.get("/editions.ics")
@public_feed
def editions():
    return service.editions_feed(site(), utcnow())


@bp.get("/<slug>/agenda.ics")
@public_feed
def edition_agenda(slug: str):
    return service.agenda_feed(slug, site(), utcnow())


@bp.get("/<slug>/tracks/<track_slug>.ics")
def track(slug: str, track_slug: str):
    feed = service.track_feed(slug, track_slug, site(), utcnow())
    if feed is not None:
        return feed_response(feed)
    # A renamed track's old address keeps working for the calendars subscribed to it.
    new_slug = service.moved_track(slug, track_slug) or abort(404)
    return redirect(url_for("feeds.track", slug=slug, track_slug=new_slug), 301)


PUBLIC_FEEDS.add(f"{bp.name}.track")


@bp.get("/<slug>/sessions/<int:session_id>.ics")
@public_feed
def session(slug: str, session_id: int):
    return service.session_feed(slug, session_id, site(), utcnow())


@bp.get("/<slug>/schedule.xml")
@public_feed
def schedule_xml(slug: str):
    return service.schedule_feed(slug, "xml", site(), utcnow())


@bp.get("/<slug>/schedule.json")
@public_feed
def schedule_json(slug: str):
    return service.schedule_feed(slug, "json", site(), utcnow())


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
    headers = feed_headers(feed, gzipped, public)
    if not_modified(feed):
        return Response(status=304, headers=headers)
    if gzipped:
        headers.append(("Content-Encoding", "gzip"))
    return Response(feed.gzip_body if gzipped else feed.body, headers=headers, mimetype=None,
                    content_type=feed.content_type)


def not_modified(feed: Feed) -> bool:
    """If-None-Match wins over If-Modified-Since (RFC 9110); either variant's ETag matches."""
    if request.if_none_match:
        return any(request.if_none_match.contains_weak(tag) for tag in etags(feed))
    since = request.if_modified_since
    return since is not None and feed.last_modified.replace(microsecond=0) <= since


def etags(feed: Feed) -> tuple[str, str]:
    """Plain and gzip bodies differ in bytes, so each has its own strong ETag."""
    return feed.etag, f"{feed.etag}-gzip"


def feed_headers(feed: Feed, gzipped: bool, public: bool) -> list[tuple[str, str]]:
    """Validators, caching, Vary and (on public feeds) CORS, written once as a list."""
    headers = [("ETag", quote_etag(etags(feed)[1 if gzipped else 0])),
               ("Last-Modified", http_date(feed.last_modified)),
               ("Cache-Control", f"{'public' if public else 'private'}, max-age={MAX_AGE}"),
               ("Vary", "Accept-Encoding")]
    if public:
        headers.append(("Access-Control-Allow-Origin", "*"))
    return headers


def is_miss(response: Response) -> bool:
    return response.status_code == 404


@bp.get("/feeds/<token>.ics")
@limiter.limit("30 per minute", deduct_when=is_miss)  # only misses count: guessing, not polling
def personal(token: str):
    from meetings.attendance.feed_tokens import registration_for_feed_token
    from meetings.feeds.personal import personal_feed

    registration = registration_for_feed_token(token)
    if registration is None:
        abort(404)
    return feed_response(loaded(personal_feed(registration, site(), utcnow())), public=False)
