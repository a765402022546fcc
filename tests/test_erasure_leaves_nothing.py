"""Erasure and purge leave nothing of a person, and "download my data" holds everything.

Both walk the tables from the metadata, so a table added later is covered without a change here.
"""

import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from meetings.attendance import agenda_choices, change_mail, feed_tokens, workshops
from meetings.audit.service import record
from meetings.delegations import service as delegations
from meetings.delegations.models import FocalPoint
from meetings.extensions import db
from meetings.mail.models import OutboxMessage, OutboxStatus
from meetings.mail.service import queue_message
from meetings.models import AuditEntry, FeedCache, SessionAccess, SessionType
from meetings.registration import configuration, personal_data, privacy, service
from meetings.registration.erased_counts import ErasedRegistrationCount
from meetings.registration.models import (
    Invitation,
    OrganizationKind,
    QuestionKind,
    Registration,
    RegistrationMode,
    RegistrationStatus,
)
from meetings.registration.notify import send_invitation_mail, send_registration_mail
from meetings.secret_tokens import hash_token
from tests.factories import (
    MAIL_SITE,
    make_edition,
    make_session,
    make_venue,
    manage_token,
    open_registration,
    registration_category,
)

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
PAST_NOW = datetime(2024, 12, 1, 12, 0, tzinfo=UTC)  # registration time of an edition now past
INVITATION_CODE = "canary-invitation-code-4711"
PERSON = dict(given_name="Zebulonia", family_name="Quaxworthy", email="zq.canary@example.org",
              organization="Canary Cybercrime Unit 77", job_title="Chief Canary Inspector",
              country="IS", language="fr", dietary="canary-no-peanuts-please",
              accessibility="canary-step-free-ramp", listed=True)
ANSWERS = ("canary-answer-short-text", "canary-answer-long text\nsecond line")


def registration_tables() -> list[sa.Table]:
    """Every table with a foreign key to `registration`."""
    return [table for table in db.metadata.sorted_tables
            if any(key.column.table.name == "registration" for key in table.foreign_keys)]


def everyone_everything(app, client, *, starts_on: date = date(2027, 3, 28),
                        now: datetime = NOW) -> dict:
    """A law-enforcement attendee, invited, with every field, mail, choice and the feed built."""
    with app.app_context():
        venue = make_venue()
        edition = make_edition(slug=f"e{starts_on.year}", starts_on=starts_on, venue=venue)
        open_registration(edition, now=now, mode=RegistrationMode.INVITATION)
        questions = [configuration.add_question(edition, label=label, kind=kind,
                                                choices_text="", required=False)
                     for label, kind in (("Your unit?", QuestionKind.SHORT_TEXT),
                                         ("Anything else?", QuestionKind.LONG_TEXT))]
        invitation = Invitation(edition_id=edition.id, email=PERSON["email"],
                                code_hash=hash_token(INVITATION_CODE), created_at=now)
        db.session.add(invitation)
        db.session.flush()
        send_invitation_mail(invitation, INVITATION_CODE, edition, now=now, site=MAIL_SITE)
        answers = {str(q.id): text for q, text in zip(questions, ANSWERS, strict=True)}
        category = registration_category(edition, "law_enforcement")
        registration = service.register(
            edition, service.Registrant(**PERSON, answers=answers), category_id=category.id,
            consent=True, invitation_code=INVITATION_CODE, now=now, site=MAIL_SITE)
        service.verify(registration, now=now, site=MAIL_SITE)
        service.approve(registration, None, now=now, note="canary-approval-note", site=MAIL_SITE)
        send_registration_mail(registration, "lost_link", now=now, site=MAIL_SITE)
        start = datetime.combine(starts_on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
        closed = make_session(edition, "Canary closed session title", start,
                              room=venue.rooms[0], access=SessionAccess.CLOSED)
        lab = make_session(edition, "Open lab", start + timedelta(hours=2), room=venue.rooms[1],
                           type=SessionType.WORKSHOP, capacity=5)
        agenda_choices.add_to_agenda(registration, closed, now=now)
        workshops.choose(registration, lab, now=now)
        change_mail.send_digest(registration, [], now=now, site=MAIL_SITE)
        feed = feed_tokens.feed_token(registration, app.config["SECRET_KEY"].encode(), now)
        manage = manage_token(registration, now)
        record(None, "registration.approve", f"Registration #{registration.id}: approve",
               edition=edition, now=now)
        record(None, "mail.retry", f"Email #1 to {PERSON['email']} queued again.", now=now)
        db.session.commit()
        ids = {"registration": registration.id, "edition": edition.id, "slug": edition.slug}
    fetched = client.get(f"/feeds/{feed}.ics")
    assert fetched.status_code == 200 and b"Canary closed session title" in fetched.data
    with app.app_context():
        assert db.session.get(FeedCache, f"personal/{ids['registration']}") is not None
    secrets = [feed, manage, INVITATION_CODE, hash_token(feed), hash_token(manage),
               hash_token(INVITATION_CODE)]
    return {**ids, "manage": manage,
            "values": [v for k, v in PERSON.items() if k not in ("country", "language",
                                                                   "listed")]
            + list(ANSWERS) + ["canary-approval-note", "Quaxworthy"] + secrets}


def occurrences(values: list[str]) -> list[tuple[str, str]]:
    """(table, value) for every value found in any column of any table."""
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).all():
            text = " ".join(cell.decode("utf-8", "replace") if isinstance(cell, bytes)
                            else json.dumps(cell, ensure_ascii=False) if isinstance(cell, dict)
                            else str(cell) for cell in row)
            found += [(table.name, value) for value in values if value in text]
    return found


