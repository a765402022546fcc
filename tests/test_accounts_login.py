"""Login: the same work for unknown accounts, a per-account limit on failures, password rules."""

import re
import uuid

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from meetings import create_app
from meetings.accounts import passwords
from meetings.accounts.passwords import check_password_strength, dummy_password_hash
from meetings.accounts.service import user_by_email
from meetings.accounts.throttle import AccountThrottle
from meetings.config import ConfigurationError
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from meetings.models import User
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, build_test_config, redis_or_fail
from tests.factories import make_user


@pytest.fixture
def hash_checks(monkeypatch):
    """Count the password-hash checks login makes."""
    calls = []
    real = passwords.check_password_hash

    def counting(stored, password):
        calls.append(stored.split("$")[0])
        return real(stored, password)

    monkeypatch.setattr(passwords, "check_password_hash", counting)
    return calls


@pytest.mark.parametrize("email", [ADMIN_EMAIL, "nobody@example.org", "disabled@example.org"])
def test_login_checks_one_hash_of_the_same_kind_for_every_address(client, auth, hash_checks,
                                                                  email, app):
    auth.create()
    auth.create(email="disabled@example.org", is_admin=False)
    with app.app_context():
        user_by_email("disabled@example.org").active = False
        db.session.commit()
    response = auth.login(email, "wrong password")
    assert "Wrong email or password." in response.get_data(as_text=True)
    assert len(hash_checks) == 1
    assert hash_checks[0] == generate_password_hash("x", method=User.password_method).split("$")[0]


def test_dummy_hash_costs_what_a_real_one_costs():
    method = generate_password_hash("x", method=User.password_method).split("$")[0]
    assert dummy_password_hash().split("$")[0] == method


@pytest.fixture
def limited_client(app, app_config, request):
    """A client of an app with rate limits on, in memory or in Redis (as across two hosts)."""
    storage = getattr(request, "param", "memory://")
    if storage == "redis":
        storage = redis_or_fail()
    config = dict(app_config, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage,
                  RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
                  LOGIN_ACCOUNT_LIMIT="3 per 15 minutes")
    limited = create_app(build_test_config(config["SQLALCHEMY_DATABASE_URI"], **config))
    with limited.app_context():
        make_user(ADMIN_EMAIL, is_admin=True)
        db.session.commit()
    yield limited
    with limited.app_context():
        db.engine.dispose()


def login_from(app, address: str, password: str, email: str = ADMIN_EMAIL):
    client = app.test_client()
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


@pytest.mark.parametrize("limited_client", ["memory://", "redis"], indirect=True)
def test_failed_logins_are_limited_per_account_from_any_address(limited_client):
    for number in range(3):
        page = login_from(limited_client, f"10.0.0.{number}", "wrong password")
        assert "Wrong email or password." in page.get_data(as_text=True)
    blocked = login_from(limited_client, "10.0.1.1", ADMIN_PASSWORD)
    assert blocked.status_code == 200
    assert "Too many failed attempts for this account" in blocked.get_data(as_text=True)
    other_account = login_from(limited_client, "10.0.1.2", "wrong", email="else@example.org")
    assert "Wrong email or password." in other_account.get_data(as_text=True)


def test_unknown_accounts_are_limited_the_same_way(limited_client):
    for number in range(3):
        login_from(limited_client, f"10.0.0.{number}", "x", email="ghost@example.org")
    page = login_from(limited_client, "10.0.2.1", "x", email="ghost@example.org")
    assert "Too many failed attempts for this account" in page.get_data(as_text=True)


def test_a_successful_login_clears_the_failures(limited_client):
    for number in range(2):
        login_from(limited_client, f"10.0.0.{number}", "wrong password")
    assert login_from(limited_client, "10.0.0.9", ADMIN_PASSWORD).status_code == 302
    for number in range(2):
        login_from(limited_client, f"10.0.0.{number}", "wrong password")
    assert login_from(limited_client, "10.0.0.9", ADMIN_PASSWORD).status_code == 302


