"""Workshop seats and law-enforcement approval: clearing a workshop's capacity confirms its
waiting list; law enforcement always needs an organizer's approval and alone sees closed
workshops."""

import pytest

from meetings.attendance import workshops
from meetings.attendance.models import WorkshopStatus
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.models import Session
from meetings.registration import configuration
from meetings.registration.models import Registration, RegistrationStatus
from tests.factories import (
    FIXED_NOW,
    MAIL_SITE,
    agenda_world,
    open_edition,
    registration_category,
    sign_up,
)


@pytest.fixture
def world(app):
    return agenda_world(app)


def manage_page(client, world, who: str) -> str:
    return client.get(f"/manage-registration/{world['tokens'][who]}").get_data(as_text=True)


def test_leaving_a_workshop_whose_capacity_was_cleared_confirms_the_waiting_list(
        app, client, world):
    with app.app_context():
        session = db.session.get(Session, world["workshop"])
        session.capacity = 1
        le = db.session.get(Registration, world["le"])
        gov = db.session.get(Registration, world["gov"])
        workshops.choose(le, session, now=FIXED_NOW)
        assert workshops.choose(gov, session, now=FIXED_NOW).status == WorkshopStatus.WAITLISTED
        session.capacity = None  # the organizer clears the seats
        db.session.commit()
    page = manage_page(client, world, "gov")
    assert "Hands-on: model audits" in page and "No limit" in page and "Leave" in page
    response = client.post(f"/manage-registration/{world['tokens']['le']}/workshops/"
                           f"{world['workshop']}", data={"action": "leave"})
    assert response.status_code == 302
    with app.app_context():
        gov = db.session.get(Registration, world["gov"])
        assert [seat.status for seat in gov.workshops] == [WorkshopStatus.CONFIRMED]


def test_law_enforcement_always_needs_approval(app):
    with app.app_context():
        edition = open_edition()  # open mode: other categories are approved at once
        law_enforcement = registration_category(edition, "law_enforcement")
        assert law_enforcement.requires_approval
        configuration.save_category(edition, law_enforcement,
                            name=law_enforcement.name, quota=None, requires_approval=False,
                            now=FIXED_NOW, site=MAIL_SITE)
        assert law_enforcement.requires_approval
        law_enforcement.requires_approval = False  # even if the flag were cleared in the database
        db.session.flush()
        assert sign_up(edition, 1, "law_enforcement").status == RegistrationStatus.PENDING
        assert sign_up(edition, 2, "government").status == RegistrationStatus.APPROVED


def test_closed_workshops_are_neither_listed_nor_choosable_outside_law_enforcement(
        app, client, world):
    assert "Undercover operations lab" not in manage_page(client, world, "gov")
    assert "Undercover operations lab" in manage_page(client, world, "le")
    page = client.post(f"/manage-registration/{world['tokens']['gov']}/workshops/"
                       f"{world['closed_workshop']}", data={"action": "choose"},
                       follow_redirects=True).get_data(as_text=True)
    assert "open to law-enforcement participants only" in page
    with app.app_context():
        gov = db.session.get(Registration, world["gov"])
        assert gov.workshops == []
        with pytest.raises(DomainError):
            workshops.choose(gov, db.session.get(Session, world["closed_workshop"]), now=FIXED_NOW)
        le = db.session.get(Registration, world["le"])
        closed_workshop = db.session.get(Session, world["closed_workshop"])
        seat = workshops.choose(le, closed_workshop, now=FIXED_NOW)
        assert seat.status == WorkshopStatus.CONFIRMED
