"""Fault exploration of the payout workflows: approve (paid, refused, pending then webhook, reversed in
full and in part, webhooks repeated and reordered), a request without a key, and reject; each one again with
TDS at 30 % on a player whose winnings are withdrawable alone (``TDS_RATE=30``, ``WITHDRAWABLE_FUNDS=winnings``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.explorer import Exploration
from tests.faults.payout_flows import FLOWS, runner
from tests.faults.payout_world import TAXED, PayoutWorld
from tests.faults.world import no_proxies
from tests.support.grpc_servers import LoopThread


@pytest.fixture
def world(tmp_path: Path, fault_loop: LoopThread) -> Iterator[PayoutWorld]:
    with no_proxies():
        built = PayoutWorld(tmp_path, fault_loop)
        yield built
        built.close()


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_payout_workflow_survives_every_fault(name: str, world: PayoutWorld, fault_loop: LoopThread,
                                              fault_seed: int, fault_pairs: int) -> None:
    exploration = Exploration(name, fault_seed, fault_pairs)
    fault_loop.run(exploration.run(runner(world, name, FLOWS[name])), timeout=3600)
    assert not exploration.failures, (
        f"{len(exploration.failures)} of {exploration.explored} schedules failed:\n" + "\n".join(exploration.failures))


@pytest.fixture
def taxed_world(tmp_path: Path, fault_loop: LoopThread) -> Iterator[PayoutWorld]:
    with no_proxies():
        built = PayoutWorld(tmp_path, fault_loop, TAXED)
        yield built
        built.close()


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_taxed_payout_workflow_survives_every_fault(name: str, taxed_world: PayoutWorld, fault_loop: LoopThread,
                                                    fault_seed: int, fault_pairs: int) -> None:
    exploration = Exploration(f"taxed_{name}", fault_seed, fault_pairs)
    fault_loop.run(exploration.run(runner(taxed_world, name, FLOWS[name])), timeout=3600)
    assert exploration.explored > 1
    assert not exploration.failures, (
        f"{len(exploration.failures)} of {exploration.explored} schedules failed:\n" + "\n".join(exploration.failures))
