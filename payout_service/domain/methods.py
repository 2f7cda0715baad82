"""Payout methods: validating untrusted input, normalising it, masking it and storing it.

A method arrives as decoded JSON, ``{"type": "upi" | "bank" | "stripe", "details": {...}}``, and nothing
about it is trusted: any value may be missing, of the wrong type or an operator object such as
``{"$ne": null}``. ``parse_payout_method`` accepts exactly the documented shape and raises
``InvalidPayoutMethod`` (code ``INVALID_PAYOUT_METHOD``, plus the offending ``field``) for anything else:
unknown top-level or detail keys are refused rather than ignored, and no message echoes the input.

Normalisation: every string is stripped of surrounding whitespace and names are NFC-normalised. IFSC codes
are accepted in either case and stored upper-case (banks treat them case-insensitively; upper-casing only
ASCII input, so no non-ASCII letter can turn into a valid one). UPI ids are kept as entered.

The full details are needed to send money, so they live unmasked in ``PayoutMethod.details`` and in
``to_json()`` (server-side storage only). Everything meant for people or logs goes through ``masked()``;
``repr``/``str`` of both the method and its details are masked so that accidental logging is safe.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, cast

from winzone_kernel.errors import InvalidArgument

INVALID_PAYOUT_METHOD: Final = "INVALID_PAYOUT_METHOD"
NAME_MAX_LENGTH: Final = 100
STRIPE_ACCOUNT_MAX_LENGTH: Final = 255

_UPI_ID = re.compile(r"(?P<handle>[A-Za-z0-9._-]{2,256})@(?P<provider>[A-Za-z0-9]{2,64})")
_ACCOUNT_NUMBER = re.compile(r"[0-9]{9,18}")
_IFSC = re.compile(r"[A-Z]{4}0[A-Z0-9]{6}")
_STRIPE_ACCOUNT = re.compile(r"acct_[A-Za-z0-9]{6,}")
_MASK = "****"


class InvalidPayoutMethod(InvalidArgument):
    """The payout method is missing or malformed; ``field`` names the offending path, e.g. ``method.type``."""

    default_code = INVALID_PAYOUT_METHOD
    default_message = "Invalid payout method"

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class PayoutMethodType(StrEnum):
    """The ways a player can be paid."""

    UPI = "upi"
    BANK = "bank"
    STRIPE = "stripe"


def _upi_id(value: str, field: str) -> str:
    if _UPI_ID.fullmatch(value) is None:
        raise InvalidPayoutMethod(
            "UPI id must look like handle@provider: a 2-256 character handle of letters, digits, '.', '_' "
            "or '-', and a 2-64 character provider of letters and digits",
            field=field,
        )
    return value


def _person_name(value: str, field: str) -> str:
    name = unicodedata.normalize("NFC", value)
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidPayoutMethod(f"{field} must be at most {NAME_MAX_LENGTH} characters", field=field)
    if not name.isprintable():
        raise InvalidPayoutMethod(f"{field} must not contain control or invisible characters", field=field)
    return name


def _account_number(value: str, field: str) -> str:
    if _ACCOUNT_NUMBER.fullmatch(value) is None:
        raise InvalidPayoutMethod("Bank account number must be 9 to 18 digits", field=field)
    return value


def _ifsc(value: str, field: str) -> str:
    code = value.upper() if value.isascii() else value
    if _IFSC.fullmatch(code) is None:
        raise InvalidPayoutMethod(
            "IFSC must be 11 characters: 4 letters, the digit 0, then 6 letters or digits (e.g. HDFC0001234)",
            field=field,
        )
    return code


def _stripe_account(value: str, field: str) -> str:
    if len(value) > STRIPE_ACCOUNT_MAX_LENGTH or _STRIPE_ACCOUNT.fullmatch(value) is None:
        raise InvalidPayoutMethod(
            "Stripe account id must look like acct_ followed by at least 6 letters or digits", field=field
        )
    return value


_Validator = Callable[[str, str], str]

_FIELDS: Final[Mapping[PayoutMethodType, tuple[tuple[str, _Validator], ...]]] = {
    PayoutMethodType.UPI: (("upiId", _upi_id), ("name", _person_name)),
    PayoutMethodType.BANK: (
        ("accountNumber", _account_number),
        ("ifsc", _ifsc),
        ("accountHolderName", _person_name),
    ),
    PayoutMethodType.STRIPE: (("accountId", _stripe_account),),
}
"""Detail keys of each method type, in canonical order, with the validator of each value."""


def _keep_tail(value: str, at_most: int) -> str:
    shown = min(at_most, len(value) // 2)
    return value[len(value) - shown :] if shown else ""


def mask_account_number(number: str) -> str:
    """``"123456784321"`` → ``"XXXXXXXX4321"``: every digit but the last four becomes ``X``."""
    tail = _keep_tail(number, 4)
    return "X" * (len(number) - len(tail)) + tail


def mask_upi_id(upi_id: str) -> str:
    """``"player@paytm"`` → ``"pl****@paytm"``: the first two handle characters and the provider remain.

    A handle shorter than four characters shows only half of itself, so no masked id is the full id.
    """
    handle, at, provider = upi_id.rpartition("@")
    if not at:
        return _MASK
    shown = min(2, len(handle) // 2)
    return f"{handle[:shown]}{_MASK}@{provider}"


def mask_stripe_account(account_id: str) -> str:
    """``"acct_1A2b3C4d5E6f7G8h"`` → ``"acct_****7G8h"``: at most the last four characters remain."""
    suffix = account_id.removeprefix("acct_")
    return f"acct_{_MASK}{_keep_tail(suffix, 4)}"


_MASKERS: Final[Mapping[str, Callable[[str], str]]] = {
    "upiId": mask_upi_id,
    "accountNumber": mask_account_number,
    "accountId": mask_stripe_account,
}


class PayoutDetails(Mapping[str, str]):
    """Read-only method details whose ``repr`` shows only the masked values."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values: dict[str, str] = dict(values)

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def masked(self) -> dict[str, str]:
        """The details safe to show: account numbers, UPI ids and Stripe accounts masked, names kept."""
        return {key: _MASKERS.get(key, str)(value) for key, value in self._values.items()}

    def __repr__(self) -> str:
        return f"PayoutDetails({self.masked()!r})"


