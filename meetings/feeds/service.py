"""Calendar feeds and frab schedules: what each one holds, and the organizer's feed token.

Every feed is stored in `FeedCache`, versioned by the edition's revision (or a hash of several
editions' revisions) plus the site settings and exporter code, so it is built once per change;
a rebuild serializes only the events that changed (`events.session_events`). A public edition
feed is found by its address in one read (`hit_statements`): the edition's revision and the
stored validators together, so an edit committed by any worker is seen on the next request.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import force_locale

from meetings import frab, ical, markup
from meetings.agenda import visibility
from meetings.agenda.catalog import renamed_track
from meetings.agenda.reads import withheld_in_track
from meetings.agenda.visibility import (
    PUBLIC,
    public_tracks,
    public_view,
    shown_to,
    track_is_public,
)
from meetings.countries import country_name
from meetings.database import read_only
from meetings.editions.service import managed_editions, public_editions
from meetings.extensions import db
from meetings.feeds import text
from meetings.feeds.cache import (
    Feed,
    build_and_store,
    cached,
    current,
    stored_validators,
)
from meetings.feeds.events import session_events
from meetings.feeds.stamps import Rendered, fingerprint, rendered_session, stamp_all, stamp_key
from meetings.models import (
    Edition,
    EditionStatus,
    FeedCache,
    Room,
    Session,
    SessionSpeaker,
    SessionStatus,
    Track,
    User,
)
from meetings.secret_tokens import hash_token

ICS = "text/calendar; charset=utf-8"
SCHEDULE_TYPES = {"xml": "application/xml; charset=utf-8",
                  "json": "application/json; charset=utf-8"}


@dataclass(frozen=True)
class Site:
    """Settings the feeds depend on: public base URL, calendar domain, feed language."""

    url: str
    domain: str
    locale: str = "en"

    def fingerprint(self) -> str:
        """Moves when a setting or the exporter code changes, so stored bodies are rebuilt."""
        parts = "|".join((self.url, self.domain, self.locale, code_fingerprint()))
        return hashlib.sha256(parts.encode()).hexdigest()[:16]

    # The public pages' fixed paths (editions.detail, agenda.index, agenda.session). Feeds are
    # built once for every client, so links use SITE_URL rather than the request's host.
    def edition_url(self, edition: Edition) -> str:
        return f"{self.url}/{edition.slug}/"

    def agenda_url(self, edition: Edition) -> str:
        return f"{self.url}/{edition.slug}/agenda"

    def session_url(self, session: Session) -> str:
        return f"{self.url}/{session.edition.slug}/sessions/{session.id}"


@cache
def code_fingerprint() -> str:
    """A hash of the exporters' source: a deploy that changes their output rebuilds the cache."""
    digest = hashlib.sha256()
    for path in (ical.__file__, frab.__file__, markup.__file__, text.__file__,
                 visibility.__file__, __file__):
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def public_edition(slug: str) -> sa.Select:
    """A published or archived edition by slug (drafts have no feeds)."""
    return sa.select(Edition).where(*public_edition_criteria(slug))


def public_edition_criteria(slug) -> tuple:
    """What makes an edition's feeds public, for `public_edition` and the feeds' one read."""
    return Edition.slug == slug, Edition.status != EditionStatus.DRAFT


def feed_sessions(edition_ids: list[int]) -> sa.Select:
    """Sessions of those editions in feed order: filters only, the caller chooses what to load."""
    return (sa.select(Session).where(Session.edition_id.in_(edition_ids))
            .order_by(Session.starts_at, Session.id))


def sessions_for_feed(edition_ids: list[int]) -> sa.Select:
    """Sessions with everything a feed shows, eager-loaded: a constant number of queries."""
    return feed_sessions(edition_ids).options(
        so.joinedload(Session.room).joinedload(Room.venue),
        so.joinedload(Session.track),
        so.joinedload(Session.speaker_links).joinedload(SessionSpeaker.speaker),
    )


