"""``GATEWAY_WORKERS`` > 1: several gateway processes serving one port.

The parent binds the listening socket once (a taken port is ``AddressInUse`` there, before any worker
starts, as with one process), then forks the workers; each inherits the socket and accepts on it, with its own
user store connection, gRPC channels and app. The gateway keeps no state a request depends on beyond the
user cache and the sign-in throttle, both per process (``use_cases.user_cache``, ``use_cases.throttle``).
Worker 0 serves ``GATEWAY_METRICS_PORT`` with its own process's figures only. SIGTERM or SIGINT to the parent
is passed to every worker, which finishes its requests (uvicorn's graceful shutdown) and exits 0; a worker
that dies otherwise stops the others, and the parent exits with its code.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable

from winzone_kernel.ports import EXIT_ADDRESS_IN_USE, AddressInUse

log = logging.getLogger("winzone.gateway")

WORKER_ENV = "WINZONE_GATEWAY_WORKER"
"""Set in each worker to its index (0, 1, ...); unset with one process. Named in the debug request line."""

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _Stopped(Exception):
    pass


def _raise_stopped(signum: int, frame: object) -> None:
    raise _Stopped


def _run_worker(index: int, serve: Callable[[int], None]) -> int:
    os.environ[WORKER_ENV] = str(index)
    for sig in STOP_SIGNALS:
        signal.signal(sig, _raise_stopped)
    try:
        serve(index)
    except _Stopped:
        return 0
    except AddressInUse as exc:
        print(f"gateway worker {index}: {exc}", file=sys.stderr, flush=True)
        return EXIT_ADDRESS_IN_USE
    except BaseException:
        log.exception("gateway worker failed", extra={"fields": {"worker": index}})
        return 1
    return 0


def run_workers(count: int, sock: socket.socket, serve: Callable[[int], None]) -> int:
    """Fork ``count`` workers that each run ``serve(index)`` (accepting on ``sock``) until stopped; 0 when
    they were stopped by a signal to this process, else the first failed worker's exit code."""
    stopping = False
    children: dict[int, int] = {}

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            _signal(pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
    try:
        for index in range(count):
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    code = _run_worker(index, serve)
                finally:
                    logging.shutdown()
                    os._exit(code)
            children[pid] = index
            if stopping:
                _signal(pid, signal.SIGTERM)
        log.info("gateway workers started", extra={"fields": {"workers": count}})
        failed = 0
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            if pid not in children:
                continue
            index = children.pop(pid)
            code = os.waitstatus_to_exitcode(status)
            if code != 0 and not stopping:
                log.error("gateway worker exited; stopping the others",
                          extra={"fields": {"worker": index, "code": code}})
                failed = failed or (code if code > 0 else 1)
                stopping = True
                for other in children:
                    _signal(other, signal.SIGTERM)
        log.info("gateway workers stopped", extra={"fields": {"workers": count, "code": failed}})
        return failed
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
