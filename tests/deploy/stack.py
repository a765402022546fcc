"""The deployment as an operator builds it: deploy/'s files, gunicorn, nginx, the flask CLI.

Everything runs as separate processes started from this checkout; nginx runs its own
configuration (`-c`, `-p`) on free high ports on 127.0.0.1, never the system service.
"""

import email
import email.policy
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SITE_FILE = DEPLOY / "nginx" / "meetings.conf"
VENV_BIN = ROOT / ".venv" / "bin"
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
MIME_TYPES = "/etc/nginx/mime.types"
ADMIN_EMAIL = "deploy-admin@example.org"
ADMIN_PASSWORD = "Quartz-lantern 7 harbour ferns"
LINK = re.compile(r"/manage-registration/[A-Za-z0-9_\-]+")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def missing_tools() -> list[str]:
    """What the deployment tier needs from this machine and does not find, with install hints."""
    from tests.browser.conftest import CHROMIUM, chromium_available

    needs = {
        "nginx (apt-get install -y nginx)": os.path.exists(NGINX),
        "openssl (apt-get install -y openssl)": shutil.which("openssl"),
        "ip (apt-get install -y iproute2)": shutil.which("ip"),
        "socat (apt-get install -y socat)": shutil.which("socat"),
        "systemd-analyze (apt-get install -y systemd)": shutil.which("systemd-analyze"),
        "root, for network namespaces": os.geteuid() == 0,
        f"Chromium at {CHROMIUM} (apt-get install -y chromium)": chromium_available(),
    }
    return [name for name, found in needs.items() if not found]


def require(condition: bool, what: str) -> None:
    """A tool the tier needs is missing: that is a failure (the tier is collected only on a
    machine that has them all, and always under CI=true)."""
    if not condition:
        pytest.fail(f"{what}: the deployment tier needs it")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


# --- Certificate -----------------------------------------------------------------------------

def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (valid for two days), made with openssl."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
         "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30)
    return cert, key


def tls_context(cert: Path) -> ssl.SSLContext:
    """A client context that trusts only the test's certificate (verification stays on)."""
    return ssl.create_default_context(cafile=str(cert))


# --- Processes -------------------------------------------------------------------------------

def base_environment(settings: dict) -> dict:
    """A clean environment with the app's settings (nothing leaks in from the test runner)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
           "HOME": os.environ.get("HOME", "/root"), "PYTHONDONTWRITEBYTECODE": "1"}
    env.update({name: str(value) for name, value in settings.items()})
    return env


def flask(env: dict, *args: str, input: str | None = None,
          timeout: float = 120) -> subprocess.CompletedProcess:
    """`flask --app app …` from the checkout, as the operator runs it."""
    result = subprocess.run([str(VENV_BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=env,
                            input=input, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"flask {' '.join(args)}: {result.stdout}{result.stderr}"
    return result


class Process:
    """A long-running child in its own process group, its output in a log file."""

    def __init__(self, command: list[str], env: dict, log: Path, name: str):
        self.name, self.log_path = name, log
        self.log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log,
                                      stderr=subprocess.STDOUT, start_new_session=True)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill_group(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (master and every worker)."""
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        if self.alive():
            self.kill_group(sig)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill_group(signal.SIGKILL)
        self.kill_group(signal.SIGKILL)  # stragglers in the group (workers of a dead master)
        self.popen.wait(timeout=timeout)
        self.log.close()

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")


