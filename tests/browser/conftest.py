"""Browser fixtures: the app served on a free localhost port, Debian's Chromium through Playwright.

Without /usr/bin/chromium these tests skip on a laptop; under CI=true they fail instead.
"""

import os
import shutil
import subprocess
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import SHARED

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
A11YCHECK = SHARED / "a11ycheck" / "a11ycheck"


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) and shutil.which(CHROMIUM) is not None


@pytest.fixture
def live_url(app):
    """Serve the test app on 127.0.0.1 in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  timezone_id="America/New_York")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def run_a11ycheck(urls: list[str], width: int) -> subprocess.CompletedProcess:
    """Run ../shared/a11ycheck on the given localhost URLs at one viewport width."""
    if not chromium_available() and os.environ.get("CI") != "true":
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    return subprocess.run([str(A11YCHECK), "--width", str(width), *urls],
                          capture_output=True, text=True, timeout=600)


PHONE = {"width": 375, "height": 800}
# A long address, as people have: it must wrap, not widen the page.
LONG_EMAIL = "margaret.hamilton.software-engineering@apollo-guidance-computer.example.org"


@pytest.fixture
def phone(browser):
    """A page in a 375 px wide browser context (a phone)."""
    context = browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="Europe/Paris")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
