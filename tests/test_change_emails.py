"""Agenda-change emails: recorded with each edit, sent as one digest per attendee over SMTP."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from meetings.agenda import service as agenda
from meetings.agenda.changes import SessionChange
from meetings.agenda.service import SessionInput
from meetings.attendance.change_mail import dispatch, dispatch_due
from meetings.dates import to_local
from meetings.extensions import db
from meetings.mail.models import OutboxMessage, OutboxStatus
from meetings.mail.sender import deliver_pending, smtp_settings
from meetings.models import AuditEntry, Room, Session
from meetings.registration import service as registration_service
from meetings.registration.models import Registration
from tests.factories import MAIL_SITE, agenda_world, change_agenda, choose_workshop
from tests.smtp import DeliveredInbox, free_port

LATER = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(app, client, smtp_server):
    """agenda_world's edition; `gov` has the plenary on their agenda and a workshop seat, `le`
    the plenary only. Mail goes to the test's SMTP server."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port,
                      MAIL_FROM="agenda@meetings.test")
    world = agenda_world(app)
    choose_workshop(app, world["gov"], world["workshop"])
    change_agenda(client, world, "gov", "plenary")
    change_agenda(client, world, "le", "plenary")
    with app.app_context():
        deliver_pending(datetime.now(UTC), smtp_settings(app.config))  # the registration emails
    world["inbox"] = DeliveredInbox(app, smtp_server.inbox)  # read after a mail-worker pass
    world["inbox"].port = smtp_server.port
    world["inbox"].messages.clear()
    return world


def edit(session_id: int, now: datetime = LATER, hours: float = 0, room: str | None = None,
         title: str | None = None) -> None:
    """Change a session through the agenda service, as the organizer's form does."""
    session = db.session.get(Session, session_id)
    zone = session.edition.timezone
    shift = timedelta(hours=hours)
    room_id = session.room_id if room is None else db.session.scalar(
        sa.select(Room.id).where(Room.name == room))
    data = SessionInput(
        title=title or session.title, type=session.type,
        start=to_local(session.starts_at + shift, zone).replace(tzinfo=None),
        end=to_local(session.ends_at + shift, zone).replace(tzinfo=None), room_id=room_id,
        description=session.description, access=session.access, capacity=session.capacity,
        online_url=session.online_url)
    agenda.update_session(session, data, now=now)


def plain_bodies(inbox) -> dict[str, str]:
    """The plain-text body of each message received, by recipient."""
    found = {}
    for message in inbox.messages:
        part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
        found[message["To"]] = part.get_payload(decode=True).decode("utf-8")
    return found


def notify(client, admin, world):
    return client.post(f"/manage/editions/{world['edition']}/agenda/changes",
                       follow_redirects=True)


def test_a_move_is_emailed_naming_old_and_new_local_times(app, client, admin, world):
    with app.app_context():
        edit(world["plenary"], hours=1.5)
        db.session.commit()
    page = client.get(f"/manage/editions/{world['edition']}/agenda/changes").get_data(
        as_text=True)
    assert "Opening plenary" in page and "2 attendees will get an email." in page
    assert "2 attendees were emailed" in notify(client, admin, world).get_data(as_text=True)
    bodies = plain_bodies(world["inbox"])
    assert set(bodies) == {"p1@example.org", "p2@example.org"}
    assert world["inbox"].messages[0]["Subject"].startswith("Agenda changes:")
    assert ("Time: 2027-03-28, 10:00–11:00 Amsterdam time (CEST) → "
            "2027-03-28, 11:30–12:30 Amsterdam time (CEST)") in bodies["p1@example.org"]
    assert "/manage-registration/" in bodies["p1@example.org"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SessionChange.id))) == 0
        assert db.session.scalar(sa.select(AuditEntry.action).order_by(
            AuditEntry.id.desc())) == "agenda.changes_notified"
    assert "No pending changes" in client.get(
        f"/manage/editions/{world['edition']}/agenda/changes").get_data(as_text=True)


