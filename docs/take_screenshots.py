"""Screenshots for docs/: the organizer dashboard (1280 px) and the phone manage page (375 px).

Run from the project root: .venv/bin/python docs/take_screenshots.py docs
(demo data in a throwaway SQLite database, the development server on port 5099, Chromium).
"""
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

from playwright.sync_api import sync_playwright

BASE = "http://127.0.0.1:5099"
database = os.path.join(tempfile.mkdtemp(), "demo.db")
env = dict(os.environ, DEVELOPMENT="1", SITE_URL=BASE, DATABASE_URL=f"sqlite:///{database}")
flask = [os.path.join(os.path.dirname(sys.executable), "flask"), "--app", "app"]
subprocess.run(flask + ["db", "upgrade"], env=env, check=True, capture_output=True)
subprocess.run(flask + ["meetings", "demo", "--if-empty"], env=env, check=True, capture_output=True)
# A manage link for an approved demo attendee, issued the way the app issues them.
code = r'''
from datetime import UTC, datetime
import sqlalchemy as sa
from meetings.extensions import db
from meetings.registration.models import Registration, RegistrationStatus
from meetings.registration.tokens import issue_token
approved = Registration.status == RegistrationStatus.APPROVED
r = db.session.scalar(sa.select(Registration).where(approved).order_by(Registration.id))
print("TOKEN", issue_token(r, datetime.now(UTC)), r.edition_id)
db.session.commit()
'''
out = subprocess.run(flask + ["shell"], input=code, env=env, text=True, capture_output=True,
                     check=True).stdout
token, edition_id = re.search(r"TOKEN (\S+) (\d+)", out).groups()
server = subprocess.Popen(flask + ["run", "--port", "5099"], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
try:
    for _ in range(100):
        try:
            urllib.request.urlopen(BASE + "/")
            break
        except Exception:
            time.sleep(0.2)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(BASE + "/login")
        page.get_by_label("Email", exact=True).fill("admin@example.org")
        page.get_by_label("Password", exact=True).fill("meetings-demo")
        page.get_by_role("button", name="Log in").click()
        page.goto(f"{BASE}/manage/editions/{edition_id}/registrations/dashboard")
        page.screenshot(path=sys.argv[1] + "/dashboard.png", full_page=True)
        phone = browser.new_page(viewport={"width": 375, "height": 812}, device_scale_factor=2)
        phone.goto(f"{BASE}/manage-registration/{token}")
        phone.screenshot(path=sys.argv[1] + "/manage-phone.png", full_page=False)
        browser.close()
finally:
    server.terminate()
