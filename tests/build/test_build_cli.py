"""Bad input to build.py ends with one line on stderr and a non-zero exit, before any long work."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def build(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["pack"], "No such command 'pack'"),
        (["extension", "--key", "/nonexistent/agency.pem"], "extension key file not found"),
        (["all", "--key", "/nonexistent/agency.pem"], "extension key file not found"),
        (["extension", "--platforms", "x,friendster"], "unknown platform(s) friendster"),
        (["rules", "--trusted-keys", "/nonexistent/trusted.json"], "file not found"),
        (["extension", "--store-id", "notanid"], "is not an extension ID"),
        (["all", "--store-id", "edge:ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP"], "is not an extension ID"),
        (["extension", "--store-id", "firefox:abcdefghijklmnopabcdefghijklmnop"],
         "is not an extension ID"),
        (["msi"], "no frozen Windows companion"),
    ],
)
def test_bad_input_gives_one_line(args, says, tmp_path):
    result = build("--dist", str(tmp_path / "dist"), *args)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("build.py: ") and says in lines[0]
    assert not (tmp_path / "dist").exists()


def test_every_command_has_help_with_an_example():
    for command in ("rules", "companion", "extension", "msi", "all"):
        result = build(command, "--help")
        assert result.returncode == 0
        assert "Example:" in result.stdout
