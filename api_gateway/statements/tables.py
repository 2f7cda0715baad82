"""CSV renderings of the statement, the tax statement and the TDS report: a header row, then one row per line.

Amounts are written as plain numbers with the currency's minor-unit digits (``-1000.00``); every text cell
that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from winzone_kernel.money import currency_of

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: object) -> str:
    """A text cell safe to open in a spreadsheet."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def amount_cell(value: Decimal, currency: str) -> str:
    """An amount with exactly the currency's minor-unit digits, as a number."""
    digits = currency_of(currency).exponent
    return f"{value:.{digits}f}"


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


STATEMENT_HEADER = ("date", "transactionId", "type", "status", "description", "fund", "amount", "depositAfter",
                    "winningsAfter", "bonusAfter", "balanceAfter", "currency")


def _fund_label(tx: dict[str, Any]) -> str:
    if tx["fund"]:
        return str(tx["fund"])
    if tx["funds"]:
        return "+".join(name for name, part in tx["funds"].items() if part)
    return ""


def statement_csv(statement: dict[str, Any]) -> bytes:
    """One row per transaction of the statement, oldest first."""
    currency = statement["currency"]

    def row(tx: dict[str, Any]) -> list[str]:
        after = tx["fundsAfter"]
        return [text_cell(tx["createdAt"]), text_cell(tx["_id"]), text_cell(tx["type"]), text_cell(tx["status"]),
                text_cell(tx["description"]), text_cell(_fund_label(tx)), amount_cell(tx["amount"], currency),
                amount_cell(after["deposit"], currency), amount_cell(after["winnings"], currency),
                amount_cell(after["bonus"], currency), amount_cell(tx["balanceAfter"], currency),
                text_cell(currency)]

    return _csv(STATEMENT_HEADER, (row(tx) for tx in statement["transactions"]))


TAX_HEADER = ("financialYear", "payoutId", "date", "status", "amount", "netWinnings", "tds", "currency")


def tax_statement_csv(statement: dict[str, Any]) -> bytes:
    """One row per withdrawal of the financial year."""
    currency = statement["currency"]
    rows = ([text_cell(statement["fy"]), text_cell(e["payoutId"]), text_cell(e["date"]), text_cell(e["status"]),
             amount_cell(e["amount"], currency), amount_cell(e["netWinnings"], currency),
             amount_cell(e["tds"], currency), text_cell(currency)] for e in statement["entries"])
    return _csv(TAX_HEADER, rows)


TDS_HEADER = ("financialYear", "quarter", "userId", "pan", "netWinnings", "tds", "withdrawals", "currency")


def tds_report_csv(report: dict[str, Any]) -> bytes:
    """One row per user and quarter."""
    currency = report["currency"]
    rows = ([text_cell(report["fy"]), text_cell(line["quarter"]), text_cell(line["userId"]), text_cell(line["pan"]),
             amount_cell(line["netWinnings"], currency), amount_cell(line["tds"], currency), str(line["withdrawals"]),
             text_cell(currency)] for line in report["lines"])
    return _csv(TDS_HEADER, rows)
