"""Wallet throughput and latency: durable postings over gRPC, and the store alone.

Starts `winzone serve wallet` as its own process (SQLite, synchronous=FULL unless --synchronous says
otherwise), funds a set of users, then measures:
  1. closed loop: --clients concurrent gRPC clients issuing Transfers back to back (postings/s, p50/p99);
  2. open loop: Transfers offered at a fixed --rate per second, latency measured from each request's
     scheduled send time (so a stall cannot hide queued requests);
  3. the store alone: the same Transfers through SqliteLedgerStore.atomic_async (the server's own path into
     the store) from --clients concurrent tasks, no gRPC.
Every posting is a two-leg journal entry committed durably (group commit) before it is acknowledged.

Usage: .venv/bin/python bench/wallet_postings.py [--clients 64] [--seconds 10] [--rate 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc

from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain import ledger
from wallet_service.domain.commands import MoveCommand, TransferCommand
from winzone.wallet.v1 import wallet_pb2 as pb
from winzone.wallet.v1 import wallet_pb2_grpc
from winzone_kernel.grpc_client import internal_channel
from winzone_ops.supervisor import free_port, grpc_serving

USERS = 1_000
SEED_MINOR = 10**9


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def report(name: str, count: int, elapsed: float, latencies: list[float]) -> float:
    rate = count / elapsed
    print(f"{name:<34} {count:>7} postings in {elapsed:5.2f}s = {rate:8.0f} postings/s   "
          f"p50 {percentile(latencies, 0.50):6.2f} ms   p99 {percentile(latencies, 0.99):6.2f} ms")
    return rate


class Pairs:
    """Random distinct user pairs with unique idempotency keys."""

    def __init__(self, prefix: str) -> None:
        self._n = 0
        self._prefix = prefix
        self._rng = random.Random(7)

    def next(self) -> tuple[str, str, str]:
        self._n += 1
        a, b = self._rng.sample(range(USERS), 2)
        return f"{self._prefix}{self._n}", f"user{a}", f"user{b}"


def transfer_request(pairs: Pairs) -> pb.TransferRequest:
    key, a, b = pairs.next()
    return pb.TransferRequest(idempotency_key=key, from_user_id=a, to_user_id=b, amount=100, currency="INR")


async def seed(stub: wallet_pb2_grpc.WalletServiceStub) -> None:
    sem = asyncio.Semaphore(64)

    async def one(i: int) -> None:
        async with sem:
            await stub.Credit(pb.CreditRequest(idempotency_key=f"seed{i}", user_id=f"user{i}", amount=SEED_MINOR,
                                               type="topup", counter_account="clearing:bench"))

    await asyncio.gather(*(one(i) for i in range(USERS)))


async def closed_loop(stub: wallet_pb2_grpc.WalletServiceStub, clients: int, seconds: float) -> float:
    pairs = Pairs("closed")
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds

    async def client() -> None:
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            await stub.Transfer(transfer_request(pairs))
            latencies.append(time.perf_counter() - start)

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return report(f"gRPC closed loop, {clients} clients", len(latencies), time.perf_counter() - began, latencies)


async def open_loop(stub: wallet_pb2_grpc.WalletServiceStub, rate: int, seconds: float) -> None:
    pairs = Pairs("open")
    latencies: list[float] = []
    total = int(rate * seconds)
    began = time.perf_counter()

    async def one(scheduled: float) -> None:
        await stub.Transfer(transfer_request(pairs))
        latencies.append(time.perf_counter() - scheduled)

    tasks = []
    for i in range(total):
        scheduled = began + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.gather(*tasks)
    report(f"gRPC open loop, {rate}/s offered", total, time.perf_counter() - began, latencies)


async def store_alone(path: Path, synchronous: str, clients: int, seconds: float) -> float:
    """The gRPC server's own path into the store (``atomic_async``), from ``clients`` concurrent tasks."""
    store = SqliteLedgerStore(path, synchronous=synchronous)
    store.migrate()
    for i in range(USERS):
        cmd = MoveCommand.build(key=f"seed{i}", user_id=f"user{i}", amount=SEED_MINOR, currency="INR", type="topup",
                                counter_account="clearing:bench", source="", description="", metadata={},
                                direction=1)
        await store.atomic_async(lambda uow, c=cmd: ledger.move(uow, c))
    pairs = Pairs("store")
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds

    async def client() -> None:
        while time.perf_counter() < stop_at:
            key, a, b = pairs.next()
            cmd = TransferCommand.build(key=key, from_user_id=a, to_user_id=b, amount=100, currency="INR",
                                        description="", metadata={})
            start = time.perf_counter()
            await store.atomic_async(lambda uow, c=cmd: ledger.transfer(uow, c))
            latencies.append(time.perf_counter() - start)

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    rate = report(f"store alone, {clients} tasks", len(latencies), time.perf_counter() - began, latencies)
    store.close()
    return rate


async def run_grpc(address: str, token: str, args: argparse.Namespace) -> float:
    channel = internal_channel(address, token)
    stub = wallet_pb2_grpc.WalletServiceStub(channel)
    await seed(stub)
    await closed_loop(stub, args.clients, 2.0)
    rate = await closed_loop(stub, args.clients, args.seconds)
    await open_loop(stub, args.rate, args.seconds)
    audit = await stub.Audit(pb.AuditRequest())
    print(f"audit after the gRPC runs: ok={audit.ok} transactions={audit.transactions_checked}")
    await channel.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--synchronous", default="FULL", choices=["FULL", "EXTRA", "NORMAL"])
    args = parser.parse_args()
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"grpcio {grpc.__version__}, SQLite synchronous={args.synchronous}, WAL, group commit")
    print(f"load: {USERS} funded users, Transfers of 1.00 INR between random pairs (2 legs each), "
          f"closed loop {args.clients} clients x {args.seconds:.0f}s, open loop {args.rate}/s x {args.seconds:.0f}s")
    with tempfile.TemporaryDirectory(prefix="winzone-bench-") as tmp:
        port, token = free_port(), secrets.token_urlsafe(24)
        env = {**os.environ, "WINZONE_DATA_DIR": tmp, "WALLET_SERVICE_PORT": str(port), "INTERNAL_TOKEN": token,
               "SQLITE_SYNCHRONOUS": args.synchronous, "LOG_LEVEL": "WARNING"}
        server = subprocess.Popen([sys.executable, "-m", "winzone_ops.cli", "serve", "wallet"], env=env)
        try:
            deadline = time.monotonic() + 30
            while not grpc_serving(f"127.0.0.1:{port}"):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("wallet service did not start")
                time.sleep(0.1)
            grpc_rate = asyncio.run(run_grpc(f"127.0.0.1:{port}", token, args))
        finally:
            server.terminate()
            server.wait(timeout=30)
        alone = store_alone(Path(tmp) / "store-alone.sqlite3", args.synchronous, args.clients, args.seconds)
        store_rate = asyncio.run(alone)
    print(f"gRPC overhead: the store alone is {store_rate / grpc_rate:.2f}x the gRPC rate")


if __name__ == "__main__":
    main()
