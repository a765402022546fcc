"""Organizers edit and reorder questions, and read words on screen, not codes or ids."""

import sqlalchemy as sa

from meetings.extensions import db
from meetings.registration import configuration, service
from meetings.registration.models import QuestionKind, Registration, RegistrationQuestion
from tests.factories import FIXED_NOW, MAIL_SITE, open_edition, sign_up


def questions_world(app) -> tuple[int, list[int]]:
    with app.app_context():
        edition = open_edition()
        ids = [configuration.add_question(edition, label=label, kind=kind, choices_text=choices,
                                          required=True).id
               for label, kind, choices in (("Day", QuestionKind.SINGLE_CHOICE, "One\nTwo"),
                                            ("Topic", QuestionKind.SHORT_TEXT, ""),
                                            ("Photo", QuestionKind.CHECKBOX, ""))]
        db.session.commit()
        return edition.id, ids


def labels(app, edition_id: int) -> list[str]:
    with app.app_context():
        return [q.label for q in db.session.scalars(configuration.questions_of(edition_id))]


def test_a_question_is_edited_label_choices_required_and_sensitive(app, client, admin):
    edition_id, (day, _topic, _photo) = questions_world(app)
    response = client.post(f"/manage/registration-questions/{day}/edit", data={
        "label": "Which day?", "choices_text": "Monday\n\nTuesday\nBoth", "sensitive": "y"})
    assert response.status_code == 302
    with app.app_context():
        question = db.session.get(RegistrationQuestion, day)
        assert (question.label, question.choices, question.required, question.sensitive) == (
            "Which day?", ["Monday", "Tuesday", "Both"], False, True)
        assert question.kind == QuestionKind.SINGLE_CHOICE


def test_an_edit_keeps_the_rules_of_the_kind(app, client, admin):
    _edition_id, (day, _topic, _photo) = questions_world(app)
    page = client.post(f"/manage/registration-questions/{day}/edit", data={
        "label": "Which day?", "choices_text": "Only one"}).get_data(as_text=True)
    assert "Give at least two choices, one per line." in page
    with app.app_context():
        assert db.session.get(RegistrationQuestion, day).label == "Day"


def test_questions_move_up_and_down(app, client, admin):
    edition_id, (day, topic, photo) = questions_world(app)
    client.post(f"/manage/registration-questions/{photo}/up")
    assert labels(app, edition_id) == ["Day", "Photo", "Topic"]
    client.post(f"/manage/registration-questions/{day}/down")
    assert labels(app, edition_id) == ["Photo", "Day", "Topic"]
    client.post(f"/manage/registration-questions/{photo}/up")  # already first: nothing moves
    assert labels(app, edition_id) == ["Photo", "Day", "Topic"]


def test_the_question_list_names_kinds_in_words_and_offers_edit_and_move(app, client, admin):
    edition_id, (day, _topic, photo) = questions_world(app)
    page = client.get(f"/manage/editions/{edition_id}/registrations/questions").get_data(
        as_text=True)
    assert "(single_choice" not in page and "(Single choice, required)" in page
    assert f"/manage/registration-questions/{day}/edit" in page
    assert f"/manage/registration-questions/{day}/down" in page
    assert f"/manage/registration-questions/{day}/up" not in page
    assert f"/manage/registration-questions/{photo}/down" not in page


def test_the_detail_shows_the_language_name_and_the_place_in_the_waiting_list(app, client, admin):
    with app.app_context():
        edition = open_edition(capacity=1)
        people = [sign_up(edition, n, language="fr") for n in range(1, 5)]
        # The first on the waiting list leaves it…
        service.cancel(people[1], now=FIXED_NOW, site=MAIL_SITE)
        last = people[3]
        edition_id, last_id, arrival = edition.id, last.id, last.arrival
        db.session.commit()
    assert arrival == 4
    page = client.get(f"/manage/editions/{edition_id}/registrations/{last_id}").get_data(
        as_text=True)
    assert "Français" in page and "number 2 in the waiting list" in page
    assert "#4" not in page
    index = client.get(f"/manage/editions/{edition_id}/registrations/").get_data(as_text=True)
    assert "(number 2)" in index and "(#4)" not in index
    with app.app_context():
        waiting = db.session.scalars(sa.select(Registration).where(
            Registration.edition_id == edition_id, Registration.status == "waitlisted")).all()
        assert len(waiting) == 2
