"""The ledger's tax and statement reads on MongoDB, and the ``tax_years`` collection of closed years.

Inside a unit of work a wallet's documents are read from the batch's transaction and overlaid with what the
batch's earlier commands and this one wrote (a hold captured or a leg posted a moment ago counts), so
``tax_facts`` answers the same in a unit of work and on a reader's snapshot. A user leg or hold stored before
funds existed (no ``funds``) counts as all deposit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pymongo import ASCENDING, IndexModel

from wallet_service.domain.model import HoldStatus, TxStatus, TxType
from wallet_service.domain.tax import FinancialYear, TaxFacts, TaxYearRecord
from winzone_kernel.mongo_batch import CommandDocuments

T = TypeVar("T")
Doc = Mapping[str, Any]

TAX_YEARS = "tax_years"
TAX_INDEXES = [IndexModel([("financialYear", ASCENDING), ("currency", ASCENDING)], name="financialYear_currency")]
TAKEN = (HoldStatus.OPEN.value, HoldStatus.CAPTURED.value)


def tax_year_id(user_id: str, currency: str, label: str) -> str:
    return f"{user_id}|{currency}|{label}"


def tax_year_doc(record: TaxYearRecord) -> dict[str, Any]:
    return {
        "_id": tax_year_id(record.user_id, record.currency, record.financial_year), "userId": record.user_id,
        "currency": record.currency, "financialYear": record.financial_year,
        "openingBalance": record.opening_balance, "closingBalance": record.closing_balance,
        "deposits": record.deposits, "withdrawals": record.withdrawals,
        "taxedNetWinnings": record.taxed_net_winnings, "netWinnings": record.net_winnings, "tds": record.tds,
        "withheld": record.withheld, "nextOpeningBalance": record.next_opening_balance,
        "transactionId": record.transaction_id, "closedAt": record.closed_at,
    }


def tax_year_record(doc: Doc) -> TaxYearRecord:
    return TaxYearRecord(
        user_id=doc["userId"], currency=doc["currency"], financial_year=doc["financialYear"],
        opening_balance=doc["openingBalance"], closing_balance=doc["closingBalance"], deposits=doc["deposits"],
        withdrawals=doc["withdrawals"], taxed_net_winnings=doc["taxedNetWinnings"], net_winnings=doc["netWinnings"],
        tds=doc["tds"], withheld=doc["withheld"], next_opening_balance=doc["nextOpeningBalance"],
        transaction_id=doc["transactionId"], closed_at=doc["closedAt"],
    )


def part(doc: Doc, fund: str) -> int:
    """The ``fund`` part of a user leg (a legacy leg is all deposit)."""
    funds = doc.get("funds")
    if funds is None:
        return int(doc["amount"]) if fund == "deposit" else 0
    return int(funds.get(fund, 0))


def meta(doc: Doc, key: str) -> str | None:
    """One metadata value of a transaction document (stored as ``[key, value]`` pairs)."""
    for name, value in doc.get("metadata") or ():
        if name == key:
            return str(value)
    return None


def charged_back(doc: Doc) -> bool:
    """A ``chargeback`` leg, or the capture of a payment gateway's dispute hold (a ``debit`` hold naming a
    ``disputeId``)."""
    return doc["type"] == TxType.CHARGEBACK.value or (
        doc["type"] == TxType.DEBIT.value and bool(doc.get("holdId")) and meta(doc, "disputeId") is not None)


def refunds_by_payout(legs: Iterable[Doc], user_id: str | None = None) -> dict[str, int]:
    """Completed ``refund`` credits to a user's wallet per the payout id their metadata names."""
    refunded: dict[str, int] = {}
    for doc in legs:
        payout_id = meta(doc, "payoutId")
        if (payout_id and doc["type"] == TxType.REFUND.value and doc["status"] == TxStatus.COMPLETED.value
                and doc["amount"] > 0 and doc["account"] == f"user:{doc['userId']}"
                and (user_id is None or doc["userId"] == user_id)):
            refunded[payout_id] = refunded.get(payout_id, 0) + int(doc["amount"])
    return refunded


