"""Organizer accounts: editions as checkboxes; who creates editions; the required-field star."""

import re

import sqlalchemy as sa

from meetings.extensions import db
from meetings.models import User
from tests.factories import make_edition


def test_editions_are_checkboxes_listing_every_edition(app, client, admin):
    with app.app_context():
        ids = [make_edition(slug=f"e{n}").id for n in range(8)]
        db.session.commit()
    page = client.get("/manage/users/new").get_data(as_text=True)
    assert "<select multiple" not in page and "multiple" not in page
    boxes = re.findall(r'<input[^>]*name="editions"[^>]*type="checkbox"[^>]*>', page)
    assert len(boxes) == len(ids)
    assert "<legend>Editions this organizer manages</legend>" in page


def test_an_organizer_is_saved_with_checked_editions_and_no_password(app, client, admin, auth):
    with app.app_context():
        first, second = make_edition(slug="a").id, make_edition(slug="b").id
        db.session.commit()
    user_id = auth.create("org@example.org", is_admin=False)
    page = client.get(f"/manage/users/{user_id}/edit").get_data(as_text=True)
    assert 'type="password"' not in page  # administrators never set passwords
    response = client.post(f"/manage/users/{user_id}/edit", data={
        "email": "org@example.org", "name": "Org", "active": "y",
        "editions": [str(first), str(second)]})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "org@example.org"))
        assert sorted(e.id for e in user.editions) == [first, second]


def test_organizers_see_no_new_edition_button(app, client, auth):
    with app.app_context():
        edition_id = make_edition().id
        db.session.commit()
    auth.create("org@example.org", is_admin=False, editions=[edition_id])
    auth.login("org@example.org")
    page = client.get("/manage/").get_data(as_text=True)
    assert "/manage/editions/new" not in page
    assert client.get("/manage/editions/new").status_code == 403


def test_administrators_see_the_new_edition_button(app, client, admin):
    assert "/manage/editions/new" in client.get("/manage/").get_data(as_text=True)


def test_required_star_sits_inside_its_label(app, client, admin):
    page = client.get("/manage/editions/new").get_data(as_text=True)
    assert re.search(r'<div class="label-line"><label for="title">Title</label> '
                     r'<span class="required" aria-hidden="true">\*</span></div>', page)
    response = client.get("/static/css/site.css")
    assert ".field .label-line label { display: inline; }" in response.get_data(as_text=True)
    response.close()


def test_an_organizer_without_editions_is_told_who_creates_them(app, client, auth):
    auth.create("org@example.org", is_admin=False)
    auth.login("org@example.org")
    page = client.get("/manage/").get_data(as_text=True)
    assert "Ask an administrator to assign you: only administrators create editions." in page