def start_gunicorn(env: dict, bind: str, log: Path, netns: str | None = None,
                   workers: int = 2) -> Process:
    """gunicorn -c deploy/gunicorn.conf.py app:app, optionally inside a network namespace."""
    env = {**env, "GUNICORN_BIND": bind, "WEB_CONCURRENCY": str(workers)}
    command = [str(VENV_BIN / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py"), "app:app"]
    if netns:
        command = ["ip", "netns", "exec", netns, *command]
    process = Process(command, env, log, f"gunicorn {bind}")
    host, port = bind.rsplit(":", 1)
    try:
        # A namespace's address is reached from here over its veth pair.
        wait_until(lambda: port_open(host, int(port)) or not process.alive(), 60,
                   f"gunicorn on {bind}")
        assert process.alive(), process.output()
    except BaseException:
        process.stop()
        raise
    return process


# --- nginx -----------------------------------------------------------------------------------

def render_site(*, https_port: int, http_port: int, upstreams: list[str], cert: Path, key: Path,
                directory: Path) -> str:
    """deploy/nginx/meetings.conf with ports, paths and app hosts of this test substituted.

    Every substitution must match the shipped file exactly as often as expected, so a change to
    the file that this test would silently stop covering fails here instead.
    """
    text = SITE_FILE.read_text()
    server_lines = "".join(f"    server {address} max_fails=1 fail_timeout=10s;\n"
                           for address in upstreams)
    rules = [
        (r"    server 10\.0\.0\.11:8000 [^\n]*\n    server 10\.0\.0\.12:8000 [^\n]*\n",
         server_lines, 1),
        (r"listen 80;", f"listen 127.0.0.1:{http_port};", 1),
        (r"listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;", 1),
        (r"\n    listen \[::\]:(80|443)[^\n]*;", "", 2),
        (r"server_name meetings\.example\.org;", "server_name 127.0.0.1;", 2),
        (r"/etc/letsencrypt/live/meetings\.example\.org/fullchain\.pem", str(cert), 1),
        (r"/etc/letsencrypt/live/meetings\.example\.org/privkey\.pem", str(key), 1),
        (r"/var/cache/nginx/meetings", str(directory / "cache"), 1),
        (r"/var/log/nginx/", f"{directory}/", 2),
        (r"/var/www/letsencrypt", str(directory / "acme"), 2),
        (r"/srv/meetings/app/static/", f"{ROOT}/static/", 1),
    ]
    for pattern, replacement, count in rules:
        text, found = re.subn(pattern, lambda _m, r=replacement: r, text)
        assert found == count, f"{pattern!r} matched {found} times in {SITE_FILE}, not {count}"
    return text


def nginx_main_config(directory: Path, site: Path) -> str:
    """The http{} wrapper Debian's /etc/nginx/nginx.conf would give, pointed at a temp dir."""
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {name}_temp_path {directory}/{name}_temp;"
                     for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}worker_processes 2;
pid {directory}/nginx.pid;
error_log {directory}/nginx-main.error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include {MIME_TYPES};
    default_type application/octet-stream;
    gzip on;
{temp}
    include {site};
}}
"""


class Nginx:
    """nginx with the rendered site on 127.0.0.1 (HTTPS and HTTP ports of its own)."""

    def __init__(self, directory: Path, upstreams: list[str], cert: Path, key: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.https_port, self.http_port = free_port(), free_port()
        site = directory / "meetings.conf"
        site.write_text(render_site(https_port=self.https_port, http_port=self.http_port,
                                    upstreams=upstreams, cert=cert, key=key, directory=directory))
        self.config = directory / "nginx.conf"
        self.config.write_text(nginx_main_config(directory, site))
        checked = subprocess.run([NGINX, "-t", "-q", "-c", str(self.config), "-p", str(directory)],
                                 capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stderr
        self.process = Process([NGINX, "-c", str(self.config), "-p", str(directory)],
                               {"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                               directory / "nginx.out", "nginx")
        try:
            wait_until(lambda: port_open("127.0.0.1", self.https_port) or not self.process.alive(),
                       30, "nginx")
            assert self.process.alive(), self.process.output() + self.error_log()
        except BaseException:
            self.process.stop()
            raise

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def access_log(self) -> str:
        path = self.directory / "meetings.access.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def error_log(self) -> str:
        path = self.directory / "meetings.error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        self.process.stop(signal.SIGQUIT)


# --- HTTP client -----------------------------------------------------------------------------

class Client:
    """One person's HTTPS client: its own source address on lo, cookies, Referer like a browser."""

    def __init__(self, base: str, context: ssl.SSLContext, source: str = "127.0.0.1",
                 host: str | None = None, headers: dict | None = None):
        parts = urllib.parse.urlsplit(base)
        self.scheme, self.address, self.port = parts.scheme, parts.hostname, parts.port
        self.host = host or parts.netloc
        self.context, self.source = context, source
        self.cookies: dict[str, str] = {}
        self.extra = headers or {}
        self.referer = f"https://{self.host}/"

    def request(self, method: str, path: str, form: dict | None = None,
                headers: dict | None = None, timeout: float = 30,
                sent=None) -> tuple[int, dict, str]:
        """One request on a new connection; `sent()` is called once it is on the wire."""
        if self.scheme == "https":
            connection = http.client.HTTPSConnection(self.address, self.port, timeout=timeout,
                                                     context=self.context,
                                                     source_address=(self.source, 0))
        else:
            connection = http.client.HTTPConnection(self.address, self.port, timeout=timeout,
                                                    source_address=(self.source, 0))
        headers_out = {"Host": self.host, "Referer": self.referer, **self.extra,
                       **(headers or {})}
        if self.cookies:
            headers_out["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers_out["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers_out)
            if sent is not None:
                sent()
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            self.raw_headers = [(k.lower(), v) for k, v in response.getheaders()]
            answered = dict(self.raw_headers)
        finally:
            connection.close()
        if method == "GET":
            self.referer = f"https://{self.host}{path}"
        return response.status, answered, text

    def csrf(self, path: str) -> str:
        status, _, text = self.request("GET", path)
        assert status == 200, f"GET {path}: {status}"
        match = CSRF.search(text)
        assert match, f"no CSRF token on {path}"
        return match.group(1) or match.group(2)


