"""Stripe-compatible webhook signatures over the exact raw body.

Header format: ``t=<unix seconds>,v1=<hex HMAC-SHA256(secret, b"<t>." + raw_body)>``; several ``v1``
entries may appear (secret rotation) and any one matching is enough; other schemes are ignored. The
MAC covers the raw bytes, so a body that was parsed and re-serialised no longer verifies. Unlike Stripe's
SDK, timestamps more than ``tolerance`` seconds in the future are refused as well as stale ones.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

from payment_gateway.domain.errors import InvalidSignature

SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def compute_signature(payload: bytes, secret: str, timestamp: int) -> str:
    """Hex HMAC-SHA256 of ``b"<timestamp>." + payload`` under ``secret``."""
    signed = str(timestamp).encode("ascii") + b"." + bytes(payload)
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def sign_header(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The signature header value for ``payload`` (now, unless ``timestamp`` is given)."""
    if not secret:
        raise ValueError("a webhook signing secret is required")
    ts = int(time.time()) if timestamp is None else timestamp
    return f"t={ts},{SCHEME}={compute_signature(payload, secret, ts)}"


def verify_header(
    payload: bytes,
    header: str | None,
    secret: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> int:
    """Check ``header`` against the raw ``payload``; return the signed timestamp.

    Raises :class:`InvalidSignature` when the header is missing or malformed, no ``v1`` signature matches,
    the secret is empty, or the timestamp is more than ``tolerance`` seconds away from ``now``.
    """
    if not isinstance(payload, bytes | bytearray):
        raise TypeError("verify the raw request body as bytes, not a decoded or re-serialised copy")
    if not header or not secret:
        raise InvalidSignature()
    timestamp, candidates = _parse(header)
    expected = compute_signature(payload, secret, timestamp).encode("ascii")
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(expected, candidate.encode("utf-8"))
    if not matched:
        raise InvalidSignature()
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise InvalidSignature()
    return timestamp


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup (HTTP header names are case-insensitive)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def _parse(header: str) -> tuple[int, list[str]]:
    timestamps: list[str] = []
    candidates: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            raise InvalidSignature()
        if key == "t":
            timestamps.append(value)
        elif key == SCHEME and value:
            candidates.append(value)
    if len(timestamps) != 1 or not candidates:
        raise InvalidSignature()
    if not (timestamps[0].isascii() and timestamps[0].isdigit() and len(timestamps[0]) <= 12):
        raise InvalidSignature()
    return int(timestamps[0]), candidates
