"""The payout fault world: a real wallet server, the real payment gateway (Stripe provider against the
stand-in) and the payout service, restartable, behind a real payout gRPC server.

Faults sit on the payout service's store and its wallet and payments clients, and on the payment gateway's
``RecordProviderResult`` client. Every schedule uses a fresh user with its own Stripe destination account.

A world built with ``TAXED`` runs the wallet with TDS at 30 % and payouts drawn on winnings only
(``TDS_RATE=30``, ``WITHDRAWABLE_FUNDS=winnings``); each user then tops up a deposit and wins a reward, so a
payout of ``AMOUNT`` taxes ``AMOUNT - deposit`` of net winnings.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import grpc

from payment_gateway.adapters import signatures
from payment_gateway.adapters.grpc_payouts import GrpcPayoutResults
from payment_gateway.adapters.grpc_wallet import GrpcWallet as GatewayWallet
from payment_gateway.adapters.sqlite_store import SqliteTopUpStore
from payment_gateway.adapters.stripe_provider import StripeProvider, create_stripe_client
from payment_gateway.server import build_service
from payment_gateway.server import create_server as create_gateway_server
from payment_gateway.settings import PaymentSettings
from payout_service.adapters.grpc_payments import GrpcPayments
from payout_service.adapters.grpc_wallet import GrpcWallet
from payout_service.adapters.sqlite_store import SqlitePayoutStore
from payout_service.servicer import PayoutServicer
from payout_service.use_cases.facade import PayoutService
from tests.conftest import WalletHarness
from tests.faults.cross import AuditWatch, stripe_account_reader
from tests.faults.explorer import CallProxy, Incarnation, StoreProxy
from tests.faults.stripe_account import FaultStripeAccount
from tests.faults.world import Current, Holder, Restartable, StepClock
from tests.support.grpc_servers import TEST_TOKEN, LoopThread, RunningServer, authed_channel
from tests.support.payments import base_env
from tests.support.stripe_standin import API_KEY, WEBHOOK_SECRET, StripeStandIn
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain.accounts import parse_account
from wallet_service.domain.model import HoldRecord
from wallet_service.domain.policy import DEFAULT_POLICY, LedgerPolicy
from wallet_service.server import create_server as create_wallet_server
from winzone.payments.v1 import payments_pb2, payments_pb2_grpc
from winzone.payouts.v1 import payouts_pb2, payouts_pb2_grpc
from winzone.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from winzone_kernel.grpc_client import service_channel
from winzone_kernel.grpc_server import ServingServer, start_server

FUTURE = datetime(2999, 1, 1, tzinfo=UTC)
FUNDED = 100_000
AMOUNT = 60_000
TDS_PAYABLE = parse_account("tds_payable")


@dataclass(frozen=True)
class TaxSetup:
    """The wallet's policy and how each schedule's user is funded: a ``deposit`` top-up and ``winnings``
    (a reward credit); ``tds`` is what a lone payout of ``AMOUNT`` withholds."""

    policy: LedgerPolicy
    deposit: int
    winnings: int
    tds: int

    @property
    def funded(self) -> int:
        return self.deposit + self.winnings


UNTAXED = TaxSetup(DEFAULT_POLICY, FUNDED, 0, 0)
TAXED = TaxSetup(LedgerPolicy(tds_rate=Decimal(30), withdrawable_funds=("winnings",)), 20_000, 100_000,
                 (AMOUNT - 20_000) * 30 // 100)


class PolicyWallet(WalletHarness):
    """``WalletHarness`` whose server applies ``policy`` (what ``TDS_RATE`` and ``WITHDRAWABLE_FUNDS`` set)."""

    def __init__(self, path: Path, policy: LedgerPolicy) -> None:
        self.store = SqliteLedgerStore(path, synchronous="NORMAL")
        self.store.migrate()
        self.server = RunningServer(lambda: create_wallet_server(self.store, token=TEST_TOKEN, policy=policy))
        self.channel = authed_channel(self.server.address)
        self.stub = wallet_pb2_grpc.WalletServiceStub(self.channel)


class _LateLife(Incarnation):
    """The payment gateway's life while it forwards a webhook: a crash fails that delivery (Stripe retries)."""


