"""The letter as PDF, read back with pypdfium2; the sealed column type, without the app."""

from datetime import date

import pypdfium2 as pdfium
import pytest

from meetings.config import ConfigurationError, environment_config
from meetings.visas.crypto import seal, unseal
from meetings.visas.documents import Letter, render_pdf

LETTER = Letter(
    reference="K7QW2MZ4PA", verify_url="http://localhost/verify/K7QW2MZ4PA",
    issued_on=date(2027, 1, 12), passport_names="Zebulonia QUAXWORTHY",
    passport_number="ZQ4711CANARY", issuing_state="Kenya", nationality="Kenya",
    date_of_birth=date(1980, 2, 29), passport_expiry=date(2030, 1, 1),
    consulate="Embassy of the Netherlands, Nairobi", function="Inspector",
    organization="Canary Police", edition="Global Meeting on AI for Law Enforcement 2027",
    starts_on=date(2027, 3, 28), ends_on=date(2027, 3, 29), place="The Hague, Netherlands")


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
