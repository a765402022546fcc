"""The code on a badge: a compact binary payload and its Ed25519 signature, as Base45 text.

Pure: bytes and numbers in, bytes and numbers out (PyNaCl only), so a scanner in a browser can
check the same code with WebCrypto (`crypto.subtle.verify("Ed25519", key, signature, payload)`).

Layout (version 1), every integer an unsigned LEB128 varint (7 bits a byte, low first):

    version (1 byte, = 1) | key id | edition id | registration id | badge serial |
    valid until (hours since 2020-01-01T00:00Z) |
    access (1 byte: bit 0 general, bit 1 law enforcement only, bits 2–7 number of workshops) |
    workshop session ids … || Ed25519 signature (64 bytes)

The signature covers the payload bytes exactly as they stand. The text is Base45 (RFC 9285):
its alphabet (0–9, A–Z, space, $%*+-./:) is the QR code's alphanumeric mode, 3 characters for
2 bytes. A version-5 QR code at level M holds 122 such characters, 81 bytes: 64 of signature and
FITS_VERSION_5 of payload, which a badge with small ids and two or three workshops keeps
within (longer payloads still work, in a larger symbol). Nothing personal is in the code.
"""

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

VERSION = 1
SIGNATURE_BYTES = 64
FITS_VERSION_5 = 17  # payload bytes: 122 Base45 characters = 81 bytes, 64 of them signature
MAX_PAYLOAD = 64
MAX_WORKSHOPS = 63  # six bits of the access byte
GENERAL = 1
LAW_ENFORCEMENT_ONLY = 2
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
BASE45_VALUE = {char: value for value, char in enumerate(BASE45)}


class CodeError(ValueError):
    """The text is not a badge code of this format (wrong characters, length or layout)."""


@dataclass(frozen=True)
class Payload:
    """What a badge code says about its holder; ids only."""

    key_id: int
    edition_id: int
    registration_id: int
    serial: int
    valid_until: datetime
    law_enforcement: bool = False
    workshops: tuple[int, ...] = ()

    @property
    def access(self) -> int:
        """The access byte: general, law enforcement only, and how many workshops follow."""
        return (GENERAL | (LAW_ENFORCEMENT_ONLY if self.law_enforcement else 0)
                | len(self.workshops) << 2)


def b45encode(data: bytes) -> str:
    """RFC 9285 Base45: each 2 bytes as 3 characters (a last single byte as 2)."""
    out = []
    for at in range(0, len(data), 2):
        pair = data[at:at + 2]
        number = int.from_bytes(pair, "big")
        digits = 3 if len(pair) == 2 else 2
        for _digit in range(digits):
            number, rest = divmod(number, 45)
            out.append(BASE45[rest])
    return "".join(out)


def b45decode(text: str) -> bytes:
    """The bytes of a Base45 text; CodeError on a character or length Base45 has not."""
    try:
        values = [BASE45_VALUE[char] for char in text]
    except KeyError:
        raise CodeError("not a badge code") from None
    if len(values) % 3 == 1:
        raise CodeError("not a badge code")
    out = bytearray()
    for at in range(0, len(values), 3):
        group = values[at:at + 3]
        number = sum(value * 45 ** power for power, value in enumerate(group))
        size = 2 if len(group) == 3 else 1
        if number >= 256 ** size:
            raise CodeError("not a badge code")
        out += number.to_bytes(size, "big")
    return bytes(out)


