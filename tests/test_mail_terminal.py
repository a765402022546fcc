"""Without MAIL_SERVER (`make run`) every message is printed in full on the server's stderr."""

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from meetings.extensions import db
from meetings.mail.models import OutboxMessage, OutboxStatus
from meetings.mail.service import queue_message
from tests.factories import make_edition, open_registration, registration_category
from tests.process_output import Output
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[1]
FLASK = str(Path(sys.executable).parent / "flask")
LINK = re.compile(r"http://127\.0\.0\.1:\d+/manage-registration/\S+")


def prepare(app) -> int:
    now = datetime.now(UTC)
    with app.app_context():
        edition = make_edition(slug="2027")
        open_registration(edition, now=now)
        category_id = registration_category(edition).id
        db.session.commit()
    return category_id


def serve(app, port: int) -> subprocess.Popen:
    """`flask run` as `make run` starts it: no MAIL_SERVER, so mail goes to the terminal."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAIL_")}
    env.update(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               SECRET_KEY="terminal-test-" + "0" * 32,
               SITE_URL=f"http://127.0.0.1:{port}", PYTHONUNBUFFERED="1")
    return subprocess.Popen([FLASK, "--app", "app", "run", "--port", str(port), "--no-reload"],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            text=True)


def wait_until_up(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("flask run did not start")


def test_make_run_prints_each_message_with_its_link_on_the_terminal(app):
    category_id = prepare(app)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve(app, port)
    output = Output(server.stderr)
    try:
        wait_until_up(f"{base}/2027/register")
        browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        form = browser.open(f"{base}/2027/register").read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        browser.open(f"{base}/2027/register", urllib.parse.urlencode({
            "csrf_token": token, "given_name": "Ada", "family_name": "Lovelace",
            "email": "ada@example.org", "organization": "INTERPOL", "country": "FR",
            "category": str(category_id), "language": "en", "consent": "y"}).encode()).read()
        printed = output.wait_for("Keep this link private")
        link = LINK.search(printed).group(0)
        page = browser.open(link).read().decode()
    finally:
        server.terminate()
        server.wait(10)
        output.close()
    assert "To: ada@example.org" in printed
    assert "Subject: Please confirm your registration for" in printed
    assert "Dear Ada Lovelace," in printed
    assert "Waiting for email confirmation" in page  # the printed link works
    with app.app_context():
        message = db.session.scalar(sa.select(OutboxMessage))
        assert message.status == OutboxStatus.SENT  # printed counts as delivered


def test_a_rolled_back_message_is_never_printed(app, capfd):
    with app.app_context():
        queue_message("ada@example.org", "Rolled back", "Never shown", now=datetime.now(UTC))
        db.session.rollback()
        queue_message("bob@example.org", "Committed", "Shown once", now=datetime.now(UTC))
        db.session.commit()
    printed = capfd.readouterr().err
    assert "Never shown" not in printed
    assert printed.count("Shown once") == 1 and "To: bob@example.org" in printed
