"""Issue 10's done-when over real processes: after `winzone demo` on a real `winzone up` stack, the
cross-service audit of `winzone audit --json` looked at every hold, payout, top-up and pool the demo made and
found nothing that disagrees, with the provider's records either."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.stack import start_stack

pytestmark = pytest.mark.e2e


def test_the_cross_service_audit_is_clean_after_the_demo(tmp_path: Path) -> None:
    stack = start_stack(tmp_path / "stack")
    try:
        demo = subprocess.run([sys.executable, "-m", "winzone_ops.cli", "demo", "--url", stack.url],
                              env={**stack.env, "WINZONE_ADMIN_EMAIL": "", "WINZONE_ADMIN_PASSWORD": ""},
                              capture_output=True, text=True, timeout=240)
        assert demo.returncode == 0, demo.stdout + demo.stderr + stack.log()
        audit = subprocess.run([sys.executable, "-m", "winzone_ops.cli", "audit", "--json"], env=stack.env,
                               capture_output=True, text=True, timeout=120)
        assert audit.returncode == 0, audit.stdout + audit.stderr
        document = json.loads(audit.stdout)
        assert document["ok"] is True and document["cross"]["discrepancies"] == []
        checked = document["cross"]["checked"]
        assert checked["holds"] >= 1 and checked["payouts"] >= 1 and checked["sessions"] >= 1, checked
        assert checked["pools"] >= 1 and checked["provider_charges"] >= 1 and checked["provider_transfers"] >= 1
    finally:
        assert stack.stop() == 0, stack.log()
