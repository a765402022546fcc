"""The dashboard reads at a glance: registrations so far against capacity (a line even when all
came in one day), status by category against quota, workshop occupancy, regions, countries and
the waiting list, each chart an accessible image with the same figures as a table."""

from datetime import UTC, date, datetime, timedelta

from lxml import etree

from meetings.extensions import db
from meetings.models import SessionType
from meetings.registration import privacy, reports
from meetings.registration.chart import bars_svg, cumulative_chart_svg
from meetings.registration.models import Registration
from tests.factories import (
    FIXED_NOW,
    MAIL_SITE,
    choose_workshop,
    make_session,
    open_edition,
    sign_up,
)

SVG = "{http://www.w3.org/2000/svg}"


def test_one_day_of_registrations_is_a_rising_line_not_a_full_width_bar():
    svg = cumulative_chart_svg([(date(2027, 1, 10), 7, 7)], 20, 'So far "A&B"', "Capacity")
    root = etree.fromstring(svg.encode())
    assert root.get("role") == "img" and root.get("aria-label") == 'So far "A&B"'
    assert root.find(f"{SVG}title").text == 'So far "A&B"'
    assert root.findall(f"{SVG}rect") == []
    points = root.find(f"{SVG}polyline").get("points").split()
    assert len(points) == 2  # from zero the day before to 7
    assert any("Capacity 20" == (t.text or "") for t in root.iter(f"{SVG}text"))


def test_the_cumulative_rows_add_up_day_by_day():
    assert reports.cumulative([(date(2027, 1, 1), 2), (date(2027, 1, 2), 0),
                               (date(2027, 1, 3), 5)]) == [
        (date(2027, 1, 1), 2, 2), (date(2027, 1, 2), 0, 2), (date(2027, 1, 3), 5, 7)]
    assert cumulative_chart_svg([], None, "empty", "Capacity") == ""


def test_bars_draw_the_limit_and_mark_an_overrun():
    root = etree.fromstring(bars_svg([("Academia", 3, 4), ("Media", 5, 4), ("Other", 2, None)],
                                     "By category").encode())
    rects = root.findall(f"{SVG}rect")
    assert len(rects) == 5  # two outlines (quotas) and three bars
    assert [r.get("fill") for r in rects if r.get("fill") != "none"][1] == "#b3261e"
    assert bars_svg([], "empty") == ""


def test_categories_count_every_status_against_the_quota_erased_included(app):
    with app.app_context():
        edition = open_edition(capacity=2)
        for n in (1, 2, 3):
            sign_up(edition, n, country="KE")
        erased = sign_up(edition, 4, country="JP")
        privacy.erase(erased, now=FIXED_NOW, site=MAIL_SITE)
        lines = {line.name: line for line in reports.category_status_lines(edition.id)}
        government = lines["Government"]
        assert government.by_status == {"approved": 2, "waitlisted": 1, "cancelled": 1}
        assert government.total == 4 and government.holding == 2
        assert lines["Academia"].total == 0
        by_country = reports.count_by(edition.id, Registration.country)
        assert dict(reports.count_by_region(by_country)) == {"Africa": 3, "Asia": 1}


def test_workshop_occupancy_comes_from_attendance_through_the_signal(app):
    now = datetime.now(UTC)
    with app.app_context():
        edition = open_edition(now=now)
        lab = make_session(edition, "Forensics lab", type=SessionType.WORKSHOP, capacity=1,
                           starts_at=datetime(2027, 3, 28, 13, 0, tzinfo=UTC))
        make_session(edition, "Keynote", starts_at=datetime(2027, 3, 28, 9, 0, tzinfo=UTC))
        first, second = (sign_up(edition, n, now=now) for n in (1, 2))
        ids = (first.id, second.id, lab.id)
        edition_id = edition.id
        db.session.commit()
    choose_workshop(app, ids[0], ids[2])
    choose_workshop(app, ids[1], ids[2])
    with app.app_context():
        assert reports.workshop_occupancy(edition_id) == [("Forensics lab", 1, 1, 1)]
        choices = reports.workshop_choices(edition_id)
        assert choices[ids[0]] == ["Forensics lab"]
        assert choices[ids[1]] == ["Forensics lab (waiting list)"]


def test_the_dashboard_shows_every_chart_with_its_table(app, client, admin):
    with app.app_context():
        edition = open_edition(capacity=2)
        for n in (1, 2, 3, 4):
            sign_up(edition, n, country="KE", now=FIXED_NOW + timedelta(hours=n))
        edition_id = edition.id
        db.session.commit()
    page = client.get(f"/manage/editions/{edition_id}/registrations/dashboard").get_data(
        as_text=True)
    assert page.count('role="img"') >= 3
    for table in ("days-table", "category-table", "region-table", "country-table"):
        assert f'id="{table}"' in page
    assert '<dd id="waiting-length">2</dd>' in page
    assert "Capacity 2" in page and "Africa" in page and "Kenya" in page
    assert "No workshops with limited places." in page
