"""Badges printed for an edition with Arabic and Chinese names: every QR decodes and verifies."""

from datetime import UTC, datetime, timedelta

import pypdfium2
import pytest
import segno
import sqlalchemy as sa
import zxingcpp

from meetings.attendance import workshops
from meetings.badges import service
from meetings.badges.codes import Reason
from meetings.badges.documents import Sheet
from meetings.badges.keys import UnreadableKey, signing_key
from meetings.badges.models import BadgeKey, RevokedBadge
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.models import SessionType
from meetings.registration import privacy
from meetings.registration import service as registration_service
from tests.factories import (
    FIXED_NOW,
    MAIL_SITE,
    approved_registration,
    make_edition,
    make_session,
    open_registration,
)

SECRET = "badge-test-secret-" + "s" * 32
ARABIC = dict(given_name="محمد", family_name="العتيبي", organization="شرطة دبي", country="AE")
CHINESE = dict(given_name="王", family_name="小明", organization="公安部", country="CN")


def edition_with_people(slug="2027", starts_on=None):
    edition = make_edition(slug=slug, **({"starts_on": starts_on} if starts_on else {}))
    open_registration(edition, now=FIXED_NOW)
    lab = make_session(edition, "Lab", datetime(2027, 3, 28, 12, tzinfo=UTC),
                       type=SessionType.WORKSHOP, capacity=5)
    people = [approved_registration(edition, 1, "law_enforcement", FIXED_NOW),
              approved_registration(edition, 2, "government", FIXED_NOW)]
    for n, fields in ((3, ARABIC), (4, CHINESE), (5, {})):
        people.append(approved_registration(edition, n, "government", FIXED_NOW))
        for name, value in fields.items():
            setattr(people[-1], name, value)
    workshops.choose(people[0], lab, now=FIXED_NOW)
    db.session.flush()
    return edition, people


def pages_of(pdf: bytes) -> list:
    return list(pypdfium2.PdfDocument(pdf))


def scanned_codes(pdf: bytes) -> list[str]:
    """Every QR code on every page, as a camera would read the printed sheet."""
    found = []
    for page in pages_of(pdf):
        found += [result.text for result in zxingcpp.read_barcodes(page.render(scale=3).to_pil())]
    return found


def text_of(pdf: bytes) -> str:
    return "\n".join(page.get_textpage().get_text_range() for page in pages_of(pdf))


@pytest.fixture
def printed(app):
    with app.app_context():
        edition, people = edition_with_people()
        pdf, badges = service.print_badges(edition, sheet=Sheet.A4, secret=SECRET,
                                           now=FIXED_NOW)
        db.session.commit()
        yield {"edition": edition, "people": people, "pdf": pdf, "badges": badges}


def test_every_badge_on_the_a4_sheets_scans_and_verifies(printed):
    pdf, edition = printed["pdf"], printed["edition"]
    assert len(pages_of(pdf)) == 2  # five badges, four a page
    found = scanned_codes(pdf)
    assert len(found) == 5
    verdicts = [service.check(edition, code, now=FIXED_NOW) for code in found]
    assert all(v.valid for v in verdicts)
    assert {v.payload.registration_id for v in verdicts} == {p.id for p in printed["people"]}
    le = next(v.payload for v in verdicts if v.payload.registration_id == printed["people"][0].id)
    assert le.law_enforcement and len(le.workshops) == 1


def test_the_codes_fit_a_version_5_qr_at_level_m(printed):
    for code in scanned_codes(printed["pdf"]):
        symbol = segno.make(code, error="m", micro=False)
        assert symbol.version <= 5 and symbol.error in ("M", "Q", "H")


def test_flipping_one_character_of_a_scanned_code_fails(printed):
    code = scanned_codes(printed["pdf"])[0]
    flipped = code[:20] + ("A" if code[20] != "A" else "B") + code[21:]
    assert not service.check(printed["edition"], flipped, now=FIXED_NOW).valid


def test_arabic_and_chinese_names_are_in_the_text_layer_in_logical_order(printed):
    text = text_of(printed["pdf"])
    assert "محمد العتيبي" in text and "شرطة دبي" in text
    assert "王 小明" in text and "公安部" in text
    assert "LAW ENFORCEMENT" in text and "GOVERNMENT" in text  # the band carries its word


def test_single_a6_badges_one_a_page(app, printed):
    with app.app_context():
        edition = db.session.merge(printed["edition"])
        pdf, badges = service.print_badges(edition, registration_ids=[printed["people"][2].id],
                                           sheet=Sheet.A6, secret=SECRET, now=FIXED_NOW)
        assert len(pages_of(pdf)) == 1 and len(badges) == 1
        width, height = pages_of(pdf)[0].get_size()
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (105, 148)


