"""KYC over real gRPC: a real payout service over a SQLite file, a real wallet and the provider double.
Submit, verify and reject flows; PAN_IN_USE flags the second account; bad input of every KYC RPC; with
KYC_REQUIRED_FOR_PAYOUT a payout needs verified KYC (nothing held otherwise) and a matching payee name; and
no log line of the service carries a PAN."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import grpc
import pytest

from tests.conftest import WalletHarness
from tests.support.errors import error_code
from tests.support.ids import new_user
from tests.support.payout_provider_double import ProviderDoubleServer
from tests.support.payouts import ADMIN, BANK, OTHER_ADMIN, UPI, PayoutHarness
from winzone.payouts.v1 import payouts_pb2 as pb
from winzone_kernel.dev_secrets import new_aes_key

PAN = "ABCDE1234F"
OTHER_PAN = "PQRST6789K"
FUNDS = 200_000


@pytest.fixture
def payouts(tmp_path: Path, wallet: WalletHarness, provider_server: ProviderDoubleServer,
            caplog: pytest.LogCaptureFixture) -> Iterator[PayoutHarness]:
    caplog.set_level(logging.DEBUG)
    harness = PayoutHarness(tmp_path / "payouts.sqlite3", wallet, provider_server.address,
                            KYC_PAN_KEY=new_aes_key(), KYC_REQUIRED_FOR_PAYOUT="true")
    yield harness
    harness.close()
    logged = _logged(caplog)
    assert PAN not in logged and OTHER_PAN not in logged and "ABCDE" not in logged


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    records = caplog.get_records("setup") + caplog.get_records("call")
    return "".join(f"{r.getMessage()} {vars(r)!r}\n" for r in records)


def _fails(call: Callable[[], object], status: grpc.StatusCode, code: str) -> None:
    with pytest.raises(grpc.RpcError) as info:
        call()
    assert (info.value.code(), error_code(info.value)) == (status, code), info.value.details()


def submit(h: PayoutHarness, user: str, pan: str = PAN, name: str = "John Doe", dob: str = "1990-05-17"
           ) -> pb.KycRecord:
    return h.stub.SubmitKyc(pb.SubmitKycRequest(user_id=user, pan=pan, name=name, date_of_birth=dob))


def get(h: PayoutHarness, user: str) -> pb.KycRecord:
    return h.stub.GetKyc(pb.GetKycRequest(user_id=user))


def verify(h: PayoutHarness, user: str, admin: str = ADMIN, note: str = "") -> pb.KycRecord:
    return h.stub.VerifyKyc(pb.VerifyKycRequest(user_id=user, admin_id=admin, note=note))


def reject(h: PayoutHarness, user: str, reason: str = "Blurry scan", admin: str = ADMIN) -> pb.KycRecord:
    return h.stub.RejectKyc(pb.RejectKycRequest(user_id=user, admin_id=admin, reason=reason))


def test_submit_verify_and_read(payouts: PayoutHarness) -> None:
    user = new_user()
    assert get(payouts, user) == pb.KycRecord(user_id=user, status="none")
    record = submit(payouts, user, name="  John Doe ")
    assert (record.status, record.pan, record.name, record.date_of_birth) == (
        "pending", "XXXXXX234F", "John Doe", "1990-05-17")
    assert record.submitted_at and not record.HasField("reviewed_at")
    _fails(lambda: submit(payouts, user), grpc.StatusCode.FAILED_PRECONDITION, "KYC_ALREADY_SUBMITTED")
    _fails(lambda: verify(payouts, user, admin=user), grpc.StatusCode.PERMISSION_DENIED, "SELF_REVIEW_FORBIDDEN")
    verified = verify(payouts, user, note="matches the card")
    assert (verified.status, verified.reviewed_by, verified.note, verified.pan) == (
        "verified", ADMIN, "matches the card", "XXXXXX234F")
    assert get(payouts, user) == verified
    _fails(lambda: verify(payouts, user, admin=OTHER_ADMIN), grpc.StatusCode.FAILED_PRECONDITION,
           "INVALID_KYC_STATE")
    _fails(lambda: reject(payouts, user), grpc.StatusCode.FAILED_PRECONDITION, "INVALID_KYC_STATE")
    _fails(lambda: submit(payouts, user), grpc.StatusCode.FAILED_PRECONDITION, "KYC_ALREADY_SUBMITTED")


def test_kyc_logs_name_the_user_and_status_only(payouts: PayoutHarness, caplog: pytest.LogCaptureFixture) -> None:
    user = new_user()
    submit(payouts, user)
    reject(payouts, user)
    lines = [r for r in caplog.get_records("call") if r.name == "winzone.payouts.kyc"]
    assert [r.fields["status"] for r in lines] == ["pending", "rejected"]  # type: ignore[attr-defined]
    assert all(r.fields["user_id"] == user for r in lines)  # type: ignore[attr-defined]
    assert PAN not in _logged(caplog) and "XXXXXX234F" not in _logged(caplog)


def test_reject_then_resubmit_and_list(payouts: PayoutHarness) -> None:
    user = new_user()
    submit(payouts, user)
    _fails(lambda: reject(payouts, user, reason="  "), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REASON")
    _fails(lambda: reject(payouts, user, reason="x" * 501), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REASON")
    rejected = reject(payouts, user)
    assert (rejected.status, rejected.note, rejected.reviewed_by) == ("rejected", "Blurry scan", ADMIN)
    again = submit(payouts, user, name="John Q Doe")
    assert again.status == "pending" and again.name == "John Q Doe" and not again.HasField("reviewed_by")
    listed = payouts.stub.ListKyc(pb.ListKycRequest(status="pending"))
    assert user in [r.user_id for r in listed.records] and (listed.page, listed.limit) == (1, 20)
    assert all(r.pan.startswith("XXXXXX") for r in listed.records)
    assert payouts.stub.ListKyc(pb.ListKycRequest(status="rejected")).total == 0


def test_a_pan_of_another_account_is_refused_and_flags_the_record(payouts: PayoutHarness) -> None:
    owner, other = new_user(), new_user()
    submit(payouts, owner)
    _fails(lambda: submit(payouts, other), grpc.StatusCode.FAILED_PRECONDITION, "PAN_IN_USE")
    flagged = get(payouts, other)
    assert flagged.status == "flagged" and flagged.note and flagged.pan == "XXXXXX234F"
    assert get(payouts, owner).status == "pending"
    listed = payouts.stub.ListKyc(pb.ListKycRequest(status="flagged"))
    assert [r.user_id for r in listed.records] == [other]
    _fails(lambda: verify(payouts, other), grpc.StatusCode.FAILED_PRECONDITION, "INVALID_KYC_STATE")
    assert submit(payouts, other, pan=OTHER_PAN).status == "pending"
    submit_again = new_user()
    _fails(lambda: submit(payouts, submit_again), grpc.StatusCode.FAILED_PRECONDITION, "PAN_IN_USE")
    assert reject(payouts, submit_again, reason="Duplicate PAN").status == "rejected"


def test_the_pan_is_sealed_in_the_payout_stores_file(payouts: PayoutHarness, tmp_path: Path) -> None:
    submit(payouts, new_user())
    with sqlite3.connect(tmp_path / "payouts.sqlite3") as conn:
        raw = repr(conn.execute("SELECT * FROM kyc").fetchall() + conn.execute("SELECT * FROM pan_owners").fetchall())
    assert "John Doe" in raw and PAN not in raw


@pytest.mark.parametrize(("pan", "name", "dob", "code"), [
    ("abcde1234f", "John Doe", "1990-05-17", "INVALID_PAN"),
    ("ABCDE 1234F", "John Doe", "1990-05-17", "INVALID_PAN"),
    ("", "John Doe", "1990-05-17", "INVALID_PAN"),
    ("ABCDE1234F" * 1000, "John Doe", "1990-05-17", "INVALID_PAN"),
    ("NaN", "John Doe", "1990-05-17", "INVALID_PAN"),
    (PAN, "", "1990-05-17", "INVALID_NAME"),
    (PAN, "   ", "1990-05-17", "INVALID_NAME"),
    (PAN, "x" * 101, "1990-05-17", "INVALID_NAME"),
    (PAN, "John\nDoe", "1990-05-17", "INVALID_NAME"),
    (PAN, "John Doe", "", "INVALID_DATE_OF_BIRTH"),
    (PAN, "John Doe", "1990-02-30", "INVALID_DATE_OF_BIRTH"),
    (PAN, "John Doe", "17/05/1990", "INVALID_DATE_OF_BIRTH"),
    (PAN, "John Doe", "-1", "INVALID_DATE_OF_BIRTH"),
    (PAN, "John Doe", "1.5", "INVALID_DATE_OF_BIRTH"),
    (PAN, "John Doe", "9999-12-31", "INVALID_DATE_OF_BIRTH"),
    (PAN, "John Doe", date.today().replace(year=date.today().year - 10).isoformat(), "UNDER_AGE"),
])
def test_bad_submissions_are_invalid_and_store_nothing(payouts: PayoutHarness, pan: str, name: str, dob: str,
                                                       code: str) -> None:
    user = new_user()
    _fails(lambda: submit(payouts, user, pan=pan, name=name, dob=dob), grpc.StatusCode.INVALID_ARGUMENT, code)
    assert get(payouts, user).status == "none"


def test_bad_review_and_list_requests(payouts: PayoutHarness) -> None:
    user = new_user()
    _fails(lambda: submit(payouts, ""), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_USER")
    _fails(lambda: get(payouts, ""), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_USER")
    _fails(lambda: verify(payouts, user), grpc.StatusCode.NOT_FOUND, "KYC_NOT_FOUND")
    _fails(lambda: reject(payouts, user), grpc.StatusCode.NOT_FOUND, "KYC_NOT_FOUND")
    submit(payouts, user)
    _fails(lambda: verify(payouts, user, admin=""), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ADMIN")
    _fails(lambda: verify(payouts, user, note="x" * 501), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_NOTE")
    _fails(lambda: reject(payouts, user, admin=user), grpc.StatusCode.PERMISSION_DENIED, "SELF_REVIEW_FORBIDDEN")
    bad_lists: list[dict[str, Any]] = [{"status": "approved"}, {"status": "NONE"}, {"page": -1}, {"limit": -5},
                                       {"limit": 101}, {"limit": 2**31 - 1}]
    for kwargs in bad_lists:
        code = "INVALID_STATUS" if "status" in kwargs else "INVALID_PAGE"
        _fails(partial(payouts.stub.ListKyc, pb.ListKycRequest(**kwargs)), grpc.StatusCode.INVALID_ARGUMENT, code)
    assert get(payouts, user).status == "pending"


def _verified(payouts: PayoutHarness, wallet: WalletHarness, name: str = "John Doe") -> str:
    user = new_user()
    wallet.fund(user, FUNDS)
    submit(payouts, user, pan=f"ABCDE{abs(hash(user)) % 9000 + 1000}F", name=name)
    verify(payouts, user)
    return user


def test_a_payout_needs_verified_kyc_and_holds_nothing_without(payouts: PayoutHarness,
                                                               wallet: WalletHarness) -> None:
    user = new_user()
    wallet.fund(user, FUNDS)
    before = wallet.balance(user)
    _fails(lambda: payouts.request(user, 10_000), grpc.StatusCode.FAILED_PRECONDITION, "KYC_REQUIRED")
    submit(payouts, user)
    _fails(lambda: payouts.request(user, 10_000, BANK), grpc.StatusCode.FAILED_PRECONDITION, "KYC_REQUIRED")
    after = wallet.balance(user)
    assert (after.balance, after.held) == (before.balance, before.held) == (FUNDS, 0)
    assert payouts.stub.ListPayoutRequests(pb.ListPayoutRequestsRequest(user_id=user)).total == 0
    payouts.assert_books_match(user)


def test_the_payee_name_must_match_the_kyc_name(payouts: PayoutHarness, wallet: WalletHarness) -> None:
    user = _verified(payouts, wallet, name="John  Doe")
    mismatch = {"type": "upi", "details": {"upiId": "player@paytm", "name": "Jane Doe"}}
    _fails(lambda: payouts.request(user, 10_000, mismatch), grpc.StatusCode.FAILED_PRECONDITION,
           "KYC_NAME_MISMATCH")
    bank = {**BANK, "details": {**BANK["details"], "accountHolderName": "J Doe"}}  # type: ignore[dict-item]
    _fails(lambda: payouts.request(user, 10_000, bank), grpc.StatusCode.FAILED_PRECONDITION, "KYC_NAME_MISMATCH")
    assert wallet.balance(user).held == 0
    upi = payouts.request(user, 10_000, UPI)
    assert upi.status in ("requested", "held")
    dotted = {"type": "upi", "details": {"upiId": "player@paytm", "name": "john doe."}}
    assert payouts.request(user, 15_000, dotted).amount == 15_000
    assert payouts.request(user, 20_000, BANK).amount == 20_000
    assert wallet.balance(user).held == 45_000
    payouts.assert_books_match(user)
    wallet.assert_audit_ok()


def test_the_payout_limits_report_the_kyc_settings(payouts: PayoutHarness) -> None:
    risk = payouts.stub.GetPayoutLimits(pb.GetPayoutLimitsRequest()).risk
    assert (risk.kyc_required, risk.min_age) == (True, 18)
