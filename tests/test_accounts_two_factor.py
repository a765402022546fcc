"""TOTP second factor: enrolment, login with a code, replay guard, recovery codes, site policy."""

import base64
import hashlib
import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pyotp
import pytest
import sqlalchemy as sa

from meetings import create_app
from meetings.accounts import two_factor
from meetings.accounts.models import RecoveryCode
from meetings.extensions import db
from meetings.models import AuditEntry, User
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, build_test_config


def enrol(app, client) -> tuple[str, list[str]]:
    """Set up two-factor for the logged-in user; returns the secret and the recovery codes."""
    started = client.post("/account/two-factor/start", data={"start-password": ADMIN_PASSWORD})
    assert started.status_code == 302
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    page = client.post("/account/two-factor/setup",
                       data={"code": pyotp.TOTP(secret).now()}).get_data(as_text=True)
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", page)
    return secret, codes


def next_code(secret: str) -> str:
    """The code of the next 30-second step: accepted now, and newer than the one set-up used."""
    return pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))


@pytest.fixture
def enrolled(app, client, admin):
    secret, codes = enrol(app, client)
    admin.logout()
    return secret, codes


def test_setup_shows_a_qr_code_as_an_image_the_csp_allows(app, client, admin):
    client.post("/account/two-factor/start", data={"start-password": ADMIN_PASSWORD})
    response = client.get("/account/two-factor/setup")
    page = response.get_data(as_text=True)
    source = re.search(r'<img src="(data:image/svg\+xml[^"]+)"', page).group(1)
    assert "img-src 'self' data:" in response.headers["Content-Security-Policy"]
    assert "<script" not in page
    svg = unquote(source.split(",", 1)[1]) if ";base64" not in source else \
        base64.b64decode(source.split(",", 1)[1]).decode()
    assert "<svg" in svg and "<path" in svg


def test_enrolment_turns_on_two_factor_with_ten_hashed_recovery_codes(app, client, admin):
    secret, codes = enrol(app, client)
    assert len(codes) == 10 and len(set(codes)) == 10
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.totp_enabled and user.totp_secret == secret
        stored = set(db.session.scalars(sa.select(RecoveryCode.code_hash)))
        assert stored == {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}
        assert "user.two_factor_on" in db.session.scalars(sa.select(AuditEntry.action)).all()
    assert client.get("/account/two-factor/setup").status_code == 302  # shown once only


def test_wrong_code_does_not_turn_it_on(app, client, admin):
    client.post("/account/two-factor/start", data={"start-password": ADMIN_PASSWORD})
    page = client.post("/account/two-factor/setup", data={"code": "000000"})
    assert "That code is not right" in page.get_data(as_text=True)
    with app.app_context():
        assert not db.session.scalar(sa.select(User)).totp_enabled


def test_login_asks_for_the_code_before_the_session_is_authenticated(client, auth, enrolled):
    secret, _ = enrolled
    response = auth.login()
    assert response.status_code == 302 and "/login/code" in response.headers["Location"]
    assert client.get("/manage/").status_code == 302  # password alone opens nothing
    assert client.post("/login/code", data={"code": "123456"}).status_code == 200
    assert client.get("/manage/").status_code == 302
    assert client.post("/login/code", data={"code": next_code(secret)}).status_code == 302
    assert client.get("/manage/").status_code == 200


def test_a_code_cannot_be_used_twice(app, client, auth, enrolled):
    secret, _ = enrolled
    code = next_code(secret)
    auth.login()
    assert client.post("/login/code", data={"code": code}).status_code == 302
    auth.logout()
    auth.login()
    page = client.post("/login/code", data={"code": code})
    assert page.status_code == 200 and "used already" in page.get_data(as_text=True)


def test_replay_guard_holds_across_requests_that_read_the_same_row(app, auth):
    auth.create()
    now = datetime.now(UTC)
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        user.totp_secret, user.totp_enabled = pyotp.random_base32(), True
        db.session.commit()
        code = pyotp.TOTP(user.totp_secret).at(now)
        stale = db.session.scalar(sa.select(User))
        other = db.session.get(User, user.id)
        assert two_factor.accept_totp(stale, code, now=now)
        other.totp_last_counter = None  # what a second worker read before the first wrote
        assert not two_factor.accept_totp(other, code, now=now)


def test_recovery_codes_open_one_login_each(client, auth, enrolled):
    _, codes = enrolled
    auth.login()
    assert client.post("/login/code", data={"code": codes[0].upper()}).status_code == 302
    auth.logout()
    auth.login()
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 200
    assert client.post("/login/code", data={"code": codes[1].replace("-", " ")}).status_code == 302


