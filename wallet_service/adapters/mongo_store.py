"""The ledger on MongoDB: group commit in majority transactions, unique indexes for keys.

Concurrent commands are gathered into one multi-document transaction per batch (``winzone_kernel.mongo_batch``,
read and write concern ``majority``, primary reads), as the SQLite store batches them into one commit: each
command runs against the batch's running state, so a refused command refuses only itself; the batch's writes
leave as one bulk write per collection; callers are answered after the commit. A write conflict with another
process reruns the whole batch on a fresh snapshot. Account documents carry a ``version``, raised by every
write. Reads that need several queries to agree (a page and its total, the audit) run in a snapshot session,
so the server must be a replica set running MongoDB 5.0 or later. Every call has one time budget, retries
included (``pymongo.timeout``); driver failures leave this module as ``Unavailable``.

Documents use camelCase field names. Transaction ``metadata`` is stored as ``[key, value]`` pairs, so any
key a caller chooses (dots, ``$``, empty) round-trips exactly; the stored idempotent result (an outcome or a
refusal) is an opaque JSON string, as in the SQLite store. A hold tombstone (a void that found no hold) is a
``holds`` document with ``tombstone: true``, so that a hold and a tombstone of one id collide on ``_id`` even
when two processes write them concurrently; hold reads and the audit skip tombstones.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from pymongo import ASCENDING, DESCENDING, IndexModel

from wallet_service.adapters import mongo_tax
from wallet_service.domain.accounts import Account
from wallet_service.domain.activity import ActivityRow
from wallet_service.domain.bonus import BonusGrant
from wallet_service.domain.funds import FUNDS, ZERO, Funds
from wallet_service.domain.model import (
    AccountState,
    AuditFacts,
    HoldRecord,
    HoldStatus,
    Refusal,
    TransactionFilter,
    TransactionPage,
    TransactionRecord,
    TxStatus,
    TxType,
)
from wallet_service.domain.ports import LedgerStore, LedgerUnitOfWork, answer, each_answer
from wallet_service.domain.tax import FinancialYear, TaxFacts, TaxYearRecord
from winzone_kernel.errors import IdempotencyConflict, InsufficientFunds, InvalidState, WinzoneError
from winzone_kernel.mongo import DEFAULT_TIMEOUT, DriverErrors, MongoClientLike, MongoStore
from winzone_kernel.mongo_batch import CommandDocuments, DocumentExists, MongoGroupCommit

T = TypeVar("T")

ACCOUNTS = "accounts"
TRANSACTIONS = "transactions"
HOLDS = "holds"
IDEMPOTENCY = "idempotency"
CONTROLS = "player_controls"
BONUS_GRANTS = "bonus_grants"
POOL_CONTRIBUTIONS = "pool_contributions"
COLLECTIONS = (ACCOUNTS, TRANSACTIONS, HOLDS, IDEMPOTENCY, CONTROLS, POOL_CONTRIBUTIONS, BONUS_GRANTS,
               mongo_tax.TAX_YEARS)

INDEXES: dict[str, list[IndexModel]] = {
    TRANSACTIONS: [
        IndexModel([("userId", ASCENDING), ("createdAt", ASCENDING)], name="userId_createdAt"),
        IndexModel([("type", ASCENDING), ("status", ASCENDING)], name="type_status"),
        IndexModel([("status", ASCENDING)], name="status"),
        IndexModel([("createdAt", ASCENDING)], name="createdAt"),
        IndexModel([("userId", ASCENDING), ("postedAt", ASCENDING)], name="userId_postedAt"),
        IndexModel([("postedAt", ASCENDING)], name="postedAt"),
        IndexModel([("entryId", ASCENDING)], name="entryId"),
        IndexModel([("userId", ASCENDING), ("currency", ASCENDING), ("postedAt", ASCENDING)], name="entry_fees",
                   partialFilterExpression={"type": "entryFee", "status": "completed"}),
        IndexModel([("account", ASCENDING), ("currency", ASCENDING)], name="account_currency"),
        IndexModel([("currency", ASCENDING), ("postedAt", ASCENDING)], name="activity",
                   partialFilterExpression={"status": "completed"}),
        IndexModel(
            [("idempotencyKey", ASCENDING)], name="idempotencyKey_unique", unique=True,
            partialFilterExpression={"idempotencyKey": {"$type": "string"}},
        ),
    ],
    BONUS_GRANTS: [
        IndexModel([("userId", ASCENDING), ("currency", ASCENDING)], name="userId_currency"),
        IndexModel([("status", ASCENDING), ("expiresAt", ASCENDING)], name="status_expiresAt"),
    ],
    mongo_tax.TAX_YEARS: mongo_tax.TAX_INDEXES,
    HOLDS: [
        IndexModel([("status", ASCENDING)], name="status"),
        IndexModel([("transactionId", ASCENDING)], name="transactionId_unique", unique=True),
        IndexModel([("userId", ASCENDING), ("currency", ASCENDING), ("createdAt", ASCENDING)],
                   name="userId_currency_createdAt"),
    ],
}

def _account_id(account: str, currency: str) -> str:
    return f"{account}|{currency}"


def _tx_doc(record: TransactionRecord) -> dict[str, Any]:
    return {
        "_id": record.id, "userId": record.user_id, "account": record.account, "type": record.type,
        "amount": record.amount, "currency": record.currency, "status": record.status, "source": record.source,
        "description": record.description, "metadata": [[k, v] for k, v in record.metadata.items()],
        "idempotencyKey": record.idempotency_key, "balanceAfter": record.balance_after,
        "entryId": record.entry_id, "holdId": record.hold_id, "createdAt": record.created_at,
        "updatedAt": record.updated_at, "postedAt": record.posted_at,
        **({} if record.user_id is None else {"funds": Funds.of(record.funds).as_mapping()}),
    }


def _funds_of(doc: Mapping[str, Any], field: str, legacy: int) -> Funds:
    """A stored funds map (all three parts), or ``legacy`` as deposit for a document from before funds."""
    stored = doc.get(field)
    return Funds.legacy(legacy) if stored is None else Funds.of(stored)


def _tx_record(doc: Mapping[str, Any]) -> TransactionRecord:
    return TransactionRecord(
        id=doc["_id"], account=doc["account"], user_id=doc["userId"], type=doc["type"], amount=doc["amount"],
        currency=doc["currency"], status=doc["status"], source=doc["source"], description=doc["description"],
        metadata={k: v for k, v in doc["metadata"]}, idempotency_key=doc["idempotencyKey"],
        balance_after=doc["balanceAfter"], entry_id=doc["entryId"], hold_id=doc["holdId"],
        created_at=doc["createdAt"], updated_at=doc["updatedAt"], posted_at=doc["postedAt"],
        funds={} if doc["userId"] is None else _funds_of(doc, "funds", doc["amount"]).to_dict(),
    )


def _hold_doc(hold: HoldRecord) -> dict[str, Any]:
    return {
        "_id": hold.id, "account": hold.account, "userId": hold.user_id, "currency": hold.currency,
        "amount": hold.amount, "status": hold.status, "transactionId": hold.transaction_id,
        "createdAt": hold.created_at, "updatedAt": hold.updated_at, "funds": Funds.of(hold.funds).as_mapping(),
        "tds": hold.tds, "netWinnings": hold.net_winnings, "financialYear": hold.financial_year,
    }


def _hold_record(doc: Mapping[str, Any]) -> HoldRecord:
    return HoldRecord(
        id=doc["_id"], account=doc["account"], user_id=doc["userId"], currency=doc["currency"],
        amount=doc["amount"], status=doc["status"], transaction_id=doc["transactionId"],
        created_at=doc["createdAt"], updated_at=doc["updatedAt"],
        funds=_funds_of(doc, "funds", doc["amount"]).to_dict(), tds=doc.get("tds", 0),
        net_winnings=doc.get("netWinnings", 0), financial_year=doc.get("financialYear", ""),
    )


def _grant_doc(grant: BonusGrant) -> dict[str, Any]:
    return {
        "_id": grant.id, "userId": grant.user_id, "currency": grant.currency, "amount": grant.amount,
        "remaining": grant.remaining, "reason": grant.reason, "expiresAt": grant.expires_at,
        "status": grant.status, "grantedBy": grant.granted_by, "transactionId": grant.transaction_id,
        "createdAt": grant.created_at,
    }


def _grant_record(doc: Mapping[str, Any]) -> BonusGrant:
    return BonusGrant(
        id=doc["_id"], user_id=doc["userId"], currency=doc["currency"], amount=doc["amount"],
        remaining=doc["remaining"], reason=doc["reason"], expires_at=doc["expiresAt"], status=doc["status"],
        granted_by=doc["grantedBy"], transaction_id=doc["transactionId"], created_at=doc["createdAt"],
    )


def _pending(docs: CommandDocuments, collection: str) -> list[Mapping[str, Any]]:
    """The documents of ``collection`` this command and the batch's earlier commands wrote (final versions)."""
    pending = {key: doc for key, doc in docs._batch.docs.items() if key[0] == collection}
    chain: list[CommandDocuments] = []
    layer: CommandDocuments | None = docs
    while layer is not None:
        chain.append(layer)
        layer = getattr(layer, "_parent", None)
    for part in reversed(chain):
        pending.update({key: doc for key, doc in part.changes.items() if key[0] == collection})
    return list(pending.values())


