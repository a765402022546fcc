"""Certificates of attendance: who qualifies (checked in at least once), the days and workshops
they attended, the reference, the attendee's download and the public verification page."""

from datetime import timedelta
from urllib.parse import urlsplit

import pypdfium2
import sqlalchemy as sa
import zxingcpp

from meetings.certificates import service
from meetings.certificates.documents import render_pdf
from meetings.certificates.models import CertificateSent
from meetings.checkin.models import CheckKind
from meetings.checkin.service import Scan, record_scan
from meetings.extensions import db
from meetings.models import Edition
from meetings.registration import privacy
from meetings.registration.models import Registration
from tests import factories
from tests.checkin_world import DOOR_DAY, build_checkin_world
from tests.factories import FIXED_NOW, MAIL_SITE

KEY = service.reference_key("test")


def attended_world(app):
    """The officer came on two days and into the workshop; the official never came."""
    world = build_checkin_world(app)
    with app.app_context():
        edition = db.session.get(Edition, world.edition)
        scans = [Scan("n1", CheckKind.COLLECTION, DOOR_DAY, code=world.codes[world.officer],
                      photo_id_checked=True),
                 Scan("n2", CheckKind.SESSION, DOOR_DAY + timedelta(hours=4),
                      registration_id=world.officer, session_id=world.workshop),
                 Scan("n3", CheckKind.ENTRY, DOOR_DAY + timedelta(days=1),
                      registration_id=world.officer),
                 # refused at the closed door: a refusal is no attendance
                 Scan("n4", CheckKind.SESSION, DOOR_DAY, registration_id=world.official,
                      session_id=world.closed)]
        rows = [record_scan(edition, scan, staff=None, now=DOOR_DAY + timedelta(days=2))[0]
                for scan in scans]
        assert [row.admitted for row in rows] == [True, True, True, False]
        db.session.commit()
    return world


def manage_token(app, registration_id: int) -> str:
    with app.app_context():
        token = factories.manage_token(db.session.get(Registration, registration_id), FIXED_NOW)
        db.session.commit()
    return token


def pdf_text(pdf: bytes) -> str:
    return "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf))


def test_only_people_checked_in_at_least_once_qualify(app):
    world = attended_world(app)
    with app.app_context():
        edition = db.session.get(Edition, world.edition)
        people = service.qualifying(edition)
        assert [p.registration.id for p in people] == [world.officer]
        assert [d.isoformat() for d in people[0].days] == ["2027-03-28", "2027-03-29"]
        assert people[0].workshops == ("Forensics lab",)
        assert service.attendance_of(db.session.get(Registration, world.official)) is None


def test_the_certificate_names_the_person_days_workshops_and_reference(app):
    world = attended_world(app)
    with app.test_request_context():
        officer = db.session.get(Registration, world.officer)
        certificate = service.certificate_of(service.attendance_of(officer), key=KEY,
                                             site_url="http://localhost")
        text = pdf_text(render_pdf(certificate))
        reference = service.reference_of(world.edition, world.officer, KEY)
        assert certificate.reference == reference
        for expected in (officer.full_name, "Certificate of attendance", "28 March 2027",
                         "29 March 2027", "Forensics lab", reference, officer.edition.title):
            assert expected in text, expected
        assert officer.email not in text


def test_the_reference_is_the_same_each_time_and_verifies_only_unchanged(app):
    world = attended_world(app)
    with app.app_context():
        reference = service.reference_of(world.edition, world.officer, KEY)
        assert reference == service.reference_of(world.edition, world.officer, KEY)
        assert service.find(reference, KEY).registration.id == world.officer
        assert service.find(reference.lower(), KEY).registration.id == world.officer
        flipped = reference[:-1] + ("A" if reference[-1] != "A" else "B")
        assert service.find(flipped, KEY) is None
        assert service.find(reference, service.reference_key("another secret")) is None
        official = service.reference_of(world.edition, world.official, KEY)
        assert service.find(official, KEY) is None  # never checked in: no certificate


def test_the_attendee_downloads_theirs_and_its_qr_opens_the_verification_page(app, client):
    world = attended_world(app)
    page = client.get(f"/manage-registration/{manage_token(app, world.officer)}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Certificate of attendance" in html and "certificate.pdf" in html
    assert "Workshops and side events" in html  # attendance's part is still there
    response = client.get(f"/manage-registration/{manage_token(app, world.officer)}"
                          "/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    page = pypdfium2.PdfDocument(response.data)[0]
    found = [r.text for r in zxingcpp.read_barcodes(page.render(scale=3).to_pil())]
    assert len(found) == 1 and found[0].startswith("http://localhost/verify/certificate/")
    verified = client.get(urlsplit(found[0]).path)
    assert verified.status_code == 200
    body = verified.get_data(as_text=True)
    with app.app_context():
        officer = db.session.get(Registration, world.officer)
        shown = (officer.full_name, officer.edition.title, "2027-03-28", "2027-03-29")
        hidden = (officer.email, officer.organization, "Forensics lab", officer.category.name)
    assert all(value in body for value in shown)
    assert not [value for value in hidden if value in body]


def test_someone_never_checked_in_has_no_certificate(app, client):
    world = attended_world(app)
    token = manage_token(app, world.official)
    page = client.get(f"/manage-registration/{token}").get_data(as_text=True)
    assert "certificate.pdf" not in page
    assert client.get(f"/manage-registration/{token}/certificate.pdf").status_code == 404


def test_an_erased_persons_certificate_is_not_found(app, client):
    world = attended_world(app)
    with app.app_context():
        reference = service.reference_of(world.edition, world.officer, KEY)
        db.session.add(CertificateSent(edition_id=world.edition, registration_id=world.officer,
                                       sent_at=FIXED_NOW))
        db.session.commit()
    assert client.get(f"/verify/certificate/{reference}").status_code == 200
    with app.app_context():
        privacy.erase(db.session.get(Registration, world.officer), now=FIXED_NOW, site=MAIL_SITE)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(CertificateSent.id))) == 0
    response = client.get(f"/verify/certificate/{reference}")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_a_malformed_reference_is_not_found_never_an_error(client):
    for reference in ("nonsense", "1-AAAA", "9" * 40, "1-AAAA-AAAA-AAAA-AAAA", "x" * 500):
        response = client.get(f"/verify/certificate/{reference}")
        assert response.status_code == 404, reference
        assert "Not found" in response.get_data(as_text=True)
    assert client.get("/verify/certificate/a%00b").status_code == 400  # the request guard
