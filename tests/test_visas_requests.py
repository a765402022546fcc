"""Visa support letters through the web: passport data sealed, read only by officers (audited),
verified publicly with nothing more than listed, and gone after erasure and the purge."""

import json
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import sqlalchemy as sa

from meetings.extensions import db
from meetings.models import AuditEntry, Edition
from meetings.registration.models import Registration
from meetings.visas import service
from meetings.visas.models import VisaEvent, VisaRequest, VisaStatus
from tests.factories import (
    SUITE_START,
    approved_registration,
    make_edition,
    make_user,
    manage_token,
    open_registration,
)

KEY = "5a" * 32
PASSPORT = "ZQ4711CANARY"
NOW = SUITE_START


@pytest.fixture
def world(app, auth):
    app.config["VISA_DATA_KEY"] = KEY
    auth.create()
    with app.app_context():
        edition = make_edition(slug="visa", starts_on=NOW.date() + timedelta(days=60))
        open_registration(edition, now=NOW)
        registration = approved_registration(edition, 1, "government", NOW)
        token = manage_token(registration, NOW)
        service.save_settings(edition, enabled=True, requests_until=edition.ends_on)
        officer = make_user(email="officer@example.org", edition_ids=[edition.id])
        make_user(email="organizer2@example.org", edition_ids=[edition.id])
        service.add_officer(edition, officer.email)
        db.session.commit()
        return {"edition": edition.id, "token": token, "registration": registration.id,
                "ends_on": edition.ends_on}


def form(world, **overrides) -> dict:
    data = {"passport_names": "Zebulonia  QUAXWORTHY", "passport_number": PASSPORT,
            "issuing_state": "KE", "nationality": "KE", "date_of_birth": "1980-02-29",
            "passport_expiry": (world["ends_on"] + timedelta(days=400)).isoformat(),
            "consulate": "Embassy of the Netherlands, Nairobi", "function": "Inspector"}
    data.update(overrides)
    return data


def ask(client, world, **overrides):
    return client.post(f"/manage-registration/{world['token']}/visa",
                       data=form(world, **overrides))


def the_request(app) -> VisaRequest:
    with app.app_context():
        found = db.session.scalar(sa.select(VisaRequest))
        db.session.expunge_all()
        return found


def officer_login(client, auth, email="officer@example.org"):
    auth.logout()
    assert auth.login(email=email, password="correct horse battery").status_code == 302


def test_the_manage_page_links_to_the_visa_request(client, world):
    page = client.get(f"/manage-registration/{world['token']}").get_data(as_text=True)
    assert f"/manage-registration/{world['token']}/visa" in page


def test_the_editions_manage_page_links_to_its_visa_letters(client, auth, world):
    auth.login()
    page = client.get(f"/manage/editions/{world['edition']}/").get_data(as_text=True)
    assert f'href="/manage/editions/{world["edition"]}/visas/">Visa support letters' in page


def test_passport_number_is_nowhere_in_plain_text(app, client, auth, world):
    assert ask(client, world).status_code == 302
    with app.app_context():
        for table in db.metadata.sorted_tables:
            # Raw SQL: the sealed column type would decrypt a select() of the table.
            for row in db.session.execute(sa.text(f'SELECT * FROM "{table.name}"')):
                assert PASSPORT not in repr(tuple(row)), table.name
        uri = app.config["SQLALCHEMY_DATABASE_URI"]
        db.session.remove()
    if uri.startswith("sqlite:///"):
        raw = Path(uri.removeprefix("sqlite:///")).read_bytes()
        assert PASSPORT.encode() not in raw and b"QUAXWORTHY" not in raw
    auth.login()
    for kind in ("csv", "xlsx"):
        export = client.get(f"/manage/editions/{world['edition']}/registrations/export.{kind}")
        assert export.status_code == 200 and PASSPORT.encode() not in export.data
    catering = client.get(f"/manage/editions/{world['edition']}/registrations/catering.csv")
    assert catering.status_code == 200 and PASSPORT.encode() not in catering.data


def test_own_data_download_holds_the_decrypted_fields(client, world):
    ask(client, world)
    data = json.loads(client.get(f"/manage-registration/{world['token']}/data.json").data)
    [entry] = data["visa_requests"]
    assert entry["passport_number"] == PASSPORT and entry["status"] == "requested"


def test_officer_reads_are_audited_and_organizers_get_403(app, client, auth, world):
    ask(client, world)
    request = the_request(app)
    base = f"/manage/editions/{world['edition']}/visas/{request.id}"
    officer_login(client, auth, "organizer2@example.org")
    assert client.get(f"/manage/editions/{world['edition']}/visas/").status_code == 200
    for action in ("open", "preview", "issue", "refuse"):
        assert client.post(f"{base}/{action}").status_code == 403
    officer_login(client, auth)
    page = client.post(f"{base}/open")
    assert page.status_code == 200 and PASSPORT in page.get_data(as_text=True)
    preview = client.post(f"{base}/preview")
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    with app.app_context():
        reads = db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action == "visas.read").order_by(AuditEntry.id)).all()
        assert [e.user.email for e in reads] == ["officer@example.org"] * 2
        assert "shown" in reads[0].summary and "previewed" in reads[1].summary
        assert all(e.at is not None for e in reads)


