"""Wallet throughput and latency: durable postings over gRPC, on SQLite or MongoDB, against a ceiling.

Starts `winzone serve wallet` as its own process, funds a set of users, then measures:
  1. closed loop: --clients concurrent gRPC clients issuing Transfers back to back (postings/s, p50/p99),
     after a short warm-up (every phase has its own idempotency keys, so no phase replays another's);
  2. open loop: Transfers offered at a fixed --rate per second, latency measured from each request's
     scheduled send time (so a stall cannot hide queued requests); then one at --fraction of the rate the
     closed loop reached (latency below saturation, whatever the machine manages);
  3. the store alone: the same Transfers through the store's ``atomic_async`` (the server's own path into it)
     from --clients concurrent tasks, no gRPC;
  4. with --store mongo, the ceiling: a bare pymongo transaction per posting of the same shape (read two
     accounts, update two, insert the entry's two legs and its key; majority read and write concern) from
     --clients threads, with no wallet code at all. The wallet batches concurrent postings into one
     transaction (group commit), which is how it can beat this ceiling; the ratio wallet/ceiling is printed.
Beside each gRPC phase it prints the wallet process's CPU time per posting (Linux, from /proc), the writer's
batches (mean size, batch time p50/p99 from the wallet's /metrics histograms), the load average (other work on
the machine skews latency), and the ratio p99/p50; the store alone also runs the open loop, so the same offered
rate is seen with and without gRPC. The targets (closed loop p99 <= 2x p50; open loop p99 <= 20 ms) are
checked at the end, each with its margin.
Every posting is a two-leg journal entry committed durably before it is acknowledged: SQLite with
synchronous=FULL unless --synchronous says otherwise; MongoDB with write concern majority.

--store mongo starts a one-member replica set from the bundled mongod (winzone_ops.mongod) unless
MONGODB_URI names one; each run uses fresh databases. --json prints one JSON object instead of the text.

Usage: .venv/bin/python bench/wallet_postings.py [--store sqlite|mongo] [--clients 64] [--seconds 10]
       [--rate 1000] [--fraction 0.5] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import platform
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pymongo
from prometheus_client.parser import text_string_to_metric_families

from wallet_service.adapters.mongo_store import MongoLedgerStore
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain import ledger
from wallet_service.domain.commands import MoveCommand, TransferCommand
from wallet_service.domain.ports import LedgerStore
from winzone.wallet.v1 import wallet_pb2 as pb
from winzone.wallet.v1 import wallet_pb2_grpc
from winzone_kernel.grpc_client import internal_channel
from winzone_kernel.mongo import TX_OPTIONS
from winzone_kernel.sqlite import DEFAULT_LINGER
from winzone_ops.supervisor import free_port, grpc_serving

USERS = 1_000
SEED_MINOR = 10**9
WARM_UP_SECONDS = 2.0
CLOSED_LOOP_RATIO_TARGET = 2.0
OPEN_LOOP_P99_TARGET_MS = 20.0
BATCH_METRICS = ("winzone_store_batch_commands", "winzone_store_batch_seconds")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


class Results:
    """Every figure of the run, printed as it comes (text) or kept for one JSON object at the end."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.data: dict[str, Any] = {"phases": {}}

    def say(self, line: str) -> None:
        if not self.as_json:
            print(line, flush=True)

    def phase(self, name: str, label: str, count: int, elapsed: float, latencies: list[float]) -> float:
        rate = count / elapsed
        p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
        ratio = p99 / p50 if p50 else 0.0
        self.data["phases"][name] = {"label": label, "postings": count, "seconds": round(elapsed, 3),
                                     "postings_per_s": round(rate, 1), "p50_ms": round(p50, 2),
                                     "p99_ms": round(p99, 2), "p99_over_p50": round(ratio, 2),
                                     "load_average_1m": round(os.getloadavg()[0], 2)}
        self.say(f"{label:<40} {count:>7} postings in {elapsed:5.2f}s = {rate:8.0f} postings/s   "
                 f"p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   p99/p50 {ratio:5.2f}   "
                 f"load {os.getloadavg()[0]:.1f}")
        return rate

    def extra(self, name: str, figures: dict[str, Any]) -> None:
        """Figures measured around a phase (server CPU, the writer's batches), printed on an indented line."""
        if not figures:
            return
        self.data["phases"][name].update(figures)
        self.say("    " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in figures.items()))

    def verdicts(self) -> None:
        """Each target of issue 14 that this run measured: met or missed, and by how much."""
        phases = self.data["phases"]
        checks = []
        for name in ("grpc_closed", "store_closed"):
            if name in phases:
                ratio = phases[name]["p99_over_p50"]
                checks.append((name, f"p99/p50 {ratio:.2f} (target <= {CLOSED_LOOP_RATIO_TARGET:.0f})",
                               ratio <= CLOSED_LOOP_RATIO_TARGET))
        for name in ("grpc_open", "store_open"):
            if name in phases:
                p99 = phases[name]["p99_ms"]
                checks.append((name, f"p99 {p99:.1f} ms (target <= {OPEN_LOOP_P99_TARGET_MS:.0f} ms)",
                               p99 <= OPEN_LOOP_P99_TARGET_MS))
        self.data["targets"] = {name: {"figure": text, "met": met} for name, text, met in checks}
        for name, text, met in checks:
            self.say(f"target {name:<12} {text}: {'met' if met else 'MISSED'}")


