"""One `winzone up` stack for the whole end-to-end session.

Tests that share it sign up fresh users (``tests.support.users``) and use fresh ids, check balances per user,
and expect the wallet audit to pass whatever ran before them. It logs at DEBUG, so that every call leaves a
line with its request id. A test that needs a stack of its own (absolute metrics, say) starts one with
``start_stack``.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.stack import Stack, start_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(tmp_path_factory.mktemp("stack"), {"LOG_LEVEL": "DEBUG"})
    yield running
    assert running.stop() == 0, running.log()
    assert "WinZone stopped." in running.log()


@pytest.fixture
def http(stack: Stack) -> Iterator[httpx.Client]:
    with stack.client() as client:
        yield client
