"""The letter as PDF, read back with pypdfium2; the sealed column type, without the app."""

from dataclasses import replace
from datetime import date

import pypdfium2 as pdfium
import pytest

from meetings.config import ConfigurationError, environment_config
from meetings.i18n import DOCUMENT_LANGUAGES as LANGUAGES
from meetings.visas.crypto import seal, unseal
from meetings.visas.documents import Letter, languages_of, render_html, render_pdf

LETTER = Letter(
    reference="K7QW2MZ4PA", verify_url="http://localhost/verify/K7QW2MZ4PA",
    issued_on=date(2027, 1, 12), passport_names="Zebulonia QUAXWORTHY",
    passport_number="ZQ4711CANARY", issuing_state="KE", nationality="KE",
    date_of_birth=date(1980, 2, 29), passport_expiry=date(2030, 1, 1),
    consulate="Embassy of the Netherlands, Nairobi", function="Inspector",
    organization="Canary Police", edition="Global Meeting on AI for Law Enforcement 2027",
    starts_on=date(2027, 3, 28), ends_on=date(2027, 3, 29), city="The Hague", country="NL")


def pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_letter_names_the_person_dates_and_reference():
    text = pdf_text(render_pdf(LETTER))
    assert "Zebulonia QUAXWORTHY" in text
    assert "28 March 2027" in text and "29 March 2027" in text
    assert "K7QW2MZ4PA" in text and "http://localhost/verify/K7QW2MZ4PA" in text
    assert "ZQ4711CANARY" in text and "29 February 1980" in text
    assert "The Hague, Netherlands" in text and "Kenya" in text


def test_a_french_speaker_gets_the_english_letter_then_the_french_one():
    text = pdf_text(render_pdf(replace(LETTER, language="fr")))
    english = text.index("We confirm that the person named below is registered")
    french = text.index("Nous confirmons que la personne désignée ci-dessous est inscrite")
    assert english < french
    in_french = " ".join(text[french:].split())
    assert "du 28 mars 2027 au 29 mars 2027" in in_french
    assert "Zebulonia QUAXWORTHY" in in_french and "29 février 1980" in in_french
    assert "K7QW2MZ4PA" in in_french and "Pays-Bas" in in_french
    assert "Zebulonia QUAXWORTHY" in text[:french] and "28 March 2027" in text[:french]


@pytest.mark.parametrize("language, sentence", [
    ("es", "Por la presente confirmamos que la persona indicada"),
    ("ru", "Настоящим подтверждаем, что указанное ниже лицо"),
    ("zh", "兹证明下列人员已报名参加"),
])
def test_other_un_languages_follow_the_english_text(language, sentence):
    text = " ".join(pdf_text(render_pdf(replace(LETTER, language=language))).split())
    assert "We confirm that" in text and sentence in text and "K7QW2MZ4PA" in text


def test_the_arabic_version_is_right_to_left_and_in_the_text_layer():
    html = render_html(replace(LETTER, language="ar"))
    assert 'lang="ar" dir="rtl"' in html
    text = pdf_text(render_pdf(replace(LETTER, language="ar")))
    assert "رسالة دعم لطلب تأشيرة" in text and "Zebulonia QUAXWORTHY" in text


@pytest.mark.parametrize("language, versions", [
    ("en", ("en",)), ("fr", ("en", "fr")), ("pt", ("en",)), ("", ("en",)),
    ("zh-Hans", ("en", "zh")),
])
def test_english_comes_first_and_only_known_languages_follow(language, versions):
    assert languages_of(replace(LETTER, language=language)) == versions


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_version_names_the_person_and_the_reference(language):
    html = render_html(replace(LETTER, language=language, city="", country=""))
    assert html.count("Zebulonia QUAXWORTHY") == (1 if language == "en" else 2)
    assert "ZQ4711CANARY" in html and "K7QW2MZ4PA" in html


def test_sealed_values_are_bound_to_their_column_and_fresh_each_time():
    key = bytes(range(32))
    first = seal(key, "ZQ4711CANARY", b"visa_request.passport_number")
    assert first != seal(key, "ZQ4711CANARY", b"visa_request.passport_number")
    assert b"ZQ4711" not in first
    assert unseal(key, first, b"visa_request.passport_number") == "ZQ4711CANARY"
    with pytest.raises(ValueError):
        unseal(key, first, b"visa_request.consulate")
    with pytest.raises(ValueError):
        unseal(bytes(32), first, b"visa_request.passport_number")


@pytest.mark.parametrize("value", ["short", "zz" * 32, "ab" * 31])
def test_a_malformed_key_stops_the_app_with_its_name(value):
    with pytest.raises(ConfigurationError, match="VISA_DATA_KEY"):
        environment_config({"VISA_DATA_KEY": value})
