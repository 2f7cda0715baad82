"""The kernel's shared plumbing against real pieces: the translating service channel on a real wallet server,
the periodic runner with an injected sleep, and the shutdown helper."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import WalletHarness
from tests.support.grpc_servers import TEST_TOKEN
from winzone.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from winzone_kernel.errors import InsufficientFunds, InvalidArgument, Unavailable
from winzone_kernel.grpc_client import service_channel
from winzone_kernel.lifecycle import Resources
from winzone_kernel.periodic import PeriodicTask, run_periodically


def test_service_channel_raises_the_downstream_domain_error(wallet: WalletHarness) -> None:
    async def calls() -> tuple[str, BaseException, BaseException]:
        channel = service_channel(wallet.server.address, TEST_TOKEN, deadline=5)
        stub = wallet_pb2_grpc.WalletServiceStub(channel)
        try:
            ok = await stub.GetWallet(wallet_pb2.GetWalletRequest(user_id="u1", currency="INR"))
            with pytest.raises(InvalidArgument) as bad:
                await stub.GetWallet(wallet_pb2.GetWalletRequest(user_id="", currency="INR"))
            with pytest.raises(InsufficientFunds) as short:
                await stub.Debit(wallet_pb2.DebitRequest(
                    idempotency_key="k1", user_id="u1", amount=100, currency="INR", type="debit",
                    counter_account="clearing:test"))
            return ok.wallet.currency, bad.value, short.value
        finally:
            await channel.close()

    currency, bad, short = wallet.server.thread.run(calls())
    assert currency == "INR"
    assert bad.code == "VALIDATION_ERROR"
    assert short.code == "INSUFFICIENT_FUNDS"
    wallet.assert_audit_ok()


def test_service_channel_to_nothing_is_unavailable() -> None:
    async def call() -> None:
        channel = service_channel("127.0.0.1:9", TEST_TOKEN, deadline=0.5)
        try:
            await wallet_pb2_grpc.WalletServiceStub(channel).GetWallet(
                wallet_pb2.GetWalletRequest(user_id="u1", currency="INR"))
        finally:
            await channel.close()

    with pytest.raises(Unavailable):
        asyncio.run(call())


def test_run_periodically_counts_runs_survives_failures_and_uses_the_injected_sleep() -> None:
    runs: list[int] = []
    sleeps: list[float] = []

    async def job(run: int) -> None:
        runs.append(run)
        if run == 1:
            raise RuntimeError("one bad run")

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 4:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(run_periodically(job, 60.0, name="test", sleep=sleep))
    assert runs == [0, 1, 2, 3]
    assert sleeps == [60.0] * 4


def test_periodic_task_stops_and_resources_close_in_reverse_order() -> None:
    closed: list[str] = []

    class Store:
        def close(self) -> None:
            closed.append("store")

    class Channel:
        async def close(self) -> None:
            closed.append("channel")

    async def scenario() -> None:
        started = asyncio.Event()

        async def job(run: int) -> None:
            started.set()

        task = PeriodicTask(job, 3600.0, name="test").start()
        await started.wait()
        resources = Resources()
        resources.store("store", Store())
        resources.channel("channel", Channel())

        async def failing() -> None:
            raise RuntimeError("close failed")

        resources.on_close("failing", failing)
        resources.on_close("task", task.stop)
        await resources.aclose()
        await resources.aclose()

    asyncio.run(scenario())
    assert closed == ["channel", "store"]
