"""A track's feed address survives a new slug: the old one redirects permanently."""

from datetime import UTC, datetime

from meetings.agenda.catalog import create_track, update_track
from meetings.extensions import db
from meetings.models import SessionAccess, Track
from tests.factories import make_edition, make_session, make_track

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


def renamed(app, access=SessionAccess.PUBLIC) -> int:
    with app.app_context():
        edition = make_edition()
        track = make_track(edition, "Policy")
        make_session(edition, track=track, access=access)
        db.session.commit()
        update_track(track, name="Policy", colour=track.colour, slug="policy-and-law", now=NOW)
        db.session.commit()
        return track.id


def test_old_track_feed_address_redirects_permanently(app, client):
    renamed(app)
    response = client.get("/2027/tracks/policy.ics")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/2027/tracks/policy-and-law.ics")
    followed = client.get("/2027/tracks/policy.ics", follow_redirects=True)
    assert followed.status_code == 200
    assert b"SUMMARY:Opening keynote" in followed.data


def test_every_earlier_slug_redirects_and_a_slug_taken_back_is_served(app, client):
    track_id = renamed(app)
    with app.app_context():
        track = db.session.get(Track, track_id)
        update_track(track, name="Policy", colour=track.colour, slug="law", now=NOW)
        db.session.commit()
    for old in ("policy", "policy-and-law"):
        assert client.get(f"/2027/tracks/{old}.ics").headers["Location"].endswith(
            "/2027/tracks/law.ics")
    with app.app_context():
        track = db.session.get(Track, track_id)
        update_track(track, name="Policy", colour=track.colour, slug="policy", now=NOW)
        db.session.commit()
    assert client.get("/2027/tracks/policy.ics").status_code == 200
    assert client.get("/2027/tracks/law.ics").headers["Location"].endswith(
        "/2027/tracks/policy.ics")


def test_a_new_track_with_an_old_slug_takes_the_address(app, client):
    track_id = renamed(app)
    with app.app_context():
        edition = db.session.get(Track, track_id).edition
        create_track(edition, name="Policy again", colour="#114411", slug="policy", now=NOW)
        db.session.commit()
    assert client.get("/2027/tracks/policy.ics").status_code == 200


def test_unknown_and_closed_track_addresses_stay_not_found(app, client):
    renamed(app, access=SessionAccess.CLOSED)
    assert client.get("/2027/tracks/policy.ics").status_code == 404
    assert client.get("/2027/tracks/never-was.ics").status_code == 404
    assert client.get("/1999/tracks/policy.ics").status_code == 404
