"""The payout service's ports: its store, the wallet it holds funds in and the payment gateway it pays through.

A ``PayoutRecord`` is the stored form of a ``PayoutRequest`` plus the bookkeeping the workflow needs to
resume after a crash: whether the wallet hold is placed yet, and a wallet step decided but not yet done
(``PendingFunds``). Every write is a compare-and-set on ``payout.version``, so of two concurrent writers
exactly one wins and the other reloads.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from payout_service.domain.kyc import KycRecord, KycStatus
from payout_service.domain.methods import PayoutMethod
from payout_service.domain.model import HoldAction, PayoutRequest, PayoutStatus, Withholding
from winzone_kernel.errors import AlreadyExists, FailedPrecondition, Unavailable


class PayoutScreen(Protocol):
    """A check a user must pass before a payout request is stored or any funds held (e.g. verified KYC);
    raises a ``WinzoneError`` to refuse."""

    async def check(self, user_id: str, method: PayoutMethod) -> None:
        """Refuse (raise) when ``user_id`` may not be paid out to ``method``."""


class VelocityExceeded(FailedPrecondition):
    """The user's payout requests of the last 24 hours already reach a daily count or amount limit."""

    default_code = "LIMIT_EXCEEDED"


@dataclass(frozen=True, slots=True)
class VelocityLimit:
    """At most ``count`` requests and ``amount`` (minor units, in the new record's currency) per user among
    the records created at or after ``since`` that are not withdrawn; 0: that bound is off."""

    since: datetime
    count: int = 0
    amount: int = 0

    def refuses(self, count: int, amount: int, record: PayoutRecord) -> bool:
        """Whether ``record`` on top of ``count`` records worth ``amount`` would pass a bound."""
        return (0 < self.count <= count) or (0 < self.amount < amount + record.payout.amount_minor)


class DuplicateRequestKey(AlreadyExists):
    """The user already has a payout request under this idempotency key."""

    default_code = "DUPLICATE_REQUEST_KEY"


@dataclass(frozen=True, slots=True)
class PendingFunds:
    """A wallet step that must happen before the payout is settled: ``void`` (after a rejection, or after the
    provider refused an approved payout: the refusal, with its reason, is recorded before the hold is released
    and such a payout is never sent again) or ``refund`` (a paid payout the provider reversed, up to
    ``amount_reversed`` cumulatively; ``None``: all of it)."""

    action: HoldAction
    reason: str | None = None
    provider_reference: str | None = None
    amount_reversed: int | None = None


@dataclass(eq=False, slots=True)
class PayoutRecord:
    """A payout request as stored, with its idempotency fingerprint and its unfinished wallet steps.

    ``hold_placed`` is false from the insert until the wallet confirmed the hold; such a record is invisible
    to users and admins. An unplaced record with ``pending`` (a ``void``) is being withdrawn: a hold the
    wallet may still hold under its id must be released, and it is never confirmed again (a repeated hold
    call would replay the first, possibly voided, hold). ``fingerprint`` identifies the request behind
    ``request_key``. ``destination`` is a keyed fingerprint of where the money goes (indexed), so that
    another user's payout to the same destination is found without opening any method.
    """

    payout: PayoutRequest
    fingerprint: str
    request_key: str | None = None
    hold_placed: bool = False
    pending: PendingFunds | None = None
    destination: str | None = None

    @property
    def needs_attention(self) -> bool:
        """A step is left to do: place the hold, finish a wallet step, or learn the provider's outcome."""
        return not self.hold_placed or self.pending is not None or self.payout.status is PayoutStatus.APPROVED

    @property
    def withdrawn(self) -> bool:
        """Never placed and being discarded: its possible hold is released, then the record is deleted."""
        return not self.hold_placed and self.pending is not None


AttentionCursor = tuple[datetime, str]
"""A position in ``needing_attention`` order: ``(updated_at, payout id)`` of the last record seen."""


@dataclass(frozen=True, slots=True)
class RecordPage:
    """One page of records, newest first, and how many match in all."""

    items: list[PayoutRecord]
    total: int


