"""After login, ?next= only ever leads to a page of this site, however the browser reads it."""

import pytest

from meetings.accounts.redirects import local_path
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

LEAVING = [
    "https://evil.example/",
    "http:evil.example",
    "//evil.example/",
    "///evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r\n/evil.example/",
    "\t//evil.example/",
    " //evil.example/",
    "/\\evil.example/",
    "\\/evil.example/",
    "\\\\evil.example/",
    "/\\/evil.example/",
    "/ /evil.example/",
    "/\x00/evil.example/",
    "/\x0b/evil.example/",
    "/\x7f/evil.example/",
    "/\u3000/evil.example/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "",
    "/" + "a" * 3000,
]
STAYING = ["/manage/", "/manage/editions/3/edit", "/2027/agenda?day=2&track=policy#now",
           "/manage/users/?q=%2F%2Fevil.example"]


@pytest.mark.parametrize("target", LEAVING)
def test_targets_that_would_leave_the_site_are_refused(target):
    assert local_path(target) is None


@pytest.mark.parametrize("target", STAYING)
def test_local_paths_are_kept(target):
    assert local_path(target) == target


@pytest.mark.parametrize("query", ["/%09/evil.example/", "/%0A/evil.example/", "/%5Cevil.example",
                                   "%2F%2Fevil.example", "/%0D%0A/evil.example/",
                                   "https:%2F%2Fevil.example", "/%E3%80%80/evil.example"])
def test_logged_in_visitor_is_not_sent_away(client, admin, query):
    response = client.get(f"/login?next={query}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/"


@pytest.mark.parametrize("query", ["/%09/evil.example/", "https://evil.example/"])
def test_login_form_does_not_send_away(client, auth, query):
    auth.create()
    response = client.post(f"/login?next={query}",
                           data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.headers["Location"] == "/manage/"


def test_login_follows_a_local_next(client, auth):
    auth.create()
    response = client.post("/login?next=/manage/users/",
                           data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.headers["Location"] == "/manage/users/"
