"""Last-Modified of the feeds that list several editions only moves forward: an edition
unpublished or deleted changes the feed, so a client's If-Modified-Since must get the new bytes,
not a 304."""

from datetime import UTC, date, datetime

from werkzeug.http import http_date, parse_date

from meetings.editions.service import delete_edition, set_status
from meetings.extensions import db
from meetings.feeds.service import reset_feed_token
from meetings.models import Edition, EditionStatus, User
from tests.factories import make_edition, make_session, make_user

OLD = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
NEW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


def two_editions(app) -> tuple[int, str]:
    """2026 changed long ago, 2027 (the newest change, with a session) later; an admin's
    organizer feed token."""
    with app.app_context():
        older = make_edition(slug="2026", starts_on=date(2026, 3, 28), ordinal=4)
        newer = make_edition(slug="2027")
        make_session(newer)
        older.updated_at, newer.updated_at = OLD, NEW
        token = reset_feed_token(make_user(email="feeds@example.org", is_admin=True))
        db.session.commit()
        return newer.id, token


def get(client, path: str, since: str | None = None):
    headers = {"Accept-Encoding": "identity"}
    if since:
        headers["If-Modified-Since"] = since
    return client.get(path, headers=headers)


def check_moves_forward(client, path: str, first) -> None:
    again = get(client, path, since=first.headers["Last-Modified"])
    assert again.status_code == 200
    assert again.data != first.data
    assert parse_date(again.headers["Last-Modified"]) > parse_date(first.headers["Last-Modified"])
    assert get(client, path, since=again.headers["Last-Modified"]).status_code == 304


def test_unpublishing_the_newest_edition_moves_last_modified_forward(app, client):
    newer, token = two_editions(app)
    paths = ["/editions.ics"]
    first = {path: get(client, path) for path in paths}
    assert first["/editions.ics"].headers["Last-Modified"] == http_date(NEW)
    with app.app_context():
        set_status(db.session.get(Edition, newer), EditionStatus.DRAFT,
                   now=datetime.now(UTC))
        db.session.commit()
    for path in paths:
        check_moves_forward(client, path, first[path])


def test_deleting_the_newest_edition_moves_last_modified_forward(app, client):
    newer, token = two_editions(app)
    paths = ["/editions.ics", f"/feeds/organizer/{token}.ics"]
    first = {path: get(client, path) for path in paths}
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.email == "feeds@example.org"))
        delete_edition(db.session.get(Edition, newer), user=admin)
        db.session.commit()
    for path in paths:
        check_moves_forward(client, path, first[path])


def test_a_rebuild_with_the_same_bytes_keeps_last_modified(app, client):
    two_editions(app)
    first = get(client, "/editions.ics")
    with app.app_context():
        draft = make_edition(slug="2028", starts_on=date(2028, 3, 28), ordinal=6,
                             status=EditionStatus.DRAFT)
        set_status(draft, EditionStatus.PUBLISHED, now=datetime.now(UTC))
        set_status(draft, EditionStatus.DRAFT, now=datetime.now(UTC))
        db.session.commit()
    again = get(client, "/editions.ics")
    assert again.data == first.data
    assert again.headers["Last-Modified"] == first.headers["Last-Modified"]