def _pending(docs: CommandDocuments, collection: str) -> dict[Any, Doc]:
    """What the batch's earlier commands and this command (and its enclosing ones) wrote to ``collection``."""
    chain: list[CommandDocuments] = []
    layer: CommandDocuments | None = docs
    while layer is not None:
        chain.append(layer)
        layer = getattr(layer, "_parent", None)
    merged: dict[Any, Doc] = {key[1]: doc for key, doc in docs._batch.docs.items() if key[0] == collection}
    for layer in reversed(chain):
        merged.update({key[1]: doc for key, doc in layer.changes.items() if key[0] == collection})
    return merged


class WalletDocs:
    """One wallet's transaction and hold documents in one currency, as a unit of work or a snapshot sees them."""

    __slots__ = ("holds", "legs", "types")

    def __init__(self, transactions: Iterable[Doc], holds: Iterable[Doc]) -> None:
        txs = list(transactions)
        self.types = {doc["_id"]: doc["type"] for doc in txs}
        self.legs = [doc for doc in txs if doc["status"] == TxStatus.COMPLETED.value]
        self.holds = [doc for doc in holds if not doc.get("tombstone")]

    @classmethod
    def load(cls, db: Any, session: Any, user_id: str, currency: str,
             docs: CommandDocuments | None = None) -> WalletDocs:
        account = f"user:{user_id}"
        query = {"userId": user_id, "currency": currency}
        txs = {d["_id"]: d for d in db["transactions"].find({**query, "account": account}, session=session)}
        holds = {d["_id"]: d for d in db["holds"].find(query, session=session)}
        if docs is not None:
            for doc_id, doc in _pending(docs, "transactions").items():
                if doc.get("account") == account and doc.get("currency") == currency:
                    txs[doc_id] = doc
            for doc_id, doc in _pending(docs, "holds").items():
                if doc.get("userId") == user_id and doc.get("currency") == currency:
                    holds[doc_id] = doc
        return cls(txs.values(), holds.values())

    def payout_holds(self) -> list[Doc]:
        return [h for h in self.holds if self.types.get(h["transactionId"]) == TxType.PAYOUT.value]

    def balance_for_tax(self, moment: str) -> int:
        """Deposit + winnings posted before ``moment``, less payout holds created before it and not paid by
        then (see ``sqlite_tax.balance_for_tax``)."""
        posted = sum(part(d, "deposit") + part(d, "winnings") for d in self.legs if d["postedAt"] < moment)
        paid_at = {d["_id"]: d["postedAt"] for d in self.legs}
        in_flight = sum(
            int(h["amount"]) for h in self.payout_holds() if h["createdAt"] < moment and (
                h["status"] == HoldStatus.OPEN.value
                or (h["status"] == HoldStatus.CAPTURED.value and paid_at.get(h["transactionId"], "") >= moment))
        )
        return posted - in_flight

    def tax_facts(self, year: FinancialYear, previous: TaxYearRecord | None) -> TaxFacts:
        start, end = year.start_utc, year.end_utc
        in_year = [d for d in self.legs if start <= d["postedAt"] < end]
        topups = sum(part(d, "deposit") for d in in_year if d["type"] == TxType.TOPUP.value and d["amount"] > 0)
        taken_back = -sum(part(d, "deposit") + part(d, "winnings") for d in in_year
                          if charged_back(d) and d["amount"] < 0)
        taken = [h for h in self.payout_holds() if h["status"] in TAKEN and start <= h["createdAt"] < end]
        refunded = refunds_by_payout(self.legs)
        opening = previous.next_opening_balance if previous is not None else self.balance_for_tax(start)
        return TaxFacts(
            deposits=max(0, topups - taken_back),
            withdrawals=sum(max(0, int(h["amount"]) - refunded.get(h["_id"], 0)) for h in taken),
            opening_balance=opening,
            taxed_net_winnings=sum(int(h.get("netWinnings", 0)) for h in taken
                                   if refunded.get(h["_id"], 0) < int(h["amount"])))


