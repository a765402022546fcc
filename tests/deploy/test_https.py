"""The deployed stack over HTTPS: Chromium through nginx (deploy/nginx/meetings.conf) to
gunicorn (deploy/gunicorn.conf.py) with PROXY_FIX=1 and secure cookies.

An attendee registers, confirms from the real email, an organizer approves (the demo edition
registers in approval mode), the attendee chooses a workshop and cancels. Every form post must
succeed and every response the browser receives must carry the security headers.
"""

import json
import re
import ssl
import threading

import pytest
import sqlalchemy as sa

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, chromium_available
from tests.deploy import stack

WORKSHOP = "Workshop: Assessing an AI system with the Responsible AI Toolkit"
PRIVATE = ("/manage", "/login", "/logout", "/account", "/password", "/invitation")


def in_own_thread(function, *args):
    """Run Playwright's sync API in a thread of its own.

    The browser tests keep a session-wide Playwright on the main thread, and two cannot share
    one thread; this test may run after them in the same session.
    """
    outcome = {}

    def target():
        try:
            outcome["value"] = function(*args)
        except BaseException as error:  # noqa: BLE001 - raised again in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=target, name="chromium")
    thread.start()
    thread.join(timeout=300)
    assert not thread.is_alive(), "the browser journey did not finish in 5 minutes"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


class Recorder:
    """Every response one browser context receives from the site."""

    def __init__(self, context, origin: str):
        self.origin = origin
        self.responses = []
        context.on("response", lambda response: self.responses.append(response))

    def problems(self) -> list[str]:
        """Missing or wrong headers, failed posts, error statuses; one line each."""
        found = []
        for response in self.responses:
            if not response.url.startswith(self.origin):
                continue
            found.extend(header_problems(response))
        return found


def header_problems(response) -> list[str]:
    headers = response.all_headers()
    path = re.sub(r"^https://[^/]+", "", response.url).split("?")[0]
    label = f"{response.request.method} {path} {response.status}"
    problems = []
    expected = {"content-security-policy": "frame-ancestors 'none'",
                "x-content-type-options": "nosniff", "x-frame-options": "DENY",
                "strict-transport-security": "max-age=31536000"}
    for name, value in expected.items():
        if value not in headers.get(name, ""):
            problems.append(f"{label}: {name} is {headers.get(name)!r}")
    private = path.startswith(PRIVATE)
    policy = headers.get("referrer-policy", "")
    if policy != ("strict-origin" if private else "strict-origin-when-cross-origin"):
        problems.append(f"{label}: referrer-policy is {policy!r}")
    if private and "no-store" not in headers.get("cache-control", ""):
        problems.append(f"{label}: cache-control is {headers.get('cache-control')!r}")
    if response.request.method == "POST" and response.status not in (302, 303):
        problems.append(f"{label}: the form post did not succeed")
    if response.status >= 400:
        problems.append(f"{label}: error status")
    return problems


def register(page, site) -> None:
    page.goto(f"{site.url}/{site.slug}/register")
    page.get_by_label("Given name").fill("Grace")
    page.get_by_label("Family name").fill("Hopper")
    page.get_by_label("Email", exact=True).fill("grace@example.org")
    page.get_by_label("Organization", exact=True).fill("Naval Criminal Investigative Service")
    page.get_by_label("Country", exact=True).select_option("US")
    page.get_by_label("Participant category").select_option(label="Government")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name="Check your email").wait_for()


