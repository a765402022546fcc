"""Organizers mail every qualifying person a link to their certificate, once."""

import sqlalchemy as sa

from meetings.checkin.models import CheckKind
from meetings.checkin.service import Scan, record_scan
from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from meetings.models import AuditEntry, Edition
from tests.checkin_world import DOOR_DAY, build_checkin_world


def came(app, world, registration_id: int, nonce: str) -> None:
    with app.app_context():
        edition = db.session.get(Edition, world.edition)
        row, _new = record_scan(edition, Scan(nonce, CheckKind.ENTRY, DOOR_DAY,
                                              registration_id=registration_id),
                                staff=None, now=DOOR_DAY)
        assert row.admitted
        db.session.commit()


def certificate_mails(app) -> dict[int, int]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(OutboxMessage.registration_id, sa.func.count())
            .where(OutboxMessage.subject.like("Your certificate of attendance%"))
            .group_by(OutboxMessage.registration_id)).all()
        return dict(rows)


def test_the_page_lists_who_qualifies(app, client, admin):
    world = build_checkin_world(app)
    came(app, world, world.officer, "n1")
    page = client.get(f"/manage/editions/{world.edition}/certificates")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Given1 Family1" in html  # the officer, checked in
    assert "Given2 Family2" not in html  # the official, never checked in


def test_one_press_mails_each_qualifying_person_once_and_a_second_mails_no_one(
        app, client, admin):
    world = build_checkin_world(app)
    came(app, world, world.officer, "n1")
    url = f"/manage/editions/{world.edition}/certificates/send"
    assert client.post(url).status_code == 302
    assert certificate_mails(app) == {world.officer: 1}
    came(app, world, world.official, "n3")
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    assert certificate_mails(app) == {world.officer: 1, world.official: 1}
    with app.app_context():
        summaries = db.session.scalars(sa.select(AuditEntry.summary).where(
            AuditEntry.action == "certificates.send").order_by(AuditEntry.id)).all()
    assert summaries == ["Queued 1 certificate emails.", "Queued 1 certificate emails.",
                         "Queued 0 certificate emails."]


def test_sending_needs_an_organizer(app, client):
    world = build_checkin_world(app)
    response = client.post(f"/manage/editions/{world.edition}/certificates/send")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert certificate_mails(app) == {}