def test_room_change_and_cancellation_and_restoring(app, client, admin, world):
    with app.app_context():
        edit(world["plenary"], room="Room B", hours=-1.5)
        db.session.commit()
    notify(client, admin, world)
    assert "Room: Main Hall → Room B" in plain_bodies(world["inbox"])["p1@example.org"]
    world["inbox"].messages.clear()
    client.post(f"/manage/sessions/{world['workshop']}/cancel")
    notify(client, admin, world)
    bodies = plain_bodies(world["inbox"])
    assert list(bodies) == ["p2@example.org"]  # only the attendee with a seat
    assert "Hands-on: model audits" in bodies["p2@example.org"]
    assert "Cancelled." in bodies["p2@example.org"]
    world["inbox"].messages.clear()
    client.post(f"/manage/sessions/{world['workshop']}/restore")
    notify(client, admin, world)
    assert "Scheduled again" in plain_bodies(world["inbox"])["p2@example.org"]


def test_bulk_edits_become_one_digest_per_attendee(app, runner, world):
    with app.app_context():
        edit(world["plenary"], room="Room B", now=datetime.now(UTC))
        edit(world["plenary"], hours=-1, now=datetime.now(UTC))
        edit(world["workshop"], hours=1, now=datetime.now(UTC))
        edit(world["other"], hours=1, now=datetime.now(UTC))  # nobody chose it
        db.session.commit()
    result = runner.invoke(args=["meetings", "send-mail"])  # inside the 15-minute window
    assert "digest" not in result.output and world["inbox"].messages == []
    app.config["AGENDA_CHANGE_DIGEST_MINUTES"] = 0
    result = runner.invoke(args=["meetings", "send-mail"])
    assert "Queued 2 agenda-change digest(s)." in result.output, result.output
    bodies = plain_bodies(world["inbox"])
    assert len(world["inbox"].messages) == 2
    gov, le = bodies["p2@example.org"], bodies["p1@example.org"]
    assert "Opening plenary" in gov and "Hands-on: model audits" in gov
    assert "Room: Main Hall → Room B" in gov and gov.count("Time:") == 2
    assert "Opening plenary" in le and "Hands-on" not in le
    assert "Unchosen panel" not in gov + le
    assert runner.invoke(args=["meetings", "send-mail"]).output.startswith("Sent 0")


def test_a_change_undone_before_dispatch_is_not_mailed(app, client, admin, world):
    with app.app_context():
        edit(world["plenary"], hours=2)
        edit(world["plenary"], hours=-2, now=LATER + timedelta(minutes=5))
        edit(world["workshop"], title="Hands-on: model audits (renamed)")  # not a time change
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(SessionChange.id))) == 1
    page = client.get(f"/manage/editions/{world['edition']}/agenda/changes").get_data(
        as_text=True)
    assert "Undone: no email" in page
    assert "0 attendees were emailed" in notify(client, admin, world).get_data(as_text=True)
    assert world["inbox"].messages == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SessionChange.id))) == 0


def test_only_approved_attendees_are_mailed(app, world):
    with app.app_context():
        registration_service.cancel(db.session.get(Registration, world["le"]), now=LATER,
                                    site=MAIL_SITE)
        edit(world["plenary"], hours=1)
        assert dispatch(world["edition"], now=LATER, site=MAIL_SITE) == 1
        db.session.commit()
        assert db.session.scalars(sa.select(OutboxMessage.to_address).where(
            OutboxMessage.subject.startswith("Agenda changes"))).all() == ["p2@example.org"]


def test_an_smtp_outage_loses_no_digest(app, runner, world):
    app.config["MAIL_PORT"] = str(free_port())  # nothing listens there
    edited_at = datetime.now(UTC) - timedelta(minutes=30)
    with app.app_context():
        edit(world["plenary"], hours=1, now=edited_at)
        window = timedelta(minutes=15)
        assert dispatch_due(edited_at + timedelta(minutes=14), window, site=MAIL_SITE) == 0
        assert dispatch_due(edited_at + timedelta(minutes=15), window, site=MAIL_SITE) == 2
        db.session.commit()
    assert "Sent 0 message(s)" in runner.invoke(args=["meetings", "send-mail"]).output
    with app.app_context():
        pending = db.session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.PENDING)).all()
        assert len(pending) == 2
        for message in pending:  # skip the back-off wait
            message.next_attempt_at = edited_at
        db.session.commit()
    app.config["MAIL_PORT"] = str(world["inbox"].port)
    assert "Sent 2" in runner.invoke(args=["meetings", "send-mail"]).output
    assert len(world["inbox"].messages) == 2


def test_changes_page_needs_a_login_and_the_edition(client, auth, world):
    url = f"/manage/editions/{world['edition']}/agenda/changes"
    assert client.get(url).status_code == 302
    assert client.post(url).status_code == 302
    auth.create(email="other@example.org", is_admin=False)
    auth.login("other@example.org")
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
