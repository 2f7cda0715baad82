"""Fault exploration of the reward workflows against a real wallet server: an entry fee (paid, refused and
paid after a top-up, refused and never retried), a sponsorship, a match's distribution, and the refund of a
cancelled competition."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.explorer import Exploration, Fault
from tests.faults.reward_flows import FLOWS, runner
from tests.faults.reward_world import RewardWorld
from tests.support.grpc_servers import LoopThread


@pytest.fixture
def world(tmp_path: Path, fault_loop: LoopThread) -> Iterator[RewardWorld]:
    built = RewardWorld(tmp_path, fault_loop)
    yield built
    built.close()


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_reward_workflow_survives_every_fault(name: str, world: RewardWorld, fault_loop: LoopThread,
                                              fault_seed: int, fault_pairs: int) -> None:
    exploration = Exploration(name, fault_seed, fault_pairs)
    fault_loop.run(exploration.run(runner(world, FLOWS[name])), timeout=3600)
    assert not exploration.failures, (
        f"{len(exploration.failures)} of {exploration.explored} schedules failed:\n" + "\n".join(exploration.failures))


def test_the_refund_is_paid_through_post_batch_so_its_lost_answer_is_explored(world: RewardWorld,
                                                                             fault_loop: LoopThread) -> None:
    outcome = fault_loop.run(runner(world, FLOWS["reward_refund_cancelled_competition"])(()), timeout=600)
    assert not outcome.violations, outcome.violations
    steps = [name for name, kind in outcome.trace if kind == "call"]
    assert any(name.startswith("rewards.wallet.post_batch") for name in steps), steps
    lost = Fault(next(n for n in steps if n.startswith("rewards.wallet.post_batch")), "lost")
    after_loss = fault_loop.run(runner(world, FLOWS["reward_refund_cancelled_competition"])((lost,)), timeout=600)
    assert not after_loss.violations, after_loss.violations
