"""PostBatch throughput: many journal entries per call against the store's own batch path and single Posts.

Starts `winzone serve wallet` as its own process, funds a set of users, then measures in one run:
  1. single postings over gRPC: --single-clients concurrent clients issuing one Post back to back, each a
     two-leg entry between two random users (the baseline PostBatch must beat by 5x);
  2. PostBatch over gRPC: for each --sizes batch size, --clients concurrent clients sending batches of that
     many such entries back to back (postings/s counts entries, p50/p99 are per call);
  3. the store alone, batched: the same entries, batch sizes and clients through the wallet's batch use case
     (``Batches.post_batch``: each entry checked, then ``atomic_each_async``, one transaction per batch) in
     this process, no gRPC and no protobuf (the ceiling PostBatch must reach 70% of).
Every phase has its own idempotency keys (no phase replays another's) and a short warm-up. Every entry is
committed durably before it is acknowledged: SQLite with synchronous=FULL unless --synchronous says otherwise
(WAL, group commit); MongoDB with write concern majority (a one-member replica set from the bundled mongod
unless MONGODB_URI names one). The wallet audit runs after the gRPC phases. --json prints one JSON object.

Usage: .venv/bin/python bench/wallet_batches.py [--store sqlite|mongo] [--sizes 100,500] [--clients 4]
       [--single-clients 64] [--seconds 8] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import grpc
import pymongo
from wallet_postings import (
    SEED_MINOR,
    USERS,
    Pairs,
    Results,
    drop_databases,
    mongo_uri,
    seed,
    server_version,
)

from wallet_service.adapters.mongo_store import MongoLedgerStore
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain import ledger
from wallet_service.domain.commands import EntryRequest, LegRequest, MoveCommand
from wallet_service.domain.model import PostingOutcome
from wallet_service.domain.ports import LedgerStore
from wallet_service.use_cases.batches import Batches
from winzone.wallet.v1 import wallet_pb2 as pb
from winzone.wallet.v1 import wallet_pb2_grpc
from winzone_kernel.grpc_client import internal_channel
from winzone_ops.supervisor import free_port, grpc_serving

T = TypeVar("T")
WARM_UP_SECONDS = 1.5
AMOUNT = 100
CALL_TIMEOUT = 60.0


def serve_wallet(env: dict[str, str], port: int, token: str, run: Callable[[str, str], T]) -> T:
    """Run ``run(address, token)`` against `winzone serve wallet` started as its own process, stopped by PID after."""
    server = subprocess.Popen([sys.executable, "-m", "winzone_ops.cli", "serve", "wallet"],
                              env={**env, "WALLET_SERVICE_PORT": str(port), "INTERNAL_TOKEN": token,
                                   "LOG_LEVEL": "WARNING", "WALLET_METRICS_PORT": str(free_port())})
    try:
        deadline = time.monotonic() + 30
        while not grpc_serving(f"127.0.0.1:{port}"):
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("wallet service did not start")
            time.sleep(0.1)
        return run(f"127.0.0.1:{port}", token)
    finally:
        server.terminate()
        server.wait(timeout=30)


def entry_pb(pairs: Pairs) -> pb.PostRequest:
    key, a, b = pairs.next()
    return pb.PostRequest(idempotency_key=key, source="bench", legs=[
        pb.Leg(account=f"user:{a}", amount=-AMOUNT, currency="INR", type="debit"),
        pb.Leg(account=f"user:{b}", amount=AMOUNT, currency="INR", type="credit"),
    ])


def entry_request(pairs: Pairs) -> EntryRequest:
    key, a, b = pairs.next()
    return EntryRequest(key=key, source="bench", legs=[
        LegRequest(account=f"user:{a}", amount=-AMOUNT, currency="INR", type="debit"),
        LegRequest(account=f"user:{b}", amount=AMOUNT, currency="INR", type="credit"),
    ])


async def closed_loop(clients: int, seconds: float, call: Any) -> tuple[int, float, list[float]]:
    """``clients`` tasks calling ``call()`` (which returns how many postings it made) back to back."""
    latencies: list[float] = []
    counted = [0]
    stop_at = time.perf_counter() + seconds

    async def client() -> None:
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            made = await call()
            latencies.append(time.perf_counter() - start)
            counted[0] += made

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return counted[0], time.perf_counter() - began, latencies


async def run_grpc(address: str, token: str, args: argparse.Namespace, results: Results) -> dict[str, float]:
    channel = internal_channel(address, token)
    stub = wallet_pb2_grpc.WalletServiceStub(channel)
    await seed(stub)
    rates: dict[str, float] = {}

    def single(pairs: Pairs) -> Any:
        async def call() -> int:
            await stub.Post(entry_pb(pairs), timeout=CALL_TIMEOUT)
            return 1
        return call

    def batched(pairs: Pairs, size: int) -> Any:
        async def call() -> int:
            response = await stub.PostBatch(pb.PostBatchRequest(entries=[entry_pb(pairs) for _ in range(size)]),
                                            timeout=CALL_TIMEOUT)
            refused = [r.error.code for r in response.results if r.WhichOneof("outcome") != "posting"]
            if refused:
                raise SystemExit(f"PostBatch refused entries: {refused[:5]}")
            return len(response.results)
        return call

    await closed_loop(args.single_clients, WARM_UP_SECONDS, single(Pairs("warm-single", seed=3)))
    rates["single"] = results.phase("grpc_single_post", f"gRPC Post, {args.single_clients} clients",
                                    *await closed_loop(args.single_clients, args.seconds, single(Pairs("single"))))
    for size in args.sizes:
        await closed_loop(args.clients, WARM_UP_SECONDS, batched(Pairs(f"warm-batch{size}", seed=5), size))
        rates[f"batch{size}"] = results.phase(
            f"grpc_post_batch_{size}", f"gRPC PostBatch x{size}, {args.clients} clients",
            *await closed_loop(args.clients, args.seconds, batched(Pairs(f"batch{size}", seed=size), size)))
    audit = await stub.Audit(pb.AuditRequest())
    results.data["audit"] = {"ok": audit.ok, "transactions": audit.transactions_checked,
                             "violations": list(audit.violations)[:5]}
    results.say(f"audit after the gRPC runs: ok={audit.ok} transactions={audit.transactions_checked}")
    await channel.close()
    return rates


async def store_alone(store: LedgerStore, args: argparse.Namespace, results: Results) -> dict[str, float]:
    """The same batches through ``Batches.post_batch`` on a store in this process: no gRPC, no protobuf."""
    store.migrate()
    for i in range(USERS):
        cmd = MoveCommand.build(key=f"seed{i}", user_id=f"user{i}", amount=SEED_MINOR, currency="INR", type="topup",
                                counter_account="clearing:bench", source="", description="", metadata={},
                                direction=1)
        await store.atomic_async(functools.partial(ledger.move, cmd=cmd))
    batches = Batches(store)
    rates: dict[str, float] = {}

    def batched(pairs: Pairs, size: int) -> Any:
        async def call() -> int:
            answers = await batches.post_batch([entry_request(pairs) for _ in range(size)])
            if not all(isinstance(a, PostingOutcome) for a in answers):
                refused = [a for a in answers if not isinstance(a, PostingOutcome)]
                raise SystemExit(f"the store refused entries: {refused[:5]}")
            return len(answers)
        return call

    for size in args.sizes:
        await closed_loop(args.clients, WARM_UP_SECONDS, batched(Pairs(f"warm-store{size}", seed=7), size))
        rates[f"batch{size}"] = results.phase(
            f"store_alone_batch_{size}", f"store alone, batches of {size}, {args.clients} tasks",
            *await closed_loop(args.clients, args.seconds, batched(Pairs(f"store{size}", seed=size + 1), size)))
    store.close()
    return rates


def compare(grpc_rates: dict[str, float], store_rates: dict[str, float], sizes: list[int],
            results: Results) -> None:
    ratios: dict[str, Any] = {}
    for size in sizes:
        batch = grpc_rates[f"batch{size}"]
        of_store = batch / store_rates[f"batch{size}"]
        of_single = batch / grpc_rates["single"]
        ratios[str(size)] = {"of_store_alone": round(of_store, 2), "of_single_grpc": round(of_single, 2),
                             "meets_70pct_of_store": of_store >= 0.70, "meets_5x_single": of_single >= 5.0}
        results.say(f"PostBatch x{size}: {of_store:.0%} of the store-alone batched rate (target >= 70%), "
                    f"{of_single:.1f}x the single-Post gRPC rate (target >= 5x)")
    results.data["ratios"] = ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", default="sqlite", choices=["sqlite", "mongo"])
    parser.add_argument("--sizes", default="100,500", help="batch sizes, comma-separated")
    parser.add_argument("--clients", type=int, default=4, help="concurrent PostBatch clients (and store tasks)")
    parser.add_argument("--single-clients", type=int, default=64, help="concurrent single-Post clients")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--synchronous", default="FULL", choices=["FULL", "EXTRA", "NORMAL"])
    parser.add_argument("--json", action="store_true", help="print one JSON object with every figure")
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    results = Results(args.json)
    results.data["machine"] = {"arch": platform.machine(), "cores": os.cpu_count(), "system": platform.system(),
                               "python": platform.python_version()}
    results.data["versions"] = {"grpcio": grpc.__version__, "pymongo": pymongo.version}
    results.data["settings"] = {
        "store": args.store, "sizes": args.sizes, "batch_clients": args.clients,
        "single_clients": args.single_clients, "seconds": args.seconds, "warm_up_seconds": WARM_UP_SECONDS,
        "users": USERS, "entry": "Post of 1.00 INR between two random users, 2 legs, a key per entry"}
    with tempfile.TemporaryDirectory(prefix="winzone-bench-") as tmp:
        port, token = free_port(), secrets.token_urlsafe(24)
        env = {**os.environ, "WINZONE_DATA_DIR": tmp}
        env.pop("MONGODB_URI", None)

        def over_grpc(address: str, tok: str) -> dict[str, float]:
            return asyncio.run(run_grpc(address, tok, args, results))

        if args.store == "sqlite":
            results.data["settings"]["durability"] = f"SQLite synchronous={args.synchronous}, WAL, group commit"
            say_header(results)
            env["SQLITE_SYNCHRONOUS"] = args.synchronous
            grpc_rates = serve_wallet(env, port, token, over_grpc)
            store: LedgerStore = SqliteLedgerStore(Path(tmp) / "store-alone.sqlite3", synchronous=args.synchronous)
            store_rates = asyncio.run(store_alone(store, args, results))
        else:
            with mongo_uri(Path(tmp), results) as uri:
                results.data["versions"]["mongod"] = server_version(uri)
                results.data["settings"]["durability"] = (
                    "MongoDB transactions, read concern majority, write concern majority; one transaction per "
                    "group-commit batch")
                say_header(results)
                run_id = secrets.token_hex(4)
                env.update(MONGODB_URI=uri, MONGODB_DB=f"bench_batch_wallet_{run_id}")
                grpc_rates = serve_wallet(env, port, token, over_grpc)
                store_rates = asyncio.run(store_alone(
                    MongoLedgerStore.from_uri(uri, f"bench_batch_store_{run_id}"), args, results))
                drop_databases(uri, [f"bench_batch_wallet_{run_id}", f"bench_batch_store_{run_id}"])
        compare(grpc_rates, store_rates, args.sizes, results)
    if args.json:
        print(json.dumps(results.data, indent=2))


def say_header(results: Results) -> None:
    machine, versions, settings = (results.data[k] for k in ("machine", "versions", "settings"))
    results.say(f"machine: {machine['arch']} {machine['cores']} cores, {machine['system']}, Python "
                f"{machine['python']}, " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    if "mongod" in results.data:
        results.say(f"mongod: {results.data['mongod']}")
    results.say(f"durability: {settings['durability']}")
    results.say(f"load: {settings['users']} funded users; {settings['entry']}; batches of {settings['sizes']} from "
                f"{settings['batch_clients']} clients, single Posts from {settings['single_clients']} clients; "
                f"{settings['seconds']:.0f}s per phase after a {WARM_UP_SECONDS}s warm-up")


if __name__ == "__main__":
    main()
