"""Reading the stable error code a WinZone service answered with, over gRPC or in a REST envelope."""

from __future__ import annotations

from typing import Any

import grpc

from winzone_kernel.grpc_errors import ERROR_CODE_KEY


def error_code(exc: grpc.RpcError) -> str:
    """The machine code a WinZone service put in the trailing metadata of a failed call ('' when none)."""
    call: Any = exc
    return dict(call.trailing_metadata() or ()).get(ERROR_CODE_KEY, "")


def rest_error_code(response: Any) -> str:
    """The ``error`` code of a REST error envelope (httpx or Starlette test client response)."""
    code: str = response.json()["error"]
    return code
