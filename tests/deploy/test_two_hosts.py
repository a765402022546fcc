"""Two app hosts behind one nginx over HTTPS, one of them SIGKILLed in the middle of a burst.

Each host is a network namespace running gunicorn from this checkout with deploy/gunicorn.conf.py;
nginx runs deploy/nginx/meetings.conf with both in its upstream; PostgreSQL, Redis and SMTP on
127.0.0.1 are reached through forwarders on the veth pairs. PostgreSQL only (collected only when
TEST_DATABASE_URL is set): two hosts on one SQLite file would prove nothing.
"""

import os
import random
import re
import shutil
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from tests.conftest import POSTGRES_URL
from tests.deploy import stack
from tests.deploy.netns import Network

TOTAL, CLIENTS, CAPACITY = 100, 50, 37
KILL_AFTER, KILL_LATEST = TOTAL // 2, 3 * TOTAL // 4  # people confirmed when A is killed
MIN_IN_FLIGHT = 8
APP_PORT = 8000
BURST_SECONDS = 75
ATTEMPTS = 6


def require_tools() -> None:
    stack.require(os.geteuid() == 0, "network namespaces need root")
    for tool in ("ip", "socat", "openssl"):
        stack.require(shutil.which(tool) is not None, f"{tool} not found (apt-get install -y "
                      f"{'iproute2' if tool == 'ip' else tool})")
    stack.require(os.path.exists(stack.NGINX), "nginx not found (apt-get install -y nginx)")


def open_edition(database_url: str, slug: str) -> int:
    """Open registration without approval at capacity 37, with none of the demo's registrations
    (the burst's arrivals must be 1…100); returns the Government category id."""
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        edition_id = connection.scalar(sa.text("SELECT id FROM edition WHERE slug = :s"),
                                       {"s": slug})
        connection.execute(sa.text("DELETE FROM registration WHERE edition_id = :e"),
                           {"e": edition_id})
        connection.execute(sa.text(
            "UPDATE registration_settings SET capacity = :c, mode = 'open', auto_promote = true, "
            "last_arrival = 0 WHERE edition_id = :e"), {"c": CAPACITY, "e": edition_id})
        category_id = connection.scalar(sa.text(
            "SELECT id FROM registration_category WHERE edition_id = :e AND code = 'government' "
            "AND NOT requires_approval"), {"e": edition_id})
    engine.dispose()
    assert category_id is not None
    return category_id


