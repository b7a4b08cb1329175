"""Connecting: the proof before the token, the native-messaging host, one shared proof.

Attacks tried (3): a squatter that answers like the companion without the token; a relay on another
port that forwards every request, Host rewritten, to the real companion; a squatter holding the port
the native host would name (stale DATA_DIR/port). Each asserts the token never reached it. Also: 20
concurrent messages before any proof make one proof, not 20.
"""

from __future__ import annotations

import http.client
import json
import stat
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from e2e_testkit import (
    ORIGIN,
    REPO,
    Companion,
    configure_extension,
    extension_status,
    extension_worker,
    launch_with_extension,
)
from playwright.sync_api import BrowserContext

CHECK = {"what": "check", "platform": "x", "action": "like",
         "post": {"author_handle": "someone", "text": "Selamat pagi"}}


class Recorder(ThreadingHTTPServer):
    """An HTTP server on a free loopback port that records each request's path and headers."""

    daemon_threads = True

    def __init__(self, handler):
        super().__init__(("127.0.0.1", 0), handler)
        self.seen: list[tuple[str, dict]] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Squatter(BaseHTTPRequestHandler):
    """Answers like a companion that does not hold the token: a well-formed but wrong proof."""

    def do_GET(self):
        self.server.seen.append((self.path, dict(self.headers)))
        body = {"proof": "0" * 64, "companion_nonce": "ab" * 16, "status": "ok", "rules": None,
                "pact": None, "acknowledgements": {"count": 0, "losses": []}}
        self._answer(200, body)

    do_POST = do_GET

    def _answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def relay_to(port: int):
    class Relay(BaseHTTPRequestHandler):
        """Forwards every request to the real companion, with the Host header it expects."""

        def _forward(self):
            self.server.seen.append((self.path, dict(self.headers)))
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            headers["Host"] = f"127.0.0.1:{port}"
            upstream = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _forward

        def log_message(self, *args):
            pass

    return Relay


@pytest.fixture
def fresh_browser(playwright_instance, tmp_path) -> Iterator[callable]:
    """A Chromium of its own (a new profile), optionally with our native host registered in it."""
    contexts: list[BrowserContext] = []

    def launch(native_data_dir: Path | None = None) -> BrowserContext:
        profile = tmp_path / f"profile-{len(contexts)}"
        if native_data_dir is not None:
            register_native_host(profile, tmp_path, native_data_dir)
        context = launch_with_extension(playwright_instance, profile)
        contexts.append(context)
        extension_worker(context)
        return context

    yield launch
    for context in contexts:
        context.close()


def register_native_host(profile: Path, tmp: Path, data_dir: Path) -> Path:
    """A user-level host manifest where Chromium reads it for a --user-data-dir profile
    (<user-data-dir>/NativeMessagingHosts), naming a wrapper that runs our host on `data_dir`."""
    from companion.native_host import HOST_NAME, host_manifest

    wrapper = tmp / f"native-host-{profile.name}.sh"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"export NETRAL_DATA_DIR='{data_dir}' PYTHONPATH='{REPO}'\n"
        f"exec '{sys.executable}' -m companion.native_host \"$@\"\n"
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    hosts = profile / "NativeMessagingHosts"
    hosts.mkdir(parents=True)
    (hosts / f"{HOST_NAME}.json").write_text(json.dumps(host_manifest(wrapper, [ORIGIN])))
    return wrapper


def send(context: BrowserContext, message: dict, count: int = 1) -> list:
    """`count` copies of `message` to the service worker at once, from an extension page."""
    page = context.new_page()
    try:
        page.goto(f"{ORIGIN}/icons/16.png")  # an extension document that sends nothing itself
        return page.evaluate(
            "([m, n]) => Promise.all(Array.from({length: n}, () => chrome.runtime.sendMessage(m)))",
            [message, count])
    finally:
        page.close()


def never_saw_token(server: Recorder, token: str) -> None:
    assert server.seen, "the extension never dialled it"
    for path, headers in server.seen:
        assert "authorization" not in {name.lower() for name in headers}, (path, headers)
        assert token not in path and token not in json.dumps(headers), path