def _account_state(doc: Mapping[str, Any]) -> AccountState:
    if doc["kind"] != "user":
        return AccountState(doc["account"], doc["currency"], doc["balance"], doc["held"], doc["totalEarnings"])
    return AccountState(doc["account"], doc["currency"], doc["balance"], doc["held"], doc["totalEarnings"],
                        _funds_of(doc, "funds", doc["balance"]), _funds_of(doc, "heldFunds", doc["held"]))


def _user_funds(account: Account, delta: int, funds: Funds | None) -> Funds:
    if account.user_id is None:
        return ZERO
    return Funds.legacy(delta) if funds is None else funds


def _short(state: AccountState) -> bool:
    """Whether a user wallet's fund is below its held part (or a held part negative)."""
    return any(h < 0 or b < h for b, h in zip(state.funds.parts(), state.held_funds.parts(), strict=True))


def _contribution_id(user_id: str, currency: str, pool: str) -> str:
    return f"{user_id}|{currency}|{pool}"


class MongoUnitOfWork(LedgerUnitOfWork):
    """Ledger reads and writes of one command in a group-commit batch: reads see the transaction's snapshot
    plus the batch's earlier commands, writes are buffered until the batch commits (``CommandDocuments``)."""

    __slots__ = ("_docs",)

    def __init__(self, docs: CommandDocuments) -> None:
        self._docs = docs

    def discard(self) -> None:
        self._docs.changes.clear()
        self._docs.claims.clear()

    def idempotency_get(self, key: str) -> tuple[str, dict[str, Any]] | None:
        doc = self._docs.get(IDEMPOTENCY, key)
        return None if doc is None else (doc["fingerprint"], json.loads(doc["result"]))

    def idempotency_put(self, key: str, fingerprint: str, result: dict[str, Any], now: str) -> None:
        try:
            self._docs.insert(IDEMPOTENCY, {
                "_id": key, "fingerprint": fingerprint, "result": json.dumps(result, separators=(",", ":")),
                "createdAt": now,
            })
        except DocumentExists as exc:
            raise IdempotencyConflict() from exc

    def account_get(self, account: Account, currency: str) -> AccountState | None:
        doc = self._docs.get(ACCOUNTS, _account_id(account.name, currency))
        return None if doc is None else _account_state(doc)

    def account_apply(self, account: Account, currency: str, delta: int, earnings: int, now: str,
                      funds: Funds | None = None) -> AccountState:
        split = _user_funds(account, delta, funds)
        doc = self._docs.get(ACCOUNTS, _account_id(account.name, currency))
        if doc is None:
            state = AccountState(account.name, currency, delta, 0, earnings, split, ZERO)
            self._check_funds(account, state)
            self._docs.insert(ACCOUNTS, {
                "_id": _account_id(account.name, currency), "account": account.name, "currency": currency,
                "kind": account.kind.value, "balance": state.balance, "held": state.held,
                "totalEarnings": state.total_earnings, "version": 1, "createdAt": now, "updatedAt": now,
                **_fund_fields(account, state),
            })
            return state
        current = _account_state(doc)
        state = AccountState(account.name, currency, doc["balance"] + delta, doc["held"],
                             doc["totalEarnings"] + earnings, current.funds + split, current.held_funds)
        self._check_funds(account, state)
        self._update_account(account, doc, state, now)
        return state

    def account_hold(self, account: Account, currency: str, delta_held: int, now: str,
                     funds: Funds | None = None) -> AccountState:
        doc = self._docs.get(ACCOUNTS, _account_id(account.name, currency))
        if doc is None:
            raise InsufficientFunds()
        current = _account_state(doc)
        state = AccountState(account.name, currency, doc["balance"], doc["held"] + delta_held, doc["totalEarnings"],
                             current.funds, current.held_funds + _user_funds(account, delta_held, funds))
        if (state.available < 0 or state.held < 0 or _short(state)) and not self._docs.guessing:
            raise InsufficientFunds()
        self._update_account(account, doc, state, now)
        return state

    def _check_funds(self, account: Account, state: AccountState) -> None:
        if not account.may_go_negative and (state.available < 0 or _short(state)) and not self._docs.guessing:
            raise InsufficientFunds(f"Insufficient balance in {account.kind.value} account")

    def _update_account(self, account: Account, doc: Mapping[str, Any], state: AccountState, now: str) -> None:
        self._docs.replace(ACCOUNTS, {
            **doc, "balance": state.balance, "held": state.held, "totalEarnings": state.total_earnings,
            "updatedAt": now, "version": doc["version"] + 1, **_fund_fields(account, state),
        })

    def pool_contribution_get(self, user_id: str, currency: str, pool: str) -> Funds:
        doc = self._docs.get(POOL_CONTRIBUTIONS, _contribution_id(user_id, currency, pool))
        return ZERO if doc is None else Funds.of(doc["funds"])

    def pool_contribution_add(self, user_id: str, currency: str, pool: str, delta: Funds, now: str) -> None:
        doc = self._docs.get(POOL_CONTRIBUTIONS, _contribution_id(user_id, currency, pool))
        if doc is None:
            self._docs.insert(POOL_CONTRIBUTIONS, {
                "_id": _contribution_id(user_id, currency, pool), "userId": user_id, "currency": currency,
                "pool": pool, "funds": delta.as_mapping(), "updatedAt": now,
            })
            return
        self._docs.replace(POOL_CONTRIBUTIONS, {
            **doc, "funds": (Funds.of(doc["funds"]) + delta).as_mapping(), "updatedAt": now})

    def legacy_earnings(self, user_id: str, currency: str) -> int:
        reads = self._docs._batch.reads
        rows = list(reads._db[TRANSACTIONS].aggregate([
            {"$match": {"account": f"user:{user_id}", "currency": currency, "type": TxType.REWARD.value,
                        "status": TxStatus.COMPLETED.value, "amount": {"$gt": 0}, "funds": {"$exists": False}}},
            {"$group": {"_id": None, "total": {"$sum": "$amount"}}},
        ], session=reads._session))
        return int(rows[0]["total"]) if rows else 0

    def legacy_deposit(self, user_id: str, currency: str) -> int:
        reads = self._docs._batch.reads
        rows = list(reads._db[TRANSACTIONS].aggregate([
            {"$match": {"account": f"user:{user_id}", "currency": currency, "status": TxStatus.COMPLETED.value}},
            {"$group": {"_id": None, "total": {"$sum": {"$cond": [
                {"$eq": [{"$type": "$funds"}, "missing"]}, "$amount", {"$min": [0, "$funds.deposit"]}]}}}},
        ], session=reads._session))
        return int(rows[0]["total"]) if rows else 0

    def transactions_add(self, records: list[TransactionRecord]) -> None:
        for record in records:
            key = record.idempotency_key
            if key is not None:
                if self._docs.taken(TRANSACTIONS, "idempotencyKey", key):
                    raise IdempotencyConflict("a transaction with this idempotency key already exists")
                self._docs.claim(TRANSACTIONS, "idempotencyKey", key)
            self._docs.insert(TRANSACTIONS, _tx_doc(record))

    def transaction_get(self, tx_id: str) -> TransactionRecord | None:
        doc = self._docs.get(TRANSACTIONS, tx_id)
        return None if doc is None else _tx_record(doc)

    def transaction_settle(
        self, tx_id: str, status: str, entry_id: str | None, balance_after: int | None, now: str
    ) -> None:
        doc = self._docs.get(TRANSACTIONS, tx_id)
        if doc is None or doc["status"] != TxStatus.PENDING.value:
            return
        self._docs.replace(TRANSACTIONS, {
            **doc, "status": status, "entryId": entry_id, "balanceAfter": balance_after, "updatedAt": now,
            **({"postedAt": now} if status == TxStatus.COMPLETED.value else {}),
        })

    def hold_get(self, hold_id: str) -> HoldRecord | None:
        doc = self._docs.get(HOLDS, hold_id)
        return None if doc is None or doc.get("tombstone") else _hold_record(doc)

    def tombstone_get(self, hold_id: str) -> str | None:
        doc = self._docs.get(HOLDS, hold_id)
        return str(doc["createdAt"]) if doc is not None and doc.get("tombstone") else None

    def tombstone_add(self, hold_id: str, now: str) -> None:
        self._docs.insert(HOLDS, {
            "_id": hold_id, "tombstone": True, "status": HoldStatus.VOIDED.value, "amount": 0,
            "transactionId": f"tombstone:{hold_id}", "createdAt": now, "updatedAt": now,
        })

    def hold_add(self, hold: HoldRecord) -> None:
        try:
            self._docs.insert(HOLDS, _hold_doc(hold))
        except DocumentExists as exc:
            raise IdempotencyConflict(f"hold {hold.id} already exists") from exc

    def hold_set_status(self, hold_id: str, status: str, now: str) -> None:
        doc = self._docs.get(HOLDS, hold_id)
        if doc is None or doc["status"] != HoldStatus.OPEN.value:
            raise InvalidState(f"hold {hold_id} is not open", code="HOLD_NOT_OPEN")
        self._docs.replace(HOLDS, {**doc, "status": status, "updatedAt": now})

    def controls_get(self, user_id: str) -> dict[str, Any] | None:
        doc = self._docs.get(CONTROLS, user_id)
        return None if doc is None else json.loads(doc["doc"])

    def controls_put(self, user_id: str, doc: dict[str, Any]) -> None:
        stored = self._docs.get(CONTROLS, user_id)
        fresh = {"_id": user_id, "doc": json.dumps(doc, separators=(",", ":")),
                 "updatedAt": str(doc.get("updatedAt") or "")}
        if stored is None:
            self._docs.insert(CONTROLS, fresh)
        else:
            self._docs.replace(CONTROLS, fresh)

    def _grants(self, query: dict[str, Any], keep: Callable[[Mapping[str, Any]], bool], *, sort: list[Any],
                limit: int = 0) -> list[BonusGrant]:
        reads = self._docs._batch.reads
        ids = [doc["_id"] for doc in reads._db[BONUS_GRANTS].find(query, {"_id": 1}, sort=sort, limit=limit,
                                                                  session=reads._session)]
        found: dict[str, Mapping[str, Any]] = {}
        for grant_id in ids:
            doc = self._docs.get(BONUS_GRANTS, grant_id)
            if doc is not None:
                found[grant_id] = doc
        for doc in _pending(self._docs, BONUS_GRANTS):
            found[doc["_id"]] = doc
        return [_grant_record(doc) for doc in found.values() if keep(doc)]

    def bonus_grants_of(self, user_id: str, currency: str) -> list[BonusGrant]:
        grants = self._grants({"userId": user_id, "currency": currency},
                              lambda doc: doc["userId"] == user_id and doc["currency"] == currency,
                              sort=[("createdAt", ASCENDING), ("_id", ASCENDING)])
        return sorted(grants, key=lambda g: (g.created_at, g.id))

    def bonus_grant_put(self, grant: BonusGrant) -> None:
        if self._docs.get(BONUS_GRANTS, grant.id) is None:
            self._docs.insert(BONUS_GRANTS, _grant_doc(grant))
        else:
            self._docs.replace(BONUS_GRANTS, _grant_doc(grant))

    def bonus_grants_due(self, now: str, limit: int) -> list[BonusGrant]:
        grants = self._grants(
            {"status": "active", "expiresAt": {"$ne": "", "$lte": now}},
            lambda doc: doc["status"] == "active" and doc["expiresAt"] != "" and doc["expiresAt"] <= now,
            sort=[("expiresAt", ASCENDING), ("_id", ASCENDING)], limit=limit)
        return sorted(grants, key=lambda g: (g.expires_at, g.id))[:limit]

    def entry_fees_since(self, user_id: str, currency: str, since: str) -> int:
        account = f"user:{user_id}"
        reads = self._docs._batch.reads
        total = 0
        for doc in reads._db[TRANSACTIONS].find(
                {"userId": user_id, "currency": currency, "postedAt": {"$gt": since}, "type": TxType.ENTRY_FEE.value,
                 "status": TxStatus.COMPLETED.value, "account": account}, {"amount": 1}, session=reads._session):
            total += -int(doc["amount"]) if doc["amount"] < 0 else 0
        pending = dict(self._docs._batch.docs)
        chain: list[CommandDocuments] = []
        docs: CommandDocuments | None = self._docs
        while docs is not None:
            chain.append(docs)
            docs = getattr(docs, "_parent", None)
        for layer in reversed(chain):
            pending.update(layer.changes)
        for (collection, _), doc in pending.items():
            if collection == TRANSACTIONS and doc.get("account") == account and doc.get("currency") == currency \
                    and doc.get("type") == TxType.ENTRY_FEE.value and doc.get("status") == TxStatus.COMPLETED.value \
                    and doc.get("postedAt", "") > since and doc["amount"] < 0:
                total -= int(doc["amount"])
        return total

    def _wallet_docs(self, user_id: str, currency: str) -> mongo_tax.WalletDocs:
        reads = self._docs._batch.reads
        return mongo_tax.WalletDocs.load(reads._db, reads._session, user_id, currency, self._docs)

    def tax_facts(self, user_id: str, currency: str, year: FinancialYear) -> TaxFacts:
        previous = self.tax_year_get(user_id, currency, year.previous.label)
        return self._wallet_docs(user_id, currency).tax_facts(year, previous)

    def tax_balance_at(self, user_id: str, currency: str, moment: str) -> int:
        return self._wallet_docs(user_id, currency).balance_for_tax(moment)

    def tax_year_get(self, user_id: str, currency: str, financial_year: str) -> TaxYearRecord | None:
        doc = self._docs.get(mongo_tax.TAX_YEARS, mongo_tax.tax_year_id(user_id, currency, financial_year))
        return None if doc is None else mongo_tax.tax_year_record(doc)

    def tax_year_put(self, record: TaxYearRecord) -> None:
        try:
            self._docs.insert(mongo_tax.TAX_YEARS, mongo_tax.tax_year_doc(record))
        except DocumentExists as exc:
            raise IdempotencyConflict(f"tax year {record.financial_year} of {record.user_id} is closed") from exc


