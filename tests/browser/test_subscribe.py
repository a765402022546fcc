"""The Subscribe panel in Chromium: its links, and the Copy button that copies the address."""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

pytestmark = pytest.mark.browser


def test_subscribe_panel_links_and_copy_button(page, live_url, auth):
    auth.create()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_url)
    page.goto(f"{live_url}/login")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_url}/manage/feeds/")
    page.get_by_role("button", name="Create my feed address").click()

    address = page.get_by_label("Calendar address, for any other calendar app")
    https_url = address.input_value()
    assert https_url.startswith("http://") and "/feeds/organizer/" in https_url
    webcal = "webcal://" + https_url.split("://", 1)[1]
    assert page.locator("[data-feed-link=webcal]").get_attribute("href") == webcal
    google = urlsplit(page.locator("[data-feed-link=google]").get_attribute("href"))
    assert google.netloc == "calendar.google.com" and parse_qs(google.query)["cid"] == [webcal]
    outlook = urlsplit(page.locator("[data-feed-link=outlook]").get_attribute("href"))
    assert parse_qs(outlook.query) == {"url": [https_url], "name": ["Organizer calendar"]}
    assert page.locator("[data-feed-link=download]").get_attribute("href") == https_url

    copy = page.get_by_role("button", name="Copy")
    copy.focus()
    page.keyboard.press("Enter")
    status = page.get_by_role("status").filter(has_text="Copied")
    status.wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == https_url
