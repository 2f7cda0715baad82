"""Payout recovery under precise interleavings: the payout use cases over a real wallet, store and provider
double, with the wallet port wrapped so that a test can hold a call after the wallet answered, or fail it.

These are the races that no sequence of RPCs can produce on demand: a refusal and a retry under the same
idempotency key crossing each other, a hold the wallet refuses as a duplicate, an admin whose connection
drops while the provider is paying. Each test ends with the wallet's own books: audit ok, nothing held that
no payout accounts for.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from payout_service.adapters.grpc_payments import GrpcPayments
from payout_service.adapters.grpc_wallet import GrpcWallet
from payout_service.adapters.sqlite_store import SqlitePayoutStore
from payout_service.domain.model import PayoutRequest, PayoutStatus
from payout_service.domain.ports import WalletPort
from payout_service.use_cases.facade import PayoutService
from tests.conftest import WalletHarness
from tests.support.grpc_servers import TEST_TOKEN, LoopThread
from tests.support.ids import new_user
from tests.support.payout_provider_double import SLOW, ProviderDoubleServer
from tests.support.payouts import UPI
from winzone.payments.v1 import payments_pb2_grpc
from winzone.wallet.v1 import wallet_pb2_grpc
from winzone_kernel.clock import utc_now
from winzone_kernel.errors import IdempotencyConflict, InsufficientFunds, Unavailable, WinzoneError
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

    async def hold(self, payout: PayoutRequest) -> None:
        await self._run("hold", lambda: self._inner.hold(payout))

    async def capture(self, payout_id: str) -> str:
        return await self._run("capture", lambda: self._inner.capture(payout_id))

    async def void(self, payout_id: str) -> None:
        await self._run("void", lambda: self._inner.void(payout_id))

    async def refund(self, payout: PayoutRequest) -> str:
        return await self._run("refund", lambda: self._inner.refund(payout))


class Rig:
    """A ``PayoutService`` on a loop of its own over a SQLite store, the real wallet and the provider double."""

    def __init__(self, path: Path, wallet: WalletHarness, provider: ProviderDoubleServer) -> None:
        self.loop = LoopThread()
        self.store = SqlitePayoutStore(path, synchronous="NORMAL")
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


@pytest.fixture
def provider_server() -> Iterator[ProviderDoubleServer]:
    server = ProviderDoubleServer()
    yield server
    server.stop()


@pytest.fixture
def rig(tmp_path: Path, wallet: WalletHarness, provider_server: ProviderDoubleServer) -> Iterator[Rig]:
    running = Rig(tmp_path / "payouts.sqlite3", wallet, provider_server)
    yield running
    running.close()


def test_a_refusal_crossing_a_retry_under_the_same_key_strands_no_hold(rig: Rig, wallet: WalletHarness) -> None:
    """The first call is refused (funds short); the funds arrive; the retry under the same key gets the hold;
    the refusal withdraws the record before the retry confirms it, and the retry cannot release its hold now.
    The hold must still be released in the end: the record that accounts for it may not simply vanish."""
    user = new_user()
    wallet.fund(user, 5_000)
    refused = rig.scripted.script("hold", hold_answer=True)
    placed = rig.scripted.script("hold", hold_answer=True)
    rig.scripted.script("void", fail=Unavailable("wallet down for a moment"))

    first = rig.submit(rig.create(user, 10_000, key="same-key"))
    assert refused.answered.wait(WAIT)
    wallet.fund(user, 20_000, key=f"late_{user}")
    retry = rig.submit(rig.create(user, 10_000, key="same-key"))
    assert placed.answered.wait(WAIT)
    assert wallet.balance(user).held == 10_000
    refused.release.set()
    with pytest.raises(InsufficientFunds):
        first.result(WAIT)
    placed.release.set()
    with pytest.raises(Unavailable):
        retry.result(WAIT)

    report = rig.run(rig.service.reconcile())
    assert (report.examined, report.errors) == (1, 0)
    assert wallet.balance(user).held == 0
    assert rig.store.list(user_id=user, status=None, page=1, limit=10).total == 0
    assert rig.store.needing_attention(utc_now(), 10) == []
    again, replayed = rig.run(rig.create(user, 10_000, key="same-key"))
    assert (again.status, replayed) == (PayoutStatus.REQUESTED, False)
    rig.assert_nothing_held_without_a_payout(user)


def test_a_refused_request_is_withdrawn_and_its_key_can_be_used_again(rig: Rig, wallet: WalletHarness) -> None:
    user = new_user()
    wallet.fund(user, 5_000)
    with pytest.raises(InsufficientFunds):
        rig.run(rig.create(user, 10_000, key="k1"))
    assert rig.store.find_by_key(user, "k1") is None
    wallet.fund(user, 20_000, key=f"more_{user}")
    payout, replayed = rig.run(rig.create(user, 10_000, key="k1"))
    assert not replayed and rig.store.find_by_key(user, "k1") is not None
    assert rig.run(rig.service.reconcile()).examined == 1
    assert rig.run(rig.service.get(payout.id)).status is PayoutStatus.REQUESTED
    assert wallet.balance(user).held == 10_000
    rig.assert_nothing_held_without_a_payout(user)


def test_a_hold_the_wallet_calls_a_duplicate_keeps_its_record(rig: Rig, wallet: WalletHarness) -> None:
    """A conflict on the hold says a hold under this payout id exists: the record must not be dropped."""
    user = new_user()
    wallet.fund(user, 50_000)
    rig.scripted.script("hold", fail=IdempotencyConflict("hold exists under another key"))
    with pytest.raises(Unavailable) as info:
        rig.run(rig.create(user, 10_000))
    assert info.value.code == "PAYOUT_HOLD_CONFLICT"
    page = rig.store.needing_attention(utc_now(), 10)
    assert len(page) == 1 and not page[0].hold_placed
    report = rig.run(rig.service.reconcile())
    assert (report.examined, report.settled, report.errors) == (1, 1, 0)
    assert rig.store.get(page[0].payout.id) is None
    rig.assert_nothing_held_without_a_payout(user)


def test_an_approval_whose_caller_goes_away_still_settles(rig: Rig, wallet: WalletHarness,
                                                          provider_server: ProviderDoubleServer) -> None:
    user = new_user()
    wallet.fund(user, 50_000)
    payout, _ = rig.run(rig.create(user, 20_000))
    provider_server.double.behave(payout.id, SLOW)
    provider_server.double.slow_seconds = 0.6
    approving = rig.submit(rig.service.approve(payout.id, "usr_admin_1", None))
    deadline = time.monotonic() + WAIT
    while provider_server.double.send_calls(payout.id) == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    approving.cancel()
    while rig.store.get(payout.id).payout.status is PayoutStatus.APPROVED and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rig.store.get(payout.id).payout.status is PayoutStatus.PAID
    assert wallet.balance(user).balance == 30_000 and wallet.balance(user).held == 0
    assert provider_server.double.send_calls(payout.id) == 1
    rig.assert_nothing_held_without_a_payout(user)


@pytest.mark.parametrize(("provider_says", "step", "final"), [
    ("paid", "capture", "paid"), ("failed", "void", "failed"),
])
def test_a_wallet_step_that_fails_after_the_provider_answered_is_finished_by_reconciliation(
        rig: Rig, wallet: WalletHarness, provider_server: ProviderDoubleServer, provider_says: str, step: str,
        final: str) -> None:
    """The provider's answer is in but the wallet cannot capture or void right now: the payout must stay
    ``approved`` (never ``paid`` with its hold still open, nor ``failed`` with the money still held) until
    reconciliation finishes the wallet step, without asking the provider to pay again."""
    user = new_user()
    wallet.fund(user, 50_000)
    payout, _ = rig.run(rig.create(user, 20_000))
    provider_server.double.behave(payout.id, provider_says)
    rig.scripted.script(step, fail=Unavailable("wallet down for a moment"))
    answered = rig.run(rig.service.approve(payout.id, "usr_admin_1", None))
    assert answered.status is PayoutStatus.APPROVED
    assert wallet.balance(user).held == 20_000
    report = rig.run(rig.service.reconcile())
    assert (report.examined, report.settled, report.errors) == (1, 1, 0)
    settled = rig.run(rig.service.get(payout.id))
    assert settled.status.value == final
    assert wallet.balance(user).held == 0
    assert wallet.balance(user).balance == (30_000 if final == "paid" else 50_000)
    assert provider_server.double.send_calls(payout.id) == 1
    rig.assert_nothing_held_without_a_payout(user)
