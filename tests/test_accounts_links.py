"""Invitations and password resets: single-use, expiring links whose tokens are stored hashed."""

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from meetings.accounts import links, password_views
from meetings.accounts.blueprint import account_throttle
from meetings.accounts.models import AccountToken, TokenPurpose
from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from meetings.models import AuditEntry, User
from meetings.web import uniform_timing
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.recorded_clock import RecordedClock

NEW_PASSWORD = "purple tractor melody"


def last_link(app, to: str) -> str:
    """The path of the link in the newest message to this address."""
    with app.app_context():
        body = db.session.scalars(sa.select(OutboxMessage.text_body).where(
            OutboxMessage.to_address == to).order_by(OutboxMessage.id.desc())).first()
    return re.search(r"http://localhost(/\S+)", body).group(1)


def choose(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(path, data={"password": password, "confirm": confirm or password})


@pytest.fixture
def invited(app, client, admin):
    """An organizer invited by the admin; returns the path of their invitation link."""
    response = client.post("/manage/users/new", data={"email": "New@Example.org", "name": "Nia",
                                                      "active": "y"})
    assert response.status_code == 302
    admin.logout()
    return last_link(app, "new@example.org")


def test_invitation_sets_a_password_once(app, client, auth, invited):
    assert invited.startswith("/invitation/")
    assert client.get(invited).status_code == 200
    assert auth.login("new@example.org", NEW_PASSWORD).status_code == 200  # not set yet
    assert choose(client, invited).status_code == 302
    assert auth.login("new@example.org", NEW_PASSWORD).status_code == 302
    auth.logout()
    assert client.get(invited).status_code == 404
    assert choose(client, invited, "another fine password").status_code == 404
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert {"user.invite", "user.invitation_used"} <= set(actions)


def test_only_a_hash_of_the_link_is_stored(app, invited):
    token = invited.rsplit("/", 1)[1]
    with app.app_context():
        stored = db.session.scalar(sa.select(AccountToken))
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert stored.purpose == TokenPurpose.INVITATION
        user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
        assert token not in stored.token_hash and token not in user.password_hash


def test_the_admin_form_has_no_password_field(client, admin):
    page = client.get("/manage/users/new").get_data(as_text=True)
    assert 'type="password"' not in page and "Send the invitation" in page


def test_invitation_refuses_a_weak_or_mismatched_password(client, invited):
    page = choose(client, invited, "aaaaaaaaaa").get_data(as_text=True)
    assert "too easy to guess" in page
    page = choose(client, invited, NEW_PASSWORD, "something else entirely").get_data(as_text=True)
    assert "The two passwords differ." in page
    assert choose(client, invited).status_code == 302  # the link still works after a refusal


def test_expired_invitation_does_not_work(app, client, invited):
    with app.app_context():
        link = db.session.scalar(sa.select(AccountToken))
        link.created_at -= timedelta(days=8)
        link.expires_at -= timedelta(days=8)
        db.session.commit()
    assert client.get(invited).status_code == 404
    assert "expired or was already used" in client.get(invited).get_data(as_text=True)


def test_a_new_invitation_replaces_the_old_link(app, client, auth, invited):
    auth.login()
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.email == "new@example.org"))
    client.post(f"/manage/users/{user_id}/invite")
    auth.logout()
    newer = last_link(app, "new@example.org")
    assert newer != invited
    assert client.get(invited).status_code == 404
    assert choose(client, newer).status_code == 302


def test_an_invitation_link_is_not_a_reset_link(client, invited):
    token = invited.rsplit("/", 1)[1]
    assert client.get(f"/password/reset/{token}").status_code == 404


@pytest.mark.parametrize("token", ["nope", "x" * 500, "-_-", "a.b"])
def test_garbage_tokens_get_the_friendly_page(client, token):
    for path in (f"/password/reset/{token}", f"/invitation/{token}"):
        response = client.get(path)
        assert response.status_code == 404
        assert "This link does not work" in response.get_data(as_text=True)


