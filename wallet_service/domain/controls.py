"""Responsible-gaming controls of one player: limits per currency (with changes waiting out their cooling-off)
and a self-exclusion covering every currency. Pure rules over a plain document, stamped by an injected clock."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from winzone_kernel.clock import format_utc, parse_utc
from winzone_kernel.errors import FailedPrecondition, InvalidArgument
from winzone_kernel.money import check_minor, currency_of

COOLING_OFF = timedelta(hours=24)
ENTRY_WINDOW = timedelta(hours=24)
LIMITS = ("deposit_daily", "deposit_monthly", "entry_daily")
MIN_DAYS = 7
MAX_DAYS = 365


@dataclass(frozen=True, slots=True)
class LimitRequest:
    """One validated change: ``amount`` None removes the limit."""

    limit: str
    amount: int | None


@dataclass(frozen=True, slots=True)
class Pending:
    """A change of one limit waiting until ``effective_at``."""

    limit: str
    amount: int | None
    effective_at: str
    requested_at: str


@dataclass(slots=True)
class ControlsView:
    """What a player's controls are now in one currency."""

    user_id: str
    currency: str
    limits: dict[str, int] = field(default_factory=dict)
    pending: list[Pending] = field(default_factory=list)
    self_excluded: bool = False
    excluded_until: str | None = None
    excluded_permanently: bool = False
    excluded_at: str | None = None
    updated_at: str = ""


def check_user(user_id: object) -> str:
    if not isinstance(user_id, str) or not user_id.strip() or len(user_id) > 128:
        raise InvalidArgument("user_id is required", code="VALIDATION_ERROR")
    return user_id


def check_changes(changes: list[tuple[str, int | None, bool]]) -> list[LimitRequest]:
    """``(limit, amount, remove)`` triples to requests: a known limit, at most once, exactly one of a positive
    amount or remove."""
    seen: set[str] = set()
    out = []
    for limit, amount, remove in changes:
        if limit not in LIMITS:
            raise InvalidArgument(f"unknown limit {limit!r}: one of {', '.join(LIMITS)}", code="INVALID_LIMIT")
        if limit in seen:
            raise InvalidArgument(f"limit {limit} is changed more than once", code="INVALID_LIMIT")
        seen.add(limit)
        if remove:
            if amount is not None:
                raise InvalidArgument(f"{limit}: give an amount or remove, not both", code="INVALID_AMOUNT")
            out.append(LimitRequest(limit, None))
        else:
            if amount is None:
                raise InvalidArgument(f"{limit}: an amount is required", code="INVALID_AMOUNT")
            out.append(LimitRequest(limit, check_minor(amount)))
    return out


def check_days(days: int, permanent: bool) -> int:
    if permanent:
        if days:
            raise InvalidArgument("days must be 0 with permanent", code="INVALID_DAYS")
        return 0
    if isinstance(days, bool) or not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
        raise InvalidArgument(f"days must be {MIN_DAYS} to {MAX_DAYS}, or permanent", code="INVALID_DAYS")
    return days


def check_currency(currency: str) -> str:
    return currency_of(currency or "INR").code


def _limits(doc: dict[str, Any], currency: str) -> dict[str, Any]:
    per: dict[str, Any] = doc.setdefault("currencies", {}).setdefault(currency, {})
    per.setdefault("limits", {})
    per.setdefault("pending", {})
    return per


def settle(doc: dict[str, Any] | None, currency: str, now: datetime) -> dict[str, Any]:
    """A copy of ``doc`` where every pending change of ``currency`` due at ``now`` is in force."""
    out: dict[str, Any] = copy.deepcopy(doc) if doc else {}
    per = _limits(out, currency)
    for limit, change in list(per["pending"].items()):
        if parse_utc(change["effectiveAt"]) <= now:
            if change["amount"] is None:
                per["limits"].pop(limit, None)
            else:
                per["limits"][limit] = change["amount"]
            del per["pending"][limit]
    return out


