"""Two real OS users on one machine, each with their own companion (users made here, then removed).

Attacks tried (4): user 2 opens user 1's token and lists user 1's data dir; user 2 sends a decision
with its own token to user 1's companion; user 2's companion holds user 1's configured port (a
squatter with a companion's answers but another token); user 2 runs the native host hoping for
user 1's token.
"""

import json
import os
import pwd
import shutil
import struct
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import httpx
import pytest
from companion_testkit import ORIGIN, REPO

USERS = ("netral-u1", "netral-u2")
PORT = 47791  # both users' configured port


def as_user(user: str, home: Path, *command: str, **kwargs) -> list[str]:
    env = [f"HOME={home}", f"PYTHONPATH={REPO}", "XDG_DATA_HOME=", "PATH=/usr/bin:/bin"]
    return ["runuser", "-u", user, "--", "env", "-i", *env, *command]


@pytest.fixture(scope="module")
def users():
    if os.geteuid() != 0:
        pytest.fail("these tests create OS users: run them as root (CI does)")
    # The interpreter must be reachable by the new users; under /root (pyenv) it is not, so
    # /root gets o+x (traverse only, no listing) for the duration, and its mode back after.
    root_mode = os.stat("/root").st_mode
    os.chmod("/root", root_mode | 0o001)
    homes = {}
    try:
        for user in USERS:
            subprocess.run(["userdel", "-r", user], capture_output=True)
            home = Path(tempfile.mkdtemp(prefix=f"{user}-"))
            os.rmdir(home)
            subprocess.run(["useradd", "-m", "-d", str(home), "-s", "/bin/sh", user], check=True)
            homes[user] = home
        yield homes
    finally:
        for user, home in homes.items():
            subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True)
            subprocess.run(["userdel", "-r", user], capture_output=True)
            shutil.rmtree(home, ignore_errors=True)
        os.chmod("/root", root_mode)


@pytest.fixture(scope="module")
def companions(users):
    started = {}
    try:
        for user in USERS:
            process = subprocess.Popen(
                as_user(user, users[user], sys.executable, "-m", "companion", "serve",
                        "--port", str(PORT)),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd="/")
            line = process.stdout.readline().strip()
            assert line.startswith("listening on http://127.0.0.1:"), (line, process.stderr)
            data_dir = users[user] / ".local" / "share" / "netral"
            port = int((data_dir / "port").read_text())
            started[user] = {"process": process, "line": line, "data_dir": data_dir,
                             "port": port, "token": (data_dir / "token").read_text().strip()}
        yield started
    finally:
        for item in started.values():
            item["process"].terminate()
            item["process"].wait(timeout=15)


def test_each_user_has_their_own_companion_port_token_and_log(companions):
    one, two = companions[USERS[0]], companions[USERS[1]]
    assert one["port"] == PORT and two["port"] != PORT
    assert f"port {PORT} is taken by another user's companion" in two["line"]
    assert one["token"] != two["token"] and one["data_dir"] != two["data_dir"]
    for user, item in companions.items():
        owner = pwd.getpwuid(item["data_dir"].stat().st_uid).pw_name
        assert owner == user and oct(item["data_dir"].stat().st_mode & 0o777) == "0o700"


def test_user_two_cannot_read_user_ones_token_or_data_dir(users, companions):
    target = companions[USERS[0]]["data_dir"]
    token, db = str(target / "token"), str(target / "netral.db")
    code = (f"import os\nfor f in (lambda: open({token!r}).read(), "
            f"lambda: os.listdir({str(target)!r}), lambda: open({db!r}, 'rb')):\n"
            "    try:\n        f(); print('READ')\n"
            "    except PermissionError:\n        print('denied')\n")
    done = subprocess.run(as_user(USERS[1], users[USERS[1]], sys.executable, "-c", code),
                          capture_output=True, text=True, timeout=30)
    assert done.stdout.split() == ["denied"] * 3, done.stdout + done.stderr


def test_user_twos_decisions_never_reach_user_ones_log(companions):
    one, two = companions[USERS[0]], companions[USERS[1]]
    ack = {"ack_id": str(uuid.uuid4()), "platform": "x", "action": "like",
           "outcome": "proceeded", "occurred_at": "2024-01-10T08:00:00Z"}
    url = lambda item: f"http://127.0.0.1:{item['port']}"  # noqa: E731
    headers = lambda item: {"Authorization": f"Bearer {item['token']}"}  # noqa: E731
    # User 2's token at user 1's companion: refused.
    assert httpx.post(url(one) + "/v1/acknowledgements", json=ack,
                      headers=headers(two)).status_code == 401
    assert httpx.post(url(two) + "/v1/acknowledgements", json=ack,
                      headers=headers(two)).status_code == 201
    logs = {name: httpx.get(url(item) + "/v1/acknowledgements", headers=headers(item)).json()
            for name, item in companions.items()}
    assert [i["ack_id"] for i in logs[USERS[1]]["items"]] == [ack["ack_id"]]
    assert ack["ack_id"] not in json.dumps(logs[USERS[0]])


def native_connect(user: str, home: Path) -> dict:
    body = b'{"type": "connect"}'
    done = subprocess.run(as_user(user, home, sys.executable, "-m", "companion.native_host",
                                  ORIGIN + "/"),
                          input=struct.pack("=I", len(body)) + body, capture_output=True,
                          timeout=30)
    return json.loads(done.stdout[4:])


def test_the_native_host_answers_each_user_their_own_companion(users, companions):
    for user, item in companions.items():
        assert native_connect(user, users[user]) == {
            "url": f"http://127.0.0.1:{item['port']}", "token": item["token"]}


def test_a_squatter_on_user_ones_configured_port_gets_no_token(users, companions):
    """User 2's companion took the port user 1 configured second: user 1's own companion moved
    to a free port, and user 1's native host names that one, proven, not the squatter's."""
    squat = subprocess.Popen(
        as_user(USERS[1], users[USERS[1]], sys.executable, "-c",
                "import socket,time\ns=socket.socket();s.bind(('127.0.0.1',47792));s.listen();"
                "print('up',flush=True)\nc,_=s.accept();print(c.recv(4096));c.close();time.sleep(1)"),
        stdout=subprocess.PIPE, text=True)
    try:
        assert squat.stdout.readline().strip() == "up"
        home = users[USERS[0]]
        process = subprocess.Popen(
            as_user(USERS[0], home, sys.executable, "-m", "companion", "serve", "--port", "47792",
                    "--data-dir", str(home / "second")),
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd="/")
        try:
            line = process.stdout.readline()
            assert "port 47792 is taken by another program" in line
            token = (home / "second" / "token").read_text().strip()
            received = squat.communicate(timeout=10)[0]
            assert token not in received and "uthorization" not in received
        finally:
            process.terminate()
            process.wait(timeout=15)
    finally:
        squat.kill()
        squat.wait()
