"""Bearer tokens: JWT HS256 with a pinned algorithm, an issuer and an expiry."""

from __future__ import annotations

import jwt

from api_gateway.domain.model import Principal
from api_gateway.domain.ports import TokenIssuer
from winzone_kernel.clock import Clock, utc_now
from winzone_kernel.errors import Unauthenticated

ALGORITHM = "HS256"
ISSUER = "winzone"
REQUIRED_CLAIMS = ["sub", "exp", "iat", "iss", "role"]


class JwtTokenIssuer(TokenIssuer):
    """Issues and verifies the gateway's bearer tokens with one shared secret."""

    def __init__(self, secret: str, ttl_seconds: int, clock: Clock = utc_now) -> None:
        self._secret = secret
        self._ttl = ttl_seconds
        self._clock = clock

    def issue(self, user_id: str, role: str) -> str:
        now = int(self._clock().timestamp())
        claims = {"sub": user_id, "role": role, "iat": now, "exp": now + self._ttl, "iss": ISSUER}
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(token, self._secret, algorithms=[ALGORITHM], issuer=ISSUER,
                                options={"require": REQUIRED_CLAIMS})
        except jwt.PyJWTError as exc:
            raise Unauthenticated("Invalid or expired token", code="INVALID_TOKEN") from exc
        sub, role = claims.get("sub"), claims.get("role")
        if not isinstance(sub, str) or not isinstance(role, str):
            raise Unauthenticated("Invalid or expired token", code="INVALID_TOKEN")
        return Principal(sub, role)
