import pytest
import sqlalchemy as sa

from meetings.extensions import db
from meetings.models import AuditEntry, User
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD


def test_login_and_logout(client, auth):
    auth.create()
    response = auth.login()
    assert response.status_code == 302
    assert client.get("/manage/users/").status_code == 200
    auth.logout()
    assert client.get("/manage/users/").status_code == 302


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        (ADMIN_EMAIL, "wrong password", "Wrong email or password."),
        ("nobody@example.org", ADMIN_PASSWORD, "Wrong email or password."),
        ("not-an-email", ADMIN_PASSWORD, "Invalid email address."),
        ("", "", "This field is required."),
        ("a" * 300 + "@example.org", ADMIN_PASSWORD, "Field cannot be longer than 254 characters."),
    ],
)
def test_login_rejects_bad_input(client, auth, email, password, message):
    auth.create()
    response = auth.login(email, password)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_disabled_account_cannot_log_in(app, client, auth):
    auth.create(email="gone@example.org", is_admin=False)
    with app.app_context():
        db.session.scalar(sa.select(User).where(User.email == "gone@example.org")).active = False
        db.session.commit()
    assert auth.login("gone@example.org").status_code == 200


def test_login_redirects_only_to_local_pages(client, auth):
    auth.create()
    response = client.post("/login?next=https://evil.example/", data={
        "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.headers["Location"] == "/manage/"


@pytest.mark.real_password_hashing
def test_passwords_are_hashed_with_scrypt(app, auth):
    auth.create()
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.password_hash.startswith("scrypt:")
        assert ADMIN_PASSWORD not in user.password_hash


def test_create_admin_command(app, runner):
    result = runner.invoke(args=["meetings", "create-admin", "Boss@Example.org",
                                 "--password-stdin"], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.email == "boss@example.org"
        assert user.is_admin and user.check_password("a long enough password")


def test_create_admin_refuses_short_password(runner):
    result = runner.invoke(args=["meetings", "create-admin", "boss@example.org",
                                 "--password-stdin"], input="short\n")
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output


def test_admin_invites_organizer_and_it_is_audited(app, client, admin):
    response = client.post("/manage/users/new", data={
        "email": "new@example.org", "name": "New Organizer", "active": "y"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
        assert user is not None and not user.is_admin
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.invite"))
        assert "new@example.org" in entry.summary and entry.user.email == ADMIN_EMAIL


def test_duplicate_account_is_refused_beside_the_field(client, admin):
    response = client.post("/manage/users/new", data={"email": ADMIN_EMAIL, "active": "y"})
    assert response.status_code == 200
    assert "An account with this email already exists." in response.get_data(as_text=True)


def test_organizers_cannot_manage_accounts_or_read_the_audit_log(client, auth):
    auth.create(email="org@example.org", is_admin=False)
    auth.login("org@example.org")
    assert client.get("/manage/users/").status_code == 403
    assert client.get("/manage/audit/").status_code == 403


def test_audit_log_lists_changes_for_admins(client, admin):
    client.post("/manage/users/new", data={"email": "x@example.org", "active": "y"})
    page = client.get("/manage/audit/").get_data(as_text=True)
    assert "user.invite" in page and "x@example.org" in page


def test_account_forms_render(client, admin):
    page = client.get("/manage/users/new").get_data(as_text=True)
    assert "Editions this organizer manages" in page
    assert client.get("/manage/users/1/edit").status_code == 200


def test_logged_in_navigation_links_to_the_account_page(client, admin):
    page = client.get("/manage/").get_data(as_text=True)
    assert 'href="/account/"' in page and "Your account" in page
