"""Partial transfer reversals, end to end: signed provider events at the payment gateway, forwarded to the
payout service, refunded through the real wallet.

Stripe reverses a transfer in parts (``amount_reversed`` cumulative, ``reversed`` false until all of it came
back) and redelivers or reorders its events. Each increase must be refunded exactly once, the payout must
stay ``paid`` while partly reversed and become ``failed`` only when all of it came back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from payment_gateway.adapters.grpc_payouts import GrpcPayoutResults
from payment_gateway.adapters.mock_events import build_signed_event
from payment_gateway.domain.ports import PayoutResultSink
from payment_gateway.domain.provider import PayoutProviderResult
from tests.conftest import WalletHarness
from tests.support.grpc_servers import TEST_TOKEN
from tests.support.ids import new_user
from tests.support.payments import MOCK_SECRET, PaymentsHarness
from tests.support.payout_provider_double import ProviderDoubleServer
from tests.support.payouts import PayoutHarness
from winzone.wallet.v1 import wallet_pb2
from winzone_kernel.grpc_client import service_channel

AMOUNT = 20_000


class LazyPayoutSink(PayoutResultSink):
    """The payout service's ``RecordProviderResult`` over a channel opened on the gateway's own loop."""

    def __init__(self, address: str) -> None:
        self._address = address
        self._channel: grpc.aio.Channel | None = None

    async def record(self, result: PayoutProviderResult) -> None:
        if self._channel is None:
            self._channel = service_channel(self._address, TEST_TOKEN)
        await GrpcPayoutResults(self._channel).record(result)


@pytest.fixture
def payouts(tmp_path: Path, wallet: WalletHarness, provider_server: ProviderDoubleServer) -> Iterator[PayoutHarness]:
    harness = PayoutHarness(tmp_path / "payouts.sqlite3", wallet, provider_server.address)
    yield harness
    harness.close()


@pytest.fixture
def payments(tmp_path: Path, wallet: WalletHarness, payouts: PayoutHarness) -> Iterator[PaymentsHarness]:
    harness = PaymentsHarness(tmp_path, wallet, payouts=LazyPayoutSink(payouts.server.address))
    yield harness
    harness.close()


def _transfer_event(payout_id: str, event_type: str, amount_reversed: int, *, event_id: str,
                    fully: bool = False) -> tuple[bytes, dict[str, str]]:
    obj: dict[str, Any] = {
        "id": f"tr_{payout_id}", "object": "transfer", "amount": AMOUNT, "currency": "inr",
        "transfer_group": payout_id, "metadata": {"payout_id": payout_id}, "reversed": fully,
        "amount_reversed": amount_reversed,
    }
    return build_signed_event(event_type, obj, secret=MOCK_SECRET, event_id=event_id)


def _refunds(wallet: WalletHarness, user: str) -> list[int]:
    listed = wallet.stub.ListTransactions(wallet_pb2.ListTransactionsRequest(user_id=user, type="refund", limit=100))
    return sorted(t.amount for t in listed.transactions)


def test_partial_reversals_refund_exactly_what_came_back_once_each(
        payments: PaymentsHarness, payouts: PayoutHarness, wallet: WalletHarness) -> None:
    user = new_user()
    wallet.fund(user, 50_000)
    payout = payouts.request(user, AMOUNT)
    assert payouts.approve(payout.id).status == "paid"

    first = _transfer_event(payout.id, "transfer.reversed", 5_000, event_id="evt_rev_1")
    second = _transfer_event(payout.id, "transfer.reversed", 12_000, event_id="evt_rev_2")
    assert payments.webhook(*first).outcome == "forwarded"
    assert payments.webhook(*second).outcome == "forwarded"
    assert payments.webhook(*first).outcome == "duplicate"
    stale = _transfer_event(payout.id, "transfer.updated", 5_000, event_id="evt_upd_old")
    payments.webhook(*stale)
    again = _transfer_event(payout.id, "transfer.updated", 12_000, event_id="evt_upd_same")
    payments.webhook(*again)

    partly = payouts.get(payout.id)
    assert (partly.status, partly.refunded_amount) == ("paid", 12_000)
    assert _refunds(wallet, user) == [5_000, 7_000]
    balance = wallet.balance(user)
    assert (balance.balance, balance.held) == (50_000 - AMOUNT + 12_000, 0)
    payouts.assert_books_match(user)

    full = _transfer_event(payout.id, "transfer.reversed", AMOUNT, event_id="evt_rev_3", fully=True)
    assert payments.webhook(*full).outcome == "forwarded"
    payments.webhook(*_transfer_event(payout.id, "transfer.reversed", 5_000, event_id="evt_rev_late"))
    done = payouts.get(payout.id)
    assert (done.status, done.refunded_amount) == ("failed", AMOUNT)
    assert _refunds(wallet, user) == [5_000, 7_000, 8_000]
    assert wallet.balance(user).balance == 50_000
    assert payouts.reconcile().examined == 0
    payouts.assert_books_match(user)


def test_a_partial_reversal_reported_for_a_payout_still_approved_captures_first(
        payouts: PayoutHarness, wallet: WalletHarness, provider_server: ProviderDoubleServer) -> None:
    """The reversal can arrive before the payout was recorded paid: the hold is captured, then part refunded."""
    user = new_user()
    wallet.fund(user, 50_000)
    payout = payouts.request(user, AMOUNT)
    provider_server.double.behave(payout.id, "pending")
    assert payouts.approve(payout.id).status == "approved"
    answered = payouts.provider_result(payout.id, "paid", reference="tr_x", amount_reversed=3_000)
    assert (answered.payout.status, answered.payout.refunded_amount, answered.changed) == ("paid", 3_000, True)
    assert payouts.provider_result(payout.id, "paid", reference="tr_x", amount_reversed=3_000).changed is False
    assert _refunds(wallet, user) == [3_000]
    assert wallet.balance(user).balance == 50_000 - AMOUNT + 3_000
    payouts.assert_books_match(user)
