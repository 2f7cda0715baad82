"""The committed gRPC code is exactly what scripts/gen_protos.py generates from the .proto files."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VERSION_LINES = re.compile(r"^(# Protobuf Python Version: .*|GRPC_GENERATED_VERSION = .*)$", re.MULTILINE)


def _normalise(text: str) -> str:
    """Drop the lines that only record the generator's own version, so a newer grpcio-tools still matches."""
    text = re.sub(r"_runtime_version\.ValidateProtobufRuntimeVersion\([^)]*\)", "", text, flags=re.DOTALL)
    return VERSION_LINES.sub("", text)


def test_generated_code_matches_protos(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("gen_protos", ROOT / "scripts" / "gen_protos.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    protos = gen.generate(tmp_path)
    assert protos, "no .proto files found"
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed_root = ROOT / "protos"
    committed = sorted(
        p.relative_to(committed_root) for p in committed_root.rglob("*")
        if p.is_file() and p.suffix != ".proto" and "__pycache__" not in p.parts
    )
    assert fresh == committed, "generated file set differs: run `make protos`"
    for rel in fresh:
        assert _normalise((tmp_path / rel).read_text()) == _normalise((committed_root / rel).read_text()), (
            f"{rel} is stale: run `make protos` and commit the result"
        )