def tax_wallets(db: Any, session: Any, currency: str, year: FinancialYear) -> list[str]:
    """User ids whose wallet in ``currency`` has a transaction or a hold in the year, or a record of the
    previous year, sorted."""
    users: set[str] = set()
    span = {"$gte": year.start_utc, "$lt": year.end_utc}
    for doc in db["transactions"].find({"userId": {"$ne": None}, "currency": currency, "postedAt": span},
                                       {"userId": 1, "account": 1}, session=session):
        if doc["account"] == f"user:{doc['userId']}":
            users.add(doc["userId"])
    users.update(d["userId"] for d in db["holds"].find(
        {"currency": currency, "createdAt": span, "tombstone": {"$ne": True}}, {"userId": 1}, session=session))
    users.update(d["userId"] for d in db[TAX_YEARS].find(
        {"currency": currency, "financialYear": year.previous.label}, {"userId": 1}, session=session))
    return sorted(users)


def payout_holds(db: Any, session: Any, currency: str, year: FinancialYear, user_id: str | None,
                 statuses: Sequence[str], decode: Callable[[Doc], T]) -> list[T]:
    """Payout holds created in the year with one of ``statuses``, oldest first."""
    query: dict[str, Any] = {"currency": currency, "status": {"$in": list(statuses)},
                             "createdAt": {"$gte": year.start_utc, "$lt": year.end_utc}, "tombstone": {"$ne": True}}
    if user_id is not None:
        query["userId"] = user_id
    holds = list(db["holds"].find(query, sort=[("createdAt", ASCENDING), ("_id", ASCENDING)], session=session))
    payouts = {d["_id"] for d in db["transactions"].find(
        {"_id": {"$in": [h["transactionId"] for h in holds]}, "type": TxType.PAYOUT.value}, {"_id": 1},
        session=session)}
    return [decode(h) for h in holds if h["transactionId"] in payouts]


def payout_refunds(db: Any, session: Any, hold_ids: Sequence[str]) -> dict[str, int]:
    """Per payout hold id, what completed ``refund`` legs to its user naming it gave back (none omitted)."""
    ids = list(hold_ids)
    if not ids:
        return {}
    owners = {h["_id"]: h["userId"] for h in db["holds"].find({"_id": {"$in": ids}}, {"userId": 1},
                                                                session=session)}
    legs = db["transactions"].find(
        {"type": TxType.REFUND.value, "status": TxStatus.COMPLETED.value,
         "metadata": {"$in": [["payoutId", hold_id] for hold_id in ids]}}, session=session)
    refunded: dict[str, int] = {}
    for doc in legs:
        for payout_id, amount in refunds_by_payout([doc], owners.get(meta(doc, "payoutId") or "", "")).items():
            refunded[payout_id] = refunded.get(payout_id, 0) + amount
    return refunded


def statement_opening(db: Any, session: Any, user_id: str, currency: str, before: str) -> dict[str, int]:
    """The wallet's balance per fund from its completed legs posted before ``before``."""
    totals = {"deposit": 0, "winnings": 0, "bonus": 0}
    for doc in db["transactions"].find(
            {"userId": user_id, "currency": currency, "account": f"user:{user_id}",
             "status": TxStatus.COMPLETED.value, "postedAt": {"$lt": before}},
            {"amount": 1, "funds": 1}, session=session):
        for fund in totals:
            totals[fund] += part(doc, fund)
    return totals


def statement_legs(db: Any, session: Any, user_id: str, currency: str, start: str, end: str, limit: int,
                   decode: Callable[[Doc], T]) -> list[T]:
    """The wallet's completed legs posted in [start, end), oldest first, at most ``limit``."""
    docs = db["transactions"].find(
        {"userId": user_id, "currency": currency, "account": f"user:{user_id}", "status": TxStatus.COMPLETED.value,
         "postedAt": {"$gte": start, "$lt": end}},
        sort=[("postedAt", ASCENDING), ("_id", ASCENDING)], limit=limit, session=session)
    return [decode(d) for d in docs]


def tax_years_of(db: Any, session: Any, currency: str, label: str) -> list[TaxYearRecord]:
    docs = db[TAX_YEARS].find({"currency": currency, "financialYear": label}, sort=[("userId", ASCENDING)],
                              session=session)
    return [tax_year_record(d) for d in docs]
