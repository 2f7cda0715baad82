"""A real payout gRPC server over a SQLite file, wired to a real wallet and a payment gateway (or a double)."""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path
from typing import Any

from payout_service.adapters.sqlite_store import SqlitePayoutStore
from payout_service.server import create_server
from payout_service.settings import PayoutSettings
from tests.conftest import WalletHarness
from tests.support.grpc_servers import TEST_TOKEN, RunningServer, authed_channel
from tests.support.secrets import TEST_PAYOUT_METHOD_KEY
from winzone.payouts.v1 import payouts_pb2 as pb
from winzone.payouts.v1 import payouts_pb2_grpc
from winzone.wallet.v1 import wallet_pb2

ADMIN = "usr_admin_1"
OTHER_ADMIN = "usr_admin_2"
UPI = {"type": "upi", "details": {"upiId": "player@paytm", "name": "John Doe"}}
BANK = {"type": "bank", "details": {"accountNumber": "123456784321", "ifsc": "HDFC0001234",
                                    "accountHolderName": "John Doe"}}
OPEN_STATUSES = frozenset({"held", "requested", "awaiting_second_approval", "approved"})


class PayoutHarness:
    """A running payout service (real store, real port) and a synchronous authenticated stub."""

    def __init__(self, path: Path, wallet: WalletHarness, payments_address: str, **env: str) -> None:
        self.wallet = wallet
        self.store = SqlitePayoutStore(path, synchronous="NORMAL")
        self.store.migrate()
        self.settings = settings = PayoutSettings.from_env({
            "INTERNAL_TOKEN": TEST_TOKEN,
            "PAYOUT_METHOD_KEY": TEST_PAYOUT_METHOD_KEY,
            "WALLET_SERVICE_ADDR": wallet.server.address,
            "PAYMENTS_SERVICE_ADDR": payments_address,
            "PAYOUT_PROVIDER_TIMEOUT_SECONDS": "0.5",
            **env,
        })
        self.server = RunningServer(lambda: create_server(self.store, settings))
        self.channel = authed_channel(self.server.address)
        self.stub = payouts_pb2_grpc.PayoutServiceStub(self.channel)

    def request(self, user_id: str, amount: int, method: Any = None, *, key: str = "",
                currency: str = "INR") -> pb.PayoutRequest:
        method_json = json.dumps(UPI if method is None else method)
        return self.stub.CreatePayoutRequest(pb.CreatePayoutRequestRequest(
            user_id=user_id, amount=amount, currency=currency, method_json=method_json, idempotency_key=key,
        )).payout

    def approve(self, payout_id: str, admin: str = ADMIN, note: str = "") -> pb.PayoutRequest:
        return self.stub.ApprovePayout(pb.ApprovePayoutRequest(payout_id=payout_id, admin_id=admin, note=note))

    def reject(self, payout_id: str, reason: str = "Suspicious activity", admin: str = ADMIN) -> pb.PayoutRequest:
        return self.stub.RejectPayout(pb.RejectPayoutRequest(payout_id=payout_id, admin_id=admin, reason=reason))

    def get(self, payout_id: str) -> pb.PayoutRequest:
        return self.stub.GetPayoutRequest(pb.GetPayoutRequestRequest(payout_id=payout_id))

    def provider_result(self, payout_id: str, status: str, reason: str = "", reference: str = "",
                        amount_reversed: int = 0) -> pb.RecordProviderResultResponse:
        return self.stub.RecordProviderResult(pb.RecordProviderResultRequest(
            payout_id=payout_id, status=status, failure_reason=reason, provider_reference=reference,
            event_id="evt_test", amount_reversed=amount_reversed))

    def reconcile(self, min_age_seconds: int = 0) -> pb.ReconcilePayoutsResponse:
        return self.stub.ReconcilePayouts(pb.ReconcilePayoutsRequest(min_age_seconds=min_age_seconds))

    def assert_books_match(self, user_id: str, withdrawn: Collection[str] = ()) -> None:
        """The wallet agrees with the user's payouts: audit ok, every hold open exactly while its payout is
        requested or approved (captured when paid, voided when failed or rejected), held = open payouts, and
        the refunds of each payout add up to its ``refunded_amount`` (partial reversals of a paid one).
        ``withdrawn``: ids of requests withdrawn before they were confirmed, whose hold must be voided."""
        self.wallet.assert_audit_ok()
        payouts = list(self.stub.ListPayoutRequests(pb.ListPayoutRequestsRequest(user_id=user_id, limit=100)).payouts)
        holds = {
            t.hold_id: t.status
            for t in self.wallet.stub.ListTransactions(wallet_pb2.ListTransactionsRequest(
                user_id=user_id, type="payout", limit=100)).transactions
        }
        refunds: dict[str, int] = {}
        for t in self.wallet.stub.ListTransactions(wallet_pb2.ListTransactionsRequest(
                user_id=user_id, type="refund", limit=100)).transactions:
            refunds[t.metadata["payoutId"]] = refunds.get(t.metadata["payoutId"], 0) + t.amount
        refunded = set(refunds)
        expected_hold = {"held": "pending", "requested": "pending", "awaiting_second_approval": "pending",
                         "approved": "pending", "paid": "completed", "rejected": "failed"}
        for payout in payouts:
            assert refunds.get(payout.id, 0) == payout.refunded_amount, payout
            if payout.status == "failed":
                assert holds[payout.id] == ("completed" if payout.id in refunded else "failed"), payout
            elif payout.status == "paid":
                assert holds[payout.id] == "completed", payout
                assert payout.refunded_amount < payout.amount, payout
            else:
                assert holds[payout.id] == expected_hold[payout.status], payout
                assert payout.id not in refunded
        for payout_id in withdrawn:
            assert holds.pop(payout_id) == "failed", payout_id
        assert set(holds) == {p.id for p in payouts}
        held = sum(p.amount for p in payouts if p.status in OPEN_STATUSES)
        assert self.wallet.balance(user_id).held == held

    def close(self) -> None:
        self.channel.close()
        self.server.stop()
        self.store.close()
