"""Fixtures for the deployment tier: the app as deployed, behind nginx with TLS.

`https_site` runs the operator's steps on a scratch database (PostgreSQL when TEST_DATABASE_URL
is set, else a SQLite file): `flask db upgrade`, `meetings create-admin`, `meetings demo`, then
gunicorn with deploy/gunicorn.conf.py and nginx with deploy/nginx/meetings.conf in front, the mail
worker delivering to a real SMTP server. The two-host test needs PostgreSQL and is collected only
with it.
"""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import POSTGRES_URL
from tests.deploy import stack

# Under CI the tier always runs (a missing tool fails it); on a laptop without nginx, root or
# Chromium it is not collected at all, and the run's header says so.
MISSING = [] if os.environ.get("CI") == "true" else stack.missing_tools()
collect_ignore = [] if POSTGRES_URL else ["test_two_hosts.py"]
collect_ignore_glob = ["test_*.py"] if MISSING else []


@dataclass
class Site:
    url: str
    slug: str
    env: dict
    database_url: str
    cert: Path
    mailbox: stack.Mailbox
    nginx: stack.Nginx
    gunicorn: stack.Process

    def wait_for_mail(self, address: str, after: int = 0) -> tuple[str, str]:
        return self.mailbox.wait_for(address, after=after)


def require_nginx() -> None:
    stack.require(os.path.exists(stack.NGINX) and shutil.which("openssl") is not None,
                  f"nginx not found at {stack.NGINX} (apt-get install -y nginx)")


@pytest.fixture(scope="module")
def https_site(tmp_path_factory):
    """The whole deployed stack on one app host; yields a Site."""
    require_nginx()
    directory = tmp_path_factory.mktemp("https-site")
    cert, key = stack.make_certificate(directory)
    mailbox = stack.Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=stack.free_port())
    smtp.start()
    database_url = (stack.scratch_postgres(POSTGRES_URL, "https") if POSTGRES_URL
                    else f"sqlite:///{directory / 'meetings.db'}")
    started: list = []
    try:
        app_port = stack.free_port()
        env = stack.base_environment({
            "SECRET_KEY": os.urandom(24).hex(), "DATABASE_URL": database_url,
            "PROXY_FIX": 1, "SESSION_COOKIE_SECURE": 1, "HSTS_SECONDS": 31536000,
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port,
            "MAIL_FROM": "registration@meetings.test", "FORWARDED_ALLOW_IPS": "127.0.0.1",
        })
        # nginx's port goes into SITE_URL (links in mails), so pick it before the app starts.
        slug = stack.prepare_site(env)
        nginx = stack.Nginx(directory / "nginx", [f"127.0.0.1:{app_port}"], cert, key)
        started.append(nginx)
        env["SITE_URL"] = nginx.url
        gunicorn = stack.start_gunicorn(env, f"127.0.0.1:{app_port}", directory / "gunicorn.log")
        started.append(gunicorn)
        started.append(stack.start_mail_worker(env, directory / "mail-worker.log"))
        yield Site(url=nginx.url, slug=slug, env=env, database_url=database_url, cert=cert,
                   mailbox=mailbox, nginx=nginx, gunicorn=gunicorn)
    finally:
        for process in reversed(started):
            process.stop()
        smtp.stop()
        if POSTGRES_URL:
            stack.drop_postgres(database_url)
