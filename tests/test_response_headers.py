"""Headers as a browser over HTTPS sees them: forms post, private pages are not stored, and a
failing database still gets the friendly page with every security header."""

import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from meetings import create_app
from meetings.errors import Busy
from meetings.extensions import db
from tests.factories import (
    SUITE_START,
    make_user,
    open_edition,
    registration_category,
    registration_form,
)

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
                    "Referrer-Policy")


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def referer_sent_by_browser(page_url: str, policy: str) -> str | None:
    """The Referer a browser sends when a form on `page_url` posts to the same origin."""
    if policy == "no-referrer":
        return None
    parts = urlsplit(page_url)
    if policy in {"origin", "strict-origin"}:
        return f"{parts.scheme}://{parts.netloc}/"
    return page_url  # same-origin, strict-origin-when-cross-origin, ...


class HttpsBrowser:
    """A test client that behaves like a browser over HTTPS: it sends the Referer the page's
    Referrer-Policy allows, which is what Flask-WTF checks strictly on HTTPS."""

    def __init__(self, app):
        self.client = app.test_client()
        self.page_url = None
        self.policy = None

    def get(self, path: str):
        response = self.client.get(path, base_url="https://meetings.test")
        self.page_url = "https://meetings.test" + path
        self.policy = response.headers.get("Referrer-Policy", "strict-origin-when-cross-origin")
        return response

    def submit(self, action: str, data: dict):
        """Post the form of the current page, with its CSRF token."""
        page = self.client.get(urlsplit(self.page_url).path, base_url="https://meetings.test")
        data = {**data, "csrf_token": csrf_token(page.get_data(as_text=True))}
        headers = {}
        referer = referer_sent_by_browser(self.page_url, self.policy)
        if referer:
            headers["Referer"] = referer
        return self.client.post(action, data=data, headers=headers,
                                base_url="https://meetings.test")


@pytest.fixture
def https_app(app_config):
    config = {**app_config, "WTF_CSRF_ENABLED": True, "SITE_URL": "https://meetings.test"}
    https_app = create_app(config)
    yield https_app
    with https_app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_attendee_confirms_and_organizer_logs_in_over_https(app, https_app):
    with app.app_context():
        edition = open_edition(capacity=5, now=SUITE_START)
        category_id = registration_category(edition).id
        make_user("admin@example.org", is_admin=True)
        db.session.commit()
    browser = HttpsBrowser(https_app)
    browser.get("/2027/register")
    assert browser.submit("/2027/register", registration_form(category_id)).status_code == 302
    with https_app.app_context():
        from meetings.registration.models import Registration
        from tests.factories import manage_token

        registration = db.session.scalar(sa.select(Registration))
        token = manage_token(registration, SUITE_START)
        db.session.commit()
    manage = browser.get(f"/manage-registration/{token}")
    assert manage.headers["Cache-Control"] == "no-store"
    assert manage.headers["Referrer-Policy"] == "strict-origin"  # never the token in the path
    confirmed = browser.submit(f"/manage-registration/{token}/verify", {})
    assert confirmed.status_code == 302, confirmed.get_data(as_text=True)[:300]
    assert "Approved" in browser.get(f"/manage-registration/{token}").get_data(as_text=True)

    browser.get("/login")
    logged_in = browser.submit("/login", {"email": "admin@example.org",
                                          "password": "correct horse battery"})
    assert logged_in.status_code == 302
    browser.get("/manage/venues/new")
    created = browser.submit("/manage/venues/new", {"name": "Marina Bay", "city": "Singapore",
                                                    "country": "SG",
                                                    "timezone": "Asia/Singapore"})
    assert created.status_code == 302


def test_https_responses_carry_hsts_and_http_ones_do_not(client):
    assert client.get("/", base_url="https://meetings.test").headers[
        "Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.mark.parametrize("path", ["/manage/", "/manage/venues/", "/manage/users/",
                                  "/manage/audit/", "/login"])
def test_every_private_page_is_not_stored(client, admin, path):
    response = client.get(path)
    assert response.status_code in {200, 302}
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "strict-origin"


def test_public_pages_may_be_referred(client):
    response = client.get("/")
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "no-store" not in response.headers.get("Cache-Control", "")


def failing_app(app_config, failure):
    """An app with a route that fails with `failure`, its rollback failing as well."""
    broken = create_app({**app_config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @broken.get("/boom")
    def boom():
        raise failure

    return broken


def test_server_error_keeps_headers_when_the_rollback_fails_too(app_config, monkeypatch):
    broken = failing_app(app_config, sa.exc.OperationalError("SELECT 1", {}, OSError("gone")))

    def rollback_on_a_dead_connection():
        raise sa.exc.OperationalError("ROLLBACK", {}, OSError("server closed the connection"))

    with broken.app_context():
        monkeypatch.setattr(db.session, "rollback", rollback_on_a_dead_connection)
        response = broken.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    for name in SECURITY_HEADERS:
        assert name in response.headers


def test_server_error_page_when_the_database_is_unreachable(app_config):
    """The user loader and the template need the database; the bare page still has headers."""
    config = {**app_config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False,
              "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    broken = create_app(config)

    @broken.get("/boom")
    def boom():
        db.session.execute(sa.text("SELECT 1"))

    client = broken.test_client()
    client.set_cookie("session", "not-a-valid-session")
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    for name in SECURITY_HEADERS:
        assert name in response.headers


def test_busy_lock_answers_503_with_retry_after(app_config):
    broken = failing_app(app_config, Busy("Many people are registering right now."))
    response = broken.test_client().get("/boom")
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert "Many people are registering right now." in response.get_data(as_text=True)
    for name in SECURITY_HEADERS:
        assert name in response.headers
