def test_login_page_in_chromium(page, live_url):
    page.goto(f"{live_url}/login")
    assert page.title().startswith("Organizer login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
