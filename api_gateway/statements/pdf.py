"""PDF renderings of the statement and the tax statement (fpdf2, pure Python, its built-in Helvetica).

Each document has a title, who it is for, the period or financial year, the masked PAN where there is one,
its tables and its totals. Amounts read as ``INR 1,140.00``. The built-in font covers Latin-1 only, so any
other character of a name or description is written as ``?``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from winzone_kernel.money import currency_of

FONT = "Helvetica"


def money(value: Decimal, currency: str) -> str:
    """``INR 1,140.00``: the code, thousands separators and exactly the currency's minor-unit digits."""
    digits = currency_of(currency).exponent
    return f"{currency} {value:,.{digits}f}"


def _latin1(text: object) -> str:
    return ("" if text is None else str(text)).encode("latin-1", "replace").decode("latin-1")


class _Document(FPDF):
    """A page with the WinZone header and a page number footer."""

    def __init__(self, title: str, orientation: str) -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.doc_title = title
        self.set_title(title)
        self.set_author("WinZone")
        self.set_auto_page_break(auto=True, margin=15)
        self.add_page()

    def header(self) -> None:
        self.set_font(FONT, "B", 14)
        self.cell(0, 8, _latin1(f"WinZone - {self.doc_title}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.cell(0, 6, f"Page {self.page_no()}", align="C")

    def facts(self, rows: Sequence[tuple[str, str]]) -> None:
        """Label: value lines."""
        for label, value in rows:
            self.set_font(FONT, "B", 10)
            self.cell(48, 6, _latin1(label), new_x=XPos.RIGHT, new_y=YPos.TOP)
            self.set_font(FONT, size=10)
            self.cell(0, 6, _latin1(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)

    def heading(self, text: str) -> None:
        self.set_font(FONT, "B", 11)
        self.cell(0, 7, _latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int],
             right: frozenset[int] = frozenset()) -> None:
        """A table with a bold header row; columns in ``right`` are right-aligned (amounts)."""
        self.set_font(FONT, size=8)
        align = tuple("RIGHT" if i in right else "LEFT" for i in range(len(header)))
        with self.table(col_widths=tuple(widths), text_align=align, line_height=5,
                        first_row_as_headings=True) as table:
            for cells in (header, *rows):
                row = table.row()
                for cell in cells:
                    row.cell(_latin1(cell))
        self.ln(3)


def _render(document: FPDF) -> bytes:
    return bytes(document.output())


def _balances(label: str, funds: dict[str, Decimal], currency: str) -> list[str]:
    return [label, *(money(funds[name], currency) for name in ("deposit", "winnings", "bonus", "total"))]


def _fund(tx: dict[str, Any]) -> str:
    if tx["fund"]:
        return str(tx["fund"])
    if tx["funds"]:
        return "+".join(name for name, part in tx["funds"].items() if part)
    return ""


def statement_pdf(statement: dict[str, Any], *, user_name: str, user_id: str) -> bytes:
    """The wallet statement: opening and closing balance per fund, each transaction with the balance after
    it, and totals by type."""
    currency = statement["currency"]
    doc = _Document("Wallet statement", "L")
    doc.facts([("Account holder", f"{user_name} ({user_id})"), ("Period", f"{statement['from']} to "
               f"{statement['to']}"), ("Currency", currency)])
    doc.heading("Balances")
    doc.grid(["", "Deposit", "Winnings", "Bonus", "Total"],
             [_balances("Opening", statement["opening"], currency), _balances("Closing", statement["closing"],
                                                                              currency)],
             [40, 50, 50, 50, 50], frozenset({1, 2, 3, 4}))
    doc.heading("Transactions")
    rows = [[tx["createdAt"][:19].replace("T", " "), tx["type"], _fund(tx), tx["description"][:60],
             money(tx["amount"], currency), money(tx["balanceAfter"], currency)] for tx in statement["transactions"]]
    doc.grid(["Date (UTC)", "Type", "Fund", "Description", "Amount", "Balance after"], rows,
             [38, 28, 32, 95, 42, 42], frozenset({4, 5}))
    if statement["truncated"]:
        doc.facts([("Note", "More than 10,000 transactions: only the first 10,000 are listed.")])
    doc.heading("Totals by type")
    totals = [[t["type"], str(t["count"]), money(t["credits"], currency), money(t["debits"], currency)]
              for t in statement["totals"]]
    doc.grid(["Type", "Count", "Credits", "Debits"], totals, [60, 30, 60, 60], frozenset({1, 2, 3}))
    return _render(doc)


def tax_statement_pdf(statement: dict[str, Any], *, user_name: str, user_id: str) -> bytes:
    """The tax statement of one financial year: deposits, withdrawals, net winnings, TDS per withdrawal and in
    total, and the year-end step once it ran."""
    currency = statement["currency"]
    doc = _Document(f"Tax statement FY {statement['fy']}", "P")
    doc.facts([("Account holder", f"{user_name} ({user_id})"), ("Financial year", statement["fy"]),
               ("PAN", statement["pan"] or "not on file"), ("TDS rate", f"{statement['tdsRate']}%"),
               ("Currency", currency)])
    doc.heading("Summary")
    doc.grid(["", "Amount"], [
        ["Opening balance", money(statement["openingBalance"], currency)],
        ["Deposits", money(statement["deposits"], currency)],
        ["Withdrawals", money(statement["withdrawals"], currency)],
        ["Net winnings", money(statement["netWinnings"], currency)],
        ["TDS", money(statement["tds"], currency)],
    ], [90, 90], frozenset({1}))
    doc.heading("Withdrawals")
    rows = [[e["date"][:10], e["payoutId"], e["status"], money(e["amount"], currency),
             money(e["netWinnings"], currency), money(e["tds"], currency)] for e in statement["entries"]]
    doc.grid(["Date", "Payout", "Status", "Amount", "Net winnings", "TDS"], rows, [22, 48, 20, 34, 34, 32],
             frozenset({3, 4, 5}))
    year_end = statement["yearEnd"]
    if year_end is not None:
        doc.heading("Year end")
        doc.grid(["", "Amount"], [
            ["Closing balance", money(year_end["closingBalance"], currency)],
            ["Net winnings", money(year_end["netWinnings"], currency)],
            ["TDS", money(year_end["tds"], currency)],
            ["Next opening balance", money(year_end["nextOpeningBalance"], currency)],
        ], [90, 90], frozenset({1}))
    return _render(doc)
