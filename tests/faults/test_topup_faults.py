"""Fault exploration of the top-up workflows: verify, webhook and the mock page's Pay (the mock provider and
Stripe through the stand-in), webhooks repeated and reordered, a cancelled and an expired session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.explorer import Exploration
from tests.faults.topup_flows import MOCK_FLOWS, STRIPE_FLOWS, Flow, runner
from tests.faults.topup_world import TopUpWorld
from tests.faults.world import no_proxies
from tests.support.grpc_servers import LoopThread


def _world(tmp_path: Path, loop: LoopThread, provider: str) -> Iterator[TopUpWorld]:
    with no_proxies():
        built = TopUpWorld(tmp_path, loop, provider)
        yield built
        built.close()


@pytest.fixture
def mock_world(tmp_path: Path, fault_loop: LoopThread) -> Iterator[TopUpWorld]:
    yield from _world(tmp_path, fault_loop, "mock")


@pytest.fixture
def stripe_world(tmp_path: Path, fault_loop: LoopThread) -> Iterator[TopUpWorld]:
    yield from _world(tmp_path, fault_loop, "stripe")


def _explore(name: str, flow: Flow, world: TopUpWorld, loop: LoopThread, seed: int, pairs: int) -> None:
    exploration = Exploration(name, seed, pairs)
    loop.run(exploration.run(runner(world, flow)), timeout=3600)
    assert not exploration.failures, (
        f"{len(exploration.failures)} of {exploration.explored} schedules failed:\n" + "\n".join(exploration.failures))


@pytest.mark.parametrize("name", sorted(MOCK_FLOWS))
def test_mock_topup_survives_every_fault(name: str, mock_world: TopUpWorld, fault_loop: LoopThread,
                                         fault_seed: int, fault_pairs: int) -> None:
    _explore(name, MOCK_FLOWS[name], mock_world, fault_loop, fault_seed, fault_pairs)


@pytest.mark.parametrize("name", sorted(STRIPE_FLOWS))
def test_stripe_topup_survives_every_fault(name: str, stripe_world: TopUpWorld, fault_loop: LoopThread,
                                           fault_seed: int, fault_pairs: int) -> None:
    _explore(name, STRIPE_FLOWS[name], stripe_world, fault_loop, fault_seed, fault_pairs)
