"""Check-in: server-side scan verification rate and in-browser verification time per scan.

    .venv/bin/python bench/checkin.py [--attendees 500] [--no-browser]

Server: N badge codes verified (meetings.badges.codes.verify, Ed25519 with PyNaCl), then the
same N scans recorded through meetings.checkin.service.record_scans (verification, door rules,
nonce, one row each) in batches of 200, on SQLite. Browser: the scanner page in Debian's
Chromium (Playwright), `window.checkinVerify(code)` (Base45, payload, WebCrypto Ed25519,
revocation and expiry) for every code, after one warm-up pass.
Prints figures (targets: ≥ 500 scans/s on the server, ≤ 20 ms per scan in the browser); not a test.
"""

import argparse
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from werkzeug.serving import make_server

from meetings import create_app
from meetings.badges import codes
from meetings.badges import service as badges
from meetings.badges.keys import public_keys
from meetings.checkin import service
from meetings.checkin.models import CheckKind
from meetings.checkin.staff import create_staff
from meetings.extensions import db
from meetings.models import Edition, EditionStatus
from meetings.registration import configuration
from meetings.registration.models import Registration, RegistrationStatus

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
DOOR = datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
SECRET = "bench-secret-" + "c" * 32
CHROMIUM = "/usr/bin/chromium"


def build(attendees: int) -> tuple[Edition, list[str], str]:
    """An edition with N approved attendees, their badge codes and a device token."""
    edition = Edition(ordinal=1, title="Benchmark edition", slug="bench",
                      starts_on=date(2027, 3, 28), ends_on=date(2027, 3, 29),
                      timezone="Europe/Amsterdam", description="", status=EditionStatus.PUBLISHED)
    db.session.add(edition)
    db.session.flush()
    configuration.set_up(edition, now=NOW)
    settings = configuration.settings_of(edition.id)
    category = db.session.scalars(configuration.categories_of(edition.id)).first()
    for n in range(attendees):
        db.session.add(Registration(
            edition_id=edition.id, category_id=category.id, status=RegistrationStatus.APPROVED,
            email=f"a{n}@example.org", given_name="Attendee", family_name=str(n),
            organization="Police", country="NL", arrival=settings.next_arrival()))
    db.session.flush()
    issued = badges.to_print(edition, secret=SECRET, now=NOW)
    found = [badges.code_of(badge, secret=SECRET, now=NOW) for badge in issued]
    _staff, token = create_staff(edition, "Bench door", now=NOW)
    db.session.commit()
    return edition, found, token


def server_figures(edition: Edition, found: list[str]) -> None:
    keys, revoked = public_keys(), badges.revoked_serials(edition.id)
    started = time.perf_counter()
    verdicts = [codes.verify(code, edition_id=edition.id, keys=keys, revoked=revoked, now=DOOR)
                for code in found]
    verify_seconds = time.perf_counter() - started
    assert all(verdict.valid for verdict in verdicts)
    scans = [service.Scan(nonce=f"bench-{n:06d}", kind=CheckKind.ENTRY, code=code,
                          scanned_at=DOOR + timedelta(milliseconds=n))
             for n, code in enumerate(found)]
    started = time.perf_counter()
    for at in range(0, len(scans), 200):
        results = service.record_scans(edition, scans[at:at + 200], staff=None, now=DOOR)
        assert all(result.row.admitted for result in results)
    db.session.commit()
    record_seconds = time.perf_counter() - started
    print(f"server: {len(found)} codes verified in {verify_seconds:.3f} s = "
          f"{len(found) / verify_seconds:,.0f} verifications/s (signature, key, revocation)")
    rate = len(scans) / record_seconds
    print(f"server: {len(scans)} scans recorded in {record_seconds:.3f} s = {rate:,.0f} scans/s "
          f"(verification, door rules, nonce, row; target >= 500/s: "
          f"{'met' if rate >= 500 else 'NOT met'})")


def browser_figures(app, found: list[str], token: str) -> None:
    from playwright.sync_api import sync_playwright

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/checkin/device/{token}")
            page.wait_for_selector("body[data-checkin-ready=yes]", timeout=30_000)
            timings = page.evaluate("""async (codes) => {
                for (const code of codes) await window.checkinVerify(code);  // warm-up
                const each = [];
                for (const code of codes) {
                  const started = performance.now();
                  const verdict = await window.checkinVerify(code);
                  each.push(performance.now() - started);
                  if (verdict.reason !== "valid") throw new Error(verdict.reason);
                }
                return each;
            }""", found)
            browser.close()
    finally:
        server.shutdown()
    timings.sort()
    mean = sum(timings) / len(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"browser: {len(timings)} codes verified in Chromium, mean {mean:.3f} ms, "
          f"median {timings[len(timings) // 2]:.3f} ms, p95 {p95:.3f} ms, "
          f"max {timings[-1]:.3f} ms per scan (target <= 20 ms: "
          f"{'met' if p95 <= 20 else 'NOT met'})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attendees", type=int, default=500)
    parser.add_argument("--no-browser", action="store_true")
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    app = create_app({"SECRET_KEY": "bench", "BADGE_KEY_SECRET": SECRET,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}"})
    with app.app_context():
        db.create_all()
        edition, found, token = build(arguments.attendees)
        server_figures(edition, found)
    if not arguments.no_browser:
        browser_figures(app, found, token)


if __name__ == "__main__":
    main()