def visible(edition: Edition, query: sa.Select) -> sa.Select:
    """The query's sessions a feed lists: a cancelled one stays until its edition is archived."""
    if edition.status == EditionStatus.ARCHIVED:
        return query.where(Session.status != SessionStatus.CANCELLED)
    return query


def visible_sessions(edition: Edition, query: sa.Select) -> list[Session]:
    """The sessions the query finds, as `visible` filters them."""
    return list(db.session.scalars(visible(edition, query)).unique())


def stored_with(found: sa.Select, prefix: str, *ids: sa.ColumnElement) -> sa.Select:
    """What `found` finds (an edition and, by name, what else the feed is of) with the stored
    validators of its feed, `prefix/<ids>` as `feed_key` spells it: a hit is this one read."""
    key = sa.literal(prefix)
    for column in ids:
        key = key + "/" + sa.cast(column, sa.String)
    return (found.add_columns(Edition.revision, FeedCache.key, FeedCache.version, FeedCache.etag,
                              FeedCache.last_modified, FeedCache.content_type)
            .outerjoin(FeedCache, FeedCache.key == key))


def feed_key(prefix: str, *ids: int) -> str:
    """The key a feed is stored under: 'agenda/3', 'track/3/12'."""
    return "/".join((prefix, *map(str, ids)))


@cache
def hit_statements() -> dict[str, sa.Select]:
    """One read per public edition feed, by the names in its address (built once)."""
    edition = sa.select(Edition.id).where(*public_edition_criteria(sa.bindparam("slug")))
    track = edition.add_columns(Track.id.label("track_id")).join(
        Track, Track.edition_id == Edition.id).where(
        Track.slug == sa.bindparam("track_slug"),
        track_is_public())
    session = edition.add_columns(Session.id.label("session_id")).join(
        Session, Session.edition_id == Edition.id).where(
        Session.id == sa.bindparam("session_id"))
    return {
        "agenda": stored_with(edition, "agenda", Edition.id),
        "track": stored_with(track, "track", Edition.id, Track.id),
        "session": stored_with(session, "session", Session.id),
        "schedule.xml": stored_with(edition, "schedule.xml", Edition.id),
        "schedule.json": stored_with(edition, "schedule.json", Edition.id),
    }


def find_feed(kind: str, **names) -> sa.Row | None:
    """The row `hit_statements` reads for this address; None if nothing public is there."""
    return read_only(db.engine, lambda connection: connection.execute(
        hit_statements()[kind], names).first())


def edition_version(revision: int | None, site: Site) -> str:
    """What a feed of one edition is built from: its revision, the settings and the code."""
    return f"{revision or 0}-{site.fingerprint()}"


def agenda_feed(slug: str, site: Site, now: datetime) -> Feed | None:
    """/<slug>/agenda.ics: the stored validators, or built once for this revision."""
    found = find_feed("agenda", slug=slug)
    if found is None:
        return None
    if hit := current(found, edition_version(found.revision, site)):
        return hit
    edition = db.session.get_one(Edition, found.id)
    return edition_feed(feed_key("agenda", edition.id), edition, site, ICS,
                        lambda: agenda_body(edition, site, now), now, found)


def agenda_body(edition: Edition, site: Site, now: datetime) -> bytes:
    """Every session; closed ones show only their time and room."""
    query = visible(edition, feed_sessions([edition.id]))
    info = text.agenda_info(edition, site.agenda_url(edition))
    return ical.calendar(info, session_events(query, feed_options(site), audience(site), now))


def track_feed(slug: str, track_slug: str, site: Site, now: datetime) -> Feed | None:
    """/<slug>/tracks/<track>.ics: the stored validators, or built once for this revision."""
    found = find_feed("track", slug=slug, track_slug=track_slug)
    if found is None:
        return None
    if hit := current(found, edition_version(found.revision, site)):
        return hit
    edition = db.session.get_one(Edition, found.id)
    track = db.session.get_one(Track, found.track_id)
    return edition_feed(feed_key("track", edition.id, track.id), edition, site, ICS,
                        lambda: track_body(edition, track, site, now), now, found)


