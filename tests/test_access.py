"""Who may open the edition and venue /manage pages; CSRF on their forms."""

import re

import pytest
import sqlalchemy as sa

from meetings import create_app
from meetings.extensions import db
from meetings.models import Edition, EditionStatus, Venue
from tests.factories import make_edition, make_user, make_venue

MANAGE_GETS = [
    "/manage/", "/manage/editions/new", "/manage/editions/{edition}/",
    "/manage/editions/{edition}/edit", "/manage/editions/{edition}/copy",
    "/manage/editions/{edition}/delete", "/manage/venues/", "/manage/venues/new",
    "/manage/venues/{venue}/edit", "/manage/venues/{venue}/delete",
    "/manage/venues/{venue}/rooms/new", "/manage/rooms/{room}/edit", "/manage/rooms/{room}/delete",
]
EDITION_POSTS = ["publish", "unpublish", "archive", "delete", "edit", "copy"]


@pytest.fixture
def ids(app):
    with app.app_context():
        venue = make_venue()
        edition = make_edition(venue=venue, status=EditionStatus.DRAFT)
        db.session.commit()
        return {"edition": edition.id, "venue": venue.id, "room": venue.rooms[0].id}


@pytest.mark.parametrize("url", MANAGE_GETS)
def test_anonymous_manage_pages_redirect_to_login(client, ids, url):
    url = url.format(**ids)
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("action", EDITION_POSTS)
def test_anonymous_posts_redirect_to_login_and_change_nothing(app, client, ids, action):
    response = client.post(f"/manage/editions/{ids['edition']}/{action}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with app.app_context():
        assert db.session.get(Edition, ids["edition"]).status == EditionStatus.DRAFT


@pytest.mark.parametrize("action", ["", "edit", "delete"])  # copy: administrators only
def test_organizer_of_another_edition_gets_403(app, client, auth, ids, action):
    with app.app_context():
        theirs = make_edition(slug="theirs", venue=None)
        db.session.commit()
        theirs_id = theirs.id
    auth.create("org@example.org", is_admin=False, editions=[theirs_id])
    auth.login("org@example.org")
    assert client.get(f"/manage/editions/{ids['edition']}/{action}").status_code == 403
    assert client.get(f"/manage/editions/{theirs_id}/{action}").status_code == 200


@pytest.mark.parametrize("action", EDITION_POSTS)
def test_organizer_cannot_change_another_edition(app, client, auth, ids, action):
    auth.create("org@example.org", is_admin=False)
    auth.login("org@example.org")
    data = {"title": "Hijacked", "ordinal": "1", "starts_on": "2027-03-28",
            "ends_on": "2027-03-29", "format": "virtual", "venue_id": "0",
            "timezone": "UTC", "slug": "hijacked"}
    response = client.post(f"/manage/editions/{ids['edition']}/{action}", data=data)
    assert response.status_code == 403
    with app.app_context():
        edition = db.session.get(Edition, ids["edition"])
        assert edition.status == EditionStatus.DRAFT and edition.title != "Hijacked"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Edition)) == 1


def test_organizers_manage_venues_of_their_editions(app, client, auth, ids):
    auth.create("org@example.org", is_admin=False)
    auth.login("org@example.org")
    assert client.get(f"/manage/venues/{ids['venue']}/edit").status_code == 403
    assert client.get("/manage/venues/").status_code == 200
    auth.logout()
    auth.create("own@example.org", is_admin=False, editions=[ids["edition"]])
    auth.login("own@example.org")
    assert client.get(f"/manage/venues/{ids['venue']}/edit").status_code == 200


def test_audit_link_only_for_admins(app, client, auth, ids):
    auth.create("org@example.org", is_admin=False, editions=[ids["edition"]])
    auth.login("org@example.org")
    page = client.get(f"/manage/editions/{ids['edition']}/").get_data(as_text=True)
    assert "/manage/audit/" not in page


@pytest.mark.parametrize("url", ["/manage/editions/abc/", "/manage/editions/999/",
                                 "/manage/venues/999/edit", "/manage/rooms/x/edit",
                                 "/manage/rooms/999/delete"])
def test_unknown_or_non_numeric_ids_are_404(client, admin, url):
    assert client.get(url).status_code == 404


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_post_without_csrf_token_is_refused(app, app_config, ids):
    """With CSRF on (as in production), a form posted without its token answers 400."""
    with app.app_context():
        make_user("admin@example.org", is_admin=True)
        db.session.commit()
    csrf_app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = csrf_app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": "admin@example.org", "password": "correct horse battery",
                                "csrf_token": csrf_token(login_page)})
    venue = {"name": "Marina Bay", "city": "Singapore", "country": "SG",
             "timezone": "Asia/Singapore"}
    refused = client.post("/manage/venues/new", data=venue)
    assert refused.status_code == 400
    assert "security token" in refused.get_data(as_text=True)
    publish = client.post(f"/manage/editions/{ids['edition']}/publish")
    assert publish.status_code == 400
    token = csrf_token(client.get("/manage/venues/new").get_data(as_text=True))
    assert client.post("/manage/venues/new", data={**venue, "csrf_token": token}).status_code == 302
    with csrf_app.app_context():
        assert db.session.get(Edition, ids["edition"]).status == EditionStatus.DRAFT
        db.session.remove()
        db.engine.dispose()


def test_venue_changes_need_every_edition_of_the_venue(app, client, auth):
    with app.app_context():
        venue = make_venue()
        mine = make_edition(venue=venue)
        make_edition(slug="2028", venue=venue, ordinal=6)
        free = make_venue(name="Empty Hall")
        db.session.commit()
        ids = {"venue": venue.id, "room": venue.rooms[0].id, "mine": mine.id, "free": free.id}
    auth.create("org@example.org", is_admin=False, editions=[ids["mine"]])
    auth.login("org@example.org")
    for url in (f"/manage/venues/{ids['venue']}/edit", f"/manage/venues/{ids['venue']}/delete",
                f"/manage/venues/{ids['venue']}/rooms/new", f"/manage/rooms/{ids['room']}/edit",
                f"/manage/rooms/{ids['room']}/delete"):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={"name": "Renamed"}).status_code == 403, url
    assert client.get(f"/manage/venues/{ids['free']}/edit").status_code == 200
    assert client.get("/manage/venues/new").status_code == 200
    with app.app_context():
        assert db.session.get(Venue, ids["venue"]).name == "World Forum"