def hours_after_epoch(moment: datetime) -> int:
    """Whole hours from 2020 to `moment`, rounded up (a badge never expires early)."""
    return -(-(moment.astimezone(UTC) - EPOCH) // HOUR)


def put_varint(number: int, out: bytearray) -> None:
    if number < 0:
        raise CodeError("negative numbers have no place in a badge code")
    while True:
        low, number = number & 0x7F, number >> 7
        out.append(low | (0x80 if number else 0))
        if not number:
            return


def take_varint(data: bytes, at: int) -> tuple[int, int]:
    number, shift = 0, 0
    while at < len(data) and shift <= 63:
        byte = data[at]
        number |= (byte & 0x7F) << shift
        at += 1
        if not byte & 0x80:
            return number, at
        shift += 7
    raise CodeError("the code ends in the middle of a number")


def encode_payload(payload: Payload) -> bytes:
    """The payload's bytes; CodeError when it would not fit a version-5 QR code."""
    if len(payload.workshops) > MAX_WORKSHOPS:
        raise CodeError(f"more than {MAX_WORKSHOPS} workshops")
    out = bytearray([VERSION])
    for number in (payload.key_id, payload.edition_id, payload.registration_id,
                   payload.serial, hours_after_epoch(payload.valid_until)):
        put_varint(number, out)
    out.append(payload.access)
    for session_id in payload.workshops:
        put_varint(session_id, out)
    if len(out) > MAX_PAYLOAD:
        raise CodeError(f"the payload takes {len(out)} bytes, more than {MAX_PAYLOAD}")
    return bytes(out)


def decode_payload(data: bytes) -> Payload:
    """The payload these bytes hold; CodeError when they are not one."""
    if not data or data[0] != VERSION:
        raise CodeError("unknown code version")
    at, numbers = 1, []
    for _field in range(5):
        number, at = take_varint(data, at)
        numbers.append(number)
    if at >= len(data):
        raise CodeError("the code ends before its access classes")
    access, at = data[at], at + 1
    workshops = []
    for _index in range(access >> 2):
        session_id, at = take_varint(data, at)
        workshops.append(session_id)
    if at != len(data):
        raise CodeError("the code has bytes after its payload")
    key_id, edition_id, registration_id, serial, hours = numbers
    return Payload(key_id, edition_id, registration_id, serial, EPOCH + hours * HOUR,
                   bool(access & LAW_ENFORCEMENT_ONLY), tuple(workshops))


def sign(payload: Payload, signing_key: SigningKey) -> str:
    """The badge code: payload and signature as Base45 text."""
    data = encode_payload(payload)
    return b45encode(data + signing_key.sign(data).signature)


def split(code: str) -> tuple[bytes, bytes]:
    """(payload bytes, signature) of a code as typed or scanned; CodeError when malformed."""
    text = code.strip("\r\n\t").upper()  # a scanner's Enter; Base45 has spaces of its own
    if not text or len(text) > 300:
        raise CodeError("not a badge code")
    signed = b45decode(text)
    if len(signed) <= SIGNATURE_BYTES:
        raise CodeError("the code is too short")
    return signed[:-SIGNATURE_BYTES], signed[-SIGNATURE_BYTES:]


class Reason(enum.StrEnum):
    """Why a code is refused (or `valid`), in the words the CLI and scanners print."""

    VALID = "valid"
    MALFORMED = "malformed"
    UNKNOWN_KEY = "unknown key"
    BAD_SIGNATURE = "bad signature"
    OTHER_EDITION = "other edition"
    REVOKED = "revoked"
    EXPIRED = "expired"


@dataclass(frozen=True)
class PublicKey:
    """A verification key as keys.json serves it: key id, edition, 32 raw bytes."""

    key_id: int
    edition_id: int
    raw: bytes


@dataclass(frozen=True)
class Verdict:
    reason: Reason
    payload: Payload | None = None

    @property
    def valid(self) -> bool:
        return self.reason is Reason.VALID


def verify(code: str, *, edition_id: int, keys: Mapping[int, PublicKey],
           revoked: Collection[int], now: datetime) -> Verdict:
    """Check a code for an edition: layout, key, signature, edition, revocation, expiry."""
    try:
        data, signature = split(code)
        key_id, _at = take_varint(data, 1) if data[:1] == bytes([VERSION]) else (None, 0)
    except CodeError:
        return Verdict(Reason.MALFORMED)
    if key_id is None:
        return Verdict(Reason.MALFORMED)
    key = keys.get(key_id)
    if key is None:
        return Verdict(Reason.UNKNOWN_KEY)
    try:
        VerifyKey(key.raw).verify(data, signature)
    except BadSignatureError:
        return Verdict(Reason.BAD_SIGNATURE)
    try:
        payload = decode_payload(data)
    except CodeError:
        return Verdict(Reason.MALFORMED)  # signed by us yet unreadable: a newer format
    if payload.edition_id != edition_id or key.edition_id != edition_id:
        return Verdict(Reason.OTHER_EDITION, payload)
    if payload.serial in revoked:
        return Verdict(Reason.REVOKED, payload)
    if now > payload.valid_until:
        return Verdict(Reason.EXPIRED, payload)
    return Verdict(Reason.VALID, payload)
