"""keys.json, revoked.json, the back office page and the CLI of badges."""

import base64

import pytest
import sqlalchemy as sa
from nacl.signing import VerifyKey

from meetings.badges import service
from meetings.badges.codes import split
from meetings.badges.keys import secret_of
from meetings.badges.models import Badge
from meetings.extensions import db
from meetings.models import Edition
from meetings.registration import personal_data, privacy
from meetings.registration import service as registration_service
from meetings.registration.models import Registration
from tests.factories import (
    FIXED_NOW,
    MAIL_SITE,
    approved_registration,
    make_edition,
    open_registration,
)


@pytest.fixture
def world(app):
    with app.app_context():
        edition = make_edition()
        open_registration(edition, now=FIXED_NOW)
        people = [approved_registration(edition, n, "government", FIXED_NOW) for n in (1, 2, 3)]
        db.session.commit()
        return {"edition": edition.id, "slug": edition.slug, "people": [p.id for p in people]}


def issue_codes(app, world) -> dict[int, str]:
    """Print every badge of the edition; the code of each registration."""
    with app.app_context():
        edition = db.session.get(Edition, world["edition"])
        secret = secret_of(app.config)
        _pdf, badges = service.print_badges(edition, secret=secret, now=FIXED_NOW)
        found = {b.registration_id: service.code_of(b, secret=secret, now=FIXED_NOW)
                 for b in badges}
        db.session.commit()
        return found


def test_keys_json_serves_the_raw_public_key(app, client, world):
    codes = issue_codes(app, world)
    data = client.get(f"/{world['slug']}/checkin/keys.json").get_json()
    assert data["edition"] == {"id": world["edition"], "slug": world["slug"]}
    (key,) = data["keys"]
    assert key["algorithm"] == "Ed25519" and key["edition_id"] == world["edition"]
    raw = base64.urlsafe_b64decode(key["public_key"] + "=" * (-len(key["public_key"]) % 4))
    assert len(raw) == 32
    payload, signature = split(codes[world["people"][0]])
    VerifyKey(raw).verify(payload, signature)  # what WebCrypto will do in the browser


def test_revoked_json_lists_cancelled_and_reprinted_serials(app, client, world):
    issue_codes(app, world)
    with app.app_context():
        first, second = (db.session.get(Registration, n) for n in world["people"][:2])
        serials = [service.active_badge(r.id).serial for r in (first, second)]
        registration_service.cancel(first, now=FIXED_NOW, site=MAIL_SITE)
        service.reprint(second, reason="misspelt", secret=secret_of(app.config), now=FIXED_NOW)
        db.session.commit()
    data = client.get(f"/{world['slug']}/checkin/revoked.json").get_json()
    assert data["serials"] == sorted(serials)
    assert [e["reason"] for e in data["revoked"]] == ["withdrawn", "reprinted"]


def test_unknown_edition_is_404(client):
    assert client.get("/nothing/checkin/keys.json").status_code == 404


