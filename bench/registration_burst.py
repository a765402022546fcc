"""Registration burst: gunicorn (4 workers) on PostgreSQL, 600 registrations from 60 clients
against a capacity of 250, then the invariants.

    .venv/bin/python bench/registration_burst.py
    .venv/bin/python bench/registration_burst.py --database-url URL --clients 60 --total 600
    .venv/bin/python bench/registration_burst.py --smtp silent --total 48 --clients 12
    .venv/bin/python bench/registration_burst.py --before /tmp/meetings-before   # both, one run
    (an older checkout that has the mail worker runs with it, one from before it without)

Each registration is what a person does: open the form, submit it, receive the email (a real
SMTP server, aiosmtpd, runs inside this script), open the link and confirm. Latencies are those
of the POSTs (register, confirm). The mail worker (`meetings mail-worker`) runs beside gunicorn
and delivers the outbox; code from before the worker (--before, or --mail-workers 0) sent each
email inside the request. While the burst runs, a probe opens the public agenda of a 50-session
edition every second (--probe-interval). With --smtp silent the SMTP server accepts connections
and never answers (a hung server): no email arrives, so each person only opens the form and
registers.
The benchmark database is emptied and rebuilt on every run.
"""

import argparse
import email
import http.client
import json
import os
import re
import secrets
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
from bench.synthetic import build_synthetic_edition  # noqa: E402
from meetings import create_app  # noqa: E402
from meetings.extensions import db  # noqa: E402
from meetings.models import Edition, EditionStatus, utcnow  # noqa: E402
from meetings.registration import configuration  # noqa: E402
from meetings.registration.models import (  # noqa: E402
    Registration,
    RegistrationMode,
    RegistrationStatus,
)
from meetings.web.site_url import mail_site  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/meetings_registration_bench"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
LINK = re.compile(r"/manage-registration/([A-Za-z0-9_\-]+)")
AGENDA_SESSIONS = 50
AGENDA = f"/bench-{AGENDA_SESSIONS}/agenda"
SECRET_KEY = secrets.token_hex(32)  # the app refuses keys shorter than 32 characters


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL URL")
    parser.add_argument("--clients", type=int, default=60)
    parser.add_argument("--total", type=int, default=600)
    parser.add_argument("--capacity", type=int, default=250)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--smtp", choices=("normal", "silent"), default="normal",
                        help="silent: a server that accepts connections and never answers")
    parser.add_argument("--mail-workers", type=int, default=1,
                        help="`meetings mail-worker` processes (0: code that sends in requests)")
    parser.add_argument("--gather", type=float, default=None,
                        help="the mail worker's --gather in seconds (default: the worker's own)")
    parser.add_argument("--app-root", type=Path, default=ROOT,
                        help="checkout whose code gunicorn and the mail worker run")
    parser.add_argument("--probe-interval", type=float, default=1.0,
                        help="seconds between two public agenda requests during the burst")
    parser.add_argument("--before-total", type=int, default=None,
                        help="registrations for the --before run (default: --total)")
    parser.add_argument("--before", type=Path, default=None,
                        help="also run this older checkout first and compare (with --mail-workers "
                             "when it has the mail worker, else sending inside requests)")
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
        found = LINK.search(plain_text(envelope.original_content))
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


def plain_text(raw: bytes) -> str:
    """The text/plain part, decoded (email's compat32 parser: a tenth of the default's CPU)."""
    for part in email.message_from_bytes(raw).walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return ""


def prepare_database(url: str, capacity: int) -> dict:
    """Rebuild the schema with one published edition whose registration is open."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
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
        configuration.set_up(edition, now=now)
        configuration.update_settings(edition, opens_at=now - timedelta(hours=1),
                              closes_at=now + timedelta(days=7), capacity=capacity,
                              mode=RegistrationMode.OPEN, auto_promote=True,
                              privacy_notice="Bench.", now=now, site=mail_site())
        category_id = db.session.scalar(sa.text(
            "SELECT id FROM registration_category WHERE code = 'government'"))
        build_synthetic_edition(AGENDA_SESSIONS, now)  # the public agenda probed meanwhile
        db.session.commit()
        db.engine.dispose()
    return {"category_id": category_id}


def app_env(root: Path, url: str, port: int, smtp_port: int) -> dict:
    """Environment for the code under test: its own checkout first on the path."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MAIL_", "DATABASE_URL"))}
    env.update(PYTHONPATH=str(root), DATABASE_URL=url, SECRET_KEY=SECRET_KEY,
               SITE_URL=f"http://127.0.0.1:{port}", MAIL_SERVER="127.0.0.1",
               MAIL_PORT=str(smtp_port), MAIL_FROM="bench@meetings.test", MAIL_TIMEOUT="5")
    return env


