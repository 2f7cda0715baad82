"""Passwords (argon2id) and bearer tokens (JWT HS256 with a pinned algorithm and an expiry)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from winzone_kernel.errors import Unauthenticated

ALGORITHM = "HS256"
ISSUER = "winzone"

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("winzone-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-ish time: an unknown user still costs one argon2 verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of a REST request."""

    user_id: str
    role: str


class TokenIssuer:
    """Issues and verifies the gateway's bearer tokens."""

    def __init__(self, secret: str, ttl_seconds: int) -> None:
        self._secret = secret
        self._ttl = ttl_seconds

    def issue(self, user_id: str, role: str) -> str:
        now = int(time.time())
        claims = {"sub": user_id, "role": role, "iat": now, "exp": now + self._ttl, "iss": ISSUER}
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=[ALGORITHM], issuer=ISSUER,
                options={"require": ["sub", "exp", "iat", "iss", "role"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthenticated("Invalid or expired token", code="INVALID_TOKEN") from exc
        sub, role = claims.get("sub"), claims.get("role")
        if not isinstance(sub, str) or not isinstance(role, str):
            raise Unauthenticated("Invalid or expired token", code="INVALID_TOKEN")
        return Principal(sub, role)
