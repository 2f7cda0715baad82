"""The reward store on MongoDB: replica-set transactions retried by ``with_transaction``, unique indexes.

Every step runs in one multi-document transaction (read and write concern ``majority``, primary reads).
A competition document carries a ``version``: a write only applies to the version that was read, and a
lost race is raised with the ``TransientTransactionError`` label so that ``with_transaction`` reruns the
whole step on a fresh snapshot. Because every step that depends on a competition's state rewrites that
competition, two competing steps always write the same document and one of them is rerun, which closes
the write-skew gap that snapshot isolation would otherwise leave. Reads outside a step use a snapshot
session. Documents use camelCase field names; ``_id`` is the competition id, contribution id or match id.
A contribution written before attempts existed has no ``attempt``: it reads as attempt 0 (its wallet key is
unchanged), and ``migrate`` writes the 0 in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from reward_service.adapters.lease_values import lease_until_of
from reward_service.domain.model import Competition, Contribution, Distribution, Payout, Refund, RefundLine
from reward_service.domain.ports import Cursor, RewardStore, RewardUnitOfWork
from winzone_kernel.errors import AlreadyExists
from winzone_kernel.mongo import DriverErrors, MongoStore, TransientConflict

T = TypeVar("T")

COMPETITIONS = "competitions"
CONTRIBUTIONS = "contributions"
DISTRIBUTIONS = "distributions"
REFUNDS = "refunds"
COLLECTIONS = (COMPETITIONS, CONTRIBUTIONS, DISTRIBUTIONS, REFUNDS)

INDEXES: dict[str, list[IndexModel]] = {
    COMPETITIONS: [
        IndexModel([("organizerId", ASCENDING), ("createdAt", ASCENDING)], name="organizerId_createdAt"),
        IndexModel([("status", ASCENDING)], name="status"),
        IndexModel([("createdAt", DESCENDING), ("_id", DESCENDING)], name="newest"),
        IndexModel([("status", ASCENDING), ("createdAt", DESCENDING), ("_id", DESCENDING)], name="status_newest"),
        IndexModel([("organizerId", ASCENDING), ("createdAt", DESCENDING), ("_id", DESCENDING)],
                   name="organizerId_newest"),
    ],
    CONTRIBUTIONS: [
        IndexModel([("competitionId", ASCENDING), ("status", ASCENDING)], name="competitionId_status"),
        IndexModel([("status", ASCENDING), ("leaseUntil", ASCENDING)], name="status_leaseUntil"),
        IndexModel([("userId", ASCENDING), ("createdAt", ASCENDING)], name="userId_createdAt"),
        IndexModel([("competitionId", ASCENDING), ("createdAt", ASCENDING), ("_id", ASCENDING)], name="entries",
                   partialFilterExpression={"kind": "entry"}),
        IndexModel(
            [("competitionId", ASCENDING), ("userId", ASCENDING)], name="one_entry_per_user", unique=True,
            partialFilterExpression={"kind": "entry"},
        ),
    ],
    DISTRIBUTIONS: [
        IndexModel([("competitionId", ASCENDING)], name="competitionId"),
        IndexModel([("status", ASCENDING), ("updatedAt", ASCENDING)], name="status_updatedAt"),
    ],
    REFUNDS: [
        IndexModel([("status", ASCENDING), ("updatedAt", ASCENDING)], name="status_updatedAt"),
    ],
}


class StaleCompetition(TransientConflict):
    """The competition changed after this transaction read it; ``with_transaction`` reruns the step."""


def _competition_doc(c: Competition) -> dict[str, Any]:
    return {"_id": c.id, "organizerId": c.organizer_id, "entryFee": c.entry_fee, "currency": c.currency,
            "template": c.template, "status": c.status, "poolBalance": c.pool_balance, "entries": c.entries,
            "version": c.version, "createdAt": c.created_at, "updatedAt": c.updated_at}


def _competition(d: dict[str, Any]) -> Competition:
    return Competition(d["_id"], d["organizerId"], d["entryFee"], d["currency"], d["template"], d["status"],
                       d["poolBalance"], d["entries"], d["version"], d["createdAt"], d["updatedAt"])


def _contribution_doc(c: Contribution) -> dict[str, Any]:
    return {"_id": c.id, "competitionId": c.competition_id, "userId": c.user_id, "kind": c.kind,
            "amount": c.amount, "currency": c.currency, "requestFingerprint": c.request_fingerprint,
            "status": c.status, "leaseToken": c.lease_token, "leaseUntil": c.lease_until,
            "createdAt": c.created_at, "updatedAt": c.updated_at, "attempt": c.attempt}


def _contribution(d: dict[str, Any]) -> Contribution:
    return Contribution(d["_id"], d["competitionId"], d["userId"], d["kind"], d["amount"], d["currency"],
                        d["requestFingerprint"], d["status"], d["leaseToken"], lease_until_of(d["leaseUntil"]),
                        d["createdAt"], d["updatedAt"], d.get("attempt", 0))


def _after(sort_field: str, after: Cursor | None) -> list[dict[str, Any]]:
    """The filter clauses of a page that resumes just after ``after`` in (``sort_field``, ``_id``) order."""
    if after is None:
        return []
    return [{"$or": [{sort_field: {"$gt": after[0]}}, {sort_field: after[0], "_id": {"$gt": after[1]}}]}]


def _distribution_doc(d: Distribution) -> dict[str, Any]:
    return {"_id": d.match_id, "competitionId": d.competition_id, "fingerprint": d.fingerprint,
            "template": d.template, "shares": list(d.shares), "currency": d.currency, "prizePool": d.prize_pool,
            "platformFee": d.platform_fee, "organizerFee": d.organizer_fee, "organizerId": d.organizer_id,
            "platformFeePercentage": d.platform_fee_percentage,
            "organizerFeePercentage": d.organizer_fee_percentage,
            "payouts": [[p.user_id, p.rank, p.amount] for p in d.payouts], "status": d.status,
            "entryId": d.entry_id, "createdAt": d.created_at, "updatedAt": d.updated_at}


def _distribution(d: dict[str, Any]) -> Distribution:
    return Distribution(
        match_id=d["_id"], competition_id=d["competitionId"], fingerprint=d["fingerprint"], template=d["template"],
        shares=tuple(d["shares"]), currency=d["currency"], prize_pool=d["prizePool"], platform_fee=d["platformFee"],
        organizer_fee=d["organizerFee"], organizer_id=d["organizerId"],
        platform_fee_percentage=d["platformFeePercentage"], organizer_fee_percentage=d["organizerFeePercentage"],
        payouts=tuple(Payout(u, r, a) for u, r, a in d["payouts"]), status=d["status"], entry_id=d["entryId"],
        created_at=d["createdAt"], updated_at=d["updatedAt"],
    )


def _refund_doc(r: Refund) -> dict[str, Any]:
    return {"_id": r.competition_id, "reason": r.reason, "status": r.status, "total": r.total,
            "lines": [[x.user_id, x.amount, x.kind, x.contribution_id] for x in r.lines], "entryId": r.entry_id,
            "createdAt": r.created_at, "updatedAt": r.updated_at}


def _refund(d: dict[str, Any]) -> Refund:
    return Refund(d["_id"], d["reason"], d["status"], d["total"], tuple(RefundLine(*x) for x in d["lines"]),
                  d["entryId"], d["createdAt"], d["updatedAt"])


class MongoRewardUnitOfWork(RewardUnitOfWork):
    """Reward reads and writes inside one MongoDB transaction or snapshot session (every call passes it)."""

    __slots__ = ("_competitions", "_contributions", "_distributions", "_refunds", "_session")

    def __init__(self, db: Any, session: Any) -> None:
        self._competitions = db[COMPETITIONS]
        self._contributions = db[CONTRIBUTIONS]
        self._distributions = db[DISTRIBUTIONS]
        self._refunds = db[REFUNDS]
        self._session = session

    def _insert(self, collection: Any, doc: dict[str, Any], what: str) -> None:
        try:
            collection.insert_one(doc, session=self._session)
        except DuplicateKeyError as exc:
            raise AlreadyExists(f"{what} already exists") from exc

    def competition_get(self, competition_id: str) -> Competition | None:
        doc = self._competitions.find_one({"_id": competition_id}, session=self._session)
        return None if doc is None else _competition(doc)

    def competition_add(self, competition: Competition) -> None:
        self._insert(self._competitions, _competition_doc(competition), "The competition")

    def competition_update(self, competition: Competition) -> None:
        doc = _competition_doc(competition)
        del doc["_id"], doc["createdAt"]
        result = self._competitions.update_one(
            {"_id": competition.id, "version": competition.version - 1}, {"$set": doc}, session=self._session
        )
        if result.matched_count != 1:
            raise StaleCompetition(f"competition {competition.id} changed concurrently")

    def contribution_get(self, contribution_id: str) -> Contribution | None:
        doc = self._contributions.find_one({"_id": contribution_id}, session=self._session)
        return None if doc is None else _contribution(doc)

    def contribution_add(self, contribution: Contribution) -> None:
        self._insert(self._contributions, _contribution_doc(contribution), "The contribution")

    def contribution_update(self, contribution: Contribution) -> None:
        c = contribution
        self._contributions.update_one(
            {"_id": c.id, "status": {"$ne": "paid"}},
            {"$set": {"status": c.status, "attempt": c.attempt, "amount": c.amount, "currency": c.currency,
                      "leaseToken": c.lease_token, "leaseUntil": c.lease_until, "updatedAt": c.updated_at}},
            session=self._session,
        )

    def contributions_of(self, competition_id: str) -> list[Contribution]:
        docs = self._contributions.find({"competitionId": competition_id}, sort=[("_id", ASCENDING)],
                                        session=self._session)
        return [_contribution(d) for d in docs]

    def competitions_page(self, status: str, organizer_id: str, skip: int, limit: int
                          ) -> tuple[list[Competition], int]:
        query = {name: value for name, value in (("status", status), ("organizerId", organizer_id)) if value}
        docs = self._competitions.find(query, sort=[("createdAt", DESCENDING), ("_id", DESCENDING)], skip=skip,
                                       limit=limit, session=self._session)
        page = [_competition(d) for d in docs]
        return page, self._competitions.count_documents(query, session=self._session)

    def entries_page(self, competition_id: str, skip: int, limit: int) -> tuple[list[Contribution], int]:
        query = {"competitionId": competition_id, "kind": "entry", "status": {"$ne": "refused"}}
        docs = self._contributions.find(query, sort=[("createdAt", ASCENDING), ("_id", ASCENDING)], skip=skip,
                                        limit=limit, session=self._session)
        page = [_contribution(d) for d in docs]
        return page, self._contributions.count_documents(query, session=self._session)

    def contributions_pending(self, lease_expired_by: str, limit: int, after: Cursor | None = None
                              ) -> list[Contribution]:
        """``$not $gt`` rather than ``$lte``: a lease end written as epoch seconds (see ``lease_values``) is
        never greater than a timestamp string, so it is listed as ended (and claimed only if it has)."""
        query = {"$and": [{"status": "pending", "leaseUntil": {"$not": {"$gt": lease_expired_by}}},
                          *_after("leaseUntil", after)]}
        docs = self._contributions.find(query, sort=[("leaseUntil", ASCENDING), ("_id", ASCENDING)], limit=limit,
                                        session=self._session)
        return [_contribution(d) for d in docs]

    def distribution_get(self, match_id: str) -> Distribution | None:
        doc = self._distributions.find_one({"_id": match_id}, session=self._session)
        return None if doc is None else _distribution(doc)

    def distribution_add(self, distribution: Distribution) -> None:
        self._insert(self._distributions, _distribution_doc(distribution), "A distribution of this match")

    def distributions_pending(self, updated_before: str, limit: int, after: Cursor | None = None
                              ) -> list[Distribution]:
        query = {"$and": [{"status": "pending", "updatedAt": {"$lt": updated_before}}, *_after("updatedAt", after)]}
        docs = self._distributions.find(query, sort=[("updatedAt", ASCENDING), ("_id", ASCENDING)], limit=limit,
                                        session=self._session)
        return [_distribution(d) for d in docs]

    def distribution_mark_paid(self, match_id: str, entry_id: str, now: str) -> None:
        self._distributions.update_one(
            {"_id": match_id, "status": "pending"},
            {"$set": {"status": "paid", "entryId": entry_id, "updatedAt": now}},
            session=self._session,
        )

    def refund_get(self, competition_id: str) -> Refund | None:
        doc = self._refunds.find_one({"_id": competition_id}, session=self._session)
        return None if doc is None else _refund(doc)

    def refund_add(self, refund: Refund) -> None:
        self._insert(self._refunds, _refund_doc(refund), "A refund of this competition")

    def refund_update(self, refund: Refund) -> None:
        doc = _refund_doc(refund)
        del doc["_id"], doc["createdAt"]
        self._refunds.update_one({"_id": refund.competition_id, "status": {"$ne": "paid"}}, {"$set": doc},
                                 session=self._session)

    def refunds_unfinished(self, updated_before: str, limit: int, after: Cursor | None = None) -> list[Refund]:
        query = {"$and": [{"status": {"$in": ["collecting", "pending"]}, "updatedAt": {"$lt": updated_before}},
                          *_after("updatedAt", after)]}
        docs = self._refunds.find(query, sort=[("updatedAt", ASCENDING), ("_id", ASCENDING)], limit=limit,
                                  session=self._session)
        return [_refund(d) for d in docs]


class MongoRewardStore(MongoStore, RewardStore):
    """The reward store on a MongoDB replica set (see the module docstring)."""

    app_name = "winzone-rewards"
    collections = COLLECTIONS
    indexes = INDEXES
    errors = DriverErrors("reward store")

    def migrate(self) -> None:
        super().migrate()
        with self.errors.translated():
            self._db[CONTRIBUTIONS].update_many({"attempt": {"$exists": False}}, {"$set": {"attempt": 0}})

    def atomic(self, op: Callable[[RewardUnitOfWork], T]) -> T:
        return self._transaction(lambda session: op(MongoRewardUnitOfWork(self._db, session)))

    def read(self, op: Callable[[RewardUnitOfWork], T]) -> T:
        with self._snapshot() as session:
            return op(MongoRewardUnitOfWork(self._db, session))
