"""Every port of the payment gateway: its store, the mock provider's state, the wallet, the payout
service and the payment provider. Abstract base classes only; adapters implement them.

Provider outcomes and errors (amounts are integer minor units with an upper-case ISO-4217 code):

* ``create_checkout`` / ``retrieve_checkout`` / ``get_payout`` raise ``ProviderUnavailable`` when the
  provider cannot be reached or fails (5xx, timeout, rate limit, rejected credentials): retry later.
* ``send_payout`` never raises for a provider failure whose outcome is unknown. A timeout or 5xx may
  have moved the money, so it returns ``PayoutStatus.PENDING``; resolve it with ``get_payout`` or by
  sending again with the same payout id (the provider idempotency key). A definite refusal by the
  provider (insufficient platform balance, invalid destination, ...) returns ``PayoutStatus.FAILED`` with
  a reason that is safe to show. ``ProviderIdempotencyError`` means the payout id was already used
  with different parameters: a bug, never a payout outcome.
* ``parse_webhook`` raises ``InvalidSignature`` for any missing or bad signature, and
  ``InvalidArgument`` (``INVALID_WEBHOOK_PAYLOAD``) for a correctly signed body that is not an event.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping
from typing import ClassVar

from payment_gateway.domain.deposits import DepositControls, DepositGuard
from payment_gateway.domain.events import WebhookEvent
from payment_gateway.domain.mock_checkout import MockCheckout, MockSessionState
from payment_gateway.domain.model import ProcessedEvent, TopUpSession, TopUpStatus
from payment_gateway.domain.provider import Checkout, CheckoutStatus, PayoutProviderResult, PayoutResult
from payment_gateway.domain.wallet import DisputeHold, LedgerTransaction, Recovered, Recovery, TopUpCredit


class MockCheckoutState(ABC):
    """Durable state of the mock provider: its checkout sessions and its payout outcomes."""

    @abstractmethod
    def get(self, provider_ref: str) -> MockCheckout | None:
        """The stored session, or ``None``."""

    @abstractmethod
    def set(self, checkout: MockCheckout, *, expected: MockSessionState | None) -> bool:
        """Store ``checkout`` only if the stored status is ``expected`` (``None``: only if absent).

        Returns whether it was written. This compare-and-set keeps a racing Pay and Cancel from both
        winning.
        """

    @abstractmethod
    def get_payout(self, payout_id: str) -> PayoutResult | None:
        """The recorded outcome of our payout ``payout_id``, or ``None``."""

    @abstractmethod
    def add_payout(self, payout_id: str, result: PayoutResult) -> PayoutResult:
        """Record ``result`` (every field) unless an outcome is already recorded; return the recorded one.

        Amount and currency must round-trip: reusing a payout id for another amount is detected with them.
        """

    @abstractmethod
    def reverse_payout(self, payout_id: str, amount_reversed: int) -> PayoutResult | None:
        """Raise the recorded payout's cumulative ``amount_reversed`` to ``amount_reversed`` (it only ever
        increases; a lower figure changes nothing); once it reaches the amount the payout is ``FAILED`` with
        ``REVERSED_REASON``. Returns the recorded outcome, or ``None`` when no payout ``payout_id`` is recorded.
        """


class TopUpStore(ABC):
    """Top-up sessions, processed provider events and the mock provider's state.

    Every status change is a conditional update (compare-and-set on the current status), so racing
    verify calls and webhooks can never move a session twice. Implementations enforce uniqueness a
    second time in the store: session ids, ``(user_id, idempotency_key)``, ``(provider, provider_ref)``
    and ``(provider, event_id)``. Timestamps (``now``) are stored strings (``winzone_kernel.clock``).
    """

    @abstractmethod
    def migrate(self) -> None:
        """Create tables/collections and indexes; safe to run any number of times."""

    @abstractmethod
    def close(self) -> None:
        """Release connections and stop background threads."""

    @abstractmethod
    def add_session(self, session: TopUpSession, guard: DepositGuard | None = None) -> tuple[TopUpSession, bool]:
        """Insert ``session``; return ``(stored, True)``.

        When the session carries an idempotency key the same user already used, nothing is written and
        the earlier session is returned as ``(earlier, False)``. With ``guard``, a new session is inserted only
        if, for each of its windows, the amounts of the user's sessions in that currency created since the
        window's start and not failed, expired or cancelled, plus this one, stay within the limit
        (``guard.check`` raises otherwise); the sums and the insert are one atomic write.
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
    def find_by_payment_intent(self, provider: str, payment_intent: str) -> TopUpSession | None:
        """A session by the provider's payment behind its paid checkout (for refunds and disputes)."""

    @abstractmethod
    def attach_payment_intent(self, session_id: str, payment_intent: str, now: str) -> TopUpSession:
        """Record the provider's payment of a session that has none yet (in any status, credited too); return
        the stored session. One recorded first is kept; ``NotFound`` for an unknown session. Unique per
        ``(provider, payment_intent)``: a payment already recorded on another session is not recorded again."""

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
    def sessions_in_status(
        self, status: TopUpStatus, limit: int, after: tuple[str, str] | None = None
    ) -> list[TopUpSession]:
        """Up to ``limit`` sessions in ``status``, least recently updated first (by ``updated_at``, then id);
        with ``after``, only those strictly past that ``(updated_at, id)``, so that a sweep can page past
        sessions that keep failing (for the settle sweep)."""

    @abstractmethod
    def event_processed(self, provider: str, event_id: str) -> bool:
        """Whether this provider event was already recorded."""

    @abstractmethod
    def record_event(self, event: ProcessedEvent) -> bool:
        """Record a processed event; ``False`` when it was recorded already (by a racing delivery)."""

    @abstractmethod
    def mock_state(self) -> MockCheckoutState:
        """The mock provider's durable state, in this store."""


