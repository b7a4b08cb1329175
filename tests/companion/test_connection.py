"""The companion's sockets: TCP_NODELAY on every accepted connection."""

import os
import socket
import threading
import time

import httpx
import uvicorn

from companion.app import create_app
from companion.cli import _listen
from companion.config import Settings


def _accepted_nodelay(server_port: int, client_port: int) -> int:
    """TCP_NODELAY of this process's socket accepted on server_port from client_port."""
    for fd in os.listdir("/proc/self/fd"):
        try:
            probe = socket.socket(fileno=os.dup(int(fd)))
        except OSError:
            continue  # not a socket
        with probe:
            if probe.family not in (socket.AF_INET, socket.AF_INET6):
                continue
            try:
                local, peer = probe.getsockname(), probe.getpeername()
            except OSError:
                continue
            if local[1] == server_port and peer[1] == client_port:
                return probe.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    raise AssertionError("the accepted socket was not found")


def _serve(listener: socket.socket, settings: Settings) -> uvicorn.Server:
    config = uvicorn.Config(create_app(settings), log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True).start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    return server


def test_every_accepted_connection_has_tcp_nodelay(tmp_path, signer):
    bundle = signer.bundle(tmp_path, 1)
    settings = Settings(data_dir=tmp_path / "data", rules=[bundle],
                        trusted_keys=signer.trusted_keys)
    listener = _listen("127.0.0.1", 0)
    port = listener.getsockname()[1]
    server = _serve(listener, settings.model_copy(update={"port": port}))
    try:
        for _ in range(3):  # three fresh connections, each checked on the server's side
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
                assert client.get("/v1/health").json() == {"status": "ok"}
                assert client.get("/v1/health").status_code == 200  # kept alive
                stream = client._transport._pool.connections[0]._connection._network_stream
                client_port = stream.get_extra_info("socket").getsockname()[1]
                assert _accepted_nodelay(port, client_port) == 1
        # The cause, said plainly: asyncio sets TCP_NODELAY only below a proto-TCP listener.
        assert listener.proto == socket.IPPROTO_TCP
    finally:
        server.should_exit = True
