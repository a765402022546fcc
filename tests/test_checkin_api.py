"""The check-in API (token per device, JSON, batch upload, idempotent) and its pages."""

import re

import pytest
import sqlalchemy as sa

from meetings.checkin.models import CheckIn
from meetings.extensions import db
from tests.checkin_world import build_checkin_world

SCANS = "/api/checkin/scans"


@pytest.fixture
def world(app):
    return build_checkin_world(app)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def entry(nonce: str, code: str, **fields) -> dict:
    return {"nonce": nonce, "kind": "entry", "code": code,
            "scanned_at": "2027-03-28T09:00:00Z", **fields}


@pytest.mark.parametrize("path", ["/api/checkin/roster", "/api/checkin/keys",
                                  "/api/checkin/revoked"])
def test_reads_need_a_device_token(client, world, path):
    for headers in ({}, bearer("wrong-token"), {"Authorization": f"Basic {world.token}"}):
        response = client.get(path, headers=headers)
        assert response.status_code == 401 and response.is_json
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get(path, headers=bearer(world.token)).status_code == 200


def test_roster_holds_only_what_a_door_needs(client, world):
    data = client.get("/api/checkin/roster", headers=bearer(world.token)).get_json()
    assert {p["id"] for p in data["people"]} == {world.officer, world.official}  # not cancelled
    assert set(data["people"][0]) == {"id", "name", "category", "organization",
                                      "law_enforcement", "workshops"}
    officer = next(p for p in data["people"] if p["id"] == world.officer)
    assert officer["law_enforcement"] and officer["workshops"] == [world.workshop]
    doors = {s["id"]: s for s in data["sessions"]}
    assert doors[world.closed]["closed"] and doors[world.workshop]["workshop"]


def test_keys_and_revocations(client, world):
    keys = client.get("/api/checkin/keys", headers=bearer(world.token)).get_json()
    assert {k["edition_id"] for k in keys["keys"]} == {world.edition, world.edition + 1}
    revoked = client.get("/api/checkin/revoked", headers=bearer(world.token)).get_json()
    assert len(revoked["serials"]) == 1


def test_batch_upload_answers_each_scan_and_counts_each_nonce_once(client, world):
    batch = {"scans": [entry("n-officer-1", world.codes[world.officer], offline=True,
                             device_admitted=True),
                       entry("n-cancel-01", world.codes[world.cancelled]),
                       {"nonce": "bad", "kind": "entry"},
                       entry("n-session-1", world.codes[world.official], kind="session")]}
    first = client.post(SCANS, json=batch, headers=bearer(world.token))
    assert first.status_code == 200
    results = first.get_json()["results"]
    assert [(r["status"], r.get("admitted"), r.get("reason")) for r in results] == [
        ("recorded", True, "valid"), ("recorded", False, "revoked"), ("error", None, None),
        ("error", None, None)]
    assert results[0]["name"] == "Given1 Family1" and "nonce" in results[2]["error"]
    again = client.post(SCANS, json=batch, headers=bearer(world.token)).get_json()["results"]
    assert [r["status"] for r in again[:2]] == ["duplicate", "duplicate"]
    assert again[0]["admitted"] is True
    with client.application.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CheckIn.id))) == 2


@pytest.mark.parametrize("body", [None, {}, {"scans": []}, {"scans": "x"},
                                  {"scans": [{}] * 501}])
def test_a_malformed_batch_is_a_400_with_a_message(client, world, body):
    response = client.post(SCANS, json=body, headers=bearer(world.token)) if body is not None \
        else client.post(SCANS, data="not json", headers=bearer(world.token))
    assert response.status_code == 400 and "scans" in response.get_json()["error"]


def test_upload_needs_the_token_and_no_cookie_or_csrf_token(app, client, world):
    app.config["WTF_CSRF_ENABLED"] = True
    batch = {"scans": [entry("n-csrf-0001", world.codes[world.official])]}
    assert client.post(SCANS, json=batch).status_code == 401
    response = client.post(SCANS, json=batch, headers=bearer(world.token))
    assert response.status_code == 200 and response.get_json()["results"][0]["admitted"]


def test_a_revoked_device_is_refused(client, admin, world):
    page = client.get(f"/manage/editions/{world.edition}/checkin/staff")
    staff_id = re.search(r'name="staff_id" value="(\d+)"', page.text).group(1)
    response = client.post(f"/manage/editions/{world.edition}/checkin/staff/revoke",
                           data={"staff_id": staff_id})
    assert response.status_code == 302
    assert client.get("/api/checkin/roster", headers=bearer(world.token)).status_code == 401
    assert client.get(f"/checkin/device/{world.token}").status_code == 404


def test_organizers_create_a_device_and_see_its_link_once(client, admin, world):
    created = client.post(f"/manage/editions/{world.edition}/checkin/staff",
                          data={"name": "Door B"})
    assert created.status_code == 200
    link = re.search(r'id="device-link">([^<]+)<', created.text).group(1)
    token = link.rsplit("/", 1)[1]
    assert client.get("/api/checkin/roster", headers=bearer(token)).status_code == 200
    listed = client.get(f"/manage/editions/{world.edition}/checkin/staff")
    assert "Door B" in listed.text and token not in listed.text
    empty = client.post(f"/manage/editions/{world.edition}/checkin/staff", data={"name": " "})
    assert empty.status_code == 400


def test_device_page_manifest_and_service_worker(client, world):
    page = client.get(f"/checkin/device/{world.token}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Door A" in page.text and "checkin/scanner.js" in page.text
    manifest = client.get(f"/checkin/device/{world.token}/manifest.webmanifest").get_json()
    assert manifest["start_url"] == f"/checkin/device/{world.token}"
    worker = client.get("/checkin/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    worker.close()
    assert client.get("/checkin/device/not-a-token").status_code == 404


def test_back_office_shows_counts_and_conflicts(client, admin, world):
    for scan in (entry("n-door-b-01", world.codes[world.officer],
                       scanned_at="2027-03-28T09:05:00Z"),
                 entry("n-door-a-01", world.codes[world.officer], offline=True,
                       device_admitted=True)):
        client.post(SCANS, headers=bearer(world.token), json={"scans": [scan]})
    page = client.get(f"/manage/editions/{world.edition}/checkin")
    assert page.status_code == 200, page.text
    assert "Counts per room and day" in page.text and "admitted offline by Door A" in page.text
    opened = client.post(f"/manage/editions/{world.edition}/checkin/device")
    assert opened.status_code == 302 and "/checkin/device/" in opened.headers["Location"]


def test_door_staff_see_a_closed_session_as_its_public_view(client, world):
    """Door staff are not law enforcement: its title stays withheld, its access flag is enough."""
    data = client.get("/api/checkin/roster", headers=bearer(world.token)).get_json()
    page = client.get(f"/checkin/device/{world.token}").get_data(as_text=True)
    door = next(s for s in data["sessions"] if s["id"] == world.closed)
    assert door["closed"] and door["title"].endswith("Closed session")
    assert "Closed briefing" not in str(data) and "Closed briefing" not in page
