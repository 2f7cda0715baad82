"""The statement files the gateway renders: CSV (header row, one row per line, exact amounts, no formula
injection) and PDF (read back with pypdf: title, holder, period or year, masked PAN, figures)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pypdf

from api_gateway.statements.pdf import money, statement_pdf, tax_statement_pdf
from api_gateway.statements.tables import statement_csv, tax_statement_csv, tds_report_csv, text_cell

D = Decimal


def _funds(deposit: str, winnings: str, bonus: str = "0") -> dict[str, Decimal]:
    return {"deposit": D(deposit), "winnings": D(winnings), "bonus": D(bonus)}


def _tx(tx_id: str, kind: str, amount: str, after: dict[str, Decimal], *, fund: str | None = None,
        funds: dict[str, Decimal] | None = None, description: str = "") -> dict[str, Any]:
    return {"_id": tx_id, "userId": "u1", "type": kind, "amount": D(amount), "currency": "INR", "source": "",
            "status": "completed", "description": description, "metadata": {}, "idempotencyKey": None,
            "balanceAfter": sum(after.values(), D(0)), "fund": fund, "funds": funds, "fundsAfter": after,
            "createdAt": "2026-12-01T09:30:00.000000Z", "updatedAt": "2026-12-01T09:30:00.000000Z"}


def _statement() -> dict[str, Any]:
    return {
        "from": "2026-11-01T00:00:00.000000Z", "to": "2026-12-02T00:00:00.000000Z", "currency": "INR",
        "opening": {**_funds("0", "0"), "total": D(0)},
        "closing": {**_funds("0", "1140.5", "50"), "total": D("1190.5")},
        "transactions": [
            _tx("t1", "topup", "1000", _funds("1000", "0"), fund="deposit", description="=HYPERLINK(\"x\")"),
            _tx("t2", "bonus", "100", _funds("1000", "0", "100"), fund="bonus", description="Diwali ☃ bonus"),
            _tx("t3", "entryFee", "-1000", _funds("50", "0", "50"), funds=_funds("-950", "0", "-50"),
                description="-entry"),
            _tx("t4", "reward", "1700", _funds("50", "1700", "50"), fund="winnings"),
            _tx("t5", "payout", "-559.5", _funds("0", "1140.5", "50"), funds=_funds("-50", "-509.5"),
                description="@payout"),
        ],
        "totals": [{"type": "entryFee", "credits": D(0), "debits": D(-1000), "count": 1},
                   {"type": "reward", "credits": D(1700), "debits": D(0), "count": 1}],
        "truncated": False,
    }


def _tax() -> dict[str, Any]:
    return {"fy": "2026-27", "currency": "INR", "pan": "XXXXXX234F", "tdsRate": D(30), "openingBalance": D(0),
            "deposits": D(1000), "withdrawals": D(1200), "netWinnings": D(200), "tds": D(60),
            "entries": [{"payoutId": "po_1", "date": "2026-12-01T10:00:00.000000Z", "amount": D(1200),
                         "netWinnings": D(200), "tds": D(60), "status": "captured"}],
            "yearEnd": None}


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_statement_csv_has_a_header_and_one_row_per_transaction_with_exact_amounts() -> None:
    rows = _rows(statement_csv(_statement()))
    assert rows[0] == ["date", "transactionId", "type", "status", "description", "fund", "amount", "depositAfter",
                       "winningsAfter", "bonusAfter", "balanceAfter", "currency"]
    assert [r[1] for r in rows[1:]] == ["t1", "t2", "t3", "t4", "t5"]
    assert rows[3][5:11] == ["deposit+bonus", "-1000.00", "50.00", "0.00", "50.00", "100.00"]
    assert rows[5][5:11] == ["deposit+winnings", "-559.50", "0.00", "1140.50", "50.00", "1190.50"]
    assert rows[1][4] == "'=HYPERLINK(\"x\")" and rows[3][4] == "'-entry" and rows[5][4] == "'@payout"
    assert rows[2][4] == "Diwali ☃ bonus"


def test_formula_cells_get_an_apostrophe_and_plain_text_does_not() -> None:
    assert [text_cell(v) for v in ("=1+1", "+1", "-1", "@SUM", "\tx", "\rx", "ok", None)] == [
        "'=1+1", "'+1", "'-1", "'@SUM", "'\tx", "'\rx", "ok", ""]


def test_tax_and_tds_csv() -> None:
    assert _rows(tax_statement_csv(_tax())) == [
        ["financialYear", "payoutId", "date", "status", "amount", "netWinnings", "tds", "currency"],
        ["2026-27", "po_1", "2026-12-01T10:00:00.000000Z", "captured", "1200.00", "200.00", "60.00", "INR"]]
    report = {"fy": "2026-27", "quarter": "Q3", "currency": "INR", "lines": [
        {"userId": "=u2", "pan": None, "quarter": "Q3", "netWinnings": D("200.5"), "tds": D("60.15"),
         "withdrawals": 2}], "totals": {}}
    assert _rows(tds_report_csv(report))[1] == ["2026-27", "Q3", "'=u2", "", "200.50", "60.15", "2", "INR"]


def test_money_reads_with_the_code_separators_and_two_digits() -> None:
    assert money(D("1140"), "INR") == "INR 1,140.00"
    assert money(D("-1234567.5"), "USD") == "USD -1,234,567.50"


def test_statement_pdf_reads_back_with_every_figure() -> None:
    text = _pdf_text(statement_pdf(_statement(), user_name="Asha Rao", user_id="u1"))
    assert "WinZone - Wallet statement" in text and "Asha Rao (u1)" in text
    assert "2026-11-01T00:00:00.000000Z to 2026-12-02T00:00:00.000000Z" in text
    assert "Closing INR 0.00 INR 1,140.50 INR 50.00 INR 1,190.50" in text
    assert "INR -1,000.00" in text and "INR 1,700.00" in text and "deposit+bonus" in text
    assert "Diwali ? bonus" in text
    assert "reward 1 INR 1,700.00 INR 0.00" in text


def test_tax_statement_pdf_reads_back_with_pan_and_tds() -> None:
    text = _pdf_text(tax_statement_pdf(_tax(), user_name="Asha", user_id="u1"))
    assert "Tax statement FY 2026-27" in text and "XXXXXX234F" in text and "TDS rate 30%" in text
    assert "Net winnings INR 200.00" in text and "TDS INR 60.00" in text
    assert "po_1 captured INR 1,200.00 INR 200.00 INR 60.00" in text
    assert "Year end" not in text
    closed = {**_tax(), "pan": None, "yearEnd": {"closingBalance": D(500), "netWinnings": D(100), "tds": D(30),
                                                 "closedAt": "2027-04-01T00:00:00Z", "nextOpeningBalance": D(470)}}
    text = _pdf_text(tax_statement_pdf(closed, user_name="Asha", user_id="u1"))
    assert "PAN not on file" in text and "Next opening balance INR 470.00" in text


def test_a_long_statement_runs_over_pages() -> None:
    statement = _statement()
    statement["transactions"] = statement["transactions"] * 40
    reader = pypdf.PdfReader(io.BytesIO(statement_pdf(statement, user_name="A", user_id="u1")))
    assert len(reader.pages) > 2
    assert sum(page.extract_text().count("INR 1,700.00 INR 1,800.00") for page in reader.pages) == 40
