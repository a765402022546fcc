"""The database states who may delete a chosen session; deleting a whole edition still works."""

import pytest
import sqlalchemy as sa

from meetings.agenda import service
from meetings.attendance.models import AgendaChoice, WorkshopSeat, WorkshopStatus
from meetings.editions.service import delete_edition
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.models import Edition, Session
from meetings.registration.models import Registration, RegistrationCategory, RegistrationStatus
from tests.factories import FIXED_NOW, make_edition, make_session, make_user


def chosen_session(kind: str) -> tuple[int, int]:
    """An edition with one session an approved attendee took (a seat) or put on their agenda."""
    edition = make_edition()
    session = make_session(edition, title="Hands-on workshop")
    category = RegistrationCategory(edition_id=edition.id, code="gov", name="Government")
    db.session.add(category)
    db.session.flush()
    registration = Registration(edition_id=edition.id, category_id=category.id,
                                status=RegistrationStatus.APPROVED, email="a@example.org")
    db.session.add(registration)
    db.session.flush()
    if kind == "seat":
        db.session.add(WorkshopSeat(registration_id=registration.id, session_id=session.id,
                                    status=WorkshopStatus.CONFIRMED, created_at=FIXED_NOW))
    else:
        db.session.add(AgendaChoice(registration_id=registration.id, session_id=session.id,
                                    created_at=FIXED_NOW))
    db.session.commit()
    return edition.id, session.id


@pytest.mark.parametrize("kind", ["seat", "choice"])
def test_the_database_itself_refuses_to_delete_a_chosen_session(app, kind):
    with app.app_context():
        _edition_id, session_id = chosen_session(kind)
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.delete(Session).where(Session.id == session_id))
            db.session.flush()
        db.session.rollback()
        assert db.session.get(Session, session_id) is not None


@pytest.mark.parametrize("kind", ["seat", "choice"])
def test_the_service_turns_the_refusal_into_a_message_and_keeps_the_session_usable(app, kind):
    with app.app_context():
        _edition_id, session_id = chosen_session(kind)
        session = db.session.get(Session, session_id)
        with pytest.raises(DomainError, match="cancel it instead"):
            service.delete_session(session, now=FIXED_NOW)
        # The refusal was confined to a savepoint: the session and the transaction carry on.
        assert session.title == "Hands-on workshop"
        db.session.commit()
        assert db.session.get(Session, session_id) is not None


@pytest.mark.parametrize("kind", ["seat", "choice"])
def test_deleting_an_edition_removes_its_chosen_sessions_and_the_choices(app, kind):
    with app.app_context():
        edition_id, session_id = chosen_session(kind)
        admin = make_user(email="admin@example.org", is_admin=True)
        edition = db.session.get(Edition, edition_id)
        delete_edition(edition, user=admin, confirmation=edition.slug)
        db.session.commit()
        assert db.session.get(Session, session_id) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkshopSeat)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AgendaChoice)) == 0


@pytest.mark.parametrize("kind", ["seat", "choice"])
def test_a_refused_delete_leads_to_the_cancel_confirmation_not_a_one_click_cancel(
        app, client, admin, kind):
    with app.app_context():
        _edition_id, session_id = chosen_session(kind)
    response = client.post(f"/manage/sessions/{session_id}/delete")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Attendees have chosen this session: cancel it instead" in page
    assert f'href="/manage/sessions/{session_id}/cancel"' in page
    assert f'action="/manage/sessions/{session_id}/cancel"' not in page
    with app.app_context():
        assert db.session.get(Session, session_id).status.value == "scheduled"
