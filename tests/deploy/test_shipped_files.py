"""deploy/'s files agree with the app: settings, commands, limits, and units systemd accepts."""

import importlib.util
import re
import shutil
import subprocess

import pytest

from meetings.config import SETTINGS, default_config, environment_config
from meetings.web import log_redaction
from tests.deploy import stack

GUNICORN_VARIABLES = {"GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_TIMEOUT",
                      "FORWARDED_ALLOW_IPS"}
NOT_FOR_SERVERS = {"DEVELOPMENT", "SERVER_NAME"}  # `make run` only; Flask's, best left unset
UNITS = stack.DEPLOY / "systemd"


def example_lines() -> dict[str, str]:
    """NAME -> value for every variable of the example, commented out or not."""
    text = (stack.DEPLOY / "meetings.env.example").read_text()
    return dict(re.findall(r"^#?([A-Z][A-Z0-9_]+)=(.*)$", text, flags=re.MULTILINE))


def test_the_environment_example_lists_every_setting_and_nothing_else():
    names = set(example_lines())
    settings = {setting.name for setting in SETTINGS}
    assert names - settings - GUNICORN_VARIABLES == set()
    assert settings - NOT_FOR_SERVERS - names == set()


def test_the_environment_example_parses_with_the_settings_types():
    # systemd (and the shell) drop the quotes around a value.
    values = {name: value.strip('"') for name, value in example_lines().items() if value}
    values["SECRET_KEY"] = "x" * 64
    config = environment_config(values)
    assert config["PROXY_FIX"] == 1 and config["SESSION_COOKIE_SECURE"] is True
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_nginx_refuses_bodies_at_the_apps_limit():
    size = re.search(r"client_max_body_size (\d+)m;", stack.SITE_FILE.read_text()).group(1)
    assert int(size) * 1024 * 1024 == default_config("/tmp")["MAX_CONTENT_LENGTH"]


def gunicorn_settings():
    """deploy/gunicorn.conf.py loaded as gunicorn loads it."""
    spec = importlib.util.spec_from_file_location("gunicorn_conf",
                                                  stack.DEPLOY / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf


def test_gunicorn_access_log_uses_the_apps_redaction():
    conf = gunicorn_settings()
    token = "k3Jv_Q" * 8
    assert conf.redact is log_redaction.redact
    assert conf.redact(f"/manage-registration/{token}/verify") == \
        "/manage-registration/k3Jv[...]/verify"
    assert conf.redact(f"/feeds/{token}.ics") == "/feeds/k3Jv[...].ics"
    assert conf.redact("/2027/agenda") == "/2027/agenda"
    assert conf.bind == ["127.0.0.1:8000"] and conf.worker_class == "sync"


def test_the_units_run_commands_that_exist():
    env = stack.base_environment({"SECRET_KEY": "x" * 64})
    listed = stack.flask(env, "meetings", "--help").stdout
    commands = set()
    for unit in UNITS.glob("*.service"):
        commands |= set(re.findall(r"flask --app app meetings ([a-z-]+)", unit.read_text()))
    assert commands == {"mail-worker", "purge", "endorsement-digests"}
    for command in commands:
        assert re.search(rf"^\s+{command}\s", listed, flags=re.MULTILINE), command


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    stack.require(analyze is not None, "systemd-analyze not found")
    env_file = tmp_path / "meetings.env"
    env_file.write_text("SECRET_KEY=x\n")
    names = []
    for unit in UNITS.iterdir():
        text = unit.read_text().replace("/srv/meetings/app", str(stack.ROOT))
        text = text.replace("/etc/meetings/meetings.env", str(env_file))
        name = unit.name.replace("@.", "@2025.")  # templates are verified as one instance
        (tmp_path / name).write_text(text)
        names.append(str(tmp_path / name))
    result = subprocess.run([analyze, "verify", "--man=no", *names], capture_output=True,
                            text=True, timeout=60, cwd=tmp_path)
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if str(tmp_path) in line or "meetings" in line]
    assert result.returncode == 0 and problems == [], result.stdout + result.stderr


@pytest.mark.parametrize("unit", ["meetings-web.service", "meetings-mail.service",
                                  "meetings-purge@.service"])
def test_units_read_the_environment_file_and_run_from_the_install_path(unit):
    text = (UNITS / unit).read_text()
    assert "EnvironmentFile=/etc/meetings/meetings.env" in text
    assert "WorkingDirectory=/srv/meetings/app" in text
    assert re.search(r"^ExecStart=/srv/meetings/app/\.venv/bin/", text, flags=re.MULTILINE)
    assert "User=meetings" in text
