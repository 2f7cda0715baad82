"""The web app's generated API types (``web/src/lib/api/schema.d.ts``) match the gateway's OpenAPI document.

The document is dumped in-process by ``scripts/dump_openapi.py`` (the same script ``npm run gen:api`` uses),
turned into TypeScript by the web app's own ``openapi-typescript``, and compared with the committed file.
"""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
COMMITTED = WEB / "src" / "lib" / "api" / "schema.d.ts"
GENERATOR = WEB / "node_modules" / ".bin" / "openapi-typescript"
FIX = "run `npm --prefix web run gen:api`"


def test_generated_types_match_the_gateway_openapi(tmp_path: Path) -> None:
    if not GENERATOR.exists():
        pytest.fail(f"web/node_modules is missing (no {GENERATOR.relative_to(ROOT)}): run `npm ci --prefix web`, "
                    f"then {FIX}")
    document = tmp_path / "openapi.json"
    generated = tmp_path / "schema.d.ts"
    dump = subprocess.run([sys.executable, str(ROOT / "scripts" / "dump_openapi.py")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert dump.returncode == 0, f"scripts/dump_openapi.py failed:\n{dump.stderr}"
    assert '"openapi"' in dump.stdout and '"/api/wallet"' in dump.stdout
    document.write_text(dump.stdout, encoding="utf-8")

    run = subprocess.run([str(GENERATOR), str(document), "-o", str(generated)], cwd=WEB,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, f"openapi-typescript failed:\n{run.stdout}\n{run.stderr}"

    expected = generated.read_text(encoding="utf-8")
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    if committed != expected:
        lines = difflib.unified_diff(committed.splitlines(keepends=True), expected.splitlines(keepends=True),
                                     "web/src/lib/api/schema.d.ts (committed)", "generated now", n=1)
        diff = "".join(list(lines)[:80])
        pytest.fail(f"web/src/lib/api/schema.d.ts is out of date with the gateway's OpenAPI: {FIX}\n{diff}")
    assert "export interface paths" in committed