def sqlite_file_occurrences(app, values: list[str]) -> list[str]:
    """The values still present in the raw bytes of the SQLite database (and any journal)."""
    db.session.remove()
    db.engine.dispose()
    database = Path(db.engine.url.database)
    raw = b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))
    return [value for value in values if value.encode() in raw]


def postgresql_page_occurrences(values: list[str]) -> list[str]:
    """The values still present in the raw pages of any table, its TOAST table or its indexes."""
    db.session.remove()
    raw = []
    with db.engine.connect() as connection:
        connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        connection.commit()
        quote = db.engine.dialect.identifier_preparer.quote
        for table in db.metadata.sorted_tables:
            relations = connection.execute(sa.text(
                "SELECT c.oid::regclass::text FROM pg_class c WHERE c.oid = to_regclass(:name) "
                "OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE oid = to_regclass(:name)) "
                "OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = to_regclass(:name))"
            ), {"name": quote(table.name)}).scalars().all()
            for relation in relations:
                blocks = connection.scalar(sa.text(
                    "SELECT pg_relation_size(:r) / current_setting('block_size')::int"),
                    {"r": relation})
                raw += [connection.scalar(sa.text("SELECT get_raw_page(:r, :b)"),
                                          {"r": relation, "b": block})
                        for block in range(blocks)]
    data = b"".join(bytes(page) for page in raw)
    return [value for value in values if value.encode() in data]


WHERE = ["tables", "stored bytes"]
# On PostgreSQL one erasure leaves dead row versions in the pages until a VACUUM FULL: only the
# purge runs one, so only the purge's test reads PostgreSQL's pages; one erasure is checked in
# the tables there (and in the file on SQLite, whose secure_delete overwrites at once).
ERASURE_WHERE = ["tables"] if os.environ.get("TEST_DATABASE_URL") else WHERE


def check_nothing_left(app, where: str, values: list[str], *, vacuumed: bool) -> None:
    """No value in any table; nor in the stored bytes (SQLite's file, PostgreSQL's pages)."""
    with app.app_context():
        if where == "tables":
            assert occurrences(values) == []
        elif db.engine.dialect.name == "sqlite":
            assert sqlite_file_occurrences(app, values) == []
        else:
            assert vacuumed, "PostgreSQL's pages are clean only after the purge's VACUUM FULL"
            assert postgresql_page_occurrences(values) == []


