"""Issue 10 path 6: card refunds and chargebacks of a top-up take the money back from the wallet.

The real wallet, payment gateway (mock provider), payout service and reward service run on real ports over
SQLite files in one data folder, with the REST gateway in process in front of them; the provider's events are
signed mock webhooks. A dispute holds what is available, a lost one captures the hold and books the rest as
the user's receivable (the account is restricted until a later credit settles it), a won one releases the
hold; refunds are recovered exactly once each. Every test ends with the wallet audit and the cross-service
audit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest

from payment_gateway.adapters.mock_events import build_signed_event, charge_object, dispute_object, mock_charge_id
from payment_gateway.adapters.mock_provider import MockProvider
from reward_service import server as reward_server
from reward_service.adapters.grpc_wallet import GrpcWallet as RewardWallet
from reward_service.adapters.sqlite_store import SqliteRewardStore
from tests.conftest import WalletHarness
from tests.support.grpc_servers import TEST_TOKEN, RunningServer, authed_channel
from tests.support.payments import MOCK_SECRET, GatewayHarness, PaymentsHarness
from tests.support.payouts import UPI, PayoutHarness
from tests.support.rewards import FEES
from winzone.payments.v1 import payments_pb2 as pb
from winzone.rewards.v1 import rewards_pb2 as rpb
from winzone.rewards.v1 import rewards_pb2_grpc
from winzone.wallet.v1 import wallet_pb2
from winzone_kernel.config import CommonSettings
from winzone_kernel.grpc_client import service_channel
from winzone_ops.cross_audit import CrossAudit, mock_provider

RUPEES = 100


@dataclass
class World:
    """The services of one data folder and the REST gateway in front of them."""

    tmp_path: Path
    wallet: WalletHarness
    payments: PaymentsHarness
    payouts: PayoutHarness
    rewards: rewards_pb2_grpc.RewardServiceStub
    gateway: GatewayHarness

    def deliver(self, event_type: str, obj: dict[str, Any], event_id: str | None = None) -> str:
        body, headers = build_signed_event(event_type, obj, secret=MOCK_SECRET, event_id=event_id)
        return self.payments.webhook(body, headers).outcome

    def top_up(self, user: str, amount: int) -> tuple[str, str]:
        """A card top-up paid on the mock's checkout page and credited: (session id, provider ref)."""
        session = self.payments.create(user, amount)
        self.payments.mock.PayMockCheckout(pb.MockCheckoutRequest(provider_ref=session.provider_ref))
        assert self.payments.session(session.id).status.value == "credited"
        return session.id, session.provider_ref

    def refund(self, ref: str, amount: int, event_id: str | None = None) -> tuple[str, dict[str, Any]]:
        """The mock refunds ``amount`` of the charge and sends ``charge.refunded``: (outcome, charge)."""
        obj = charge_object(self.mock.refund(ref, amount))
        return self.deliver("charge.refunded", obj, event_id), obj

    def dispute(self, ref: str, amount: int) -> tuple[str, dict[str, Any]]:
        obj = dispute_object(self.mock.open_dispute(ref, amount))
        return self.deliver("charge.dispute.created", obj), obj

    def close_dispute(self, ref: str, status: str, event_id: str | None = None) -> tuple[str, dict[str, Any]]:
        obj = dispute_object(self.mock.close_dispute(ref, status))
        return self.deliver("charge.dispute.closed", obj, event_id), obj

    @property
    def mock(self) -> MockProvider:
        provider = self.payments.provider
        assert isinstance(provider, MockProvider)
        return provider

    def withdraw(self, user: str, headers: dict[str, str], amount_rupees: int) -> None:
        made = self.gateway.client.post("/api/wallet/payout-request", json={"amount": amount_rupees, "method": UPI},
                                        headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
        assert made.status_code == 201, made.text
        paid = self.payouts.approve(made.json()["data"]["_id"])
        assert paid.status == "paid", paid

    def balance(self, user: str) -> wallet_pb2.Wallet:
        return self.wallet.balance(user)

    def legs(self, user: str) -> list[wallet_pb2.Transaction]:
        return list(self.wallet.stub.ListTransactions(wallet_pb2.ListTransactionsRequest(
            user_id=user, limit=100)).transactions)

    def assert_books_clean(self) -> None:
        self.wallet.assert_audit_ok()
        common = CommonSettings.from_env({"WINZONE_DATA_DIR": str(self.tmp_path)}, require_token=False)
        report = CrossAudit(common, mock_provider).run()
        assert report.ok, [str(d) for d in report.discrepancies]


@pytest.fixture
def world(tmp_path: Path, wallet: WalletHarness) -> Iterator[World]:
    payments = PaymentsHarness(tmp_path, wallet)
    payouts = PayoutHarness(tmp_path / "payouts.sqlite3", wallet, payments.server.address)
    store = SqliteRewardStore(tmp_path / "rewards.sqlite3", synchronous="NORMAL")
    store.migrate()
    channels: list[grpc.aio.Channel] = []

    async def start_rewards() -> Any:
        channel = service_channel(wallet.server.address, TEST_TOKEN)
        channels.append(channel)
        return await reward_server.create_server(store, RewardWallet(channel), FEES, token=TEST_TOKEN)

    rewards = RunningServer(start_rewards)
    rewards_channel = authed_channel(rewards.address)
    gateway = GatewayHarness(tmp_path, wallet, payments, PAYOUTS_SERVICE_ADDR=payouts.server.address,
                             REWARDS_SERVICE_ADDR=rewards.address)
    try:
        yield World(tmp_path, wallet, payments, payouts, rewards_pb2_grpc.RewardServiceStub(rewards_channel),
                    gateway)
    finally:
        gateway.close()
        rewards_channel.close()
        for channel in channels:
            rewards.thread.run(channel.close())
        rewards.stop()
        store.close()
        payouts.close()
        payments.close()


def test_a_lost_chargeback_after_a_withdrawal_leaves_a_receivable_that_blocks_and_is_settled(world: World) -> None:
    user, headers = world.gateway.player()
    session_id, ref = world.top_up(user, 1_000 * RUPEES)
    world.withdraw(user, headers, 800)
    assert world.balance(user).available == 200 * RUPEES

    outcome, opened = world.dispute(ref, 1_000 * RUPEES)
    assert outcome == "applied"
    held = world.balance(user)
    assert (held.balance, held.held, held.available, held.restricted) == (200 * RUPEES, 200 * RUPEES, 0, False)

    outcome, closed = world.close_dispute(ref, "lost", event_id="evt_lost_close")
    assert outcome == "applied"
    assert world.deliver("charge.dispute.closed", closed, event_id="evt_lost_close") == "duplicate"
    assert world.deliver("charge.dispute.closed", closed) == "applied"
    assert world.deliver("charge.dispute.created", opened) == "applied"
    owing = world.balance(user)
    assert (owing.balance, owing.held, owing.available) == (0, 0, 0)
    assert (owing.receivable, owing.restricted) == (800 * RUPEES, True)
    booked = [t for t in world.legs(user) if t.metadata.get("disputeId") == opened["id"]]
    assert [t.type for t in booked] == ["debit"]
    assert all((t.metadata["sessionId"], t.metadata["chargeId"]) == (session_id, mock_charge_id(ref))
               for t in booked)
    world.assert_books_clean()
    shown = world.gateway.client.get("/api/wallet", headers=headers).json()["data"]
    assert (shown["balance"], shown["receivable"], shown["restricted"]) == (0, 800, True)

    refused = world.gateway.client.post("/api/wallet/payout-request", json={"amount": 100, "method": UPI},
                                        headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
    assert refused.status_code == 409 and refused.json()["error"] == "ACCOUNT_RESTRICTED", refused.text
    organizer, _ = world.gateway.player()
    competition = f"cmp-{uuid.uuid4().hex[:12]}"
    world.rewards.OpenCompetition(rpb.OpenCompetitionRequest(
        competition_id=competition, organizer_id=organizer, entry_fee=100 * RUPEES, currency="INR",
        template="top3"))
    entry = world.gateway.client.post(f"/api/competitions/{competition}/entry", json={},
                                      headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
    assert entry.status_code == 409 and entry.json()["error"] == "ACCOUNT_RESTRICTED", entry.text

    world.top_up(user, 500 * RUPEES)
    settling = world.balance(user)
    assert (settling.balance, settling.available, settling.receivable, settling.restricted) == (
        0, 0, 300 * RUPEES, True)
    world.top_up(user, 500 * RUPEES)
    settled = world.balance(user)
    assert (settled.balance, settled.available, settled.receivable, settled.restricted) == (
        200 * RUPEES, 200 * RUPEES, 0, False)
    world.assert_books_clean()


def test_a_won_dispute_releases_the_hold_and_nothing_is_owed(world: World) -> None:
    user, _ = world.gateway.player()
    _, ref = world.top_up(user, 1_000 * RUPEES)
    outcome, opened = world.dispute(ref, 600 * RUPEES)
    assert outcome == "applied"
    during = world.balance(user)
    assert (during.balance, during.held, during.available) == (1_000 * RUPEES, 600 * RUPEES, 400 * RUPEES)
    world.assert_books_clean()
    assert world.close_dispute(ref, "won")[0] == "applied"
    assert world.deliver("charge.dispute.created", opened) == "applied"
    after = world.balance(user)
    assert (after.balance, after.held, after.available, after.receivable, after.restricted) == (
        1_000 * RUPEES, 0, 1_000 * RUPEES, 0, False)
    world.assert_books_clean()


def test_a_dispute_closed_before_it_was_opened_is_booked_once(world: World) -> None:
    user, _ = world.gateway.player()
    _, ref = world.top_up(user, 1_000 * RUPEES)
    opened = dispute_object(world.mock.open_dispute(ref))
    closed = dispute_object(world.mock.close_dispute(ref, "lost"))
    assert world.deliver("charge.dispute.closed", closed) == "applied"
    assert world.deliver("charge.dispute.created", opened) == "applied"
    assert world.deliver("charge.dispute.closed", closed) == "applied"
    gone = world.balance(user)
    assert (gone.balance, gone.held, gone.receivable, gone.restricted) == (0, 0, 0, False)
    world.assert_books_clean()


def test_a_dispute_with_nothing_available_holds_nothing_and_a_loss_is_owed(world: World) -> None:
    user, headers = world.gateway.player()
    _, ref = world.top_up(user, 1_000 * RUPEES)
    world.withdraw(user, headers, 1_000)
    assert world.dispute(ref, 1_000 * RUPEES)[0] == "applied"
    assert world.balance(user).held == 0
    assert world.close_dispute(ref, "lost")[0] == "applied"
    owing = world.balance(user)
    assert (owing.balance, owing.receivable, owing.restricted) == (0, 1_000 * RUPEES, True)
    world.assert_books_clean()


def test_a_partial_then_a_full_refund_are_recovered_exactly_once_each(world: World) -> None:
    user, _ = world.gateway.player()
    session_id, ref = world.top_up(user, 1_000 * RUPEES)
    outcome, partly = world.refund(ref, 300 * RUPEES)
    assert outcome == "applied"
    assert world.balance(user).balance == 700 * RUPEES
    outcome, fully = world.refund(ref, 700 * RUPEES, event_id="evt_full_refund")
    assert outcome == "applied"
    assert world.deliver("charge.refunded", fully, event_id="evt_full_refund") == "duplicate"
    for replay in (partly, fully, partly):
        assert world.deliver("charge.refunded", replay) == "applied"
    done = world.balance(user)
    assert (done.balance, done.receivable, done.restricted) == (0, 0, False)
    recovered = [t for t in world.legs(user) if t.type == "chargeback"]
    assert sorted(t.amount for t in recovered) == [-700 * RUPEES, -300 * RUPEES]
    assert all((t.metadata["sessionId"], t.metadata["chargeId"]) == (session_id, mock_charge_id(ref))
               for t in recovered)
    world.assert_books_clean()


def test_the_cross_audit_reports_a_refund_left_unbooked(world: World) -> None:
    user, _ = world.gateway.player()
    session_id, ref = world.top_up(user, 1_000 * RUPEES)
    world.mock.refund(ref, 250 * RUPEES)
    world.wallet.assert_audit_ok()
    common = CommonSettings.from_env({"WINZONE_DATA_DIR": str(world.tmp_path)}, require_token=False)
    report = CrossAudit(common, mock_provider).run()
    by_kind = {d.kind: d for d in report.discrepancies}
    assert set(by_kind) == {"charge_reversal_not_booked", "clearing_mismatch"}, [str(d) for d in report.discrepancies]
    assert by_kind["charge_reversal_not_booked"].ids["session"] == session_id
    assert by_kind["charge_reversal_not_booked"].amounts == {"charge": 1_000 * RUPEES, "refunded": 250 * RUPEES}
    assert world.deliver("charge.refunded", charge_object(world.mock.checkout(ref))) == "applied"
    assert world.balance(user).balance == 750 * RUPEES
    world.assert_books_clean()
