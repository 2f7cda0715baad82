"""The payment gateway for tests: its real gRPC server over a SQLite file, and the REST gateway in front of it.

``PaymentsHarness`` runs ``payment_gateway`` (mock or Stripe provider, as configured) on a real port,
talking to the real wallet server of the ``wallet`` fixture. ``GatewayHarness`` is the FastAPI gateway,
in process, wired to both; players are created directly in its user store with a signed token.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import grpc
from starlette.testclient import TestClient

from api_gateway.adapters.sqlite_store import SqliteUserStore
from api_gateway.adapters.tokens import JwtTokenIssuer
from api_gateway.app import build_app
from api_gateway.domain.model import Role, User
from api_gateway.settings import GatewaySettings
from payment_gateway.adapters.grpc_wallet import GrpcWallet
from payment_gateway.adapters.mock_events import build_signed_event, checkout_session_object
from payment_gateway.adapters.sqlite_store import SqliteTopUpStore
from payment_gateway.domain.model import TopUpSession
from payment_gateway.domain.ports import PayoutResultSink
from payment_gateway.server import build_mock_checkout, build_provider, build_service, create_server
from payment_gateway.settings import PaymentSettings
from payment_gateway.use_cases.gateway import PaymentGatewayService
from tests.conftest import WalletHarness
from tests.support.grpc_servers import TEST_TOKEN, RunningServer, authed_channel
from tests.support.ids import new_email
from winzone.payments.v1 import payments_pb2 as pb
from winzone.payments.v1 import payments_pb2_grpc as pb_grpc
from winzone.wallet.v1 import wallet_pb2
from winzone_kernel.clock import utc_now
from winzone_kernel.grpc_client import service_channel
from winzone_kernel.grpc_server import ServingServer
from winzone_kernel.ids import new_id

MOCK_SECRET = "whsec_test_mock_secret_0123456789"
FRONTEND_URL = "http://frontend.test"
PUBLIC_URL = "http://gateway.test"


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "APP_ENV": "test",
        "INTERNAL_TOKEN": TEST_TOKEN,
        "WINZONE_DATA_DIR": str(tmp_path),
        "MOCK_WEBHOOK_SECRET": MOCK_SECRET,
        "FRONTEND_URL": FRONTEND_URL,
        "GATEWAY_PUBLIC_URL": PUBLIC_URL,
        **extra,
    }


class PaymentsHarness:
    """A running payment gateway (real store, real port) and synchronous authenticated stubs."""

    def __init__(
        self,
        tmp_path: Path,
        wallet: WalletHarness,
        env: Mapping[str, str] | None = None,
        payouts: PayoutResultSink | None = None,
    ) -> None:
        self.wallet = wallet
        self.settings = PaymentSettings.from_env(
            base_env(tmp_path, WALLET_SERVICE_ADDR=wallet.server.address, **dict(env or {})))
        self.store = SqliteTopUpStore(tmp_path / "payments.sqlite3", synchronous="NORMAL")
        self.store.migrate()
        self.provider = build_provider(self.settings, self.store)
        self._payouts = payouts
        self.service: PaymentGatewayService | None = None
        self._wallet_channel: grpc.aio.Channel | None = None
        self.server = RunningServer(self._start)
        self.channel = authed_channel(self.server.address)
        self.stub = pb_grpc.PaymentGatewayStub(self.channel)
        self.mock = pb_grpc.MockCheckoutStub(self.channel)

    async def _start(self) -> ServingServer:
        self._wallet_channel = service_channel(self.wallet.server.address, TEST_TOKEN)
        self.service = build_service(self.settings, self.store, self.provider, GrpcWallet(self._wallet_channel),
                                     self._payouts)
        return await create_server(self.service, token=TEST_TOKEN,
                                   mock_checkout=build_mock_checkout(self.provider, self.store, self.service))

    def create(self, user_id: str, amount: int = 100_000, currency: str = "INR", key: str = "") -> pb.TopUpSession:
        return self.stub.CreateTopUpSession(pb.CreateTopUpSessionRequest(
            user_id=user_id, amount=amount, currency=currency, idempotency_key=key)).session

    def webhook(self, body: bytes, headers: Mapping[str, str]) -> pb.HandleWebhookResponse:
        return self.stub.HandleWebhook(pb.HandleWebhookRequest(raw_body=body, headers=dict(headers)))

    def session(self, session_id: str) -> TopUpSession:
        """The stored session (it must exist)."""
        stored = self.store.get_session(session_id)
        if stored is None:
            raise LookupError(session_id)
        return stored

    def close(self) -> None:
        self.channel.close()
        if self._wallet_channel is not None:
            self.server.thread.run(self._wallet_channel.close())
        self.server.stop()
        self.store.close()


def mock_event(
    event_type: str,
    session: pb.TopUpSession,
    *,
    amount: int | None = None,
    currency: str | None = None,
    payment_status: str = "paid",
    secret: str = MOCK_SECRET,
    event_id: str | None = None,
    timestamp: int | None = None,
    payment_intent: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """A signed mock-provider event about ``session`` (amount and currency default to the session's)."""
    obj = checkout_session_object(
        session.provider_ref, client_reference_id=session.id,
        amount_minor=session.amount if amount is None else amount,
        currency=currency or session.currency, payment_status=payment_status,
    )
    if payment_intent is not None:
        obj["payment_intent"] = payment_intent
    return build_signed_event(event_type, obj, secret=secret, event_id=event_id, timestamp=timestamp)


def charge(charge_id: str, payment_intent: str, amount: int, refunds: list[int] | None = None,
           currency: str = "inr") -> dict[str, Any]:
    """A Stripe-shaped ``charge`` object with its ``refunds`` list (oldest first, as amounts)."""
    listed = [{"id": f"re_{charge_id}_{n}", "object": "refund", "amount": each, "charge": charge_id,
               "currency": currency, "status": "succeeded", "created": 1_700_000_000 + n}
              for n, each in enumerate(refunds or [])]
    refunded = sum(refunds or [])
    return {"id": charge_id, "object": "charge", "amount": amount, "currency": currency, "paid": True,
            "status": "succeeded", "payment_intent": payment_intent, "amount_refunded": refunded,
            "refunded": refunded == amount, "refunds": {"object": "list", "data": list(reversed(listed)),
                                                        "has_more": False}}


def dispute(dispute_id: str, charge_id: str, payment_intent: str, amount: int, status: str = "needs_response",
            currency: str = "inr") -> dict[str, Any]:
    """A Stripe-shaped ``dispute`` object."""
    return {"id": dispute_id, "object": "dispute", "amount": amount, "currency": currency, "charge": charge_id,
            "payment_intent": payment_intent, "status": status, "reason": "fraudulent"}


def user_topups(wallet: WalletHarness, user_id: str) -> list[wallet_pb2.Transaction]:
    listed = wallet.stub.ListTransactions(wallet_pb2.ListTransactionsRequest(user_id=user_id, type="topup",
                                                                            limit=100))
    return list(listed.transactions)


class GatewayHarness:
    """The REST gateway in process, wired to a running wallet and payment gateway."""

    def __init__(self, tmp_path: Path, wallet: WalletHarness, payments: PaymentsHarness, **addresses: str) -> None:
        env = base_env(
            tmp_path,
            JWT_SECRET=secrets.token_urlsafe(40),
            WALLET_SERVICE_ADDR=wallet.server.address,
            PAYMENTS_SERVICE_ADDR=payments.server.address,
            **addresses,
        )
        self.settings = GatewaySettings.from_env(env)
        self.users = SqliteUserStore(tmp_path / "gateway.sqlite3", "NORMAL")
        self.users.migrate()
        self.tokens = JwtTokenIssuer(self.settings.jwt_secret, self.settings.jwt_ttl_seconds)
        self.client = TestClient(build_app(self.settings, self.users), base_url=PUBLIC_URL)
        self.client.__enter__()

    def player(self) -> tuple[str, dict[str, str]]:
        """A new player and the headers that sign its requests."""
        now = utc_now()
        user = User(new_id("usr"), new_email(), "Player", Role.PLAYER.value,
                    "not-a-real-hash", now, now)
        self.users.add(user)
        return user.id, {"Authorization": f"Bearer {self.tokens.issue(user.id, user.role)}"}

    def close(self) -> None:
        self.client.__exit__(None, None, None)
        self.users.close()
