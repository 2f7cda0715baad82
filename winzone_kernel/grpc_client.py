"""Outgoing gRPC calls: internal token, request id propagation, a deadline on every call, and downstream
errors turned back into the domain errors they stand for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc

from winzone_kernel.grpc_errors import error_from_rpc
from winzone_kernel.grpc_server import TOKEN_HEADER
from winzone_kernel.logs import REQUEST_ID_HEADER, request_id_var

DEFAULT_DEADLINE_SECONDS = 10.0


class _OutgoingInterceptor(grpc.aio.UnaryUnaryClientInterceptor):
    def __init__(self, token: str, deadline: float) -> None:
        self._token = token
        self._deadline = deadline

    async def intercept_unary_unary(
        self, continuation: Callable[..., Any], client_call_details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        metadata = list(client_call_details.metadata or ())
        metadata.append((TOKEN_HEADER, self._token))
        rid = request_id_var.get()
        if rid:
            metadata.append((REQUEST_ID_HEADER, rid))
        details = grpc.aio.ClientCallDetails(
            method=client_call_details.method,
            timeout=client_call_details.timeout if client_call_details.timeout is not None else self._deadline,
            metadata=grpc.aio.Metadata(*metadata),
            credentials=client_call_details.credentials,
            wait_for_ready=client_call_details.wait_for_ready,
        )
        return await continuation(details, request)


class _TranslatingInterceptor(grpc.aio.UnaryUnaryClientInterceptor):
    """Awaits each call and raises the downstream domain error (``error_from_rpc``) instead of ``AioRpcError``."""

    async def intercept_unary_unary(
        self, continuation: Callable[..., Any], client_call_details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        call = await continuation(client_call_details, request)
        try:
            return await call
        except grpc.aio.AioRpcError as exc:
            raise error_from_rpc(exc) from exc


def internal_channel(target: str, token: str, *, deadline: float = DEFAULT_DEADLINE_SECONDS) -> grpc.aio.Channel:
    """An aio channel to another WinZone service that authenticates every call and bounds its time; failed
    calls raise ``grpc.aio.AioRpcError`` (for tools and tests that look at status codes)."""
    return grpc.aio.insecure_channel(
        target,
        interceptors=[_OutgoingInterceptor(token, deadline)],
        options=[("grpc.max_receive_message_length", 16 * 1024 * 1024)],
    )


def service_channel(target: str, token: str, *, deadline: float = DEFAULT_DEADLINE_SECONDS) -> grpc.aio.Channel:
    """Like ``internal_channel``, but a failed call raises the domain error the downstream service raised
    (``InvalidArgument``, ``InsufficientFunds``, ``Unavailable`` ...), so outbound clients need no
    ``except AioRpcError`` of their own."""
    return grpc.aio.insecure_channel(
        target,
        interceptors=[_OutgoingInterceptor(token, deadline), _TranslatingInterceptor()],
        options=[("grpc.max_receive_message_length", 16 * 1024 * 1024)],
    )
