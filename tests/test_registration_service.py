"""Registration rules through the service: states, seats, waiting list, locks, erasure."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from meetings.attendance import workshops
from meetings.attendance.models import WorkshopStatus
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from meetings.models import SessionType
from meetings.registration import configuration, privacy, service
from meetings.registration.erased_counts import ErasedRegistrationCount
from meetings.registration.models import Registration, RegistrationMode, RegistrationStatus
from meetings.registration.tokens import registration_for_token
from tests.conftest import POSTGRES_URL, build_test_config
from tests.factories import (
    FIXED_NOW,
    MAIL_SITE,
    make_session,
    make_user,
    open_edition,
    person,
    registration_category,
    sign_up,
)

S = RegistrationStatus


def statuses(edition) -> list[str]:
    return [r.status.value for r in db.session.scalars(
        sa.select(Registration).where(Registration.edition_id == edition.id)
        .order_by(Registration.id))]


def test_register_is_unverified_until_the_email_link_is_used(app):
    with app.app_context():
        edition = open_edition(capacity=5)
        registration = sign_up(edition, verify=False)
        assert registration.status == S.UNVERIFIED
        assert registration.arrival is None
        service.verify(registration, now=FIXED_NOW, site=MAIL_SITE)
        assert registration.status == S.APPROVED
        assert registration.arrival == 1
        assert [(e.from_status, e.to_status) for e in registration.history] == [
            (None, "unverified"), ("unverified", "approved")]


def test_approval_mode_and_category_flag_make_registrations_pending(app):
    with app.app_context():
        edition = open_edition(capacity=5)
        assert sign_up(edition, 1, code="industry").status == S.PENDING
        assert sign_up(edition, 2, code="government").status == S.APPROVED
        other = open_edition(capacity=5, mode=RegistrationMode.APPROVAL, slug="2028")
        assert sign_up(other, 3).status == S.PENDING


def test_duplicate_email_creates_nothing_and_mails_the_existing_link(app):
    with app.app_context():
        edition = open_edition()
        first = sign_up(edition, 1)
        again = service.register(edition, person(1, email=" P1@Example.org "),
                                 category_id=registration_category(edition).id, consent=True,
                                 now=FIXED_NOW, site=MAIL_SITE)
        assert again.id == first.id
        assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1
        subjects = [m.subject for m in db.session.scalars(sa.select(OutboxMessage))]
        assert subjects[-1].startswith("Your registration for")


def test_pending_and_approved_hold_seats_then_the_waiting_list_in_arrival_order(app):
    with app.app_context():
        edition = open_edition(capacity=2)
        a = sign_up(edition, 1, code="industry")  # pending holds a seat
        sign_up(edition, 2)
        c = sign_up(edition, 3)
        d = sign_up(edition, 4)
        assert statuses(edition) == ["pending", "approved", "waitlisted", "waitlisted"]
        user = make_user()
        service.reject(a, user, now=FIXED_NOW, note="Not this time.", site=MAIL_SITE)
        assert (a.status, c.status, d.status) == (S.REJECTED, S.APPROVED, S.WAITLISTED)
        assert c.history[-1].note == "promoted from the waiting list"


def test_category_quota_skips_to_the_next_eligible_person(app):
    with app.app_context():
        edition = open_edition(capacity=3)
        configuration.save_category(edition, registration_category(edition, "academia"),
                                    name="Academia", quota=1, requires_approval=False,
                                    now=FIXED_NOW, site=MAIL_SITE)
        first = sign_up(edition, 1, code="academia")
        blocked = sign_up(edition, 2, code="academia")
        other = sign_up(edition, 3)
        assert [first.status, blocked.status, other.status] == [
            S.APPROVED, S.WAITLISTED, S.APPROVED]


def test_raising_capacity_promotes_and_cancelling_frees_a_seat(app):
    with app.app_context():
        edition = open_edition(capacity=1)
        a, b, c = (sign_up(edition, n) for n in (1, 2, 3))
        assert statuses(edition) == ["approved", "waitlisted", "waitlisted"]
        service.cancel(a, now=FIXED_NOW, site=MAIL_SITE)
        assert (a.status, b.status, c.status) == (S.CANCELLED, S.APPROVED, S.WAITLISTED)
        settings = configuration.settings_of(edition.id)
        configuration.update_settings(edition, opens_at=settings.opens_at,
                                      closes_at=settings.closes_at, capacity=5,
                                      mode=settings.mode, auto_promote=True,
                                      privacy_notice=settings.privacy_notice, now=FIXED_NOW,
                                      site=MAIL_SITE)
        assert c.status == S.APPROVED


def test_manual_promotion_when_automatic_promotion_is_off(app):
    with app.app_context():
        edition = open_edition(capacity=1, auto_promote=False)
        a, b, c = (sign_up(edition, n) for n in (1, 2, 3))
        service.cancel(a, now=FIXED_NOW, site=MAIL_SITE)
        assert (b.status, c.status) == (S.WAITLISTED, S.WAITLISTED)
        user = make_user()
        service.promote(c, user, now=FIXED_NOW, site=MAIL_SITE)  # out of turn, by an organizer
        assert c.status == S.APPROVED
        with pytest.raises(DomainError):
            service.promote(b, user, now=FIXED_NOW, site=MAIL_SITE)


def test_registration_window_and_invitations(app):
    with app.app_context():
        edition = open_edition(mode=RegistrationMode.INVITATION)
        with pytest.raises(DomainError) as error:
            sign_up(edition, 1, now=FIXED_NOW + timedelta(days=31))
        assert "not open" in str(error.value.message)
        with pytest.raises(DomainError) as error:
            sign_up(edition, 1)
        assert error.value.field == "invitation_code"
        configuration.invite(edition, ["guest@example.org"], now=FIXED_NOW, site=MAIL_SITE)
        mail = db.session.scalars(sa.select(OutboxMessage)).all()[-1]
        code = mail.text_body.split("invitation code is ")[1].split(".")[0]
        registration = service.register(edition, person(1),
                                        category_id=registration_category(edition).id,
                                        consent=True, invitation_code=code, now=FIXED_NOW,
                                        site=MAIL_SITE)
        assert registration.invitation_id is not None
        with pytest.raises(DomainError):  # single use
            service.register(edition, person(2), category_id=registration_category(edition).id,
                             consent=True, invitation_code=code, now=FIXED_NOW, site=MAIL_SITE)


def test_erasure_frees_the_seat_and_keeps_an_anonymous_count(app):
    with app.app_context():
        edition = open_edition(capacity=1)
        a = sign_up(edition, 1, dietary="vegetarian")
        b = sign_up(edition, 2)
        privacy.erase(a, now=FIXED_NOW, site=MAIL_SITE)
        assert (a.status, b.status) == (S.CANCELLED, S.APPROVED)
        assert db.session.get(Registration, a.id) is None
        assert db.session.execute(sa.select(ErasedRegistrationCount.country,
                                            ErasedRegistrationCount.count)).all() == [("NL", 1)]
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.to_address == "p1@example.org")) == 0


def test_purge_waits_for_the_retention_period(app):
    with app.app_context():
        edition = open_edition()
        sign_up(edition, 1)
        with pytest.raises(DomainError):
            privacy.purge_edition(edition, retention_days=180, now=FIXED_NOW)
        later = datetime(2027, 10, 1, tzinfo=UTC)
        assert privacy.purge_edition(edition, retention_days=180, now=later).registrations == 1
        assert db.session.scalar(sa.select(Registration)) is None
        assert db.session.scalar(sa.select(ErasedRegistrationCount.status)) == "approved"


def test_workshops_never_oversell_and_refuse_overlaps(app):
    with app.app_context():
        edition = open_edition()
        start = datetime(2027, 3, 28, 13, 0, tzinfo=UTC)
        lab = make_session(edition, "Lab", starts_at=start, type=SessionType.WORKSHOP, capacity=1)
        clash = make_session(edition, "Clash", starts_at=start + timedelta(minutes=30),
                             type=SessionType.WORKSHOP, capacity=5)
        a, b = sign_up(edition, 1), sign_up(edition, 2)
        assert workshops.choose(a, lab, now=FIXED_NOW).status == WorkshopStatus.CONFIRMED
        assert workshops.choose(b, lab, now=FIXED_NOW).status == WorkshopStatus.WAITLISTED
        with pytest.raises(DomainError) as error:
            workshops.choose(a, clash, now=FIXED_NOW)
        assert "overlaps" in str(error.value.message)
        service.cancel(a, now=FIXED_NOW, site=MAIL_SITE)
        assert b.workshops[0].status == WorkshopStatus.CONFIRMED


def test_tokens_are_stored_hashed_and_expire(app):
    with app.app_context():
        edition = open_edition()
        sign_up(edition, 1, verify=False)
        body = db.session.scalars(sa.select(OutboxMessage)).all()[-1].text_body
        token = body.split("/manage-registration/")[1].split()[0]
        assert len(token) >= 43
        assert registration_for_token(token, FIXED_NOW) is not None
        assert registration_for_token(token + "x", FIXED_NOW) is None
        assert registration_for_token(token, FIXED_NOW + timedelta(days=401)) is None
        from meetings.registration.models import AccessToken
        assert token not in db.session.scalar(sa.select(AccessToken.token_hash))


def rush(app, edition_id, category_id, count,
         delegation_id: int | None = None) -> list[BaseException]:
    """`count` threads, each with its own session and connection, register and verify at once
    (all claiming `delegation_id` when given)."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def one(n):
        try:
            with app.app_context():
                from meetings.models import Edition
                edition = db.session.get(Edition, edition_id)
                barrier.wait(timeout=30)
                registration = service.register(edition, person(n), category_id=category_id,
                                                 delegation_id=delegation_id, consent=True,
                                                 now=FIXED_NOW, site=MAIL_SITE)
                db.session.commit()
                service.verify(registration, now=FIXED_NOW, site=MAIL_SITE)
                db.session.commit()
        except BaseException as error:  # noqa: BLE001 - the test reports every failure
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def assert_no_oversell(app, edition_id, capacity, count):
    with app.app_context():
        rows = db.session.scalars(sa.select(Registration).where(
            Registration.edition_id == edition_id).order_by(Registration.arrival)).all()
        assert len(rows) == count
        assert sorted(r.arrival for r in rows) == list(range(1, count + 1))
        assert [r.status.value for r in rows] == (["approved"] * capacity
                                                  + ["waitlisted"] * (count - capacity))


