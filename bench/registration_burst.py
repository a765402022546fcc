"""Registration burst: gunicorn (4 workers) on PostgreSQL, 600 registrations from 60 clients
against a capacity of 250, then the invariants.

    .venv/bin/python bench/registration_burst.py
    .venv/bin/python bench/registration_burst.py --database-url URL --clients 60 --total 600

Each registration is what a person does: open the form, submit it, receive the email (a real
SMTP server, aiosmtpd, runs inside this script), open the link and confirm. Latencies are those
of the two POSTs (register, confirm). The benchmark database is emptied and rebuilt on every run.
"""

import argparse
import email
import email.policy
import http.cookiejar
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402

from bench.agenda import ensure_postgres_database  # noqa: E402
from meetings import create_app  # noqa: E402
from meetings.extensions import db  # noqa: E402
from meetings.models import Edition, EditionStatus, utcnow  # noqa: E402
from meetings.registration import setup  # noqa: E402
from meetings.registration.models import (  # noqa: E402
    Registration,
    RegistrationMode,
    RegistrationStatus,
)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/meetings_registration_bench"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
LINK = re.compile(r"/manage-registration/([A-Za-z0-9_\-]+)")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL URL")
    parser.add_argument("--clients", type=int, default=60)
    parser.add_argument("--total", type=int, default=600)
    parser.add_argument("--capacity", type=int, default=250)
    parser.add_argument("--workers", type=int, default=4)
    return parser.parse_args(argv)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """SMTP handler: remembers the newest manage-link token sent to each address."""

    def __init__(self):
        self.tokens: dict[str, str] = {}
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        body = message.get_body(("plain",)).get_content()
        found = LINK.search(body)
        with self.arrived:
            for rcpt in envelope.rcpt_tos:
                if found:
                    self.tokens[rcpt.lower()] = found.group(1)
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, address: str, timeout: float = 60) -> str:
        with self.arrived:
            if not self.arrived.wait_for(lambda: address in self.tokens, timeout=timeout):
                raise TimeoutError(f"no email for {address}")
            return self.tokens.pop(address)


def prepare_database(url: str, capacity: int) -> dict:
    """Rebuild the schema with one published edition whose registration is open."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        now = utcnow()
        start = date.today() + timedelta(days=60)
        edition = Edition(ordinal=1, title="Burst edition", slug="burst", starts_on=start,
                          ends_on=start + timedelta(days=1), timezone="Europe/Amsterdam",
                          status=EditionStatus.PUBLISHED)
        db.session.add(edition)
        db.session.flush()
        setup.set_up(edition, now=now)
        setup.update_settings(edition, opens_at=now - timedelta(hours=1),
                              closes_at=now + timedelta(days=7), capacity=capacity,
                              mode=RegistrationMode.OPEN, auto_promote=True,
                              privacy_notice="Bench.", now=now)
        category_id = db.session.scalar(sa.text(
            "SELECT id FROM registration_category WHERE code = 'government'"))
        db.session.commit()
        db.engine.dispose()
    return {"category_id": category_id}


def start_gunicorn(url: str, port: int, smtp_port: int, workers: int) -> subprocess.Popen:
    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
              "SITE_URL": f"http://127.0.0.1:{port}", "MAIL_SERVER": "127.0.0.1",
              "MAIL_PORT": str(smtp_port), "MAIL_FROM": "bench@meetings.test"}
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(workers), "-b",
               f"127.0.0.1:{port}", "--log-level", "warning", f"meetings:create_app({config!r})"]
    process = subprocess.Popen(command, cwd=ROOT)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/burst/register", timeout=2)
            return process
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start")


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.server_errors = 0
        self.failures: list[str] = []

    def timed_post(self, opener, url: str, data: dict) -> str:
        started = time.perf_counter()
        try:
            with opener.open(url, urllib.parse.urlencode(data).encode(), timeout=120) as response:
                body = response.read().decode()
        except urllib.error.HTTPError as error:
            with self.lock:
                self.server_errors += error.code >= 500
                self.failures.append(f"{url}: HTTP {error.code}")
            raise
        with self.lock:
            self.latencies.append(time.perf_counter() - started)
        return body


def csrf_of(opener, url: str) -> str:
    with opener.open(url, timeout=120) as response:
        match = CSRF.search(response.read().decode())
    return match.group(1) or match.group(2)


def one_registration(base: str, n: int, category_id: int, mailbox: Mailbox,
                     results: Results) -> None:
    """Open the form, register, read the email, confirm: one person's whole flow."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    address = f"person{n}@example.org"
    form = {"csrf_token": csrf_of(opener, f"{base}/burst/register"), "given_name": f"P{n}",
            "family_name": "Bench", "email": address, "organization": "Bench police",
            "country": "NL", "category": str(category_id), "language": "en", "consent": "y"}
    results.timed_post(opener, f"{base}/burst/register", form)
    manage = f"{base}/manage-registration/{mailbox.wait_for(address)}"
    results.timed_post(opener, f"{manage}/verify", {"csrf_token": csrf_of(opener, manage)})


