"""The ports `winzone up` hands its children: which it picked itself (and may pick again), and the record of
what each service listens on that it leaves beside the data (``stack.json``, owner-only).

A port the supervisor picks is free when picked but only bound by the child seconds later, so another process
can take it in between. A child that finds its port taken exits with ``EXIT_ADDRESS_IN_USE``; the supervisor
then picks every port it chose afresh and starts the stack again (``START_ATTEMPTS`` in all). Ports the
environment set are never changed: a taken one is reported, not replaced.
"""

from __future__ import annotations

import socket
from collections.abc import MutableMapping, Sequence
from pathlib import Path

from winzone_kernel.files import write_private_json
from winzone_kernel.ports import AddressInUse, bind_listening
from winzone_ops.registry import SERVICES, ServiceSpec

START_ATTEMPTS = 4
STACK_FILE = "stack.json"
DEFAULT_GATEWAY_PORT = "5000"
ANY_PORT = "0"
"""``GATEWAY_PORT=0``: let `winzone up` pick the gateway's port too (tests; `make run` keeps 5000)."""
PUBLIC_URL = "GATEWAY_PUBLIC_URL"
"""Where browsers reach the gateway (and the web app it serves). Unless the environment sets it, `winzone up`
sets it from the gateway's port as finally picked, so that the payment gateway's mock checkout and its
redirects back to the app (``FRONTEND_URL`` defaults to it) name the port the gateway really listens on."""


def free_port(taken: frozenset[int] = frozenset()) -> int:
    """A port free now on 127.0.0.1 and not in ``taken`` (the kernel may hand a just-closed port out again)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        if port not in taken:
            return port


def port_names(spec: ServiceSpec) -> tuple[str, ...]:
    """The environment names of the ports ``spec`` listens on."""
    if spec.grpc:
        return f"{spec.name.upper()}_SERVICE_PORT", f"{spec.name.upper()}_METRICS_PORT"
    return "GATEWAY_PORT", "GATEWAY_METRICS_PORT"


def _address_name(port_name: str) -> str | None:
    return port_name.replace("_SERVICE_PORT", "_SERVICE_ADDR") if port_name.endswith("_SERVICE_PORT") else None


def pick_ports(env: MutableMapping[str, str]) -> list[str]:
    """Fill in every port the environment leaves unset (or, for the gateway, sets to 0) with a free one, and the
    address of each service whose port was picked; the names picked."""
    env.setdefault("GATEWAY_PORT", DEFAULT_GATEWAY_PORT)
    picked: list[str] = []
    for spec in SERVICES:
        for name in port_names(spec):
            if env.get(name) in (None, "", ANY_PORT):
                picked.append(name)
                address = _address_name(name)
                if address is not None and not env.get(address):
                    picked.append(address)
    if not env.get(PUBLIC_URL):
        picked.append(PUBLIC_URL)
    repick(env, picked)
    for spec in SERVICES:
        address = _address_name(port_names(spec)[0])
        if address is not None:
            env.setdefault(address, f"127.0.0.1:{env[port_names(spec)[0]]}")
    return picked


def repick(env: MutableMapping[str, str], picked: Sequence[str]) -> None:
    """A fresh free port for every picked port name, and each picked address on its port."""
    chosen: set[int] = {int(value) for name, value in env.items()
                         if name.endswith("_PORT") and name not in picked and value.isdigit()}
    for name in picked:
        if name.endswith("_PORT"):
            port = free_port(frozenset(chosen))
            chosen.add(port)
            env[name] = str(port)
            address = _address_name(name)
            if address is not None and address in picked:
                env[address] = f"127.0.0.1:{env[name]}"
    if PUBLIC_URL in picked:
        env[PUBLIC_URL] = f"http://localhost:{env['GATEWAY_PORT']}"


def set_port_taken(spec: ServiceSpec, env: MutableMapping[str, str], picked: Sequence[str]) -> str | None:
    """The first port of ``spec`` that the environment set (not picked) and another socket holds now."""
    host = env.get("GRPC_BIND_HOST" if spec.grpc else "GATEWAY_HOST") or "127.0.0.1"
    for name in port_names(spec):
        value = env.get(name)
        if name in picked or not value or value == ANY_PORT:
            continue
        try:
            bind_listening(host, int(value)).close()
        except AddressInUse:
            return f"{name}={value}"
    return None


def gateway_url(env: MutableMapping[str, str]) -> str:
    return f"http://127.0.0.1:{env['GATEWAY_PORT']}"


def listening_line(record: dict[str, str]) -> str:
    """``wallet=127.0.0.1:50051  ...  gateway=http://127.0.0.1:5000``: where each service answers."""
    parts = []
    for spec in SERVICES:
        address = _address_name(port_names(spec)[0])
        parts.append(f"{spec.name}={record[address] if address else record['GATEWAY_URL']}")
    return "  ".join(parts)


def record_addresses(data_dir: Path, env: MutableMapping[str, str]) -> dict[str, str]:
    """Leave what each service listens on beside the data (owner-only), for tools and tests; the record."""
    names = [n for spec in SERVICES for n in port_names(spec)]
    names += [a for n in names if (a := _address_name(n)) is not None]
    record = {name: env[name] for name in names if name in env}
    record["GATEWAY_URL"] = gateway_url(env)
    write_private_json(data_dir / STACK_FILE, record)
    return record