@pytest.mark.parametrize("where", ERASURE_WHERE)
def test_erasing_leaves_no_value_of_the_person_anywhere(app, client, where):
    person = everyone_everything(app, client)
    with app.app_context():
        assert occurrences(person["values"])  # the search does find them before
        privacy.erase(db.session.get(Registration, person["registration"]), now=NOW, site=MAIL_SITE)
        db.session.commit()
        assert db.session.get(Registration, person["registration"]) is None
        assert db.session.get(FeedCache, f"personal/{person['registration']}") is None
        counts = db.session.scalars(sa.select(ErasedRegistrationCount)).all()
        assert [(c.country, c.status, c.count) for c in counts] == [("IS", "cancelled", 1)]
    check_nothing_left(app, where, person["values"], vacuumed=False)


def test_erasing_through_the_manage_page_deletes_the_registration(app, client):
    person = everyone_everything(app, client)
    with app.app_context():  # a link that works today (the built one is dated NOW)
        token = manage_token(db.session.get(Registration, person["registration"]),
                            datetime.now(UTC))
        db.session.commit()
    assert client.post(f"/manage-registration/{token}/erase").status_code == 200
    assert client.get(f"/manage-registration/{token}").status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0


@pytest.mark.parametrize("where", WHERE)
def test_purge_of_a_past_edition_keeps_only_anonymous_counts(app, client, runner, where):
    person = everyone_everything(app, client, starts_on=date(2025, 1, 10), now=PAST_NOW)
    result = runner.invoke(args=["meetings", "purge", person["slug"]])
    assert result.exit_code == 0, result.output
    assert "1 registration" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0
        counts = db.session.scalars(sa.select(ErasedRegistrationCount)).all()
        assert [(c.country, c.status, c.day, c.count) for c in counts] == [
            ("IS", "approved", date(2024, 12, 1), 1)]
        assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0
    check_nothing_left(app, where, person["values"], vacuumed=True)


FOCAL_POINT = {"email": "focal.canary@example.org", "name": "Canaria Focalpointsworth"}


@pytest.mark.parametrize("where", WHERE)
def test_the_purges_leave_nothing_of_a_past_editions_focal_point(app, client, admin, runner,
                                                                 where):
    """A focal point's name and address go with the edition's purge (the audit log's mention of
    them too); the mails sent to them (about no registration) with the daily `purge --due`, once
    the registration retention has passed since they were sent."""
    with app.app_context():
        edition = make_edition(slug="e2025", starts_on=date(2025, 1, 10))
        open_registration(edition, now=PAST_NOW)
        delegation = delegations.add_delegation(edition, name="Canary Police Service",
                                                kind=OrganizationKind.POLICE, country="KE",
                                                quota=None)
        db.session.commit()
        path = f"/manage/editions/{edition.id}/delegations/{delegation.id}/focal-points"
    assert client.post(path, data=FOCAL_POINT).status_code == 302
    with app.app_context():
        link_hash = db.session.scalar(sa.select(FocalPoint.token_hash))
        assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(
            AuditEntry.summary.contains(FOCAL_POINT["email"]))) == 1
        # Sent long ago, as it would have been for an edition now past its retention.
        db.session.execute(sa.update(OutboxMessage).values(created_at=PAST_NOW,
                                                           last_attempt_at=PAST_NOW))
        db.session.commit()
    purged = runner.invoke(args=["meetings", "purge", "e2025"])
    due = runner.invoke(args=["meetings", "purge", "--due"])
    assert purged.exit_code == 0 and due.exit_code == 0, purged.output + due.output
    assert "Deleted 1 delivered email(s)" in due.output
    check_nothing_left(app, where, [*FOCAL_POINT.values(), link_hash], vacuumed=True)