def run_clients(base: str, args, category_id: int, mailbox: Mailbox) -> tuple[Results, float]:
    results = Results()
    numbers = iter(range(args.total))
    take = threading.Lock()

    def client():
        while True:
            with take:
                n = next(numbers, None)
            if n is None:
                return
            try:
                one_registration(base, n, category_id, mailbox, results)
            except Exception as error:  # noqa: BLE001 - counted and reported below
                with results.lock:
                    results.failures.append(f"person{n}: {error!r}")

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def invariants(url: str, capacity: int, total: int) -> dict:
    """Seat holders, waiting list order and completeness, read from the database."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.select(Registration.status, Registration.arrival)
                                  .order_by(Registration.arrival)).all()
    engine.dispose()
    holding = [a for s, a in rows if s in (RegistrationStatus.APPROVED, RegistrationStatus.PENDING)]
    waiting = [a for s, a in rows if s == RegistrationStatus.WAITLISTED]
    return {
        "holding": len(holding), "waitlisted": len(waiting), "stored": len(rows),
        "in_order": sorted(holding) == list(range(1, capacity + 1))
        and sorted(waiting) == list(range(capacity + 1, total + 1)),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    ensure_postgres_database(args.database_url)
    category_id = prepare_database(args.database_url, args.capacity)["category_id"]
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    port = free_port()
    server = start_gunicorn(args.database_url, port, smtp.port, args.workers)
    try:
        results, elapsed = run_clients(f"http://127.0.0.1:{port}", args, category_id, mailbox)
    finally:
        server.terminate()
        server.wait(timeout=30)
        smtp.stop()
    check = invariants(args.database_url, args.capacity, args.total)
    ms = sorted(1000 * s for s in results.latencies)
    print(f"{args.total} registrations (form, submit, email, confirm) from {args.clients} "
          f"clients, gunicorn -w {args.workers}, PostgreSQL, capacity {args.capacity}")
    print(f"  throughput: {args.total / elapsed:.1f} registrations/s ({elapsed:.1f} s)")
    print(f"  POST latency: p50 {statistics.median(ms):.0f} ms, "
          f"p95 {ms[int(0.95 * (len(ms) - 1))]:.0f} ms ({len(ms)} requests)")
    print(f"  holding seats: {check['holding']} (expected {args.capacity})")
    print(f"  waitlisted: {check['waitlisted']} (expected {args.total - args.capacity}), "
          f"arrival order kept: {check['in_order']}")
    print(f"  server errors: {results.server_errors}; lost: {args.total - check['stored']}; "
          f"client failures: {len(results.failures)}")
    for failure in results.failures[:5]:
        print("   ", failure)
    ok = (check["holding"] == args.capacity and check["in_order"] and not results.failures
          and check["stored"] == args.total and results.server_errors == 0)
    print("  invariants:", "OK" if ok else "BROKEN")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
