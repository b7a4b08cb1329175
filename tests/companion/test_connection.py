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


def _served_with_limits(tmp_path, signer, nofile: int, **env):
    """A real `serve` whose file-handle limit is `nofile`, with the given NETRAL_* settings."""
    import resource
    import subprocess
    import sys

    from companion_testkit import REPO, cli_env

    bundle = signer.bundle(tmp_path, 1)
    data_dir = tmp_path / "data"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - kept open for the process's life
    process = subprocess.Popen(
        [sys.executable, "-m", "companion", "serve", "--port", "0", "--data-dir", str(data_dir),
         "--rules", str(bundle), "--trusted-keys", str(signer.trusted_keys)],
        stdout=subprocess.PIPE, stderr=log, env=cli_env(**env), cwd=REPO, preexec_fn=limit)
    line = process.stdout.readline().decode().strip()
    assert line.startswith("listening on http://127.0.0.1:"), line
    return process, int(line.rsplit(":", 1)[1]), log


def _health(port: int, timeout: float = 2.0) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def test_a_half_sent_request_is_closed_after_the_deadline(tmp_path, signer):
    process, port, log = _served_with_limits(tmp_path, signer, 256,
                                             NETRAL_REQUEST_TIMEOUT_SECONDS="1")
    try:
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1")  # and never the rest
        dribble = socket.create_connection(("127.0.0.1", port))
        started = time.monotonic()
        slow.settimeout(5)
        assert slow.recv(1024) == b""  # closed by the companion, not by us
        assert 0.8 < time.monotonic() - started < 4
        # One byte every 0.4 s keeps no connection alive past the deadline either.
        dribble.settimeout(0.4)
        closed = False
        for byte in b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n":
            try:
                dribble.sendall(bytes([byte]))
                if dribble.recv(1024) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except OSError:
                closed = True
                break
        assert closed and time.monotonic() - started < 5
        # A whole request on a kept-alive connection is still answered, twice.
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            assert client.get("/v1/health").status_code == 200
            time.sleep(1.5)  # idle longer than the request deadline, shorter than keep-alive
            assert client.get("/v1/health").status_code == 200
        slow.close()
        dribble.close()
    finally:
        process.kill()
        process.wait()
        log.close()


def test_health_answers_again_seconds_after_a_flood_of_idle_connections(tmp_path, signer):
    """1,000 connections that never finish a request, against a companion allowed 128 handles."""
    process, port, log = _served_with_limits(tmp_path, signer, 128,
                                             NETRAL_REQUEST_TIMEOUT_SECONDS="2")
    flood: list[socket.socket] = []
    try:
        for _ in range(1000):
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=1)
                sock.sendall(b"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
                flood.append(sock)
            except OSError:
                pass  # refused or reset while the companion is out of handles: part of it
        for sock in flood:
            sock.close()
        flood.clear()
        deadline = time.monotonic() + 5
        while not _health(port):
            assert time.monotonic() < deadline, "health did not answer within 5 s of the flood"
            time.sleep(0.1)
        assert process.poll() is None  # it never crashed
    finally:
        for sock in flood:
            sock.close()
        process.kill()
        process.wait()
        log.close()


def test_connections_beyond_the_cap_are_refused_at_once(tmp_path, signer):
    process, port, log = _served_with_limits(tmp_path, signer, 256, NETRAL_MAX_CONNECTIONS="8")
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
    try:
        time.sleep(0.3)  # all eight accepted
        extra = socket.create_connection(("127.0.0.1", port))
        extra.settimeout(3)
        started = time.monotonic()
        try:
            refused = extra.recv(1) == b""
        except ConnectionResetError:
            refused = True
        assert refused and time.monotonic() - started < 1  # not left to time out
        extra.close()
        for sock in idle:
            sock.close()
        deadline = time.monotonic() + 3
        while not _health(port):
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        process.kill()
        process.wait()
        log.close()
