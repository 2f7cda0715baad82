"""The pure parts of bonus grants: the GrantBonus command's validation, the grant record, the spending order, the
expiry limit, the audit rule and the expiry interval setting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from wallet_service.domain.audit import audit, bonus_violations
from wallet_service.domain.bonus import BonusGrant, GrantStatus, active_grants, spend_order
from wallet_service.domain.commands import GrantBonusCommand
from wallet_service.domain.funds import Funds
from wallet_service.domain.model import AuditFacts
from wallet_service.settings import WalletSettings
from wallet_service.use_cases.bonus import DEFAULT_EXPIRY_LIMIT, MAX_EXPIRY_LIMIT, check_limit
from winzone_kernel.config import ConfigError
from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import MAX_MINOR

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)
GOOD: dict[str, Any] = {"key": "grant-1", "user_id": "usr_1", "amount": 50_000, "currency": "INR",
                        "reason": "Welcome bonus", "expires_at": "2026-12-01T00:00:00Z", "granted_by": "usr_admin"}


def build(**changes: Any) -> GrantBonusCommand:
    return GrantBonusCommand.build(**{**GOOD, **changes}, now=NOW)


def grant(grant_id: str, expires_at: str, *, remaining: int = 100, status: str = "active",
          created_at: str = "2026-11-01T00:00:00.000000Z") -> BonusGrant:
    return BonusGrant(id=grant_id, user_id="usr_1", currency="INR", amount=100, remaining=remaining, reason="r",
                      expires_at=expires_at, status=status, granted_by="", transaction_id="txn_1",
                      created_at=created_at)


def test_a_good_command_normalises_its_expiry_to_a_stored_timestamp() -> None:
    cmd = build(expires_at="2026-12-01T05:30:00+05:30")
    assert (cmd.key, cmd.user_id, cmd.amount, cmd.currency, cmd.reason, cmd.expires_at, cmd.granted_by) == (
        "grant-1", "usr_1", 50_000, "INR", "Welcome bonus", "2026-12-01T00:00:00.000000Z", "usr_admin")
    assert build(expires_at="").expires_at == ""
    assert build(currency="").currency == "INR"
    assert build(granted_by="").granted_by == ""


def test_the_fingerprint_tells_requests_apart() -> None:
    assert build().fingerprint() == build(expires_at="2026-12-01T05:30:00+05:30").fingerprint()
    others = [build(amount=50_001), build(reason="Other"), build(expires_at=""), build(user_id="usr_2"),
              build(granted_by="usr_other"), build(currency="USD")]
    assert len({cmd.fingerprint() for cmd in others} | {build().fingerprint()}) == len(others) + 1


@pytest.mark.parametrize(("field", "value", "code"), [
    ("amount", 0, "INVALID_AMOUNT"),
    ("amount", -100, "INVALID_AMOUNT"),
    ("amount", MAX_MINOR + 1, "INVALID_AMOUNT"),
    ("amount", "100", "INVALID_AMOUNT"),
    ("amount", 100.0, "INVALID_AMOUNT"),
    ("amount", True, "INVALID_AMOUNT"),
    ("amount", None, "INVALID_AMOUNT"),
    ("currency", "EUR", "INVALID_CURRENCY"),
    ("currency", "inr", "INVALID_CURRENCY"),
    ("currency", 5, "INVALID_CURRENCY"),
    ("reason", "", "INVALID_REASON"),
    ("reason", "   ", "INVALID_REASON"),
    ("reason", "x" * 501, "INVALID_REASON"),
    ("reason", None, "INVALID_REASON"),
    ("reason", 7, "INVALID_REASON"),
    ("expires_at", "2026-11-01T12:00:00Z", "INVALID_EXPIRY"),
    ("expires_at", "2026-10-01T00:00:00Z", "INVALID_EXPIRY"),
    ("expires_at", "2031-11-02T12:00:00Z", "INVALID_EXPIRY"),
    ("expires_at", "2026-12-01T00:00:00", "INVALID_EXPIRY"),
    ("expires_at", "2026-12-01", "INVALID_EXPIRY"),
    ("expires_at", "next week", "INVALID_EXPIRY"),
    ("expires_at", 1_800_000_000, "INVALID_EXPIRY"),
    ("key", "", "INVALID_IDEMPOTENCY_KEY"),
    ("key", "k" * 201, "INVALID_IDEMPOTENCY_KEY"),
])
def test_bad_fields_are_refused_with_their_code(field: str, value: object, code: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        build(**{field: value})
    assert info.value.code == code, info.value.message


@pytest.mark.parametrize(("field", "value"), [("user_id", ""), ("user_id", "bad id"), ("user_id", None),
                                              ("user_id", "u" * 129), ("granted_by", "bad id")])
def test_bad_ids_are_refused(field: str, value: object) -> None:
    with pytest.raises(InvalidArgument):
        build(**{field: value})


def test_the_expiry_may_be_exactly_five_years_ahead() -> None:
    limit = NOW + timedelta(days=5 * 365)
    assert build(expires_at=limit.isoformat()).expires_at == "2031-10-31T12:00:00.000000Z"
    with pytest.raises(InvalidArgument):
        build(expires_at=(limit + timedelta(seconds=1)).isoformat())


def test_a_grant_round_trips_as_a_dict() -> None:
    record = grant("bonus_1", "2026-12-01T00:00:00.000000Z", remaining=40)
    assert BonusGrant.from_dict(record.to_dict()) == record
    assert record.to_dict()["remaining"] == 40


def test_spending_order_is_soonest_expiry_first_and_never_expiring_last() -> None:
    later = grant("b_later", "2026-12-10T00:00:00.000000Z")
    sooner = grant("b_sooner", "2026-11-10T00:00:00.000000Z")
    never_old = grant("b_never_old", "", created_at="2026-10-01T00:00:00.000000Z")
    never_new = grant("b_never_new", "", created_at="2026-10-02T00:00:00.000000Z")
    spent = grant("b_spent", "2026-11-05T00:00:00.000000Z", remaining=0, status="spent")
    ordered = sorted([never_new, later, spent, never_old, sooner], key=spend_order)
    assert [g.id for g in ordered] == ["b_spent", "b_sooner", "b_later", "b_never_old", "b_never_new"]
    assert [g.id for g in active_grants([never_new, later, spent, never_old, sooner])] == [
        "b_sooner", "b_later", "b_never_old", "b_never_new"]


def test_a_grant_is_usable_until_its_expiry() -> None:
    record = grant("b", "2026-11-10T00:00:00.000000Z")
    assert record.usable_at("2026-11-09T23:59:59.999999Z")
    assert not record.usable_at("2026-11-10T00:00:00.000000Z")
    assert record.expired_at("2026-11-10T00:00:00.000000Z")
    assert grant("n", "").usable_at("2099-01-01T00:00:00.000000Z")
    assert not grant("s", "", remaining=0, status=GrantStatus.SPENT.value).usable_at("2026-01-01T00:00:00.000000Z")


def test_the_expiry_limit() -> None:
    assert (check_limit(0), check_limit(1), check_limit(MAX_EXPIRY_LIMIT)) == (DEFAULT_EXPIRY_LIMIT, 1, 5_000)
    for bad in (-1, MAX_EXPIRY_LIMIT + 1, "5", True, 2.0):
        with pytest.raises(InvalidArgument) as info:
            check_limit(bad)
        assert info.value.code == "INVALID_LIMIT"


def test_the_audit_compares_each_bonus_fund_with_its_active_grants() -> None:
    facts = AuditFacts(
        account_funds={("user:a", "INR"): (Funds(100, 0, 300), Funds()),
                       ("user:b", "INR"): (Funds(0, 0, 50), Funds()),
                       ("user:c", "INR"): (Funds(5, 0, 0), Funds())},
        bonus_grant_sums={("user:a", "INR"): 300, ("user:b", "INR"): 40, ("user:d", "USD"): 7},
    )
    assert bonus_violations(facts) == [
        "user:b INR: bonus fund 50 != active bonus grants 40",
        "user:d USD: bonus fund 0 != active bonus grants 7",
    ]
    assert "user:b INR: bonus fund 50 != active bonus grants 40" in audit(facts).violations


def test_the_expiry_interval_setting() -> None:
    base = {"INTERNAL_TOKEN": "x" * 32}
    assert WalletSettings.from_env(base).bonus_expiry_interval == 60
    assert WalletSettings.from_env({**base, "BONUS_EXPIRY_INTERVAL": "5"}).bonus_expiry_interval == 5
    assert WalletSettings.from_env({**base, "BONUS_EXPIRY_INTERVAL": "2m"}).bonus_expiry_interval == 120
    for bad in ("0", "-3", "soon"):
        with pytest.raises(ConfigError):
            WalletSettings.from_env({**base, "BONUS_EXPIRY_INTERVAL": bad})
