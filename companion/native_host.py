"""The native-messaging host `id.go.netral.companion`: this OS user's companion URL and token.

The browser starts the host as the signed-in user, with the caller's origin as first argument
(`chrome-extension://ID/`; on Windows also `--parent-window=N`), and speaks Chrome's native
messaging protocol on stdin/stdout: each message is a 4-byte length in native byte order, then
that many bytes of UTF-8 JSON. To `{"type": "connect"}` the host answers `{"url", "token"}` of the
companion this user runs (read from this user's data dir, `DATA_DIR/token` and `DATA_DIR/port`,
and only after that companion proved it holds the token), or
`{"error": "not_running" | "not_installed", "detail"}`.
A caller of a foreign origin gets `{"error": "forbidden_origin"}` and nothing else.

`netral-native-host` (a console script, because a host manifest names a path and no arguments) and
`netral-companion native-host` both run `main`. Installers write the host manifest with
`host_manifest(path, origins)`.
"""

import json
import secrets
import struct
import sys
from pathlib import Path
from typing import BinaryIO

from companion.config import (
    CompanionError,
    check_token,
    hello_proof,
    load_settings,
    read_port_file,
)

HOST_NAME = "id.go.netral.companion"
DESCRIPTION = "Netral companion: connects the Netral extension to this user's companion"
MAX_MESSAGE = 4096  # a connect request is 17 bytes; anything near this is not ours
HEADER = struct.Struct("=I")  # native byte order, 4 bytes, as Chrome writes it
PROBE_TIMEOUT = 1.5


def host_manifest(path: str | Path, origins: list[str]) -> dict:
    """The host manifest an installer writes (a JSON file, or the file a registry key names).

    `path` is the absolute path of `netral-native-host`; `origins` are extension origins such as
    `chrome-extension://ID` (the trailing slash Chrome requires is added).
    """
    allowed = []
    for origin in origins:
        origin = origin.strip().rstrip("/")
        if not origin.startswith("chrome-extension://") or not origin[19:].isalnum():
            raise ValueError(f"{origin!r} is not an extension origin such as chrome-extension://ID")
        allowed.append(origin + "/")
    if not allowed:
        raise ValueError("no allowed origins: pass the extension's chrome-extension://ID")
    return {"name": HOST_NAME, "description": DESCRIPTION, "path": str(path), "type": "stdio",
            "allowed_origins": list(dict.fromkeys(allowed))}


# ------------------------------------------------------------------ probing a port


def probe(host: str, port: int, token: str, timeout: float = PROBE_TIMEOUT) -> str:
    """Who answers on host:port: "ours" (proved it holds `token` for that very port), "companion"
    (a Netral companion with another token: another user's), or "other" (anything else, or nobody).
    The token is never sent."""
    import http.client  # here: `serve` probes only when a port file is left, and starts without it

    nonce = secrets.token_hex(16)
    address = f"[{host}]" if ":" in host else host
    try:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            connection.request("GET", f"/v1/hello?nonce={nonce}",
                               headers={"Host": f"{address}:{port}", "Accept": "application/json"})
            response = connection.getresponse()
            body = response.read(4096)
        finally:
            connection.close()
        answer = json.loads(body)
    except (OSError, http.client.HTTPException, ValueError):
        return "other"
    if not isinstance(answer, dict) or not {"proof", "companion_nonce"} <= answer.keys():
        return "other"
    proof, theirs = answer["proof"], answer["companion_nonce"]
    if not isinstance(proof, str) or not isinstance(theirs, str):
        return "other"
    expected = hello_proof(token, nonce, theirs, host, port)
    return "ours" if secrets.compare_digest(proof.lower(), expected) else "companion"


# ------------------------------------------------------------------ the connect answer


