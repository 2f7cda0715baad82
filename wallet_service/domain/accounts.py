"""Account names and kinds.

``user:<userId>`` is a player's or organizer's wallet and ``pool:<competitionId>`` a prize pool; both can
never go below their held funds. ``clearing:<provider>`` (money entering or leaving the platform) and
``platform_fees`` are system accounts that may go negative, which is what keeps every currency summing to 0.
``receivable:<userId>`` is the system account of what a user owes the platform (negative while owed, never
positive); only Recover and the settlement of later credits move it, so no caller may name it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from winzone_kernel.errors import InvalidArgument

ID_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,128}$")
DEFAULT_COUNTER_ACCOUNT = "clearing:external"
RECEIVABLE_PREFIX = "receivable:"
PLATFORM_ACCOUNTS = frozenset({"platform_fees", "promotions", "tds_payable", "gst_payable"})
"""System accounts of the platform itself: its fees, the source of bonuses, and the tax it owes."""


class AccountKind(StrEnum):
    USER = "user"
    POOL = "pool"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Account:
    """A parsed account name."""

    name: str
    kind: AccountKind
    owner: str

    @property
    def user_id(self) -> str | None:
        return self.owner if self.kind is AccountKind.USER else None

    @property
    def may_go_negative(self) -> bool:
        return self.kind is AccountKind.SYSTEM

    @property
    def is_receivable(self) -> bool:
        return self.name.startswith(RECEIVABLE_PREFIX)


def check_id(value: object, what: str) -> str:
    """Validate an external identifier (user, competition, hold ids)."""
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise InvalidArgument(f"{what} must be 1-128 characters of letters, digits, '_', '.', '@' or '-'")
    return value


def user_account(user_id: str) -> Account:
    check_id(user_id, "user_id")
    return Account(f"user:{user_id}", AccountKind.USER, user_id)


def receivable_account(user_id: str) -> Account:
    check_id(user_id, "user_id")
    return Account(f"{RECEIVABLE_PREFIX}{user_id}", AccountKind.SYSTEM, user_id)


def parse_account(name: object) -> Account:
    """Parse ``user:<id>``, ``pool:<id>``, ``clearing:<provider>``, ``receivable:<userId>`` or a platform account
    (``platform_fees``, ``promotions``, ``tds_payable``, ``gst_payable``)."""
    if not isinstance(name, str):
        raise InvalidArgument("account must be a string")
    if name in PLATFORM_ACCOUNTS:
        return Account(name, AccountKind.SYSTEM, "platform")
    prefix, sep, owner = name.partition(":")
    if sep and ID_PATTERN.fullmatch(owner):
        if prefix == "user":
            return Account(name, AccountKind.USER, owner)
        if prefix == "pool":
            return Account(name, AccountKind.POOL, owner)
        if prefix in ("clearing", "receivable"):
            return Account(name, AccountKind.SYSTEM, owner)
    raise InvalidArgument(f"unknown account {name[:140]!r}", code="INVALID_ACCOUNT")


def system_account(name: object) -> Account:
    """Parse a counter account that must be a system account (a receivable is not one a caller may name)."""
    account = parse_account(name or DEFAULT_COUNTER_ACCOUNT)
    if account.kind is not AccountKind.SYSTEM or account.is_receivable:
        raise InvalidArgument("counter_account must be a system account", code="INVALID_ACCOUNT")
    return account


def postable_account(name: object) -> Account:
    """Parse the account of a posting leg: any account but a receivable."""
    account = parse_account(name)
    if account.is_receivable:
        raise InvalidArgument("receivable accounts are moved only by Recover and settlement",
                              code="INVALID_ACCOUNT")
    return account
