"""The upgrade to encrypted mail bodies: queued bodies encrypted, delivered ones emptied."""

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from meetings import create_app
from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from tests.conftest import build_test_config

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
LINK = "https://meetings.test/manage-registration/Secret-link-token-0123456789"
INSERT = sa.text(
    "INSERT INTO outbox_message (to_address, subject, text_body, html_body, status, attempts, "
    "created_at, next_attempt_at, last_error) VALUES (:to, 'Subject', :body, :html, :status, 0, "
    ":now, :now, '')")


def raw_bodies() -> list[tuple]:
    return db.session.execute(sa.text(
        "SELECT status, text_body, html_body FROM outbox_message ORDER BY id")).all()


def test_the_upgrade_encrypts_queued_bodies_and_empties_delivered_ones(tmp_path):
    app = create_app(build_test_config(f"sqlite:///{tmp_path / 'at-rest.db'}"))
    with app.app_context():
        upgrade(revision="a9erase000001")
        for status in ("pending", "failed", "sent"):
            db.session.execute(INSERT, {"to": f"{status}@example.org", "body": f"Open {LINK}",
                                        "html": f"<a href='{LINK}'>x</a>", "status": status,
                                        "now": NOW})
        db.session.commit()
        upgrade(revision="b1mailrest01")
        stored = raw_bodies()
        assert LINK not in str(stored) and stored[2] == ("sent", "", "")
        assert all(text.startswith("gAAAA") for _, text, _ in stored[:2])  # Fernet tokens
        bodies = db.session.scalars(sa.select(OutboxMessage.text_body)
                                    .order_by(OutboxMessage.id)).all()
        assert bodies == [f"Open {LINK}", f"Open {LINK}", ""]
        db.session.remove()
        downgrade(revision="a9erase000001")
        assert [row[1] for row in raw_bodies()] == [f"Open {LINK}", f"Open {LINK}", ""]
        db.engine.dispose()
