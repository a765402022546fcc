import os
import stat
import subprocess
import sys

import pytest

from meetings import create_app
from meetings.config import ConfigurationError, environment_config
from tests.conftest import ROOT


def test_config():
    assert not create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"}).testing
    assert create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                       "SECRET_KEY": "x"}).testing


def test_html_declares_language_and_direction(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page


@pytest.mark.parametrize("text", ["0", "false", "no", "off", "FALSE", " 0 "])
def test_false_words_are_false(text):
    assert environment_config({"SESSION_COOKIE_SECURE": text})["SESSION_COOKIE_SECURE"] is False


def test_zero_proxies_is_zero():
    assert environment_config({"PROXY_FIX": "0"})["PROXY_FIX"] == 0


@pytest.mark.parametrize(("hops", "seen"), [
    ("0", {"addr": "127.0.0.1", "scheme": "http"}),
    ("1", {"addr": "203.0.113.9", "scheme": "https"}),
])
def test_proxy_fix_trusts_exactly_the_configured_hops(monkeypatch, hops, seen):
    monkeypatch.setenv("PROXY_FIX", hops)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    found = {}

    @app.get("/whoami")
    def whoami():
        from flask import request
        found["addr"], found["scheme"] = request.remote_addr, request.scheme
        return ""

    app.test_client().get("/whoami", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9",
                                              "X-Forwarded-Proto": "https"})
    assert found == seen


def test_secure_cookie_is_honoured_without_secret_key_in_environment(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "from-a-mapping"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(("name", "value"), [
    ("PROXY_FIX", "yes please"), ("MAIL_PORT", "twenty-five"), ("SESSION_COOKIE_SECURE", "2"),
    ("REGISTRATION_RETENTION_DAYS", "-1"),
])
def test_bad_value_stops_the_app_naming_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=name):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})


def test_missing_secret_key_refuses_to_start(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DEVELOPMENT", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_development_keeps_one_random_private_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DEVELOPMENT", "1")
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    key_file = os.path.join(first.instance_path, "secret_key")
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert first.secret_key == second.secret_key
    assert len(first.secret_key) >= 64 and first.secret_key != "dev-only-change-me"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_command_line_without_secret_key_exits_with_a_message(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEVELOPMENT"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "routes"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr
    assert "Traceback" not in done.stderr


def test_readme_lists_every_setting_as_the_code_defines_it():
    from meetings.config import settings_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert settings_table() in readme, "paste `flask --app app meetings settings` into README"


def test_a_short_secret_key_in_the_environment_refuses_to_start(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    with pytest.raises(ConfigurationError, match="SECRET_KEY is too short"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