def test_pending_list_shows_wait_and_count_by_consulate(client, auth, world):
    ask(client, world)
    auth.login()
    page = client.get(f"/manage/editions/{world['edition']}/visas/").get_data(as_text=True)
    assert "Given1 Family1" in page and "0 days" in page
    assert "Embassy of the Netherlands, Nairobi: 1" in page
    assert PASSPORT not in page


def verify_page(client, reference):
    return client.get(f"/verify/{reference}").get_data(as_text=True)


def test_issue_then_verify_shows_only_what_is_listed(app, client, auth, world):
    ask(client, world)
    request = the_request(app)
    assert "not been issued" in verify_page(client, request.reference)
    officer_login(client, auth)
    assert client.post(f"/manage/editions/{world['edition']}/visas/{request.id}/issue"
                       ).status_code == 302
    page = verify_page(client, request.reference)
    assert "This letter is valid" in page and "Zebulonia QUAXWORTHY" in page
    assert "ARY" in page and PASSPORT not in page and "1980" not in page
    assert "Nairobi" not in page and "Inspector" not in page
    letter = client.get(f"/manage-registration/{world['token']}/visa/letter.pdf")
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF")


def test_a_french_speakers_letter_is_in_english_then_french(app, client, auth, world):
    with app.app_context():
        db.session.get(Registration, world["registration"]).language = "fr"
        db.session.commit()
    ask(client, world)
    request = the_request(app)
    officer_login(client, auth)
    client.post(f"/manage/editions/{world['edition']}/visas/{request.id}/issue")
    letter = client.get(f"/manage-registration/{world['token']}/visa/letter.pdf")
    document = pdfium.PdfDocument(letter.data)
    text = " ".join(" ".join(page.get_textpage().get_text_range() for page in document).split())
    document.close()
    assert text.index("We confirm that") < text.index("Nous confirmons que")
    assert text.count("Zebulonia QUAXWORTHY") == 2 and request.reference in text


@pytest.mark.parametrize("how", ["withdrawn", "refused"])
def test_withdrawn_or_refused_letters_verify_as_withdrawn(app, client, auth, world, how):
    ask(client, world)
    request = the_request(app)
    if how == "withdrawn":
        client.post(f"/manage-registration/{world['token']}/visa/withdraw")
    else:
        officer_login(client, auth)
        base = f"/manage/editions/{world['edition']}/visas/{request.id}"
        client.post(f"{base}/refuse", data={"message": ""})
        assert the_request(app).status == VisaStatus.REQUESTED  # a message is required
        client.post(f"{base}/refuse", data={"message": "Apply for an e-visa instead."})
    page = verify_page(client, request.reference)
    assert "withdrawn" in page and "Zebulonia" not in page
    with app.app_context():
        history = db.session.scalars(sa.select(VisaEvent.status).order_by(VisaEvent.id)).all()
    assert history == [VisaStatus.REQUESTED, VisaStatus(how)]
    if how == "refused":
        mine = client.get(f"/manage-registration/{world['token']}/visa").get_data(as_text=True)
        assert "Apply for an e-visa instead." in mine


def test_passport_ending_within_six_months_is_refused(app, client, world):
    response = ask(client, world,
                   passport_expiry=(world["ends_on"] + timedelta(days=150)).isoformat())
    assert response.status_code == 400
    assert "six months after the meeting" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(VisaRequest)) == 0


@pytest.mark.parametrize("field, value, message", [
    ("passport_number", "AB 12/34", "Use only the letters and digits"),
    ("nationality", "XX", "Not a valid choice"),
    ("date_of_birth", "29/02/1980", "Not a valid date value"),
    ("consulate", "", "This field is required"),
])
def test_bad_input_gets_a_clear_message(client, world, field, value, message):
    response = ask(client, world, **{field: value})
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_without_a_key_nothing_is_stored(app, client, world):
    app.config["VISA_DATA_KEY"] = None
    response = ask(client, world)
    assert response.status_code == 400
    assert "no key to protect passport data" in response.get_data(as_text=True)


def test_erasure_removes_the_visa_data(app, client, world):
    ask(client, world)
    assert client.post(f"/manage-registration/{world['token']}/erase").status_code == 200
    with app.app_context():
        for model in (VisaRequest, VisaEvent):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0


def test_purge_due_deletes_visa_data_after_retention(app, client, runner, world):
    ask(client, world)
    with app.app_context():
        edition = db.session.get(Edition, world["edition"])
        late = NOW.replace(year=NOW.year) + timedelta(days=60 + 2 + 29)
        assert service.purge_due(retention_days=30, now=late) == []
        edition.starts_on -= timedelta(days=400)
        edition.ends_on -= timedelta(days=400)
        db.session.commit()
    result = runner.invoke(args=["meetings", "purge", "--due"])
    assert result.exit_code == 0, result.output
    assert "visa request" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(VisaRequest)) == 0
        assert db.session.get(Registration, world["registration"]) is not None