def moved_track(slug: str, track_slug: str) -> str | None:
    """The public track's slug now, when `track_slug` is one it had before (else None)."""
    edition = db.session.scalar(public_edition(slug))
    track = renamed_track(edition.id, track_slug) if edition is not None else None
    if track is None or not db.session.scalar(sa.select(track_is_public())
                                              .where(Track.id == track.id)):
        return None
    return track.slug


def track_body(edition: Edition, track: Track, site: Site, now: datetime) -> bytes:
    """The track's sessions; closed ones stay out (their track is not public)."""
    query = visible(edition, feed_sessions([edition.id]).where(
        Session.track_id == track.id, shown_to(PUBLIC)))
    withheld = db.session.scalar(withheld_in_track(track))
    info = text.track_info(edition, track, site.agenda_url(edition), withheld)
    return ical.calendar(info, session_events(query, feed_options(site), audience(site), now))


def session_feed(slug: str, session_id: int, site: Site, now: datetime) -> Feed | None:
    """/<slug>/sessions/<id>.ics: the stored validators, or built once for this revision."""
    found = find_feed("session", slug=slug, session_id=session_id)
    if found is None:
        return None
    if hit := current(found, edition_version(found.revision, site)):
        return hit
    edition = db.session.get_one(Edition, found.id)
    session = db.session.get_one(Session, found.session_id)
    return edition_feed(feed_key("session", session.id), edition, site, ICS,
                        lambda: session_body(edition, session, site, now), now, found)


def session_body(edition: Edition, session: Session, site: Site, now: datetime) -> bytes:
    """One session to import (METHOD:PUBLISH)."""
    query = sessions_for_feed([edition.id]).where(Session.id == session.id)
    options = feed_options(site)
    shown = public_view(db.session.scalars(query).unique().one(), PUBLIC,
                        options.labels.closed_session)
    info = text.session_info(edition, shown.title, site.agenda_url(edition))
    event = rendered_session(shown, options, "public", now)  # stamped as in the agenda feed
    return ical.calendar(info, stamp_all([event], now), method="PUBLISH")


def schedule_feed(slug: str, kind: str, site: Site, now: datetime) -> Feed | None:
    """/<slug>/schedule.xml or .json: the stored validators, or built once for this revision."""
    found = find_feed(f"schedule.{kind}", slug=slug)
    if found is None:
        return None
    if hit := current(found, edition_version(found.revision, site)):
        return hit
    edition = db.session.get_one(Edition, found.id)
    return edition_feed(feed_key(f"schedule.{kind}", edition.id), edition, site,
                        SCHEDULE_TYPES[kind], lambda: schedule_body(edition, kind, site), now,
                        found)


def schedule_body(edition: Edition, kind: str, site: Site) -> bytes:
    """The agenda in the frab format, "xml" or "json"."""
    export = frab.schedule_xml if kind == "xml" else frab.schedule_json
    labels = text.feed_labels()
    sessions = [public_view(session, PUBLIC, labels.closed_session)
                for session in visible_sessions(edition, sessions_for_feed([edition.id]))]
    options = frab.ScheduleOptions(
        edition_url=site.edition_url(edition), agenda_url=site.agenda_url(edition),
        session_url=site.session_url, labels=labels,
        tracks=tuple(db.session.scalars(public_tracks(edition.id))))
    return export(edition, sessions, options)


def edition_feed(key: str, edition: Edition, site: Site, content_type: str, build,
                 now: datetime, found: sa.Row) -> Feed:
    """A feed of one edition built for its revision (`found`'s stored body is of another)."""
    return build_and_store(key, edition_version(edition.revision, site),
                           content_type=content_type, last_modified=edition.updated_at,
                           build=in_language(site, build), now=now, edition_id=edition.id,
                           previous=found)


