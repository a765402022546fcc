"""The demo data: `flask --app app meetings demo` and `load_demo`."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from meetings.badges.keys import secret_of
from meetings.dates import to_local
from meetings.delegations.demo import DEMO_FOCAL_POINT_EMAIL
from meetings.delegations.reads import coverage
from meetings.demo import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, load_demo, upcoming_start
from meetings.extensions import db
from meetings.models import (
    Edition,
    EditionFormat,
    EditionStatus,
    Session,
    SessionAccess,
    SessionStatus,
    SessionType,
    SpeakerRole,
    User,
)
from meetings.registration.models import (
    Delegation,
    Endorsement,
    Invitation,
    Organization,
    Registration,
    RegistrationStatus,
)
from meetings.visas.crypto import data_key
from meetings.visas.models import VisaRequest, VisaStatus
from tests.conftest import ADMIN_PASSWORD
from tests.factories import MAIL_SITE

PAST = {
    "2018": (1, date(2018, 7, 11), date(2018, 7, 12)),
    "2019": (2, date(2019, 7, 3), date(2019, 7, 4)),
    "2020": (3, date(2020, 11, 23), date(2020, 11, 27)),
    "2024": (4, date(2024, 2, 20), date(2024, 2, 22)),
}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def sessions_of(edition: Edition) -> list[Session]:
    query = sa.select(Session).where(Session.edition_id == edition.id).order_by(Session.starts_at)
    return list(db.session.scalars(query))


def upcoming() -> Edition:
    return db.session.scalar(sa.select(Edition).where(Edition.ordinal == 5))


def test_demo_loads_editions_and_prints_admin_login(app, runner, client):
    result = runner.invoke(args=["meetings", "demo"])
    assert result.exit_code == 0, result.output
    assert DEMO_ADMIN_EMAIL in result.output and DEMO_ADMIN_PASSWORD in result.output
    with app.app_context():
        assert count(Edition) == 5
        # The administrator, and a focal point of one of the upcoming edition's delegations.
        assert sorted(db.session.scalars(sa.select(User.email))) == sorted(
            [DEMO_ADMIN_EMAIL, DEMO_FOCAL_POINT_EMAIL])
        for slug, (ordinal, starts_on, ends_on) in PAST.items():
            edition = db.session.scalar(sa.select(Edition).where(Edition.slug == slug))
            assert (edition.ordinal, edition.starts_on, edition.ends_on) == (
                ordinal, starts_on, ends_on)
            assert edition.status == EditionStatus.ARCHIVED
            assert "illustrative" in edition.description
            assert 3 <= len(sessions_of(edition)) <= 6
    response = client.post("/login", data={"email": DEMO_ADMIN_EMAIL,
                                           "password": DEMO_ADMIN_PASSWORD})
    assert response.status_code == 302


def test_demo_delegations_show_every_state_to_their_focal_point(app, runner, client):
    app.config["VISA_DATA_KEY"] = "3c" * 32  # `make run` keeps one in instance/
    runner.invoke(args=["meetings", "demo"])
    with app.app_context():
        rows = db.session.execute(sa.select(Organization.name, Registration.status,
                                            Registration.endorsement)
                                  .join(Delegation, Registration.delegation_id == Delegation.id)
                                  .join(Organization)).all()
        assert {status for _, status, _ in rows} >= {
            RegistrationStatus.APPROVED, RegistrationStatus.PENDING,
            RegistrationStatus.REJECTED, RegistrationStatus.CANCELLED}
        assert {endorsement for _, _, endorsement in rows} == set(Endorsement)
        open_nominations = db.session.scalars(sa.select(Invitation).where(
            Invitation.delegation_id.is_not(None), Invitation.used_at.is_(None))).all()
        assert {i.revoked_at is None for i in open_nominations} == {True, False}
        kenya = db.session.scalar(sa.select(Delegation).join(Organization).where(
            Organization.country == "KE"))
        edition_id = kenya.edition_id
        assert [name for _c, _n, name in coverage(edition_id).silent] == [
            "Policía Nacional de Colombia"]
        visa_states = set(db.session.scalars(sa.select(VisaRequest.status)))
        assert visa_states == set(VisaStatus)
    client.post("/login", data={"email": DEMO_FOCAL_POINT_EMAIL,
                                "password": DEMO_ADMIN_PASSWORD})
    page = client.get(f"/delegations/{kenya.id}")
    assert page.status_code == 200
    for name in ("Brian Kiprono", "Otieno Ochieng", "Mercy Atieno"):
        assert name in page.text


def test_past_editions_have_their_places(app, runner):
    runner.invoke(args=["meetings", "demo"])
    with app.app_context():
        editions = {e.slug: e for e in db.session.scalars(sa.select(Edition))}
        gci = editions["2018"].venue
        assert gci.name == "INTERPOL Global Complex for Innovation"
        assert (round(gci.latitude, 2), round(gci.longitude, 2)) == (1.31, 103.82)
        assert "18 Napier Road" in gci.address and gci.timezone == "Asia/Singapore"
        assert editions["2019"].host_event == "INTERPOL World 2019"
        assert editions["2019"].venue.name.startswith("Suntec Singapore")
        virtual = editions["2020"]
        assert virtual.format == EditionFormat.VIRTUAL and virtual.venue is None
        sessions = sessions_of(virtual)
        assert len(sessions) == 5
        for day, session in zip(virtual.days, sessions, strict=True):
            start = to_local(session.starts_at, virtual.timezone)
            end = to_local(session.ends_at, virtual.timezone)
            assert (start.date(), start.time(), end.time()) == (day, time(14), time(18))
            assert session.online_url


def test_upcoming_edition_has_a_full_agenda(app, runner):
    before = datetime.now(UTC)
    runner.invoke(args=["meetings", "demo"])
    with app.app_context():
        edition = upcoming()
        assert edition.status == EditionStatus.PUBLISHED
        assert edition.starts_on > before.date() and len(edition.days) == 2
        assert edition.starts_on.weekday() < 4
        assert edition.venue.name == "World Forum The Hague"
        assert edition.venue.timezone == edition.timezone == "Europe/Amsterdam"
        assert edition.venue.accessibility_notes
        sessions = sessions_of(edition)
        assert 28 <= len(sessions) <= 34
        assert {s.room.name for s in sessions if s.room} == {"Main Hall", "Room Europe",
                                                             "Room Asia"}
        assert all(room.capacity for room in edition.venue.rooms)
        assert len(edition.tracks) == 4
        assert len({s.track_id for s in sessions if s.track_id}) == 4
        assert len([s for s in sessions if s.access == SessionAccess.CLOSED]) == 1
        assert len([s for s in sessions if s.status == SessionStatus.CANCELLED]) == 1
        assert len([s for s in sessions if s.chatham_house]) == 1
        workshops = [s for s in sessions if s.type == SessionType.WORKSHOP]
        assert [w.capacity for w in workshops] == [30]
        types = {s.type for s in sessions}
        assert {SessionType.BREAK, SessionType.NETWORKING, SessionType.KEYNOTE} <= types
        assert_a_moderated_panel(sessions)
        assert_inside_days_without_double_booking(edition, sessions)


def assert_a_moderated_panel(sessions: list[Session]) -> None:
    panels = [s for s in sessions if s.type == SessionType.PANEL]
    roles = [[link.role for link in panel.speaker_links] for panel in panels]
    assert [SpeakerRole.MODERATOR, SpeakerRole.PANELLIST, SpeakerRole.PANELLIST] in [
        r[:3] for r in roles]
    organizations = {link.speaker.organization for s in sessions for link in s.speaker_links}
    assert {"UNICRI", "INTERPOL", "Europol"} <= organizations


def assert_inside_days_without_double_booking(edition, sessions) -> None:
    for session in sessions:
        assert to_local(session.starts_at, edition.timezone).date() in edition.days
        assert to_local(session.ends_at, edition.timezone).date() in edition.days
        for other in sessions:
            if other is not session and session.room_id and other.room_id == session.room_id:
                assert not session.overlaps(other), (session.title, other.title)


def test_if_empty_twice_does_not_duplicate(app, runner):
    first = runner.invoke(args=["meetings", "demo", "--if-empty"])
    assert first.exit_code == 0 and "5 demo editions" in first.output
    second = runner.invoke(args=["meetings", "demo", "--if-empty"])
    assert second.exit_code == 0
    assert "already has data" in second.output
    with app.app_context():
        assert count(Edition) == 5
        assert count(Session) == sum(len(sessions_of(e)) for e in db.session.scalars(
            sa.select(Edition)))
        assert count(User) == 2  # the administrator and the demo focal point


def test_demo_without_if_empty_refuses_to_load_twice(app, runner):
    runner.invoke(args=["meetings", "demo"])
    result = runner.invoke(args=["meetings", "demo"])
    assert result.exit_code != 0
    assert "already exist" in result.output
    with app.app_context():
        assert count(Edition) == 5


def test_existing_accounts_are_left_alone(app, runner, auth, client):
    auth.create()
    result = runner.invoke(args=["meetings", "demo"])
    assert result.exit_code == 0
    assert DEMO_ADMIN_PASSWORD not in result.output
    with app.app_context():
        assert count(User) == 1
    assert auth.login(password=ADMIN_PASSWORD).status_code == 302


@pytest.mark.parametrize("now", [
    datetime(2026, 11, 25, 3, 0, tzinfo=UTC),
    datetime(2027, 2, 28, 23, 59, tzinfo=UTC),
    datetime(2027, 10, 1, 12, 0, tzinfo=UTC),
])
def test_load_demo_places_the_upcoming_edition_after_now(app, now):
    with app.app_context():
        editions = load_demo(now, badge_secret=secret_of(app.config),
                             visa_key=data_key(app.config), site=MAIL_SITE)
        db.session.commit()
        upcoming_edition = editions[-1]
        assert upcoming_edition.starts_on == upcoming_start(now)
        assert upcoming_edition.starts_on >= (now + timedelta(days=60)).date()
        assert upcoming_edition.starts_on.weekday() == 1
        assert upcoming_edition.created_at == now
        assert all(s.created_at == now for s in sessions_of(upcoming_edition))
        assert count(Edition) == 5


def test_load_demo_avoids_a_past_slug(app):
    with app.app_context():
        editions = load_demo(datetime(2024, 3, 1, tzinfo=UTC),
                             badge_secret=secret_of(app.config), visa_key=data_key(app.config),
                             site=MAIL_SITE)
        assert editions[-1].slug == "2024-the-hague"
        db.session.commit()


@pytest.mark.parametrize("n, rooms", [(50, 3), (200, 5)])
def test_synthetic_benchmark_edition(app, n, rooms):
    from bench.synthetic import build_synthetic_edition

    with app.app_context():
        edition = build_synthetic_edition(n, datetime(2026, 11, 25, tzinfo=UTC))
        db.session.commit()
        sessions = sessions_of(edition)
        assert len(sessions) == n and len(edition.venue.rooms) == rooms
        assert len(edition.tracks) == 4
        assert sum(len(s.speaker_links) for s in sessions) == n + n // 5
        first = to_local(sessions[0].starts_at, edition.timezone)
        assert (first.date(), first.time()) == (edition.starts_on, time(9))
        assert_inside_days_without_double_booking(edition, sessions)


def test_demo_editions_render_on_the_public_agenda(app, runner, client):
    runner.invoke(args=["meetings", "demo"])
    with app.app_context():
        editions = list(db.session.scalars(sa.select(Edition)))
        titles = {e.slug: [(s.title, s.is_closed) for s in sessions_of(e)] for e in editions}
    for slug, session_titles in titles.items():
        page = client.get(f"/{slug}/agenda")
        assert page.status_code == 200, slug
        text = page.get_data(as_text=True)
        # A closed session is on the agenda as "Closed session", never by its title.
        assert all((title.replace("&", "&amp;") in text) != closed
                   for title, closed in session_titles), slug
