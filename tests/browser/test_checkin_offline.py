"""The scanner page: typed codes online, then offline (valid, revoked, closed door, duplicate,
a badge another door admitted meanwhile), back online: each scan counted once, the conflict
reported to organizers."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from meetings.checkin import reads
from meetings.checkin.models import CheckIn
from meetings.checkin.staff import create_staff
from meetings.extensions import db
from meetings.models import Edition
from tests.checkin_world import build_checkin_world

pytestmark = pytest.mark.browser


def scan(page, code: str, count: int) -> tuple[str, str, str]:
    """Type a code and Enter, as a keyboard-wedge scanner does; the answer shown."""
    page.locator("#code").fill(code)
    page.locator("#code").press("Enter")
    expect(page.locator("#log li")).to_have_count(count)
    return (page.locator("#answer-verdict").inner_text(),
            page.locator("#answer-name").inner_text(),
            page.locator("#answer").get_attribute("data-reason"))


def other_door_admits(app, code: str, session_id: int) -> None:
    with app.app_context():
        edition = db.session.scalar(sa.select(Edition).where(Edition.slug == "2027"))
        _staff, token = create_staff(edition, "Door B", now=reads_now())
        db.session.commit()
    response = app.test_client().post("/api/checkin/scans", headers={
        "Authorization": f"Bearer {token}"}, json={"scans": [{
            "nonce": "door-b-workshop", "kind": "session", "session_id": session_id,
            "code": code, "scanned_at": "2027-03-28T08:00:00Z"}]})
    assert response.get_json()["results"][0]["admitted"] is True


def reads_now():
    from tests.checkin_world import DOOR_DAY
    return DOOR_DAY


def test_scans_online_then_offline_then_uploaded_once_with_the_conflict(app, live_url, page):
    world = build_checkin_world(app)
    page.goto(f"{live_url}/checkin/device/{world.token}")
    page.wait_for_selector("body[data-checkin-ready=yes]")
    expect(page.locator("#camera")).to_be_hidden()  # headless Chromium has no BarcodeDetector
    page.locator("#kind-entry").check()
    assert scan(page, world.codes[world.officer], 1) == ("ADMITTED", "Given1 Family1", "valid")

    page.context.set_offline(True)
    expect(page.locator("#network")).to_have_class("network is-offline")
    assert scan(page, world.codes[world.official], 2) == ("ADMITTED", "Given2 Family2",
                                                          "valid")
    assert scan(page, world.codes[world.cancelled], 3)[::2] == ("REFUSED", "revoked")
    assert scan(page, world.codes[world.official], 4) == ("REFUSED", "Given2 Family2",
                                                          "already admitted")
    page.locator("#kind-session").check()
    page.locator("#door").select_option(str(world.closed))
    assert scan(page, world.codes[world.official], 5) == ("REFUSED", "Given2 Family2",
                                                          "not for this room")
    other_door_admits(app, world.codes[world.officer], world.workshop)  # meanwhile, online
    page.locator("#door").select_option(str(world.workshop))
    assert scan(page, world.codes[world.officer], 6) == ("ADMITTED", "Given1 Family1", "valid")
    expect(page.locator("#network")).to_have_attribute("data-waiting", "5")
    expect(page.locator("#network")).to_contain_text("Offline")

    page.context.set_offline(False)
    expect(page.locator("#network")).to_have_attribute("data-waiting", "0", timeout=20_000)
    expect(page.locator("#network")).to_contain_text("Online")
    with app.app_context():
        rows = db.session.scalars(sa.select(CheckIn).order_by(CheckIn.id)).all()
        assert len(rows) == 7 == len({row.nonce for row in rows})
        assert sum(row.offline for row in rows) == 5
        (conflict, first, person), = reads.conflicts_of(world.edition)
        assert (person.id, first.nonce, conflict.reason) == (world.officer, "door-b-workshop",
                                                             "already admitted")
