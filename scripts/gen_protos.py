"""Regenerate the Python gRPC code from every ``.proto`` under ``protos/`` (run: python scripts/gen_protos.py).

Generated modules are written beside their ``.proto`` files, into the ``winzone`` package rooted at
``protos/``, and committed. ``tests/unit/test_generated_code.py`` fails when this would change them.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"


def generate(out_dir: Path) -> list[Path]:
    """Generate code for every proto into ``out_dir``; return the proto files compiled."""
    protos = sorted(PROTOS.rglob("*.proto"))
    include = str(resources.files("grpc_tools") / "_proto")
    for proto in protos:
        rel = proto.relative_to(PROTOS)
        args = [
            "protoc",
            f"-I{PROTOS}",
            f"-I{include}",
            f"--python_out={out_dir}",
            f"--pyi_out={out_dir}",
            f"--grpc_python_out={out_dir}",
            str(rel),
        ]
        if protoc.main(args) != 0:
            raise SystemExit(f"protoc failed for {rel}")
        package_dir = out_dir / rel.parent
        for parent in [package_dir, *package_dir.relative_to(out_dir).parents]:
            init = out_dir / parent / "__init__.py"
            if parent != Path(".") and not init.exists():
                init.write_text('"""Generated protobuf and gRPC code; edit the .proto files instead."""\n')
    return protos


if __name__ == "__main__":
    compiled = generate(PROTOS)
    print(f"generated code for {len(compiled)} proto file(s) under {PROTOS}", file=sys.stderr)
