"""Cancelling a session goes through a confirmation page that says what happens."""

from meetings.extensions import db
from meetings.models import Session, SessionStatus
from tests.factories import agenda_world


def test_edit_page_links_to_a_confirmation_outside_the_form(app, client, admin):
    world = agenda_world(app)
    page = client.get(f"/manage/sessions/{world['plenary']}/edit").get_data(as_text=True)
    form = page[page.index('<form method="post" class="form"'):]
    form = form[:form.index("</form>")]
    assert "Cancel this session" not in form
    assert f'href="/manage/sessions/{world["plenary"]}/cancel"' in page
    assert f'action="/manage/sessions/{world["plenary"]}/cancel"' not in page


def test_confirmation_page_says_what_happens_and_changes_nothing(app, client, admin):
    world = agenda_world(app)
    response = client.get(f"/manage/sessions/{world['plenary']}/cancel")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Attendees who chose it" in page and "agenda-change email" in page
    assert "marked as cancelled" in page
    assert "Yes, cancel the session" in page
    with app.app_context():
        assert db.session.get(Session, world["plenary"]).status == SessionStatus.SCHEDULED


def test_confirming_cancels(app, client, admin):
    world = agenda_world(app)
    response = client.post(f"/manage/sessions/{world['plenary']}/cancel")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Session, world["plenary"]).status == SessionStatus.CANCELLED


def test_organizers_of_other_editions_cannot_see_the_page(app, client, auth):
    world = agenda_world(app)
    auth.create("org@example.org", is_admin=False)
    auth.login("org@example.org")
    assert client.get(f"/manage/sessions/{world['plenary']}/cancel").status_code == 403
