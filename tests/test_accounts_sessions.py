"""A captured session cookie stops working on logout, password change and deactivation."""

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from meetings import create_app
from meetings.accounts.service import load_user
from meetings.extensions import db
from meetings.models import User
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, build_test_config

NEW_PASSWORD = "purple tractor melody"


def captured_session(app, client):
    """A second browser holding a copy of the client's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def admin_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.email == ADMIN_EMAIL))


def test_captured_cookie_stops_working_after_logout(app, client, admin):
    thief = captured_session(app, client)
    assert thief.get("/manage/").status_code == 200
    admin.logout()
    response = thief.get("/manage/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_ends_the_other_sessions_too(app, client, admin):
    other = app.test_client()
    other.post("/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert other.get("/manage/").status_code == 200
    admin.logout()
    assert other.get("/manage/").status_code == 302


def test_password_change_ends_other_sessions_and_keeps_this_one(app, client, admin):
    thief = captured_session(app, client)
    other = app.test_client()
    other.post("/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    response = client.post("/account/password", data={
        "current_password": ADMIN_PASSWORD, "new_password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/manage/").status_code == 200
    assert thief.get("/manage/").status_code == 302
    assert other.get("/manage/").status_code == 302
    admin.logout()
    assert admin.login(ADMIN_EMAIL, NEW_PASSWORD).status_code == 302


def test_password_set_on_the_command_line_ends_sessions(app, client, admin):
    thief = captured_session(app, client)
    with app.app_context():
        db.session.get(User, admin_id(app)).set_password(NEW_PASSWORD)
        db.session.commit()
    assert thief.get("/manage/").status_code == 302


def test_disabling_an_account_ends_its_sessions(app, client, auth):
    organizer_id = auth.create(email="org@example.org", is_admin=False)
    organizer = app.test_client()
    organizer.post("/login", data={"email": "org@example.org", "password": ADMIN_PASSWORD})
    assert organizer.get("/manage/").status_code == 200
    auth.create()
    auth.login()
    client.post(f"/manage/users/{organizer_id}/edit", data={"email": "org@example.org",
                                                             "name": "Org"})
    assert organizer.get("/manage/").status_code == 302
    with app.app_context():
        user = db.session.get(User, organizer_id)
        user.active = True  # switched back on, the old cookie still does not work
        db.session.commit()
    assert organizer.get("/manage/").status_code == 302


def test_login_id_holds_the_session_token(app, auth):
    user_id = auth.create()
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.get_id() == f"{user_id}:{user.session_token}"
        assert load_user(user.get_id()) is user
        for stale in (str(user_id), f"{user_id}:", f"{user_id}:wrong", f"x:{user.session_token}",
                      f"{'9' * 30}:{user.session_token}", f"\u00b2:{user.session_token}", "", ":"):
            assert load_user(stale) is None


def test_old_style_cookies_from_before_the_upgrade_are_refused(app, client, auth):
    """Sessions signed before session tokens existed held the bare row id."""
    user_id = auth.create()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    assert client.get("/manage/").status_code == 302


def test_migration_gives_existing_accounts_their_own_session_token(tmp_path):
    app = create_app(build_test_config(f"sqlite:///{tmp_path / 'upgrade.db'}"))
    with app.app_context():
        upgrade(revision="c986b667d8c8")
        with db.engine.begin() as connection:
            for email in ("a@example.org", "b@example.org"):
                connection.execute(sa.text(
                    "INSERT INTO user (email, name, password_hash, is_admin, active, created_at) "
                    "VALUES (:email, '', 'x', 0, 1, '2026-01-01 00:00:00')"), {"email": email})
        upgrade(revision="a7accounts01")
        with db.engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT session_token, totp_enabled FROM user")).all()
        db.engine.dispose()
    tokens = {row[0] for row in rows}
    assert len(tokens) == 2 and all(token and len(token) >= 32 for token in tokens)
    assert all(not row[1] for row in rows)


@pytest.mark.parametrize("user_id", ["2147483648:abc", "99999999999999999:abc", "1:", "x:abc"])
def test_a_session_id_no_account_can_have_loads_nobody(app, user_id):
    with app.app_context():
        assert load_user(user_id) is None