def test_cli_prints_and_verifies(app, runner, world, tmp_path):
    out = tmp_path / "badges.pdf"
    result = runner.invoke(args=["meetings", "badges", world["slug"], "-o", str(out),
                                 "--sheet", "a6"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF") and "3 badge(s)" in result.output
    again = runner.invoke(args=["meetings", "badges", world["slug"], "-o", str(out),
                                "--only-new"])
    assert again.exit_code == 1 and "no badge to print" in again.output
    with app.app_context():
        badge = db.session.scalar(sa.select(Badge).where(
            Badge.registration_id == world["people"][0]))
        code = service.code_of(badge, secret=secret_of(app.config), now=FIXED_NOW)
    valid = runner.invoke(args=["meetings", "verify-badge", world["slug"], code])
    assert valid.exit_code == 0 and valid.output.startswith("valid")
    flipped = code[:10] + ("A" if code[10] != "A" else "B") + code[11:]
    bad = runner.invoke(args=["meetings", "verify-badge", world["slug"], flipped])
    assert bad.exit_code == 1 and bad.output.startswith("not valid")
    missing = runner.invoke(args=["meetings", "verify-badge", "nothing", code])
    assert missing.exit_code == 1 and "No edition" in missing.output


def test_cli_refuses_a_registration_that_is_not_approved(runner, world, tmp_path):
    result = runner.invoke(args=["meetings", "badges", world["slug"], "-o",
                                 str(tmp_path / "x.pdf"), "--registration", "999"])
    assert result.exit_code == 1 and "No approved registration #999" in result.output


def test_back_office_prints_selection_and_shows_when(app, client, auth, world):
    auth.create()
    auth.login()
    page = client.get(f"/manage/editions/{world['edition']}/badges/")
    assert page.status_code == 200 and b"not printed" in page.data
    printed = client.post(f"/manage/editions/{world['edition']}/badges/print",
                          data={"scope": "selected", "sheet": "a4",
                                "registrations": [str(world["people"][1])]})
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    with app.app_context():
        badges = db.session.scalars(sa.select(Badge)).all()
        assert [(b.registration_id, b.printed_at is not None) for b in badges] == [
            (world["people"][1], True)]
    page = client.get(f"/manage/editions/{world['edition']}/badges/")
    assert b"Reprint (revokes #1)" in page.data


def test_back_office_reprint_asks_for_a_reason(app, client, auth, world):
    issue_codes(app, world)
    auth.create()
    auth.login()
    url = f"/manage/editions/{world['edition']}/badges/{world['people'][0]}/reprint"
    refused = client.post(url, data={"reason": ""})
    assert refused.status_code == 400
    done = client.post(url, data={"reason": "badge lost"})
    assert done.status_code == 200 and done.mimetype == "application/pdf"
    with app.app_context():
        assert service.active_badge(world["people"][0]).serial == 4


def test_nothing_selected_is_a_message_not_an_error(client, auth, world):
    auth.create()
    auth.login()
    response = client.post(f"/manage/editions/{world['edition']}/badges/print",
                           data={"scope": "selected", "sheet": "a4"}, follow_redirects=True)
    assert response.status_code == 200 and b"There is no badge to print." in response.data


def test_the_latin_name_is_kept_and_exported_and_goes_with_erasure(app, client, auth, world):
    auth.create()
    auth.login()
    person = world["people"][0]
    response = client.post(f"/manage/editions/{world['edition']}/badges/{person}/latin-name",
                           data={"latin_name": "Mohammed Al-Otaibi"})
    assert response.status_code == 302
    with app.test_request_context():
        registration = db.session.get(Registration, person)
        sections = {s.name: s.entries for s in personal_data.sections(registration)}
        assert sections["badges"][0]["latin_name"] == "Mohammed Al-Otaibi"
        privacy.erase(registration, now=FIXED_NOW, site=MAIL_SITE)
        db.session.commit()
        assert db.session.scalars(sa.select(Badge.latin_name)).all() == []


def test_organizers_of_other_editions_are_refused(client, auth, world):
    auth.create(email="other@example.org", is_admin=False)
    auth.login(email="other@example.org")
    assert client.get(f"/manage/editions/{world['edition']}/badges/").status_code == 403


def test_demo_edition_has_printed_unprinted_and_reprinted_badges(app, runner):
    assert runner.invoke(args=["meetings", "demo"]).exit_code == 0
    with app.app_context():
        badges = db.session.scalars(sa.select(Badge)).all()
        assert sum(b.printed_at is not None and b.is_active for b in badges) == 3
        assert sum(b.printed_at is None for b in badges) == 2  # the reprint and one new
        assert [b.reprint_reason for b in badges if b.reprint_reason] == [
            "Badge left at the hotel (demo)"]
        assert len(service.revoked_serials(badges[0].edition_id)) == 1
