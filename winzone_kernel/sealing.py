"""Values sealed at rest: AES-256-GCM with a key from the environment, bound to the record they belong to.

A sealed value is ``aesgcm1:`` followed by URL-safe base64 of a random 96-bit nonce and the ciphertext with its
tag. The context (a record id) is authenticated as associated data, so a sealed value copied into another
record does not open. The key is 32 bytes in URL-safe base64 (``winzone_kernel.dev_secrets.new_aes_key``).
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from winzone_kernel.config import ConfigError
from winzone_kernel.dev_secrets import dev_secret

PREFIX = "aesgcm1:"
NONCE_BYTES = 12


class SealError(RuntimeError):
    """A sealed value does not open with this key and context (wrong key, altered, or another record's)."""


def decode_key(raw: str, name: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ConfigError(f"{name} must be 32 bytes in URL-safe base64") from exc
    if len(key) != 32:
        raise ConfigError(f"{name} must be 32 bytes in URL-safe base64 (got {len(key)} bytes)")
    return key


class Sealer:
    """Seals and opens text with one AES-256-GCM key (see the module docstring)."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("an AES-256-GCM key is 32 bytes")
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "Sealer(<key hidden>)"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, name: str = "PAYOUT_METHOD_KEY") -> Sealer:
        """The key ``name`` from ``env`` (outside production also from the data folder's development secrets);
        refuses to start without one."""
        env = os.environ if env is None else env
        raw = dev_secret(env, name)
        if not raw:
            raise ConfigError(f"{name} must be set (32 bytes, URL-safe base64); `winzone up` generates one per "
                              "data folder in development")
        return cls(decode_key(raw, name))

    @staticmethod
    def is_sealed(value: object) -> bool:
        return isinstance(value, str) and value.startswith(PREFIX)

    def seal(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, value: str, context: str) -> str:
        if not self.is_sealed(value):
            raise SealError("not a sealed value")
        try:
            raw = base64.urlsafe_b64decode(value[len(PREFIX):])
            return self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode()).decode()
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise SealError("sealed value does not open with this key for this record") from exc
