"""Fixtures the payout integration tests share: the payment-gateway double and the payout rig on top of it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import WalletHarness
from tests.support.payout_provider_double import ProviderDoubleServer
from tests.support.payout_rig import Rig


@pytest.fixture
def provider_server() -> Iterator[ProviderDoubleServer]:
    """A payment-gateway double on a real port, for one test."""
    server = ProviderDoubleServer()
    yield server
    server.stop()


@pytest.fixture
def rig(tmp_path: Path, wallet: WalletHarness, provider_server: ProviderDoubleServer) -> Iterator[Rig]:
    """A payout service over a SQLite store, the test's wallet and the double, with scriptable faults."""
    running = Rig(tmp_path / "payouts.sqlite3", wallet, provider_server)
    yield running
    running.close()
