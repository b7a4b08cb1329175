"""The frozen companion in dist/ runs without Python and answers from its embedded bundle."""

import json
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import companion
from companion.rules.bundle import CHILD_THRESHOLD
from companion.rules.keys import keygen
from shared_rules.generate import build_rules

pytestmark = pytest.mark.timeout(900)


def exe(dist: Path) -> Path:
    return dist / "netral-companion" / "netral-companion"


def call(url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


@pytest.fixture
def running(dist, tmp_path, figure):
    """The frozen companion on a free port, started with an empty environment (no Python around)."""
    data_dir = tmp_path / "data"
    started = time.monotonic()
    process = subprocess.Popen(
        [str(exe(dist)), "serve", "--port", "0", "--data-dir", str(data_dir)],
        env={"HOME": str(tmp_path)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline().strip()
        cold_start = time.monotonic() - started
        assert line.startswith("listening on http://127.0.0.1:"), line + process.stderr.read()
        figure("frozen companion cold start to listening", f"{cold_start:.2f} s")
        yield line.removeprefix("listening on "), data_dir
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_version_answers_without_python(dist):
    result = subprocess.run([str(exe(dist)), "--version"], capture_output=True, text=True,
                            env={}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert companion.__version__ in result.stdout


def test_size_is_measured(dist, figure):
    folder = dist / "netral-companion"
    size = sum(path.lstat().st_size for path in folder.rglob("*") if not path.is_dir())
    figure("frozen companion size (onedir)", f"{size / 2**20:.1f} MiB")
    assert (folder / "_internal" / "shared_rules" / "netral-default.bundle.json").is_file()
    assert not list(folder.rglob("*.key")), "a private key was frozen into the build"


def test_health_and_check_against_the_default_bundle(running):
    base, data_dir = running
    assert call(f"{base}/v1/health") == (200, {"status": "ok"})

    token = (data_dir / "token").read_text().strip()
    assert (data_dir / "token").stat().st_mode & 0o777 == 0o600
    post = {"author_handle": "someone", "text": "Mari dukung PR4BOWO!", "hashtags": []}
    status, answer = call(f"{base}/v1/check", {"platform": "x", "action": "like", "post": post},
                          token)
    assert status == 200
    # No election stage runs today, so the embedded bundle warns about nothing (see check_at).
    assert answer["verdict"] == "allow"
    assert answer["rules"]["bundle_id"] == "netral-default"

    neutral = {"author_handle": "someone", "text": "Selamat pagi, rapat jam sembilan."}
    _, answer = call(f"{base}/v1/check", {"platform": "x", "action": "like", "post": neutral},
                     token)
    assert answer["verdict"] == "allow"
    assert answer["message"] is None


def test_check_without_token_is_refused(running):
    base, _ = running
    with pytest.raises(urllib.error.HTTPError) as refused:
        call(f"{base}/v1/check", {"platform": "x", "action": "like", "post": {}})
    assert refused.value.code == 401


def test_check_at_a_2024_campaign_instant_warns_with_the_frozen_data(dist, tmp_path):
    """The frozen `check` command, at an instant of the 2024 campaign; the Cyrillic а of the
    second post is read as Latin only if the UTS #39 data was frozen too."""
    for text in ("Mari dukung PR4BOWO!", "Mari dukung Pr\u0430bowo!"):
        printed = subprocess.run(
            [str(exe(dist)), "check", text, "--at", "2024-01-15T10:00:00+07:00", "--json",
             "--data-dir", str(tmp_path / "data")],
            env={"HOME": str(tmp_path)}, capture_output=True, text=True, timeout=60)
        assert printed.returncode == 0, printed.stderr
        answer = json.loads(printed.stdout)
        assert answer["verdict"] == "warn", text
        match = answer["matches"][0]
        assert match["entity_id"] == "paslon-2024-02"
        assert match["election"]["stage"]["id"] == "kampanye"


def test_the_full_election_bundle_is_compiled_by_a_frozen_helper(dist, tmp_path, figure):
    """A bundle over 8 MiB is compiled in a spawned helper: in the frozen exe that helper is the
    exe itself again (multiprocessing.freeze_support), started through companion.rules.child.
    Were that broken, the helper would die and the bundle be refused (`unreadable`): only the
    default bundle's 30 entities would be served."""
    key, _ = keygen("frozen-test", tmp_path / "keys")
    bundle = next(path for path in build_rules(tmp_path / "rules", caleg=True, keys=[key])
                  if "caleg" in path.name)
    assert bundle.stat().st_size > CHILD_THRESHOLD
    data_dir = tmp_path / "data"
    started = time.monotonic()
    process = subprocess.Popen(
        [str(exe(dist)), "serve", "--port", "0", "--data-dir", str(data_dir), "--rules",
         str(bundle), "--trusted-keys", str(tmp_path / "rules" / "trusted_keys.json")],
        env={"HOME": str(tmp_path)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline().strip()
        figure("frozen companion first acceptance of the 258k bundle",
               f"{time.monotonic() - started:.2f} s")
        assert line.startswith("listening on http://127.0.0.1:"), line + process.stderr.read()
        token = (data_dir / "token").read_text().strip()
        _, status = call(f"{line.removeprefix('listening on ')}/v1/status", token=token)
        assert status["rules"]["bundle_id"] == "pemilu-2024-caleg"
        assert status["rules"]["entities"] == 258_259
        assert list((data_dir / "cache").glob("*.compiled"))  # the helper's tables, kept
    finally:
        process.terminate()
        process.wait(timeout=10)
