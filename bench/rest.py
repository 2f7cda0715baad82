"""Benchmark of the REST gateway under load (run: python bench/rest.py [--json]).

Starts the whole stack with `winzone up` on its embedded defaults (SQLite stores in a temporary data folder,
every port picked free), seeds it over REST (a reader with a few top-ups, players topped up through the mock
checkout, competitions with an entry fee), then drives each route with wrk, a load generator in its own
process, for a bounded time each, all in this one run:

- ``GET /api/ping``: the ceiling. Same gateway process, same server, same middleware, no store or gRPC call;
- ``GET /api/wallet`` and ``GET /api/wallet/transactions``: one signed-in reader;
- ``POST /api/competitions/{id}/entry``: money moves; every request is a fresh (player, competition) pair until
  the pairs run out, each with a unique ``Idempotency-Key``;
- ``POST /api/wallet/topup/verify`` of sessions already paid: the idempotent replay path (no money moves; the
  payment gateway finds the session credited and answers with it).

Each line: requests/s, latency p50/p99 (wrk --latency), ratio to the ceiling. The wallet's audit runs at the
end. Installs wrk with apt-get when it is missing (Debian).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import grpc

from winzone.wallet.v1 import wallet_pb2 as wpb
from winzone.wallet.v1 import wallet_pb2_grpc
from winzone_kernel.grpc_server import TOKEN_HEADER
from winzone_ops.demo import Demo
from winzone_ops.stack_ports import ANY_PORT, STACK_FILE

START_TIMEOUT = 120.0
WALLET_TARGET_RATIO = 0.60
WALLET_TARGET_P99_MS = 50.0

GET_SCRIPT = """
wrk.headers["Authorization"] = "Bearer {token}"
"""

SETUP_THREADS = """
local threads = {{}}
local next_id = 0
function setup(thread)
  thread:set("tid", next_id)
  thread:set("nthreads", {threads})
  next_id = next_id + 1
  table.insert(threads, thread)
