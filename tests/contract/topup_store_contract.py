"""The contract every ``TopUpStore`` must pass: sessions, conditional status changes, events, mock state.

Subclass ``TopUpStoreContract`` per backend and implement ``create_store`` (and ``dispose_store`` when
closing is not enough). The mock provider runs over each store's ``mock_state()`` as well, so the fake
used by the provider's unit tests is never the only thing that proves its port.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from payment_gateway.adapters.mock_provider import MockProvider
from payment_gateway.domain.deposits import DepositGuard, DepositWindow
from payment_gateway.domain.mock_checkout import MockCheckout, MockSessionState
from payment_gateway.domain.model import PAYABLE, ProcessedEvent, TopUpSession, TopUpStatus, WebhookOutcome
from payment_gateway.domain.ports import TopUpStore
from payment_gateway.domain.provider import REVERSED_REASON, PayoutResult, PayoutStatus, SessionStatus
from tests.support.contract import StoreContract
from tests.support.ids import new_user
from winzone_kernel.clock import format_utc, timestamp_now
from winzone_kernel.errors import FailedPrecondition, InvalidState, NotFound
from winzone_kernel.ids import new_id


def new_session(user: str | None = None, *, key: str | None = None, amount: int = 100_000,
                currency: str = "INR", provider: str = "mock") -> TopUpSession:
    now = timestamp_now()
    return TopUpSession(id=new_id("tps"), user_id=user or new_user(), amount=amount, currency=currency,
                        provider=provider, status=TopUpStatus.CREATED, created_at=now, updated_at=now,
                        idempotency_key=key)


def added(store: TopUpStore, session: TopUpSession) -> TopUpSession:
    """``session`` inserted as new (it must not replay an earlier one)."""
    stored, created = store.add_session(session)
    assert created
    return stored


class TopUpStoreContract(StoreContract[TopUpStore]):
    """Abstract contract test case for ``TopUpStore`` implementations."""

    def add(self, session: TopUpSession) -> TopUpSession:
        return added(self.store, session)

    def test_a_session_round_trips(self) -> None:
        session = self.add(new_session(key="k-1"))
        assert self.store.get_session(session.id) == session
        assert self.store.get_session("tps_unknown") is None
        assert self.store.find_by_provider_ref("mock", "mock_session_unknown") is None

    def test_migrate_twice_is_harmless(self) -> None:
        session = self.add(new_session())
        self.store.migrate()
        assert self.store.get_session(session.id) == session

    def test_an_idempotency_key_is_unique_per_user_only(self) -> None:
        user = new_user()
        first = self.add(new_session(user, key="same"))
        earlier, created = self.store.add_session(new_session(user, key="same", amount=5))
        assert (earlier, created) == (first, False)
        other, created = self.store.add_session(new_session(new_user(), key="same"))
        assert created and other.id != first.id
        unkeyed = [self.store.add_session(new_session(user)) for _ in range(3)]
        assert all(created for _, created in unkeyed)

    def test_parallel_adds_under_one_key_store_one_session(self) -> None:
        user = new_user()
        with ThreadPoolExecutor(max_workers=10) as pool:
            results = list(pool.map(lambda _: self.store.add_session(new_session(user, key="race")), range(10)))
        assert sum(created for _, created in results) == 1
        assert len({stored.id for stored, _ in results}) == 1

    def test_a_checkout_is_attached_once(self) -> None:
        session = self.add(new_session())
        attached = self.store.attach_checkout(session.id, "mock_session_a", "http://gw/checkout/a", timestamp_now())
        assert (attached.provider_ref, attached.checkout_url) == ("mock_session_a", "http://gw/checkout/a")
        kept = self.store.attach_checkout(session.id, "mock_session_b", "http://gw/checkout/b", timestamp_now())
        assert kept.provider_ref == "mock_session_a"
        assert self.store.find_by_provider_ref("mock", "mock_session_a") == kept
        assert self.store.find_by_provider_ref("stripe", "mock_session_a") is None
        with pytest.raises(NotFound):
            self.store.attach_checkout("tps_unknown", "mock_session_c", "", timestamp_now())

    def test_a_payment_intent_is_recorded_once_even_on_a_credited_session(self) -> None:
        session = self.add(new_session())
        self.store.transition(session.id, PAYABLE, TopUpStatus.PAID, timestamp_now())
        self.store.transition(session.id, {TopUpStatus.PAID}, TopUpStatus.CREDITED, timestamp_now(),
                              transaction_id="txn_1")
        assert self.store.find_by_payment_intent("mock", "pi_1") is None
        stored = self.store.attach_payment_intent(session.id, "pi_1", timestamp_now())
        assert (stored.payment_intent, stored.status, stored.transaction_id) == ("pi_1", TopUpStatus.CREDITED,
                                                                                 "txn_1")
        assert self.store.attach_payment_intent(session.id, "pi_2", timestamp_now()).payment_intent == "pi_1"
        assert self.store.find_by_payment_intent("mock", "pi_1") == self.store.get_session(session.id) == stored
        assert self.store.find_by_payment_intent("stripe", "pi_1") is None
        other = self.add(new_session())
        assert self.store.attach_payment_intent(other.id, "pi_1", timestamp_now()).payment_intent is None
        assert self.store.find_by_payment_intent("mock", "pi_1") == stored
        with pytest.raises(NotFound):
            self.store.attach_payment_intent("tps_unknown", "pi_3", timestamp_now())

    def test_mock_charges_keep_their_refunds_and_disputes(self) -> None:
        state = self.store.mock_state()
        checkout = MockCheckout("mock_session_r", "tps_1", "usr_1", 100_000, "INR", MockSessionState.PAID,
                                "http://fe/ok", "http://fe/no")
        assert state.set(checkout, expected=None)
        assert state.get("mock_session_r") == checkout
        changed = replace(checkout, refunds=(30_000, 20_000), dispute_id="mock_dp_1", dispute_amount=50_000,
                          dispute_status="lost")
        assert state.set(changed, expected=MockSessionState.PAID)
        assert state.get("mock_session_r") == changed
        assert changed.amount_refunded == 50_000

    def test_status_changes_are_conditional(self) -> None:
        session = self.add(new_session())
        paid = self.store.transition(session.id, PAYABLE, TopUpStatus.PAID, timestamp_now())
        assert paid is not None and paid.status is TopUpStatus.PAID
        assert self.store.transition(session.id, {TopUpStatus.CREATED}, TopUpStatus.EXPIRED, timestamp_now()) is None
        assert self.store.transition(session.id, (), TopUpStatus.EXPIRED, timestamp_now()) is None
        credited = self.store.transition(session.id, {TopUpStatus.PAID}, TopUpStatus.CREDITED, timestamp_now(),
                                         transaction_id="txn_1")
        assert credited is not None
        assert (credited.status, credited.transaction_id) == (TopUpStatus.CREDITED, "txn_1")
        assert self.store.get_session(session.id) == credited
        assert credited.updated_at >= session.updated_at
        assert self.store.transition("tps_unknown", PAYABLE, TopUpStatus.PAID, timestamp_now()) is None

    def test_every_status_is_stored(self) -> None:
        for status in (TopUpStatus.FAILED, TopUpStatus.EXPIRED, TopUpStatus.CANCELLED):
            session = self.add(new_session())
            moved = self.store.transition(session.id, {TopUpStatus.CREATED}, status, timestamp_now())
            assert moved is not None and self.store.get_session(session.id).status is status

    def test_parallel_status_changes_have_one_winner(self) -> None:
        session = self.add(new_session())
        targets = [TopUpStatus.PAID, TopUpStatus.EXPIRED, TopUpStatus.CANCELLED, TopUpStatus.FAILED] * 5
        with ThreadPoolExecutor(max_workers=10) as pool:
            moved = list(pool.map(
                lambda to: self.store.transition(session.id, {TopUpStatus.CREATED}, to, timestamp_now()), targets))
        winners = [m for m in moved if m is not None]
        assert len(winners) == 1
        assert self.store.get_session(session.id).status is winners[0].status

    def test_sessions_in_a_status_are_listed_least_recently_updated_first(self) -> None:
        sessions = [self.add(new_session()) for _ in range(4)]
        for session in (sessions[2], sessions[0], sessions[3]):
            assert self.store.transition(session.id, PAYABLE, TopUpStatus.PAID, timestamp_now()) is not None
        paid = self.store.sessions_in_status(TopUpStatus.PAID, 10)
        assert [s.id for s in paid] == [sessions[2].id, sessions[0].id, sessions[3].id]
        assert paid[0] == self.store.get_session(sessions[2].id)
        assert [s.id for s in self.store.sessions_in_status(TopUpStatus.PAID, 2)] == [sessions[2].id, sessions[0].id]
        assert self.store.sessions_in_status(TopUpStatus.PAID, 0) == []
        assert [s.id for s in self.store.sessions_in_status(TopUpStatus.CREATED, 10)] == [sessions[1].id]
        assert self.store.sessions_in_status(TopUpStatus.CREDITED, 10) == []

    def test_sessions_in_a_status_page_on_from_a_cursor(self) -> None:
        sessions = [self.add(new_session()) for _ in range(3)]
        for session in sessions:
            assert self.store.transition(session.id, PAYABLE, TopUpStatus.PAID, timestamp_now()) is not None
        first = self.store.sessions_in_status(TopUpStatus.PAID, 2)
        rest = self.store.sessions_in_status(TopUpStatus.PAID, 2, (first[-1].updated_at, first[-1].id))
        assert [s.id for s in first + rest] == [s.id for s in self.store.sessions_in_status(TopUpStatus.PAID, 10)]
        assert len(rest) == 1
        last = rest[-1]
        assert self.store.sessions_in_status(TopUpStatus.PAID, 2, (last.updated_at, last.id)) == []

    def test_events_are_recorded_once_per_provider(self) -> None:
        event = ProcessedEvent("mock", "evt_1", "checkout.session.completed", WebhookOutcome.APPLIED, timestamp_now(),
                               "tps_1")
        assert not self.store.event_processed("mock", "evt_1")
        assert self.store.record_event(event)
        assert self.store.event_processed("mock", "evt_1")
        assert not self.store.record_event(replace(event, outcome=WebhookOutcome.IGNORED))
        assert not self.store.event_processed("stripe", "evt_1")
        assert self.store.record_event(replace(event, provider="stripe", session_id=None))
        with ThreadPoolExecutor(max_workers=10) as pool:
            recorded = list(pool.map(lambda _: self.store.record_event(replace(event, event_id="evt_race")),
                                     range(10)))
        assert recorded.count(True) == 1

    def test_mock_checkout_state_is_compare_and_set(self) -> None:
        state = self.store.mock_state()
        checkout = MockCheckout("mock_session_x", "tps_1", "usr_1", 100_000, "INR", MockSessionState.CREATED,
                                "http://fe/ok?session_id=tps_1", "http://fe/no?session_id=tps_1")
        assert state.get("mock_session_x") is None
        assert state.set(checkout, expected=None)
        assert not state.set(checkout, expected=None)
        assert state.get("mock_session_x") == checkout
        paid = replace(checkout, status=MockSessionState.PAID)
        assert not state.set(paid, expected=MockSessionState.CANCELLED)
        assert state.set(paid, expected=MockSessionState.CREATED)
        assert not state.set(replace(checkout, status=MockSessionState.CANCELLED), expected=MockSessionState.CREATED)
        assert state.get("mock_session_x") == paid

    def test_mock_payout_outcomes_are_recorded_once(self) -> None:
        state = self.store.mock_state()
        first = PayoutResult(PayoutStatus.PAID, "mock_payout_1", None, 50_000, "INR")
        assert state.get_payout("pay_1") is None
        assert state.add_payout("pay_1", first) == first
        assert state.add_payout("pay_1", PayoutResult(PayoutStatus.FAILED, None, "no", 1, "USD")) == first
        declined = PayoutResult(PayoutStatus.FAILED, None, "Mock provider declined the payout", 10_000, "INR")
        assert state.add_payout("pay_2", declined) == declined
        assert state.get_payout("pay_2") == declined

    def test_mock_payout_reversals_are_cumulative_and_only_increase(self) -> None:
        state = self.store.mock_state()
        assert state.reverse_payout("pay_none", 1) is None
        paid = PayoutResult(PayoutStatus.PAID, "mock_payout_r", None, 50_000, "INR")
        state.add_payout("pay_r", paid)
        part = replace(paid, amount_reversed=20_000)
        assert state.reverse_payout("pay_r", 20_000) == part
        assert state.reverse_payout("pay_r", 10_000) == part
        assert state.get_payout("pay_r") == part
        full = PayoutResult(PayoutStatus.FAILED, "mock_payout_r", REVERSED_REASON, 50_000, "INR", 50_000)
        assert state.reverse_payout("pay_r", 50_000) == full
        assert state.reverse_payout("pay_r", 20_000) == full
        assert state.get_payout("pay_r") == full

    def test_the_mock_provider_reverses_a_paid_payout_on_this_store(self) -> None:
        provider = MockProvider(self.store.mock_state(), gateway_base_url="http://gw", webhook_secret="s" * 20)
        sent = provider.send_payout("pay_8", 10_000, "INR", {"upiId": "p@upi", "name": "P"})
        assert provider.reverse_payout("pay_8", 4_000) == replace(sent, amount_reversed=4_000)
        reversed_ = provider.reverse_payout("pay_8")
        assert (reversed_.status, reversed_.amount_reversed) == (PayoutStatus.FAILED, 10_000)
        assert provider.get_payout("pay_8") == reversed_
        with pytest.raises(InvalidState):
            provider.reverse_payout("pay_8")

    def test_the_mock_provider_runs_on_this_store(self) -> None:
        provider = MockProvider(self.store.mock_state(), gateway_base_url="http://gw", webhook_secret="s" * 20)
        checkout = provider.create_checkout("tps_1", "usr_1", 100_000, "INR",
                                            "http://fe/ok?ref={CHECKOUT_SESSION_ID}", "http://fe/no")
        ref = checkout.provider_ref
        assert provider.checkout(ref).success_url == f"http://fe/ok?ref={ref}"
        assert provider.pay(ref).status is MockSessionState.PAID
        with pytest.raises(InvalidState):
            provider.cancel(ref)
        assert provider.retrieve_checkout(ref).status is SessionStatus.PAID
        other = provider.create_checkout("tps_2", "usr_1", 100_000, "INR", "http://fe/ok", "http://fe/no")
        assert provider.cancel(other.provider_ref).status is MockSessionState.CANCELLED
        assert provider.retrieve_checkout(other.provider_ref).status is SessionStatus.CANCELLED
        sent = provider.send_payout("pay_9", 10_000, "INR", {"upiId": "p@upi", "name": "P"})
        assert provider.send_payout("pay_9", 10_000, "INR", {"upiId": "p@upi", "name": "P"}) == sent
        assert provider.get_payout("pay_9") == sent


def guard(*windows: tuple[str, int], currency: str = "INR", excluded: bool = False) -> DepositGuard:
    """A deposit guard with one window per ``(since, limit)``."""
    return DepositGuard(currency, tuple(DepositWindow(f"w{i}", since, limit) for i, (since, limit)
                                        in enumerate(windows)), excluded)


def ago(**delta: float) -> str:
    return format_utc(datetime.now(UTC) - timedelta(**delta))


class DepositGuardContract(StoreContract[TopUpStore]):
    """``add_session`` with a ``DepositGuard``: the sums and the insert are one atomic write."""

    def add(self, session: TopUpSession) -> TopUpSession:
        return added(self.store, session)

    def test_sessions_fit_the_limit_and_the_one_beyond_stores_nothing(self) -> None:
        user = new_user()
        day = guard((ago(hours=24), 500))
        for _ in range(5):
            assert self.store.add_session(new_session(user, amount=100), day)[1]
        refused = new_session(user, amount=1)
        with pytest.raises(FailedPrecondition) as caught:
            self.store.add_session(refused, day)
        assert caught.value.code == "LIMIT_EXCEEDED"
        assert self.store.get_session(refused.id) is None
        dollars = guard((ago(hours=24), 500), currency="USD")
        assert self.store.add_session(new_session(user, amount=1, currency="USD"), dollars)[1]
        assert self.store.add_session(new_session(new_user(), amount=500), day)[1]

    def test_every_window_must_have_room(self) -> None:
        user = new_user()
        self.store.add_session(new_session(user, amount=300))
        both = guard((ago(hours=24), 1_000), (ago(days=30), 500))
        with pytest.raises(FailedPrecondition, match="w1"):
            self.store.add_session(new_session(user, amount=300), both)
        assert self.store.add_session(new_session(user, amount=200), both)[1]

    def test_sessions_closed_without_money_free_their_allowance_and_paid_ones_do_not(self) -> None:
        user = new_user()
        day = guard((ago(hours=24), 300))
        closed = [self.add(new_session(user, amount=100)) for _ in range(3)]
        for session, status in zip(closed, (TopUpStatus.FAILED, TopUpStatus.EXPIRED, TopUpStatus.CANCELLED),
                                   strict=True):
            self.store.transition(session.id, {TopUpStatus.CREATED}, status, timestamp_now())
        paid = self.add(new_session(user, amount=200))
        self.store.transition(paid.id, PAYABLE, TopUpStatus.PAID, timestamp_now())
        assert self.store.add_session(new_session(user, amount=100), day)[1]
        with pytest.raises(FailedPrecondition):
            self.store.add_session(new_session(user, amount=1), day)

    def test_a_session_created_before_the_window_does_not_count(self) -> None:
        user = new_user()
        old = replace(new_session(user, amount=500), created_at=ago(hours=25), updated_at=ago(hours=25))
        self.add(old)
        assert self.store.add_session(new_session(user, amount=500), guard((ago(hours=24), 500)))[1]

    def test_a_replay_is_answered_without_the_guard(self) -> None:
        user = new_user()
        first = self.add(new_session(user, key="same", amount=500))
        earlier, created = self.store.add_session(new_session(user, key="same", amount=500),
                                                  guard((ago(hours=24), 500), excluded=True))
        assert (earlier, created) == (first, False)
        with pytest.raises(FailedPrecondition) as caught:
            self.store.add_session(new_session(user, key="other", amount=1), guard(excluded=True))
        assert caught.value.code == "SELF_EXCLUDED"

    def test_ten_concurrent_sessions_against_a_limit_of_five_store_exactly_five(self) -> None:
        user = new_user()
        day = guard((ago(hours=24), 500))

        def attempt(_: int) -> bool:
            try:
                return self.store.add_session(new_session(user, amount=100), day)[1]
            except FailedPrecondition:
                return False

        with ThreadPoolExecutor(max_workers=10) as pool:
            created = list(pool.map(attempt, range(10)))
        assert created.count(True) == 5