@dataclass
class Burst:
    """What the clients saw."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)  # answers other than the expected 302
    retries: int = 0
    connection_errors: list[str] = field(default_factory=list)
    answered: Counter = field(default_factory=Counter)  # email -> register POSTs answered 302
    retried_after_502: dict = field(default_factory=lambda: {"register": set(), "confirm": set()})
    confirmed: int = 0
    sent: int = 0  # register POSTs sent, retries included
    killed_after_sent: int = 0
    failures: list[str] = field(default_factory=list)
    killed_at: datetime | None = None
    elapsed: float = 0.0

    kill: object = None
    in_flight: int = 0  # register POSTs sent and not yet answered
    in_flight_at_kill: int = 0

    def note(self, **changes) -> None:
        with self.lock:
            for name, value in changes.items():
                setattr(self, name, getattr(self, name) + value)

    def register_sent(self) -> None:
        """Halfway, with registrations in flight on both hosts, SIGKILL host A's gunicorn.

        Halfway is KILL_AFTER people confirmed; the kill waits (at most until KILL_LATEST) for
        MIN_IN_FLIGHT registration POSTs on the wire, so host A surely holds some of them.
        """
        with self.lock:
            self.sent += 1
            self.in_flight += 1
            due = self.killed_at is None and (
                (self.confirmed >= KILL_AFTER and self.in_flight >= MIN_IN_FLIGHT)
                or self.confirmed >= KILL_LATEST)
            if due:
                self.killed_at = datetime.now(UTC)
                self.killed_after_sent, self.in_flight_at_kill = self.sent, self.in_flight
        if due:
            self.kill()

    def register_landed(self) -> None:
        with self.lock:
            self.in_flight -= 1


def post_until_answered(client, burst: Burst, form_path: str, post_path: str, form: dict,
                        address: str) -> None:
    """GET the form, POST it; on a 502, a dropped connection or a busy answer, try again."""
    registering = post_path.endswith("/register")
    for _ in range(ATTEMPTS):
        on_wire = []

        def sent(on_wire=on_wire):
            on_wire.append(1)
            burst.register_sent()

        try:
            token = client.csrf(form_path)
            started = time.perf_counter()
            status, _, _ = client.request("POST", post_path,
                                          form={**form, "csrf_token": token},
                                          sent=sent if registering else None)
        except (OSError, AssertionError) as error:  # a GET answered 502, or a reset
            with burst.lock:
                burst.connection_errors.append(repr(error)[:120])
                burst.retries += 1
            time.sleep(0.2)
            continue
        finally:
            if on_wire:
                burst.register_landed()
        if status == 302:
            with burst.lock:
                burst.latencies.append(time.perf_counter() - started)
                if registering:
                    burst.answered[address] += 1
            return
        with burst.lock:
            burst.statuses[status] += 1
            burst.retries += 1
            if status == 502:
                kind = "register" if registering else "confirm"
                burst.retried_after_502[kind].add(address)
        time.sleep(0.2)
    raise AssertionError(f"{post_path} for {address}: no answer after {ATTEMPTS} attempts")


def run_burst(url, context, slug, category_id, mailbox, kill, source_prefix) -> Burst:
    """TOTAL people from CLIENTS clients: form, register, email, confirm; `kill` at halfway."""
    burst = Burst(kill=kill)
    numbers = iter(range(TOTAL))
    take = threading.Lock()
    deadline = time.monotonic() + BURST_SECONDS
    register = f"/{slug}/register"

    def person(client, n):
        address = f"person{n}@example.org"
        form = {"given_name": f"P{n}", "family_name": "Burst", "email": address,
                "organization": "Burst police", "country": "NL", "category": str(category_id),
                "language": "en", "consent": "y"}
        post_until_answered(client, burst, register, register, form, address)
        _, body = mailbox.wait_for(address, timeout=30)
        manage = stack.manage_path(body)
        post_until_answered(client, burst, manage, f"{manage}/verify", {}, address)
        burst.note(confirmed=1)

    def client_loop(index):
        client = stack.Client(url, context, source=f"{source_prefix}.{10 + index}")
        while time.monotonic() < deadline:
            with take:
                n = next(numbers, None)
            if n is None:
                return
            try:
                person(client, n)
            except Exception as error:  # noqa: BLE001 - reported by the test
                with burst.lock:
                    burst.failures.append(f"person{n}: {error!r}"[:300])

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.monotonic() + 35))
    burst.elapsed = time.monotonic() - started
    return burst


def host_client(host, nginx, context, client_ip: str, spoofed: str = "") -> stack.Client:
    """Talk to one app host directly, with the headers nginx would add."""
    forwarded = f"{spoofed}, {client_ip}" if spoofed else client_ip
    return stack.Client(f"http://{host.address}:{APP_PORT}", context,
                        source=host.gateway, host=f"127.0.0.1:{nginx.https_port}",
                        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": forwarded,
                                 "X-Forwarded-Host": f"127.0.0.1:{nginx.https_port}"})


def check_session_across_hosts(network, nginx, context) -> None:
    """Log in through host A, use the session on host B, log out on B: A sees it too."""
    a, b = (host_client(h, nginx, context, "127.0.0.5") for h in network.hosts)
    b.cookies = a.cookies
    token = a.csrf("/login")
    b.referer = a.referer
    status, headers, _ = b.request("POST", "/login", form={
        "csrf_token": token, "email": stack.ADMIN_EMAIL, "password": stack.ADMIN_PASSWORD})
    assert status == 302, "login through host B with host A's form"
    assert a.request("GET", "/manage/")[0] == 200, "host A knows the session made on host B"
    token = b.csrf("/manage/")
    a.referer = b.referer
    assert a.request("POST", "/logout", form={"csrf_token": token})[0] == 302
    status, headers, _ = b.request("GET", "/manage/")
    assert status == 302 and "/login" in headers["location"]


def check_rate_limit_across_hosts(network, nginx, context, slug, client_ip: str) -> None:
    """Lost-link allows 5 posts an hour per address: counted across hosts, spoofing ignored."""
    path = f"/{slug}/register/lost-link"
    answers = []
    for attempt in range(7):
        host = network.hosts[attempt % 2]
        client = host_client(host, nginx, context, client_ip, spoofed=f"203.0.113.{attempt}")
        token = client.csrf(path)
        answers.append(client.request("POST", path, form={
            "csrf_token": token, "email": "nobody@example.org"})[0])
    assert answers == [302] * 5 + [429, 429], answers


def served_by(nginx, network) -> dict[str, int]:
    log = nginx.access_log()
    return {host.name[-1].upper(): len(re.findall(
        rf'"POST /[^ ]+ HTTP/[.0-9]+" \S+ \S+ \S+ upstream=\S*{re.escape(host.address)}:', log))
        for host in network.hosts}


def seats(database_url: str) -> list[tuple[str, str, int | None, datetime]]:
    """(email, status, arrival, created_at) of every registration, in arrival order."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT email, status, arrival, created_at FROM registration ORDER BY arrival")).all()
    engine.dispose()
    return [(email, status, arrival, aware(created)) for email, status, arrival, created in rows]


