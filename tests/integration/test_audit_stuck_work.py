"""`winzone audit` also reports payouts left approved and paid top-ups left uncredited past a grace period,
read from the real payout and payment stores."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from payment_gateway.domain.model import TopUpSession, TopUpStatus
from payment_gateway.server import build_store as build_topup_store
from payout_service.domain.limits import DEFAULT_PAYOUT_LIMITS
from payout_service.domain.methods import parse_payout_method
from payout_service.domain.model import PayoutRequest
from payout_service.domain.ports import PayoutRecord
from payout_service.server import build_store as build_payout_store
from tests.support.secrets import TEST_PAYOUT_METHOD_KEY
from winzone_kernel.clock import format_utc
from winzone_kernel.config import CommonSettings
from winzone_ops.admin import migrate_all
from winzone_ops.audit import find_stuck_work


def _seed(data_dir: Path, at: datetime) -> CommonSettings:
    common = CommonSettings.from_env({"WINZONE_DATA_DIR": str(data_dir)}, require_token=False)
    migrate_all(common)
    payouts = build_payout_store(common)
    method = parse_payout_method({"type": "upi", "details": {"upiId": "stuck@paytm", "name": "Stuck"}})
    for payout_id, approve in (("payout_stuck", True), ("payout_waiting", False)):
        payout = PayoutRequest.create(payout_id=payout_id, user_id="usr_1", amount_minor=50_000, currency="INR",
                                      method=method, at=at, limits=DEFAULT_PAYOUT_LIMITS)
        if approve:
            payout.approve("usr_admin", "ok", at=at)
        payouts.insert(PayoutRecord(payout, "fp", None, hold_placed=True))
    payouts.close()
    topups = build_topup_store(common)
    stamp = format_utc(at)
    for session_id, status in (("tps_paid", TopUpStatus.PAID), ("tps_credited", TopUpStatus.CREDITED)):
        topups.add_session(TopUpSession(id=session_id, user_id="usr_1", amount=100_000, currency="INR",
                                        provider="mock", status=TopUpStatus.CREATED, created_at=stamp,
                                        updated_at=stamp))
        topups.transition(session_id, [TopUpStatus.CREATED], TopUpStatus.PAID, stamp)
        if status is TopUpStatus.CREDITED:
            topups.transition(session_id, [TopUpStatus.PAID], status, stamp, transaction_id="txn_1")
    topups.close()
    return common


def test_stuck_payouts_and_uncredited_topups_are_reported_after_the_grace_period(tmp_path: Path) -> None:
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    common = _seed(tmp_path, an_hour_ago)
    findings = find_stuck_work(common, grace_seconds=600)
    assert len(findings) == 2, findings
    assert any("payout payout_stuck has been approved" in f for f in findings)
    assert any("top-up session tps_paid was paid but not credited" in f for f in findings)
    assert find_stuck_work(common, grace_seconds=7200) == []
    cli = subprocess.run([sys.executable, "-m", "winzone_ops.cli", "audit", "--grace-seconds", "600"],
                         env={"WINZONE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin",
                              "PAYOUT_METHOD_KEY": os.environ.get("PAYOUT_METHOD_KEY", TEST_PAYOUT_METHOD_KEY)},
                         capture_output=True, text=True, timeout=60)
    assert cli.returncode == 1, cli.stdout + cli.stderr
    assert "STUCK: payout payout_stuck" in cli.stdout and "STUCK: top-up session tps_paid" in cli.stdout
    assert "audit: FAILED (0 violations, 2 stuck past 600s, 4 discrepancies across services)" in cli.stdout
    assert cli.stdout.count("DISCREPANCY: payout_without_hold") == 2
    assert "DISCREPANCY: credited_topup_without_credit session=tps_credited" in cli.stdout