def approve_as_organizer(page, site, edition_id: int) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label("Email", exact=True).fill(stack.ADMIN_EMAIL)
    page.get_by_label("Password").fill(stack.ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()
    page.goto(f"{site.url}/manage/editions/{edition_id}/registrations/?status=pending")
    page.get_by_role("link", name="Grace Hopper").click()
    page.get_by_label("Message to the registrant (optional)").fill("Welcome to The Hague.")
    page.get_by_role("button", name="Approve").click()
    assert page.locator("#status").inner_text() == "Approved"
    page.get_by_role("button", name="Log out").click()
    page.get_by_text("You are logged out.").wait_for()


def mail_containing(site, address: str, text: str) -> str:
    """The body of the first mail to `address` that contains `text`."""
    for index in range(10):
        _, body = site.wait_for_mail(address, after=index)
        if text in body:
            return body
    raise AssertionError(f"no mail to {address} says {text!r}")


def edition_id_of(site) -> int:
    engine = sa.create_engine(site.database_url)
    with engine.connect() as connection:
        found = connection.scalar(sa.text("SELECT id FROM edition WHERE slug = :slug"),
                                  {"slug": site.slug})
    engine.dispose()
    return found


@pytest.mark.browser
def test_attendee_and_organizer_complete_every_form_over_https(https_site):
    stack.require(chromium_available(), f"Chromium not found at {CHROMIUM}")
    in_own_thread(browser_journey, https_site)


def browser_journey(site) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            journey(chromium, site)
        finally:
            chromium.close()


def journey(chromium, site) -> None:
    """Register, confirm, approve, choose a workshop, cancel: every response checked."""
    attendee_context = chromium.new_context(ignore_https_errors=True, locale="en-GB")
    organizer_context = chromium.new_context(ignore_https_errors=True, locale="en-GB")
    try:
        attendee = Recorder(attendee_context, site.url)
        organizer = Recorder(organizer_context, site.url)
        for context in (attendee_context, organizer_context):
            context.set_default_timeout(15_000)
        page = attendee_context.new_page()

        register(page, site)
        subject, body = site.wait_for_mail("grace@example.org")
        assert f"{site.url}/manage-registration/" in body, "links in mails use SITE_URL (https)"
        page.goto(site.url + stack.manage_path(body))
        page.get_by_role("button", name="Confirm my registration").click()
        assert page.locator("#status").inner_text() == "Waiting for approval (seat held)"

        approve_as_organizer(organizer_context.new_page(), site, edition_id_of(site))
        approved = mail_containing(site, "grace@example.org", "Welcome to The Hague.")

        page.goto(site.url + stack.manage_path(approved))
        assert page.locator("#status").inner_text() == "Approved"
        page.get_by_role("button", name=f"Choose {WORKSHOP}").click()
        assert f"You have a seat in “{WORKSHOP}”" in page.locator(".flashes").inner_text()
        page.get_by_role("link", name="Cancel my registration").click()
        page.get_by_role("button", name="Yes, cancel my registration").click()
        assert page.locator("#status").inner_text() == "Cancelled"

        posts = [r for r in attendee.responses + organizer.responses
                 if r.request.method == "POST"]
        assert len(posts) >= 7, [r.url for r in posts]  # register … logout, each one answered
        assert any("/static/" in r.url for r in attendee.responses), "nginx served static files"
        assert len(attendee.responses) > 20 and len(organizer.responses) > 15
        assert attendee.problems() + organizer.problems() == []
        cookies = {c["name"]: c for c in organizer_context.cookies()}
        assert cookies["session"]["secure"] and cookies["session"]["httpOnly"]
        assert cookies["session"]["sameSite"] == "Lax"
    finally:
        attendee_context.close()
        organizer_context.close()


def test_plain_http_is_sent_to_https(https_site):
    client = stack.Client(f"http://127.0.0.1:{https_site.nginx.http_port}", None)
    status, headers, _ = client.request("GET", f"/{https_site.slug}/agenda?day=1")
    assert status == 301
    assert headers["location"] == f"https://127.0.0.1/{https_site.slug}/agenda?day=1"


def test_bodies_beyond_the_apps_limit_stop_at_nginx_with_headers(https_site):
    client = stack.Client(https_site.url, stack.tls_context(https_site.cert))
    path = f"/{https_site.slug}/register"
    too_big = {"given_name": "x" * (2 * 1024 * 1024 + 10)}
    status, headers, _ = client.request("POST", path, form=too_big)
    assert status == 413
    assert headers["strict-transport-security"] == "max-age=31536000"
    assert headers["x-content-type-options"] == "nosniff"
    # Just under the limit, the body reaches the app (which refuses it for its own reasons).
    status, headers, _ = client.request("POST", path, form={"given_name": "x" * 2_000_000})
    assert status == 400 and "form-action 'self'" in headers["content-security-policy"]


def test_static_files_are_cached_for_a_week_and_compressed(https_site):
    client = stack.Client(https_site.url, stack.tls_context(https_site.cert))
    status, headers, _ = client.request("GET", "/static/css/site.css",
                                        headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["cache-control"] == "max-age=604800"
    assert once_each(client.raw_headers)
    assert headers["content-encoding"] == "gzip"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["strict-transport-security"] == "max-age=31536000"


def once_each(headers: list[tuple[str, str]]) -> bool:
    """Each security header exactly once: nginx adds its own only where the app sent none."""
    names = [name for name, _ in headers]
    return names.count("cache-control") <= 1 and all(names.count(name) == 1 for name in (
        "strict-transport-security", "content-security-policy", "x-content-type-options",
        "x-frame-options", "referrer-policy"))


def test_health_answers_through_nginx_and_is_never_cached(https_site):
    client = stack.Client(https_site.url, stack.tls_context(https_site.cert))
    for _ in range(2):  # a second answer comes from the app again, not from nginx's cache
        status, headers, body = client.request("GET", "/health")
        assert status == 200 and json.loads(body) == {
            "status": "ok", "checks": {"database": "ok", "mail": "ok"}}
        assert headers["cache-control"] == "no-store"
        assert once_each(client.raw_headers)


def test_pages_are_not_compressed_but_feeds_are_cached(https_site):
    client = stack.Client(https_site.url, stack.tls_context(https_site.cert))
    status, headers, _ = client.request("GET", f"/{https_site.slug}/agenda",
                                        headers={"Accept-Encoding": "gzip"})
    assert status == 200 and "content-encoding" not in headers  # no BREACH on HTML
    assert once_each(client.raw_headers)
    feed = f"/{https_site.slug}/agenda.ics"
    for _ in range(2):
        status, headers, body = client.request("GET", feed)
        assert status == 200 and body.startswith("BEGIN:VCALENDAR")
        assert once_each(client.raw_headers), "cached answers get no second set of headers"
    client.cookies["session"] = "anything"
    assert client.request("GET", feed)[0] == 200
    pattern = rf'"GET {re.escape(feed)} HTTP/1.1" 200 .* cache=(\S+)'
    # nginx writes the log line just after the answer: wait for the third one.
    statuses = stack.wait_until(
        lambda: (found := re.findall(pattern, https_site.nginx.access_log()))[2:] and found,
        5, "the access log")
    assert statuses[-3:] == ["MISS", "HIT", "BYPASS"]
    status, headers, body = stack.Client(https_site.url, stack.tls_context(https_site.cert)) \
        .request("GET", "/editions.ics", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip"  # the app's own gzip


def test_logs_keep_tokens_and_query_strings_out(https_site):
    """After the journey (or any manage-link visit), neither log holds a token."""
    client = stack.Client(https_site.url, stack.tls_context(https_site.cert))
    token = "A" * 43
    client.request("GET", f"/manage-registration/{token}?code=secret-code")
    client.request("GET", f"/feeds/{token}.ics")

    def logs():
        text = https_site.nginx.access_log() + https_site.gunicorn.output()
        # Both servers log each request just after answering it: wait for all four lines.
        return text if (text.count("/manage-registration/AAAA[...]") >= 2
                        and text.count("/feeds/AAAA[...].ics") >= 2) else ""

    logs = stack.wait_until(logs, 5, "both access logs")
    assert token not in logs and "secret-code" not in logs


def test_tls_1_2_needs_forward_secrecy(https_site):
    context = stack.tls_context(https_site.cert)
    context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_2
    assert stack.Client(https_site.url, context).request("GET", "/static/favicon.svg")[0] == 200
    context = stack.tls_context(https_site.cert)
    context.set_ciphers("AES128-SHA256")  # no forward secrecy: not offered by the site
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    with pytest.raises(ssl.SSLError):
        stack.Client(https_site.url, context).request("GET", "/static/favicon.svg")