@pytest.mark.parametrize("password", [
    "aaaaaaaaaa", "1234567890", "qwertyuiop", "password123", "Password1!", "iloveyou12",
    "abcdefghij", "0123456789ab", "organizer@example.org", "organizer2027",
])
def test_weak_passwords_are_refused(password):
    with pytest.raises(DomainError) as refused:
        check_password_strength(password, user_inputs=("organizer@example.org", "Organizer"))
    assert refused.value.field == "password"


@pytest.mark.parametrize("password", ["correct horse battery", "purple tractor melody",
                                      "Tr0ub4dor&3x-Hague", "x" * 5 + "7fQ!pz#Lw2"])
def test_strong_passwords_are_accepted(password):
    check_password_strength(password, user_inputs=("organizer@example.org",))


def test_short_and_overlong_passwords_say_why():
    with pytest.raises(DomainError, match="at least 10"):
        check_password_strength("Zq8!x")
    with pytest.raises(DomainError, match="at most 200"):
        check_password_strength("correct horse battery " * 10)


def test_command_line_refuses_a_common_password(runner):
    result = runner.invoke(args=["meetings", "create-admin", "boss@example.org",
                                 "--password-stdin"], input="aaaaaaaaaa\n")
    assert result.exit_code != 0
    assert "too easy to guess" in result.output


def test_a_very_long_password_is_judged_quickly():
    check_password_strength("correct horse battery staple " * 6 + "x")


def test_a_reset_link_lifts_the_lock_an_attacker_caused(limited_client):
    for number in range(3):
        login_from(limited_client, f"10.0.0.{number}", "wrong password")
    client = limited_client.test_client()
    client.post("/password/forgot", data={"email": ADMIN_EMAIL},
                environ_base={"REMOTE_ADDR": "10.0.3.1"})
    with limited_client.app_context():
        body = db.session.scalar(sa.select(OutboxMessage.text_body))
    path = re.search(r"http://localhost(/\S+)", body).group(1)
    client.post(path, data={"password": "purple tractor melody",
                            "confirm": "purple tractor melody"},
                environ_base={"REMOTE_ADDR": "10.0.3.1"})
    assert login_from(limited_client, "10.0.3.1", "purple tractor melody").status_code == 302


def test_sign_ins_go_to_the_security_log(client, auth, caplog):
    auth.create()
    with caplog.at_level("INFO", logger="meetings.web.security"):
        auth.login(ADMIN_EMAIL, "wrong password")
        auth.login()
        auth.logout()
    lines = [record.getMessage() for record in caplog.records
             if record.name == "meetings.web.security"]
    assert lines[0].startswith(f"Login refused for '{ADMIN_EMAIL}'")
    assert lines[1].startswith(f"Login: {ADMIN_EMAIL}") and lines[1].endswith("with password")
    assert lines[2].startswith(f"Logout: {ADMIN_EMAIL}")


@pytest.mark.parametrize("value", ["ten per minute", "", "5 per fortnight"])
def test_a_bad_account_limit_stops_the_app_naming_the_variable(app_config, value):
    with pytest.raises(ConfigurationError, match="LOGIN_ACCOUNT_LIMIT"):
        create_app(dict(app_config, LOGIN_ACCOUNT_LIMIT=value))


def test_the_account_throttle_is_read_from_the_settings_the_app_started_with(app_config):
    app = create_app(dict(app_config, RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX="p-",
                          LOGIN_ACCOUNT_LIMIT="3 per 15 minutes"))
    app.config["LOGIN_ACCOUNT_LIMIT"] = "5 per minute"  # read once, at start: no effect now
    throttle = app.extensions["account_throttle"]
    assert (throttle.limit.amount, throttle.prefix) == (3, "p-")
    assert throttle.key(" Ada@Example.org ") == throttle.key("ada@example.org")


def test_a_switched_off_throttle_never_locks_an_account():
    throttle = AccountThrottle.from_config({"RATELIMIT_ENABLED": False,
                                            "LOGIN_ACCOUNT_LIMIT": "1 per hour"})
    assert throttle.limit is None
    throttle.count_failure("ada@example.org")
    assert not throttle.locked("ada@example.org")