def prepare_rush(app, capacity):
    with app.app_context():
        edition = open_edition(capacity=capacity)
        ids = edition.id, registration_category(edition).id
        db.session.commit()
    return ids


@pytest.fixture
def pooled_app(app_config):
    """An app whose pool gives every thread its own connection."""
    from meetings import create_app

    options = {"pool_size": 60, "max_overflow": 0, "pool_timeout": 60}
    if not POSTGRES_URL:
        options["connect_args"] = {"timeout": 60}
    app = create_app(build_test_config(app_config["SQLALCHEMY_DATABASE_URI"],
                                       SQLALCHEMY_ENGINE_OPTIONS=options,
                                       # 60 at once on a busy machine may queue past the
                                       # default 3 s; this test is about overselling, not waits.
                                       LOCK_TIMEOUT_MS=60_000))
    with app.app_context():
        if not POSTGRES_URL:
            db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL: set TEST_DATABASE_URL to a "
                    "postgres database (CI does)")
def test_no_oversell_under_50_concurrent_registrations_on_postgres(app, pooled_app):
    edition_id, category_id = prepare_rush(pooled_app, capacity=20)
    errors = rush(pooled_app, edition_id, category_id, 60)
    assert [repr(e) for e in errors] == []
    assert_no_oversell(pooled_app, edition_id, 20, 60)


@pytest.mark.skipif(bool(POSTGRES_URL), reason="the SQLite variant of the rush test")
def test_no_oversell_under_concurrent_registrations_on_sqlite(app, pooled_app):
    edition_id, category_id = prepare_rush(pooled_app, capacity=10)
    errors = rush(pooled_app, edition_id, category_id, 30)
    assert [repr(e) for e in errors] == []
    assert_no_oversell(pooled_app, edition_id, 10, 30)
