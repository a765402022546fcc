"""Demo visa requests on the demo's upcoming edition: one in each state, sealed, decided by the
demo administrator as visa officer, and nobody mailed."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from meetings.badges.keys import secret_of
from meetings.demo import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, create_demo_admin, load_demo
from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from meetings.models import User
from meetings.visas import service
from meetings.visas.crypto import data_key
from meetings.visas.demo import REQUESTS, add_demo_visas
from meetings.visas.models import VisaRequest, VisaStatus
from tests.factories import MAIL_SITE

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
KEY = "3c" * 32


@pytest.fixture
def demo(app):
    """A fresh app with the demo loaded as `flask meetings demo` does, the demo admin first."""
    app.config["VISA_DATA_KEY"] = KEY
    with app.app_context():
        create_demo_admin()
        upcoming = load_demo(NOW, badge_secret=secret_of(app.config),
                             visa_key=data_key(app.config), site=MAIL_SITE)[-1]
        mailed = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
        add_demo_visas(upcoming, key=data_key(app.config), now=NOW)
        db.session.commit()
        assert db.session.scalar(
            sa.select(sa.func.count()).select_from(OutboxMessage)) == mailed
        return {"edition": upcoming.id}


def requests_of(edition_id: int) -> list[VisaRequest]:
    return db.session.scalars(sa.select(VisaRequest).where(
        VisaRequest.edition_id == edition_id).order_by(VisaRequest.id)).all()


def test_one_request_in_each_state_decided_by_the_demo_admin(app, demo):
    with app.app_context():
        requests = requests_of(demo["edition"])
        assert [r.status for r in requests] == [row[0] for row in REQUESTS]
        refused = requests[2]
        assert refused.message and refused.history[-1].user.email == DEMO_ADMIN_EMAIL
        assert requests[1].history[-1].user.email == DEMO_ADMIN_EMAIL
        assert requests[0].passport_number == "DEMO40417"
        assert all(r.passport_expiry > r.edition.ends_on for r in requests)
        admin = db.session.scalar(sa.select(User).where(User.email == DEMO_ADMIN_EMAIL))
        assert service.is_officer(admin, requests[0].edition)
        assert service.accepting_requests(requests[0].edition, NOW)


def test_demo_passport_data_is_sealed_at_rest(app, demo):
    with app.app_context():
        rows = db.session.execute(sa.text('SELECT * FROM "visa_request"')).all()
        assert len(rows) == len(REQUESTS)
        assert not any("DEMO" in repr(tuple(row)) for row in rows)
        uri = app.config["SQLALCHEMY_DATABASE_URI"]
        db.session.remove()
    if uri.startswith("sqlite:///"):
        assert b"DEMO40417" not in Path(uri.removeprefix("sqlite:///")).read_bytes()


def test_the_demo_admin_reviews_and_consulates_verify(app, client, demo):
    with app.app_context():
        issued, waiting = (next(r for r in requests_of(demo["edition"]) if r.status == status)
                           for status in (VisaStatus.ISSUED, VisaStatus.REQUESTED))
        issued_reference, waiting_id = issued.reference, waiting.id
    assert "This letter is valid" in client.get(f"/verify/{issued_reference}").get_data(
        as_text=True)
    client.post("/login", data={"email": DEMO_ADMIN_EMAIL, "password": DEMO_ADMIN_PASSWORD})
    base = f"/manage/editions/{demo['edition']}/visas"
    page = client.get(base + "/").get_data(as_text=True)
    assert "Requested: 1 · issued: 1 · refused: 1 · withdrawn: 1" in page
    opened = client.post(f"{base}/{waiting_id}/open")
    assert opened.status_code == 200 and "DEMO40417" in opened.get_data(as_text=True)


def test_loading_twice_adds_nothing_and_without_a_key_nothing_is_sealed(app, demo):
    with app.app_context():
        edition = requests_of(demo["edition"])[0].edition
        assert add_demo_visas(edition, key=bytes.fromhex(KEY), now=NOW) == []
        db.session.execute(sa.delete(VisaRequest))
        assert add_demo_visas(edition, key=None, now=NOW) == []
        assert service.settings_of(edition.id).enabled