class Pairs:
    """Random distinct user pairs, each with an idempotency key of its own phase (``prefix``)."""

    def __init__(self, prefix: str, seed: int = 7) -> None:
        self._n = 0
        self._prefix = prefix
        self._rng = random.Random(seed)

    def next(self) -> tuple[str, str, str]:
        self._n += 1
        a, b = self._rng.sample(range(USERS), 2)
        return f"{self._prefix}-{self._n}", f"user{a}", f"user{b}"


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


Call = Callable[[], Awaitable[Any]]


def grpc_transfer(stub: wallet_pb2_grpc.WalletServiceStub, pairs: Pairs) -> Call:
    return lambda: stub.Transfer(transfer_request(pairs))


def store_transfer(store: LedgerStore, pairs: Pairs) -> Call:
    def call() -> Awaitable[Any]:
        key, a, b = pairs.next()
        cmd = TransferCommand.build(key=key, from_user_id=a, to_user_id=b, amount=100, currency="INR",
                                    description="", metadata={})
        return store.atomic_async(functools.partial(ledger.transfer, cmd=cmd))
    return call


async def closed_loop(call: Call, clients: int, seconds: float) -> tuple[int, float, list[float]]:
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds

    async def client() -> None:
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - start)

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return len(latencies), time.perf_counter() - began, latencies


async def open_loop(call: Call, rate: int, seconds: float) -> tuple[int, float, list[float]]:
    latencies: list[float] = []
    total = int(rate * seconds)
    began = time.perf_counter()
    failures: dict[str, int] = {}

    async def one(scheduled: float) -> None:
        try:
            await call()
        except grpc.aio.AioRpcError as exc:
            failures[exc.code().name] = failures.get(exc.code().name, 0) + 1
            return
        latencies.append(time.perf_counter() - scheduled)

    tasks = []
    for i in range(total):
        scheduled = began + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.gather(*tasks)
    if failures:
        print(f"open loop: calls that failed (not counted): {failures}", file=sys.stderr)
    return len(latencies), time.perf_counter() - began, latencies


async def run_grpc(server: ServerProbe, token: str, args: argparse.Namespace, results: Results) -> float:
    channel = internal_channel(server.address, token)
    stub = wallet_pb2_grpc.WalletServiceStub(channel)
    await seed(stub)
    await closed_loop(grpc_transfer(stub, Pairs("warmup", seed=3)), args.clients, WARM_UP_SECONDS)
    server.mark()
    rate = results.phase("grpc_closed", f"gRPC closed loop, {args.clients} clients",
                         *await closed_loop(grpc_transfer(stub, Pairs("closed")), args.clients, args.seconds))
    results.extra("grpc_closed", server.since_mark(results.data["phases"]["grpc_closed"]["postings"]))
    if args.rate:
        server.mark()
        results.phase("grpc_open", f"gRPC open loop, {args.rate}/s offered",
                      *await open_loop(grpc_transfer(stub, Pairs("open", seed=11)), args.rate, args.seconds))
        results.extra("grpc_open", server.since_mark(results.data["phases"]["grpc_open"]["postings"]))
    if args.fraction:
        offered = max(1, int(rate * args.fraction))
        server.mark()
        results.phase("grpc_open_fraction", f"gRPC open loop, {offered}/s ({args.fraction:g} x closed)",
                      *await open_loop(grpc_transfer(stub, Pairs("fraction", seed=17)), offered, args.seconds))
        results.extra("grpc_open_fraction",
                      server.since_mark(results.data["phases"]["grpc_open_fraction"]["postings"]))
    audit = await stub.Audit(pb.AuditRequest())
    results.data["audit"] = {"ok": audit.ok, "transactions": audit.transactions_checked}
    results.say(f"audit after the gRPC runs: ok={audit.ok} transactions={audit.transactions_checked}")
    await channel.close()
    return rate


