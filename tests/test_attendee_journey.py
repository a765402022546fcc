"""What an attendee reads along the way: the form before they type, the mails, the manage page,
the personal agenda, the self-export's history and a workshop's public page."""

import json

import sqlalchemy as sa

from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from meetings.models import Edition, SessionType
from meetings.registration import configuration, service
from meetings.registration.models import QuestionKind, Registration, RegistrationEvent
from meetings.registration.models import RegistrationStatus as S
from tests.factories import (
    MAIL_SITE,
    SUITE_START,
    agenda_world,
    choose_workshop,
    make_session,
    manage_token,
    open_edition,
    registration_category,
    registration_form,
    sign_up,
)

NOW = SUITE_START


def last_mail(registration_id: int) -> OutboxMessage:
    return db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.registration_id == registration_id).order_by(OutboxMessage.id.desc())).first()


def test_the_category_starts_on_choose_and_is_required(app, client):
    with app.app_context():
        edition = open_edition(now=NOW)
        category = registration_category(edition).id
        db.session.commit()
    page = client.get("/2027/register").get_data(as_text=True)
    select = page.split('id="category"')[1].split("</select>")[0]
    assert select.split("<option")[1].startswith(' selected value="">— choose —')
    response = client.post("/2027/register", data=registration_form(category, category=""))
    assert response.status_code == 200
    assert "Choose your participant category." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0


def test_the_form_says_when_it_closes_who_needs_approval_and_that_it_is_full(app, client):
    with app.app_context():
        edition = open_edition(capacity=1, now=NOW)
        page = client.get("/2027/register").get_data(as_text=True)
        assert "Registration closes on" in page
        assert "need the organizers' approval: Law enforcement" in page
        assert "The meeting is full." not in page
        sign_up(edition, 1, now=NOW)
        db.session.commit()
    page = client.get("/2027/register").get_data(as_text=True)
    assert "The meeting is full." in page


def test_waiting_list_position_in_the_mail_and_on_the_manage_page(app, client):
    with app.app_context():
        edition = open_edition(capacity=1, now=NOW)
        sign_up(edition, 1, now=NOW)
        sign_up(edition, 2, now=NOW)
        third = sign_up(edition, 3, now=NOW)
        assert third.status == S.WAITLISTED
        assert "You are number 2 on the waiting list." in last_mail(third.id).text_body
        token = manage_token(third, NOW)
        db.session.commit()
    page = client.get(f"/manage-registration/{token}").get_data(as_text=True)
    assert "You are number 2 on the waiting list." in page


def test_promotion_says_the_seat_is_theirs_and_how_to_give_it_up(app):
    with app.app_context():
        edition = open_edition(capacity=1, now=NOW)
        first = sign_up(edition, 1, now=NOW)
        waiting = sign_up(edition, 2, now=NOW)
        service.cancel(first, now=NOW, site=MAIL_SITE)
        assert waiting.status == S.APPROVED
        mail = last_mail(waiting.id)
        assert mail.subject.startswith("A seat is yours")
        assert "it is now yours" in mail.text_body
        assert "If you can no longer come, please cancel" in mail.text_body


def test_the_manage_page_gives_dates_venue_and_the_agenda(app, client):
    world = agenda_world(app)
    page = client.get(f"/manage-registration/{world['tokens']['gov']}").get_data(as_text=True)
    meeting = page.split('id="meeting"')[1].split("</dl>")[0]
    assert "Mar 28" in meeting and "2027" in meeting
    assert "World Forum" in meeting and 'href="/2027/agenda"' in meeting


def test_a_workshop_seat_is_on_the_personal_agenda(app, client):
    world = agenda_world(app)
    choose_workshop(app, world["gov"], world["workshop"])
    page = client.get(f"/manage-registration/{world['tokens']['gov']}").get_data(as_text=True)
    agenda = page.split('id="agenda"')[1].split('id="calendar"')[0]
    assert "Your agenda is empty." not in agenda
    assert "Hands-on: model audits" in agenda and "Your workshop place" in agenda


def test_history_names_sessions_by_title_old_notes_included(app, client):
    world = agenda_world(app)
    choose_workshop(app, world["gov"], world["workshop"])
    with app.app_context():
        registration = db.session.get(Registration, world["gov"])
        # A note written before titles were: the export still names the session.
        db.session.add(RegistrationEvent(registration=registration, at=NOW, actor="attendee",
                                         note=f"session {world['other']} added to agenda"))
        db.session.add(RegistrationEvent(registration=registration, at=NOW, actor="attendee",
                                         note=f"session {world['closed']} added to agenda"))
        db.session.commit()
    data = json.loads(client.get(
        f"/manage-registration/{world['tokens']['gov']}/data.json").get_data(as_text=True))
    notes = [entry["note"] for entry in data["history"]]
    assert "workshop “Hands-on: model audits” chosen (confirmed)" in notes
    assert "session “Unchosen panel” added to agenda" in notes
    assert "session “Closed session” added to agenda" in notes  # not law enforcement
    assert not any("workshop " + str(world["workshop"]) in note for note in notes)


def test_choice_questions_are_a_group_with_inline_labels(app, client):
    with app.app_context():
        edition = open_edition(now=NOW)
        question = configuration.add_question(edition, label="Which day?",
                                              kind=QuestionKind.SINGLE_CHOICE,
                                              choices_text="Monday\nTuesday", required=True)
        qid = question.id
        db.session.commit()
    page = client.get("/2027/register").get_data(as_text=True)
    group = page.split(f'class="field choice-group" id="q{qid}"')[1].split("</fieldset>")[0]
    assert "<legend>Which day?" in group and "<ul" not in group
    assert f'<div class="choice"><input id="q{qid}-0" name="q{qid}" required type="radio" ' \
           f'value="Monday"> <label for="q{qid}-0">Monday</label></div>' in group


def test_a_workshop_page_shows_seats_left_and_how_to_choose_it(app, client):
    world = agenda_world(app)
    choose_workshop(app, world["gov"], world["workshop"])
    page = client.get(f"/2027/sessions/{world['workshop']}").get_data(as_text=True)
    assert "9 of 10 left" in page and "Choose this workshop" in page
    assert "use the link in your email" in page and "/manage-registration/" not in page
    closed = client.get(f"/2027/sessions/{world['closed_workshop']}").get_data(as_text=True)
    assert "Choose this workshop" not in closed and "of 10 left" not in closed


def test_a_full_side_event_says_choosing_it_waitlists(app, client):
    world = agenda_world(app)
    with app.app_context():
        edition = db.session.get(Edition, world["edition"])
        side_id = make_session(edition, "Museum visit", type=SessionType.SIDE_EVENT,
                               capacity=1).id
        db.session.commit()
    choose_workshop(app, world["gov"], side_id)
    page = client.get(f"/2027/sessions/{side_id}").get_data(as_text=True)
    assert "0 of 1 left" in page and "It is full: choosing it puts you on its waiting list" in page