def editions_feed(site: Site, now: datetime) -> Feed:
    """/editions.ics: one all-day event per published or archived edition."""
    def read(connection: sa.Connection) -> tuple[list, sa.Row | None]:
        return (connection.execute(
            sa.select(Edition.id, Edition.revision, Edition.status, Edition.updated_at)
            .where(Edition.status != EditionStatus.DRAFT)).all(),
            connection.execute(stored_validators("editions")).first())

    rows, stored_row = read_only(db.engine, read)

    def build() -> bytes:
        query = oldest_first(public_editions()).options(so.joinedload(Edition.venue))
        events = [edition_event(edition, f"edition-{edition.id}@{site.domain}", site, now)
                  for edition in db.session.scalars(query)]
        return ical.calendar(text.editions_info(f"{site.url}/"), stamp_all(events, now))

    version = digest_version(sorted((r.id, r.revision, str(r.status)) for r in rows), site)
    return current(stored_row, version) or build_and_store(
        "editions", version, content_type=ICS, now=now,
        last_modified=max((r.updated_at for r in rows), default=now),
        build=in_language(site, build), previous=stored_row)


def edition_event(edition: Edition, uid: str, site: Site, now: datetime) -> Rendered:
    """An edition's all-day event without its stamp (SEQUENCE moves when its text does)."""
    body = ical.edition_event(edition, uid, site.edition_url(edition), country_name, now,
                              ical.UNSTAMPED)
    return Rendered(stamp_key("public", uid), body, fingerprint(body),
                    ical.Stamp(edition.revision or 0, edition.updated_at or now))


def organizer_feed(user: User, site: Site, now: datetime) -> Feed:
    """/feeds/organizer/<token>.ics: every session of the editions the user organizes."""
    editions = db.session.scalars(oldest_first(managed_editions(user)).options(
        so.joinedload(Edition.venue))).all()

    def build() -> bytes:
        query = feed_sessions([e.id for e in editions])
        info = text.organizer_info(f"{site.url}/manage/")
        options = feed_options(site, private=True)
        return ical.calendar(info, session_events(query, options, audience(site, True), now))

    version = digest_version([(e.id, e.revision) for e in editions], site)
    return cached(f"organizer/{user.id}", version, content_type=ICS, now=now,
                  last_modified=max((e.updated_at for e in editions), default=now),
                  build=in_language(site, build))


def in_language(site: Site, build):
    """Build in the feeds' language, whatever the language of the request that triggers it."""

    def built() -> bytes:
        with force_locale(site.locale):
            return build()

    return built


def feed_options(site: Site, private: bool = False) -> ical.FeedOptions:
    """Domain, links and labels for the iCalendar exporter."""
    return ical.FeedOptions(domain=site.domain, session_url=site.session_url,
                            country_name=country_name, labels=text.feed_labels(),
                            private=private)


def audience(site: Site, private: bool = False) -> tuple:
    """What `feed_options` depends on, for the keys of cached events."""
    return site.url, site.domain, site.locale, private


def digest_version(parts: list, site: Site) -> str:
    """A version for a feed spanning several editions: a hash of their change counters."""
    return hashlib.sha256((repr(parts) + site.fingerprint()).encode()).hexdigest()[:40]


def oldest_first(editions: sa.Select) -> sa.Select:
    """Editions in the order a calendar lists them: first to last."""
    return editions.order_by(None).order_by(Edition.starts_on, Edition.id)


def reset_feed_token(user: User) -> str:
    """Give the user a new organizer-feed token (the old address stops working) and return it."""
    token = secrets.token_urlsafe(32)
    user.feed_token_hash = hash_token(token)
    db.session.flush()
    return token


def user_for_feed_token(token: str) -> User | None:
    """The active user whose feed token this is, compared in constant time."""
    digest = hash_token(token)
    user = db.session.scalar(sa.select(User).where(User.feed_token_hash == digest))
    if user is None or not user.is_active:
        return None
    return user if hmac.compare_digest(user.feed_token_hash, digest) else None


