"""The `winzone` command: up (--mongo), serve, migrate, create-admin, audit, tax close-year."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from winzone_kernel.config import CommonSettings, ConfigError
from winzone_ops.registry import BY_NAME

if TYPE_CHECKING:
    from wallet_service.domain.audit import AuditReport


def _up(args: argparse.Namespace) -> int:
    from winzone_ops.supervisor import run_stack

    return run_stack(mongo=args.mongo)


def _serve(args: argparse.Namespace) -> int:
    from winzone_kernel.ports import EXIT_ADDRESS_IN_USE, AddressInUse

    try:
        BY_NAME[args.service].entrypoint()()
    except AddressInUse as exc:
        print(f"{args.service}: {exc}", file=sys.stderr, flush=True)
        return EXIT_ADDRESS_IN_USE
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from winzone_ops.admin import FundsMigration, migrate_all

    reports: list[FundsMigration] = []
    done = migrate_all(CommonSettings.from_env(require_token=False), reports.append)
    print(f"migrated: {', '.join(done)}")
    for report in reports:
        _print_ledger_audit("ledger audit before the funds migration", report.before)
        total = sum(amount for _, _, amount in report.moved)
        print(f"funds migration: {len(report.moved)} wallets moved {total} minor units of earnings to winnings")
        _print_ledger_audit("ledger audit after the funds migration", report.after)
    return 0 if all(report.after.ok for report in reports) else 1


def _print_ledger_audit(title: str, report: AuditReport) -> None:
    state = "ok" if report.ok else f"{len(report.violations)} violations"
    print(f"{title}: {state} ({report.accounts_checked} accounts, {report.transactions_checked} transactions, "
          f"{report.holds_checked} holds)")
    for violation in report.violations:
        print(f"  {violation}")


def _create_admin(args: argparse.Namespace) -> int:
    from winzone_ops.admin import ensure_admin

    user_id = ensure_admin(CommonSettings.from_env(require_token=False), args.email, args.password, args.name)
    print(f"admin {args.email} ready (id {user_id})")
    return 0


def _audit(args: argparse.Namespace) -> int:
    import json

    from winzone_ops.audit_report import run_full_audit

    audit = run_full_audit(CommonSettings.from_env(require_token=False), args.grace_seconds)
    report, stuck, cross = audit.ledger, audit.stuck, audit.cross
    if args.json:
        print(json.dumps({"ok": audit.ok, "wallet": {"ok": report.ok, "violations": report.violations,
                                                     "totals": report.totals, "accounts": report.accounts_checked,
                                                     "transactions": report.transactions_checked,
                                                     "holds": report.holds_checked},
                          "stuck": stuck, "cross": cross.to_dict()}, indent=2))
        return 0 if audit.ok else 1
    totals = ", ".join(f"{c}={t}" for c, t in sorted(report.totals.items())) or "none"
    print(f"accounts={report.accounts_checked} transactions={report.transactions_checked} "
          f"holds={report.holds_checked} sums by currency: {totals}")
    print("cross-service: " + " ".join(f"{k}={v}" for k, v in cross.checked.items()))
    for violation in report.violations:
        print(f"VIOLATION: {violation}")
    for item in stuck:
        print(f"STUCK: {item}")
    for discrepancy in cross.discrepancies:
        print(f"DISCREPANCY: {discrepancy}")
    if audit.ok:
        print("audit: OK")
        return 0
    print(f"audit: FAILED ({len(report.violations)} violations, {len(stuck)} stuck past {args.grace_seconds}s, "
          f"{len(cross.discrepancies)} discrepancies across services)")
    return 1


def _webhook(args: argparse.Namespace) -> int:
    from winzone_ops.webhook import send_mock_webhook

    reply = send_mock_webhook(args.type, args.session, url=args.url, amount=args.amount, currency=args.currency,
                              payment_status=args.payment_status, event_id=args.event_id,
                              dispute_status=args.dispute_status, payout=args.payout)
    print(f"HTTP {reply.status}: {reply.body}")
    return 0 if 200 <= reply.status < 300 else 1


def _health(args: argparse.Namespace) -> int:
    import os

    from winzone_kernel.config import env_int
    from winzone_ops.supervisor import grpc_serving, http_healthy

    if BY_NAME[args.service].grpc:
        port = CommonSettings.from_env(require_token=False).ports[args.service]
        healthy = grpc_serving(f"127.0.0.1:{port}")
    else:
        healthy = http_healthy(f"http://127.0.0.1:{env_int(os.environ, 'GATEWAY_PORT', 5000)}")
    print("SERVING" if healthy else "NOT_SERVING")
    return 0 if healthy else 1


def _tax_close_year(args: argparse.Namespace) -> int:
    import asyncio

    from winzone.wallet.v1 import wallet_pb2, wallet_pb2_grpc
    from winzone_kernel.errors import WinzoneError
    from winzone_kernel.grpc_client import service_channel

    common = CommonSettings.from_env()

    async def close() -> wallet_pb2.CloseTaxYearResponse:
        async with service_channel(common.addresses["wallet"], common.internal_token, deadline=3600) as channel:
            stub = wallet_pb2_grpc.WalletServiceStub(channel)
            return await stub.CloseTaxYear(wallet_pb2.CloseTaxYearRequest(financial_year=args.fy,
                                                                          currency=args.currency))

    try:
        r = asyncio.run(close())
    except WinzoneError as exc:
        print(f"tax close-year: {exc.code}: {exc.message}", file=sys.stderr)
        return 1
    print(f"tax year {r.financial_year} {r.currency}: wallets={r.wallets} closed_now={r.closed_now} "
          f"already_closed={r.already_closed} net_winnings={r.net_winnings} tds={r.tds} shortfall={r.shortfall} "
          "(minor units)")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from winzone_ops.demo import run_demo

    return run_demo(args.url, admin_email=args.admin_email, admin_password=args.admin_password)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="winzone", description="WinZone money backend")
    sub = root.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start every service on embedded SQLite (or, with --mongo, on a local MongoDB)")
    up.add_argument("--mongo", action="store_true",
                    help="start a one-member MongoDB replica set from the bundled mongod (data kept in "
                    "<data dir>/mongo) and run every service on it; stopped with the stack")
    up.set_defaults(func=_up)
    serve = sub.add_parser("serve", help="run one service")
    serve.add_argument("service", choices=sorted(BY_NAME))
    serve.set_defaults(func=_serve)
    sub.add_parser("migrate", help="create tables/collections and indexes").set_defaults(func=_migrate)
    admin = sub.add_parser("create-admin", help="create an admin (or reset one's password)")
    admin.add_argument("--email", required=True)
    admin.add_argument("--password", required=True)
    admin.add_argument("--name", default="Administrator")
    admin.set_defaults(func=_create_admin)
    audit = sub.add_parser("audit", help="check every ledger invariant, look for stuck payouts and top-ups, and "
                           "check the books across services and against the provider; non-zero exit on any finding")
    audit.add_argument("--grace-seconds", type=int, default=600,
                       help="how long a payout may stay approved, or a paid top-up uncredited (default 600)")
    audit.add_argument("--json", action="store_true", help="print every finding as one JSON document")
    audit.set_defaults(func=_audit)
    webhook = sub.add_parser("webhook", help="send a signed mock-provider webhook to the gateway (development)")
    webhook.add_argument("--type", required=True, help="checkout.session.completed, ...async_payment_succeeded, "
                         "...async_payment_failed or ...expired; charge.refunded, charge.dispute.created or "
                         "charge.dispute.closed (the mock records the refund or dispute of the paid session); "
                         "transfer.reversed (the mock records the reversal of the paid --payout)")
    webhook.add_argument("--session", help="our session id (tps_...) or its mock_session_... ref")
    webhook.add_argument("--payout", help="our payout id, for transfer.reversed")
    webhook.add_argument("--url", default="http://localhost:5000", help="the gateway's base URL")
    webhook.add_argument("--amount", help="major units; default: the stored session's amount (for a refund or "
                         "reversal: all that is left)")
    webhook.add_argument("--currency", help="default: the stored session's currency")
    webhook.add_argument("--payment-status", help="default: paid for completed/succeeded, else unpaid")
    webhook.add_argument("--dispute-status", default="lost", choices=("won", "lost"),
                         help="how charge.dispute.closed decides the dispute (default lost)")
    webhook.add_argument("--event-id", help="default: a new evt_mock_... id (reuse one to see it deduplicated)")
    webhook.set_defaults(func=_webhook)
    health = sub.add_parser("health", help="probe a service on this host (container healthchecks)")
    health.add_argument("service", choices=sorted(BY_NAME))
    health.set_defaults(func=_health)
    tax = sub.add_parser("tax", help="tax operations on the wallet (over gRPC)")
    tax_sub = tax.add_subparsers(dest="tax_command", required=True)
    close_year = tax_sub.add_parser("close-year", help="close an ended financial year: tax the net winnings left "
                                    "in each wallet (TDS to tds_payable) and record the next year's opening")
    close_year.add_argument("--fy", required=True, help="the financial year, e.g. 2026-27")
    close_year.add_argument("--currency", default="INR", help="default INR")
    close_year.set_defaults(func=_tax_close_year)
    demo = sub.add_parser("demo", help="walk the five test flows against a running stack over REST")
    demo.add_argument("--url", default="http://localhost:5000", help="the gateway's base URL")
    demo.add_argument("--admin-email", help="default: WINZONE_ADMIN_EMAIL, else the dev admin of `winzone up`")
    demo.add_argument("--admin-password", help="default: WINZONE_ADMIN_PASSWORD, else the dev admin's")
    demo.set_defaults(func=_demo)
    return root


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        code = args.func(args)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        code = 2
    sys.exit(code)


if __name__ == "__main__":
    main()