async def store_alone(store: LedgerStore, args: argparse.Namespace, results: Results) -> float:
    """The gRPC server's own path into the store (``atomic_async``), no gRPC: ``--clients`` concurrent tasks
    back to back, then (unless --rate 0) the same open loop as over gRPC; CPU and batches as for the server."""
    store.migrate()
    for i in range(USERS):
        cmd = MoveCommand.build(key=f"seed{i}", user_id=f"user{i}", amount=SEED_MINOR, currency="INR", type="topup",
                                counter_account="clearing:bench", source="", description="", metadata={},
                                direction=1)
        await store.atomic_async(functools.partial(ledger.move, cmd=cmd))
    probe = ServerProbe("", os.getpid(), None)
    probe.mark()
    rate = results.phase("store_closed", f"store alone, {args.clients} tasks",
                         *await closed_loop(store_transfer(store, Pairs("store")), args.clients, args.seconds))
    results.extra("store_closed", probe.since_mark(results.data["phases"]["store_closed"]["postings"]))
    if args.rate:
        probe.mark()
        results.phase("store_open", f"store alone, {args.rate}/s offered",
                      *await open_loop(store_transfer(store, Pairs("store-open", seed=13)), args.rate, args.seconds))
        results.extra("store_open", probe.since_mark(results.data["phases"]["store_open"]["postings"]))
    store.close()
    return rate


class ServerProbe:
    """Where the wallet listens, its process (for CPU time from /proc) and its /metrics port (for the writer's
    batch histograms); ``mark`` then ``since_mark`` give the figures of the phase in between."""

    def __init__(self, address: str, pid: int, metrics_port: int | None) -> None:
        self.address = address
        self._pid = pid
        self._metrics_port = metrics_port
        self._cpu = 0.0
        self._batches: dict[str, float] = {}

    def cpu_seconds(self) -> float | None:
        try:
            fields = Path(f"/proc/{self._pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def batch_metrics(self) -> dict[str, float]:
        """Cumulative counts of the writers' batch histograms (sample name + ``le`` -> value), summed over writers."""
        if self._metrics_port is None:
            from prometheus_client import REGISTRY, generate_latest
            text = generate_latest(REGISTRY).decode()
        else:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self._metrics_port}/metrics", timeout=5) as reply:
                    text = reply.read().decode()
            except OSError:
                return {}
        out: dict[str, float] = {}
        for family in text_string_to_metric_families(text):
            if family.name not in BATCH_METRICS:
                continue
            for sample in family.samples:
                key = f"{sample.name}|{sample.labels.get('le', '')}"
                out[key] = out.get(key, 0.0) + sample.value
        return out

    def mark(self) -> None:
        self._cpu = self.cpu_seconds() or 0.0
        self._batches = self.batch_metrics()

    def since_mark(self, postings: int) -> dict[str, Any]:
        figures: dict[str, Any] = {}
        cpu = self.cpu_seconds()
        if cpu is not None and postings:
            figures["cpu_ms_per_posting"] = round((cpu - self._cpu) * 1000 / postings, 3)
        now = self.batch_metrics()
        delta = {k: v - self._batches.get(k, 0.0) for k, v in now.items()}
        batches = delta.get("winzone_store_batch_commands_count|", 0.0)
        if batches:
            figures["batches"] = int(batches)
            figures["mean_batch"] = round(delta.get("winzone_store_batch_commands_sum|", 0.0) / batches, 1)
            figures["batch_ms_p50"] = bucket_quantile(delta, "winzone_store_batch_seconds", 0.50)
            figures["batch_ms_p99"] = bucket_quantile(delta, "winzone_store_batch_seconds", 0.99)
        return figures


