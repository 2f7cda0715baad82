"""Password hashing with argon2id."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher as Argon2Hasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from api_gateway.domain.ports import PasswordHasher


@cache
def _timing_hash() -> str:
    """A hash nobody's password matches, verified against when the user is unknown."""
    return Argon2Hasher().hash("winzone-timing-equaliser")


class Argon2PasswordHasher(PasswordHasher):
    """argon2id with the library's default cost parameters."""

    def __init__(self) -> None:
        self._hasher = Argon2Hasher()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or _timing_hash(), password) and password_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
