"""Part 2 of bench/feeds.py: the cached feed served by gunicorn against a bare endpoint.

Both apps run under gunicorn with the same worker count on 127.0.0.1; the load generator is wrk
(Debian's package) when it is installed, else a Python thread pool with keep-alive connections.
"""

import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
WORKERS = 4
THREADS, CONNECTIONS = 2, 32


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(target: str, env: dict, probe: str) -> tuple[subprocess.Popen, int]:
    """gunicorn -w 4 on a free loopback port, once `probe` answers 200."""
    port = free_port()
    command = [GUNICORN, "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--log-level",
               "warning", target]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if fetch(port, probe)[0] == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"gunicorn {target} did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def fetch(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def wrk(port: int, path: str, headers: dict, duration: int) -> float:
    """Requests per second by wrk; any socket error or unexpected status is fatal."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], check=True,
                            capture_output=True, text=True).stdout
    if "Socket errors" in output or "Non-2xx" in output:
        raise SystemExit(f"wrk reported errors:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def python_load(port: int, path: str, headers: dict, duration: int) -> float:
    """Requests per second from CONNECTIONS threads, reconnecting when the server closes."""
    counts = [0] * CONNECTIONS
    deadline = time.monotonic() + duration

    def client(slot: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < deadline:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status not in (200, 304):
                raise SystemExit(f"GET {path} answered {response.status}")
            counts[slot] += 1
            if response.will_close:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.close()

    threads = [threading.Thread(target=client, args=(slot,)) for slot in range(CONNECTIONS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started)


def load(port: int, path: str, headers: dict, duration: int) -> float:
    """A short warm-up (every worker gets its copy of the body), then the measured run."""
    run = wrk if shutil.which("wrk") else python_load
    run(port, path, headers, 2)
    return run(port, path, headers, duration)


def feed_cases(feed_port: int, path: str) -> tuple[list, bytes]:
    """(label, port, path, headers, bare case to compare with), validators taken from a GET."""
    status, plain, body = fetch(feed_port, path)
    _, zipped, _ = fetch(feed_port, path, {"Accept-Encoding": "gzip"})
    assert status == 200 and zipped.get("Content-Encoding") == "gzip", (status, zipped)
    gzip_header = {"Accept-Encoding": "gzip"}
    return [
        ("cached feed", feed_port, path, {}, "bare"),
        ("304 (If-None-Match)", feed_port, path, {"If-None-Match": plain["ETag"]}, "bare"),
        ("cached feed, gzip", feed_port, path, gzip_header, "bare, gzip"),
        ("304, gzip", feed_port, path, {**gzip_header, "If-None-Match": zipped["ETag"]},
         "bare, gzip"),
    ], body


def serve_and_measure(database_url: str, slug: str, duration: int, rounds: int) -> None:
    """Print requests per second for the cached feed, a 304 and the bare endpoint."""
    # The app refuses a SECRET_KEY shorter than 32 characters from the environment.
    env = {"DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
           "SITE_URL": "http://localhost", "CALENDAR_DOMAIN": "bench.test"}
    path = f"/{slug}/agenda.ics"
    app, app_port = start_gunicorn("app:app", env, path)
    body_file = Path(tempfile.mkdtemp(prefix="meetings-bench-")) / "feed.ics"
    try:
        cases, body = feed_cases(app_port, path)
        body_file.write_bytes(body)
        bare, bare_port = start_gunicorn("bench.bare_app:app",
                                         {"BENCH_BODY_FILE": str(body_file)}, "/feed.ics")
        try:
            rates = measure_all(cases, bare_port, duration, rounds)
        finally:
            stop(bare)
    finally:
        stop(app)
        body_file.unlink(missing_ok=True)
    print_load(rates, len(body), path, duration, rounds)


def measure_all(cases: list, bare_port: int, duration: int, rounds: int) -> dict[str, float]:
    """The best of `rounds` interleaved passes: other load on the machine only ever slows a run."""
    bare_cases = [("bare", bare_port, "/feed.ics", {}),
                  ("bare, gzip", bare_port, "/feed.ics", {"Accept-Encoding": "gzip"})]
    everything = [*bare_cases, *(case[:4] for case in cases)]
    rates: dict = {label: 0.0 for label, *_ in everything}
    for _ in range(rounds):
        for label, port, path, headers in everything:
            rates[label] = max(rates[label], load(port, path, headers, duration))
    rates["_compare"] = {label: compare for label, _, _, _, compare in cases}
    return rates


def print_load(rates: dict, size: int, path: str, duration: int, rounds: int) -> None:
    tool = (f"wrk -t{THREADS} -c{CONNECTIONS} -d{duration}s" if shutil.which("wrk")
            else f"Python client, {CONNECTIONS} threads, {duration} s")
    print(f"\nServed: gunicorn -w {WORKERS} (sync) on 127.0.0.1, {tool}; "
          f"best of {rounds} interleaved rounds; {path} = {size / 1024:.0f} KiB")
    print(f"{'endpoint':<22} {'req/s':>9} {'vs bare':>8}")
    compare = rates.pop("_compare")
    for label, rate in rates.items():
        ratio = f"{rate / rates[compare[label]]:.2f}" if label in compare else ""
        print(f"{label:<22} {rate:>9.0f} {ratio:>8}")
    for label in ("cached feed", "304 (If-None-Match)"):
        ratio = rates[label] / rates[compare[label]]
        print(f"Target {label} >= 0.6 of bare: {'met' if ratio >= 0.6 else 'MISSED'} "
              f"({ratio:.2f})")
