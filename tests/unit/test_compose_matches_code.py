"""docker-compose.yml cannot drift from the code: every command it runs is a real `winzone` command and
service, and every environment name it sets is one the code reads."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

from winzone_kernel.config import DEFAULT_PORTS
from winzone_ops.cli import parser
from winzone_ops.registry import BY_NAME

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("winzone_kernel", "winzone_ops", "wallet_service", "payment_gateway", "reward_service", "payout_service",
            "api_gateway")
ENV_READERS = {"get", "getenv", "env_str", "env_int", "env_decimal", "pop", "setdefault"}


def env_names_read_by_code() -> set[str]:
    """Names passed to environment readers: ``env.get("X")``, ``env_int(env, "X", ...)``, any helper called
    with the environment and a name (``_limit(env, "X", ...)``), ``env["X"]``."""
    names: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                candidates: list[ast.expr] = []
                if isinstance(node, ast.Call):
                    func = node.func
                    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                    passes_env = any(isinstance(a, ast.Name) and a.id in ("env", "environ") for a in node.args)
                    if called in ENV_READERS or passes_env:
                        candidates = list(node.args[:2])
                elif isinstance(node, ast.Subscript):
                    candidates = [node.slice]
                for arg in candidates:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.isupper():
                        names.add(arg.value)
    for service in DEFAULT_PORTS:
        prefix = service.upper()
        names |= {f"{prefix}_SERVICE_PORT", f"{prefix}_SERVICE_ADDR", f"{prefix}_METRICS_PORT"}
    return names


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def winzone_services() -> dict[str, dict]:
    return {name: svc for name, svc in compose()["services"].items() if svc.get("image", "").startswith("winzone")}


def test_every_winzone_container_runs_a_real_command() -> None:
    services = winzone_services()
    assert {"wallet", "payments", "rewards", "payouts", "gateway", "migrate"} <= set(services)
    served = set()
    for name, svc in services.items():
        command = svc["command"]
        assert command[0] == "winzone", name
        parser().parse_args(command[1:])
        if command[1] == "serve":
            served.add(command[2])
        health = svc.get("healthcheck", {}).get("test")
        if health:
            assert health[:2] == ["CMD", "winzone"], name
            parser().parse_args(health[2:])
    assert served == set(BY_NAME), "every service `winzone up` runs must have a container"


def test_every_environment_name_is_read_by_the_code() -> None:
    known = env_names_read_by_code()
    for name, svc in winzone_services().items():
        unknown = set(svc.get("environment", {})) - known
        assert not unknown, f"{name} sets names the code never reads: {sorted(unknown)}"


def test_only_the_gateway_publishes_a_port_and_secrets_are_required() -> None:
    services = compose()["services"]
    assert [name for name, svc in services.items() if svc.get("ports")] == ["gateway"]
    env = services["gateway"]["environment"]
    assert env["INTERNAL_TOKEN"].startswith("${INTERNAL_TOKEN:?")
    assert env["JWT_SECRET"].startswith("${JWT_SECRET:?")
    assert services["gateway"]["ports"] == ["${GATEWAY_PORT:-5000}:5000"]
    assert env["GATEWAY_METRICS_PORT"] not in ("", "0", env["GATEWAY_PORT"]), "/metrics is off the API port"
    assert "replicaSet=" in env["MONGODB_URI"]
    assert services["mongo"]["command"][:2] == ["--replSet", "rs0"]
