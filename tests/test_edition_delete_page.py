"""The edition delete page says what happens to the people registered."""

from meetings.extensions import db
from tests.factories import agenda_world, make_edition, make_venue


def test_delete_page_says_registrants_are_not_told_and_links_stop(app, client, admin):
    world = agenda_world(app)
    page = client.get(f"/manage/editions/{world['edition']}/delete").get_data(as_text=True)
    assert "The 2 people registered for this edition are not told" in page
    assert "stop working" in page


def test_without_registrations_nothing_is_said_of_registrants(app, client, admin):
    with app.app_context():
        edition_id = make_edition(venue=make_venue()).id
        db.session.commit()
    page = client.get(f"/manage/editions/{edition_id}/delete").get_data(as_text=True)
    assert "are not told" not in page and "is not told" not in page