def test_the_code_step_expires_and_needs_the_password_step(app, client, auth, enrolled):
    assert client.get("/login/code").status_code == 302
    auth.login()
    with client.session_transaction() as session:
        session["login_pending"]["until"] = (datetime.now(UTC) - timedelta(seconds=1)).timestamp()
        session.modified = True
    response = client.post("/login/code", data={"code": "123456"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


@pytest.mark.parametrize("pending", ["nonsense", {"user": "1:x", "until": 9e18}, {"user": None},
                                     {"until": "soon"}, 5])
def test_forged_pending_state_is_refused(client, auth, pending):
    auth.create()
    with client.session_transaction() as session:
        session["login_pending"] = pending
    assert client.post("/login/code", data={"code": "123456"}).status_code == 302
    assert client.get("/manage/").status_code == 302


def test_code_guessing_is_limited_per_account(app, app_config, enrolled):
    config = dict(app_config, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                  RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
                  LOGIN_ACCOUNT_LIMIT="3 per 15 minutes")
    limited = create_app(build_test_config(config["SQLALCHEMY_DATABASE_URI"], **config))
    pages = []
    for attempt in range(3):
        client = limited.test_client()
        address = {"REMOTE_ADDR": f"10.1.0.{attempt}"}
        client.post("/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
                    environ_base=address)
        pages.append(client.post("/login/code", data={"code": "000000"}, environ_base=address))
    assert all("That code is not right" in page.get_data(as_text=True) for page in pages)
    page = client.post("/login/code", data={"code": next_code(enrolled[0])},
                       environ_base={"REMOTE_ADDR": "10.1.0.9"})
    assert "Too many failed attempts" in page.get_data(as_text=True)
    page = limited.test_client().post("/login", data={
        "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert "Too many failed attempts" in page.get_data(as_text=True)
    with limited.app_context():
        db.engine.dispose()


def test_new_recovery_codes_replace_the_old_ones(app, client, admin):
    secret, codes = enrol(app, client)
    page = client.post("/account/two-factor/recovery-codes",
                       data={"codes-code": next_code(secret)}).get_data(as_text=True)
    fresh = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", page)
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    admin.logout()
    admin.login()
    assert client.post("/login/code", data={"code": codes[2]}).status_code == 200
    assert client.post("/login/code", data={"code": fresh[2]}).status_code == 302


def test_turning_off_needs_password_and_code(app, client, admin):
    secret, _ = enrol(app, client)
    page = client.post("/account/two-factor/off", data={"off-password": "wrong",
                                                        "off-code": next_code(secret)})
    assert "not your current password" in page.get_data(as_text=True)
    response = client.post("/account/two-factor/off", data={
        "off-password": ADMIN_PASSWORD, "off-code": next_code(secret)})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert not user.totp_enabled and user.totp_secret is None
        assert db.session.scalars(sa.select(RecoveryCode)).all() == []


def test_admin_turns_off_a_lost_second_factor_and_ends_sessions(app, client, auth):
    organizer_id = auth.create(email="org@example.org", is_admin=False)
    organizer = app.test_client()
    organizer.post("/login", data={"email": "org@example.org", "password": ADMIN_PASSWORD})
    enrol(app, organizer)
    auth.create()
    auth.login()
    assert client.post(f"/manage/users/{organizer_id}/two-factor/off").status_code == 302
    assert organizer.get("/manage/").status_code == 302
    with app.app_context():
        assert not db.session.get(User, organizer_id).totp_enabled


def test_required_two_factor_sends_accounts_without_it_to_set_it_up(app, client, auth):
    auth.create(email="org@example.org", is_admin=False)
    auth.create()
    auth.login()
    assert client.post("/manage/users/two-factor-policy",
                       data={"require_two_factor": "y"}).status_code == 302
    response = client.get("/manage/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/two-factor")
    assert client.get("/manage/users/").status_code == 302
    assert client.get("/manage-registration/unknown-token").status_code == 404  # attendee page
    secret, _ = enrol(app, client)
    assert client.get("/manage/").status_code == 200
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Turn off" not in page
    assert client.post("/account/two-factor/off", data={
        "off-password": ADMIN_PASSWORD, "off-code": next_code(secret)}).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == ADMIN_EMAIL)).totp_enabled


def test_only_admins_set_the_policy(client, auth):
    auth.create(email="org@example.org", is_admin=False)
    auth.login("org@example.org")
    assert client.post("/manage/users/two-factor-policy",
                       data={"require_two_factor": "y"}).status_code == 403


def test_enrolment_cannot_replace_a_secret_in_use(app, client, admin):
    secret, _ = enrol(app, client)
    client.post("/account/two-factor/start", data={"start-password": ADMIN_PASSWORD})
    with app.app_context():
        assert db.session.scalar(sa.select(User)).totp_secret == secret


def test_a_stolen_session_alone_cannot_set_up_someone_elses_phone(app, client, admin):
    refused = client.post("/account/two-factor/start", data={"start-password": "not it at all"})
    assert "not your current password" in refused.get_data(as_text=True)
    assert client.get("/account/two-factor/setup").status_code == 302  # nothing was begun
    with app.app_context():
        assert db.session.scalar(sa.select(User.totp_secret)) in (None, "")
