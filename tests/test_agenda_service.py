"""Agenda rules, tested through the service functions (no HTTP)."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from meetings.agenda import catalog, service
from meetings.agenda.service import SessionInput
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.models import (
    Session,
    SessionAccess,
    SessionStatus,
    SessionType,
    SpeakerRole,
    Track,
)
from tests.factories import make_edition, make_session, make_speaker, make_track, make_venue

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2027, 2, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(app):
    """An Amsterdam edition on 28–29 March 2027 (summer time starts on the 28th)."""
    with app.app_context():
        venue = make_venue()
        edition = make_edition(venue=venue)
        other = make_edition(slug="2028", starts_on=date(2028, 3, 1))
        yield {
            "edition": edition, "other": other, "main": venue.rooms[0], "room_b": venue.rooms[1],
            "track": make_track(edition), "ada": make_speaker(edition),
            "grace": make_speaker(edition, name="Grace Hopper", country="US"),
        }


def entry(start=datetime(2027, 3, 28, 10, 0), end=datetime(2027, 3, 28, 11, 0), **fields):
    return SessionInput(title=fields.pop("title", "Opening"),
                        type=fields.pop("type", SessionType.PLENARY),
                        start=start, end=end, **fields)


def refused(edition, data, field_name) -> str:
    with pytest.raises(DomainError) as caught:
        service.create_session(edition, data, now=NOW)
    assert caught.value.field == field_name
    return str(caught.value.message)


def test_create_stores_utc_and_ordered_speakers(world):
    edition, ada, grace = world["edition"], world["ada"], world["grace"]
    revision = edition.revision
    session, warnings = service.create_session(edition, entry(
        room_id=world["main"].id, track_id=world["track"].id,
        speakers=[(grace.id, SpeakerRole.MODERATOR), (None, SpeakerRole.SPEAKER),
                  (ada.id, SpeakerRole.PANELLIST)]), now=NOW)
    db.session.commit()
    assert warnings == []
    assert session.starts_at == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)  # 10:00 CEST
    assert session.ends_at == datetime(2027, 3, 28, 9, 0, tzinfo=UTC)
    assert [(link.speaker.name, link.role) for link in session.speaker_links] == [
        ("Grace Hopper", SpeakerRole.MODERATOR), ("Ada Lovelace", SpeakerRole.PANELLIST)]
    assert session.sequence == 0 and session.created_at == NOW and session.updated_at == NOW
    assert session.uid and edition.revision == revision + 1


def test_nonexistent_local_time_is_refused(world):
    message = refused(world["edition"], entry(start=datetime(2027, 3, 28, 2, 30),
                                              end=datetime(2027, 3, 28, 4, 0)), "start")
    assert "does not exist" in message and "Europe/Amsterdam" in message


def test_ambiguous_local_time_is_refused(app):
    with app.app_context():
        edition = make_edition(slug="autumn", starts_on=date(2027, 10, 30), days=3)
        message = refused(edition, entry(start=datetime(2027, 10, 31, 2, 30),
                                         end=datetime(2027, 10, 31, 4, 0)), "start")
        assert "happens twice" in message and "2027-10-31 02:30" in message
        refused(edition, entry(start=datetime(2027, 10, 31, 1, 30),
                               end=datetime(2027, 10, 31, 2, 30)), "end")


@pytest.mark.parametrize(("start", "end", "field_name"), [
    (datetime(2027, 3, 28, 11, 0), datetime(2027, 3, 28, 10, 0), "end"),
    (datetime(2027, 3, 28, 11, 0), datetime(2027, 3, 28, 11, 0), "end"),
    (datetime(2027, 3, 27, 23, 0), datetime(2027, 3, 28, 9, 0), "start"),
    (datetime(2027, 3, 30, 9, 0), datetime(2027, 3, 30, 10, 0), "start"),
    (datetime(2027, 3, 29, 23, 0), datetime(2027, 3, 30, 0, 30), "end"),
])
def test_times_must_be_ordered_and_inside_the_edition(world, start, end, field_name):
    refused(world["edition"], entry(start=start, end=end), field_name)


def test_session_may_end_at_midnight_after_the_last_day(world):
    session, _ = service.create_session(world["edition"], entry(
        start=datetime(2027, 3, 29, 23, 0), end=datetime(2027, 3, 30, 0, 0)), now=NOW)
    assert session.ends_at == datetime(2027, 3, 29, 22, 0, tzinfo=UTC)


def test_room_must_belong_to_the_editions_venue(world, app):
    elsewhere = make_venue(name="Elsewhere", rooms=("Hall X",))
    refused(world["edition"], entry(room_id=elsewhere.rooms[0].id), "room")
    refused(world["edition"], entry(room_id=999999), "room")
    refused(world["other"], entry(start=datetime(2028, 3, 1, 10), end=datetime(2028, 3, 1, 11),
                                  room_id=world["main"].id), "room")


def test_track_and_speakers_must_belong_to_the_edition(world):
    foreign_track = make_track(world["other"], name="Foreign")
    foreign_speaker = make_speaker(world["other"], name="Stranger")
    refused(world["edition"], entry(track_id=foreign_track.id), "track")
    message = refused(world["edition"], entry(speakers=[
        (world["ada"].id, SpeakerRole.SPEAKER), (foreign_speaker.id, SpeakerRole.SPEAKER)]),
        "speaker_2")
    assert "speaker" in message
    refused(world["edition"], entry(speakers=[
        (world["ada"].id, SpeakerRole.SPEAKER), (None, SpeakerRole.SPEAKER),
        (world["ada"].id, SpeakerRole.MODERATOR)]), "speaker_3")


def test_double_booked_room_is_refused_naming_the_other_session(world):
    edition, main = world["edition"], world["main"]
    service.create_session(edition, entry(title="AI and forensics", room_id=main.id), now=NOW)
    message = refused(edition, entry(title="Clash", start=datetime(2027, 3, 28, 10, 30),
                                     end=datetime(2027, 3, 28, 11, 30), room_id=main.id), "room")
    assert "AI and forensics" in message and "Main Hall" in message
    # Back to back is fine, another room is fine, and so is an unscheduled (cancelled) one.
    service.create_session(edition, entry(start=datetime(2027, 3, 28, 11, 0),
                                          end=datetime(2027, 3, 28, 12, 0), room_id=main.id),
                           now=NOW)
    service.create_session(edition, entry(room_id=world["room_b"].id), now=NOW)
    service.create_session(edition, entry(room_id=main.id, status=SessionStatus.CANCELLED),
                           now=NOW)


def test_speaker_in_two_sessions_at_once_is_a_warning(world):
    edition, ada = world["edition"], world["ada"]
    service.create_session(edition, entry(title="First", speakers=[(ada.id, "speaker")]), now=NOW)
    session, warnings = service.create_session(edition, entry(
        title="Second", start=datetime(2027, 3, 28, 10, 30), end=datetime(2027, 3, 28, 12, 0),
        speakers=[(ada.id, "moderator")]), now=NOW)
    assert session.id is not None
    assert len(warnings) == 1 and "Ada Lovelace" in warnings[0] and "First" in warnings[0]


@pytest.mark.parametrize(("fields", "field_name"), [
    ({"type": SessionType.KEYNOTE, "capacity": 30}, "capacity"),
    ({"type": SessionType.WORKSHOP, "capacity": 0}, "capacity"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
    ({"online_url": "ftp://example.org/room"}, "online_url"),
    ({"online_url": "https://"}, "online_url"),
    ({"language": "xx"}, "language"),
    ({"title": "   "}, "title"),
])
def test_field_rules(world, fields, field_name):
    refused(world["edition"], entry(**fields), field_name)


def test_capacity_for_workshops_and_side_events(world):
    for session_type in (SessionType.WORKSHOP, SessionType.SIDE_EVENT):
        session, _ = service.create_session(world["edition"], entry(
            type=session_type, capacity=25, online_url="https://meet.example.org/x"), now=NOW)
        assert session.capacity == 25 and session.online_url == "https://meet.example.org/x"


def test_sequence_moves_only_on_a_real_change(world):
    edition, ada = world["edition"], world["ada"]
    data = entry(room_id=world["main"].id, speakers=[(ada.id, SpeakerRole.SPEAKER)],
                 description="About *AI*", access=SessionAccess.REGISTERED)
    session, _ = service.create_session(edition, data, now=NOW)
    db.session.commit()
    revision = edition.revision
    service.update_session(session, data, now=LATER)
    assert (session.sequence, session.updated_at, edition.revision) == (0, NOW, revision)
    changes = [
        {"title": "Renamed"}, {"start": datetime(2027, 3, 28, 9, 30)},
        {"room_id": world["room_b"].id}, {"speakers": [(ada.id, SpeakerRole.MODERATOR)]},
        {"description": "Changed"}, {"status": SessionStatus.CANCELLED},
    ]
    for number, change in enumerate(changes, start=1):
        data = SessionInput(**{**data.__dict__, **change})
        service.update_session(session, data, now=LATER)
        db.session.commit()
        assert session.sequence == number, change
    assert session.updated_at == LATER and edition.revision == revision + len(changes)
    assert session.starts_at == datetime(2027, 3, 28, 7, 30, tzinfo=UTC)


def test_update_keeps_the_room_rule_but_not_against_itself(world):
    edition, main = world["edition"], world["main"]
    first, _ = service.create_session(edition, entry(title="First", room_id=main.id), now=NOW)
    second, _ = service.create_session(edition, entry(
        title="Second", start=datetime(2027, 3, 28, 11, 0), end=datetime(2027, 3, 28, 12, 0),
        room_id=main.id), now=NOW)
    service.update_session(first, entry(title="First", end=datetime(2027, 3, 28, 11, 0),
                                        room_id=main.id), now=LATER)
    with pytest.raises(DomainError) as caught:
        service.update_session(second, entry(title="Second", start=datetime(2027, 3, 28, 10, 30),
                                             end=datetime(2027, 3, 28, 12, 0), room_id=main.id),
                               now=LATER)
    assert caught.value.field == "room" and "First" in str(caught.value.message)
    assert second.sequence == 0


def test_cancel_and_restore(world):
    edition, main = world["edition"], world["main"]
    session, _ = service.create_session(edition, entry(title="Original", room_id=main.id), now=NOW)
    service.cancel_session(session, now=LATER)
    assert session.status == SessionStatus.CANCELLED and session.sequence == 1
    service.cancel_session(session, now=LATER)
    assert session.sequence == 1
    replacement, _ = service.create_session(edition, entry(title="Replacement", room_id=main.id),
                                            now=NOW)
    with pytest.raises(DomainError) as caught:
        service.restore_session(session, now=LATER)
    assert "Replacement" in str(caught.value.message)
    assert session.status == SessionStatus.CANCELLED
    service.cancel_session(replacement, now=LATER)
    revision = edition.revision
    service.restore_session(session, now=LATER)
    assert session.status == SessionStatus.SCHEDULED and session.sequence == 2
    assert edition.revision == revision + 1


def test_delete_session(world):
    edition = world["edition"]
    session, _ = service.create_session(edition, entry(speakers=[(world["ada"].id, "speaker")]),
                                        now=NOW)
    revision = edition.revision
    service.delete_session(session, now=LATER)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Session)) == 0
    assert edition.revision == revision + 1 and world["ada"].appearances == []


def test_track_slugs_names_and_colours(world):
    edition = world["edition"]
    ethics = catalog.create_track(edition, name="Ethics & Human Rights", colour="#AA3300", now=NOW)
    assert (ethics.slug, ethics.colour) == ("ethics-human-rights", "#aa3300")
    again = catalog.create_track(edition, name="Ethics — Human Rights", colour="#000000", now=NOW)
    assert again.slug == "ethics-human-rights-2"
    assert catalog.create_track(edition, name="Тест", colour="#000000", now=NOW).slug == "track"
    with pytest.raises(DomainError) as caught:
        catalog.create_track(edition, name="policy", colour="#000000", now=NOW)
    assert caught.value.field == "name"
    for colour in ("red", "#12345", "#1234567", "#ggg000"):
        with pytest.raises(DomainError) as caught:
            catalog.create_track(edition, name=f"T {colour}", colour=colour, now=NOW)
        assert caught.value.field == "colour"
    with pytest.raises(DomainError) as caught:
        catalog.update_track(again, name="Other", colour="#000000", slug="policy", now=NOW)
    assert caught.value.field == "slug"


def test_renaming_or_deleting_a_track_changes_its_sessions(world):
    edition, track = world["edition"], world["track"]
    session = make_session(edition, track=track)
    catalog.update_track(track, name=track.name, colour="#000000", now=LATER)
    assert session.sequence == 0
    catalog.update_track(track, name="Governance", colour="#000000", now=LATER)
    assert session.sequence == 1 and track.slug == "policy"
    revision = edition.revision
    assert catalog.delete_track(track, now=LATER) == 1
    db.session.commit()
    assert session.track is None and session.sequence == 2 and edition.revision == revision + 1
    assert db.session.get(Track, track.id) is None


def test_speakers_rules_and_changes(world):
    edition, ada, grace = world["edition"], world["ada"], world["grace"]
    with pytest.raises(DomainError) as caught:
        catalog.create_speaker(edition, name="X", country="XX", now=NOW)
    assert caught.value.field == "country"
    with pytest.raises(DomainError) as caught:
        catalog.create_speaker(edition, name="  ", now=NOW)
    assert caught.value.field == "name"
    alan = catalog.create_speaker(edition, name=" Alan Turing ", country="gb", now=NOW)
    assert (alan.name, alan.country) == ("Alan Turing", "GB")
    session = make_session(edition, speakers=[ada, grace])
    fields = {name: getattr(ada, name) for name in catalog.SPEAKER_FIELDS}
    catalog.update_speaker(ada, now=LATER, **fields)
    assert session.sequence == 0
    catalog.update_speaker(ada, now=LATER, **{**fields, "organization": "UNICRI"})
    assert session.sequence == 1
    assert catalog.delete_speaker(ada, now=LATER) == 1
    db.session.commit()
    db.session.refresh(session)
    assert [(link.speaker.name, link.position) for link in session.speaker_links] == [
        ("Grace Hopper", 0)]
    assert session.sequence == 2
