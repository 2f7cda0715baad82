"""`winzone up` and ports that are taken: a port it picked that another process takes before the child binds it
costs one restart on new ports, never a failed start; a port the environment set that is taken fails the start
at once, saying which."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.stack import start_stack
from tests.support.users import sign_up

pytestmark = pytest.mark.e2e

TAKE_THE_FIRST_PICK = """
import sys
import winzone_ops.supervisor as supervisor
try:
    import winzone_ops.stack_ports as stack_ports
except ImportError:
    stack_ports = supervisor
taken = [int(sys.argv[1])]
pick = stack_ports.free_port
stack_ports.free_port = supervisor.free_port = lambda *avoid: taken.pop() if taken else pick(*avoid)
sys.exit(supervisor.run_stack())
"""
"""`winzone up` whose first pick is a port that another process already holds: what a port taken between the
pick and the bind looks like, made certain."""


@pytest.fixture
def occupied() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_a_picked_port_taken_before_the_child_binds_it_costs_a_restart(tmp_path: Path, occupied: int) -> None:
    stack = start_stack(tmp_path / "stack", command=[sys.executable, "-c", TAKE_THE_FIRST_PICK, str(occupied)])
    try:
        log = stack.log()
        assert "a port picked for it was taken meanwhile" in log and "address already in use" in log
        assert stack.grpc_address("wallet") != f"127.0.0.1:{occupied}"
        assert f"wallet={stack.grpc_address('wallet')}" in log
        with stack.client() as http:
            assert http.get("/health").json()["data"]["services"]["wallet"] == "SERVING"
            user_id, _ = sign_up(http)
        stack.credit(user_id, 1_000)
        stack.assert_audit_ok()
    finally:
        assert stack.stop() == 0, stack.log()


def test_a_taken_port_the_environment_set_fails_the_start_and_says_which(tmp_path: Path, occupied: int) -> None:
    with pytest.raises(RuntimeError) as failed:
        start_stack(tmp_path / "stack", {"PAYMENTS_SERVICE_PORT": str(occupied)})
    message = str(failed.value)
    assert f"payments: address already in use: 127.0.0.1:{occupied}" in message
    assert "start-up failed: payments exited with code 98" in message
    assert "picking new ports" not in message
