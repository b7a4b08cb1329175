"""The command line: help with an example everywhere; bad input is one line and a non-zero exit."""

import json
import os
import subprocess
import sys
from contextlib import contextmanager

import click
import pytest
from companion_testkit import REPO, cli_env

from companion.cli import cli, main


def commands(group: click.Group, path=("netral-companion",)):
    yield path, group
    context = click.Context(group)
    for name in group.list_commands(context):  # `setup` is imported when asked for
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name), command


def test_the_installer_code_is_imported_only_by_setup():
    """`serve` and the other commands start without companion.setup; `setup` still has it all."""
    probe = ("import sys; import companion.cli as c; loaded = 'companion.setup' in sys.modules; "
             "c.cli.get_command(None, 'setup'); print(loaded, 'companion.setup' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=REPO, env=cli_env(), timeout=60)
    assert result.stdout.split() == ["False", "True"], result.stderr
    assert len([path for path, _ in commands(cli) if path[1:2] == ("setup",)]) >= 5


@pytest.mark.parametrize(("path", "command"), list(commands(cli)),
                         ids=lambda value: " ".join(value) if isinstance(value, tuple) else "")
def test_every_command_has_help_with_an_example(path, command, capsys):
    assert command.help and "Example:" in command.help
    assert f"{' '.join(path)} " in command.help.split("Example:")[1].replace("\n", " ")
    with pytest.raises(SystemExit) as exit_info:
        main([*path[1:], "--help"])
    assert exit_info.value.code == 0
    assert "Example:" in capsys.readouterr().out


def run(*args: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "companion", *args], capture_output=True,
                          text=True, env=cli_env(**env), cwd=REPO, timeout=60)


def assert_one_line_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize(("args", "words"), [
    (["serve", "--port", "nope"], ["--port"]),
    (["serve", "--port", "70000"], ["--port", "NETRAL_PORT"]),
    (["serve", "--host", "0.0.0.0"], ["loopback"]),
    (["serve", "--rules-url", "file:///etc/passwd"], ["http"]),
    (["frobnicate"], ["No such command"]),
    (["verify"], ["BUNDLE"]),
    (["verify", "/nonexistent.bundle.json", "--trusted-keys", "/nonexistent.json"], ["rejected"]),
    (["sign", "/nonexistent.bundle.json", "--key", "/nonexistent.key"], []),
    (["keygen", "--name", "x"], ["--out"]),
    (["acks", "export", "--format", "xml"], ["xml"]),
    (["acks", "verify", "--data-dir", "/nonexistent-netral"], ["no acknowledgement log"]),
    (["install-rules", "/nonexistent.bundle.json", "--data-dir", "/tmp/netral-cli-test"], []),
])
def test_bad_arguments_give_one_line(args, words):
    assert_one_line_error(run(*args), *words)


def test_bad_environment_variable_gives_one_line():
    assert_one_line_error(run("serve", NETRAL_PORT="many"), "NETRAL_PORT")


def test_bad_files_give_one_line(tmp_path, signer):
    garbage = tmp_path / "garbage.bundle.json"
    garbage.write_text("{not json")
    (tmp_path / "garbage.bundle.json.sig").write_text("also not json")
    assert_one_line_error(run("verify", str(garbage), "--trusted-keys", str(signer.trusted_keys)),
                          "rejected")
    assert_one_line_error(run("verify", str(signer.bundle(tmp_path, 1)),
                              "--trusted-keys", str(garbage)), "rejected")
    assert_one_line_error(run("sign", str(garbage), "--key", str(garbage)))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "netral.db").write_text("this is not a database")
    assert_one_line_error(run("acks", "verify", "--data-dir", str(tmp_path / "data")))


def test_data_dir_that_is_a_file(tmp_path):
    file = tmp_path / "file"
    file.write_text("x")
    for args in (["serve", "--port", "0"], ["pair"]):
        assert_one_line_error(run(*args, "--data-dir", str(file)), "not a directory")
    assert_one_line_error(run("pair", "--data-dir", str(file / "below")), "cannot write")


@contextmanager
def read_only(directory):
    """A directory nobody can write into. Root ignores modes, so for root it is made immutable."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(directory)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(directory)], check=True)
    else:
        directory.chmod(0o500)
        try:
            yield
        finally:
            directory.chmod(0o700)


def test_read_only_data_dir(tmp_path):
    parent = tmp_path / "readonly"
    parent.mkdir()
    with read_only(parent):
        assert_one_line_error(run("pair", "--data-dir", str(parent / "data")), "cannot write")
        assert_one_line_error(run("serve", "--port", "0", "--data-dir", str(parent / "data")),
                              "cannot write")


def test_full_disk_gives_a_clear_error(tmp_path):
    """A file-size limit makes every write past 16 KiB fail as on a full disk (EFBIG)."""
    script = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (16384, 16384))\n"
        "from companion.cli import main\n"
        f"main(['pair', '--data-dir', {str(tmp_path / 'data')!r}])\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=cli_env(), cwd=REPO, timeout=60)
    assert_one_line_error(result)
    assert "data dir" in result.stderr or "database" in result.stderr


def test_keygen_sign_verify_install_pair_export(tmp_path, signer):
    keys = tmp_path / "keys"
    assert run("keygen", "--name", "agency-demo", "--out", str(keys)).returncode == 0
    assert (keys / "agency-demo.key").stat().st_mode & 0o777 == 0o600
    trusted = tmp_path / "trusted_keys.json"
    entry = json.loads((keys / "agency-demo.pub.json").read_text())
    trusted.write_text(json.dumps({"threshold": 1, "keys": [entry]}))
    bundle = signer.bundle(tmp_path, 1)
    assert run("sign", str(bundle), "--key", str(keys / "agency-demo.key")).returncode == 0
    verified = run("verify", str(bundle), "--trusted-keys", str(trusted))
    assert verified.returncode == 0
    assert verified.stdout.startswith("ok: pemilu-2024 version 1")
    data = str(tmp_path / "data")
    installed = run("install-rules", str(bundle), "--data-dir", data, "--trusted-keys",
                    str(trusted))
    assert installed.returncode == 0, installed.stderr
    assert (tmp_path / "data" / "rules" / "pemilu-2024.bundle.json").read_bytes() == (
        bundle.read_bytes())
    paired = run("pair", NETRAL_DATA_DIR=data)
    assert paired.returncode == 0 and "pairing code: " in paired.stdout
    for fmt in ("csv", "json"):
        exported = run("acks", "export", "--format", fmt, "--data-dir", data)
        assert exported.returncode == 0
    assert exported.stdout.strip() == "[]"
    assert run("acks", "verify", "--data-dir", data).stdout.startswith("ok: 0 entries")


def test_serve_prints_exactly_one_line(serve):
    served = serve()
    assert served.url.startswith("http://127.0.0.1:")
    served.stop()
    assert served.process.stdout.read() == b""
