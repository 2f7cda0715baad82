"""Fresh random ids, so each test has its own users, records and keys and no test depends on another.

The shapes suit every service's id rules: letters, digits, ``_`` and ``-``, except that competition and match
ids may not contain ``_`` (``new_id`` joins with ``-`` for that reason).
"""

from __future__ import annotations

import uuid


def new_user() -> str:
    """A fresh user id: ``usr_`` and 16 hex digits."""
    return f"usr_{uuid.uuid4().hex[:16]}"


def new_id(prefix: str) -> str:
    """A fresh id of any other kind (competition, match, contribution, ...): ``prefix-`` and 12 hex digits."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def new_key() -> str:
    """A fresh idempotency key: ``key-`` and 32 hex digits."""
    return f"key-{uuid.uuid4().hex}"


def new_email(name: str = "player") -> str:
    """A fresh e-mail address for a user registered over REST: ``name-`` and 12 hex digits @winzone.test."""
    return f"{name}-{uuid.uuid4().hex[:12]}@winzone.test"


def new_request_id() -> str:
    """A fresh ``X-Request-Id`` the gateway keeps as given (8 to 64 letters and digits): 32 hex digits."""
    return uuid.uuid4().hex
