"""What the payment gateway's service layer needs from the outside: its store, the wallet, the payout service."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from payment_gateway.domain import ProcessedEvent, TopUpSession, TopUpStatus
from payment_gateway.providers.mock import MockCheckoutState


class TopUpStore(ABC):
    """Top-up sessions, processed provider events and the mock provider's state.

    Every status change is a conditional update (compare-and-set on the current status), so racing
    verify calls and webhooks can never move a session twice. Implementations enforce uniqueness a
    second time in the store: session ids, ``(user_id, idempotency_key)``, ``(provider, provider_ref)``
    and ``(provider, event_id)``.
    """

    @abstractmethod
    def migrate(self) -> None:
        """Create tables/collections and indexes; safe to run any number of times."""

    @abstractmethod
    def close(self) -> None:
        """Release connections and stop background threads."""

    @abstractmethod
    def add_session(self, session: TopUpSession) -> tuple[TopUpSession, bool]:
        """Insert ``session``; return ``(stored, True)``.

        When the session carries an idempotency key the same user already used, nothing is written and
        the earlier session is returned as ``(earlier, False)``.
        """

    @abstractmethod
    def get_session(self, session_id: str) -> TopUpSession | None:
        """A session by our id."""

    @abstractmethod
    def find_by_provider_ref(self, provider: str, provider_ref: str) -> TopUpSession | None:
        """A session by the provider's reference of its checkout."""

    @abstractmethod
    def attach_checkout(self, session_id: str, provider_ref: str, checkout_url: str, now: str) -> TopUpSession:
        """Record the provider checkout of a session that has none yet; return the stored session.

        When a checkout was attached first by a racing call, that one is kept and returned.
        """

    @abstractmethod
    def transition(
        self,
        session_id: str,
        allowed_from: Collection[TopUpStatus],
        to: TopUpStatus,
        now: str,
        *,
        transaction_id: str | None = None,
    ) -> TopUpSession | None:
        """Move the session to ``to`` only if its status is in ``allowed_from``; ``None`` when it was not.

        ``transaction_id`` is recorded with the move (crediting).
        """

    @abstractmethod
    def sessions_in_status(self, status: TopUpStatus, limit: int) -> list[TopUpSession]:
        """Up to ``limit`` sessions in ``status``, least recently updated first (for the settle sweep)."""

    @abstractmethod
    def event_processed(self, provider: str, event_id: str) -> bool:
        """Whether this provider event was already recorded."""

    @abstractmethod
    def record_event(self, event: ProcessedEvent) -> bool:
        """Record a processed event; ``False`` when it was recorded already (by a racing delivery)."""

    @abstractmethod
    def mock_state(self) -> MockCheckoutState:
        """The mock provider's durable state, in this store."""


@dataclass(frozen=True, slots=True)
class LedgerTransaction:
    """A wallet transaction as the wallet reports it (amounts in minor units)."""

    id: str
    user_id: str
    type: str
    amount: int
    currency: str
    status: str
    source: str
    description: str
    idempotency_key: str
    balance_after: int | None
    created_at: str
    updated_at: str
    account: str = ""
    entry_id: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TopUpCredit:
    """The one wallet credit of a paid session."""

    key: str
    user_id: str
    amount: int
    currency: str
    counter_account: str
    source: str
    description: str
    metadata: Mapping[str, str]


class Wallet(ABC):
    """The wallet service, as far as top-ups are concerned."""

    @abstractmethod
    async def credit(self, credit: TopUpCredit) -> LedgerTransaction:
        """Credit the user once per ``credit.key``; the same key and request return the first transaction.

        Raises ``Unavailable`` when the wallet cannot be reached (the caller retries later).
        """

    @abstractmethod
    async def transaction(self, transaction_id: str) -> LedgerTransaction:
        """One wallet transaction by id."""


@dataclass(frozen=True, slots=True)
class PayoutProviderResult:
    """A payout outcome reported by the provider's webhook, for the payout service."""

    payout_id: str
    status: str
    provider: str
    provider_reference: str
    failure_reason: str
    event_id: str
    event_type: str
    amount: int | None
    currency: str


class PayoutResultSink(ABC):
    """Where payout results from webhooks go: the payout service's ``RecordProviderResult``."""

    @abstractmethod
    async def record(self, result: PayoutProviderResult) -> None:
        """Hand the result over; raises ``Unavailable`` when the payout service cannot take it now."""
