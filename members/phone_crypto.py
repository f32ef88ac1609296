"""Constituents' phone numbers at rest: SM4 ciphertext and keyed SM3 hashes (国密).

A database dump alone must not reveal a constituent's phone number (个人信息保护; GB/T
22239-2019 8.1.4.8 数据保密性). The column holds the number sealed with SM4-GCM under a key
from the environment (``PHONE_KEY``); lookups and the one-phone-per-roster rule use a keyed
SM3 hash (HMAC-SM3) of the normalised number, and the staff search's "last four digits" a
keyed hash of those. All of it through the ``cryptography`` package, no cipher written here.

Sealed value: ``base64(key id ‖ nonce (12 bytes) ‖ SM4-GCM ciphertext ‖ tag (16 bytes))``.
A fresh random nonce per value, so the same number sealed twice reads differently and only
the hashes can be compared. The key id is one byte derived from the key itself: a value
says which key sealed it, so during a rotation (``manage.py rotate_phone_key``) reads work
with both ``PHONE_KEY`` (new) and ``PHONE_KEY_OLD`` (old), and lookups compute the hash
under each. Three keys are derived from the 16-byte secret with HMAC-SM3 (encryption,
whole-number hash, last-four hash), so no key serves two purposes.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 16  # SM4 is a 128-bit block cipher with a 128-bit key
NONCE_BYTES = 12
TAG_BYTES = 16
# Hex characters kept of each hash: 128 bits of the whole number's (no two numbers of a
# roster collide), 64 of the last four digits' (ten thousand values; enough to never collide).
HASH_CHARS = 32
TAIL_CHARS = 16
# The longest sealed value: a number of at most 15 digits (normalised numbers have 11 or 12).
SEALED_MAX_LENGTH = 64
TAIL_DIGITS = 4
# The laptop's, the demo's and the benchmarks' key (DEBUG only: liaison/settings.py refuses
# to start without PHONE_KEY when DEBUG is off). Public, so it protects nothing.
DEV_KEY = "6c6961697365646576706b65792d3031"


def parse_key(text: str) -> bytes:
    """The 16-byte secret of ``PHONE_KEY``: 32 hex digits or the base64 of 16 bytes.
    Raises ``ValueError`` for anything else."""
    text = (text or "").strip()
    if len(text) == 2 * KEY_BYTES:
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    try:
        secret = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        secret = b""
    if len(secret) != KEY_BYTES:
        raise ValueError(
            "a phone key is 16 random bytes written as 32 hex digits or in base64: "
            "python3 -c \"import secrets; print(secrets.token_hex(16))\""
        )
    return secret


def new_key() -> str:
    """A fresh ``PHONE_KEY`` value (32 hex digits)."""
    return os.urandom(KEY_BYTES).hex()


def _derive(secret: bytes, purpose: bytes) -> bytes:
    mac = hmac.HMAC(secret, hashes.SM3())
    mac.update(b"liaison-phone:" + purpose)
    return mac.finalize()


def _hmac_hex(key: bytes, text: str, chars: int) -> str:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(text.encode())
    return mac.finalize().hex()[:chars]


@dataclass(frozen=True)
class PhoneKey:
    id: int
    cipher_key: bytes
    hash_key: bytes
    tail_key: bytes

    @classmethod
    def from_text(cls, text: str) -> PhoneKey:
        secret = parse_key(text)
        return cls(
            id=_derive(secret, b"id")[0],
            cipher_key=_derive(secret, b"sm4")[:KEY_BYTES],
            hash_key=_derive(secret, b"hash"),
            tail_key=_derive(secret, b"tail"),
        )

    def seal(self, phone: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        encryptor = Cipher(algorithms.SM4(self.cipher_key), modes.GCM(nonce)).encryptor()
        body = encryptor.update(phone.encode()) + encryptor.finalize()
        return base64.b64encode(bytes([self.id]) + nonce + body + encryptor.tag).decode()

    def unseal(self, raw: bytes) -> str:
        nonce = raw[1 : 1 + NONCE_BYTES]
        body, tag = raw[1 + NONCE_BYTES : -TAG_BYTES], raw[-TAG_BYTES:]
        decryptor = Cipher(algorithms.SM4(self.cipher_key), modes.GCM(nonce, tag)).decryptor()
        return (decryptor.update(body) + decryptor.finalize()).decode()

    def digest(self, phone: str) -> str:
        return _hmac_hex(self.hash_key, phone, HASH_CHARS) if phone else ""

    def tail_digest(self, phone: str) -> str:
        return _hmac_hex(self.tail_key, phone[-TAIL_DIGITS:], TAIL_CHARS) if phone else ""


@dataclass(frozen=True)
class Keyring:
    current: PhoneKey
    old: PhoneKey | None

    @property
    def keys(self) -> tuple[PhoneKey, ...]:
        return (self.current,) if self.old is None else (self.current, self.old)

    def by_id(self, key_id: int) -> PhoneKey:
        for key in self.keys:
            if key.id == key_id:
                return key
        raise ImproperlyConfigured(
            f"A phone number is sealed with key id {key_id}, which neither PHONE_KEY nor "
            "PHONE_KEY_OLD is (docs/OPERATIONS.md, Phone key)."
        )


@functools.lru_cache(maxsize=8)
def _keyring(current: str, old: str) -> Keyring:
    try:
        current_key = PhoneKey.from_text(current)
        old_key = PhoneKey.from_text(old) if old else None
    except ValueError as error:
        raise ImproperlyConfigured(f"PHONE_KEY / PHONE_KEY_OLD: {error}") from error
    if old_key is not None and old_key.id == current_key.id and old_key != current_key:
        raise ImproperlyConfigured(
            "PHONE_KEY and PHONE_KEY_OLD have the same key id (one chance in 256): generate "
            "another new PHONE_KEY."
        )
    return Keyring(current_key, None if old_key == current_key else old_key)


def keyring() -> Keyring:
    """The configured keys (``settings.PHONE_KEY``, ``settings.PHONE_KEY_OLD``)."""
    return _keyring(settings.PHONE_KEY, getattr(settings, "PHONE_KEY_OLD", "") or "")


def check_keys(current: str, old: str = "") -> None:
    """Raise ``ImproperlyConfigured`` if the keys are unusable (settings call it at start)."""
    _keyring(current, old)


def seal(phone: str) -> str:
    """``phone`` sealed under the current key (blank stays blank: a phone is optional)."""
    return keyring().current.seal(phone) if phone else ""


def _decode(sealed: str) -> bytes:
    try:
        raw = base64.b64decode(sealed, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) < 1 + NONCE_BYTES + TAG_BYTES:
        raise ValueError("not a sealed phone number")
    return raw


def is_sealed(value: str) -> bool:
    """Whether a column value is a sealed number (not blank, not a number in clear)."""
    if not value or value.isdigit():
        return False
    try:
        _decode(value)
    except ValueError:
        return False
    return True


def key_id_of(sealed: str) -> int:
    return _decode(sealed)[0]


def unseal(sealed: str) -> str:
    """The number in ``sealed`` (blank stays blank), under whichever configured key sealed it.
    A value altered in the database fails the GCM tag: ``ImproperlyConfigured`` says so
    rather than showing a wrong number."""
    if not sealed:
        return ""
    raw = _decode(sealed)
    try:
        return keyring().by_id(raw[0]).unseal(raw)
    except InvalidTag as error:
        raise ImproperlyConfigured(
            "A sealed phone number does not open with its key: the value was altered, or the "
            "key is not the one it was sealed with."
        ) from error


def digest(phone: str) -> str:
    """The keyed hash of a normalised number under the current key (blank: blank)."""
    return keyring().current.digest(phone)


def digests(phone: str) -> list[str]:
    """The number's hash under every configured key: what a lookup compares, so rows not yet
    rotated are found too."""
    return [key.digest(phone) for key in keyring().keys] if phone else []


def tail_digest(phone: str) -> str:
    return keyring().current.tail_digest(phone)


def tail_digests(digits: str) -> list[str]:
    """The hash of a number's last four digits (``digits``) under every configured key."""
    return [key.tail_digest(digits) for key in keyring().keys] if digits else []