def _fund_fields(account: Account, state: AccountState) -> dict[str, Any]:
    """The funds fields of a user wallet's account document (none on other accounts)."""
    if account.user_id is None:
        return {}
    return {"funds": state.funds.as_mapping(), "heldFunds": state.held_funds.as_mapping()}


def _each(
    ops: Sequence[Callable[[LedgerUnitOfWork], T | Refusal]]
) -> Callable[[CommandDocuments], list[T | WinzoneError]]:
    """One group-commit command running every op on nested documents of its own, kept when it succeeds."""

    def run(docs: CommandDocuments) -> list[T | WinzoneError]:
        results: list[T | WinzoneError] = []
        for op in ops:
            part = docs.nested()
            try:
                results.append(each_answer(op(MongoUnitOfWork(part))))
            except WinzoneError as exc:
                results.append(exc)
            else:
                part.keep()
        return results

    return run


class MongoLedgerStore(MongoStore, LedgerStore):
    """The ledger on a MongoDB replica set (see the module docstring)."""

    app_name = "winzone-wallet"
    collections = COLLECTIONS
    indexes = INDEXES
    errors = DriverErrors("ledger store", other="ledger store failed the operation")

    def __init__(self, client: MongoClientLike, db_name: str, *, timeout: float = DEFAULT_TIMEOUT,
                 max_batch: int = 256) -> None:
        super().__init__(client, db_name, timeout=timeout)
        self.group_commit = MongoGroupCommit(client, self._db, errors=self.errors, timeout=timeout,
                                             max_batch=max_batch, name="ledger-writer")

    def atomic(self, op: Callable[[LedgerUnitOfWork], T | Refusal]) -> T:
        return answer(self.group_commit.run(lambda docs: op(MongoUnitOfWork(docs))))

    async def atomic_async(self, op: Callable[[LedgerUnitOfWork], T | Refusal]) -> T:
        return answer(await self.group_commit.run_async(lambda docs: op(MongoUnitOfWork(docs))))

    def atomic_each(self, ops: Sequence[Callable[[LedgerUnitOfWork], T | Refusal]]) -> list[T | WinzoneError]:
        return self.group_commit.run(_each(ops))

    async def atomic_each_async(
        self, ops: Sequence[Callable[[LedgerUnitOfWork], T | Refusal]]
    ) -> list[T | WinzoneError]:
        return await self.group_commit.run_async(_each(ops))

    def close(self) -> None:
        self.group_commit.close()
        super().close()

    def migrate(self) -> None:
        """Collections and indexes, then funds on every user wallet stored before funds existed: its balance
        and held amount become its deposit fund (legacy legs and holds count as deposit), so no balance moves."""
        super().migrate()
        with self.errors.translated():
            self._db[ACCOUNTS].update_many(
                {"kind": "user", "funds": {"$exists": False}},
                [{"$set": {"funds": {"deposit": "$balance", "winnings": 0, "bonus": 0},
                           "heldFunds": {"deposit": "$held", "winnings": 0, "bonus": 0},
                           "version": {"$add": ["$version", 1]}}}],
            )

    def user_wallets(self) -> list[tuple[str, str]]:
        with self._bounded():
            docs = list(self._db[ACCOUNTS].find({"kind": "user"}, {"account": 1, "currency": 1},
                                                sort=[("account", ASCENDING), ("currency", ASCENDING)]))
        return [(str(d["account"]).removeprefix("user:"), str(d["currency"])) for d in docs]

    def get_account(self, account: Account, currency: str) -> AccountState | None:
        with self._bounded():
            doc = self._db[ACCOUNTS].find_one({"_id": _account_id(account.name, currency)})
        return None if doc is None else _account_state(doc)

    def get_controls(self, user_id: str) -> dict[str, Any] | None:
        with self._bounded():
            doc = self._db[CONTROLS].find_one({"_id": user_id})
        return None if doc is None else dict(json.loads(doc["doc"]))

    def get_transaction(self, tx_id: str) -> TransactionRecord | None:
        with self._bounded():
            doc = self._db[TRANSACTIONS].find_one({"_id": tx_id})
        return None if doc is None else _tx_record(doc)

    def bonus_grants_of(self, user_id: str, currency: str) -> list[BonusGrant]:
        with self._bounded():
            docs = list(self._db[BONUS_GRANTS].find({"userId": user_id, "currency": currency},
                                                    sort=[("createdAt", ASCENDING), ("_id", ASCENDING)]))
        return [_grant_record(doc) for doc in docs]

    def get_hold(self, hold_id: str) -> HoldRecord | None:
        with self._bounded():
            doc = self._db[HOLDS].find_one({"_id": hold_id, "tombstone": {"$ne": True}})
        return None if doc is None else _hold_record(doc)

    def open_holds(self) -> dict[str, tuple[int, int]]:
        with self._bounded():
            rows = list(self._db[HOLDS].aggregate([
                {"$match": {"status": "open"}},
                {"$group": {"_id": "$currency", "count": {"$sum": 1}, "total": {"$sum": "$amount"}}},
            ]))
        return {row["_id"]: (row["count"], row["total"]) for row in rows}

    def list_transactions(self, flt: TransactionFilter) -> TransactionPage:
        query: dict[str, Any] = {"userId": flt.user_id or {"$ne": None}}
        for field, value in (("type", flt.type), ("status", flt.status), ("currency", flt.currency)):
            if value:
                query[field] = value
        transactions = self._db[TRANSACTIONS]
        with self._snapshot() as session:
            total = transactions.count_documents(query, session=session)
            docs = list(transactions.find(
                query, sort=[("postedAt", DESCENDING), ("_id", DESCENDING)], skip=(flt.page - 1) * flt.limit,
                limit=flt.limit, session=session,
            ))
        return TransactionPage([_tx_record(d) for d in docs], total, flt.page, flt.limit)

    def activity(self, currency: str, start: str, end: str, types: Sequence[str], system_types: Sequence[str]
                 ) -> list[ActivityRow]:
        match = {"status": TxStatus.COMPLETED.value, "currency": currency, "postedAt": {"$gte": start, "$lt": end},
                 "type": {"$in": list(types)},
                 "$or": [{"userId": {"$ne": None}},
                         {"type": {"$in": list(system_types)}, "account": {"$not": {"$regex": "^pool:"}}}]}
        with self._snapshot() as session:
            rows = list(self._db[TRANSACTIONS].aggregate([
                {"$match": match},
                {"$group": {"_id": {"day": {"$substrBytes": ["$postedAt", 0, 10]}, "type": "$type"},
                            "credits": {"$sum": {"$cond": [{"$gt": ["$amount", 0]}, "$amount", 0]}},
                            "debits": {"$sum": {"$cond": [{"$lt": ["$amount", 0]}, {"$multiply": ["$amount", -1]},
                                                          0]}}}},
                {"$sort": {"_id.day": 1, "_id.type": 1}},
            ], session=session))
        return [ActivityRow(r["_id"]["day"], r["_id"]["type"], int(r["credits"]), int(r["debits"])) for r in rows]

    def tax_facts(self, user_id: str, currency: str, year: FinancialYear) -> TaxFacts:
        with self._snapshot() as session:
            doc = self._db[mongo_tax.TAX_YEARS].find_one(
                {"_id": mongo_tax.tax_year_id(user_id, currency, year.previous.label)}, session=session)
            wallet = mongo_tax.WalletDocs.load(self._db, session, user_id, currency)
        return wallet.tax_facts(year, None if doc is None else mongo_tax.tax_year_record(doc))

    def tax_year_get(self, user_id: str, currency: str, financial_year: str) -> TaxYearRecord | None:
        with self._bounded():
            doc = self._db[mongo_tax.TAX_YEARS].find_one(
                {"_id": mongo_tax.tax_year_id(user_id, currency, financial_year)})
        return None if doc is None else mongo_tax.tax_year_record(doc)

    def tax_years_of(self, currency: str, financial_year: str) -> list[TaxYearRecord]:
        with self._bounded():
            return mongo_tax.tax_years_of(self._db, None, currency, financial_year)

    def tax_wallets(self, currency: str, year: FinancialYear) -> list[str]:
        with self._snapshot() as session:
            return mongo_tax.tax_wallets(self._db, session, currency, year)

    def tax_payout_holds(self, currency: str, year: FinancialYear, user_id: str | None,
                         statuses: Sequence[str]) -> list[HoldRecord]:
        with self._snapshot() as session:
            return mongo_tax.payout_holds(self._db, session, currency, year, user_id, statuses, _hold_record)

    def tax_payout_refunds(self, hold_ids: Sequence[str]) -> dict[str, int]:
        with self._snapshot() as session:
            return mongo_tax.payout_refunds(self._db, session, hold_ids)

    def statement_opening(self, user_id: str, currency: str, before: str) -> dict[str, int]:
        with self._bounded():
            return mongo_tax.statement_opening(self._db, None, user_id, currency, before)

    def statement_legs(self, user_id: str, currency: str, start: str, end: str, limit: int
                       ) -> list[TransactionRecord]:
        with self._bounded():
            return mongo_tax.statement_legs(self._db, None, user_id, currency, start, end, limit, _tx_record)

    def audit_facts(self) -> AuditFacts:
        facts = AuditFacts()
        accounts, transactions, holds = self._db[ACCOUNTS], self._db[TRANSACTIONS], self._db[HOLDS]
        completed = {"$match": {"status": TxStatus.COMPLETED.value}}
        is_reward = {"$and": [{"$eq": ["$type", TxType.REWARD.value]}, {"$gt": ["$amount", 0]},
                              {"$ne": ["$userId", None]}]}
        with self._snapshot() as session:
            facts.accounts = [
                (d["account"], d["currency"], d["kind"], d["balance"], d["held"], d["totalEarnings"])
                for d in accounts.find({}, session=session)
            ]
            for row in transactions.aggregate([
                completed,
                {"$group": {"_id": {"account": "$account", "currency": "$currency"}, "total": {"$sum": "$amount"},
                            "rewards": {"$sum": {"$cond": [is_reward, "$amount", 0]}}}},
            ], session=session):
                key = (row["_id"]["account"], row["_id"]["currency"])
                facts.posted_sums[key] = row["total"]
                facts.reward_sums[key] = row["rewards"]
            facts.unbalanced_entries = [
                (row["_id"]["entryId"], row["_id"]["currency"], row["total"])
                for row in transactions.aggregate([
                    completed,
                    {"$group": {"_id": {"entryId": "$entryId", "currency": "$currency"},
                                "total": {"$sum": "$amount"}}},
                    {"$match": {"total": {"$ne": 0}}},
                ], session=session)
            ]
            for row in holds.aggregate([
                {"$match": {"status": HoldStatus.OPEN.value}},
                {"$group": {"_id": {"account": "$account", "currency": "$currency"}, "total": {"$sum": "$amount"}}},
            ], session=session):
                facts.open_hold_sums[(row["_id"]["account"], row["_id"]["currency"])] = row["total"]
            facts.hold_mismatches = [
                f"hold {row['_id']} is {row['status']} but its transaction is {row.get('txStatus')}"
                for row in holds.aggregate([
                    {"$match": {"tombstone": {"$ne": True}}},
                    {"$lookup": {"from": TRANSACTIONS, "localField": "transactionId", "foreignField": "_id",
                                 "as": "tx"}},
                    {"$project": {"status": 1, "txStatus": {"$arrayElemAt": ["$tx.status", 0]}}},
                    {"$match": {"$nor": [
                        {"status": HoldStatus.OPEN.value, "txStatus": TxStatus.PENDING.value},
                        {"status": HoldStatus.CAPTURED.value, "txStatus": TxStatus.COMPLETED.value},
                        {"status": HoldStatus.VOIDED.value, "txStatus": TxStatus.FAILED.value},
                    ]}},
                ], session=session)
            ]
            for row in self._db[BONUS_GRANTS].aggregate([
                {"$match": {"status": "active"}},
                {"$group": {"_id": {"userId": "$userId", "currency": "$currency"}, "total": {"$sum": "$remaining"}}},
            ], session=session):
                facts.bonus_grant_sums[(f"user:{row['_id']['userId']}", row["_id"]["currency"])] = row["total"]
            _fund_facts(self._db, session, facts)
            facts.transactions_checked = transactions.count_documents({}, session=session)
            facts.holds_checked = holds.count_documents({"tombstone": {"$ne": True}}, session=session)
        return facts


