"""Issue 12's browser tests: the web app, built and served by the gateway of a real `winzone up` stack (SQLite),
driven in Debian's Chromium by the Playwright specs in web/e2e (every flow from a fresh user, by role and
accessible name, axe on every page, screenshots into web/e2e/screenshots). Afterwards the books of the stack
must still be right: the wallet's audit and the cross-service audit of `winzone audit --json`."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.stack import Stack, start_stack

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
DIST_INDEX = WEB / "dist" / "index.html"
BUILD_INPUTS = ("src", "public", "index.html", "package.json", "package-lock.json", "vite.config.ts")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
BUILD_TIMEOUT = 300
PLAYWRIGHT_TIMEOUT = 600
EXTRA_ARGS = shlex.split(os.environ.get("PLAYWRIGHT_ARGS", ""))
"""``PLAYWRIGHT_ARGS``: more arguments for `playwright test`, e.g. one spec file (`withdrawals`)."""


def _newest_input() -> float:
    stamps = [0.0]
    for name in BUILD_INPUTS:
        path = WEB / name
        if path.is_dir():
            stamps.extend(p.stat().st_mtime for p in path.rglob("*") if p.is_file())
        elif path.exists():
            stamps.append(path.stat().st_mtime)
    return max(stamps)


def _ensure_built() -> None:
    """web/dist as the sources are now: built again when missing or older than any of its inputs."""
    if not (WEB / "package.json").exists():
        pytest.fail("web/package.json is missing: the web app is not in this checkout")
    if not (WEB / "node_modules" / ".bin" / "playwright").exists():
        pytest.fail("web/node_modules lacks Playwright: run `npm ci --prefix web` (make test does)")
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure_chromium.sh (make test does)")
    if DIST_INDEX.exists() and DIST_INDEX.stat().st_mtime >= _newest_input():
        return
    build = subprocess.run(["npm", "--prefix", str(WEB), "run", "build"], capture_output=True, text=True,
                           timeout=BUILD_TIMEOUT)
    assert build.returncode == 0, build.stdout + build.stderr
    assert DIST_INDEX.exists(), build.stdout


def _browser_url(stack: Stack) -> str:
    """The gateway as browsers reach it: the public URL its checkout pages and redirects name (a different
    host spelling would be another origin, with none of the app's signed-in state)."""
    public = stack.env.get("GATEWAY_PUBLIC_URL")
    if public:
        return public.rstrip("/")
    return stack.url.replace("://127.0.0.1:", "://localhost:")


def _admin_audit(stack: Stack) -> dict[str, object]:
    with stack.client() as http:
        login = http.post("/api/auth/login", json={"email": stack.admin_email, "password": stack.admin_password})
        token = login.json()["data"]["token"]
        response = http.get("/api/admin/audit", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    report: dict[str, object] = response.json()["data"]
    return report


@pytest.mark.timeout(BUILD_TIMEOUT + PLAYWRIGHT_TIMEOUT + 120)
def test_the_web_app_in_chromium(tmp_path: Path) -> None:
    """The stack serves a copy of the build, so that a rebuild of web/dist meanwhile changes nothing it serves."""
    _ensure_built()
    dist = shutil.copytree(WEB / "dist", tmp_path / "dist")
    stack = start_stack(tmp_path / "stack", {"WEB_DIST_DIR": str(dist)})
    try:
        url = _browser_url(stack)
        with httpx.Client(base_url=url, timeout=10) as http:
            page = http.get("/wallet/topup/success")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), page.text[:500]
        assert "<script" in page.text, "the gateway does not serve the built app at client routes: " + page.text[:500]

        env = {**os.environ, "WINZONE_URL": url, "WINZONE_ADMIN_EMAIL": stack.admin_email,
               "WINZONE_ADMIN_PASSWORD": stack.admin_password, "CHROMIUM_PATH": CHROMIUM, "CI": "1",
               "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}
        run = subprocess.run(["npx", "--no", "playwright", "test", *EXTRA_ARGS], cwd=WEB, env=env, capture_output=True,
                             text=True, timeout=PLAYWRIGHT_TIMEOUT)
        output = run.stdout + run.stderr
        print(output)
        assert run.returncode == 0, output + "\n--- stack log (tail) ---\n" + stack.log()[-20000:]

        stack.assert_audit_ok()
        audit = subprocess.run([sys.executable, "-m", "winzone_ops.cli", "audit", "--json"], env=stack.env,
                               capture_output=True, text=True, timeout=120)
        assert audit.returncode == 0, audit.stdout + audit.stderr
        document = json.loads(audit.stdout)
        assert document["ok"] is True and document["cross"]["discrepancies"] == [], document
        checked = document["cross"]["checked"]
        if not EXTRA_ARGS:
            assert checked["holds"] >= 1 and checked["payouts"] >= 1 and checked["sessions"] >= 1, checked
            assert checked["pools"] >= 1, checked
        assert _admin_audit(stack)["ok"] is True
    finally:
        assert stack.stop() == 0, stack.log()