def connect_answer() -> dict:
    """The answer to `{"type": "connect"}` for the OS user this process runs as."""
    try:
        settings = load_settings()
    except CompanionError as error:
        return {"error": "not_installed", "detail": str(error)}
    data_dir = settings.data_dir
    if not data_dir.is_dir():
        return {"error": "not_installed",
                "detail": f"no Netral data dir at {data_dir}; install Netral for this user or run "
                          "`netral-companion serve` once."}
    try:
        token = check_token(settings.token_path.read_text(encoding="utf-8").strip(),
                            settings.token_path)
    except FileNotFoundError:
        return {"error": "not_installed",
                "detail": f"no token in {data_dir}; run `netral-companion serve` once to make it."}
    except PermissionError:
        return {"error": "not_installed",
                "detail": f"cannot read {settings.token_path}: it belongs to another user; run the "
                          "browser as the user who runs the companion, or reinstall for this user."}
    except (OSError, UnicodeDecodeError) as error:
        return {"error": "not_installed",
                "detail": f"cannot read {settings.token_path} ({error}); reinstall Netral."}
    except CompanionError as error:
        return {"error": "not_installed", "detail": str(error)}
    try:
        port = read_port_file(settings.port_path)
    except OSError as error:
        return {"error": "not_running",
                "detail": f"cannot read {settings.port_path} ({error}); restart the companion."}
    if port is None:
        return {"error": "not_running",
                "detail": f"the companion is not running (no port in {settings.port_path}); start "
                          "it with `netral-companion serve`, or sign out and in again."}
    if probe(settings.host, port, token) != "ours":
        return {"error": "not_running",
                "detail": f"nothing on port {port} proves it is this user's companion; start it "
                          "with `netral-companion serve`, or sign out and in again."}
    address = f"[{settings.host}]" if ":" in settings.host else settings.host
    return {"url": f"http://{address}:{port}", "token": token}


# ------------------------------------------------------------------ the protocol


class BadFrame(Exception):
    """The stream cannot be read as native messages any more; the host answers once and exits."""


def read_message(stream: BinaryIO) -> bytes | None:
    """One message's bytes; None at a clean end of input; BadFrame for a cut or oversized frame."""
    header = stream.read(HEADER.size)
    if not header:
        return None
    if len(header) < HEADER.size:
        raise BadFrame(f"the input ended inside a length header ({len(header)} of 4 bytes)")
    (length,) = HEADER.unpack(header)
    if length > MAX_MESSAGE:
        raise BadFrame(f"a message of {length} bytes is over the {MAX_MESSAGE}-byte limit; "
                       'send {"type": "connect"}')
    body = stream.read(length)
    if len(body) < length:
        raise BadFrame(f"the input ended inside a message ({len(body)} of {length} bytes)")
    return body


def write_message(stream: BinaryIO, message: dict) -> None:
    data = json.dumps(message, ensure_ascii=False).encode("utf-8")
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def answer(body: bytes) -> dict:
    """The answer to one message's bytes."""
    try:
        message = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {"error": "bad_message", "detail": 'not UTF-8 JSON; send {"type": "connect"}'}
    kind = message.get("type") if isinstance(message, dict) else None
    if kind != "connect":
        return {"error": "bad_message",
                "detail": f'unknown message type {kind!r}; send {{"type": "connect"}}'[:200]}
    return connect_answer()


def origin_allowed(origin: str | None) -> bool:
    if not origin:
        return False
    try:
        allowed = load_settings().allowed_origins
    except CompanionError:
        return False
    return origin.rstrip("/") in allowed


def serve_stdio(origin: str | None, stdin: BinaryIO, stdout: BinaryIO) -> int:
    """Answers messages until the browser closes stdin; the exit code."""
    if not origin_allowed(origin):
        write_message(stdout, {"error": "forbidden_origin"})
        print(f"netral-native-host: refused caller {origin!r}: not an allowed origin "
              "(NETRAL_ALLOWED_ORIGINS / the installer's host manifest).", file=sys.stderr)
        return 1
    while True:
        try:
            body = read_message(stdin)
        except BadFrame as error:
            write_message(stdout, {"error": "bad_message", "detail": str(error)})
            return 1
        if body is None:
            return 0
        write_message(stdout, answer(body))


def main(argv: list[str] | None = None) -> None:
    """`netral-native-host ORIGIN [--parent-window=N]`, as the browser starts it."""
    args = sys.argv[1:] if argv is None else argv
    origin = next((arg for arg in args if not arg.startswith("--")), None)
    try:
        code = serve_stdio(origin, sys.stdin.buffer, sys.stdout.buffer)
    except (OSError, BrokenPipeError):  # the browser went away mid-answer
        code = 1
    except Exception as error:  # the promise: one line on stderr, never a traceback
        print(f"netral-native-host: error: unexpected {type(error).__name__}: {error}",
              file=sys.stderr)
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main()