def start_gunicorn(root: Path, url: str, port: int, smtp_port: int,
                   workers: int) -> subprocess.Popen:
    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": False,
              "SITE_URL": f"http://127.0.0.1:{port}", "MAIL_SERVER": "127.0.0.1",
              "MAIL_PORT": str(smtp_port), "MAIL_FROM": "bench@meetings.test"}
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(workers), "-b",
               f"127.0.0.1:{port}", "--log-level", "warning", f"meetings:create_app({config!r})"]
    process = subprocess.Popen(command, cwd=root, env=app_env(root, url, port, smtp_port))
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/burst/register", timeout=10)
            return process
        except OSError:  # not listening yet, or still loading (URLError is an OSError)
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def start_mail_workers(root: Path, url: str, port: int, smtp_port: int,
                       count: int, gather: float | None = None) -> list[subprocess.Popen]:
    """`flask --app app meetings mail-worker` processes, as systemd would run them."""
    command = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", "meetings", "mail-worker"]
    if gather is not None:
        command += ["--gather", str(gather)]
    return [subprocess.Popen(command, cwd=root, env=app_env(root, url, port, smtp_port),
                             stderr=subprocess.DEVNULL) for _ in range(count)]


class SilentServer:
    """Accepts SMTP connections and never says a word: a hung mail server."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=512)
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.accept, daemon=True)

    def accept(self):
        while not self.stopping.is_set():
            try:
                self.accepted.append(self.listener.accept()[0])
            except TimeoutError:
                continue

    def start(self):
        self.thread.start()

    def stop(self):
        self.stopping.set()
        self.thread.join(2)
        self.listener.close()
        for connection in self.accepted:
            connection.close()


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {"register": [], "confirm": []}
        self.server_errors = 0
        self.failures: list[str] = []

    def timed_post(self, browser: "Browser", path: str, data: dict, kind: str) -> str:
        """POST a form and follow its redirect; the latency covers both, as a person sees it."""
        started = time.perf_counter()
        try:
            body = browser.request("POST", path, urllib.parse.urlencode(data))
        except HttpError as error:
            with self.lock:
                self.server_errors += error.status >= 500
                self.failures.append(f"{path}: HTTP {error.status}")
            raise
        with self.lock:
            self.latencies[kind].append(time.perf_counter() - started)
        return body


class HttpError(Exception):
    def __init__(self, status: int):
        super().__init__(f"HTTP {status}")
        self.status = status


class Browser:
    """One person's browser: cookies and redirects over http.client, a new connection per
    request as gunicorn's sync workers close each one. Leaner than urllib's opener and cookie
    jar, so the load generator takes less of the cores it shares with the server."""

    def __init__(self, base: str):
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname, url.port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> str:
        for _ in range(5):
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
            try:
                connection.request(method, path, body, headers)
                response = connection.getresponse()
                content = response.read()
            finally:
                connection.close()
            for cookie in response.headers.get_all("Set-Cookie") or ():
                name, _, rest = cookie.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            if response.status in (301, 302, 303, 307, 308):
                location = urllib.parse.urlsplit(response.headers["Location"])
                path = location.path + (f"?{location.query}" if location.query else "")
                method, body = "GET", None
                continue
            if response.status >= 400:
                raise HttpError(response.status)
            return content.decode()
        raise RuntimeError(f"more than five redirects from {path}")


class AgendaProbe:
    """Opens the public agenda every `interval` seconds and keeps the latencies."""

    def __init__(self, url: str, interval: float = 0.2):
        self.url, self.interval = url, interval
        self.latencies: list[float] = []
        self.errors = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def once(self) -> None:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(self.url, timeout=120) as response:
                response.read()
            self.latencies.append(time.perf_counter() - started)
        except (urllib.error.URLError, OSError):
            self.errors += 1

    def run(self):
        while not self.stopping.wait(self.interval):
            self.once()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.stopping.set()
        self.thread.join(130)


TICK = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a live process has used."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL server process (all databases, not only this one)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    total += process_cpu(int(entry.name))
            except OSError:
                continue
    return total


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (all users, all processes)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / TICK


def csrf_of(browser: Browser, path: str) -> str:
    match = CSRF.search(browser.request("GET", path))
    return match.group(1) or match.group(2)


def one_registration(base: str, n: int, category_id: int, mailbox: Mailbox | None,
                     results: Results) -> None:
    """Open the form, register, read the email, confirm: one person's whole flow."""
    browser = Browser(base)
    address = f"person{n}@example.org"
    form = {"csrf_token": csrf_of(browser, "/burst/register"), "given_name": f"P{n}",
            "family_name": "Bench", "email": address, "organization": "Bench police",
            "country": "NL", "category": str(category_id), "language": "en", "consent": "y"}
    results.timed_post(browser, "/burst/register", form, "register")
    if mailbox is None:  # a hung SMTP server: no email ever arrives
        return
    manage = f"/manage-registration/{mailbox.wait_for(address)}"
    results.timed_post(browser, f"{manage}/verify", {"csrf_token": csrf_of(browser, manage)},
                       "confirm")