def bucket_quantile(delta: dict[str, float], metric: str, q: float) -> str:
    """The upper bound (ms) of the histogram bucket holding quantile ``q``: "<= N"."""
    buckets = sorted((float(k.split("|")[1]), v) for k, v in delta.items()
                     if k.startswith(f"{metric}_bucket|"))
    total = buckets[-1][1] if buckets else 0.0
    for bound, count in buckets:
        if count >= q * total:
            return f"<={bound * 1000:g}"
    return "?"


def bare_pymongo_ceiling(uri: str, db_name: str, clients: int, seconds: float, results: Results) -> float:
    """One majority transaction per posting, straight on pymongo: read both accounts, update both, insert the
    entry's two legs and its idempotency key; ``clients`` threads back to back."""
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(uri, appname="bench-bare-pymongo")
    db = client[db_name]
    accounts, legs, keys = db["accounts"], db["transactions"], db["idempotency"]
    accounts.insert_many([{"_id": f"user{i}", "balance": SEED_MINOR, "version": 1} for i in range(USERS)])
    legs.create_index("idempotencyKey", unique=True, partialFilterExpression={"idempotencyKey": {"$type": "string"}})
    pairs = Pairs("bare")
    lock = threading.Lock()
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds

    def posting(session: Any, key: str, a: str, b: str) -> None:
        sender = accounts.find_one({"_id": a}, session=session)
        receiver = accounts.find_one({"_id": b}, session=session)
        assert sender is not None and receiver is not None and sender["balance"] >= 100
        accounts.update_one({"_id": a, "version": sender["version"]},
                            {"$inc": {"balance": -100, "version": 1}}, session=session)
        accounts.update_one({"_id": b, "version": receiver["version"]},
                            {"$inc": {"balance": 100, "version": 1}}, session=session)
        legs.insert_many([
            {"_id": f"{key}-0", "account": a, "amount": -100, "idempotencyKey": key, "entryId": key},
            {"_id": f"{key}-1", "account": b, "amount": 100, "idempotencyKey": None, "entryId": key},
        ], session=session)
        keys.insert_one({"_id": key, "fingerprint": "f", "result": "{}"}, session=session)

    def worker() -> None:
        while time.perf_counter() < stop_at:
            with lock:
                key, a, b = pairs.next()
            start = time.perf_counter()
            with client.start_session() as session:
                session.with_transaction(functools.partial(posting, key=key, a=a, b=b), **TX_OPTIONS)
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rate = results.phase("bare_pymongo_ceiling", f"bare pymongo txn/posting, {clients} threads",
                         len(latencies), time.perf_counter() - began, latencies)
    client.drop_database(db_name)
    client.close()
    return rate


@contextlib.contextmanager
def mongo_uri(tmp: Path, results: Results) -> Iterator[str]:
    """MONGODB_URI when set, else a one-member replica set from the bundled mongod, stopped (by PID) after."""
    uri = os.environ.get("MONGODB_URI")
    if uri:
        results.data["mongod"] = "MONGODB_URI"
        yield uri
        return
    from winzone_ops.mongod import ReplicaSet, default_cache_dir, ensure_mongod

    binary = ensure_mongod(default_cache_dir())
    replica_set = ReplicaSet.start(binary, tmp / "mongo", size=1)
    results.data["mongod"] = (f"1-member replica set from {binary.name} on 127.0.0.1:{replica_set.members[0].port}, "
                              f"WiredTiger cache {replica_set.cache_size_gb} GB")
    try:
        yield replica_set.uri
    finally:
        replica_set.stop()


def server_version(uri: str) -> str:
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(uri)
    try:
        return str(client.server_info()["version"])
    finally:
        client.close()