class Wallet(ABC):
    """The wallet service, as far as top-ups are concerned."""

    @abstractmethod
    async def credit(self, credit: TopUpCredit) -> LedgerTransaction:
        """Credit the user once per ``credit.key``; the same key and request return the first transaction.

        The same key with another request raises ``IdempotencyConflict``; ``Unavailable`` when the wallet
        cannot be reached (the caller retries later).
        """

    @abstractmethod
    async def controls(self, user_id: str, currency: str) -> DepositControls:
        """The player's self-exclusion and deposit limits in ``currency``; ``Unavailable`` when the wallet
        cannot be reached (the top-up is then refused, never let through unchecked)."""

    @abstractmethod
    async def transaction(self, transaction_id: str) -> LedgerTransaction:
        """One wallet transaction by id; ``NotFound`` when there is none."""

    @abstractmethod
    async def recover(self, recovery: Recovery) -> Recovered:
        """Take ``recovery.amount`` back once per key: what is available from the wallet, the rest as the user's
        receivable (the wallet is then restricted until later credits settle it). The same key and request
        answer the first result; another request under the key is ``IdempotencyConflict``."""

    @abstractmethod
    async def hold_up_to(self, hold: DisputeHold) -> int:
        """Hold up to ``hold.amount`` of the available balance under ``hold.hold_id``, once per key; return what
        was held. ``InsufficientFunds`` when nothing is available, ``FailedPrecondition`` (``HOLD_VOIDED``) when
        the hold id was released first; both are answered again under the same key."""

    @abstractmethod
    async def capture_hold(self, hold_id: str, key: str, counter_account: str, description: str) -> int:
        """Capture an open hold to ``counter_account``, once per key; return the amount captured. ``NotFound``
        when there is no such hold, ``FailedPrecondition`` when it is not open (both remembered by key)."""

    @abstractmethod
    async def void_hold(self, hold_id: str, key: str, reason: str) -> int:
        """Release a hold, once per key; return the amount released. An unknown hold id is recorded as voided
        (0 released) so that a later hold under it is refused; ``FailedPrecondition`` when it is not open."""


class PayoutResultSink(ABC):
    """Where payout results from webhooks go: the payout service's ``RecordProviderResult``."""

    @abstractmethod
    async def record(self, result: PayoutProviderResult) -> None:
        """Hand the result over; raises ``Unavailable`` when the payout service cannot take it now."""


class PaymentProvider(ABC):
    """A payment provider: hosted checkout for top-ups, payouts, and signed webhooks (see the module docstring)."""

    name: ClassVar[str]
    payout_method_types: ClassVar[frozenset[str]]
    """Payout method types (``upi``, ``bank``, ``stripe``) this provider can pay out to."""

    @abstractmethod
    def create_checkout(
        self,
        session_id: str,
        user_id: str,
        amount_minor: int,
        currency: str,
        success_url: str,
        cancel_url: str,
        metadata: Mapping[str, str] | None = None,
    ) -> Checkout:
        """Create a hosted checkout for our top-up ``session_id``.

        ``success_url`` / ``cancel_url`` may contain ``{CHECKOUT_SESSION_ID}``, which the provider replaces
        with the provider ref. Raises ``InvalidArgument`` for bad input, ``ProviderRejected`` or
        ``ProviderUnavailable``.
        """

    @abstractmethod
    def retrieve_checkout(self, provider_ref: str) -> CheckoutStatus:
        """The session's current status; ``NotFound`` (``CHECKOUT_NOT_FOUND``) if the provider has none."""

    def lookup_checkout(self, provider_ref: str) -> CheckoutStatus:
        """The session's status as the provider knows it, with no side effect (what a sweep asks); a provider
        whose ``retrieve_checkout`` does more (the mock's pays an open session, as a player would) overrides it."""
        return self.retrieve_checkout(provider_ref)

    @abstractmethod
    def close_checkout(self, provider_ref: str) -> bool:
        """Make the checkout unpayable because we are closing our session (expired, failed, cancelled).

        Returns ``False`` when the provider took the payment first: the payment wins and our session must
        stay open to be credited. A provider that closes its own sessions (and tells us by webhook) has
        nothing to do and returns ``True``; so does one that has no such checkout.
        """

    @abstractmethod
    def send_payout(
        self, payout_id: str, amount_minor: int, currency: str, destination: Mapping[str, str]
    ) -> PayoutResult:
        """Send money once per ``payout_id``; sending again with the same id returns the same outcome.

        ``destination`` is the payout method's details (``{"accountId": "acct_..."}``,
        ``{"upiId", "name"}`` or ``{"accountNumber", "ifsc", "accountHolderName"}``).
        """

    @abstractmethod
    def get_payout(self, payout_id: str) -> PayoutResult | None:
        """Look a payout up by OUR payout id; ``None`` when the provider has no record of it."""

    @abstractmethod
    def parse_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Verify the signature over the exact raw body, then normalise the event."""
