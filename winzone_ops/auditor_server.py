"""The auditor: a read-only gRPC service of the operator package that runs the full audit of the books
(``winzone_ops.audit_report``) for the REST gateway's ``GET /api/admin/audit``.

The gateway may not read other services' stores nor import operator code, so it asks this process, which
`winzone up` starts beside the services (``winzone serve auditor``). It serves like every service: the shared
interceptor (internal token, request id, error mapping), health and reflection, metrics, graceful stop. It
opens the stores for each audit and closes them after, and runs one audit at a time.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping

import grpc

from winzone.audit.v1 import audit_pb2, audit_pb2_grpc
from winzone_kernel.config import CommonSettings
from winzone_kernel.errors import InvalidArgument
from winzone_kernel.grpc_server import ServingServer, serve_until_signal, start_server
from winzone_kernel.logs import configure_logging
from winzone_kernel.metrics import serve_metrics
from winzone_ops.audit_report import DEFAULT_STUCK_GRACE_SECONDS, FullAudit, run_full_audit
from winzone_ops.cross_audit import provider_from_env

SERVICE = "auditor"
SERVICE_NAME = audit_pb2.DESCRIPTOR.services_by_name["AuditService"].full_name
MAX_GRACE_SECONDS = 30 * 24 * 3600
log = logging.getLogger("winzone.auditor")

AuditRunner = Callable[[int], FullAudit]
"""``(stuck_grace_seconds) -> FullAudit``: blocking; run off the event loop."""


def report_message(found: FullAudit) -> audit_pb2.AuditReport:
    """The protobuf form of one audit, field by field."""
    ledger = found.ledger
    return audit_pb2.AuditReport(
        ok=found.ok,
        checked_at=found.checked_at,
        ledger=audit_pb2.LedgerReport(
            ok=ledger.ok, violations=ledger.violations, accounts_checked=ledger.accounts_checked,
            transactions_checked=ledger.transactions_checked, holds_checked=ledger.holds_checked,
            totals=[audit_pb2.CurrencyTotal(currency=c, sum_of_balances=t) for c, t in sorted(ledger.totals.items())],
        ),
        stuck=found.stuck,
        cross_service=audit_pb2.CrossServiceReport(
            ok=found.cross.ok, checked=dict(found.cross.checked),
            discrepancies=[
                audit_pb2.Discrepancy(kind=d.kind, ids=dict(d.ids), amounts=dict(d.amounts), detail=d.detail,
                                      currency=currency)
                for d, currency in zip(found.cross.discrepancies, found.currencies, strict=True)
            ],
        ),
    )


class AuditServicer(audit_pb2_grpc.AuditServiceServicer):
    """Runs ``run`` for each call, one at a time, in a worker thread. A call cancelled by its deadline keeps the
    turn until its audit thread ends, so audits never overlap."""

    def __init__(self, run: AuditRunner) -> None:
        self._run = run
        self._one_at_a_time = asyncio.Lock()

    async def RunAudit(self, request: audit_pb2.RunAuditRequest,
                       context: grpc.aio.ServicerContext) -> audit_pb2.AuditReport:
        """The full audit: ledger, stuck work (past ``stuck_grace_seconds``, 0: 600) and cross-service checks."""
        grace = request.stuck_grace_seconds or DEFAULT_STUCK_GRACE_SECONDS
        if not 0 < grace <= MAX_GRACE_SECONDS:
            raise InvalidArgument(f"stuck_grace_seconds must be between 1 and {MAX_GRACE_SECONDS}")
        async with self._one_at_a_time:
            running = asyncio.ensure_future(asyncio.to_thread(self._run, grace))
            try:
                found = await asyncio.shield(running)
            except asyncio.CancelledError:
                await asyncio.wait([running])
                raise
        if not found.ok:
            log.warning("audit found problems", extra={"fields": {
                "violations": len(found.ledger.violations), "stuck": len(found.stuck),
                "discrepancies": len(found.cross.discrepancies)}})
        return report_message(found)


async def create_server(run: AuditRunner, *, token: str, port: int = 0, host: str = "127.0.0.1") -> ServingServer:
    """Start an auditor gRPC server on ``port`` (0 picks a free one) answering with ``run``."""
    servicer = AuditServicer(run)

    def register(server: grpc.aio.Server) -> list[str]:
        audit_pb2_grpc.add_AuditServiceServicer_to_server(servicer, server)
        return [SERVICE_NAME]

    return await start_server(register=register, token=token, port=port, host=host)


def runner(common: CommonSettings, env: Mapping[str, str]) -> AuditRunner:
    """Audits over the stores ``common`` names and the provider ``env`` configures."""
    provider = provider_from_env(env)

    def run(grace_seconds: int) -> FullAudit:
        return run_full_audit(common, grace_seconds, provider)

    return run


async def serve(common: CommonSettings, run: AuditRunner) -> None:
    """Run the auditor until SIGTERM/SIGINT."""
    serve_metrics(common.metrics_ports[SERVICE], common.bind_host)
    serving = await create_server(run, token=common.internal_token, port=common.ports[SERVICE],
                                  host=common.bind_host)
    log.info("auditor listening", extra={"fields": {"port": serving.port}})
    await serve_until_signal(serving)


def main() -> None:
    """Entry point of ``winzone serve auditor``."""
    env = os.environ
    common = CommonSettings.from_env(env)
    configure_logging(SERVICE, common.log_level)
    asyncio.run(serve(common, runner(common, env)))
