"""The wallet port contract on the real client against a real wallet server, and on each fake the reward
tests pay through (``tests/support/rewards.py``)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import grpc
import pytest

from reward_service.adapters.grpc_wallet import GrpcWallet
from reward_service.domain.ports import WalletPort
from tests.conftest import WalletHarness
from tests.contract.reward_wallet_port_contract import RewardWalletPortContract, entry_plan
from tests.support.grpc_servers import TEST_TOKEN
from tests.support.ids import new_id, new_key, new_user
from tests.support.rewards import FlakyWallet, InMemoryWallet
from wallet_service.domain.accounts import parse_account
from winzone_kernel.errors import Unavailable
from winzone_kernel.grpc_client import service_channel


def unused_address() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


class RealWalletBooks(RewardWalletPortContract):
    """A real wallet server over SQLite per test; ports are ``GrpcWallet`` clients on ``service_channel``."""

    harness: WalletHarness
    channels: list[grpc.aio.Channel]

    @pytest.fixture(autouse=True)
    def _real_wallet(self, wallet: WalletHarness) -> Iterator[None]:
        self.harness = wallet
        self.channels = []
        yield

    def client(self, address: str) -> GrpcWallet:
        channel = service_channel(address, TEST_TOKEN, deadline=5.0)
        self.channels.append(channel)
        return GrpcWallet(channel)

    async def dispose_port(self, port: WalletPort) -> None:
        for channel in self.channels:
            await channel.close()
        self.channels.clear()

    def fund(self, user_id: str, amount: int) -> None:
        self.harness.fund(user_id, amount, key=new_key())

    def balance(self, account: str) -> int:
        state = self.harness.store.get_account(parse_account(account), "INR")
        return 0 if state is None else state.balance


class TestGrpcWallet(RealWalletBooks):
    def create_port(self) -> WalletPort:
        return self.client(self.harness.server.address)

    def unreachable_port(self) -> WalletPort:
        return self.client(unused_address())


class TestFlakyWallet(RealWalletBooks):
    def create_port(self) -> FlakyWallet:
        return FlakyWallet(self.client(self.harness.server.address))

    def unreachable_port(self) -> WalletPort:
        return FlakyWallet(self.client(unused_address()))

    @pytest.mark.parametrize("posted", [False, True], ids=["before-posting", "after-posting"])
    def test_a_chosen_failure_is_unavailable_whether_or_not_the_money_moved(self, posted: bool) -> None:
        competition, player = new_id("cmp"), new_user()
        self.fund(player, 1_000)
        plan = entry_plan(competition, player, 600)
        moved = [400, 600]

        async def scenario(port: WalletPort) -> None:
            assert isinstance(port, FlakyWallet)
            (port.fail_after if posted else port.fail_before).add(plan.key)
            with pytest.raises(Unavailable):
                await port.post(plan)
            assert self.books(f"user:{player}", f"pool:{competition}") == (moved if posted else [1_000, 0])
            assert (await port.post(plan)).replayed is posted

        self.run(scenario)
        assert self.books(f"user:{player}", f"pool:{competition}") == moved


class TestInMemoryWallet(RewardWalletPortContract):
    wallet: InMemoryWallet

    @pytest.fixture(autouse=True)
    def _wallet(self) -> None:
        self.wallet = InMemoryWallet()

    def create_port(self) -> WalletPort:
        return self.wallet

    def unreachable_port(self) -> WalletPort:
        unreachable = InMemoryWallet()
        unreachable.unreachable = True
        return unreachable

    async def dispose_port(self, port: WalletPort) -> None:
        """An in-memory wallet holds nothing to release."""

    def fund(self, user_id: str, amount: int) -> None:
        self.wallet.fund(user_id, amount)

    def balance(self, account: str) -> int:
        return self.wallet.balance(account)
