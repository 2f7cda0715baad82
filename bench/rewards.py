"""Benchmark of match reward distribution end to end through gRPC (run: python bench/rewards.py).

Starts the wallet and reward services as their own processes (``winzone serve``) on loopback ports, each on
a SQLite file in a temporary directory with ``synchronous=FULL``, then measures, from this client process:

1. one match paid to 1,000 places (explicit shares) among 10,000 ranked players — one wallet posting of
   1,003 legs; target under 1 s;
2. 200 ordinary ``top3`` matches (10 players each, one competition each) distributed back to back;
   target at least 100 distributions/s.

The wallet's audit must pass afterwards.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from winzone.rewards.v1 import rewards_pb2 as rpb
from winzone.rewards.v1 import rewards_pb2_grpc
from winzone.wallet.v1 import wallet_pb2 as wpb
from winzone.wallet.v1 import wallet_pb2_grpc
from winzone_kernel.grpc_server import TOKEN_HEADER
from winzone_ops.supervisor import free_port

BIG_PLACES = 1_000
BIG_PLAYERS = 10_000
SMALL_MATCHES = 200
SMALL_PLAYERS = 10
BIG_TARGET_SECONDS = 1.0
SMALL_TARGET_PER_SECOND = 100.0


def descending_shares(places: int) -> list[str]:
    """``places`` strictly positive, non-increasing percentages with 6 decimals that sum to exactly 100."""
    whole = 100 * 10**6
    weights = list(range(places, 0, -1))
    units = [whole * w // sum(weights) for w in weights]
    units[0] += whole - sum(units)
    return [str(Decimal(u).scaleb(-6)) for u in units]


@contextmanager
def services(data_dir: Path, synchronous: str) -> Iterator[tuple[str, str, str]]:
    """Run the wallet and reward services; yield their addresses and the internal token."""
    token = secrets.token_urlsafe(24)
    env = {**os.environ, "INTERNAL_TOKEN": token, "WINZONE_DATA_DIR": str(data_dir),
           "SQLITE_SYNCHRONOUS": synchronous, "LOG_LEVEL": "WARNING", "APP_ENV": "development"}
    env.pop("MONGODB_URI", None)
    for name in ("WALLET", "REWARDS"):
        env[f"{name}_SERVICE_PORT"] = str(free_port())
        env[f"{name}_SERVICE_ADDR"] = f"127.0.0.1:{env[f'{name}_SERVICE_PORT']}"
    procs = []
    try:
        for name in ("wallet", "rewards"):
            procs.append(subprocess.Popen([sys.executable, "-m", "winzone_ops.cli", "serve", name], env=env))
            wait_serving(env[f"{name.upper()}_SERVICE_ADDR"], procs[-1])
        yield env["WALLET_SERVICE_ADDR"], env["REWARDS_SERVICE_ADDR"], token
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=15)


def wait_serving(address: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    with grpc.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"service at {address} exited with {proc.returncode}")
            try:
                if stub.Check(health_pb2.HealthCheckRequest(), timeout=1).status == 1:
                    return
            except grpc.RpcError:
                time.sleep(0.1)
    raise SystemExit(f"service at {address} did not start")


class Client:
    """Synchronous stubs that carry the internal token."""

    def __init__(self, wallet_address: str, rewards_address: str, token: str) -> None:
        options = [("grpc.max_receive_message_length", 64 * 1024 * 1024)]
        self._channels = [grpc.insecure_channel(wallet_address, options=options),
                          grpc.insecure_channel(rewards_address, options=options)]
        self.wallet = wallet_pb2_grpc.WalletServiceStub(self._channels[0])
        self.rewards = rewards_pb2_grpc.RewardServiceStub(self._channels[1])
        self.metadata = ((TOKEN_HEADER, token),)

    def close(self) -> None:
        for channel in self._channels:
            channel.close()

    def funded_competition(self, competition: str, pool: int) -> None:
        sponsor = f"sponsor-{competition}"
        self.wallet.Credit(wpb.CreditRequest(idempotency_key=f"seed-{competition}", user_id=sponsor, amount=pool,
                                             type="topup"), metadata=self.metadata)
        self.rewards.OpenCompetition(rpb.OpenCompetitionRequest(
            competition_id=competition, organizer_id=f"org-{competition}", entry_fee=10_000, template="top3"),
            metadata=self.metadata)
        self.rewards.FundPrizePool(rpb.FundPrizePoolRequest(
            competition_id=competition, user_id=sponsor, amount=pool, idempotency_key="seed"),
            metadata=self.metadata)


def standings(prefix: str, players: int) -> list[rpb.Standing]:
    return [rpb.Standing(user_id=f"{prefix}-p{i:05d}", rank=i) for i in range(1, players + 1)]


def run(synchronous: str) -> int:
    print(f"settings: python {platform.python_version()}, grpcio {grpc.__version__}, {os.cpu_count()} CPUs, "
          f"SQLite synchronous={synchronous}, WAL, services as separate processes on loopback, fees 10% + 5%")
    with tempfile.TemporaryDirectory(prefix="winzone-bench-") as tmp, \
            services(Path(tmp), synchronous) as (wallet_address, rewards_address, token):
        client = Client(wallet_address, rewards_address, token)
        try:
            started = time.perf_counter()
            client.funded_competition("big", 100_000_000)
            for i in range(SMALL_MATCHES):
                client.funded_competition(f"small{i:03d}", 40_000)
            print(f"setup: {SMALL_MATCHES + 1} competitions opened and funded in "
                  f"{time.perf_counter() - started:.2f} s")

            big = rpb.DistributeMatchRewardsRequest(
                match_id="big-final", competition_id="big", shares=descending_shares(BIG_PLACES),
                standings=standings("big", BIG_PLAYERS))
            started = time.perf_counter()
            preview = client.rewards.PreviewDistribution(big, metadata=client.metadata)
            preview_seconds = time.perf_counter() - started
            started = time.perf_counter()
            paid = client.rewards.DistributeMatchRewards(big, metadata=client.metadata)
            big_seconds = time.perf_counter() - started
            assert paid.status == "paid" and len(paid.payouts) == BIG_PLACES == len(preview.payouts)
            assert paid.platform_fee + paid.organizer_fee + sum(p.amount for p in paid.payouts) == 100_000_000
            started = time.perf_counter()
            client.rewards.DistributeMatchRewards(big, metadata=client.metadata)
            replay_seconds = time.perf_counter() - started
            print(f"1 match, {BIG_PLACES:,} paid places among {BIG_PLAYERS:,} ranked players "
                  f"({BIG_PLACES + 3:,} legs in one posting): {big_seconds * 1000:.0f} ms end to end "
                  f"(target < {BIG_TARGET_SECONDS * 1000:.0f} ms); preview alone {preview_seconds * 1000:.0f} ms; "
                  f"same request replayed {replay_seconds * 1000:.0f} ms")

            latencies = []
            started = time.perf_counter()
            for i in range(SMALL_MATCHES):
                request = rpb.DistributeMatchRewardsRequest(
                    match_id=f"m{i:03d}", competition_id=f"small{i:03d}", template="top3",
                    standings=standings(f"s{i:03d}", SMALL_PLAYERS))
                call_started = time.perf_counter()
                result = client.rewards.DistributeMatchRewards(request, metadata=client.metadata)
                latencies.append(time.perf_counter() - call_started)
                assert result.status == "paid"
            small_seconds = time.perf_counter() - started
            rate = SMALL_MATCHES / small_seconds
            ordered = sorted(latencies)
            p50, p99 = statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]
            print(f"{SMALL_MATCHES} top3 matches back to back: {small_seconds:.2f} s, {rate:.0f} distributions/s "
                  f"(target >= {SMALL_TARGET_PER_SECOND:.0f}/s); latency p50 {p50 * 1000:.1f} ms, "
                  f"p99 {p99 * 1000:.1f} ms")

            audit = client.wallet.Audit(wpb.AuditRequest(), metadata=client.metadata)
            print(f"audit: {'OK' if audit.ok else 'FAILED'} ({audit.accounts_checked} accounts, "
                  f"{audit.transactions_checked} transactions)")
            met = big_seconds < BIG_TARGET_SECONDS and rate >= SMALL_TARGET_PER_SECOND and audit.ok
            print("targets: " + ("met" if met else "MISSED"))
            return 0 if met else 1
        finally:
            client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synchronous", default="FULL", choices=["FULL", "NORMAL", "EXTRA"])
    sys.exit(run(parser.parse_args().synchronous))


if __name__ == "__main__":
    main()