# --- Mail --------------------------------------------------------------------------------------

class Mailbox:
    """aiosmtpd handler keeping every message; waits for mail to one address."""

    def __init__(self):
        self.messages: list[tuple[str, str, str]] = []  # (to, subject, plain body)
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        body = message.get_body(("plain",)).get_content()
        with self.arrived:
            for rcpt in envelope.rcpt_tos:
                self.messages.append((rcpt.lower(), str(message["Subject"]), body))
            self.arrived.notify_all()
        return "250 OK"

    def count(self, address: str) -> int:
        with self.arrived:
            return sum(1 for to, _, _ in self.messages if to == address)

    def wait_for(self, address: str, after: int = 0, timeout: float = 30) -> tuple[str, str]:
        """(subject, body) of the first message to `address` beyond the first `after` ones."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                mine = [(s, b) for to, s, b in self.messages if to == address]
                if len(mine) > after:
                    return mine[after]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no mail #{after + 1} for {address}")
                self.arrived.wait(timeout=remaining)


def manage_path(body: str) -> str:
    match = LINK.search(body)
    assert match, f"no manage link in {body!r}"
    return match.group(0)


def start_mail_worker(env: dict, log: Path, netns: str | None = None) -> Process:
    """`flask --app app meetings mail-worker`, the command of meetings-mail.service."""
    command = [str(VENV_BIN / "flask"), "--app", "app", "meetings", "mail-worker"]
    if netns:
        command = ["ip", "netns", "exec", netns, *command]
    return Process(command, env, log, f"mail worker {netns or ''}")


# --- Databases ---------------------------------------------------------------------------------

def scratch_postgres(server_url: str, label: str) -> str:
    """Create an empty database meetings_deploy_<label>_<random> on the server; return its URL."""
    url = sa.make_url(server_url)
    name = f"meetings_deploy_{label}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgres(database_url: str) -> None:
    url = sa.make_url(database_url)
    assert url.database.startswith("meetings_deploy_")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def prepare_site(env: dict) -> str:
    """Migrate, create the administrator, load the demo; returns the upcoming edition's slug."""
    flask(env, "db", "upgrade")
    flask(env, "meetings", "create-admin", ADMIN_EMAIL, "--password-stdin",
          input=ADMIN_PASSWORD + "\n")
    loaded = flask(env, "meetings", "demo").stdout
    slugs = re.search(r"demo editions: (.+)\.", loaded)
    assert slugs, loaded
    return slugs.group(1).split(", ")[-1]

