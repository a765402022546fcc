"""Editions: create, edit, copy, publish and delete through the views; home and edition pages."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from meetings.editions import service
from meetings.extensions import db
from meetings.models import (
    AuditEntry,
    Edition,
    EditionFormat,
    EditionStatus,
    Session,
    SessionStatus,
    User,
)
from tests.factories import (
    make_edition,
    make_session,
    make_speaker,
    make_track,
    make_user,
    make_venue,
)

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def add_venue(app, **kwargs) -> int:
    with app.app_context():
        venue = make_venue(**kwargs)
        db.session.commit()
        return venue.id


def add_edition(app, **kwargs) -> int:
    with app.app_context():
        edition = make_edition(**kwargs)
        db.session.commit()
        return edition.id


def form_data(venue, **overrides) -> dict:
    data = {
        "ordinal": "5", "title": "Global Meeting on AI for Law Enforcement 2027", "slug": "",
        "starts_on": "2027-03-28", "ends_on": "2027-03-29", "format": "in_person",
        "venue_id": str(venue), "timezone": "", "host_event": "", "description": "",
    }
    data.update(overrides)
    return data


def get_edition(slug: str) -> Edition:
    return db.session.scalar(sa.select(Edition).where(Edition.slug == slug))


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


# Create and edit ----------------------------------------------------------------------------

def test_create_edition_defaults_slug_and_time_zone(app, client, admin):
    venue_id = add_venue(app, timezone="Asia/Singapore")
    response = client.post("/manage/editions/new", data=form_data(venue_id))
    assert response.status_code == 302
    with app.app_context():
        edition = get_edition("2027")
        assert edition.status == EditionStatus.DRAFT
        assert edition.timezone == "Asia/Singapore"
        assert edition.venue_id == venue_id
        assert response.headers["Location"].endswith(f"/manage/editions/{edition.id}/")
        assert actions() == ["edition.create"]


def test_only_administrators_create_editions(app, client, auth):
    venue_id = add_venue(app)
    auth.create("org@example.org", is_admin=False)
    auth.login("org@example.org")
    assert client.get("/manage/editions/new").status_code == 403
    response = client.post("/manage/editions/new", data=form_data(venue_id, slug="gm-2027"))
    assert response.status_code == 403
    with app.app_context():
        assert get_edition("gm-2027") is None
    assert "/manage/editions/new" not in client.get("/manage/").get_data(as_text=True)


def test_virtual_edition_without_venue_needs_a_time_zone(app, client, admin):
    data = form_data(0, format="virtual", timezone="Europe/Vienna", slug="virtual")
    assert client.post("/manage/editions/new", data=data).status_code == 302
    with app.app_context():
        edition = get_edition("virtual")
        assert edition.venue is None and edition.format == EditionFormat.VIRTUAL
        assert edition.timezone == "Europe/Vienna"


def test_edit_edition_touches_it(app, client, admin):
    venue_id = add_venue(app)
    edition_id = add_edition(app, venue=None, status=EditionStatus.DRAFT)
    with app.app_context():
        db.session.get(Edition, edition_id).venue_id = venue_id
        db.session.commit()
    page = client.get(f"/manage/editions/{edition_id}/edit").get_data(as_text=True)
    assert 'value="Global Meeting on AI for Law Enforcement 2027"' in page
    data = form_data(venue_id, title="Renamed", slug="2027", host_event="within a fair",
                     timezone="Europe/Amsterdam")
    assert client.post(f"/manage/editions/{edition_id}/edit", data=data).status_code == 302
    with app.app_context():
        edition = db.session.get(Edition, edition_id)
        assert (edition.title, edition.host_event, edition.revision) == ("Renamed",
                                                                         "within a fair", 1)
        assert actions() == ["edition.update"]


def test_shrinking_dates_around_sessions_is_refused(app, client, admin):
    with app.app_context():
        venue = make_venue()
        edition = make_edition(venue=venue, days=3)
        for day in (29, 30):
            make_session(edition, starts_at=datetime(2027, 3, day, 9, 0, tzinfo=UTC))
        db.session.commit()
        edition_id, venue_id = edition.id, venue.id
    data = form_data(venue_id, slug="2027", starts_on="2027-03-28", ends_on="2027-03-28",
                     timezone="Europe/Amsterdam")
    response = client.post(f"/manage/editions/{edition_id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 sessions fall outside these dates" in page
    assert 'id="starts_on-error"' in page
    with app.app_context():
        assert db.session.get(Edition, edition_id).ends_on == date(2027, 3, 30)


def test_changing_venue_while_sessions_use_rooms_is_refused(app, client, admin):
    with app.app_context():
        venue, other = make_venue(), make_venue(name="Marina Bay", timezone="Asia/Singapore")
        edition = make_edition(venue=venue)
        make_session(edition, room=venue.rooms[0])
        db.session.commit()
        edition_id, other_id = edition.id, other.id
    data = form_data(other_id, slug="2027", timezone="Europe/Amsterdam")
    response = client.post(f"/manage/editions/{edition_id}/edit", data=data)
    assert "1 session uses a room of the current venue" in response.get_data(as_text=True)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", "", "This field is required."),
    ("title", "x" * 201, "Field cannot be longer than 200 characters."),
    ("host_event", "x" * 201, "Field cannot be longer than 200 characters."),
    ("slug", "x" * 61, "Field cannot be longer than 60 characters."),
    ("slug", "Bad Slug!", "Use lower-case letters, digits and single hyphens only."),
    ("slug", "-2027", "Use lower-case letters, digits and single hyphens only."),
    ("slug", "manage", "is reserved by the site"),
    ("slug", "login", "is reserved by the site"),
    ("slug", "taken", "Another edition already uses this address."),
    ("slug", XSS, "Use lower-case letters"),
    ("timezone", "Mars/Olympus_Mons", "Enter an IANA time zone"),
    ("timezone", XSS, "Enter an IANA time zone"),
    ("host_event", XSS + "x" * 200, "Field cannot be longer than 200 characters."),
    ("timezone", "x" * 65, "Field cannot be longer than 64 characters."),
    ("ends_on", "2027-03-27", "The last day cannot be before the first day."),
    ("starts_on", "not a date", "Not a valid date value."),
    ("starts_on", "1999-12-31", "Enter a year from 2000 to 2100."),
    ("ends_on", "9999-12-31", "Enter a year from 2000 to 2100."),
    ("ends_on", "2027-04-28", "An edition lasts at most 31 days."),
    ("ordinal", "0", "Number must be between 1 and 999."),
    ("ordinal", "fifth", "Not a valid integer value."),
    ("format", "onsite", "Not a valid choice."),
    ("venue_id", "999", "Not a valid choice."),
    ("venue_id", "abc", "Invalid Choice"),
    ("venue_id", "0", "Choose the venue of an in-person or hybrid edition."),
    ("description", "x" * 20001, "Field cannot be longer than 20000 characters."),
])
def test_bad_edition_input_is_shown_beside_the_field(app, client, admin, field, value, message):
    venue_id = add_venue(app)
    add_edition(app, slug="taken")
    response = client.post("/manage/editions/new", data=form_data(venue_id, **{field: value}))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert f'id="{field}-error"' in page
    assert XSS not in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Edition)) == 1


def test_virtual_edition_with_a_venue_is_refused(app, client, admin):
    venue_id = add_venue(app)
    response = client.post("/manage/editions/new", data=form_data(venue_id, format="virtual"))
    assert "A virtual edition has no venue" in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["title", "host_event", "description"])
def test_xss_in_edition_text_is_saved_and_escaped(app, client, admin, field):
    venue_id = add_venue(app)
    client.post("/manage/editions/new", data=form_data(venue_id, **{field: XSS}))
    with app.app_context():
        edition = get_edition("2027")
        assert getattr(edition, field) == XSS
        edition.status = EditionStatus.PUBLISHED
        db.session.commit()
        edition_id = edition.id
    for url in ("/", "/2027/", "/manage/", f"/manage/editions/{edition_id}/",
                f"/manage/editions/{edition_id}/edit", f"/manage/editions/{edition_id}/delete"):
        page = client.get(url).get_data(as_text=True)
        assert XSS not in page, url
    assert ESCAPED in client.get("/2027/").get_data(as_text=True)


# Copy ---------------------------------------------------------------------------------------

def test_copy_moves_the_agenda_keeping_local_times(app, client, admin):
    with app.app_context():
        venue = make_venue()
        organizer = make_user("org@example.org")
        source = make_edition(venue=venue, starts_on=date(2027, 3, 28), days=2)
        source.organizers = [organizer]
        track = make_track(source, "Policy")
        speaker = make_speaker(source)
        # 10:00 CEST on the day summer time starts; the copy lands in winter (CET).
        original = make_session(source, title="Opening", starts_at=datetime(2027, 3, 28, 8, 0,
                                tzinfo=UTC), minutes=90, room=venue.rooms[0], track=track,
                                speakers=[speaker], online_url="https://meet.example/x",
                                status=SessionStatus.CANCELLED, sequence=4, capacity=40,
                                chatham_house=True, language="fr")
        db.session.commit()
        source_id, original_uid, room_id = source.id, original.uid, venue.rooms[0].id
    page = client.get(f"/manage/editions/{source_id}/copy").get_data(as_text=True)
    assert 'value="6"' in page
    response = client.post(f"/manage/editions/{source_id}/copy", data={
        "title": "Global Meeting 2028", "slug": "2028", "ordinal": "6",
        "starts_on": "2028-01-10"})
    assert response.status_code == 302
    with app.app_context():
        copy = get_edition("2028")
        assert copy.status == EditionStatus.DRAFT and copy.ordinal == 6
        assert (copy.starts_on, copy.ends_on) == (date(2028, 1, 10), date(2028, 1, 11))
        assert copy.venue_id == venue.id and copy.timezone == "Europe/Amsterdam"
        assert [u.email for u in copy.organizers] == ["org@example.org"]
        assert [t.name for t in copy.tracks] == ["Policy"]
        (session,) = db.session.scalars(copy.sessions.select()).all()
        assert session.starts_at == datetime(2028, 1, 10, 9, 0, tzinfo=UTC)
        assert session.ends_at == datetime(2028, 1, 10, 10, 30, tzinfo=UTC)
        assert session.uid != original_uid and session.sequence == 0
        assert session.status == SessionStatus.SCHEDULED
        assert session.speaker_links == [] and session.online_url == ""
        assert session.track.edition_id == copy.id and session.room_id == room_id
        assert (session.title, session.capacity, session.chatham_house, session.language) == (
            "Opening", 40, True, "fr")
        source_sessions = db.session.scalars(sa.select(Session).where(
            Session.edition_id == source_id)).all()
        assert [s.uid for s in source_sessions] == [original_uid]
        assert actions() == ["edition.copy"]


def test_copy_refuses_a_taken_slug(app, client, admin):
    edition_id = add_edition(app, venue=None, status=EditionStatus.PUBLISHED)
    with app.app_context():
        db.session.get(Edition, edition_id).format = EditionFormat.VIRTUAL
        db.session.commit()
    response = client.post(f"/manage/editions/{edition_id}/copy", data={
        "title": "Again", "slug": "2027", "ordinal": "6", "starts_on": "2028-01-10"})
    assert response.status_code == 200
    assert "Another edition already uses this address." in response.get_data(as_text=True)


def test_copy_refuses_a_local_time_that_does_not_exist(app, client, admin):
    with app.app_context():
        venue = make_venue()
        source = make_edition(venue=venue, starts_on=date(2027, 3, 20), days=1)
        # 02:30 local on 20 March 2027 (CET), copied to 26 March 2028 when 02:30 does not exist.
        make_session(source, starts_at=datetime(2027, 3, 20, 1, 30, tzinfo=UTC))
        db.session.commit()
        source_id = source.id
    response = client.post(f"/manage/editions/{source_id}/copy", data={
        "title": "Next", "slug": "2028", "ordinal": "6", "starts_on": "2028-03-26"})
    assert response.status_code == 200
    assert "does not exist" in response.get_data(as_text=True)


# Publish, unpublish, archive, delete ---------------------------------------------------------

def test_publish_unpublish_archive(app, client, auth):
    with app.app_context():
        edition = make_edition(venue=make_venue(), status=EditionStatus.DRAFT)
        db.session.commit()
        edition_id = edition.id
    assert client.get("/2027/").status_code == 404
    auth.create("org@example.org", is_admin=False, editions=[edition_id])
    auth.login("org@example.org")
    preview = client.get("/2027/")
    assert preview.status_code == 200 and "Draft — not public" in preview.get_data(as_text=True)
    assert client.post(f"/manage/editions/{edition_id}/publish").status_code == 302
    page = client.get("/2027/").get_data(as_text=True)
    assert "Draft — not public" not in page
    client.post(f"/manage/editions/{edition_id}/archive")
    client.post(f"/manage/editions/{edition_id}/unpublish")
    auth.logout()
    assert client.get("/2027/").status_code == 404
    with app.app_context():
        edition = db.session.get(Edition, edition_id)
        assert edition.status == EditionStatus.DRAFT and edition.revision == 3
        assert actions() == ["edition.publish", "edition.archive", "edition.unpublish"]


def test_delete_edition_through_confirmation(app, client, admin):
    with app.app_context():
        edition = make_edition(venue=make_venue())
        make_session(edition)
        db.session.commit()
        edition_id = edition.id
    page = client.get(f"/manage/editions/{edition_id}/delete").get_data(as_text=True)
    assert "1 session" in page and "Yes, delete this edition" in page
    response = client.post(f"/manage/editions/{edition_id}/delete")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Edition, edition_id) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Session)) == 0
        entry = db.session.scalar(sa.select(AuditEntry))
        assert entry.action == "edition.delete" and "2027" in entry.summary
    assert client.get("/2027/").status_code == 404


# Public pages -------------------------------------------------------------------------------

def test_home_shows_next_edition_then_archive(app, client, monkeypatch):
    with app.app_context():
        singapore = make_venue(name="IGCI", timezone="Asia/Singapore")
        singapore.city, singapore.country = "Singapore", "SG"
        make_edition(slug="2018", starts_on=date(2018, 7, 11), ordinal=1, venue=singapore,
                     status=EditionStatus.ARCHIVED)
        second = make_edition(slug="2019", starts_on=date(2019, 7, 3), ordinal=2,
                              venue=singapore)
        second.host_event = "within INTERPOL World 2019"
        virtual = make_edition(slug="2020", starts_on=date(2020, 11, 23), ordinal=3, days=5)
        virtual.format = EditionFormat.VIRTUAL
        make_edition(slug="2031", starts_on=date(2031, 5, 1), ordinal=8, venue=singapore)
        make_edition(slug="2030", starts_on=date(2030, 5, 1), ordinal=7, venue=make_venue())
        make_edition(slug="2029", starts_on=date(2029, 5, 1), ordinal=6,
                     status=EditionStatus.DRAFT)
        db.session.commit()
    monkeypatch.setattr("meetings.editions.views.utcnow",
                        lambda: datetime(2030, 5, 2, 12, 0, tzinfo=UTC))
    page = client.get("/").get_data(as_text=True)
    next_part, archive = page.split('id="archive-heading"')
    assert "/2030/" in next_part and "/2031/" in next_part
    assert next_part.index("/2030/") < next_part.index("/2031/")
    assert "/2029/" not in page
    assert [archive.index(f"/{y}/") for y in (2020, 2019, 2018)] == sorted(
        archive.index(f"/{y}/") for y in (2020, 2019, 2018))
    assert "1st edition" in archive and "2nd edition" in archive and "3rd edition" in archive
    assert "Singapore, Singapore" in archive and "Virtual" in archive
    assert "within INTERPOL World 2019" in archive and "Jul 3\u2009–\u20094, 2019" in archive


def test_split_home_counts_the_last_day_in_the_edition_zone(app):
    with app.app_context():
        edition = make_edition(starts_on=date(2027, 3, 28), days=2, timezone="Asia/Singapore")
        late = datetime(2027, 3, 29, 15, 59, tzinfo=UTC)  # 23:59 in Singapore
        assert service.split_home([edition], late) == ([edition], [])
        after = datetime(2027, 3, 29, 16, 0, tzinfo=UTC)  # midnight in Singapore
        assert service.split_home([edition], after) == ([], [edition])


def test_edition_page(app, client):
    with app.app_context():
        edition = make_edition(venue=make_venue())
        edition.host_event = "within the AI for Good week"
        edition.description = "Read the **programme**."
        db.session.commit()
    page = client.get("/2027/").get_data(as_text=True)
    assert "5th edition" in page and "Mar 28\u2009–\u200929, 2027" in page
    assert "In person" in page and "World Forum" in page and "The Hague, Netherlands" in page
    assert "within the AI for Good week" in page and "<strong>programme</strong>" in page
    assert ('<link rel="alternate" type="text/calendar" title="Agenda — Global Meeting on AI '
            'for Law Enforcement 2027" href="http://localhost/2027/agenda.ics">') in page
    assert 'aria-labelledby="subscribe-heading"' in page
    for link in ('href="/2027/agenda"', 'href="/2027/speakers"', 'href="/2027/venue"'):
        assert link in page
    assert client.get("/no-such-edition/").status_code == 404


def test_manage_dashboard_links(app, client, admin):
    edition_id = add_edition(app, venue=None)
    page = client.get(f"/manage/editions/{edition_id}/").get_data(as_text=True)
    for link in (f"/manage/editions/{edition_id}/edit", f"/manage/editions/{edition_id}/agenda",
                 f"/manage/editions/{edition_id}/tracks",
                 f"/manage/editions/{edition_id}/speakers",
                 f"/manage/editions/{edition_id}/copy", f"/manage/audit/?edition={edition_id}",
                 f"/manage/editions/{edition_id}/unpublish",
                 f"/manage/editions/{edition_id}/archive",
                 f"/manage/editions/{edition_id}/delete"):
        assert link in page, link


def test_admin_sees_every_edition(app, client, admin):
    with app.app_context():
        make_edition(slug="a-2027")
        make_edition(slug="b-2028", status=EditionStatus.DRAFT)
        make_user("org@example.org")
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
    page = client.get("/manage/").get_data(as_text=True)
    assert "/a-2027/" in page and "/b-2028/" in page
