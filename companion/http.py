"""The companion's HTTP connections: no local process can hold them open to wedge the service.

uvicorn's h11 protocol times out only a connection that idles after a response: one that sends
half a request, or one byte every few seconds, stays open for ever, and a thousand of them use up
the process's file handles. This protocol gives every request a deadline from its first byte to
its last (headers and body: our bodies are at most 64 KiB, so seconds are plenty), and refuses
connections beyond a cap the moment they are accepted, so their handles come straight back.

Also the server that announces `listening on` once the rules are loaded and the socket accepts.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from pathlib import Path

import click
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from companion.config import read_port_file, write_port_file

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


class AnnouncingServer(uvicorn.Server):
    """Writes DATA_DIR/port and prints the listening line once the lifespan (rules loaded) and the
    listener are up."""

    def __init__(self, config: uvicorn.Config, line: str, port_path: Path, port: int,
                 on_listening: Callable[[], None] = lambda: None):
        super().__init__(config)
        self.line = line
        self.port_path = port_path
        self.port = port
        self.on_listening = on_listening

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            write_port_file(self.port_path, self.port)
            click.echo(self.line)
            sys.stdout.flush()
            self.on_listening()

    async def shutdown(self, sockets=None) -> None:
        # Here, not after run(): uvicorn re-raises SIGTERM once serving ends, ending the process.
        try:
            if read_port_file(self.port_path) == self.port:
                self.port_path.unlink(missing_ok=True)  # the native host says not_running at once
        except OSError:
            pass
        await super().shutdown(sockets=sockets)