def run_clients(base: str, args, category_id: int,
                mailbox: Mailbox | None) -> tuple[Results, float]:
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
        outbox = dict(connection.execute(sa.text(
            "SELECT status, count(*) FROM outbox_message GROUP BY status")).all())
    engine.dispose()
    holding = [a for s, a in rows if s in (RegistrationStatus.APPROVED, RegistrationStatus.PENDING)]
    waiting = [a for s, a in rows if s == RegistrationStatus.WAITLISTED]
    return {
        "holding": len(holding), "waitlisted": len(waiting), "stored": len(rows),
        "in_order": sorted(holding) == list(range(1, capacity + 1))
        and sorted(waiting) == list(range(capacity + 1, total + 1)),
        "outbox": outbox,
    }


def percentiles(seconds: list[float]) -> str:
    if not seconds:
        return "no requests"
    ms = sorted(1000 * s for s in seconds)
    return (f"p50 {statistics.median(ms):.0f} ms, p95 {ms[int(0.95 * (len(ms) - 1))]:.0f} ms, "
            f"max {ms[-1]:.0f} ms ({len(ms)} requests)")


def run_scenario(args, root: Path, mail_workers: int) -> dict:
    """One burst against the code in `root`; returns the figures."""
    category_id = prepare_database(args.database_url, args.capacity)["category_id"]
    mailbox = Mailbox() if args.smtp == "normal" else None
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port()) if mailbox \
        else SilentServer()
    smtp.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(root, args.database_url, port, smtp.port, args.workers)
    workers = start_mail_workers(root, args.database_url, port, smtp.port, mail_workers,
                                 args.gather)
    try:
        for _ in range(4 * args.workers):  # every worker compiles its templates first
            urllib.request.urlopen(f"{base}/burst/register", timeout=120).read()
        idle = AgendaProbe(base + AGENDA)
        for _ in range(20):
            idle.once()
        web = [server.pid, *children_of(server.pid)]
        cpu_before = [sum(map(process_cpu, web)), sum(process_cpu(w.pid) for w in workers),
                      machine_busy(), process_cpu(os.getpid()), postgres_cpu()]
        with AgendaProbe(base + AGENDA, args.probe_interval) as busy:
            results, elapsed = run_clients(base, args, category_id, mailbox)
        cpu = {"gunicorn": sum(map(process_cpu, web)) - cpu_before[0],
               "mail worker": sum(process_cpu(w.pid) for w in workers) - cpu_before[1],
               "machine": machine_busy() - cpu_before[2],
               "bench": process_cpu(os.getpid()) - cpu_before[3],
               "postgres": postgres_cpu() - cpu_before[4]}
    finally:
        for process in [server, *workers]:
            process.terminate()
        for process in [server, *workers]:
            process.wait(timeout=30)
        smtp.stop()
    return {"results": results, "elapsed": elapsed, "idle": idle, "busy": busy, "cpu": cpu,
            "check": invariants(args.database_url, args.capacity, args.total),
            "root": root, "mail_workers": mail_workers}


