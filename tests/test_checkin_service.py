"""Check-in rules: every refusal reason, the door rules, each nonce counted once, conflicts."""

from datetime import timedelta
from itertools import count

import pytest
import sqlalchemy as sa

from meetings.checkin import reads, service
from meetings.checkin.models import CheckIn, CheckKind
from meetings.checkin.service import Scan
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.models import Edition
from meetings.registration import privacy
from meetings.registration.models import Registration
from tests.checkin_world import DOOR_DAY, build_checkin_world
from tests.factories import MAIL_SITE

NONCES = count(1)


@pytest.fixture
def world(app):
    return build_checkin_world(app)


def scan(world, who=None, kind=CheckKind.ENTRY, *, code=None, at=DOOR_DAY, **fields) -> Scan:
    return Scan(nonce=fields.pop("nonce", f"nonce-{next(NONCES):04d}"), kind=kind,
                scanned_at=at, code=code if code is not None else
                (world.codes[who] if who else None), **fields)


def record(world, *scans, now=DOOR_DAY + timedelta(hours=1)):
    edition = db.session.get(Edition, world.edition)
    results = service.record_scans(edition, scans, staff=None, now=now)
    return [(r.row.reason, r.row.admitted, r.new) for r in results]


def flipped(code: str) -> str:
    return code[:20] + ("A" if code[20] != "A" else "B") + code[21:]


def test_each_refusal_reason_of_the_badge_code(app, world):
    with app.app_context():
        assert record(world,
                      scan(world, world.official),
                      scan(world, code="NOT A BADGE"),
                      scan(world, code=flipped(world.codes[world.officer])),
                      scan(world, code=world.other_code),
                      scan(world, world.cancelled),
                      scan(world, world.officer, at=DOOR_DAY + timedelta(days=3)),
                      now=DOOR_DAY + timedelta(days=3)) == [
            ("valid", True, True), ("malformed", False, True), ("bad signature", False, True),
            ("other edition", False, True), ("revoked", False, True),
            ("expired", False, True)]


def test_an_offline_scan_is_judged_at_its_own_time_never_later_than_now(app, world):
    with app.app_context():  # uploaded after the edition ended: still valid when scanned
        assert record(world, scan(world, world.officer), now=DOOR_DAY + timedelta(days=5)) == [
            ("valid", True, True)]
        future = scan(world, world.official, at=DOOR_DAY + timedelta(days=9))
        assert record(world, future, now=DOOR_DAY + timedelta(days=5)) == [
            ("expired", False, True)]


def test_collection_needs_photo_id_and_happens_once(app, world):
    with app.app_context():
        assert record(world,
                      scan(world, world.official, CheckKind.COLLECTION),
                      scan(world, world.official, CheckKind.COLLECTION, photo_id_checked=True),
                      scan(world, world.official, CheckKind.COLLECTION, photo_id_checked=True,
                           at=DOOR_DAY + timedelta(minutes=5))) == [
            ("photo ID not checked", False, True), ("valid", True, True),
            ("already collected", False, True)]


def test_closed_sessions_admit_law_enforcement_and_workshops_their_holders(app, world):
    with app.app_context():
        door = {"kind": CheckKind.SESSION}
        assert record(world,
                      scan(world, world.officer, session_id=world.closed, **door),
                      scan(world, world.official, session_id=world.closed, **door),
                      scan(world, world.officer, session_id=world.workshop, **door),
                      scan(world, world.official, session_id=world.workshop, **door),
                      scan(world, world.official, session_id=world.keynote, **door)) == [
            ("valid", True, True), ("not for this room", False, True), ("valid", True, True),
            ("not for this room", False, True), ("valid", True, True)]


def test_a_session_door_needs_a_session_of_the_edition(app, world):
    with app.app_context():
        edition = db.session.get(Edition, world.edition)
        with pytest.raises(DomainError):
            service.record_scan(edition, scan(world, world.officer, CheckKind.SESSION),
                                staff=None, now=DOOR_DAY)


def test_entry_again_only_after_a_check_out_and_again_the_next_day(app, world):
    with app.app_context():
        minute = timedelta(minutes=1)
        assert record(world,
                      scan(world, world.official),
                      scan(world, world.official, at=DOOR_DAY + minute),
                      scan(world, world.official, CheckKind.CHECKOUT, at=DOOR_DAY + 2 * minute),
                      scan(world, world.official, at=DOOR_DAY + 3 * minute),
                      scan(world, world.official, at=DOOR_DAY + timedelta(days=1)),
                      now=DOOR_DAY + timedelta(days=1)) == [
            ("valid", True, True), ("already admitted", False, True), ("valid", True, True),
            ("valid", True, True), ("valid", True, True)]


def test_search_by_name_checks_in_an_approved_registration_only(app, world):
    with app.app_context():
        assert record(world, scan(world, registration_id=world.official),
                      scan(world, registration_id=world.cancelled),
                      scan(world, registration_id=world.closed + 10_000)) == [
            ("valid", True, True), ("unknown person", False, True),
            ("unknown person", False, True)]


def test_each_nonce_is_counted_once(app, world):
    with app.app_context():
        first = scan(world, world.official, nonce="same-nonce-1")
        assert record(world, first) == [("valid", True, True)]
        assert record(world, first, first) == [("valid", True, False), ("valid", True, False)]
        assert db.session.scalar(sa.select(sa.func.count(CheckIn.id))) == 1


def test_a_badge_admitted_offline_at_two_doors_is_a_conflict(app, world):
    with app.app_context():
        at_a = scan(world, world.officer, at=DOOR_DAY, device_admitted=True, offline=True)
        at_b = scan(world, world.officer, at=DOOR_DAY + timedelta(minutes=1),
                    device_admitted=True, offline=True)
        assert record(world, at_b) == [("valid", True, True)]
        assert record(world, at_a) == [("already admitted", False, True)]
        (conflict, first, person), = reads.conflicts_of(world.edition)
        assert (conflict.nonce, first.nonce, person.id) == (at_a.nonce, at_b.nonce,
                                                             world.officer)


def test_a_refusal_the_device_also_showed_is_no_conflict(app, world):
    with app.app_context():
        record(world, scan(world, world.officer, device_admitted=True))
        record(world, scan(world, world.officer, at=DOOR_DAY + timedelta(minutes=1),
                           device_admitted=False, offline=True))
        assert reads.conflicts_of(world.edition) == []


def test_counts_per_room_and_day(app, world):
    with app.app_context():
        door = {"kind": CheckKind.SESSION, "session_id": world.closed}
        record(world, scan(world, world.officer, **door), scan(world, world.official, **door),
               scan(world, world.officer), scan(world, world.official))
        rows = [(c.day.isoformat(), c.kind.value, c.place, c.people, c.scans, c.refused)
                for c in reads.counts(world.edition)]
        assert rows == [("2027-03-28", "entry", "", 2, 2, 0),
                        ("2027-03-28", "session", "Closed briefing — Room B", 1, 1, 1)]


def test_erasure_deletes_the_persons_check_ins(app, world):
    with app.app_context():
        record(world, scan(world, world.officer), scan(world, world.official))
        privacy.erase(db.session.get(Registration, world.officer), now=DOOR_DAY, site=MAIL_SITE)
        db.session.commit()
        left = db.session.scalars(sa.select(CheckIn.registration_id)).all()
        assert left == [world.official]
