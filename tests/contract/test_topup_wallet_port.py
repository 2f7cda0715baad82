"""The outbound wallet port's contract on the scripted wallet and on ``GrpcWallet`` against a real wallet server."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import grpc
import pytest

from payment_gateway.adapters.grpc_wallet import GrpcWallet
from payment_gateway.domain.ports import Wallet
from tests.conftest import WalletHarness
from tests.contract.topup_wallet_port_contract import WalletPortContract
from tests.support.grpc_servers import TEST_TOKEN
from tests.support.scripted_wallet import ScriptedWallet
from winzone_kernel.grpc_client import service_channel


class TestScriptedWallet(WalletPortContract):
    async def create_wallet(self) -> Wallet:
        return ScriptedWallet()

    async def create_unreachable_wallet(self) -> Wallet:
        return ScriptedWallet(outages=1)


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class TestGrpcWallet(WalletPortContract):
    harness: WalletHarness

    @pytest.fixture
    def wallet_world(self, wallet: WalletHarness) -> Iterator[None]:
        self.harness = wallet
        self._channels: dict[int, grpc.aio.Channel] = {}
        yield

    def _wallet_on(self, address: str) -> Wallet:
        channel = service_channel(address, TEST_TOKEN, deadline=5.0)
        adapter = GrpcWallet(channel)
        self._channels[id(adapter)] = channel
        return adapter

    async def create_wallet(self) -> Wallet:
        return self._wallet_on(self.harness.server.address)

    async def create_unreachable_wallet(self) -> Wallet:
        return self._wallet_on(f"127.0.0.1:{_closed_port()}")

    async def dispose_wallet(self, wallet: Wallet) -> None:
        channel = self._channels.pop(id(wallet), None)
        if channel is not None:
            await channel.close()