def test_forgot_password_mails_a_reset_link_that_ends_sessions(app, client, auth):
    auth.create()
    thief = app.test_client()
    thief.post("/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    response = client.post("/password/forgot", data={"email": "ADMIN@example.org"})
    assert response.status_code == 302
    path = last_link(app, ADMIN_EMAIL)
    assert path.startswith("/password/reset/")
    assert choose(client, path).status_code == 302
    assert thief.get("/manage/").status_code == 302
    assert auth.login(ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 200
    assert auth.login(ADMIN_EMAIL, NEW_PASSWORD).status_code == 302
    auth.logout()
    assert client.get(path).status_code == 404


def test_forgot_password_answers_the_same_for_unknown_addresses(app, client, auth):
    auth.create()
    answers = []
    for email in (ADMIN_EMAIL, "nobody@example.org"):
        response = client.post("/password/forgot", data={"email": email})
        answers.append((response.status_code, response.headers["Location"],
                        client.get(response.headers["Location"]).get_data(as_text=True)))
    assert answers[0] == answers[1]
    with app.app_context():
        recipients = db.session.scalars(sa.select(OutboxMessage.to_address)).all()
    assert recipients == [ADMIN_EMAIL]


def test_forgot_password_renders_the_mail_for_unknown_addresses_too(app, monkeypatch):
    rendered = []
    monkeypatch.setattr(links, "render_template",
                        lambda name, **context: rendered.append(name) or "text")
    now = datetime(2027, 1, 1, tzinfo=UTC)
    with app.test_request_context():
        links.request_password_reset("nobody@example.org", now=now, site_url="http://x")
        assert db.session.scalars(sa.select(OutboxMessage)).all() == []
    assert rendered == ["mail/account_reset.txt", "mail/account_reset.html"]


def test_reset_link_expires_after_an_hour(app, client, auth):
    auth.create()
    client.post("/password/forgot", data={"email": ADMIN_EMAIL})
    path = last_link(app, ADMIN_EMAIL)
    with app.app_context():
        link = db.session.scalar(sa.select(AccountToken))
        assert link.expires_at - link.created_at == timedelta(hours=1)
        link.created_at -= timedelta(minutes=61)
        link.expires_at -= timedelta(minutes=61)
        db.session.commit()
    assert choose(client, path).status_code == 404


def test_disabled_accounts_get_no_reset_mail_and_their_links_stop(app, client, auth):
    user_id = auth.create(email="org@example.org", is_admin=False)
    client.post("/password/forgot", data={"email": "org@example.org"})
    path = last_link(app, "org@example.org")
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    assert client.get(path).status_code == 404
    client.post("/password/forgot", data={"email": "org@example.org"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 1


def test_one_link_cannot_be_used_twice_even_at_once(app, auth):
    auth.create()
    now = datetime.now(UTC)
    with app.test_request_context():
        user = db.session.scalar(sa.select(User))
        url = links.issue_link(user, TokenPurpose.PASSWORD_RESET, now=now, site_url="http://x")
        db.session.commit()
        token = url.rsplit("/", 1)[1]
        first = links.usable_link(token, TokenPurpose.PASSWORD_RESET, now=now)
        # Another request uses the link between this one's check and its write.
        db.session.execute(sa.update(AccountToken).values(used_at=now))
        assert first is not None
        with pytest.raises(links.DomainError, match="already used"):
            links.set_password_with_link(token, TokenPurpose.PASSWORD_RESET, NEW_PASSWORD,
                                         now=now, throttle=account_throttle())


def test_change_password_needs_the_current_one_and_a_strong_new_one(client, admin):
    def change(current, new, confirm=None):
        return client.post("/account/password", data={
            "current_password": current, "new_password": new, "confirm": confirm or new})

    assert "not your current password" in change("wrong one", NEW_PASSWORD).get_data(as_text=True)
    assert "too easy to guess" in change(ADMIN_PASSWORD, "aaaaaaaaaa").get_data(as_text=True)
    assert "different from the current" in change(ADMIN_PASSWORD,
                                                  ADMIN_PASSWORD).get_data(as_text=True)
    assert change(ADMIN_PASSWORD, NEW_PASSWORD).status_code == 302
    assert client.get("/account/").status_code == 200


def test_account_pages_need_a_login(client):
    for path in ("/account/", "/account/password", "/account/two-factor"):
        assert "/login" in client.get(path).headers["Location"]


def test_forgot_password_answers_after_the_same_fixed_time(client, auth, monkeypatch):
    """Whether or not the address has an account, the answer waits out the same floor."""
    auth.create()
    finished = {}
    for email in (ADMIN_EMAIL, "nobody@example.org"):
        clock = RecordedClock()
        monkeypatch.setattr(uniform_timing, "time", clock)
        started = clock.now
        assert client.post("/password/forgot", data={"email": email}).status_code == 302
        finished[email] = (clock.now - started, len(clock.slept))
    floor = password_views.RESET_ANSWER_SECONDS
    assert all(count == 1 and abs(total - floor) < 0.05 for total, count in finished.values())


def test_changing_the_password_withdraws_an_earlier_reset_link(app, client, admin):
    client.post("/password/forgot", data={"email": ADMIN_EMAIL})
    path = last_link(app, ADMIN_EMAIL)
    assert client.post("/account/password", data={
        "current_password": ADMIN_PASSWORD, "new_password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD}).status_code == 302
    assert client.get(path).status_code == 404
    assert choose(client, path, "another fine melody tractor").status_code == 404


def test_disabling_an_account_withdraws_its_invitation(app, client, auth, invited):
    auth.login()
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.email == "new@example.org"))
    client.post(f"/manage/users/{user_id}/edit", data={"email": "new@example.org", "name": "Nia"})
    client.post(f"/manage/users/{user_id}/edit", data={"email": "new@example.org", "name": "Nia",
                                                       "active": "y"})
    auth.logout()
    assert client.get(invited).status_code == 404
