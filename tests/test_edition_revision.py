"""Two organizers' edits committed at once give two revisions: feeds never keep a stale body."""

import threading

from meetings.agenda.service import bump
from meetings.extensions import db
from meetings.models import Edition, Session, utcnow
from tests.factories import make_edition, make_session


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


def bump_and_commit(app, session_id, started):
    with app.app_context():
        session = db.session.get(Session, session_id)
        started.set()
        bump(session, utcnow())
        db.session.commit()


def test_concurrent_session_changes_both_move_the_sequence(app):
    with app.app_context():
        session_id = make_session(make_edition()).id
        db.session.commit()
        first = db.session.get(Session, session_id)
        bump(first, utcnow())
        db.session.flush()
        started = threading.Event()
        other = threading.Thread(target=bump_and_commit, args=(app, session_id, started))
        other.start()
        started.wait(5)
        db.session.commit()
        other.join(15)
        assert not other.is_alive()
        db.session.expire_all()
        assert db.session.get(Session, session_id).sequence == 2
