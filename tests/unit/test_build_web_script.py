"""`scripts/build_web.sh` (run by `make run`): builds the web app only when the build is missing or older than
its sources, runs `npm ci` then `npm run build`, and without Node.js 20 and npm says so and exits 0 so that the
API still starts. The node and npm it meets here are small stand-ins on PATH that record how they were run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build_web.sh"
NEEDS_NODE = ("Node.js 20 and npm are needed to build the web app: apt-get install nodejs npm (or see nodejs.org); "
              "starting the API without it.")
FAKE_NPM = """#!/bin/sh
echo "npm $*" >> "$NPM_LOG"
if [ "$1" = "ci" ]; then mkdir -p node_modules && echo '{}' > node_modules/.package-lock.json; fi
if [ "$1 $2" = "run build" ]; then mkdir -p dist/assets && echo '<!doctype html>' > dist/index.html; fi
"""


def _tools(tmp_path: Path, node_version: str | None, npm: bool = True) -> Path:
    """A bin folder with the shell tools the script uses, and the given stand-ins for node and npm."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    for tool in ("bash", "sh", "find", "sed", "dirname", "mkdir", "cat"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    if node_version is not None:
        (bin_dir / "node").write_text(f"#!/bin/sh\necho {node_version}\n")
        (bin_dir / "node").chmod(0o755)
    if npm:
        (bin_dir / "npm").write_text(FAKE_NPM)
        (bin_dir / "npm").chmod(0o755)
    return bin_dir


def _app(tmp_path: Path) -> Path:
    web = tmp_path / "web"
    (web / "src").mkdir(parents=True)
    (web / "src" / "main.tsx").write_text("export {};\n")
    (web / "index.html").write_text("<!doctype html>\n")
    (web / "package.json").write_text("{}\n")
    (web / "package-lock.json").write_text("{}\n")
    return web


def _run(web: Path, bin_dir: Path, log: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(bin_dir), "WEB_DIR": str(web), "NPM_LOG": str(log), "HOME": str(web.parent)}
    return subprocess.run([str(bin_dir / "bash"), str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


def _npm_calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_a_missing_build_is_built_with_npm_ci_then_npm_run_build_and_then_left_alone(tmp_path: Path) -> None:
    web, log = _app(tmp_path), tmp_path / "npm.log"
    bin_dir = _tools(tmp_path, "v20.11.1")
    first = _run(web, bin_dir, log)
    assert first.returncode == 0, first.stdout + first.stderr
    assert _npm_calls(log) == ["npm ci --no-audit --no-fund", "npm run build"]
    assert (web / "dist" / "index.html").is_file() and "Web app built" in first.stdout
    again = _run(web, bin_dir, log)
    assert again.returncode == 0 and "up to date" in again.stdout
    assert len(_npm_calls(log)) == 2


def test_a_source_newer_than_the_build_rebuilds_without_reinstalling(tmp_path: Path) -> None:
    web, log = _app(tmp_path), tmp_path / "npm.log"
    bin_dir = _tools(tmp_path, "v22.1.0")
    assert _run(web, bin_dir, log).returncode == 0
    built = (web / "dist" / "index.html").stat().st_mtime
    os.utime(web / "src" / "main.tsx", (built + 10, built + 10))
    rebuilt = _run(web, bin_dir, log)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert _npm_calls(log) == ["npm ci --no-audit --no-fund", "npm run build", "npm run build"]
    lock = (web / "node_modules" / ".package-lock.json").stat().st_mtime
    os.utime(web / "package-lock.json", (lock + 20, lock + 20))
    os.utime(web / "dist" / "index.html", (lock + 5, lock + 5))
    assert _run(web, bin_dir, log).returncode == 0
    assert _npm_calls(log)[-2:] == ["npm ci --no-audit --no-fund", "npm run build"]


def test_without_node_or_npm_or_with_an_old_node_it_says_so_and_exits_0(tmp_path: Path) -> None:
    web = _app(tmp_path)
    for case, (node, npm) in {"none": (None, False), "old": ("v18.19.0", True), "no-npm": ("v20.1.0", False),
                              "odd": ("not-a-version", True)}.items():
        log = tmp_path / f"{case}.log"
        bin_dir = _tools(tmp_path / case, node, npm)
        result = _run(web, bin_dir, log)
        assert result.returncode == 0, (case, result.stdout + result.stderr)
        assert result.stdout.strip() == NEEDS_NODE, case
        assert _npm_calls(log) == [] and not (web / "dist").exists(), case


def test_without_a_web_folder_it_starts_the_api_without_it(tmp_path: Path) -> None:
    result = _run(tmp_path / "web", _tools(tmp_path, "v20.11.1"), tmp_path / "npm.log")
    assert result.returncode == 0 and "No web app in" in result.stdout
    assert not (tmp_path / "web").exists()


def test_a_build_that_leaves_no_index_fails_loudly(tmp_path: Path) -> None:
    web, log = _app(tmp_path), tmp_path / "npm.log"
    bin_dir = _tools(tmp_path, "v20.11.1")
    (bin_dir / "npm").write_text(f"#!/bin/sh\necho \"npm $*\" >> {log}\n")
    result = _run(web, bin_dir, log)
    assert result.returncode == 1 and "is missing" in result.stderr
