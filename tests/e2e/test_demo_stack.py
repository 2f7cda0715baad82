"""Issue 6's done-when over real processes, on each store: `winzone demo` exits 0, `winzone audit` exits 0
afterwards, and the gateway and every service serve Prometheus text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.backends import store_env
from tests.support.stack import start_stack

pytestmark = pytest.mark.e2e


def test_demo_then_audit_then_metrics(backend: str, tmp_path: Path) -> None:
    """On a stack of its own, not the shared one: the metrics checked are totals since the processes started
    (money moved as rewards, payouts paid), which any other test's traffic would change."""
    with store_env(backend) as store:
        stack = start_stack(tmp_path / "stack", store)
        try:
            demo = subprocess.run([sys.executable, "-m", "winzone_ops.cli", "demo", "--url", stack.url],
                                  env={**stack.env, "WINZONE_ADMIN_EMAIL": "", "WINZONE_ADMIN_PASSWORD": ""},
                                  capture_output=True, text=True, timeout=240)
            assert demo.returncode == 0, demo.stdout + demo.stderr + stack.log()
            assert "demo: all five flows behaved as expected" in demo.stdout
            assert "[BAD]" not in demo.stdout
            audit = subprocess.run([sys.executable, "-m", "winzone_ops.cli", "audit"], env=stack.env,
                                   capture_output=True, text=True, timeout=60)
            assert audit.returncode == 0, audit.stdout + audit.stderr
            assert "audit: OK" in audit.stdout
            with stack.client() as http:
                assert http.get("/metrics").status_code == 404
            metrics = httpx.get(f"http://127.0.0.1:{stack.metrics_port('gateway')}/metrics", timeout=10)
            assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
            assert 'route="/api/wallet/topup"' in metrics.text
            wallet_metrics = httpx.get(f"http://127.0.0.1:{stack.metrics_port('wallet')}/metrics", timeout=10).text
            assert 'winzone_money_moved_minor_total{currency="INR",type="reward"} 34000.0' in wallet_metrics
            assert "winzone_grpc_requests_total" in wallet_metrics
            assert "# TYPE winzone_open_holds gauge" in wallet_metrics
            payout_metrics = httpx.get(f"http://127.0.0.1:{stack.metrics_port('payouts')}/metrics", timeout=10).text
            assert 'winzone_payouts{status="paid"} 1.0' in payout_metrics
            payment_metrics = httpx.get(f"http://127.0.0.1:{stack.metrics_port('payments')}/metrics", timeout=10).text
            assert 'method="/winzone.payments.v1.PaymentGateway/VerifyTopUp"' in payment_metrics
        finally:
            assert stack.stop() == 0, stack.log()