def test_only_new_prints_none_twice(app, printed):
    with app.app_context():
        edition = db.session.merge(printed["edition"])
        with pytest.raises(DomainError, match="no badge to print"):
            service.print_badges(edition, only_new=True, secret=SECRET, now=FIXED_NOW)


def test_reprint_issues_a_new_serial_and_revokes_the_old_code(app, printed):
    with app.app_context():
        edition = db.session.merge(printed["edition"])
        person = db.session.merge(printed["people"][3])
        old = scanned_codes(printed["pdf"])
        old_code = next(c for c in old if service.check(edition, c, now=FIXED_NOW)
                        .payload.registration_id == person.id)
        pdf, badge = service.reprint_pdf(person, reason="lost at the hotel", secret=SECRET,
                                         now=FIXED_NOW)
        assert service.check(edition, old_code, now=FIXED_NOW).reason is Reason.REVOKED
        new_code = scanned_codes(pdf)[0]
        verdict = service.check(edition, new_code, now=FIXED_NOW)
        assert verdict.valid and verdict.payload.serial == badge.serial != \
            service.check(edition, old_code, now=FIXED_NOW).payload.serial
        assert badge.reprint_reason == "lost at the hotel" and badge.printed_at == FIXED_NOW


def test_a_reprint_needs_a_reason(app, printed):
    with app.app_context():
        person = db.session.merge(printed["people"][3])
        with pytest.raises(DomainError, match="Say why") as error:
            service.reprint(person, reason="  ", secret=SECRET, now=FIXED_NOW)
        assert error.value.field == "reason"


@pytest.mark.parametrize("leave", ["cancel", "reject", "erase"])
def test_cancel_reject_and_erase_revoke_the_badge(app, printed, leave):
    with app.app_context():
        edition = db.session.merge(printed["edition"])
        person = db.session.merge(printed["people"][1])
        code = next(c for c in scanned_codes(printed["pdf"]) if service.check(
            edition, c, now=FIXED_NOW).payload.registration_id == person.id)
        serial = service.check(edition, code, now=FIXED_NOW).payload.serial
        if leave == "cancel":
            registration_service.cancel(person, now=FIXED_NOW, site=MAIL_SITE)
        elif leave == "reject":
            registration_service.reject(person, None, now=FIXED_NOW, site=MAIL_SITE)
        else:
            privacy.erase(person, now=FIXED_NOW, site=MAIL_SITE)
        db.session.commit()
        assert service.check(edition, code, now=FIXED_NOW).reason is Reason.REVOKED
        reason = db.session.scalar(sa.select(RevokedBadge.reason).where(
            RevokedBadge.serial == serial))
        assert reason == ("erased" if leave == "erase" else "withdrawn")
        if leave == "erase":
            assert service.active_badge(person.id) is None


def test_a_badge_of_another_edition_fails(app, printed):
    with app.app_context():
        other, people = edition_with_people(slug="2028")
        pdf, _badges = service.print_badges(other, registration_ids=[people[0].id],
                                            secret=SECRET, now=FIXED_NOW)
        edition = db.session.merge(printed["edition"])
        assert service.check(edition, scanned_codes(pdf)[0],
                             now=FIXED_NOW).reason is Reason.OTHER_EDITION


def test_a_badge_after_the_edition_has_expired(app, printed):
    with app.app_context():
        edition = db.session.merge(printed["edition"])
        code = scanned_codes(printed["pdf"])[0]
        after = datetime(2027, 3, 29, 22, 0, tzinfo=UTC) + timedelta(seconds=1)  # 30 March 00:00
        assert service.check(edition, code, now=after).reason is Reason.EXPIRED
        assert service.check(edition, code, now=after - timedelta(seconds=2)).valid


def test_the_private_key_is_not_stored_in_plain_text(app, printed):
    with app.app_context():
        key = db.session.scalar(sa.select(BadgeKey))
        raw = bytes(signing_key(key, SECRET))
        assert bytes(signing_key(key, SECRET).verify_key) == key.public_key
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)).all():
                for cell in row:
                    stored = cell if isinstance(cell, bytes) else str(cell).encode()
                    assert raw not in stored and raw.hex().encode() not in stored, table.name
        with pytest.raises(UnreadableKey, match="BADGE_KEY_SECRET"):
            signing_key(key, "another-secret-" + "z" * 32)
