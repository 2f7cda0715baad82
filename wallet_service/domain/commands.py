"""Validated ledger commands. Constructing one checks every field; ``fingerprint`` identifies the request
behind an idempotency key so that a different request under the same key is detected."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from wallet_service.domain.accounts import Account, check_id, postable_account, system_account
from wallet_service.domain.model import TX_TYPES, TxType
from winzone_kernel.clock import format_utc
from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import MAX_MINOR, check_minor, currency_of

MAX_LEGS = 20_000
MAX_BATCH_ENTRIES = 1_000
MAX_BATCH_LEGS = 4_000
"""Legs in one PostBatch at most: with its idempotency records a batch stays within one MongoDB group commit
(``mongo_batch`` max_documents 6,000), which never splits a batch, and within the store's time budget."""
MAX_TEXT = 500
MAX_METADATA_ITEMS = 32
CREDIT_TYPES = frozenset({TxType.TOPUP, TxType.REWARD, TxType.REFUND, TxType.CREDIT, TxType.ORGANIZER_FEE})
DEBIT_TYPES = frozenset({TxType.DEBIT, TxType.ENTRY_FEE, TxType.PAYOUT})
RECOVER_TYPES = frozenset({TxType.CHARGEBACK, TxType.DEBIT})
LEDGER_ONLY_TYPES = frozenset({TxType.BONUS, TxType.BONUS_EXPIRED, TxType.TDS, TxType.GST, TxType.MIGRATION})
"""Leg types only the ledger books (GrantBonus, expiry, tax, the funds migration): no Post may name them."""
POSTABLE_TYPES = frozenset(TX_TYPES - {t.value for t in LEDGER_ONLY_TYPES})


def check_key(key: object) -> str:
    if not isinstance(key, str) or not 1 <= len(key) <= 200 or not key.isprintable():
        raise InvalidArgument(
            "idempotency_key is required (1-200 printable characters)", code="INVALID_IDEMPOTENCY_KEY"
        )
    return key