def outbox(database_url: str) -> Counter:
    """Outbox messages by status."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT status, count(*) FROM outbox_message GROUP BY status")).all()
    engine.dispose()
    return Counter(dict(rows))


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def stored_before_the_kill(burst: Burst, rows) -> int:
    """Registrations whose POST got a 502 but which host A had committed before it died."""
    created = {email: at for email, _, _, at in rows}
    return sum(1 for address in burst.retried_after_502["register"]
               if created[address] < burst.killed_at)


def report(burst: Burst, served: dict, rows) -> str:
    ms = sorted(1000 * s for s in burst.latencies)
    p95 = ms[int(0.95 * (len(ms) - 1))] if ms else float("nan")
    bad_gateway = burst.statuses.get(502, 0)
    others = sum(burst.statuses.values()) - bad_gateway
    holding = sum(1 for _, status, _, _ in rows if status in ("approved", "pending"))
    return "\n".join([
        "",
        f"Two app hosts (gunicorn -w 2 each, network namespaces) behind nginx over HTTPS, "
        f"PostgreSQL, Redis rate limits: {TOTAL} registrations (form, register, email, confirm) "
        f"from {CLIENTS} clients, capacity {CAPACITY}, host A's gunicorn SIGKILLed once "
        f"{KILL_AFTER} people had confirmed, {burst.in_flight_at_kill} registrations in flight",
        f"  throughput: {len(rows) / burst.elapsed:.1f} registrations/s ({burst.elapsed:.1f} s)",
        f"  POST latency: p50 {statistics.median(ms) if ms else float('nan'):.0f} ms, "
        f"p95 {p95:.0f} ms ({len(ms)} answered POSTs)",
        f"  502s: {bad_gateway}; other error answers: {others} {dict(burst.statuses)}; "
        f"dropped connections: {len(burst.connection_errors)}; retries: {burst.retries}; "
        f"retried after a 502: {len(burst.retried_after_502['register'])} registrations, "
        f"{len(burst.retried_after_502['confirm'])} confirmations "
        f"({stored_before_the_kill(burst, rows)} of those registrations had been stored by host A "
        f"before it died: the retry found them)",
        f"  POSTs served by host A: {served.get('A', 0)}, host B: {served.get('B', 0)}",
        f"  stored: {len(rows)}, holding seats: {holding}, waitlisted: {len(rows) - holding}; "
        f"client failures: {len(burst.failures)}",
    ])


def test_two_hosts_keep_seats_order_and_sessions_when_one_is_killed(tmp_path, capsys):
    require_tools()
    started = time.monotonic()
    database_url = stack.scratch_postgres(POSTGRES_URL, "hosts")
    cleanup = []
    try:
        network = Network(2, tmp_path)
        cleanup.append(network.remove)
        mailbox = stack.Mailbox()
        smtp = Controller(mailbox, hostname="127.0.0.1", port=stack.free_port())
        smtp.start()
        cleanup.append(smtp.stop)
        postgres_port = sa.make_url(database_url).port or 5432
        for host in network.hosts:
            for port, target in ((5432, postgres_port), (6379, 6379), (smtp.port, smtp.port)):
                network.forward(host, port, target)
        cert, key = stack.make_certificate(tmp_path)
        nginx = stack.Nginx(tmp_path / "nginx", [f"{h.address}:{APP_PORT}"
                                                 for h in network.hosts], cert, key)
        cleanup.append(nginx.stop)

        def settings(gateway: str) -> dict:
            url = sa.make_url(database_url).set(host=gateway, port=5432)
            return stack.base_environment({
                "SECRET_KEY": secret, "DATABASE_URL": url.render_as_string(hide_password=False),
                "SITE_URL": nginx.url, "PROXY_FIX": 1, "SESSION_COOKIE_SECURE": 1,
                "RATELIMIT_STORAGE_URI": f"redis://{gateway}:6379/0",
                "MAIL_SERVER": gateway, "MAIL_PORT": smtp.port,
                "MAIL_FROM": "registration@meetings.test", "FORWARDED_ALLOW_IPS": gateway})

        secret = os.urandom(24).hex()
        local = settings("127.0.0.1")
        local["DATABASE_URL"] = database_url
        slug = stack.prepare_site(local)
        category_id = open_edition(database_url, slug)

        apps = []
        for host in network.hosts:
            app = stack.start_gunicorn(settings(host.gateway), f"{host.address}:{APP_PORT}",
                                       tmp_path / f"gunicorn-{host.name}.log", netns=host.name)
            cleanup.append(app.stop)
            apps.append(app)
        for host in network.hosts:  # a mail worker on each host: none sends a message twice
            worker = stack.start_mail_worker(settings(host.gateway),
                                             tmp_path / f"mail-worker-{host.name}.log", host.name)
            cleanup.append(worker.stop)

        context = stack.tls_context(cert)
        source_prefix = f"127.{random.randint(1, 254)}.{random.randint(0, 255)}"
        check_session_across_hosts(network, nginx, context)
        check_rate_limit_across_hosts(network, nginx, context, slug, f"{source_prefix}.250")

        burst = run_burst(nginx.url, context, slug, category_id, mailbox,
                          lambda: apps[0].kill_group(), source_prefix)
        rows = seats(database_url)
        served = served_by(nginx, network)
        statuses = stack.wait_until(lambda: (o := outbox(database_url))["pending"] == 0 and o,
                                    20, "the outbox to empty")
        stack.wait_until(lambda: len(mailbox.messages) >= statuses["sent"], 5, "the last mail")
        with capsys.disabled():
            print(report(burst, served, rows))
            print(f"  mail: {statuses['sent']} messages sent by the two workers, "
                  f"{len(mailbox.messages)} received by the SMTP server")

        assert burst.killed_at is not None and not apps[0].alive()
        assert burst.failures == []
        # What monitoring sees: the site and the surviving host are healthy, the killed one is gone.
        assert stack.Client(nginx.url, context).request("GET", "/health")[0] == 200
        killed, survivor = (stack.Client(f"http://{host.address}:{APP_PORT}", None,
                                         source=host.gateway) for host in network.hosts)
        assert survivor.request("GET", "/health")[0] == 200
        with pytest.raises(OSError):  # refused: nothing listens on host A any more
            killed.request("GET", "/health", timeout=5)
        emails = Counter(email for email, _, _, _ in rows)
        assert len(rows) == TOTAL and set(emails.values()) == {1}
        assert all(emails[address] == 1 for address in burst.answered)
        # Host A died with registrations in flight: their clients saw 502 and sent them again.
        assert burst.retried_after_502["register"]
        for retried in burst.retried_after_502.values():
            assert all(emails[address] == 1 for address in retried)
        holding = [arrival for _, status, arrival, _ in rows if status in ("approved", "pending")]
        waiting = [arrival for _, status, arrival, _ in rows if status == "waitlisted"]
        assert holding == list(range(1, CAPACITY + 1))
        assert waiting == list(range(CAPACITY + 1, TOTAL + 1))
        assert served["A"] > 0 and served["B"] > 0
        # Two mail workers (one per host) delivered every message once: nothing pending or
        # failed, and the SMTP server received exactly as many messages as the outbox sent.
        assert set(statuses) == {"sent"}
        assert len(mailbox.messages) == statuses["sent"]

        # Registering again with the same address creates nothing; its owner gets the link again.
        again = stack.Client(nginx.url, context, source=f"{source_prefix}.251")
        before = mailbox.count("person0@example.org")
        post_until_answered(again, Burst(), f"/{slug}/register", f"/{slug}/register", {
            "given_name": "P0", "family_name": "Again", "email": "person0@example.org",
            "organization": "Burst police", "country": "NL", "category": str(category_id),
            "language": "en", "consent": "y"}, "person0@example.org")
        mailbox.wait_for("person0@example.org", after=before)
        assert len(seats(database_url)) == TOTAL
        assert time.monotonic() - started < 120
    finally:
        errors = []
        for step in reversed(cleanup):
            try:
                step()
            except Exception as error:  # noqa: BLE001 - keep cleaning up, then report
                errors.append(repr(error))
        stack.drop_postgres(database_url)
        assert errors == []