class PayoutWorld:
    """The servers and stores of the payout workflows, and the clients a schedule drives them with."""

    def __init__(self, tmp: Path, loop: LoopThread, tax: TaxSetup = UNTAXED) -> None:
        self.loop = loop
        self.holder = Holder()
        self.tax = tax
        self.wallet = PolicyWallet(tmp / "wallet.sqlite3", tax.policy)
        self._tds_before = 0
        self.account = FaultStripeAccount()
        self.standin = StripeStandIn()
        self.standin.respond_with(self.account)
        self.standin.start()
        self.store = SqlitePayoutStore(tmp / "payouts.sqlite3", synchronous="NORMAL")
        self.store.migrate()
        self.clock = StepClock()
        self._ids = itertools.count(1)
        self.payouts: Restartable[PayoutService]
        self.payout_server: ServingServer = loop.run(self._start_payouts())
        self.gateway_store = SqliteTopUpStore(tmp / "payments.sqlite3", synchronous="NORMAL")
        self.gateway_store.migrate()
        self.gateway = RunningServer(lambda: self._start_gateway(tmp))
        loop.run(self._connect())
        self.audit = AuditWatch(tmp, stripe_account_reader(self.account))

    async def _start_payouts(self) -> ServingServer:
        self._wallet_channel = service_channel(self.wallet.server.address, TEST_TOKEN)
        wallet = GrpcWallet(wallet_pb2_grpc.WalletServiceStub(self._wallet_channel), provider="stripe")
        self._payments_channel: grpc.aio.Channel | None = None
        self._payments_port: GrpcPayments | None = None

        def build(life: Incarnation) -> PayoutService:
            injector = self.holder.injector
            return PayoutService(StoreProxy(self.store, "payouts.store", injector, life),
                                 CallProxy(wallet, "payouts.wallet", injector, life),
                                 CallProxy(self._payments_port, "payouts.payments", injector, life),
                                 clock=self.clock)

        self._build = build
        servicer = PayoutServicer(Current(self))  # type: ignore[arg-type]

        def register(server: grpc.aio.Server) -> list[str]:
            payouts_pb2_grpc.add_PayoutServiceServicer_to_server(servicer, server)
            return [payouts_pb2.DESCRIPTOR.services_by_name["PayoutService"].full_name]

        return await start_server(register=register, token=TEST_TOKEN)

    @property
    def service(self) -> PayoutService:
        return self.payouts.service

    async def _start_gateway(self, tmp: Path) -> ServingServer:
        settings = PaymentSettings.from_env(base_env(
            tmp, WALLET_SERVICE_ADDR=self.wallet.server.address, PAYMENT_PROVIDER="stripe",
            STRIPE_SECRET_KEY=API_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=self.standin.url))
        client = create_stripe_client(API_KEY, api_base=self.standin.url, timeout_seconds=5, max_network_retries=0)
        provider = StripeProvider(client, webhook_secret=WEBHOOK_SECRET)
        self._gw_wallet = service_channel(self.wallet.server.address, TEST_TOKEN)
        self._gw_payouts = service_channel(f"127.0.0.1:{self.payout_server.port}", TEST_TOKEN)
        self.gateway_life = _LateLife("payments")
        sink = _GatewaySink(GrpcPayoutResults(self._gw_payouts), self)
        service = build_service(settings, self.gateway_store, provider, GatewayWallet(self._gw_wallet), sink)
        return await create_gateway_server(service, token=TEST_TOKEN)

    async def _connect(self) -> None:
        self._payments_channel = service_channel(self.gateway.address, TEST_TOKEN)
        self._payments_port = GrpcPayments(payments_pb2_grpc.PaymentGatewayStub(self._payments_channel), timeout=10)
        self.payouts = Restartable("payouts", self._build)
        self.payments_stub = payments_pb2_grpc.PaymentGatewayStub(self._payments_channel)
        self.payout_stub = payouts_pb2_grpc.PayoutServiceStub(
            service_channel(f"127.0.0.1:{self.payout_server.port}", TEST_TOKEN))

    def new_user(self) -> tuple[str, str]:
        n = next(self._ids)
        user, account = f"usr_fault_{n:05d}", f"acct_1Fault{n:05d}"
        self.wallet.fund(user, self.tax.deposit)
        if self.tax.winnings:
            self.wallet.stub.Credit(wallet_pb2.CreditRequest(
                idempotency_key=f"win_{user}", user_id=user, amount=self.tax.winnings, currency="INR",
                type="reward", counter_account="clearing:test"))
        self._tds_before = self.tds_payable()
        return user, account

    def tds_payable(self) -> int:
        state = self.wallet.store.get_account(TDS_PAYABLE, "INR")
        return 0 if state is None else state.balance

    async def webhook(self, body: bytes) -> None:
        headers = {"Stripe-Signature": signatures.sign_header(body, WEBHOOK_SECRET),
                   "Content-Type": "application/json"}
        self.gateway_life.dead = False
        await self.payments_stub.HandleWebhook(payments_pb2.HandleWebhookRequest(raw_body=body, headers=headers))

    async def create(self, user: str, account: str, key: str) -> payouts_pb2.PayoutRequest:
        method = json.dumps({"type": "stripe", "details": {"accountId": account}})
        response = await self.payout_stub.CreatePayoutRequest(payouts_pb2.CreatePayoutRequestRequest(
            user_id=user, amount=AMOUNT, currency="INR", method_json=method, idempotency_key=key))
        return response.payout

    def close(self) -> None:
        self.gateway.stop()
        self.loop.run(self.payout_server.stop(0.2))
        self.standin.stop()
        self.store.close()
        self.gateway_store.close()
        self.wallet.close()

    def books(self, user: str, account: str) -> Books:
        wallet = self.wallet.balance(user)
        transactions = list(self.wallet.stub.ListTransactions(wallet_pb2.ListTransactionsRequest(
            user_id=user, limit=100)).transactions)
        records = self.store.list(user_id=user, status=None, page=1, limit=100).items
        attention = [r for r in self.store.needing_attention(FUTURE, 1000, None) if r.payout.user_id == user]
        with self.account._lock:
            transfers = [dict(t) for t in self.account.transfers.values() if t["destination"] == account]
        holds = {r.payout.id: hold for r in records if (hold := self.wallet.store.get_hold(r.payout.id))}
        asked = {r.payout.id: self.account.requests_for(r.payout.id) for r in records}
        return Books(wallet, transactions, records, attention, transfers, holds, asked,
                     self.tds_payable() - self._tds_before, self.tax.funded, self.tax.tds)


@dataclass
class Books:
    """Everything a schedule's checks read, taken after the last reconciliation."""

    wallet: Any
    transactions: list[Any]
    records: list[Any]
    attention: list[Any]
    transfers: list[dict[str, Any]]
    holds: dict[str, HoldRecord]
    """The wallet's hold of each payout, read from its store (where one was made)."""
    asked: dict[str, list[tuple[int, str]]]
    """Per payout, the (amount, Idempotency-Key) of every transfer the provider was asked for."""
    tds_withheld: int
    """What ``tds_payable`` gained during the schedule."""
    funded: int
    lone_tds: int
    """What the hold of the user's only payout must withhold."""


class _GatewaySink:
    """The payment gateway's ``RecordProviderResult`` client with the schedule's faults on it."""

    def __init__(self, inner: GrpcPayoutResults, world: PayoutWorld) -> None:
        self._inner, self._world = inner, world

    async def record(self, result: Any) -> None:
        proxy = CallProxy(self._inner, "payments.payouts", self._world.holder.injector, self._world.gateway_life)
        await proxy.record(result)
