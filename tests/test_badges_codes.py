"""The badge code without the app: layout, Base45, signature, and why a code is refused."""

from datetime import UTC, datetime, timedelta

import pytest
import segno
from nacl.signing import SigningKey

from meetings.badges import codes
from meetings.badges.codes import Payload, PublicKey, Reason

NOW = datetime(2027, 3, 28, 9, 0, tzinfo=UTC)
KEY = SigningKey(bytes(range(32)))
OTHER_KEY = SigningKey(bytes(range(1, 33)))
KEYS = {7: PublicKey(7, 3, bytes(KEY.verify_key)), 8: PublicKey(8, 4, bytes(OTHER_KEY.verify_key))}
PAYLOAD = Payload(key_id=7, edition_id=3, registration_id=4321, serial=250,
                  valid_until=datetime(2027, 3, 29, 22, 0, tzinfo=UTC), law_enforcement=True,
                  workshops=(1207, 1211))


def check(code: str, **overrides) -> codes.Verdict:
    arguments = dict(edition_id=3, keys=KEYS, revoked=set(), now=NOW) | overrides
    return codes.verify(code, **arguments)


def test_rfc_9285_examples():
    assert codes.b45encode(b"AB") == "BB8"
    assert codes.b45encode(b"Hello!!") == "%69 VD92EX0"
    assert codes.b45decode("QED8WEX0") == b"ietf!"


@pytest.mark.parametrize("text", ["GGW", "A", "ab$c", "::::"])
def test_text_that_is_not_base45_is_refused(text):
    with pytest.raises(codes.CodeError):
        codes.b45decode(text)


def test_payload_round_trips_and_holds_nothing_personal():
    data = codes.encode_payload(PAYLOAD)
    assert codes.decode_payload(data) == PAYLOAD
    assert len(data) <= codes.FITS_VERSION_5


def test_valid_until_is_rounded_up_to_the_hour():
    payload = Payload(1, 1, 1, 1, datetime(2027, 3, 29, 21, 59, 30, tzinfo=UTC))
    decoded = codes.decode_payload(codes.encode_payload(payload))
    assert decoded.valid_until == datetime(2027, 3, 29, 22, 0, tzinfo=UTC)


def test_a_signed_code_fits_a_version_5_qr_code_at_level_m():
    code = codes.sign(PAYLOAD, KEY)
    symbol = segno.make(code, error="m", micro=False)
    assert symbol.version <= 5 and symbol.error in ("M", "Q", "H")
    assert symbol.mode == "alphanumeric"


def test_a_good_code_is_valid_with_its_payload():
    verdict = check(codes.sign(PAYLOAD, KEY))
    assert verdict.valid and verdict.payload == PAYLOAD


def test_a_scanners_line_end_is_ignored():
    assert check(codes.sign(PAYLOAD, KEY) + "\r\n").valid


def test_flipping_any_one_character_fails():
    code = codes.sign(PAYLOAD, KEY)
    for at in range(len(code)):
        flipped = code[:at] + ("A" if code[at] != "A" else "B") + code[at + 1:]
        assert not check(flipped).valid, at


@pytest.mark.parametrize(("change", "reason"), [
    (dict(revoked={250}), Reason.REVOKED),
    (dict(now=datetime(2027, 3, 29, 22, 0, 1, tzinfo=UTC)), Reason.EXPIRED),
    (dict(edition_id=4), Reason.OTHER_EDITION),
    (dict(keys={8: KEYS[8]}), Reason.UNKNOWN_KEY),
    (dict(keys={7: PublicKey(7, 3, bytes(OTHER_KEY.verify_key))}), Reason.BAD_SIGNATURE),
])
def test_why_a_code_is_refused(change, reason):
    assert check(codes.sign(PAYLOAD, KEY), **change).reason is reason


def test_a_badge_signed_by_another_editions_key_is_other_edition():
    other = Payload(8, 4, 1, 1, NOW + timedelta(days=1))
    assert check(codes.sign(other, OTHER_KEY)).reason is Reason.OTHER_EDITION


@pytest.mark.parametrize("text", ["", "hello", "0" * 150, "%%%"])
def test_garbage_is_malformed(text):
    assert check(text).reason is Reason.MALFORMED


def test_a_payload_too_long_for_any_badge_is_refused():
    with pytest.raises(codes.CodeError):
        codes.encode_payload(Payload(1, 1, 1, 1, NOW, workshops=tuple(range(64))))