end
local counter = 0
"""

ENTRY_SCRIPT = SETUP_THREADS + """
local tokens = {{ {tokens} }}
local competitions = {{ {competitions} }}
local pairs_count = #tokens * #competitions
function request()
  local i = tid + nthreads * counter
  counter = counter + 1
  local slot = i % pairs_count
  local token = tokens[(slot % #tokens) + 1]
  local competition = competitions[math.floor(slot / #tokens) + 1]
  local headers = {{}}
  headers["Authorization"] = "Bearer " .. token
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = "bench-{run}-" .. tid .. "-" .. counter
  return wrk.format("POST", "/api/competitions/" .. competition .. "/entry", headers, "{{}}")
end
"""

VERIFY_SCRIPT = SETUP_THREADS + """
local tokens = {{ {tokens} }}
local sessions = {{ {sessions} }}
function request()
  local i = (tid + nthreads * counter) % #tokens + 1
  counter = counter + 1
  local headers = {{}}
  headers["Authorization"] = "Bearer " .. tokens[i]
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = "bench-{run}-" .. tid .. "-" .. counter
  return wrk.format("POST", "/api/wallet/topup/verify", headers, '{{"sessionId":"' .. sessions[i] .. '"}}')
end
"""


@dataclass
class Result:
    """One route's figures from one wrk run."""

    name: str
    method: str
    path: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    ratio: float = 0.0
    gateway_cpu_ms: float = 0.0
    """CPU time the gateway process(es) spent per request (user + system), less sensitive to a busy machine."""
    wallet_cpu_ms: float = 0.0
    note: str = ""


@dataclass
class Report:
    """Everything one run measured, and where."""

    machine: dict[str, Any]
    versions: dict[str, str]
    settings: dict[str, Any]
    results: list[Result] = field(default_factory=list)
    audit: dict[str, Any] = field(default_factory=dict)
    targets: dict[str, Any] = field(default_factory=dict)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk not found: installing it with apt-get", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        subprocess.run(["apt-get", "update"], check=False, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is required (apt-get install -y wrk)")
    return found


def machine() -> dict[str, Any]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpu": model, "cores": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
            "platform": platform.platform()}


def versions(wrk: str) -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in ("uvicorn", "uvloop", "httptools", "fastapi", "starlette", "orjson", "grpcio"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = "not installed"
    out = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    first = (out.stdout + out.stderr).strip().splitlines()
    found["wrk"] = first[0].split(" [")[0] if first else "unknown"
    return found


@dataclass
class Stack:
    """A running `winzone up`: its gateway URL and the environment its services got."""

    url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path


@contextmanager
def stack(data_dir: Path, workers: int) -> Iterator[Stack]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WINZONE_", "MONGODB_")) and k not in ("MOCK_WEBHOOK_SECRET", "PAYOUT_METHOD_KEY")}
    env.update({
        "WINZONE_DATA_DIR": str(data_dir),
        "GATEWAY_PORT": ANY_PORT,
        "WINZONE_ADMIN_EMAIL": "admin@bench.winzone.test",
        "WINZONE_ADMIN_PASSWORD": secrets.token_urlsafe(12),
        "INTERNAL_TOKEN": secrets.token_urlsafe(24),
        "JWT_SECRET": secrets.token_urlsafe(40),
        "GATEWAY_WORKERS": str(workers),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    data_dir.mkdir(mode=0o700)
    log_path = data_dir.parent / "stack.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "winzone_ops.cli", "up"], env=env, stdout=log_file,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while "WinZone is up" not in log_path.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"winzone up did not start:\n{log_path.read_text(errors='replace')[-4000:]}")
            time.sleep(0.2)
        listening = json.loads((data_dir / STACK_FILE).read_text())
        url = listening.pop("GATEWAY_URL")
        env.update(listening)
        yield Stack(url, env, process, log_path)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class Seed:
    """What the load needs: a reader's token, entrants' tokens, competitions, and paid sessions to verify."""

    reader: str
    players: list[str]
    competitions: list[str]
    paid: list[tuple[str, str]]


def seed(url: str, players: int, competitions: int, reader_topups: int) -> Seed:
    demo = Demo(url, out=lambda _line: None)
    try:
        reader, _ = demo.register_and_login("reader")
        paid = []
        for _ in range(reader_topups):
            paid.append((reader, demo.top_up(reader, 100)["sessionId"]))
        organizer, _ = demo.register_and_login("organizer", role="organizer")
        ids = [demo.call("POST", "/api/competitions", token=organizer, expect=201,
                         json={"entryFee": 1, "currency": "INR"})["data"]["_id"] for _ in range(competitions)]
        tokens = []
        for i in range(players):
            token, _ = demo.register_and_login(f"player{i}")
            paid.append((token, demo.top_up(token, competitions + 10)["sessionId"]))
            tokens.append(token)
        return Seed(reader, tokens, ids, paid)
    finally:
        demo.http.close()


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip()).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(output: str) -> tuple[int, float, float, float, float, int]:
    requests_line = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    if requests_line is None:
        raise SystemExit(f"unexpected wrk output:\n{output}")
    requests = int(requests_line.group(1))
    seconds = _ms(requests_line.group(2) + requests_line.group(3)) / 1000
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(x) for x in socket_errors.groups())
    return requests, seconds, rps, p50, p99, errors


def run_wrk(wrk: str, url: str, path: str, args: argparse.Namespace, *, script: Path | None) -> str:
    command = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
               "--timeout", "10s"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url + path], capture_output=True, text=True, check=False,
                         timeout=args.duration + 60)
    if out.returncode != 0:
        raise SystemExit(f"wrk failed ({out.returncode}): {out.stderr}")
    return out.stdout


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(parent, []).append(int(entry.name))
    return tree


def service_pids(root: int, service: str) -> list[int]:
    """The processes under ``root`` that run ``winzone serve <service>`` (forked gateway workers too)."""
    tree, found, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        for child in tree.get(pid, []):
            try:
                argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"serve" in argv and service.encode() in argv:
                found.append(child)
            todo.append(child)
    return found


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def lua_list(values: list[str]) -> str:
    return ", ".join(f'"{v}"' for v in values)


def measure(args: argparse.Namespace) -> Report:
    wrk = ensure_wrk()
    report = Report(machine(), versions(wrk), {
        "connections": args.connections, "threads": args.threads, "duration_s": args.duration,
        "warmup_s": args.warmup, "GATEWAY_WORKERS": args.workers, "players": args.players,
        "competitions": args.competitions, "stores": "SQLite (embedded defaults)",
    })
    run = secrets.token_hex(4)
    with tempfile.TemporaryDirectory(prefix="winzone-rest-bench-") as tmp, stack(Path(tmp) / "data",
                                                                                   args.workers) as running:
        scripts = Path(tmp)
        started = time.perf_counter()
        seeded = seed(running.url, args.players, args.competitions, args.reader_topups)
        report.settings["seed_s"] = round(time.perf_counter() - started, 1)
        (scripts / "get.lua").write_text(GET_SCRIPT.format(token=seeded.reader))
        (scripts / "entry.lua").write_text(ENTRY_SCRIPT.format(
            threads=args.threads, tokens=lua_list(seeded.players), competitions=lua_list(seeded.competitions),
            run=run))
        (scripts / "verify.lua").write_text(VERIFY_SCRIPT.format(
            threads=args.threads, tokens=lua_list([t for t, _ in seeded.paid]),
            sessions=lua_list([s for _, s in seeded.paid]), run=run))
        plan = [
            ("ceiling", "GET", "/api/ping", None, ""),
            ("wallet", "GET", "/api/wallet", scripts / "get.lua", ""),
            ("transactions", "GET", "/api/wallet/transactions", scripts / "get.lua", ""),
            ("entry", "POST", "/api/competitions/{id}/entry", scripts / "entry.lua",
             f"{len(seeded.players) * len(seeded.competitions)} fresh (player, competition) pairs; later requests "
             "replay an entry already paid"),
            ("verify", "POST", "/api/wallet/topup/verify", scripts / "verify.lua",
             f"replays of {len(seeded.paid)} sessions already paid: the idempotent path, no money moves"),
        ]
        only = set(args.only.split(",")) if args.only else None
        for name, method, path, script, note in plan:
            if only and name not in only and name != "ceiling":
                continue
            url_path = path if method == "GET" else "/"
            if args.warmup and name != "entry":
                warm = argparse.Namespace(**{**vars(args), "duration": args.warmup})
                run_wrk(wrk, running.url, url_path, warm, script=script)
            gateway, wallet = service_pids(running.process.pid, "gateway"), service_pids(running.process.pid, "wallet")
            cpu_before = cpu_seconds(gateway), cpu_seconds(wallet)
            output = run_wrk(wrk, running.url, url_path, args, script=script)
            cpu_after = cpu_seconds(gateway), cpu_seconds(wallet)
            requests, seconds, rps, p50, p99, errors = parse_wrk(output)
            per_request = [1000 * (a - b) / max(requests, 1) for a, b in zip(cpu_after, cpu_before, strict=True)]
            report.results.append(Result(name, method, path, requests, seconds, rps, p50, p99, errors,
                                         gateway_cpu_ms=round(per_request[0], 3),
                                         wallet_cpu_ms=round(per_request[1], 3), note=note))
        ceiling = report.results[0].rps
        for result in report.results:
            result.ratio = result.rps / ceiling if ceiling else 0.0
        report.audit = wallet_audit(running.env)
    wallet = next((r for r in report.results if r.name == "wallet"), None)
    if wallet is not None:
        report.targets = {
            "wallet_ratio": round(wallet.ratio, 3), "wallet_ratio_target": WALLET_TARGET_RATIO,
            "wallet_p99_ms": wallet.p99_ms, "wallet_p99_target_ms": WALLET_TARGET_P99_MS,
            "met": wallet.ratio >= WALLET_TARGET_RATIO and wallet.p99_ms <= WALLET_TARGET_P99_MS,
        }
    report.machine["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return report


def wallet_audit(env: dict[str, str]) -> dict[str, Any]:
    with grpc.insecure_channel(env["WALLET_SERVICE_ADDR"]) as channel:
        audit = wallet_pb2_grpc.WalletServiceStub(channel).Audit(
            wpb.AuditRequest(), metadata=((TOKEN_HEADER, env["INTERNAL_TOKEN"]),), timeout=60)
    return {"ok": audit.ok, "accounts_checked": audit.accounts_checked,
            "transactions_checked": audit.transactions_checked, "violations": list(audit.violations)}


def print_report(report: Report) -> None:
    m, v, s = report.machine, report.versions, report.settings
    print(f"machine: {m['cpu']}, {m['cores']} cores, load average {m['load_average']} before, "
          f"{m['load_average_after']} after; {m['platform']}")
    print("versions: " + ", ".join(f"{k} {val}" for k, val in v.items()))
    print(f"settings: wrk -t{s['threads']} -c{s['connections']} -d{s['duration_s']}s --latency "
          f"(warm-up {s['warmup_s']} s), GATEWAY_WORKERS={s['GATEWAY_WORKERS']}, {s['stores']}, "
          f"{s['players']} players x {s['competitions']} competitions seeded in {s['seed_s']} s; "
          "wrk, the gateway and the services share this machine's cores")
    print(f"{'route':<38} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs ceiling':>10} "
          f"{'gateway CPU ms/req':>19} {'wallet CPU ms/req':>18}")
    for r in report.results:
        label = f"{r.method} {r.path}" + (" (ceiling)" if r.name == "ceiling" else "")
        print(f"{label:<38} {r.rps:>9.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.errors:>7} {r.ratio:>9.0%} "
              f"{r.gateway_cpu_ms:>19.2f} {r.wallet_cpu_ms:>18.2f}")
        if r.note:
            print(f"    {r.requests} requests: {r.note}")
    a = report.audit
    print(f"wallet audit: {'OK' if a['ok'] else 'FAILED'} ({a['accounts_checked']} accounts, "
          f"{a['transactions_checked']} transactions, {len(a['violations'])} violations)")
    for violation in a["violations"][:20]:
        print(f"    {violation}")
    t = report.targets
    if t:
        print(f"target GET /api/wallet: >= {t['wallet_ratio_target']:.0%} of the ceiling and p99 <= "
              f"{t['wallet_p99_target_ms']:.0f} ms: {t['wallet_ratio']:.0%}, p99 {t['wallet_p99_ms']:.1f} ms -> "
              + ("met" if t["met"] else "MISSED"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--duration", type=int, default=8, help="seconds of load per route")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load before each route")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GATEWAY_WORKERS", "1")),
                        help="GATEWAY_WORKERS for the gateway")
    parser.add_argument("--players", type=int, default=24)
    parser.add_argument("--competitions", type=int, default=80)
    parser.add_argument("--reader-topups", type=int, default=12)
    parser.add_argument("--only", default="", help="comma-separated routes: wallet,transactions,entry,verify")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    report = measure(args)
    if args.json:
        print(json.dumps(asdict(report), indent=2))
    else:
        print_report(report)
    audit_ok = report.audit.get("ok", False)
    sys.exit(0 if audit_ok and report.targets.get("met", True) else 1)


if __name__ == "__main__":
    main()
