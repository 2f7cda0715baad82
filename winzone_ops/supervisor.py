"""`winzone up`: every service as its own process, health-gated start, clean stop on Ctrl-C or SIGTERM."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from winzone_kernel.dev_secrets import ensure_dev_secrets
from winzone_kernel.ports import EXIT_ADDRESS_IN_USE
from winzone_ops.registry import SERVICES, ServiceSpec
from winzone_ops.stack_ports import (
    START_ATTEMPTS,
    gateway_url,
    listening_line,
    pick_ports,
    port_names,
    record_addresses,
    repick,
    set_port_taken,
)
from winzone_ops.stack_ports import free_port as free_port

STARTUP_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0
DEV_ADMIN_EMAIL = "admin@winzone.local"
INTERRUPTED = 130


@dataclass
class StackPlan:
    """The environment every child gets, and the admin to seed."""

    env: dict[str, str]
    gateway_url: str
    admin_email: str
    admin_password: str
    admin_password_generated: bool
    picked: list[str] = field(default_factory=list)
    """The port (and address) names the supervisor chose itself, and may choose again (``stack_ports``)."""


def plan_stack(base: Mapping[str, str]) -> StackPlan:
    """Fill in what a development stack needs: data dir, secrets (the per-run internal token and JWT key; the
    mock webhook key and the payout method key kept in the data folder), free internal ports, the dev admin."""
    env = dict(base)
    env.setdefault("APP_ENV", "development")
    production = env["APP_ENV"] == "production"
    env["WINZONE_DATA_DIR"] = str(Path(env.get("WINZONE_DATA_DIR", "./var")).resolve())
    for secret_name, size in (("INTERNAL_TOKEN", 32), ("JWT_SECRET", 48)):
        if not env.get(secret_name):
            if production:
                raise SystemExit(f"{secret_name} must be set when APP_ENV=production")
            env[secret_name] = secrets.token_urlsafe(size)
    for key_name in ("PAYOUT_METHOD_KEY", "KYC_PAN_KEY"):
        if production and not env.get(key_name):
            raise SystemExit(f"{key_name} must be set when APP_ENV=production")
    if not production:
        for secret_name, value in ensure_dev_secrets(env["WINZONE_DATA_DIR"]).items():
            env[secret_name] = env.get(secret_name) or value
    picked = pick_ports(env)
    email = env.get("WINZONE_ADMIN_EMAIL") or DEV_ADMIN_EMAIL
    password = env.get("WINZONE_ADMIN_PASSWORD") or ""
    generated = not password
    if generated:
        if production:
            raise SystemExit("WINZONE_ADMIN_PASSWORD must be set when APP_ENV=production")
        password = secrets.token_urlsafe(12)
    return StackPlan(env, gateway_url(env), email, password, generated, picked)


def record_dev_admin(data_dir: Path, email: str, password: str) -> None:
    """Leave the development admin's credentials beside the data (owner-only) for `winzone demo`."""
    from winzone_ops.demo import DEV_ADMIN_FILE

    path = data_dir / DEV_ADMIN_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"email": email, "password": password}, handle)


def spawn(spec: ServiceSpec, env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "winzone_ops.cli", "serve", spec.name], env=dict(env))


def grpc_serving(address: str) -> bool:
    channel = grpc.insecure_channel(address)
    try:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1.0)
        return reply.status == health_pb2.HealthCheckResponse.SERVING
    except grpc.RpcError:
        return False
    finally:
        channel.close()


def http_healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2.0) as reply:
            return reply.status == 200
    except OSError:
        return False


class ChildExited(RuntimeError):
    """A child ended during start-up."""

    def __init__(self, spec: ServiceSpec, returncode: int) -> None:
        super().__init__(f"{spec.name} exited with code {returncode} during start-up")
        self.spec = spec
        self.returncode = returncode


