"""The REST contract of funds, tax and statements over one real stack (`winzone up`, SQLite, ``TDS_RATE=30``):
the wallet's funds and bonus grants, a transaction's fund, the admin bonus grant, the statement (JSON, CSV, PDF),
the tax statement, the TDS estimate and the admin TDS report. Shapes, bad input, ownership and roles for every
endpoint; the books hold after every test that moves money."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pypdf
import pytest

from tests.support.ids import new_id, new_key
from tests.support.stack import Stack, start_stack
from tests.support.users import sign_in, sign_up
from winzone_kernel.clock import format_utc, utc_now

pytestmark = pytest.mark.e2e
RUPEE = 100
FUNDS = {"deposit", "winnings", "bonus"}
STATEMENT_FIELDS = {"from", "to", "currency", "opening", "closing", "transactions", "totals", "truncated"}
TAX_FIELDS = {"fy", "currency", "pan", "tdsRate", "openingBalance", "deposits", "withdrawals", "netWinnings", "tds",
              "entries", "yearEnd"}
UPI = {"type": "upi", "details": {"upiId": "kiran.das@okbank", "name": "Kiran Das"}}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(tmp_path_factory.mktemp("funds-tax"), {"TDS_RATE": "30"})
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def http(stack: Stack) -> Iterator[httpx.Client]:
    with stack.client() as client:
        yield client


@pytest.fixture
def admin(stack: Stack, http: httpx.Client) -> dict[str, str]:
    return sign_in(http, stack.admin_email, stack.admin_password)[1]


def _data(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    body = response.json(parse_float=Decimal)
    assert body["success"] is True
    return body["data"]


def _refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"success", "message", "error"} and body["success"] is False, body
    assert body["error"] == code, body


def _wallet(http: httpx.Client, headers: dict[str, str]) -> Any:
    return _data(http.get("/api/wallet", headers=headers))


def _bonus(http: httpx.Client, admin: dict[str, str], user_id: str, body: Any, key: str | None = None,
           raw: bytes | None = None) -> httpx.Response:
    headers = {**admin, **({"Idempotency-Key": key} if key is not None else {})}
    if raw is not None:
        return http.post(f"/api/admin/users/{user_id}/bonus", content=raw,
                         headers={**headers, "content-type": "application/json"})
    return http.post(f"/api/admin/users/{user_id}/bonus", json=body, headers=headers)


def _winner(stack: Stack, http: httpx.Client, deposit: int, fee: int) -> tuple[str, dict[str, str]]:
    """A player who topped up ``deposit``, paid ``fee`` into a two-player pool and won it all (less 15 % fees)."""
    user_id, player = sign_up(http)
    rival_id, rival = sign_up(http)
    stack.credit(user_id, deposit * RUPEE)
    stack.credit(rival_id, fee * RUPEE)
    _, organizer = sign_up(http, "organizer")
    competition = _data(http.post("/api/competitions", json={"entryFee": fee, "template": "winner_takes_all"},
                                  headers=organizer), 201)["_id"]
    for headers in (player, rival):
        _data(http.post(f"/api/competitions/{competition}/entry", json={}, headers=headers), 201)
    body = {"competitionId": competition, "standings": [{"userId": user_id, "rank": 1}]}
    _data(http.post(f"/api/matches/{new_id('final')}@{competition}/rewards", json=body, headers=organizer), 201)
    return user_id, player


def _rows(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.text)))


def _pdf(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].endswith('.pdf"')
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)


def test_config_shows_the_funds_and_tax_rules(http: httpx.Client) -> None:
    config = _data(http.get("/api/config"))
    assert (config["tdsRate"], config["withdrawableFunds"], config["bonusMaxShareOfEntry"]) == (
        30, ["winnings", "deposit"], 10)
    assert (config["gstOnDepositPercent"], config["gstOnPlatformFeePercent"]) == (0, 0)


def test_a_bonus_grant_lands_in_the_bonus_fund_once(stack: Stack, http: httpx.Client, admin: dict[str, str]) -> None:
    user_id, player = sign_up(http)
    stack.credit(user_id, 1000 * RUPEE)
    expires = format_utc(utc_now() + timedelta(days=7))
    key = new_key()
    body = {"amount": 100.5, "reason": "Welcome offer", "expiresAt": expires}
    granted = _data(_bonus(http, admin, user_id, body, key), 201)
    assert (granted["type"], granted["amount"], granted["fund"], granted["userId"]) == ("bonus", Decimal("100.5"),
                                                                                       "bonus", user_id)
    assert granted["funds"] is None and granted["status"] == "completed"
    again = _bonus(http, admin, user_id, body, key)
    assert _data(again, 201) == granted and again.json()["message"] == "Bonus already granted"
    _refused(_bonus(http, admin, user_id, {**body, "amount": 200}, key), 409, "IDEMPOTENCY_CONFLICT")
    other_id, _ = sign_up(http)
    _refused(_bonus(http, admin, other_id, body, key), 409, "IDEMPOTENCY_CONFLICT")

    wallet = _wallet(http, player)
    assert wallet["funds"] == {"deposit": 1000, "winnings": 0, "bonus": Decimal("100.5")}
    assert (wallet["balance"], wallet["available"], wallet["withdrawable"]) == (Decimal("1100.5"),
                                                                                Decimal("1100.5"), 1000)
    (grant,) = wallet["bonusGrants"]
    assert (grant["amount"], grant["remaining"], grant["reason"], grant["status"]) == (
        Decimal("100.5"), Decimal("100.5"), "Welcome offer", "active")
    assert grant["expiresAt"][:19] == expires[:19]
    _, stranger = sign_up(http)
    assert (_wallet(http, stranger)["funds"], _wallet(http, stranger)["bonusGrants"]) == (
        {"deposit": 0, "winnings": 0, "bonus": 0}, [])
    stack.assert_books_ok()


@pytest.mark.parametrize(("body", "code"), [
    ({"amount": 0, "reason": "x"}, "INVALID_AMOUNT"), ({"amount": -5, "reason": "x"}, "INVALID_AMOUNT"),
    ({"amount": 1.001, "reason": "x"}, "INVALID_AMOUNT"), ({"amount": 10**20, "reason": "x"}, "INVALID_AMOUNT"),
    ({"amount": "100", "reason": "x"}, "INVALID_AMOUNT"), ({"amount": True, "reason": "x"}, "INVALID_AMOUNT"),
    ({"reason": "x"}, "INVALID_AMOUNT"), ({"amount": 10, "currency": "EUR", "reason": "x"}, "INVALID_CURRENCY"),
    ({"amount": 10}, "VALIDATION_ERROR"), ({"amount": 10, "reason": "  "}, "VALIDATION_ERROR"),
    ({"amount": 10, "reason": {"$ne": None}}, "VALIDATION_ERROR"), ({"amount": 10, "reason": "x" * 501},
                                                                    "VALIDATION_ERROR"),
    ({"amount": 10, "reason": "x", "expiresAt": "2020-01-01T00:00:00Z"}, "INVALID_EXPIRY"),
    ({"amount": 10, "reason": "x", "expiresAt": "tomorrow"}, "INVALID_EXPIRY"),
    ({"amount": 10, "reason": "x", "expiresAt": "2099-01-01T00:00:00"}, "INVALID_EXPIRY"),
    ({"amount": 10, "reason": "x", "expiresAt": {"$gt": ""}}, "VALIDATION_ERROR"),
    ({"amount": 10, "reason": "x", "userId": "someone"}, "VALIDATION_ERROR"),
])
def test_bad_bonus_grants_are_refused_and_change_nothing(stack: Stack, http: httpx.Client, admin: dict[str, str],
                                                         body: dict[str, Any], code: str) -> None:
    user_id, player = sign_up(http)
    _refused(_bonus(http, admin, user_id, body, new_key()), 400, code)
    wallet = _wallet(http, player)
    assert (wallet["balance"], wallet["bonusGrants"]) == (0, [])


def test_bonus_grant_keys_bodies_roles_and_users(stack: Stack, http: httpx.Client, admin: dict[str, str]) -> None:
    user_id, player = sign_up(http)
    body = {"amount": 50, "reason": "Promo"}
    _refused(_bonus(http, admin, user_id, body), 400, "IDEMPOTENCY_KEY_REQUIRED")
    _refused(_bonus(http, admin, user_id, body, "bad key!"), 400, "INVALID_IDEMPOTENCY_KEY")
    _refused(_bonus(http, admin, user_id, None, new_key(), raw=b'{"amount": 50, "reason": '), 400, "INVALID_JSON")
    _refused(_bonus(http, admin, user_id, None, new_key(), raw=b'{"amount": NaN, "reason": "x"}'), 400,
             "INVALID_JSON")
    _refused(_bonus(http, admin, user_id, None, new_key(), raw=b'[1]'), 400, "INVALID_JSON")
    _refused(_bonus(http, admin, new_id("nobody"), body, new_key()), 404, "USER_NOT_FOUND")
    _refused(_bonus(http, player, user_id, body, new_key()), 403, "FORBIDDEN")
    _, organizer = sign_up(http, "organizer")
    _refused(_bonus(http, organizer, user_id, body, new_key()), 403, "FORBIDDEN")
    _refused(_bonus(http, {}, user_id, body, new_key()), 401, "UNAUTHORIZED")
    admin_id = sign_in(http, stack.admin_email, stack.admin_password)[0]
    _refused(_bonus(http, admin, admin_id, body, new_key()), 403, "SELF_GRANT_FORBIDDEN")
    assert _wallet(http, admin)["balance"] == 0
    assert _wallet(http, player)["balance"] == 0
    stack.assert_books_ok()


def test_an_entry_fee_draws_on_bonus_and_deposit_and_says_so(stack: Stack, http: httpx.Client,
                                                             admin: dict[str, str]) -> None:
    user_id, player = sign_up(http)
    stack.credit(user_id, 500 * RUPEE)
    _data(_bonus(http, admin, user_id, {"amount": 100, "reason": "Promo"}, new_key()), 201)
    _, organizer = sign_up(http, "organizer")
    competition = _data(http.post("/api/competitions", json={"entryFee": 200}, headers=organizer), 201)["_id"]
    entry = _data(http.post(f"/api/competitions/{competition}/entry", json={}, headers=player), 201)
    booked = _data(http.get(f"/api/transactions/{entry['_id']}", headers=player))
    assert (booked["amount"], booked["fund"], booked["funds"]) == (-200, None, {"deposit": -180, "winnings": 0,
                                                                                "bonus": -20})
    wallet = _wallet(http, player)
    assert wallet["funds"] == {"deposit": 320, "winnings": 0, "bonus": 80}
    assert [g["remaining"] for g in wallet["bonusGrants"]] == [80]
    listed = _data(http.get("/api/transactions/all", params={"userId": user_id}, headers=admin))
    assert {(t["type"], t["fund"]) for t in listed} == {("topup", "deposit"), ("bonus", "bonus"), ("entryFee", None)}
    assert all(t["funds"] is None for t in listed if t["type"] != "entryFee")
    stack.assert_books_ok()


def test_the_statement_lists_funds_running_balances_and_totals(stack: Stack, http: httpx.Client,
                                                               admin: dict[str, str]) -> None:
    user_id, player = sign_up(http)
    stack.credit(user_id, 1000 * RUPEE)
    _data(_bonus(http, admin, user_id, {"amount": 100, "reason": "=cmd|' /C calc'!A0"}, new_key()), 201)
    _, organizer = sign_up(http, "organizer")
    competition = _data(http.post("/api/competitions", json={"entryFee": 500}, headers=organizer), 201)["_id"]
    _data(http.post(f"/api/competitions/{competition}/entry", json={}, headers=player), 201)
    other_id, other = sign_up(http)
    stack.credit(other_id, 77 * RUPEE)

    statement = _data(http.get("/api/wallet/statement", headers=player))
    assert set(statement) == STATEMENT_FIELDS and statement["currency"] == "INR"
    assert statement["opening"] == {"deposit": 0, "winnings": 0, "bonus": 0, "total": 0}
    assert statement["closing"] == {"deposit": 550, "winnings": 0, "bonus": 50, "total": 600}
    lines = [(t["type"], t["amount"], t["fundsAfter"], t["balanceAfter"]) for t in statement["transactions"]]
    assert lines == [("topup", 1000, {"deposit": 1000, "winnings": 0, "bonus": 0}, 1000),
                     ("bonus", 100, {"deposit": 1000, "winnings": 0, "bonus": 100}, 1100),
                     ("entryFee", -500, {"deposit": 550, "winnings": 0, "bonus": 50}, 600)]
    assert {t["userId"] for t in statement["transactions"]} == {user_id}
    assert sorted((t["type"], t["credits"], t["debits"], t["count"]) for t in statement["totals"]) == [
        ("bonus", 100, 0, 1), ("entryFee", 0, -500, 1), ("topup", 1000, 0, 1)]
    assert statement["truncated"] is False

    rows = _rows(http.get("/api/wallet/statement", params={"format": "csv"}, headers=player))
    assert rows[0][:3] == ["date", "transactionId", "type"] and len(rows) == 4
    assert [r[2] for r in rows[1:]] == ["topup", "bonus", "entryFee"]
    assert rows[3][5:11] == ["deposit+bonus", "-500.00", "550.00", "0.00", "50.00", "600.00"]
    assert rows[2][4].startswith("'=") or rows[2][4] == ""
    text = _pdf(http.get("/api/wallet/statement", params={"format": "pdf"}, headers=player))
    assert "Wallet statement" in text and user_id in text
    assert "Closing INR 550.00 INR 0.00 INR 50.00 INR 600.00" in text and "INR -500.00" in text

    theirs = _data(http.get("/api/wallet/statement", headers=other))
    assert [(t["userId"], t["amount"]) for t in theirs["transactions"]] == [(other_id, 77)]
    assert theirs["closing"]["total"] == 77
    _refused(http.get("/api/wallet/statement", params={"userId": user_id}, headers=other), 400, "VALIDATION_ERROR")
    stack.assert_books_ok()


def test_statement_ranges_and_bad_queries(stack: Stack, http: httpx.Client) -> None:
    user_id, player = sign_up(http)
    stack.credit(user_id, 300 * RUPEE)
    today = utc_now().date()
    later = today + timedelta(days=10)
    window = _data(http.get("/api/wallet/statement", params={"from": str(today + timedelta(days=1)),
                                                             "to": str(later)}, headers=player))
    assert window["opening"]["total"] == 300 and window["closing"]["total"] == 300 and window["transactions"] == []
    assert window["from"].startswith(str(today + timedelta(days=1))) and window["to"].startswith(
        str(later + timedelta(days=1)))
    whole = _data(http.get("/api/wallet/statement", params={"from": str(today), "to": str(today)}, headers=player))
    assert [t["amount"] for t in whole["transactions"]] == [300]
    for params, code in [({"from": "2026-12-02", "to": "2026-11-01"}, "INVALID_RANGE"),
                         ({"from": "yesterday"}, "INVALID_DATE"), ({"to": "2026-02-30"}, "INVALID_DATE"),
                         ({"from": "2026-11-01T00:00:00"}, "INVALID_DATE"), ({"format": "xml"}, "INVALID_FORMAT"),
                         ({"format": "JSON"}, "INVALID_FORMAT"), ({"currency": "EUR"}, "INVALID_CURRENCY"),
                         ({"from[$ne]": "x"}, "VALIDATION_ERROR")]:
        _refused(http.get("/api/wallet/statement", params=params, headers=player), 400, code)
    _refused(http.get("/api/wallet/statement?format=csv&format=pdf", headers=player), 400, "VALIDATION_ERROR")
    _refused(http.get("/api/wallet/statement"), 401, "UNAUTHORIZED")


def test_tds_on_a_payout_the_estimate_and_the_tax_statement(stack: Stack, http: httpx.Client,
                                                            admin: dict[str, str]) -> None:
    _, player = _winner(stack, http, 100, 100)
    assert _wallet(http, player)["funds"] == {"deposit": 0, "winnings": 170, "bonus": 0}
    estimate = _data(http.get("/api/wallet/tds-estimate", params={"amount": "150"}, headers=player))
    assert estimate == {"amount": 150, "currency": "INR", "tds": 15, "netAmount": 135, "netWinnings": 50,
                        "financialYear": estimate["financialYear"], "tdsRate": 30, "withdrawable": 170}
    assert _wallet(http, player)["held"] == 0
    payout = _data(http.post("/api/wallet/payout-request", json={"amount": 150, "method": UPI}, headers=player), 201)
    assert (payout["tds"], payout["netAmount"], payout["netWinnings"], payout["financialYear"]) == (
        15, 135, 50, estimate["financialYear"])
    paid = _data(http.put(f"/api/admin/payouts/{payout['_id']}/approve", json={}, headers=admin))
    assert (paid["status"], paid["tds"], paid["netAmount"]) == ("paid", 15, 135)
    assert _wallet(http, player)["funds"] == {"deposit": 0, "winnings": 20, "bonus": 0}
    later = _data(http.get("/api/wallet/tds-estimate", params={"amount": "20"}, headers=player))
    assert (later["tds"], later["netWinnings"], later["withdrawable"]) == (6, 20, 20)

    fy = estimate["financialYear"]
    tax = _data(http.get("/api/wallet/tax-statement", headers=player))
    assert set(tax) == TAX_FIELDS and tax["fy"] == fy and tax["pan"] is None
    assert (tax["deposits"], tax["withdrawals"], tax["netWinnings"], tax["tds"]) == (100, 150, 50, 15)
    assert [(e["payoutId"], e["amount"], e["netWinnings"], e["tds"], e["status"]) for e in tax["entries"]] == [
        (payout["_id"], 150, 50, 15, "captured")]
    rows = _rows(http.get("/api/wallet/tax-statement", params={"fy": fy, "format": "csv"}, headers=player))
    assert rows[0] == ["financialYear", "payoutId", "date", "status", "amount", "netWinnings", "tds", "currency"]
    assert [r[4:] for r in rows[1:]] == [["150.00", "50.00", "15.00", "INR"]]
    text = _pdf(http.get("/api/wallet/tax-statement", params={"fy": fy, "format": "pdf"}, headers=player))
    assert f"Tax statement FY {fy}" in text and "PAN not on file" in text and "TDS INR 15.00" in text

    _, stranger = sign_up(http)
    theirs = _data(http.get("/api/wallet/tax-statement", params={"fy": fy}, headers=stranger))
    assert (theirs["withdrawals"], theirs["tds"], theirs["entries"]) == (0, 0, [])
    stack.assert_books_ok()


@pytest.mark.parametrize(("params", "code"), [
    ({"fy": "2026-28"}, "INVALID_FINANCIAL_YEAR"), ({"fy": "2026"}, "INVALID_FINANCIAL_YEAR"),
    ({"fy": "FY26"}, "INVALID_FINANCIAL_YEAR"), ({"format": "xlsx"}, "INVALID_FORMAT"),
    ({"currency": "XYZ"}, "INVALID_CURRENCY"), ({"userId": "u"}, "VALIDATION_ERROR"),
])
def test_bad_tax_statement_queries(http: httpx.Client, params: dict[str, str], code: str) -> None:
    _, player = sign_up(http)
    _refused(http.get("/api/wallet/tax-statement", params=params, headers=player), 400, code)


@pytest.mark.parametrize("amount", ["", "0", "-1", "1.001", "abc", "NaN", "Infinity", "1e3", "100000000000000000000",
                                    " 10", "0x10"])
def test_bad_tds_estimates(http: httpx.Client, amount: str) -> None:
    _, player = sign_up(http)
    _refused(http.get("/api/wallet/tds-estimate", params={"amount": amount}, headers=player), 400, "INVALID_AMOUNT")


def test_tds_estimate_other_refusals(http: httpx.Client) -> None:
    _, player = sign_up(http)
    _refused(http.get("/api/wallet/tds-estimate", headers=player), 400, "INVALID_AMOUNT")
    _refused(http.get("/api/wallet/tds-estimate?amount=1&amount=2", headers=player), 400, "VALIDATION_ERROR")
    _refused(http.get("/api/wallet/tds-estimate", params={"amount": "1", "currency": "EUR"}, headers=player), 400,
             "INVALID_CURRENCY")
    _refused(http.get("/api/wallet/tds-estimate", params={"amount": "1", "userId": "x"}, headers=player), 400,
             "VALIDATION_ERROR")
    _refused(http.get("/api/wallet/tds-estimate", params={"amount": "1"}), 401, "UNAUTHORIZED")
    empty = _data(http.get("/api/wallet/tds-estimate", params={"amount": "100"}, headers=player))
    assert (empty["tds"], empty["netAmount"], empty["netWinnings"], empty["withdrawable"]) == (30, 70, 100, 0)


def test_the_admin_tds_report(stack: Stack, http: httpx.Client, admin: dict[str, str]) -> None:
    user_id, player = _winner(stack, http, 100, 100)
    payout = _data(http.post("/api/wallet/payout-request", json={"amount": 170, "method": UPI}, headers=player), 201)
    assert (payout["tds"], payout["netWinnings"]) == (21, 70)
    _data(http.put(f"/api/admin/payouts/{payout['_id']}/approve", json={}, headers=admin))
    fy = payout["financialYear"]
    report = _data(http.get("/api/admin/tax/tds", params={"fy": fy}, headers=admin))
    assert (report["fy"], report["quarter"], report["currency"]) == (fy, None, "INR")
    (line,) = [x for x in report["lines"] if x["userId"] == user_id]
    assert (line["pan"], line["netWinnings"], line["tds"], line["withdrawals"]) == (None, 70, 21, 1)
    assert report["totals"]["tds"] == sum(x["tds"] for x in report["lines"])
    assert report["totals"]["withdrawals"] == sum(x["withdrawals"] for x in report["lines"])
    quarter = line["quarter"]
    only = _data(http.get("/api/admin/tax/tds", params={"fy": fy, "quarter": quarter}, headers=admin))
    assert only["quarter"] == quarter and {x["quarter"] for x in only["lines"]} == {quarter}
    rows = _rows(http.get("/api/admin/tax/tds", params={"fy": fy, "format": "csv"}, headers=admin))
    assert rows[0] == ["financialYear", "quarter", "userId", "pan", "netWinnings", "tds", "withdrawals", "currency"]
    assert [fy, quarter, user_id, "", "70.00", "21.00", "1", "INR"] in rows
    for params, code in [({"quarter": "Q5"}, "INVALID_QUARTER"), ({"fy": "2026-2027"}, "INVALID_FINANCIAL_YEAR"),
                         ({"format": "pdf"}, "INVALID_FORMAT"), ({"userId": user_id}, "VALIDATION_ERROR")]:
        _refused(http.get("/api/admin/tax/tds", params=params, headers=admin), 400, code)
    _refused(http.get("/api/admin/tax/tds", headers=player), 403, "FORBIDDEN")
    _refused(http.get("/api/admin/tax/tds"), 401, "UNAUTHORIZED")
    stack.assert_books_ok()
