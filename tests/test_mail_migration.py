"""The mail-worker migration: the outbox accepts failed messages on SQLite and PostgreSQL."""

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from meetings import create_app
from meetings.extensions import db
from meetings.mail.models import OutboxMessage, OutboxStatus
from tests.conftest import POSTGRES_URL, build_test_config

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def migrated_app(tmp_path):
    """An app on a brand-new database built by the migrations (SQLite, or scratch PostgreSQL)."""
    server, name = None, None
    if POSTGRES_URL:
        name = f"meetings_mail_migration_{uuid.uuid4().hex[:8]}"
        server = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'mail-migration.db'}"
    app = create_app(build_test_config(url))
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if server is not None:
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def test_the_migrated_outbox_keeps_failed_messages_and_rejects_unknown_states(migrated_app):
    with migrated_app.app_context():
        db.session.add(OutboxMessage(to_address="ada@example.org", subject="Failed",
                                     text_body="Body", status=OutboxStatus.FAILED,
                                     attempts=8, created_at=NOW, next_attempt_at=NOW,
                                     last_attempt_at=NOW, last_error="refused"))
        db.session.commit()
        stored = db.session.scalar(sa.select(OutboxMessage))
        assert (stored.status, stored.last_attempt_at) == (OutboxStatus.FAILED, NOW)
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.text(
                "UPDATE outbox_message SET status = 'lost' WHERE id = :id"), {"id": stored.id})
        db.session.rollback()


def test_downgrading_makes_failed_messages_pending_again(migrated_app):
    with migrated_app.app_context():
        db.session.add(OutboxMessage(to_address="ada@example.org", subject="Failed",
                                     text_body="Body", status=OutboxStatus.FAILED,
                                     created_at=NOW, next_attempt_at=NOW))
        db.session.commit()
        db.session.remove()
        downgrade(revision="a7accounts01")
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT status FROM outbox_message")).all() == [
                ("pending",)]
        upgrade()
