"""The public speakers page lists only the speakers of sessions the public may see."""

from datetime import UTC, datetime

from meetings.extensions import db
from meetings.models import SessionAccess
from tests.factories import make_edition, make_session, make_speaker


def test_speaker_of_only_closed_sessions_is_not_listed(app, client):
    with app.app_context():
        edition = make_edition()
        secret = make_speaker(edition, name="Secret Agent", organization="Hidden Bureau")
        shown = make_speaker(edition, name="Grace Hopper")
        make_speaker(edition, name="Idle Speaker")
        make_session(edition, title="Closed briefing", speakers=[secret, shown],
                     access=SessionAccess.CLOSED)
        make_session(edition, title="Open panel", speakers=[shown],
                     starts_at=datetime(2027, 3, 28, 10, 0, tzinfo=UTC))
        db.session.commit()
    page = client.get("/2027/speakers").get_data(as_text=True)
    assert "Grace Hopper" in page and "Open panel" in page
    for hidden in ("Secret Agent", "Hidden Bureau", "Idle Speaker", "Closed briefing"):
        assert hidden not in page
