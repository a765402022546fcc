"""Two organizers' edits committed at once give two revisions: feeds never keep a stale body."""

import threading

from meetings.extensions import db
from meetings.models import Edition, utcnow
from tests.factories import make_edition


def touch_and_commit(app, edition_id, started):
    with app.app_context():
        edition = db.session.get(Edition, edition_id)
        started.set()
        edition.touch(utcnow())
        db.session.commit()


def test_concurrent_touches_both_count(app):
    with app.app_context():
        edition_id = make_edition().id
        db.session.commit()
        first = db.session.get(Edition, edition_id)
        before = first.revision
        first.touch(utcnow())
        db.session.flush()  # holds the row (PostgreSQL) or the database (SQLite) until commit
        started = threading.Event()
        other = threading.Thread(target=touch_and_commit, args=(app, edition_id, started))
        other.start()
        started.wait(5)
        db.session.commit()
        other.join(15)
        assert not other.is_alive()
        db.session.expire_all()
        assert db.session.get(Edition, edition_id).revision == before + 2
