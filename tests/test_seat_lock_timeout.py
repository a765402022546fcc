"""A transaction stuck on the edition lock makes others answer "busy, try again", never hang."""

import threading

import pytest
import sqlalchemy as sa

from meetings import create_app
from meetings.extensions import db
from tests.conftest import POSTGRES_URL, build_test_config
from tests.test_registration_service import category, open_edition
from tests.test_registration_views import NOW, form_data


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
        edition = open_edition(capacity=5, now=NOW)
        ids = edition.id, category(edition).id
        db.session.commit()
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_edition_lock, args=(url, ids[0], locked, release))
    holder.start()
    answered = {}

    def post():
        answered["response"] = app.test_client().post(
            "/2027/register", data=form_data(ids[1], given_name="Amina", email="amina@x.org"))

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
    second = app.test_client().post("/2027/register", data=form_data(ids[1], email="amina@x.org"))
    assert second.status_code == 302  # once the lock is free, the same form goes through
