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

from wallet_service.domain.accounts import Account
from wallet_service.domain.activity import ActivityRow
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
from winzone_kernel.errors import IdempotencyConflict, InsufficientFunds, InvalidState, WinzoneError
from winzone_kernel.mongo import DEFAULT_TIMEOUT, DriverErrors, MongoClientLike, MongoStore
from winzone_kernel.mongo_batch import CommandDocuments, DocumentExists, MongoGroupCommit

T = TypeVar("T")

ACCOUNTS = "accounts"
TRANSACTIONS = "transactions"
HOLDS = "holds"
IDEMPOTENCY = "idempotency"
CONTROLS = "player_controls"
COLLECTIONS = (ACCOUNTS, TRANSACTIONS, HOLDS, IDEMPOTENCY, CONTROLS)

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
    HOLDS: [
        IndexModel([("status", ASCENDING)], name="status"),
        IndexModel([("transactionId", ASCENDING)], name="transactionId_unique", unique=True),
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
    }


def _tx_record(doc: Mapping[str, Any]) -> TransactionRecord:
    return TransactionRecord(
        id=doc["_id"], account=doc["account"], user_id=doc["userId"], type=doc["type"], amount=doc["amount"],
        currency=doc["currency"], status=doc["status"], source=doc["source"], description=doc["description"],
        metadata={k: v for k, v in doc["metadata"]}, idempotency_key=doc["idempotencyKey"],
        balance_after=doc["balanceAfter"], entry_id=doc["entryId"], hold_id=doc["holdId"],
        created_at=doc["createdAt"], updated_at=doc["updatedAt"], posted_at=doc["postedAt"],
    )


def _hold_doc(hold: HoldRecord) -> dict[str, Any]:
    return {
        "_id": hold.id, "account": hold.account, "userId": hold.user_id, "currency": hold.currency,
        "amount": hold.amount, "status": hold.status, "transactionId": hold.transaction_id,
        "createdAt": hold.created_at, "updatedAt": hold.updated_at,
    }


def _hold_record(doc: Mapping[str, Any]) -> HoldRecord:
    return HoldRecord(
        id=doc["_id"], account=doc["account"], user_id=doc["userId"], currency=doc["currency"],
        amount=doc["amount"], status=doc["status"], transaction_id=doc["transactionId"],
        created_at=doc["createdAt"], updated_at=doc["updatedAt"],
    )


def _account_state(doc: Mapping[str, Any]) -> AccountState:
    return AccountState(doc["account"], doc["currency"], doc["balance"], doc["held"], doc["totalEarnings"])


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

    def account_apply(self, account: Account, currency: str, delta: int, earnings: int, now: str) -> AccountState:
        doc = self._docs.get(ACCOUNTS, _account_id(account.name, currency))
        if doc is None:
            state = AccountState(account.name, currency, delta, 0, earnings)
            self._check_funds(account, state)
            self._docs.insert(ACCOUNTS, {
                "_id": _account_id(account.name, currency), "account": account.name, "currency": currency,
                "kind": account.kind.value, "balance": state.balance, "held": state.held,
                "totalEarnings": state.total_earnings, "version": 1, "createdAt": now, "updatedAt": now,
            })
            return state
        state = AccountState(account.name, currency, doc["balance"] + delta, doc["held"],
                             doc["totalEarnings"] + earnings)
        self._check_funds(account, state)
        self._update_account(doc, state, now)
        return state

    def account_hold(self, account: Account, currency: str, delta_held: int, now: str) -> AccountState:
        doc = self._docs.get(ACCOUNTS, _account_id(account.name, currency))
        if doc is None:
            raise InsufficientFunds()
        state = AccountState(account.name, currency, doc["balance"], doc["held"] + delta_held, doc["totalEarnings"])
        if (state.available < 0 or state.held < 0) and not self._docs.guessing:
            raise InsufficientFunds()
        self._update_account(doc, state, now)
        return state

    def _check_funds(self, account: Account, state: AccountState) -> None:
        if not account.may_go_negative and state.available < 0 and not self._docs.guessing:
            raise InsufficientFunds(f"Insufficient balance in {account.kind.value} account")

    def _update_account(self, doc: Mapping[str, Any], state: AccountState, now: str) -> None:
        self._docs.replace(ACCOUNTS, {
            **doc, "balance": state.balance, "held": state.held, "totalEarnings": state.total_earnings,
            "updatedAt": now, "version": doc["version"] + 1,
        })

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
            facts.transactions_checked = transactions.count_documents({}, session=session)
            facts.holds_checked = holds.count_documents({"tombstone": {"$ne": True}}, session=session)
        return facts
