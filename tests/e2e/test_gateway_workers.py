"""``GATEWAY_WORKERS=2``: two gateway processes answer on the one port `winzone up` gave the gateway, each a
signed-in request as well as a plain one, and both stop cleanly with the stack. Which process answered is read
from the debug line each request leaves (``worker``); responses never say."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.support.stack import start_stack
from tests.support.users import sign_up

pytestmark = pytest.mark.e2e

ROUNDS = 40
BATCH = 32


def _workers_seen(records: list[dict[str, object]], route: str) -> set[object]:
    return {r.get("worker") for r in records if r.get("msg") == "http request" and r.get("route") == route}


def test_two_workers_share_the_port_and_stop_cleanly(tmp_path: Path) -> None:
    stack = start_stack(tmp_path / "stack", {"GATEWAY_WORKERS": "2", "LOG_LEVEL": "DEBUG"})
    try:
        with stack.client() as http:
            _, headers = sign_up(http)

        def fresh_connection(path: str) -> int:
            with httpx.Client(base_url=stack.url, timeout=30.0) as client:
                response = client.get(path, headers=headers)
                assert "pid" not in response.text and "worker" not in response.headers.get("server", "")
                return response.status_code

        with ThreadPoolExecutor(BATCH) as pool:
            for _ in range(ROUNDS):
                assert set(pool.map(fresh_connection, ["/api/ping", "/api/wallet"] * (BATCH // 2))) == {200}
                records = stack.log_records()
                if (_workers_seen(records, "/api/wallet") >= {"0", "1"}
                        and _workers_seen(records, "/api/ping") >= {"0", "1"}):
                    break
        records = stack.wait_for_log(lambda rs: _workers_seen(rs, "/api/wallet") >= {"0", "1"})
        assert _workers_seen(records, "/api/wallet") == {"0", "1"}
        assert _workers_seen(records, "/api/ping") == {"0", "1"}
        started = [r for r in records if r.get("msg") == "gateway workers started"]
        assert started and started[0]["workers"] == 2
    finally:
        code = stack.stop()
    log = stack.log()
    assert code == 0, log
    assert "WinZone stopped." in log
    stopped = [r for r in stack.log_records() if r.get("msg") == "gateway workers stopped"]
    assert stopped and stopped[0]["code"] == 0, log
    assert "gateway worker exited" not in log and "Traceback" not in log