def test_a_squatter_gets_no_token(fresh_browser, companion: Companion):
    squatter = Recorder(Squatter)
    try:
        context = fresh_browser()
        configure_extension(context, companionUrl=squatter.url, companionToken=companion.token)
        status = extension_status(context)
        answer = send(context, CHECK)[0]
        assert status["connected"] is False and status["error"] == "proof_mismatch", status
        assert answer["verdict"] == "unchecked" and answer["reason"] == "proof_mismatch", answer
        never_saw_token(squatter, companion.token)
        assert all(path.startswith("/v1/hello?nonce=") for path, _ in squatter.seen), squatter.seen
    finally:
        squatter.shutdown()


def test_a_relay_on_another_port_fails_the_proof(fresh_browser, companion: Companion):
    relay = Recorder(relay_to(companion.port))
    try:
        # The relay works: the real companion answers it (hello needs no token).
        probe = http.client.HTTPConnection("127.0.0.1", relay.server_address[1], timeout=5)
        probe.request("GET", "/v1/hello?nonce=" + "ab" * 16)
        assert probe.getresponse().status == 200
        probe.close()
        relay.seen.clear()
        context = fresh_browser()
        configure_extension(context, companionUrl=relay.url, companionToken=companion.token)
        status = extension_status(context)
        assert status["connected"] is False and status["error"] == "proof_mismatch", status
        never_saw_token(relay, companion.token)
        # The same browser straight at the companion connects: the relay's port is what failed.
        configure_extension(context, companionUrl=companion.url)
        assert extension_status(context)["connected"] is True
    finally:
        relay.shutdown()


def test_native_host_connects_without_typing_anything(fresh_browser, companion: Companion):
    context = fresh_browser(native_data_dir=companion.data_dir)
    status = extension_status(context)
    assert status["connected"] is True and status["proofOk"] is True, status
    assert status["config"]["source"] == "native"
    assert status["config"]["companionUrl"] == companion.url
    assert send(context, CHECK)[0]["verdict"] == "allow"
    worker = extension_worker(context)
    local = worker.evaluate("chrome.storage.local.get(null)")
    session = worker.evaluate("chrome.storage.session.get(null)")
    assert companion.token not in json.dumps(local), "the native host's token went to local storage"
    assert session["nativeCompanion"]["found"]["token"] == companion.token


def test_a_squatter_on_the_native_hosts_port_gets_no_token(fresh_browser, companion: Companion,
                                                           tmp_path):
    """DATA_DIR/port names a port a squatter holds (the companion is gone): the host, which
    proves the port before it answers, says not_running, and the extension falls back."""
    squatter = Recorder(Squatter)
    try:
        data_dir = tmp_path / "stale"
        data_dir.mkdir(mode=0o700)
        (data_dir / "token").write_text(companion.token + "\n")
        (data_dir / "port").write_text(f"{squatter.server_address[1]}\n")
        context = fresh_browser(native_data_dir=data_dir)
        status = extension_status(context)
        assert status["connected"] is False and status["config"]["source"] == "pairing", status
        assert status["config"]["nativeError"] == "not_running", status
        for path, headers in squatter.seen:  # the host's probe only, never a token
            assert path.startswith("/v1/hello?nonce=") and "Authorization" not in headers
    finally:
        squatter.shutdown()


def test_concurrent_messages_share_one_proof(fresh_browser, companion: Companion):
    """20 messages at a worker that has not proved the companion yet: one /v1/hello, not 20; and
    before the first answer only the configuration and that proof ran (the status came after)."""
    context = fresh_browser()
    configure_extension(context, companionUrl=companion.url, companionToken=companion.token)
    status = {"what": "status"}  # asked from a page that sends nothing itself (the popup would)
    before = send(context, status)[0]["timings"]["proofs"] + 1  # its own proof counts too
    # A configuration change drops the proven link; its storage event must land before the burst.
    configure_extension(context, failMode="allow")
    extension_worker(context).evaluate("new Promise((resolve) => setTimeout(resolve, 300))")
    started = time.perf_counter()
    answers = send(context, CHECK, 20)
    burst = (time.perf_counter() - started) * 1000
    assert all(answer["verdict"] == "allow" for answer in answers), answers
    timings = send(context, status)[0]["timings"]
    made = timings["proofs"] - before
    assert made == 1, f"20 concurrent messages made {made} proofs"
    assert timings["config"] <= timings["proof"] <= timings["firstAnswer"], timings
    print(f"\n20 concurrent checks on an unproven link: {burst:.0f} ms, page open included; "
          f"worker timings (ms since it started): {json.dumps(timings)}")
