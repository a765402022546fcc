"""Two senders at once (a request and `send-mail`) never deliver the same message twice."""

import threading

import pytest
import sqlalchemy as sa

from meetings.extensions import db
from meetings.mail.models import OutboxMessage, OutboxStatus
from meetings.mail.sender import claim_next, deliver_pending
from meetings.mail.service import queue_message
from meetings.models import utcnow
from tests.conftest import POSTGRES_URL


@pytest.mark.skipif(not POSTGRES_URL, reason="row claims with SKIP LOCKED need postgres")
def test_a_claimed_message_is_skipped_by_another_sender(app):
    with app.app_context():
        now = utcnow()
        for n in range(3):
            queue_message(f"p{n}@example.org", "Hello", "Body", now=now)
        db.session.commit()
        claimed = claim_next(now, None, [])  # this sender holds the first row
        results = []

        def other_sender():
            with app.app_context():
                results.append(deliver_pending(now))

        thread = threading.Thread(target=other_sender)
        thread.start()
        thread.join(15)
        assert results == [(2, 0)]
        db.session.rollback()
        statuses = dict(db.session.execute(sa.select(OutboxMessage.id, OutboxMessage.status)).all())
        assert statuses[claimed.id] == OutboxStatus.PENDING
        assert sorted(statuses.values()).count(OutboxStatus.SENT) == 2