def _fund_sums(field: str, legacy: str) -> dict[str, Any]:
    """``$group`` sums of each fund of ``field`` (a document without it counts ``legacy`` as deposit)."""
    return {name: {"$sum": {"$ifNull": [f"${field}.{name}", f"${legacy}" if name == "deposit" else 0]}}
            for name in FUNDS}


def _fund_facts(db: Any, session: Any, facts: AuditFacts) -> None:
    """The per-fund aggregates of the audit (legacy legs, holds and accounts, stored without funds, as deposit)."""
    for doc in db[ACCOUNTS].find({"kind": "user"}, session=session):
        state = _account_state(doc)
        facts.account_funds[(doc["account"], doc["currency"])] = (state.funds, state.held_funds)
    key = {"account": "$account", "currency": "$currency"}
    for row in db[TRANSACTIONS].aggregate([
        {"$match": {"status": TxStatus.COMPLETED.value, "userId": {"$ne": None}}},
        {"$group": {"_id": key, **_fund_sums("funds", "amount")}},
    ], session=session):
        facts.posted_fund_sums[(row["_id"]["account"], row["_id"]["currency"])] = Funds.of(
            {name: row[name] for name in FUNDS})
    for row in db[HOLDS].aggregate([
        {"$match": {"status": HoldStatus.OPEN.value, "tombstone": {"$ne": True}}},
        {"$group": {"_id": key, **_fund_sums("funds", "amount")}},
    ], session=session):
        facts.open_hold_fund_sums[(row["_id"]["account"], row["_id"]["currency"])] = Funds.of(
            {name: row[name] for name in FUNDS})
