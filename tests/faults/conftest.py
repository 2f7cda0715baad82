"""Fixtures of the fault explorer: one loop thread per session, the seed and pair count from the options."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.faults.explorer import TALLY
from tests.support.grpc_servers import LoopThread


@pytest.fixture(scope="session")
def fault_loop() -> Iterator[LoopThread]:
    loop = LoopThread()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def fault_seed(request: pytest.FixtureRequest) -> int:
    return int(request.config.getoption("--fault-seed"))


@pytest.fixture(scope="session")
def fault_pairs(request: pytest.FixtureRequest) -> int:
    return int(request.config.getoption("--fault-pairs"))


@pytest.fixture(autouse=True)
def quiet_logs() -> Iterator[None]:
    """Thousands of injected crashes log thousands of tracebacks; the report says what matters."""
    logger = logging.getLogger("winzone")
    before = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    yield
    logger.setLevel(before)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Per workflow the schedules explored and failed, and the total."""
    if not TALLY:
        return
    terminalreporter.section("fault exploration")
    for workflow, explored, failed in TALLY:
        terminalreporter.write_line(f"{workflow:<48} {explored:>5} schedules  {failed:>3} failed")
    terminalreporter.write_line(f"{'total':<48} {sum(t[1] for t in TALLY):>5} schedules  "
                                f"{sum(t[2] for t in TALLY):>3} failed")