def limit_in_force(doc: dict[str, Any] | None, currency: str, limit: str, now: datetime) -> int | None:
    """The limit applying at ``now`` (a due pending change counts), without copying the document."""
    if not doc:
        return None
    per = doc.get("currencies", {}).get(currency)
    if not per:
        return None
    change = per.get("pending", {}).get(limit)
    if change is not None and parse_utc(change["effectiveAt"]) <= now:
        value: int | None = change["amount"]
        return value
    current: int | None = per.get("limits", {}).get(limit)
    return current


def excluded(doc: dict[str, Any] | None, now: datetime) -> bool:
    """Whether a self-exclusion is in force at ``now``."""
    exclusion = (doc or {}).get("exclusion")
    if not exclusion:
        return False
    return bool(exclusion["permanent"]) or parse_utc(exclusion["until"]) > now


def set_limits(doc: dict[str, Any] | None, currency: str, changes: list[LimitRequest], now: datetime
               ) -> dict[str, Any]:
    """Apply the changes: lower (or first) at once, higher or removal pending for ``COOLING_OFF``."""
    out = settle(doc, currency, now)
    if not changes:
        return out
    per = _limits(out, currency)
    stamp = format_utc(now)
    for change in changes:
        current = per["limits"].get(change.limit)
        pending = per["pending"].get(change.limit)
        if change.amount == current:
            per["pending"].pop(change.limit, None)
        elif change.amount is not None and (current is None or change.amount < current):
            per["limits"][change.limit] = change.amount
            per["pending"].pop(change.limit, None)
        elif pending is not None and pending["amount"] == change.amount:
            continue
        else:
            per["pending"][change.limit] = {"amount": change.amount, "requestedAt": stamp,
                                            "effectiveAt": format_utc(now + COOLING_OFF)}
    out["updatedAt"] = stamp
    return out


def self_exclude(doc: dict[str, Any] | None, days: int, permanent: bool, now: datetime) -> dict[str, Any]:
    """Exclude for ``days`` or forever; an exclusion in force only ever lengthens."""
    out: dict[str, Any] = copy.deepcopy(doc) if doc else {}
    stamp = format_utc(now)
    current = out.get("exclusion") if excluded(out, now) else None
    if current and current["permanent"]:
        return out
    if permanent:
        out["exclusion"] = {"permanent": True, "until": None, "at": stamp}
    else:
        until = now + timedelta(days=days)
        if current and parse_utc(current["until"]) >= until:
            return out
        out["exclusion"] = {"permanent": False, "until": format_utc(until), "at": stamp}
    out["updatedAt"] = stamp
    return out


def view(user_id: str, doc: dict[str, Any] | None, currency: str, now: datetime) -> ControlsView:
    """The controls in force at ``now`` in ``currency``."""
    settled = settle(doc, currency, now)
    per = _limits(settled, currency)
    result = ControlsView(user_id=user_id, currency=currency, limits=dict(per["limits"]),
                          updated_at=str(settled.get("updatedAt") or ""))
    for limit in LIMITS:
        change = per["pending"].get(limit)
        if change is not None:
            result.pending.append(Pending(limit, change["amount"], change["effectiveAt"], change["requestedAt"]))
    if excluded(settled, now):
        exclusion = settled["exclusion"]
        result.self_excluded = True
        result.excluded_permanently = bool(exclusion["permanent"])
        result.excluded_until = exclusion["until"]
        result.excluded_at = exclusion["at"]
    return result


def self_excluded_error(user_id: str) -> FailedPrecondition:
    return FailedPrecondition(f"{user_id} is self-excluded: payments into prize pools are refused",
                              code="SELF_EXCLUDED")


def entry_limit_error(limit: int, spent: int, amount: int, currency: str) -> FailedPrecondition:
    left = max(0, limit - spent)
    return FailedPrecondition(
        f"entry_daily limit of {limit} {currency} minor units per 24 hours: {left} left, this entry needs {amount}",
        code="LIMIT_EXCEEDED",
    )
