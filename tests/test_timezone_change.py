"""Changing an edition's time zone: a choice when sessions exist; kept local times move the
instants, and the move reaches calendars (SEQUENCE) and attendees (the change digest)."""

from datetime import UTC, datetime

import icalendar
import sqlalchemy as sa

from meetings.agenda.changes import SessionChange
from meetings.attendance.change_mail import dispatch
from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from meetings.models import Edition, EditionStatus, Session
from tests.factories import (
    MAIL_SITE,
    agenda_world,
    change_agenda,
    make_edition,
    make_session,
    make_venue,
)

LATER = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


def edit_form(edition: Edition, **overrides) -> dict:
    data = {"ordinal": str(edition.ordinal), "title": edition.title, "slug": edition.slug,
            "starts_on": edition.starts_on.isoformat(), "ends_on": edition.ends_on.isoformat(),
            "format": edition.format.value, "venue_id": str(edition.venue_id or 0),
            "timezone": edition.timezone, "host_event": "", "description": ""}
    data.update(overrides)
    return data


def plenary_event(client) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(client.get("/2027/agenda.ics").data)
    return next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Opening plenary")


def test_a_new_zone_with_sessions_asks_what_they_keep(app, client, admin):
    world = agenda_world(app)
    with app.app_context():
        edition = db.session.get(Edition, world["edition"])
        data = edit_form(edition, timezone="Europe/London")
    url = f"/manage/editions/{world['edition']}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "keep their local times" in page and "5 sessions" in page
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="session_times-error"' in page and "choose whether they keep" in page
    with app.app_context():
        assert db.session.get(Edition, world["edition"]).timezone == "Europe/Amsterdam"


def test_keeping_instants_changes_only_the_zone(app, client, admin):
    world = agenda_world(app)
    with app.app_context():
        edition = db.session.get(Edition, world["edition"])
        data = edit_form(edition, timezone="Europe/London", session_times="keep_instants")
        before = db.session.get(Session, world["plenary"]).starts_at
    assert client.post(f"/manage/editions/{world['edition']}/edit", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Edition, world["edition"]).timezone == "Europe/London"
        assert db.session.get(Session, world["plenary"]).starts_at == before
        assert db.session.scalar(sa.select(sa.func.count(SessionChange.id))) == 0


def test_keeping_local_times_moves_sessions_calendars_and_attendees(app, client, admin):
    world = agenda_world(app)
    change_agenda(client, world, "gov", "plenary")
    with app.app_context():
        edition = db.session.get(Edition, world["edition"])
        edition.status = EditionStatus.PUBLISHED
        db.session.commit()
        data = edit_form(edition, timezone="Europe/London", session_times="keep_local")
    before = plenary_event(client)
    response = client.post(f"/manage/editions/{world['edition']}/edit", data=data,
                           follow_redirects=True)
    assert response.status_code == 200
    # The venue is in Amsterdam: allowed, with a warning.
    assert "differs from its venue" in response.get_data(as_text=True)
    with app.app_context():
        plenary = db.session.get(Session, world["plenary"])
        # 10:00 in Amsterdam (08:00 UTC) is now 10:00 in London (09:00 UTC).
        assert plenary.starts_at == datetime(2027, 3, 28, 9, 0, tzinfo=UTC)
        assert db.session.scalar(sa.select(sa.func.count(SessionChange.id))) == 5
    after = plenary_event(client)
    assert after.decoded("DTSTART") == datetime(2027, 3, 28, 9, 0, tzinfo=UTC)
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("LAST-MODIFIED") != before.decoded("LAST-MODIFIED")  # set at the edit
    with app.app_context():
        assert dispatch(world["edition"], now=LATER, site=MAIL_SITE) >= 1
        db.session.commit()
        digest = db.session.scalar(sa.select(OutboxMessage).where(
            OutboxMessage.to_address == "p2@example.org",
            OutboxMessage.subject.startswith("Agenda changes")))
        assert digest is not None and "Opening plenary" in digest.text_body


def test_dates_are_checked_in_the_zone_the_sessions_keep(app, client, admin):
    """A session late on the last day stays inside when it keeps its local time."""
    with app.app_context():
        edition = make_edition(venue=None, timezone="Asia/Tokyo")
        # 23:00 in Tokyo on the last day; in London it would be 14:00, inside too; in
        # Pacific/Kiritimati (UTC+14) the instant would fall on the next day.
        make_session(edition, starts_at=datetime(2027, 3, 29, 14, 0, tzinfo=UTC), minutes=30)
        edition.format = edition.format.VIRTUAL
        db.session.commit()
        data = edit_form(edition, timezone="Pacific/Kiritimati", venue_id="0",
                         format="virtual")
        edition_id = edition.id
    url = f"/manage/editions/{edition_id}/edit"
    refused = client.post(url, data={**data, "session_times": "keep_instants"})
    assert "falls outside these dates" in refused.get_data(as_text=True)
    assert client.post(url, data={**data, "session_times": "keep_local"}).status_code == 302


def test_an_edition_in_its_venues_zone_gets_no_warning(app, client, admin):
    with app.app_context():
        edition = make_edition(venue=make_venue())
        db.session.commit()
        data = edit_form(edition)
        edition_id = edition.id
    response = client.post(f"/manage/editions/{edition_id}/edit", data=data,
                           follow_redirects=True)
    assert "differs from its venue" not in response.get_data(as_text=True)
