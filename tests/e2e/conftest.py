"""One `winzone up` stack per store for the whole end-to-end session: every e2e test runs once on SQLite and
once on MongoDB (``backend``; the MongoDB case carries the ``mongo`` marker and skips, with the reason,
where no replica set can run).

Tests that share a stack sign up fresh users (``tests.support.users``) and use fresh ids, check balances per
user, and expect the wallet audit to pass whatever ran before them. It logs at DEBUG, so that every call
leaves a line with its request id. A test that needs a stack of its own (absolute metrics, say) starts one
with ``start_stack`` on ``store_env(backend)``. The tests are ordered by backend, so that one shared stack
runs at a time.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.backends import BACKENDS, skip_unless_available, store_env
from tests.support.stack import Stack, start_stack


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    skip_unless_available(name)
    return name


@pytest.fixture(scope="session")
def stack(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with store_env(backend) as store:
        running = start_stack(tmp_path_factory.mktemp(f"stack-{backend}"), {"LOG_LEVEL": "DEBUG", **store})
        yield running
        assert running.stop() == 0, running.log()
        assert "WinZone stopped." in running.log()


@pytest.fixture
def http(stack: Stack) -> Iterator[httpx.Client]:
    with stack.client() as client:
        yield client