def report(args, figures: dict) -> bool:
    results, check, elapsed = figures["results"], figures["check"], figures["elapsed"]
    how = (f"{figures['mail_workers']} mail worker(s)" if figures["mail_workers"]
           else "email sent inside the request")
    print(f"[{figures['root']}] {how}, SMTP server: {args.smtp}")
    flow = "form, submit, email, confirm" if args.smtp == "normal" else "form, submit"
    print(f"  {args.total} registrations ({flow}) from {args.clients} clients, "
          f"gunicorn -w {args.workers}, PostgreSQL, capacity {args.capacity}")
    print(f"  throughput: {args.total / elapsed:.1f} registrations/s ({elapsed:.1f} s)")
    print(f"  register POST: {percentiles(results.latencies['register'])}")
    if args.smtp == "normal":
        print(f"  confirm POST: {percentiles(results.latencies['confirm'])}")
    busy = figures["busy"]
    failed = f"; {busy.errors} failed" if busy.errors else ""
    print(f"  public agenda ({AGENDA_SESSIONS} sessions), idle: "
          f"{percentiles(figures['idle'].latencies)}")
    print(f"  public agenda during the burst: {percentiles(busy.latencies)}{failed}")
    print(f"  outbox afterwards: {check['outbox']}")
    cpu = figures["cpu"]
    print(f"  CPU during the burst: machine {cpu['machine']:.1f} s of "
          f"{CORES * elapsed:.1f} s on {CORES} cores (every process, other users' too); gunicorn "
          f"{cpu['gunicorn']:.1f} s, mail worker {cpu['mail worker']:.1f} s, PostgreSQL "
          f"{cpu['postgres']:.1f} s, this script (clients, SMTP server) {cpu['bench']:.1f} s; "
          f"{1000 * cpu['gunicorn'] / args.total:.0f} ms gunicorn CPU per registration")
    print(f"  server errors: {results.server_errors}; lost: {args.total - check['stored']}; "
          f"client failures: {len(results.failures)}")
    for failure in results.failures[:5]:
        print("   ", failure)
    ok = check["stored"] == args.total and results.server_errors == 0 and not results.failures
    if args.smtp == "normal":
        print(f"  holding seats: {check['holding']} (expected {args.capacity})")
        print(f"  waitlisted: {check['waitlisted']} (expected {args.total - args.capacity}), "
              f"arrival order kept: {check['in_order']}")
        ok = ok and check["holding"] == args.capacity and check["in_order"]
    print("  invariants:", "OK" if ok else "BROKEN")
    return ok


def reference_workload_ms() -> float:
    """CPU ms of a fixed pure-Python workload, best of three: the machine's speed at the time.

    The same code has run 2.2 times slower on this machine one day than another; this figure,
    printed with every run, says which kind of day it was (lower is faster).
    """
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        table: dict[str, int] = {}
        for n in range(200_000):
            key = f"key{n % 5000}"
            table[key] = table.get(key, 0) + n * 3 % 7
        json.loads(json.dumps(table))
        best = min(best, time.process_time() - started)
    return 1000 * best


def main(argv=None) -> int:
    args = parse_args(argv)
    ensure_postgres_database(args.database_url)
    print(f"reference workload before the runs: {reference_workload_ms():.0f} ms CPU "
          "(machine speed; lower is faster)")
    runs = []
    if args.before is not None:
        before = argparse.Namespace(**vars(args))
        before.total = args.before_total or args.total
        root = args.before.resolve()
        has_worker = (root / "meetings" / "mail" / "worker.py").exists()
        runs.append((before, run_scenario(before, root, args.mail_workers if has_worker else 0)))
    runs.append((args, run_scenario(args, args.app_root.resolve(), args.mail_workers)))
    results = [report(run_args, figures) for run_args, figures in runs]
    print(f"reference workload after the runs: {reference_workload_ms():.0f} ms CPU")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
