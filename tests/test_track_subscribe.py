"""The agenda filtered by a track is that track's page: it offers the track's own feed."""

from meetings.extensions import db
from tests.factories import make_edition, make_session, make_track


def test_track_page_offers_the_track_feed(app, client):
    with app.app_context():
        edition = make_edition()
        policy = make_track(edition, "Policy")
        make_session(edition, track=policy)
        db.session.commit()
    page = client.get("/2027/agenda?track=policy").get_data(as_text=True)
    assert 'id="subscribe-track-url"' in page
    assert "webcal://localhost/2027/tracks/policy.ics" in page
    assert "Policy — Global Meeting on AI for Law Enforcement 2027" in page
    plain = client.get("/2027/agenda").get_data(as_text=True)
    assert 'subscribe-track' not in plain


def test_session_page_advertises_its_calendar_file(app, client):
    with app.app_context():
        session_id = make_session(make_edition()).id
        db.session.commit()
    page = client.get(f"/2027/sessions/{session_id}").get_data(as_text=True)
    assert (f'<link rel="alternate" type="text/calendar" title="Opening keynote" '
            f'href="http://localhost/2027/sessions/{session_id}.ics">') in page
