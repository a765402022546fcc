"""Fixtures after Flask's tutorial: app, client, runner, auth; a fresh database per test.

The suite runs on SQLite (a new file per test). With TEST_DATABASE_URL set it runs on that
PostgreSQL database instead: the schema is created once and every table is emptied after each test.
`make test` runs the files in two processes (pytest-xdist); on PostgreSQL each process has its own
database beside TEST_DATABASE_URL's (its name ending in the worker's: meetings_test_gw1).
"""

import os
import shutil
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from meetings import create_app
from meetings.config import normalize_database_url
from meetings.extensions import db
from meetings.models import User
from tests.factories import make_user
from tests.smtp import Inbox, free_port

POSTGRES_URL = normalize_database_url(os.environ.get("TEST_DATABASE_URL", ""))
ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "correct horse battery"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# ../shared is maintained outside the project: its checkers install their dependencies here.
os.environ.setdefault("ICALCHECK_DEPS", str(ROOT / ".deps" / "icalcheck"))
os.environ.setdefault("A11YCHECK_DEPS", str(ROOT / ".deps" / "a11ycheck"))


def pytest_report_header(config):
    database = f"PostgreSQL {POSTGRES_URL}" if POSTGRES_URL else "SQLite (file per test)"
    lines = [f"database: {database}"]
    if os.environ.get("CI") != "true":
        from tests.deploy.stack import missing_tools

        if missing := missing_tools():
            lines.append("deployment tier (tests/deploy) not collected on this machine; missing: "
                         + ", ".join(missing) + ". CI runs it.")
    return lines


def worker_database(url: str) -> str:
    """TEST_DATABASE_URL for this test process: under pytest-xdist, a database of the worker's
    own on the same server (created when missing), so workers never empty each other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = sa.make_url(url)
    name = f"{base.database}_{worker}"
    server = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": name})
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_schema():
    """Create the schema once per run on PostgreSQL (None on SQLite); yield its URL."""
    if not POSTGRES_URL:
        yield None
        return
    url = worker_database(POSTGRES_URL)
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        db.engine.dispose()
    yield url


def build_test_config(database_uri: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SITE_URL": "http://localhost",
        "CALENDAR_DOMAIN": "meetings.test",
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory) -> Path:
    """An empty SQLite database with the schema, built once per run and copied for each test."""
    path = tmp_path_factory.mktemp("schema") / "schema.db"
    app = create_app(build_test_config(f"sqlite:///{path}"))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return path


@pytest.fixture
def app_config(tmp_path, postgres_schema, request) -> dict:
    """Configuration for this test's app; override keys by parametrizing or updating it."""
    if postgres_schema:
        return build_test_config(postgres_schema)
    database = tmp_path / "test.db"
    shutil.copyfile(request.getfixturevalue("sqlite_schema"), database)
    return build_test_config(f"sqlite:///{database}")


@pytest.fixture(autouse=True)
def cheap_password_hashing(request, monkeypatch):
    """scrypt costs about 0.1 s a hash: tests use a cheap method unless marked otherwise."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        monkeypatch.setattr(User, "password_method", "pbkdf2:sha256:1000")


@pytest.fixture
def app(app_config, postgres_schema):
    app = create_app(app_config)
    yield app
    with app.app_context():
        db.session.remove()
        if postgres_schema is not None:
            empty_all_tables()
        db.engine.dispose()


def empty_all_tables() -> None:
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, app, client):
        self._app = app
        self._client = client

    def create(self, email=ADMIN_EMAIL, password=ADMIN_PASSWORD, is_admin=True, editions=()):
        with self._app.app_context():
            user = make_user(email=email, password=password, is_admin=is_admin,
                             edition_ids=list(editions))
            db.session.commit()
            return user.id

    def login(self, email=ADMIN_EMAIL, password=ADMIN_PASSWORD):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(app, client):
    """Log in as an admin created for this test (`auth.create(...)` for other accounts)."""
    return AuthActions(app, client)


@pytest.fixture
def admin(auth):
    """An admin who is logged in."""
    auth.create()
    auth.login()
    return auth


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1:<free port>; `.inbox.messages` holds what it got."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    controller.inbox = inbox
    yield controller
    controller.stop()


def redis_or_fail(url: str = REDIS_URL) -> str:
    """`url` if a Redis server answers there; without one the test fails, saying how to get it
    (Redis is a service the project needs, like PostgreSQL: a skip would prove nothing)."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as error:
        reason = (f"no Redis at {url} ({error}): apt-get install -y redis-server, "
                  "or set TEST_REDIS_URL")
        pytest.fail(reason)
    return url


@pytest.fixture(params=["memory", "redis"])
def rate_limit_storage(request) -> str:
    """Where rate limits are counted: this process's memory, or Redis (shared across hosts)."""
    return "memory://" if request.param == "memory" else redis_or_fail()
