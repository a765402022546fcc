"""A laptop start: `PORT=8000 make run` serves links for port 8000, and the demo shows one edition
with registration open while the others lead to "Set up registration"."""

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from meetings.badges.keys import secret_of
from meetings.demo import load_demo
from meetings.extensions import db
from meetings.models import Edition
from meetings.registration import configuration
from meetings.visas.crypto import data_key
from tests.factories import MAIL_SITE

ROOT = Path(__file__).resolve().parent.parent


def test_make_run_derives_site_url_from_the_port():
    """The run target, with its steps replaced by a command that prints SITE_URL."""
    assert shutil.which("make"), "make is needed for `make run`"
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT")}
    env["PORT"] = "8000"
    result = subprocess.run(
        ["make", "-s", "-o", "install", "run", "FLASK=sh -c 'echo \"$$SITE_URL\"' --"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"http://127.0.0.1:8000"}


def test_an_explicit_site_url_wins_over_the_port():
    env = {**os.environ, "PORT": "8000", "SITE_URL": "https://meetings.example.org"}
    result = subprocess.run(
        ["make", "-s", "-o", "install", "run", "FLASK=sh -c 'echo \"$$SITE_URL\"' --"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert set(result.stdout.split()) == {"https://meetings.example.org"}


def test_the_demo_has_one_edition_open_and_the_others_lead_to_setup(app, client, admin):
    now = datetime.now(UTC)
    with app.app_context():
        load_demo(now, badge_secret=secret_of(app.config), visa_key=data_key(app.config),
                  site=MAIL_SITE)
        db.session.commit()
        editions = db.session.scalars(sa.select(Edition).order_by(Edition.starts_on)).all()
        states = {e.slug: configuration.settings_of(e.id) for e in editions}
        open_ones = [slug for slug, s in states.items() if s is not None and s.is_open(now)]
        not_set_up = [e.id for e in editions if states[e.slug] is None]
    assert len(open_ones) == 1 and not_set_up
    response = client.get(f"/manage/editions/{not_set_up[0]}/registrations/settings",
                          follow_redirects=True)
    assert response.status_code == 200 and "Set up registration" in response.get_data(
        as_text=True)
