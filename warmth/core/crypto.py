"""Encryption of personal data (AES-256-GCM) and keyed blind indexes (HMAC-SHA256).

A stored value is ``v1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>``. The key id travels with the value, so
after a rotation old rows stay readable as long as their key is still listed in ``WARMTH_FIELD_KEY``; the
``warmth rotate-keys`` command re-encrypts them under the current key. The blind index is
``HMAC(index key, purpose ‖ normalized value)``: exact lookup and uniqueness without decrypting, and the
same value gives different indexes for different purposes (an ID number and a phone number never collide).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

PREFIX = "v1"


class DecryptionError(Exception):
    """A stored value cannot be decrypted (missing key, tampering, or the value was moved between columns).
    Deliberately not a ValueError: its text is for operators, never shown to users as input feedback."""


_KEYS: dict[str, bytes] | None = None  # the configured field keys, read once (settings are looked up lazily)


def _forget_keys(*, setting, **_) -> None:
    global _KEYS
    if setting == "WARMTH_FIELD_KEYS":
        _KEYS = None


setting_changed.connect(_forget_keys)


def _field_keys() -> dict[str, bytes]:
    global _KEYS
    if _KEYS:
        return _KEYS
    keys = settings.WARMTH_FIELD_KEYS
    if keys:
        _KEYS = keys
    if not keys:
        raise ImproperlyConfigured(
            "WARMTH_FIELD_KEY is not set: run `warmth demo` once (it writes data/warmth.env) "
            "or set WARMTH_FIELD_KEY=KID:BASE64 (32 random bytes)")
    return keys


@functools.lru_cache(maxsize=16)
def _cipher(key: bytes) -> AESGCM:
    """One AES-GCM object per key (building it costs more than sealing a short value); keyed by the key's
    bytes, so a rotated or overridden key gets its own."""
    return AESGCM(key)


def current_key_id() -> str:
    return next(iter(_field_keys()))


NONCES_AT_ONCE = 256


def sealer(aad: bytes = b"warmth"):
    """``encrypt(value, aad=aad)`` for many values in a row (a bulk writer's): the current key is looked up once,
    and the random 96-bit nonces are drawn from the OS ``NONCES_AT_ONCE`` at a time (one system call, which also
    lets other threads in, instead of one per value; each nonce is still fresh random bytes, used once)."""
    kid, key = next(iter(_field_keys().items()))
    seal, head, b64 = _cipher(key).encrypt, f"{PREFIX}:{kid}:", base64.b64encode
    pool: list[bytes] = []

    def one(plaintext: str) -> str:
        if not pool:
            block = os.urandom(12 * NONCES_AT_ONCE)
            pool.extend(block[i:i + 12] for i in range(0, len(block), 12))
        nonce = pool.pop()
        return head + b64(nonce + seal(nonce, plaintext.encode("utf-8"), aad)).decode("ascii")
    return one


def encrypt(plaintext: str, *, aad: bytes = b"warmth") -> str:
    kid, key = next(iter(_field_keys().items()))
    nonce = os.urandom(12)
    sealed = _cipher(key).encrypt(nonce, plaintext.encode("utf-8"), aad)
    return f"{PREFIX}:{kid}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def key_id_of(token: str) -> str | None:
    parts = token.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == PREFIX else None


def decrypt(token: str, *, aad: bytes = b"warmth") -> str:
    parts = token.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise DecryptionError("not an encrypted value")
    kid, b64 = parts[1], parts[2]
    key = _field_keys().get(kid)
    if key is None:
        raise DecryptionError(f"key {kid!r} is not configured (add it back to WARMTH_FIELD_KEY)")
    raw = base64.b64decode(b64)
    try:
        return _cipher(key).decrypt(raw[:12], raw[12:], aad).decode("utf-8")
    except InvalidTag as exc:
        raise DecryptionError(f"value does not decrypt with key {kid!r}") from exc


def opener(aad: bytes = b"warmth"):
    """``decrypt(token, aad=aad)`` for many values of one column in a row (an export's): the configured keys and
    their AES-GCM objects are looked up once, not per value; an empty value stays empty. Raises
    ``DecryptionError`` exactly where ``decrypt`` would."""
    keys = _field_keys()
    opens = {kid: _cipher(key).decrypt for kid, key in keys.items()}
    b64decode, head = base64.b64decode, PREFIX + ":"

    def one(token: str) -> str:
        if not token:
            return token
        if not token.startswith(head):
            raise DecryptionError("not an encrypted value")
        parts = token.split(":", 2)
        if len(parts) != 3:
            raise DecryptionError("not an encrypted value")
        open_ = opens.get(parts[1])
        if open_ is None:
            raise DecryptionError(f"key {parts[1]!r} is not configured (add it back to WARMTH_FIELD_KEY)")
        raw = b64decode(parts[2])
        try:
            return open_(raw[:12], raw[12:], aad).decode("utf-8")
        except InvalidTag as exc:
            raise DecryptionError(f"value does not decrypt with key {parts[1]!r}") from exc
    return one


def blind_index(purpose: str, value: str) -> str:
    """A 32-hex-digit keyed index of ``value`` (already normalized) for ``purpose``."""
    index_key = settings.WARMTH_INDEX_KEY
    if index_key is None:
        raise ImproperlyConfigured("WARMTH_INDEX_KEY is not set (KID:BASE64, 32 random bytes)")
    digest = hmac.new(index_key[1], f"{purpose}\x1f{value}".encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def new_key_b64() -> str:
    return base64.b64encode(os.urandom(32)).decode("ascii")
