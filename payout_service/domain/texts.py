"""The checked values a payout's history is made of: instants, actors, notes, provider references and
failure reasons (shown to people, so printable and bounded)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from winzone_kernel.errors import InvalidArgument

NOTE_MAX_LENGTH: Final = 500
PROVIDER_REFERENCE_MAX_LENGTH: Final = 255
DEFAULT_FAILURE_REASON: Final = "Payout failed at the payment provider"


def utc_instant(at: object) -> datetime:
    if not isinstance(at, datetime):
        raise TypeError("at must be a datetime")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("at must be timezone-aware")
    return at


def identifier(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    return value


def actor(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument("The acting user or service must be identified", code="INVALID_ACTOR")
    return value.strip()


def _is_clean(text: str) -> bool:
    return all(ch.isprintable() or ch in "\n\r\t" for ch in text)


def optional_text(value: object, name: str, *, code: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidArgument(f"The {name} must be a string", code=code)
    text = value.strip()
    if len(text) > NOTE_MAX_LENGTH:
        raise InvalidArgument(f"The {name} must be at most {NOTE_MAX_LENGTH} characters", code=code)
    if not _is_clean(text):
        raise InvalidArgument(f"The {name} must not contain control characters", code=code)
    return text or None


def provider_reference(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value.strip()) > PROVIDER_REFERENCE_MAX_LENGTH:
        raise InvalidArgument(
            f"A provider reference must be a string of at most {PROVIDER_REFERENCE_MAX_LENGTH} characters",
            code="INVALID_PROVIDER_REFERENCE",
        )
    return value.strip() or None


def provider_failure_reason(value: str | None) -> str:
    if value is not None and not isinstance(value, str):
        raise TypeError("reason must be a string or None")
    text = "".join(ch if ch.isprintable() else " " for ch in (value or "")).strip()
    if not text:
        return DEFAULT_FAILURE_REASON
    if len(text) > NOTE_MAX_LENGTH:
        return text[: NOTE_MAX_LENGTH - 1] + "…"
    return text
