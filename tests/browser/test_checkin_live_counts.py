"""The check-in back office keeps itself current: a scan made at a door shows in the counts and
the latest scans without anyone reloading the page."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts_browser import log_in
from tests.checkin_world import build_checkin_world
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

pytestmark = pytest.mark.browser


def test_a_door_scan_appears_without_a_reload(app, auth, live_url, page):
    world = build_checkin_world(app)
    auth.create()
    log_in(page, live_url, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"{live_url}/manage/editions/{world.edition}/checkin")
    expect(page.locator("#live")).to_contain_text("No scans yet.")
    page.evaluate("window.liveMarker = 'same page'")  # gone if the page were reloaded
    answer = app.test_client().post("/api/checkin/scans", headers={
        "Authorization": f"Bearer {world.token}"}, json={"scans": [{
            "nonce": "entry-official-0001", "kind": "entry", "code": world.codes[world.official],
            "scanned_at": "2027-03-28T08:00:00Z"}]})
    assert answer.get_json()["results"][0]["admitted"] is True
    expect(page.locator("#live table").first).to_contain_text("Daily entry", timeout=15_000)
    expect(page.locator("#live")).to_contain_text("Given2 Family2")
    expect(page.locator("#live-status")).to_contain_text("Updated at")
    assert page.evaluate("window.liveMarker") == "same page"