def check_text(value: object, what: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise InvalidArgument(f"{what} must be a string of at most {MAX_TEXT} characters")
    return value


def check_metadata(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or len(value) > MAX_METADATA_ITEMS:
        raise InvalidArgument(f"metadata must be a map of at most {MAX_METADATA_ITEMS} items")
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, str) or len(k) > 64 or len(v) > MAX_TEXT:
            raise InvalidArgument("metadata keys and values must be short strings")
    return dict(value)


def check_type(value: object, allowed: frozenset[TxType], default: TxType) -> str:
    if value in ("", None):
        return default.value
    if value not in TX_TYPES or value not in allowed:
        raise InvalidArgument(f"type must be one of {sorted(a.value for a in allowed)}", code="INVALID_TYPE")
    return str(value)


def _fingerprint(kind: str, fields: tuple[Any, ...]) -> str:
    raw = json.dumps([kind, fields], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class MoveCommand:
    """Credit (``direction`` +1) or Debit (-1) between a user's wallet and a system account."""

    key: str
    user_id: str
    amount: int
    currency: str
    type: str
    counter_account: str
    source: str
    description: str
    metadata: dict[str, str] = field(hash=False)
    direction: int

    @classmethod
    def build(
        cls, *, key: object, user_id: object, amount: object, currency: object, type: object, counter_account: object,
        source: object, description: object, metadata: object, direction: int,
    ) -> MoveCommand:
        allowed, default = (CREDIT_TYPES, TxType.CREDIT) if direction > 0 else (DEBIT_TYPES, TxType.DEBIT)
        return cls(
            key=check_key(key),
            user_id=check_id(user_id, "user_id"),
            amount=check_minor(amount),
            currency=currency_of(currency or "INR").code,
            type=check_type(type, allowed, default),
            counter_account=system_account(counter_account).name,
            source=check_text(source or "", "source"),
            description=check_text(description or "", "description"),
            metadata=check_metadata(metadata or {}),
            direction=direction,
        )

    def fingerprint(self) -> str:
        return _fingerprint("move", (self.user_id, self.amount, self.currency, self.type, self.counter_account,
                                     self.source, self.description, sorted(self.metadata.items()), self.direction))


@dataclass(frozen=True, slots=True)
class TransferCommand:
    """Money from one user's available balance to another user's wallet."""

    key: str
    from_user_id: str
    to_user_id: str
    amount: int
    currency: str
    description: str
    metadata: dict[str, str] = field(hash=False)

    @classmethod
    def build(
        cls, *, key: object, from_user_id: object, to_user_id: object, amount: object, currency: object,
        description: object, metadata: object,
    ) -> TransferCommand:
        cmd = cls(
            key=check_key(key),
            from_user_id=check_id(from_user_id, "from_user_id"),
            to_user_id=check_id(to_user_id, "to_user_id"),
            amount=check_minor(amount),
            currency=currency_of(currency or "INR").code,
            description=check_text(description or "", "description"),
            metadata=check_metadata(metadata or {}),
        )
        if cmd.from_user_id == cmd.to_user_id:
            raise InvalidArgument("cannot transfer to the same wallet")
        return cmd

    def fingerprint(self) -> str:
        return _fingerprint("transfer", (self.from_user_id, self.to_user_id, self.amount, self.currency,
                                         self.description, sorted(self.metadata.items())))


@dataclass(frozen=True, slots=True)
class LegRequest:
    """One leg of a multi-leg posting as asked for, before validation; empty strings take the defaults
    (currency INR, the posting's description, no leg key)."""

    account: str
    amount: int
    type: str
    currency: str = ""
    description: str = ""
    key: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class LegSpec:
    """One leg of a multi-leg posting."""

    account: Account
    amount: int
    currency: str
    type: str
    description: str
    key: str | None
    metadata: dict[str, str] = field(hash=False)


@dataclass(frozen=True, slots=True)
class PostCommand:
    """One balanced multi-leg journal entry across any accounts."""

    key: str
    legs: tuple[LegSpec, ...]
    source: str
    description: str
    metadata: dict[str, str] = field(hash=False)

    @classmethod
    def build(cls, *, key: object, legs: Sequence[LegRequest], source: object, description: object,
              metadata: object) -> PostCommand:
        if not 2 <= len(legs) <= MAX_LEGS:
            raise InvalidArgument(f"a posting needs between 2 and {MAX_LEGS} legs", code="INVALID_POSTING")
        default_description = check_text(description or "", "description")
        specs: list[LegSpec] = []
        sums: dict[str, int] = {}
        leg_keys: set[str] = set()
        for raw in legs:
            amount = raw.amount
            if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0 or abs(amount) > MAX_MINOR:
                raise InvalidArgument("every leg needs a non-zero amount within limits", code="INVALID_AMOUNT")
            currency = currency_of(raw.currency or "INR").code
            leg_key = raw.key or None
            if leg_key is not None:
                check_key(leg_key)
                if leg_key in leg_keys:
                    raise InvalidArgument("leg idempotency keys must be unique", code="INVALID_POSTING")
                leg_keys.add(leg_key)
            if raw.type not in POSTABLE_TYPES:
                raise InvalidArgument(f"leg type must be one of {sorted(POSTABLE_TYPES)}", code="INVALID_TYPE")
            specs.append(LegSpec(
                account=postable_account(raw.account),
                amount=amount,
                currency=currency,
                type=raw.type,
                description=check_text(raw.description or default_description, "description"),
                key=leg_key,
                metadata=check_metadata(dict(raw.metadata)),
            ))
            sums[currency] = sums.get(currency, 0) + amount
        unbalanced = {c: s for c, s in sums.items() if s != 0}
        if unbalanced:
            raise InvalidArgument(f"legs do not balance: {unbalanced}", code="UNBALANCED_POSTING")
        return cls(
            key=check_key(key),
            legs=tuple(specs),
            source=check_text(source or "", "source"),
            description=default_description,
            metadata=check_metadata(metadata or {}),
        )

    def fingerprint(self) -> str:
        legs = tuple(
            (leg.account.name, leg.amount, leg.currency, leg.type, leg.description, leg.key,
             sorted(leg.metadata.items()))
            for leg in self.legs
        )
        return _fingerprint("post", (legs, self.source, self.description, sorted(self.metadata.items())))


@dataclass(frozen=True, slots=True)
class EntryRequest:
    """One entry of a batch as asked for: the fields of a Post, checked when its ``PostCommand`` is built."""

    key: str
    legs: Sequence[LegRequest]
    source: str = ""
    description: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict, hash=False)

    def command(self) -> PostCommand:
        return PostCommand.build(key=self.key, legs=self.legs, source=self.source, description=self.description,
                                 metadata=dict(self.metadata))


def check_batch(entries: Sequence[EntryRequest]) -> None:
    """A batch's own bounds: 1 to ``MAX_BATCH_ENTRIES`` entries and ``MAX_BATCH_LEGS`` legs in all."""
    if not 1 <= len(entries) <= MAX_BATCH_ENTRIES:
        raise InvalidArgument(f"a batch needs between 1 and {MAX_BATCH_ENTRIES} entries", code="INVALID_BATCH")
    if sum(len(entry.legs) for entry in entries) > MAX_BATCH_LEGS:
        raise InvalidArgument(f"a batch has at most {MAX_BATCH_LEGS} legs in all", code="INVALID_BATCH")


@dataclass(frozen=True, slots=True)
class CreateHoldCommand:
    """Reserve part of a user's available balance."""

    key: str
    hold_id: str
    user_id: str
    amount: int
    currency: str
    type: str
    source: str
    description: str
    metadata: dict[str, str] = field(hash=False)
    caller_chose_id: bool = True
    up_to_available: bool = False
    """Hold min(amount, available) instead of refusing when less is available."""

    @classmethod
    def build(
        cls, *, key: object, hold_id: object, user_id: object, amount: object, currency: object, type: object,
        source: object, description: object, metadata: object, new_hold_id: str, up_to_available: bool = False,
    ) -> CreateHoldCommand:
        return cls(
            key=check_key(key),
            hold_id=check_id(hold_id, "hold_id") if hold_id else new_hold_id,
            user_id=check_id(user_id, "user_id"),
            amount=check_minor(amount),
            currency=currency_of(currency or "INR").code,
            type=check_type(type, DEBIT_TYPES, TxType.PAYOUT),
            source=check_text(source or "", "source"),
            description=check_text(description or "", "description"),
            metadata=check_metadata(metadata or {}),
            caller_chose_id=bool(hold_id),
            up_to_available=bool(up_to_available),
        )

    def fingerprint(self) -> str:
        fields: tuple[Any, ...] = (self.hold_id if self.caller_chose_id else "", self.user_id, self.amount,
                                   self.currency, self.type, self.source, self.description,
                                   sorted(self.metadata.items()))
        return _fingerprint("hold", (*fields, True) if self.up_to_available else fields)


@dataclass(frozen=True, slots=True)
class SettleHoldCommand:
    """Capture (money leaves to ``counter_account``) or void (money returns) an open hold."""

    key: str
    hold_id: str
    capture: bool
    counter_account: str
    note: str

    @classmethod
    def build(cls, *, key: object, hold_id: object, capture: bool, counter_account: object = "",
              note: object = "") -> SettleHoldCommand:
        return cls(
            key=check_key(key),
            hold_id=check_id(hold_id, "hold_id"),
            capture=capture,
            counter_account=system_account(counter_account).name if capture else "",
            note=check_text(note or "", "reason" if not capture else "description"),
        )

    def fingerprint(self) -> str:
        return _fingerprint("settle", (self.hold_id, self.capture, self.counter_account, self.note))



@dataclass(frozen=True, slots=True)
class RecoverCommand:
    """Take ``amount`` back from a user's wallet to a system account: what is available, the rest as the
    user's receivable."""

    key: str
    user_id: str
    amount: int
    currency: str
    counter_account: str
    type: str
    source: str
    description: str
    metadata: dict[str, str] = field(hash=False)

    @classmethod
    def build(
        cls, *, key: object, user_id: object, amount: object, currency: object, counter_account: object,
        type: object, source: object, description: object, metadata: object,
    ) -> RecoverCommand:
        return cls(
            key=check_key(key),
            user_id=check_id(user_id, "user_id"),
            amount=check_minor(amount),
            currency=currency_of(currency or "INR").code,
            counter_account=system_account(counter_account).name,
            type=check_type(type, RECOVER_TYPES, TxType.CHARGEBACK),
            source=check_text(source or "", "source"),
            description=check_text(description or "", "description"),
            metadata=check_metadata(metadata or {}),
        )

    def fingerprint(self) -> str:
        return _fingerprint("recover", (self.user_id, self.amount, self.currency, self.counter_account, self.type,
                                        self.source, self.description, sorted(self.metadata.items())))


MAX_BONUS_LIFETIME = timedelta(days=5 * 365)
"""A bonus expires at most this long after it is granted."""


def check_reason(value: object) -> str:
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= MAX_TEXT or len(value) > MAX_TEXT:
        raise InvalidArgument(f"reason is required (1-{MAX_TEXT} characters)", code="INVALID_REASON")
    return value


def check_expiry(value: object, now: datetime) -> str:
    """An optional RFC 3339 expiry ("" for never) as a stored timestamp: in the future, at most
    ``MAX_BONUS_LIFETIME`` ahead of ``now``."""
    if value in ("", None):
        return ""
    if not isinstance(value, str) or len(value) > 64:
        raise InvalidArgument("expires_at must be an RFC 3339 time", code="INVALID_EXPIRY")
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError as exc:
        raise InvalidArgument("expires_at must be an RFC 3339 time", code="INVALID_EXPIRY") from exc
    if moment.tzinfo is None or "T" not in value.upper():
        raise InvalidArgument("expires_at must be an RFC 3339 time with its offset", code="INVALID_EXPIRY")
    if moment <= now:
        raise InvalidArgument("expires_at must be in the future", code="INVALID_EXPIRY")
    if moment - now > MAX_BONUS_LIFETIME:
        raise InvalidArgument("expires_at must be at most 5 years ahead", code="INVALID_EXPIRY")
    return format_utc(moment)


@dataclass(frozen=True, slots=True)
class GrantBonusCommand:
    """A promotion into a user's bonus fund from ``promotions``, with its reason and optional expiry."""

    key: str
    user_id: str
    amount: int
    currency: str
    reason: str
    expires_at: str
    """A stored timestamp, or "" for a grant that never expires."""
    granted_by: str

    @classmethod
    def build(
        cls, *, key: object, user_id: object, amount: object, currency: object, reason: object, expires_at: object,
        granted_by: object, now: datetime,
    ) -> GrantBonusCommand:
        return cls(
            key=check_key(key),
            user_id=check_id(user_id, "user_id"),
            amount=check_minor(amount),
            currency=currency_of(currency or "INR").code,
            reason=check_reason(reason),
            expires_at=check_expiry(expires_at, now),
            granted_by=check_id(granted_by, "granted_by") if granted_by else "",
        )

    def fingerprint(self) -> str:
        return _fingerprint("bonus", (self.user_id, self.amount, self.currency, self.reason, self.expires_at,
                                      self.granted_by))
