"""Requests that write nothing keep the database's prepared statements, and still change nothing."""

import pytest
import sqlalchemy as sa

from meetings.database import end_unwritten_transaction
from meetings.extensions import db
from meetings.models import Edition, Track
from tests.conftest import POSTGRES_URL
from tests.factories import SUITE_START, make_edition, open_registration

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="psycopg's prepared statements")


def prepared_statements(connections: set) -> int:
    """Statements PostgreSQL holds prepared for these (idle, pooled) psycopg connections."""
    found = 0
    for raw in connections:
        found += raw.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0]
        raw.commit()
    return found


def test_read_only_requests_keep_the_prepared_statements(app, client):
    with app.app_context():
        open_registration(make_edition(slug="2027"), now=SUITE_START)
        db.session.commit()
        engine = db.engine
    used = set()

    def note(connection, *_):
        used.add(connection.connection.driver_connection)

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        for _ in range(8):  # psycopg prepares a statement on its fifth run
            assert client.get("/2027/register").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    # Ended by ROLLBACK, each request made psycopg forget them: PostgreSQL held none.
    assert prepared_statements(used) > 0


def test_a_transaction_that_wrote_is_still_rolled_back(app):
    with app.app_context():
        edition = make_edition(slug="2027")
        db.session.commit()
        db.session.add(Track(edition_id=edition.id, name="Written", slug="written"))
        db.session.flush()  # written to the database, not committed
        end_unwritten_transaction(db.session())
        db.session.remove()  # the request's teardown: roll back
        assert db.session.scalar(sa.select(sa.func.count(Track.id))) == 0


def test_a_transaction_that_only_read_ends_without_a_rollback(app):
    with app.app_context():
        make_edition(slug="2027")
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Track.id))) == 0
        end_unwritten_transaction(db.session())
        assert not db.session().in_transaction()


def test_a_change_not_yet_flushed_is_left_to_the_rollback(app):
    with app.app_context():
        edition = make_edition(slug="2027")
        db.session.commit()
        edition.title = "Changed in memory only"
        end_unwritten_transaction(db.session())  # a commit would flush it
        assert db.session().in_transaction()
        db.session.remove()
        assert db.session.scalar(sa.select(Edition.title)) != "Changed in memory only"


def test_a_failed_transaction_is_left_to_the_rollback(app):
    with app.app_context():
        make_edition(slug="2027")
        db.session.commit()
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(sa.text("SELECT 1/0"))
        end_unwritten_transaction(db.session())  # neither raises nor commits
        db.session.remove()
        assert db.session.scalar(sa.select(sa.func.count(Edition.id))) == 1
