"""`winzone up` hands every child the gateway's public URL on the port it really uses: picked (and picked again
after a port was taken) when the environment leaves it unset, never changed when the environment sets it; and
the auditor gets a port and an address like every gRPC service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from winzone_ops import stack_ports
from winzone_ops.registry import BY_NAME
from winzone_ops.stack_ports import PUBLIC_URL, pick_ports, port_names, repick
from winzone_ops.supervisor import plan_stack


def test_an_unset_public_url_follows_the_gateway_port_as_picked_and_repicked() -> None:
    env = {"GATEWAY_PORT": "0"}
    picked = pick_ports(env)
    assert PUBLIC_URL in picked and env["GATEWAY_PORT"] != "0"
    assert env[PUBLIC_URL] == f"http://localhost:{env['GATEWAY_PORT']}"
    first = env["GATEWAY_PORT"]
    for _ in range(5):
        repick(env, picked)
        if env["GATEWAY_PORT"] != first:
            break
    assert env["GATEWAY_PORT"] != first
    assert env[PUBLIC_URL] == f"http://localhost:{env['GATEWAY_PORT']}"


def test_the_default_gateway_port_gives_localhost_5000() -> None:
    env: dict[str, str] = {}
    pick_ports(env)
    assert (env["GATEWAY_PORT"], env[PUBLIC_URL]) == ("5000", "http://localhost:5000")


def test_a_public_url_the_environment_sets_is_kept() -> None:
    env = {"GATEWAY_PORT": "0", PUBLIC_URL: "https://winzone.example"}
    picked = pick_ports(env)
    repick(env, picked)
    assert PUBLIC_URL not in picked and env[PUBLIC_URL] == "https://winzone.example"


def test_the_auditor_is_served_on_a_picked_port_like_the_services(tmp_path: Path) -> None:
    plan = plan_stack({"WINZONE_DATA_DIR": str(tmp_path), "GATEWAY_PORT": "0"})
    assert port_names(BY_NAME["auditor"]) == ("AUDITOR_SERVICE_PORT", "AUDITOR_METRICS_PORT")
    port = plan.env["AUDITOR_SERVICE_PORT"]
    assert int(port) > 0 and plan.env["AUDITOR_SERVICE_ADDR"] == f"127.0.0.1:{port}"
    assert plan.env[PUBLIC_URL] == f"http://localhost:{plan.env['GATEWAY_PORT']}"
    assert BY_NAME["auditor"].grpc and BY_NAME["auditor"].stores == ()


def test_picked_ports_are_distinct_even_when_the_kernel_hands_one_out_twice(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel may give a just-closed ephemeral port out again: every picked port is still a different one,
    and none collides with a port the environment set."""
    offered = iter([41000, 41000, 41001, 41001, 41002, 43000, *range(41003, 41100)])
    monkeypatch.setattr(stack_ports.socket, "socket", lambda: FakeSocket(offered))
    env = {"GATEWAY_PORT": "0", "WALLET_SERVICE_PORT": "43000"}
    picked = pick_ports(env)
    ports = [int(env[name]) for name in env if name.endswith("_PORT")]
    assert len(ports) == len(set(ports)) and len([n for n in picked if n.endswith("_PORT")]) >= 10
    assert env["WALLET_SERVICE_PORT"] == "43000"


class FakeSocket:
    """A socket whose bind to port 0 lands on the next port of ``offered``."""

    def __init__(self, offered: Iterator[int]) -> None:
        self.port = next(offered)

    def __enter__(self) -> FakeSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def bind(self, address: tuple[str, int]) -> None:
        return None

    def getsockname(self) -> tuple[str, int]:
        return "127.0.0.1", self.port
