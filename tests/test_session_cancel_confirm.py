"""Cancelling a session goes through a confirmation page that says what happens."""

from datetime import timedelta

import sqlalchemy as sa

from meetings.attendance.change_mail import dispatch
from meetings.attendance.models import AgendaChoice
from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from meetings.models import Edition, Session, SessionStatus
from tests.factories import (
    MAIL_SITE,
    SUITE_START,
    agenda_world,
    approved_registration,
    change_agenda,
    choose_workshop,
)


def test_edit_page_links_to_a_confirmation_outside_the_form(app, client, admin):
    world = agenda_world(app)
    page = client.get(f"/manage/sessions/{world['plenary']}/edit").get_data(as_text=True)
    form = page[page.index('<form method="post" class="form"'):]
    form = form[:form.index("</form>")]
    assert "Cancel this session" not in form
    assert f'href="/manage/sessions/{world["plenary"]}/cancel"' in page
    assert f'action="/manage/sessions/{world["plenary"]}/cancel"' not in page


def test_confirmation_page_says_what_happens_and_changes_nothing(app, client, admin):
    world = agenda_world(app)
    response = client.get(f"/manage/sessions/{world['plenary']}/cancel")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Attendees who chose it" not in page and "nobody is emailed" in page
    assert "marked as cancelled" in page
    assert "Yes, cancel the session" in page
    with app.app_context():
        assert db.session.get(Session, world["plenary"]).status == SessionStatus.SCHEDULED


def test_confirming_cancels(app, client, admin):
    world = agenda_world(app)
    response = client.post(f"/manage/sessions/{world['plenary']}/cancel")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Session, world["plenary"]).status == SessionStatus.CANCELLED


def test_organizers_of_other_editions_cannot_see_the_page(app, client, auth):
    world = agenda_world(app)
    auth.create("org@example.org", is_admin=False)
    auth.login("org@example.org")
    assert client.get(f"/manage/sessions/{world['plenary']}/cancel").status_code == 403


def workshop_with_seats_and_choices(app, world) -> None:
    """The workshop (2 places): gov and person 3 hold places, person 4 waits for one; le and gov
    also have it on their agendas (added before the organizer limited its places)."""
    with app.app_context():
        db.session.get(Session, world["workshop"]).capacity = 2
        edition = db.session.get(Edition, world["edition"])
        world["p3"] = approved_registration(edition, 3, "government", SUITE_START).id
        world["p4"] = approved_registration(edition, 4, "government", SUITE_START).id
        db.session.commit()
    for who in ("gov", "p3", "p4"):
        choose_workshop(app, world[who], world["workshop"])
    with app.app_context():
        db.session.add_all([AgendaChoice(registration_id=world[who], session_id=world["workshop"],
                                         created_at=SUITE_START) for who in ("le", "gov")])
        db.session.commit()


def test_confirmation_page_counts_the_attendees_who_will_be_emailed(app, client, admin):
    world = agenda_world(app)
    workshop_with_seats_and_choices(app, world)
    page = client.get(f"/manage/sessions/{world['workshop']}/cancel").get_data(as_text=True)
    assert "3 attendees who chose this session will be emailed that it is cancelled." in page


def test_the_count_is_whom_the_change_digest_mails(app, client, admin):
    world = agenda_world(app)
    workshop_with_seats_and_choices(app, world)
    change_agenda(client, world, "gov", "plenary")
    page = client.get(f"/manage/sessions/{world['plenary']}/cancel").get_data(as_text=True)
    assert "1 attendee who chose this session will be emailed that it is cancelled." in page
    client.post(f"/manage/sessions/{world['workshop']}/cancel")
    with app.app_context():
        before = set(db.session.scalars(sa.select(OutboxMessage.id)))
        assert dispatch(world["edition"], now=SUITE_START + timedelta(hours=1), site=MAIL_SITE) == 3
        recipients = db.session.scalars(sa.select(OutboxMessage.to_address)
                                        .where(OutboxMessage.id.not_in(before))).all()
    assert sorted(recipients) == ["p1@example.org", "p2@example.org", "p3@example.org"]