class PayoutStore(ABC):
    """Persistence of payout records. Implementations enforce uniqueness of ``(user_id, request_key)``."""

    @abstractmethod
    def migrate(self) -> None:
        """Create tables/collections and indexes; safe to run any number of times."""

    @abstractmethod
    def insert(self, record: PayoutRecord, velocity: VelocityLimit | None = None) -> None:
        """Store a new record; ``DuplicateRequestKey`` when the user already used its ``request_key``; with
        ``velocity``, ``VelocityExceeded`` (nothing stored) when the user's records since ``velocity.since``
        reach a bound, checked atomically with the insert (concurrent inserts of one user are serialized)."""

    def shares_destination(self, destination: str, user_id: str) -> bool:
        """Whether a record of a user other than ``user_id`` has the ``destination`` fingerprint."""
        raise NotImplementedError

    @abstractmethod
    def get(self, payout_id: str) -> PayoutRecord | None:
        """One record by payout id, placed or not."""

    @abstractmethod
    def find_by_key(self, user_id: str, request_key: str) -> PayoutRecord | None:
        """The user's record created under ``request_key``."""

    @abstractmethod
    def save(self, record: PayoutRecord, expected_version: int) -> bool:
        """Write ``record`` (all of it, ``request_key`` included) if the stored version is still
        ``expected_version``; return whether it was written.

        The stored version moves past ``expected_version`` (to the domain's version after its transitions, or
        to ``expected_version + 1`` for a bookkeeping change) and ``record.payout.version`` is set to it.
        """

    @abstractmethod
    def delete_unplaced(self, payout_id: str) -> bool:
        """Remove a record whose hold was never confirmed (the caller released any hold under its id first);
        return whether one was removed. A confirmed record is never removed."""

    @abstractmethod
    def needing_attention(
        self, updated_before: datetime, limit: int, after: AttentionCursor | None = None
    ) -> list[PayoutRecord]:
        """Records that ``needs_attention``, last updated at or before ``updated_before``, oldest first (by
        ``updated_at``, then id); with ``after``, only those strictly past that position, so that a caller can
        page through every one of them even while the oldest stay unfinished."""

    @abstractmethod
    def list(self, *, user_id: str | None, status: PayoutStatus | None, page: int, limit: int) -> RecordPage:
        """Placed records, newest first, optionally of one user and in one status."""

    @abstractmethod
    def close(self) -> None:
        """Release connections and background threads."""


class ProviderStatus(StrEnum):
    """A provider's answer about one payout; ``pending`` means the outcome is not known yet."""

    PAID = "paid"
    PENDING = "pending"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ProviderOutcome:
    """The provider's answer, in our terms; ``failure_reason`` is safe to show to the user."""

    status: ProviderStatus
    provider_reference: str | None = None
    failure_reason: str | None = None
    amount_reversed: int = 0
    """How much of a paid transfer the provider took back so far (cumulative); 0: nothing."""


class PaymentsPort(ABC):
    """The payment gateway as the payout workflow uses it. Errors are ``WinzoneError``s (``Unavailable``:
    the outcome is unknown)."""

    @abstractmethod
    async def send_payout(self, payout: PayoutRequest) -> ProviderOutcome:
        """Send the payout's ``net_amount`` (its amount less the tax withheld) once per payout id (the provider
        idempotency key); again returns the same outcome."""

    @abstractmethod
    async def get_payout(self, payout_id: str) -> ProviderOutcome | None:
        """The provider's outcome for our payout id, or ``None`` when it never received it."""


class WalletPort(ABC):
    """The wallet steps of a payout, each idempotent per payout (a repeat returns the first result)."""

    @abstractmethod
    async def hold(self, payout: PayoutRequest) -> Withholding:
        """Reserve the payout's amount; returns the tax the wallet withholds from it (the same figures again
        on a repeat); ``InsufficientFunds`` when the available balance is short."""

    @abstractmethod
    async def capture(self, payout_id: str) -> str:
        """Move the held funds out of the wallet; returns the user's payout transaction id."""

    @abstractmethod
    async def void(self, payout_id: str) -> None:
        """Release the held funds; for a hold id the wallet never saw, record a tombstone so that a create
        still on its way is refused (the wallet answers both as a voided hold)."""

    async def latest_topup_at(self, user_id: str, currency: str) -> datetime | None:
        """When the user's latest completed ``topup`` in ``currency`` was posted; ``None``: never.
        ``Unavailable`` when the wallet cannot tell."""
        raise Unavailable("This wallet cannot list top-ups", code="WALLET_UNAVAILABLE")

    @abstractmethod
    async def refund(self, payout: PayoutRequest, amount: int, amount_reversed: int) -> str:
        """Return ``amount`` of a captured payout to the user with a ``refund`` credit, once per cumulative
        ``amount_reversed`` (the key is derived from both); when ``amount_reversed`` is all of the payout's
        ``net_amount``, the payout's ``tds`` comes back from ``tds_payable`` in the same entry. Returns the
        user's transaction id."""


class KycStore(ABC):
    """KYC records, one per user, with their PAN sealed at rest, and ``pan_owners``: which user first
    submitted each PAN (keyed by an HMAC of the PAN, unique)."""

    @abstractmethod
    def migrate(self) -> None:
        """Create the tables or collections and indexes (idempotent)."""

    @abstractmethod
    def get(self, user_id: str) -> KycRecord | None:
        """The user's record, or None when they never submitted."""

    @abstractmethod
    def submit(self, record: KycRecord) -> KycRecord:
        """Claim the record's PAN for its user and save it, atomically: when another user owns the PAN the
        record is saved ``flagged`` instead (owner unchanged). Returns what was saved. A stored record that is
        pending or verified is never replaced: ``KycAlreadySubmitted`` (``domain.kyc``)."""

    @abstractmethod
    def update(self, record: KycRecord, expected: KycStatus) -> bool:
        """Save a reviewed record if its stored status is still ``expected``; False when it changed."""

    @abstractmethod
    def list(self, *, status: KycStatus | None, page: int, limit: int) -> tuple[list[KycRecord], int]:
        """Records, oldest submission first, optionally in one status; and how many match."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""