@dataclass(frozen=True, slots=True, repr=False)
class PayoutMethod:
    """A validated, normalised payout method.

    Build one from untrusted input with ``parse_payout_method`` and from storage with ``from_json``. The
    constructor itself checks only the shape (a known type with exactly its detail keys, all strings), so
    that a stored method stays readable even if the input rules are tightened later.
    """

    type: PayoutMethodType
    details: Mapping[str, str]

    def __post_init__(self) -> None:
        method_type = PayoutMethodType(self.type)
        if not isinstance(self.details, Mapping):
            raise TypeError("details must be a mapping")
        expected = [key for key, _ in _FIELDS[method_type]]
        if set(self.details) != set(expected):
            raise ValueError(f"{method_type} details must have exactly the keys {expected}")
        if not all(isinstance(value, str) for value in self.details.values()):
            raise TypeError("every detail value must be a string")
        ordered = {key: self.details[key] for key in expected}
        object.__setattr__(self, "type", method_type)
        object.__setattr__(self, "details", PayoutDetails(ordered))

    def masked(self) -> dict[str, Any]:
        """The method as shown in responses and logs: ``{"type", "details"}`` with sensitive values masked."""
        return {"type": self.type.value, "details": self._details.masked()}

    def to_json(self) -> dict[str, Any]:
        """The UNMASKED method as a JSON-ready dict, for server-side storage only."""
        return {"type": self.type.value, "details": dict(self.details)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PayoutMethod:
        """Rebuild a method written by ``to_json``; a malformed record raises ``ValueError``/``TypeError``."""
        if not isinstance(data, Mapping) or set(data) != {"type", "details"}:
            raise ValueError("stored payout method must be an object with exactly type and details")
        return cls(PayoutMethodType(data["type"]), data["details"])

    @property
    def _details(self) -> PayoutDetails:
        return cast(PayoutDetails, self.details)

    def __hash__(self) -> int:
        return hash((self.type, tuple(self.details.items())))

    def __repr__(self) -> str:
        return f"PayoutMethod(type={self.type.value!r}, details={self._details.masked()!r})"


def mask_for_log(method: object) -> str:
    """A one-line, masked description of ``method`` for log lines; safe for any value, validated or not."""
    if isinstance(method, PayoutMethod):
        shown = ", ".join(f"{key}={value}" for key, value in method.masked()["details"].items())
        return f"{method.type.value}({shown})"
    return "<unvalidated payout method>"


def parse_payout_method(raw: object) -> PayoutMethod:
    """Validate an untrusted ``{"type", "details"}`` value and return the normalised ``PayoutMethod``.

    Raises ``InvalidPayoutMethod`` (an ``InvalidArgument`` with code ``INVALID_PAYOUT_METHOD``) naming the
    first offending field.
    """
    if raw is None:
        raise InvalidPayoutMethod("Payout method is required", field="method")
    if not isinstance(raw, Mapping):
        raise InvalidPayoutMethod("Payout method must be an object with type and details", field="method")
    if set(raw) - {"type", "details"}:
        raise InvalidPayoutMethod("Payout method has unknown fields; only type and details are allowed", field="method")
    method_type = _method_type(raw.get("type"))
    details = raw.get("details")
    if details is None:
        raise InvalidPayoutMethod("Payout method details are required", field="method.details")
    if not isinstance(details, Mapping):
        raise InvalidPayoutMethod("Payout method details must be an object", field="method.details")
    fields = _FIELDS[method_type]
    allowed = [key for key, _ in fields]
    if set(details) - set(allowed):
        raise InvalidPayoutMethod(
            f"{method_type} details have unknown fields; allowed: {', '.join(allowed)}",
            field="method.details",
        )
    normalised = {
        key: validate(_required_string(details, key, f"method.details.{key}"), f"method.details.{key}")
        for key, validate in fields
    }
    return PayoutMethod(method_type, normalised)


def _method_type(value: object) -> PayoutMethodType:
    choices = ", ".join(t.value for t in PayoutMethodType)
    if value is None:
        raise InvalidPayoutMethod(f"Payout method type is required: one of {choices}", field="method.type")
    if not isinstance(value, str):
        raise InvalidPayoutMethod(f"Payout method type must be one of {choices}", field="method.type")
    try:
        return PayoutMethodType(value.strip())
    except ValueError:
        raise InvalidPayoutMethod(
            f"Unsupported payout method type; use one of {choices}", field="method.type"
        ) from None


def _required_string(details: Mapping[Any, Any], key: str, field: str) -> str:
    value = details.get(key)
    if value is None:
        raise InvalidPayoutMethod(f"{field} is required", field=field)
    if not isinstance(value, str):
        raise InvalidPayoutMethod(f"{field} must be a string", field=field)
    stripped = value.strip()
    if not stripped:
        raise InvalidPayoutMethod(f"{field} must not be empty", field=field)
    return stripped
