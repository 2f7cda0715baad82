"""Know-your-customer records and their rules: what a submission must hold and which reviews it allows.

A player submits a PAN (``[A-Z]{5}[0-9]{4}[A-Z]``), their name and date of birth; an admin verifies a pending
record or rejects a pending or flagged one. The PAN is only ever shown masked (``XXXXXX`` and its last four).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from winzone_kernel.errors import FailedPrecondition, InvalidArgument, PermissionDenied

PAN_PATTERN: Final = re.compile(r"[A-Z]{5}[0-9]{4}[A-Z]")
NAME_MAX_LENGTH: Final = 100
NOTE_MAX_LENGTH: Final = 500
DEFAULT_MIN_AGE: Final = 18
PAN_IN_USE_NOTE: Final = "This PAN is already registered to another account"


class KycStatus(StrEnum):
    """Where a KYC record stands."""

    NONE = "none"
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"
    FLAGGED = "flagged"


class KycAlreadySubmitted(FailedPrecondition):
    """The user's KYC record is pending or verified, so a new submission does not replace it."""

    default_code = "KYC_ALREADY_SUBMITTED"
    default_message = "KYC was already submitted"


RESUBMITTABLE: Final = frozenset({KycStatus.NONE, KycStatus.REJECTED, KycStatus.FLAGGED})
REJECTABLE: Final = frozenset({KycStatus.PENDING, KycStatus.FLAGGED})


def parse_pan(value: object) -> str:
    """The PAN exactly as given: five upper-case letters, four digits, one upper-case letter."""
    if not isinstance(value, str) or PAN_PATTERN.fullmatch(value) is None:
        raise InvalidArgument("PAN must be 5 capital letters, 4 digits and a capital letter", code="INVALID_PAN")
    return value


def parse_name(value: object) -> str:
    """The name trimmed: 1 to 100 printable characters."""
    if not isinstance(value, str):
        raise InvalidArgument("name must be text", code="INVALID_NAME")
    name = unicodedata.normalize("NFC", value.strip())
    if not 1 <= len(name) <= NAME_MAX_LENGTH or not name.isprintable():
        raise InvalidArgument(f"name must be 1 to {NAME_MAX_LENGTH} printable characters", code="INVALID_NAME")
    return name