def serve_wallet(env: dict[str, str], port: int, token: str, run: Callable[[ServerProbe, str], float]) -> float:
    metrics_port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "winzone_ops.cli", "serve", "wallet"],
                              env={**env, "WALLET_SERVICE_PORT": str(port), "INTERNAL_TOKEN": token,
                                   "LOG_LEVEL": "WARNING", "WALLET_METRICS_PORT": str(metrics_port)})
    try:
        deadline = time.monotonic() + 30
        while not grpc_serving(f"127.0.0.1:{port}"):
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("wallet service did not start")
            time.sleep(0.1)
        return run(ServerProbe(f"127.0.0.1:{port}", server.pid, metrics_port), token)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", default="sqlite", choices=["sqlite", "mongo"])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=int, default=1000, help="open-loop rate per second (0 skips it)")
    parser.add_argument("--fraction", type=float, default=0.5,
                        help="also an open loop at this fraction of the closed-loop rate (0 skips it)")
    parser.add_argument("--synchronous", default="FULL", choices=["FULL", "EXTRA", "NORMAL"])
    parser.add_argument("--no-store-alone", action="store_true", help="skip the store-alone phase")
    parser.add_argument("--json", action="store_true", help="print one JSON object with every figure")
    args = parser.parse_args()
    results = Results(args.json)
    results.data["machine"] = {"arch": platform.machine(), "cores": os.cpu_count(), "system": platform.system(),
                               "python": platform.python_version()}
    results.data["versions"] = {"grpcio": grpc.__version__, "pymongo": pymongo.version}
    results.data["settings"] = {"store": args.store, "clients": args.clients, "seconds": args.seconds,
                                "open_loop_rate": args.rate, "users": USERS, "warm_up_seconds": WARM_UP_SECONDS,
                                "posting": "Transfer of 1.00 INR between random users, 2 legs"}
    with tempfile.TemporaryDirectory(prefix="winzone-bench-") as tmp:
        port, token = free_port(), secrets.token_urlsafe(24)
        env = {**os.environ, "WINZONE_DATA_DIR": tmp}
        env.pop("MONGODB_URI", None)
        if args.store == "sqlite":
            results.data["settings"]["durability"] = (f"SQLite synchronous={args.synchronous}, WAL, group commit "
                                                      f"(linger {DEFAULT_LINGER * 1000:g} ms)")
            say_header(results)
            env["SQLITE_SYNCHRONOUS"] = args.synchronous
            wallet_rate = serve_wallet(env, port, token,
                                       lambda probe, tok: asyncio.run(run_grpc(probe, tok, args, results)))
            if not args.no_store_alone:
                store: LedgerStore = SqliteLedgerStore(Path(tmp) / "store-alone.sqlite3", synchronous=args.synchronous)
                store_rate = asyncio.run(store_alone(store, args, results))
                results.say(f"gRPC overhead: the store alone is {store_rate / wallet_rate:.2f}x the gRPC rate")
        else:
            with mongo_uri(Path(tmp), results) as uri:
                results.data["versions"]["mongod"] = server_version(uri)
                results.data["settings"]["durability"] = (
                    "MongoDB transactions, read concern majority, write concern majority; "
                    "wallet: group commit (one transaction per batch)")
                say_header(results)
                run_id = secrets.token_hex(4)
                env.update(MONGODB_URI=uri, MONGODB_DB=f"bench_wallet_{run_id}")
                wallet_rate = serve_wallet(env, port, token,
                                           lambda probe, tok: asyncio.run(run_grpc(probe, tok, args, results)))
                ceiling = bare_pymongo_ceiling(uri, f"bench_bare_{run_id}", args.clients, args.seconds, results)
                if not args.no_store_alone:
                    asyncio.run(store_alone(MongoLedgerStore.from_uri(uri, f"bench_store_{run_id}"), args, results))
                drop_databases(uri, [f"bench_wallet_{run_id}", f"bench_store_{run_id}"])
                ratio = wallet_rate / ceiling
                results.data["ratio_wallet_to_ceiling"] = round(ratio, 2)
                results.say(f"wallet over gRPC on MongoDB / bare pymongo ceiling = {ratio:.2f}x")
    results.verdicts()
    if args.json:
        print(json.dumps(results.data, indent=2))


def say_header(results: Results) -> None:
    machine, versions, settings = (results.data[k] for k in ("machine", "versions", "settings"))
    results.say(f"machine: {machine['arch']} {machine['cores']} cores, {machine['system']}, Python "
                f"{machine['python']}, " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    if "mongod" in results.data:
        results.say(f"mongod: {results.data['mongod']}")
    results.say(f"durability: {settings['durability']}")
    results.say(f"load: {settings['users']} funded users, {settings['posting']}; closed loop {settings['clients']} "
                f"clients x {settings['seconds']:.0f}s after a {WARM_UP_SECONDS:.0f}s warm-up, open loop "
                f"{settings['open_loop_rate']}/s x {settings['seconds']:.0f}s")


def drop_databases(uri: str, names: list[str]) -> None:
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(uri)
    try:
        for name in names:
            client.drop_database(name)
    finally:
        client.close()


if __name__ == "__main__":
    main()
