"""serve's port: DATA_DIR/port, a port taken by another companion or program, "already running",
and the token file's strength.

Bad inputs tried (6): the configured port held by another user's companion, by a program that is
not a companion, by this user's own companion (twice: named in DATA_DIR/port, and on a fallback
port); a token file of 128 bits, and one of a repeated character.
"""

import socket
import stat
import subprocess
import sys

import httpx
from companion_testkit import REPO, cli_env

from companion.config import hello_proof


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_serve(data_dir, port, timeout=30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "companion", "serve", "--port", str(port),
                           "--data-dir", str(data_dir)], capture_output=True, text=True,
                          env=cli_env(), cwd=REPO, timeout=timeout)


def test_port_file_is_written_0600_and_names_the_port(serve, tmp_path):
    served = serve(data_dir=tmp_path / "data")
    port_file = served.data_dir / "port"
    assert port_file.read_text() == f"{served.url.rsplit(':', 1)[1]}\n"
    assert stat.S_IMODE(port_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(served.data_dir.stat().st_mode) == 0o700


def test_hello_proves_the_port_without_a_token(serve, tmp_path):
    served = serve(data_dir=tmp_path / "data")
    port = int(served.url.rsplit(":", 1)[1])
    token = (served.data_dir / "token").read_text().strip()
    answer = httpx.get(f"{served.url}/v1/hello", params={"nonce": "cd" * 16}).json()
    assert answer["proof"] == hello_proof(token, "cd" * 16, answer["companion_nonce"],
                                          "127.0.0.1", port)
    assert answer["proof"] != hello_proof(token, "cd" * 16, answer["companion_nonce"],
                                          "127.0.0.1", port + 1)
    assert httpx.get(f"{served.url}/v1/hello", params={"nonce": "x|1"}).status_code == 422


def test_another_companion_on_the_port_means_a_free_port(serve, tmp_path):
    other = serve(data_dir=tmp_path / "other")  # another user's: another data dir and token
    taken = int(other.url.rsplit(":", 1)[1])
    mine = serve("--port", str(taken), data_dir=tmp_path / "mine")
    port = int((tmp_path / "mine" / "port").read_text())
    # start_serve keeps the rest of the `listening on` line: the note after the URL.
    assert port != taken and mine.url.startswith(
        f"http://127.0.0.1:{port} (port {taken} is taken by another user's companion")


def test_a_program_on_the_port_means_a_free_port_and_says_so(tmp_path):
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    squatter.listen(8)
    taken = squatter.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "companion", "serve", "--port", str(taken),
                                "--data-dir", str(tmp_path / "data")], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env=cli_env(), cwd=REPO)
    try:
        line = process.stdout.readline().strip()
        port = int((tmp_path / "data" / "port").read_text())
        assert line == (f"listening on http://127.0.0.1:{port} (port {taken} is taken by another "
                        f"program, so this companion took a free port; {tmp_path / 'data' / 'port'}"
                        " names it)")
        squatter.settimeout(0.5)
        try:  # the probe came without the token
            connection, _ = squatter.accept()
            connection.settimeout(2)
            assert b"authorization" not in connection.recv(4096).lower()
        except TimeoutError:
            pass
    finally:
        process.terminate()
        process.wait(timeout=15)
        squatter.close()


def test_this_users_running_companion_means_already_running(serve, tmp_path):
    served = serve(data_dir=tmp_path / "data")
    taken = int(served.url.rsplit(":", 1)[1])
    for port in (taken, free_port()):  # its own port; another port (DATA_DIR/port names it)
        done = run_serve(tmp_path / "data", port)
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.startswith("error: already running") and done.stderr.count("\n") == 1
    assert httpx.get(f"{served.url}/v1/health").status_code == 200


def test_a_weak_token_file_is_refused(tmp_path):
    for weak in ("ab" * 16, "a" * 64):
        data = tmp_path / f"data-{len(weak)}-{weak[:2]}"
        data.mkdir(mode=0o700)
        (data / "token").write_text(weak + "\n")
        done = run_serve(data, 0)
        assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
        assert "fewer than 256" in done.stderr and "delete it" in done.stderr
        assert (data / "token").read_text() == weak + "\n"  # never replaced behind the user's back