def age_on(born: date, today: date) -> int:
    """Age in whole years on ``today``."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def parse_date_of_birth(value: object, today: date, min_age: int) -> date:
    """A real ``YYYY-MM-DD`` date, not after ``today``, at least ``min_age`` years before it."""
    if not isinstance(value, str) or re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) is None:
        raise InvalidArgument("dateOfBirth must be YYYY-MM-DD", code="INVALID_DATE_OF_BIRTH")
    try:
        born = date.fromisoformat(value)
    except ValueError:
        raise InvalidArgument("dateOfBirth is not a real date", code="INVALID_DATE_OF_BIRTH") from None
    if born > today:
        raise InvalidArgument("dateOfBirth is in the future", code="INVALID_DATE_OF_BIRTH")
    if age_on(born, today) < min_age:
        raise InvalidArgument(f"You must be at least {min_age} years old", code="UNDER_AGE")
    return born


def parse_note(value: str | None, *, required: bool) -> str | None:
    """A review note trimmed (at most 500 characters); a reason is required."""
    note = (value or "").strip()
    if required and not note:
        raise InvalidArgument("a reason is required", code="INVALID_REASON")
    if len(note) > NOTE_MAX_LENGTH:
        code = "INVALID_REASON" if required else "INVALID_NOTE"
        raise InvalidArgument(f"at most {NOTE_MAX_LENGTH} characters", code=code)
    return note or None


def mask_pan(pan: str) -> str:
    """``XXXXXX`` and the last four characters."""
    return "XXXXXX" + pan[-4:]


def comparable_name(name: str) -> str:
    """The name as payouts compare it: case-folded, whitespace collapsed, ``.`` and ``,`` dropped."""
    cleaned = unicodedata.normalize("NFC", name).replace(".", "").replace(",", "")
    return " ".join(cleaned.casefold().split())


@dataclass(frozen=True, slots=True)
class KycSubmission:
    """A validated submission."""

    user_id: str
    pan: str
    name: str
    date_of_birth: date

    @classmethod
    def parse(cls, *, user_id: str, pan: object, name: object, date_of_birth: object, today: date,
              min_age: int = DEFAULT_MIN_AGE) -> KycSubmission:
        """Check every field (``INVALID_PAN``, ``INVALID_NAME``, ``INVALID_DATE_OF_BIRTH``, ``UNDER_AGE``)."""
        if not user_id:
            raise InvalidArgument("user_id is required", code="INVALID_USER")
        return cls(user_id, parse_pan(pan), parse_name(name), parse_date_of_birth(date_of_birth, today, min_age))

    def __repr__(self) -> str:
        return f"KycSubmission(user_id={self.user_id!r}, pan={mask_pan(self.pan)!r})"


@dataclass(frozen=True, slots=True)
class KycRecord:
    """One user's KYC record (the PAN in the clear in memory only; stores seal it)."""

    user_id: str
    status: KycStatus
    pan: str
    name: str
    date_of_birth: date
    submitted_at: datetime
    updated_at: datetime
    reviewed_at: datetime | None = None
    reviewed_by: str | None = None
    note: str | None = None

    def __repr__(self) -> str:
        return f"KycRecord(user_id={self.user_id!r}, status={self.status.value!r}, pan={self.masked_pan!r})"

    @property
    def masked_pan(self) -> str:
        return mask_pan(self.pan)

    @classmethod
    def submitted(cls, submission: KycSubmission, at: datetime, previous: KycRecord | None) -> KycRecord:
        """A new pending record; only allowed when there is none or it was rejected or flagged."""
        if previous is not None and previous.status not in RESUBMITTABLE:
            raise KycAlreadySubmitted()
        return cls(submission.user_id, KycStatus.PENDING, submission.pan, submission.name,
                   submission.date_of_birth, at, at)

    def flagged(self, note: str = PAN_IN_USE_NOTE) -> KycRecord:
        """This record held for review with ``note`` (its PAN belongs to another account)."""
        return replace(self, status=KycStatus.FLAGGED, note=note, reviewed_at=None, reviewed_by=None)

    def _reviewable_by(self, admin_id: str) -> None:
        if not admin_id:
            raise InvalidArgument("admin_id is required", code="INVALID_ADMIN")
        if admin_id == self.user_id:
            raise PermissionDenied("An admin cannot review their own KYC", code="SELF_REVIEW_FORBIDDEN")

    def verified(self, admin_id: str, note: str | None, at: datetime) -> KycRecord:
        """``pending → verified``."""
        self._reviewable_by(admin_id)
        if self.status is not KycStatus.PENDING:
            raise FailedPrecondition(f"Cannot verify a {self.status.value} KYC", code="INVALID_KYC_STATE")
        return replace(self, status=KycStatus.VERIFIED, reviewed_at=at, reviewed_by=admin_id,
                       note=parse_note(note, required=False), updated_at=at)

    def rejected(self, admin_id: str, reason: str | None, at: datetime) -> KycRecord:
        """``pending | flagged → rejected`` with a required reason."""
        self._reviewable_by(admin_id)
        text = parse_note(reason, required=True)
        if self.status not in REJECTABLE:
            raise FailedPrecondition(f"Cannot reject a {self.status.value} KYC", code="INVALID_KYC_STATE")
        return replace(self, status=KycStatus.REJECTED, reviewed_at=at, reviewed_by=admin_id, note=text,
                       updated_at=at)

    def matches_name(self, payee: str) -> bool:
        """Whether ``payee`` is this record's name (see ``comparable_name``)."""
        return comparable_name(payee) == comparable_name(self.name)
