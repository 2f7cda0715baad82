"""The payout use cases on a loop of their own over a real wallet, store and provider double, with the wallet
port (and optionally the store) wrapped so that a test can hold a call after the wallet answered, or fail it."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from payout_service.adapters.grpc_payments import GrpcPayments
from payout_service.adapters.grpc_wallet import GrpcWallet
from payout_service.adapters.sqlite_store import SqlitePayoutStore
from payout_service.domain.model import PayoutRequest, PayoutStatus, Withholding
from payout_service.domain.ports import AttentionCursor, PayoutRecord, PayoutStore, RecordPage, WalletPort
from payout_service.use_cases.facade import PayoutService
from tests.conftest import WalletHarness
from tests.support.grpc_servers import TEST_TOKEN, LoopThread
from tests.support.payout_provider_double import ProviderDoubleServer
from tests.support.payouts import UPI
from winzone.payments.v1 import payments_pb2_grpc
from winzone.wallet.v1 import wallet_pb2_grpc
from winzone_kernel.errors import Unavailable, WinzoneError
from winzone_kernel.grpc_client import service_channel

T = TypeVar("T")
WAIT = 10.0


@dataclass
class Step:
    """What the wallet port does on one scripted call: fail without reaching the wallet, or reach it and then
    wait for ``release`` before answering (``answered`` is set once the wallet has answered)."""

    fail: WinzoneError | None = None
    release: threading.Event = field(default_factory=threading.Event)
    answered: threading.Event = field(default_factory=threading.Event)
    hold_answer: bool = False


class ScriptedWallet(WalletPort):
    """The real ``GrpcWallet`` behind a script of steps per operation (unscripted calls pass straight through)."""

    def __init__(self, inner: GrpcWallet) -> None:
        self._inner = inner
        self.inner = inner
        self._steps: dict[str, deque[Step]] = {}
        self._lock = threading.Lock()

    def script(self, operation: str, *, fail: WinzoneError | None = None, hold_answer: bool = False) -> Step:
        step = Step(fail=fail, hold_answer=hold_answer)
        with self._lock:
            self._steps.setdefault(operation, deque()).append(step)
        return step

    async def _run(self, operation: str, call: Callable[[], Awaitable[T]]) -> T:
        with self._lock:
            queue = self._steps.get(operation)
            step = queue.popleft() if queue else None
        if step is not None and step.fail is not None:
            raise step.fail
        try:
            return await call()
        finally:
            if step is not None:
                step.answered.set()
                if step.hold_answer:
                    await asyncio.to_thread(step.release.wait, WAIT)

    async def hold(self, payout: PayoutRequest) -> Withholding:
        return await self._run("hold", lambda: self._inner.hold(payout))

    async def capture(self, payout_id: str) -> str:
        return await self._run("capture", lambda: self._inner.capture(payout_id))

    async def void(self, payout_id: str) -> None:
        await self._run("void", lambda: self._inner.void(payout_id))

    async def refund(self, payout: PayoutRequest, amount: int, amount_reversed: int) -> str:
        return await self._run("refund", lambda: self._inner.refund(payout, amount, amount_reversed))


class LossyStore(PayoutStore):
    """The real store, except that the next ``save`` a test marks as lost raises ``Unavailable`` without writing
    (a store hiccup, or a crash right before the write)."""

    def __init__(self, inner: SqlitePayoutStore) -> None:
        self.inner = inner
        self._lose: list[Callable[[PayoutRecord], bool]] = []
        self._lock = threading.Lock()

    def lose_next_save(self, matching: Callable[[PayoutRecord], bool]) -> None:
        with self._lock:
            self._lose.append(matching)

    def save(self, record: PayoutRecord, expected_version: int) -> bool:
        with self._lock:
            lost = next((m for m in self._lose if m(record)), None)
            if lost is not None:
                self._lose.remove(lost)
        if lost is not None:
            raise Unavailable("payout store hiccup", code="STORE_UNAVAILABLE")
        return self.inner.save(record, expected_version)

    def migrate(self) -> None:
        self.inner.migrate()

    def insert(self, record: PayoutRecord) -> None:
        self.inner.insert(record)

    def get(self, payout_id: str) -> PayoutRecord | None:
        return self.inner.get(payout_id)

    def find_by_key(self, user_id: str, request_key: str) -> PayoutRecord | None:
        return self.inner.find_by_key(user_id, request_key)

    def delete_unplaced(self, payout_id: str) -> bool:
        return self.inner.delete_unplaced(payout_id)

    def needing_attention(
        self, updated_before: datetime, limit: int, after: AttentionCursor | None = None
    ) -> list[PayoutRecord]:
        return self.inner.needing_attention(updated_before, limit, after)

    def list(self, *, user_id: str | None, status: PayoutStatus | None, page: int, limit: int) -> RecordPage:
        return self.inner.list(user_id=user_id, status=status, page=page, limit=limit)

    def close(self) -> None:
        self.inner.close()


class Rig:
    """A ``PayoutService`` on a loop of its own over a SQLite store, the real wallet and the provider double."""

    def __init__(self, path: Path, wallet: WalletHarness, provider: ProviderDoubleServer) -> None:
        self.loop = LoopThread()
        self.store = LossyStore(SqlitePayoutStore(path, synchronous="NORMAL"))
        self.store.migrate()
        self.wallet = wallet
        self.provider = provider.double

        async def build() -> tuple[PayoutService, ScriptedWallet, list[Any]]:
            wallet_channel = service_channel(wallet.server.address, TEST_TOKEN)
            payments_channel = service_channel(provider.address, TEST_TOKEN)
            scripted = ScriptedWallet(GrpcWallet(wallet_pb2_grpc.WalletServiceStub(wallet_channel), provider="mock"))
            payments = GrpcPayments(payments_pb2_grpc.PaymentGatewayStub(payments_channel), timeout=5.0)
            return PayoutService(self.store, scripted, payments), scripted, [wallet_channel, payments_channel]

        self.service, self.scripted, self._channels = self.loop.run(build())

    def submit(self, coro: Awaitable[T]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop.loop)  # type: ignore[arg-type]

    def run(self, coro: Awaitable[T]) -> T:
        return self.loop.run(coro, WAIT)  # type: ignore[no-any-return]

    def create(self, user: str, amount: int, key: str = "") -> Awaitable[tuple[PayoutRequest, bool]]:
        return self.service.create(user_id=user, amount_minor=amount, currency="INR", method_json=json.dumps(UPI),
                                   idempotency_key=key)

    def assert_nothing_held_without_a_payout(self, user: str) -> None:
        self.wallet.assert_audit_ok()
        listed = self.store.list(user_id=user, status=None, page=1, limit=100).items
        held = sum(r.payout.amount_minor for r in listed if r.payout.holds_funds)
        assert self.wallet.balance(user).held == held

    def close(self) -> None:
        async def close_channels() -> None:
            for channel in self._channels:
                await channel.close()

        self.loop.run(close_channels())
        self.loop.close()
        self.store.close()