def wait_healthy(spec: ServiceSpec, env: Mapping[str, str], proc: subprocess.Popen[bytes], gateway_url: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ChildExited(spec, proc.returncode)
        ready = grpc_serving(env[f"{spec.name.upper()}_SERVICE_ADDR"]) if spec.grpc else http_healthy(gateway_url)
        if ready:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{spec.name} did not become healthy within {STARTUP_TIMEOUT_SECONDS:.0f}s")


def stop_all(procs: list[tuple[ServiceSpec, subprocess.Popen[bytes]]]) -> None:
    for _, proc in reversed(procs):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for _, proc in reversed(procs):
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _interrupt(signum: int, frame: object) -> None:
    """Until the services run, SIGTERM unwinds like Ctrl-C, so that mongod is stopped on the way out."""
    raise KeyboardInterrupt


def run_stack(base_env: Mapping[str, str] | None = None, *, mongo: bool = False) -> int:
    """Start the stack, print how to use it, and supervise it until a signal or a child dies. With ``mongo``,
    every service runs on a local MongoDB replica set (``winzone_ops.dev_mongo``) started first and stopped
    last."""
    from winzone_ops.dev_mongo import start_dev_mongo

    plan = plan_stack(os.environ if base_env is None else base_env)
    if not mongo:
        return supervise(plan)
    if plan.env.get("MONGODB_URI"):
        print("--mongo starts a replica set of its own: unset MONGODB_URI, or drop --mongo to use the one it names",
              file=sys.stderr, flush=True)
        return 2
    cache = plan.env.get("WINZONE_MONGOD_CACHE")
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        local = start_dev_mongo(Path(plan.env["WINZONE_DATA_DIR"]), Path(cache) if cache else None)
    except RuntimeError as exc:
        print(f"cannot start MongoDB: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return INTERRUPTED
    try:
        plan.env["MONGODB_URI"] = local.uri
        print(f"MongoDB: {local.uri}  (mongod pid {local.pid}, data {local.data_dir})", flush=True)
        return supervise(plan)
    except KeyboardInterrupt:
        return INTERRUPTED
    finally:
        local.stop()
        print("MongoDB stopped.", flush=True)


def supervise(plan: StackPlan) -> int:
    """Migrate, seed the admin, run every service of ``plan`` until a signal or a child dies, stop them all."""
    from winzone_kernel.config import CommonSettings
    from winzone_ops.admin import ensure_admin, migrate_all

    common = CommonSettings.from_env(plan.env)
    migrate_all(common)
    ensure_admin(common, plan.admin_email, plan.admin_password)
    if not common.production:
        record_dev_admin(Path(plan.env["WINZONE_DATA_DIR"]), plan.admin_email, plan.admin_password)

    stopping = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    procs: list[tuple[ServiceSpec, subprocess.Popen[bytes]]] = []
    try:
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                for spec in SERVICES:
                    proc = spawn(spec, plan.env)
                    procs.append((spec, proc))
                    wait_healthy(spec, plan.env, proc, plan.gateway_url)
                    if stopping:
                        return 0
                break
            except ChildExited as exc:
                if not _port_was_taken(exc, plan) or attempt == START_ATTEMPTS:
                    raise
                print(f"{exc.spec.name}: a port picked for it was taken meanwhile; picking new ports and starting "
                      f"again (attempt {attempt + 1} of {START_ATTEMPTS})", file=sys.stderr, flush=True)
                stop_all(procs)
                procs.clear()
                repick(plan.env, plan.picked)
                plan.gateway_url = gateway_url(plan.env)
        addresses = record_addresses(Path(plan.env["WINZONE_DATA_DIR"]), plan.env)
        print(f"Listening: {listening_line(addresses)}", flush=True)
        public = plan.env["GATEWAY_PUBLIC_URL"]
        print(f"WinZone is up: {public}  (the web app; API docs: {public}/docs)", flush=True)
        if plan.admin_password_generated:
            print(f"Development admin: {plan.admin_email} / {plan.admin_password} (generated for this run)",
                  flush=True)
        else:
            print(f"Admin: {plan.admin_email} (password from WINZONE_ADMIN_PASSWORD)", flush=True)
        print(f"Data: {plan.env['WINZONE_DATA_DIR']}   Press Ctrl-C to stop.", flush=True)
        while not stopping:
            for spec, proc in procs:
                if proc.poll() is not None:
                    print(f"{spec.name} exited with code {proc.returncode}; stopping", file=sys.stderr, flush=True)
                    return 1
            time.sleep(0.2)
        return 0
    except RuntimeError as exc:
        print(f"start-up failed: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        stop_all(procs)
        print("WinZone stopped.", flush=True)


def _port_was_taken(exc: ChildExited, plan: StackPlan) -> bool:
    """The child found a port taken that the supervisor picked (and can pick again), not one the environment set."""
    if exc.returncode != EXIT_ADDRESS_IN_USE or not any(name in plan.picked for name in port_names(exc.spec)):
        return False
    return set_port_taken(exc.spec, plan.env, plan.picked) is None
