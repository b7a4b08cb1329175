"""The native-messaging host as the browser runs it: a real subprocess on stdin/stdout.

Bad inputs tried (9): a foreign origin, no origin, an origin with a trailing path, a frame over the
4 KiB limit, a length header cut short, a message cut short, bytes that are not UTF-8, JSON that is
not an object, an unknown message type. Each gets one clear answer and never a token.
"""

import json
import shutil
import struct
import subprocess
import sys

import pytest
from companion_testkit import ORIGIN, REPO, cli_env

from companion.native_host import HOST_NAME, host_manifest

CONNECT = b'{"type": "connect"}'


def frame(body: bytes) -> bytes:
    return struct.pack("=I", len(body)) + body


def host(stdin: bytes, *args: str, data_dir=None, command=None) -> tuple[int, list[dict], str]:
    env = cli_env(**({"NETRAL_DATA_DIR": str(data_dir)} if data_dir else {}))
    command = command or [sys.executable, "-m", "companion.native_host"]
    done = subprocess.run([*command, *args], input=stdin, capture_output=True, env=env,
                          cwd=REPO, timeout=30)
    out, messages = done.stdout, []
    while out:
        (length,) = struct.unpack("=I", out[:4])
        messages.append(json.loads(out[4:4 + length]))
        out = out[4 + length:]
    return done.returncode, messages, done.stderr.decode()


def test_connect_answers_this_users_companion(serve, tmp_path):
    served = serve(data_dir=tmp_path / "data")
    code, answers, _ = host(frame(CONNECT) * 2, ORIGIN + "/", "--parent-window=0",
                            data_dir=served.data_dir)
    token = (served.data_dir / "token").read_text().strip()
    assert code == 0 and answers == [{"url": served.url, "token": token}] * 2


def test_the_console_script_runs_the_same_host(serve, tmp_path):
    script = shutil.which("netral-native-host")
    assert script, "netral-native-host is not installed: pip install -e ."
    served = serve(data_dir=tmp_path / "data")
    code, answers, _ = host(frame(CONNECT), ORIGIN + "/", data_dir=served.data_dir,
                            command=[script])
    assert code == 0 and answers[0]["url"] == served.url


def test_not_installed_and_not_running(tmp_path, serve):
    _, answers, _ = host(frame(CONNECT), ORIGIN, data_dir=tmp_path / "nowhere")
    assert answers[0]["error"] == "not_installed" and "nowhere" in answers[0]["detail"]
    served = serve(data_dir=tmp_path / "data")
    served.stop()  # a clean stop removes DATA_DIR/port
    assert not (served.data_dir / "port").exists()
    _, answers, _ = host(frame(CONNECT), ORIGIN, data_dir=served.data_dir)
    assert answers[0]["error"] == "not_running" and "serve" in answers[0]["detail"]
    (served.data_dir / "port").write_text("1\n")  # stale: nothing proves itself there
    _, answers, _ = host(frame(CONNECT), ORIGIN, data_dir=served.data_dir)
    assert answers[0]["error"] == "not_running" and "token" not in answers[0]


@pytest.mark.parametrize("args", [["chrome-extension://aaaabbbbccccddddeeeeffffgggghhhh/"], [],
                                  [ORIGIN + "/evil"]])
def test_foreign_origins_are_refused(serve, tmp_path, args):
    served = serve(data_dir=tmp_path / "data")
    code, answers, err = host(frame(CONNECT), *args, data_dir=served.data_dir)
    assert code == 1 and answers == [{"error": "forbidden_origin"}]
    assert err.count("\n") == 1 and "refused caller" in err


@pytest.mark.parametrize(("stdin", "fatal", "says"), [
    (struct.pack("=I", 1 << 30) + b"{}", True, "over the 4096-byte limit"),
    (b"\x10\x00", True, "inside a length header"),
    (struct.pack("=I", 50) + b'{"type"', True, "inside a message"),
    (frame(b"\xff\xfe{}"), False, "not UTF-8 JSON"),
    (frame(b"[1, 2]"), False, "unknown message type"),
    (frame(b'{"type": "give-me-everything"}'), False, "unknown message type"),
])
def test_bad_messages_get_one_clear_answer(tmp_path, stdin, fatal, says):
    stdin = stdin if fatal else stdin + frame(CONNECT)
    code, answers, _ = host(stdin, ORIGIN, data_dir=tmp_path / "nowhere")
    assert answers[0]["error"] == "bad_message" and says in answers[0]["detail"]
    if fatal:
        assert code == 1 and len(answers) == 1
    else:  # the stream is still in step: the next message is answered
        assert code == 0 and answers[1]["error"] == "not_installed"


def test_host_manifest_for_installers():
    manifest = host_manifest("/opt/netral/netral-native-host", [ORIGIN, ORIGIN + "/"])
    assert manifest == {"name": HOST_NAME, "description": manifest["description"],
                        "path": "/opt/netral/netral-native-host", "type": "stdio",
                        "allowed_origins": [ORIGIN + "/"]}
    for bad in ([], ["https://example.org"], ["chrome-extension://a/b"]):
        with pytest.raises(ValueError):
            host_manifest("/x", bad)
