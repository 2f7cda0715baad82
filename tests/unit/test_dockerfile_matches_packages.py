"""The image cannot drift from the packaging: every package pyproject.toml installs is copied into the build."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dockerfile_copies_every_installed_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = project["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {p.removesuffix("*") for p in patterns if p.removesuffix("*") != "winzone"}
    copied = set(re.findall(r"^COPY (\w+) \./\1$", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE))
    assert packages <= copied, f"Dockerfile does not copy {sorted(packages - copied)}"
    assert all((ROOT / name / "__init__.py").is_file() for name in packages)
    assert (ROOT / "protos" / "winzone").is_dir() and re.search(r"^COPY protos \./protos$",
                                                               (ROOT / "Dockerfile").read_text(), re.MULTILINE)
