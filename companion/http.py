"""The companion's HTTP connections: no local process can hold them open to wedge the service.

uvicorn's h11 protocol times out only a connection that idles after a response: one that sends
half a request, or one byte every few seconds, stays open for ever, and a thousand of them use up
the process's file handles. This protocol gives every request a deadline from its first byte to
its last (headers and body: our bodies are at most 64 KiB, so seconds are plenty), and refuses
connections beyond a cap the moment they are accepted, so their handles come straight back.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import socket
import time

from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("netral.http")


class GuardedH11Protocol(H11Protocol):
    """H11Protocol with a per-request read deadline and a cap on open connections."""

    request_seconds: float = 10.0  # set per server by `guarded(...)`
    max_connections: int = 64

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._deadline: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            transport.abort()  # its handle is free again at once; the client sees a reset
            return
        self._arm()

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(self.request_seconds, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        cycle = self.cycle
        if self._deadline is None and (cycle is None or cycle.response_complete):
            self._arm()  # the first bytes of a new request on a kept-alive connection
        super().data_received(data)
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete and not cycle.more_body:
            self._disarm()  # the whole request is in; the answer is ours to give

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def guarded(request_seconds: float, max_connections: int) -> type[GuardedH11Protocol]:
    """A protocol class with these limits, for uvicorn.Config(http=...)."""
    return type("GuardedH11Protocol", (GuardedH11Protocol,),
                {"request_seconds": request_seconds, "max_connections": max_connections})


def _spare_handle() -> int | None:
    try:
        return os.open(os.devnull, os.O_RDONLY)
    except OSError:
        return None


class SheddingListener(socket.socket):
    """A listening socket that never lets asyncio see "too many open files".

    When accept() fails with EMFILE, asyncio (3.11–3.13) logs it and schedules one retry per
    remaining slot of its accept loop, and under a sustained flood those retries multiply until
    the companion stops answering. Instead, this socket keeps one spare handle: out of handles,
    it gives the spare back, takes the waiting connection and closes it at once, takes the spare
    again, and tells asyncio the queue is empty for now. Excess connections are refused one by
    one and the service answers again as soon as the flood's own connections close.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._spare = _spare_handle()
        self._last_warning = 0.0

    def accept(self):  # type: ignore[override]
        try:
            return super().accept()
        except OSError as error:
            if error.errno not in (errno.EMFILE, errno.ENFILE) or self._spare is None:
                raise
        os.close(self._spare)
        self._spare = None
        try:
            connection, _ = super().accept()
            connection.close()
        except OSError:
            pass
        finally:
            self._spare = _spare_handle()
        now = time.monotonic()
        if now - self._last_warning > 10:
            self._last_warning = now
            log.warning("out of file handles: refusing new connections until some close")
        raise ConnectionAbortedError(errno.ECONNABORTED, "refused: out of file handles")

    def close(self) -> None:
        if self._spare is not None:
            os.close(self._spare)
            self._spare = None
        super().close()
