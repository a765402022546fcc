"""A certificate of attendance comes out in the attendee's language (the UN's six, English for
any other): a whole text per language, dates and the country written by CLDR, Arabic right to
left; the QR code and the reference are the same in every language."""

from datetime import date, timedelta

import pypdfium2
import pytest
import zxingcpp

from meetings.certificates import service
from meetings.certificates.documents import Certificate, language_of, render_html, render_pdf
from meetings.checkin.models import CheckKind
from meetings.checkin.service import Scan, record_scan
from meetings.extensions import db
from meetings.models import Edition
from meetings.registration.models import Registration
from tests.checkin_world import DOOR_DAY, build_checkin_world
from tests.factories import FIXED_NOW, manage_token

KEY = service.reference_key("test")
REFERENCE = "7-ABCD-EFGH-JKLM-NPQR"
VERIFY_URL = f"http://localhost/verify/certificate/{REFERENCE}"


def certificate(language: str, name: str = "Ana Smith") -> Certificate:
    """Someone who came on both days of an edition in The Hague, and into one workshop."""
    return Certificate(
        name=name, edition="Global Meeting on AI for Law Enforcement 2027",
        starts_on=date(2027, 3, 28), ends_on=date(2027, 3, 29), city="The Hague", country="NL",
        days=(date(2027, 3, 28), date(2027, 3, 29)), workshops=("Forensics lab",),
        reference=REFERENCE, verify_url=VERIFY_URL, language=language)


@pytest.fixture
def officer(app):
    """The officer of the check-in world came on both days and into the workshop."""
    world = build_checkin_world(app)
    with app.app_context():
        edition = db.session.get(Edition, world.edition)
        for scan in (Scan("n1", CheckKind.ENTRY, DOOR_DAY, registration_id=world.officer),
                     Scan("n2", CheckKind.SESSION, DOOR_DAY + timedelta(hours=4),
                          registration_id=world.officer, session_id=world.workshop),
                     Scan("n3", CheckKind.ENTRY, DOOR_DAY + timedelta(days=1),
                          registration_id=world.officer)):
            assert record_scan(edition, scan, staff=None, now=DOOR_DAY + timedelta(days=2))[0]
        db.session.commit()
    return world.officer


def text_of(pdf: bytes) -> str:
    return "\n".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf))


def flat(text: str) -> str:
    """The text with every run of spaces (line breaks, no-break spaces) as one space."""
    return " ".join(text.split())


def qr_codes(pdf: bytes) -> list[str]:
    page = pypdfium2.PdfDocument(pdf)[0]
    return [found.text for found in zxingcpp.read_barcodes(page.render(scale=3).to_pil())]


@pytest.mark.parametrize(("language", "name", "expected"), [
    ("fr", "Ana Smith", ("Certificat de participation", "Le présent certificat atteste que",
                         "a participé à", "du 28 mars 2027 au 29 mars 2027",
                         "les jours suivants", "Pays-Bas", "Ateliers suivis", "Référence :")),
    ("es", "Ana Smith", ("Certificado de asistencia", "Por la presente se certifica que",
                         "del 28 de marzo de 2027 al 29 de marzo de 2027", "Países Bajos")),
    ("ru", "Анна Смирнова", ("Сертификат об участии", "Настоящий сертификат подтверждает, что",
                             "с 28 марта 2027 г. по 29 марта 2027 г.", "Нидерланды",
                             "Номер сертификата")),
    ("zh", "王 小明", ("出席证明", "兹证明", "出席了于2027年3月28日至2027年3月29日", "荷兰",
                      "出席日期如下", "证书编号")),
    ("ar", "محمد العتيبي", ("شهادة حضور", "تشهد هذه الوثيقة بحضور", "وذلك في الأيام التالية",
                            "حلقات العمل التي تم حضورها", "الرقم المرجعي",
                            "يمكن التحقق من صحة هذه الشهادة على العنوان التالي")),
])
def test_the_certificate_is_written_in_the_attendees_language(language, name, expected):
    text = flat(text_of(render_pdf(certificate(language, name))))
    # Arabic words are checked as they are read (logical order), like the badges' names
    for phrase in (*expected, name, REFERENCE, "Forensics lab"):
        assert flat(phrase) in text, phrase
    assert "Certificate of attendance" not in text and "This is to certify" not in text


def test_the_days_attended_are_written_as_the_language_writes_dates():
    days = {"fr": ("28 mars 2027", "29 mars 2027"), "zh": ("2027年3月28日", "2027年3月29日"),
            "ar": ("28 مارس 2027", "29 مارس 2027")}
    for language, (first, second) in days.items():
        lines = text_of(render_pdf(certificate(language))).splitlines()
        assert first in lines and second in lines, language  # a line each in the list


def test_arabic_reads_right_to_left_with_the_reference_and_address_left_to_right():
    html = render_html(certificate("ar", "محمد العتيبي"))
    assert '<html lang="ar" dir="rtl">' in html
    assert f'<span class="keep" dir="ltr">{REFERENCE}</span>' in html
    assert f'<span class="keep" dir="ltr">{VERIFY_URL}</span>' in html
    assert '<html lang="zh" dir="ltr">' in render_html(certificate("zh"))


def test_the_qr_code_opens_the_same_verification_page_in_every_language():
    for language in ("en", "fr", "ar", "zh"):
        assert qr_codes(render_pdf(certificate(language))) == [VERIFY_URL], language


def test_english_and_any_other_language_get_the_english_text():
    for language in ("en", "pt", "de-CH", ""):
        text = flat(text_of(render_pdf(certificate(language))))
        for phrase in ("Certificate of attendance", "This is to certify that", "Ana Smith",
                       "attended Global Meeting on AI for Law Enforcement 2027, held in The "
                       "Hague, Netherlands, from 28 March 2027 to 29 March 2027, on these days:",
                       "Workshops attended Forensics lab", f"Reference: {REFERENCE}",
                       f"Check this certificate at {VERIFY_URL}"):
            assert phrase in text, (language, phrase)


def test_a_regional_or_script_variant_gets_its_languages_text():
    assert [language_of(code) for code in ("fr-CA", "es_419", "zh-Hans", "zh_TW", "AR",
                                           "ru-RU", "en-GB", None, "pt-BR")] == [
        "fr", "es", "zh", "zh", "ar", "ru", "en", "en", "en"]


def test_the_certificate_takes_the_registrations_language_and_the_venue(app, officer):
    with app.app_context():
        registration = db.session.get(Registration, officer)
        registration.language = "zh-Hans"
        drawn = service.certificate_of(service.attendance_of(registration), key=KEY,
                                       site_url="http://localhost")
        assert (drawn.language, drawn.city, drawn.country) == ("zh", "The Hague", "NL")
        assert (drawn.starts_on, drawn.ends_on) == (date(2027, 3, 28), date(2027, 3, 29))
        assert drawn.reference == service.reference_of(registration.edition_id, officer, KEY)


def test_the_attendee_downloads_theirs_in_their_language(app, client, officer):
    with app.app_context():
        registration = db.session.get(Registration, officer)
        registration.language = "fr"
        token = manage_token(registration, FIXED_NOW)
        db.session.commit()
    response = client.get(f"/manage-registration/{token}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = flat(text_of(response.data))
    assert "Le présent certificat atteste que" in text and "28 mars 2027" in text
