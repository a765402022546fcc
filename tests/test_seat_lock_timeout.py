"""A transaction stuck on the edition lock makes others answer "busy, try again", never hang."""

import threading

import pytest
import sqlalchemy as sa

from meetings import create_app
from meetings.extensions import db
from tests.conftest import POSTGRES_URL, build_test_config
from tests.factories import (
    MAIL_SITE,
    SUITE_START,
    make_user,
    open_edition,
    registration_category,
    registration_form,
    sign_up,
)


def hold_edition_lock(url: str, edition_id: int, locked: threading.Event,
                      release: threading.Event) -> None:
    """In another connection, take the edition lock and keep it until `release` is set."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.execute(sa.text(
                    "SELECT 1 FROM registration_settings WHERE edition_id = :id FOR UPDATE"),
                    {"id": edition_id})
            locked.set()
            release.wait(timeout=30)
            connection.rollback()
    finally:
        engine.dispose()


@pytest.fixture
def impatient_app(app, app_config):
    """An app that waits 0.3 s for the seat lock (`app` creates and later empties the tables)."""
    options = {} if POSTGRES_URL else {"connect_args": {"timeout": 0.3}}
    impatient = create_app(build_test_config(app_config["SQLALCHEMY_DATABASE_URI"],
                                             LOCK_TIMEOUT_MS=300,
                                             SQLALCHEMY_ENGINE_OPTIONS=options))
    yield impatient
    with impatient.app_context():
        db.engine.dispose()


def test_registration_answers_busy_and_keeps_the_form_while_the_lock_is_stuck(impatient_app):
    app = impatient_app
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        edition = open_edition(capacity=5, now=SUITE_START)
        ids = edition.id, registration_category(edition).id
        db.session.commit()
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_edition_lock, args=(url, ids[0], locked, release))
    holder.start()
    answered = {}

    def post():
        answered["response"] = app.test_client().post(
            "/2027/register",
            data=registration_form(ids[1], given_name="Amina", email="amina@x.org"))

    try:
        assert locked.wait(timeout=10)
        request = threading.Thread(target=post)
        request.start()
        request.join(timeout=20)
        assert not request.is_alive(), "the registration hung on the lock"
    finally:
        release.set()
        holder.join(timeout=30)
    page = answered["response"].get_data(as_text=True)
    assert answered["response"].status_code == 200
    assert "Many people are registering right now" in page
    assert 'value="Amina"' in page and 'value="amina@x.org"' in page  # nothing typed is lost
    second = app.test_client().post("/2027/register",
                                    data=registration_form(ids[1], email="amina@x.org"))
    assert second.status_code == 302  # once the lock is free, the same form goes through


def test_bulk_approval_answers_busy_once_instead_of_waiting_for_each(impatient_app):
    """Twenty chosen registrations must not wait twenty lock timeouts (past gunicorn's)."""
    from meetings.errors import Busy
    from meetings.models import User
    from meetings.registration import service
    from meetings.registration.models import RegistrationMode

    app = impatient_app
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        edition = open_edition(capacity=50, mode=RegistrationMode.APPROVAL, now=SUITE_START)
        registrations = [sign_up(edition, n, now=SUITE_START) for n in range(3)]
        make_user("organizer@example.org", is_admin=True)
        db.session.commit()
        edition_id, ids = edition.id, [r.id for r in registrations]
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_edition_lock, args=(url, edition_id, locked, release))
    holder.start()
    try:
        assert locked.wait(timeout=10)
        with app.app_context():
            from meetings.registration.models import Registration

            chosen = [db.session.get(Registration, i) for i in ids]
            user = db.session.scalar(sa.select(User))
            with pytest.raises(Busy):
                service.decide_many(chosen, "approve", user, now=SUITE_START, site=MAIL_SITE)
            db.session.rollback()
    finally:
        release.set()
        holder.join(timeout=30)


def test_seat_lock_puts_back_the_operators_own_lock_timeout(app):
    """Only the lock statement waits LOCK_TIMEOUT_MS; later statements keep the server's value."""
    from meetings.registration.seats import lock_edition

    with app.app_context():
        edition = open_edition(capacity=5, now=SUITE_START)
        db.session.commit()
        if db.engine.dialect.name != "postgresql":
            assert lock_edition(edition.id).edition_id == edition.id
            return
        db.session.execute(sa.text("SET lock_timeout = '7s'"))
        lock_edition(edition.id)
        assert db.session.scalar(sa.text("SHOW lock_timeout")) == "7s"
        db.session.rollback()
