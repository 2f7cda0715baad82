"""Bearer tokens: JWT HS256 with a pinned algorithm, an issuer and an expiry."""

from __future__ import annotations

import threading
from collections import OrderedDict

import jwt

from api_gateway.domain.model import Principal
from api_gateway.domain.ports import TokenIssuer
from winzone_kernel.clock import Clock, utc_now
from winzone_kernel.errors import Unauthenticated

ALGORITHM = "HS256"
ISSUER = "winzone"
REQUIRED_CLAIMS = ["sub", "exp", "iat", "iss", "role"]
MAX_VERIFIED_TOKENS = 50_000
"""Tokens whose signature was checked that are remembered, least recently used dropped first."""


def _invalid() -> Unauthenticated:
    return Unauthenticated("Invalid or expired token", code="INVALID_TOKEN")


class JwtTokenIssuer(TokenIssuer):
    """Issues and verifies the gateway's bearer tokens with one shared secret.

    A token whose signature and claims checked out is remembered with its expiry, byte for byte: the same
    token again costs a dictionary look-up and the expiry check, not a new HMAC and JSON parse. The token
    stays refused from the second its ``exp`` passes, remembered or not."""

    def __init__(self, secret: str, ttl_seconds: int, clock: Clock = utc_now) -> None:
        self._secret = secret
        self._ttl = ttl_seconds
        self._clock = clock
        self._verified: OrderedDict[str, tuple[Principal, int]] = OrderedDict()
        self._lock = threading.Lock()

    def issue(self, user_id: str, role: str) -> str:
        now = int(self._clock().timestamp())
        claims = {"sub": user_id, "role": role, "iat": now, "exp": now + self._ttl, "iss": ISSUER}
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        now = self._clock().timestamp()
        with self._lock:
            known = self._verified.get(token)
            if known is not None:
                self._verified.move_to_end(token)
        if known is not None:
            principal, expires = known
            if now < expires:
                return principal
            raise _invalid()
        try:
            claims = jwt.decode(token, self._secret, algorithms=[ALGORITHM], issuer=ISSUER,
                                options={"require": REQUIRED_CLAIMS})
        except jwt.PyJWTError as exc:
            raise _invalid() from exc
        sub, role, exp = claims.get("sub"), claims.get("role"), claims.get("exp")
        if not isinstance(sub, str) or not isinstance(role, str) or not isinstance(exp, int):
            raise _invalid()
        principal = Principal(sub, role)
        with self._lock:
            self._verified[token] = (principal, exp)
            while len(self._verified) > MAX_VERIFIED_TOKENS:
                self._verified.popitem(last=False)
        return principal