def test_the_mail_log_keeps_recent_and_undelivered_messages(app, runner):
    """`purge --due` forgets delivered mail about no registration after the retention only."""
    now = datetime.now(UTC)
    with app.app_context():
        days = app.config["REGISTRATION_RETENTION_DAYS"]
        for address, age, status in (("old@example.org", days + 1, OutboxStatus.SENT),
                                     ("failed@example.org", days + 1, OutboxStatus.FAILED),
                                     ("recent@example.org", days - 1, OutboxStatus.SENT),
                                     ("waiting@example.org", days + 1, OutboxStatus.PENDING)):
            at = now - timedelta(days=age)
            message = queue_message(address, "Subject", "Body", now=at)
            message.status, message.last_attempt_at = status, at
        db.session.commit()
    result = runner.invoke(args=["meetings", "purge", "--due"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        left = db.session.scalars(sa.select(OutboxMessage.to_address)).all()
    assert sorted(left) == ["recent@example.org", "waiting@example.org"]


def test_the_download_has_a_section_for_every_table_that_refers_to_a_registration(app, client):
    person = everyone_everything(app, client)
    with app.test_request_context():
        registration = db.session.get(Registration, person["registration"])
        sections = {s.table: s for s in personal_data.sections(registration)}
        for table in registration_tables():
            key = next(k for k in table.foreign_keys if k.column.table.name == "registration")
            rows = db.session.scalar(sa.select(sa.func.count()).select_from(table)
                                     .where(key.parent == registration.id))
            assert table.name in sections, f"{table.name} is not in the download"
            assert rows > 0 and len(sections[table.name].entries) == rows, table.name


def test_the_download_is_readable_and_complete_without_any_token(app, client):
    person = everyone_everything(app, client)
    with app.app_context():
        token = manage_token(db.session.get(Registration, person["registration"]),
                            datetime.now(UTC))
        db.session.commit()
    response = client.get(f"/manage-registration/{token}/data.json")
    assert response.status_code == 200
    data = json.loads(response.data)
    assert data["registration"]["email"] == PERSON["email"]
    assert data["registration"]["answers"] == {"Your unit?": ANSWERS[0],
                                               "Anything else?": ANSWERS[1]}
    assert data["registration"]["updated_at"] and data["registration"]["arrival"] == 1
    assert data["registration"]["invitation"]["used_at"] == "2027-01-10T12:00:00Z"
    # law enforcement: the closed session on their own agenda shows its title
    assert [s["session"] for s in data["personal_agenda"]] == ["Canary closed session title"]
    assert [(s["session"], s["status"]) for s in data["workshops"]] == [("Open lab",
                                                                         "confirmed")]
    assert data["calendar_feed"][0]["address"].startswith("http://localhost/feeds/")
    assert data["calendar_feed"][0]["created_at"] == "2027-01-10T12:00:00Z"
    assert len(data["manage_links"]) == 7
    assert all(set(link) == {"created_at", "expires_at"} for link in data["manage_links"])
    assert {m["subject"].split(":")[0] for m in data["emails"]} >= {
        "Please confirm your registration for Global Meeting on AI for Law Enforcement e2027",
        "Registration received", "Registration approved", "Your link for Global Meeting on AI "
        "for Law Enforcement e2027", "Agenda changes"}
    assert [e["action"] for e in data["audit_log"]] == ["registration.approve"]
    assert [e["to"] for e in data["history"] if e["to"]] == ["unverified", "pending", "approved"]
    body = response.get_data(as_text=True)
    assert token not in body and person["manage"] not in body
    assert hash_token(token) not in body


def test_a_closed_session_title_stays_hidden_from_someone_not_entitled(app, client):
    person = everyone_everything(app, client)
    with app.test_request_context():
        registration = db.session.get(Registration, person["registration"])
        registration.category = registration_category(registration.edition, "government")
        sections = {s.name: s for s in personal_data.sections(registration)}
        assert [e["session"] for e in sections["personal_agenda"].entries] == [
            "Closed session"]


def test_erasing_keeps_other_people_and_their_invitations(app, client):
    person = everyone_everything(app, client)
    with app.app_context():
        edition_id = person["edition"]
        other = Invitation(edition_id=edition_id, email="someone.else@example.org",
                           code_hash=hash_token("another-code"), created_at=NOW)
        db.session.add(other)
        db.session.commit()
        privacy.erase(db.session.get(Registration, person["registration"]), now=NOW, site=MAIL_SITE)
        db.session.commit()
        emails = db.session.scalars(sa.select(Invitation.email).order_by(Invitation.id)).all()
        assert emails == ["someone.else@example.org"]
        assert db.session.scalar(sa.select(sa.func.count(Registration.id)).where(
            Registration.status == RegistrationStatus.APPROVED)) == 0
