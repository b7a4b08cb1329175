"""install.sh into a temporary HOME puts every file in place; uninstall.sh leaves nothing behind."""

import getpass
import json
import os
import re
import stat
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from build_testkit import clean_env, free_port

pytestmark = pytest.mark.timeout(900)
POLICY_DIRS = ("etc/opt/chrome/policies/managed", "etc/chromium/policies/managed",
               "etc/opt/edge/policies/managed")
HOST_DIRS = ("etc/opt/chrome/native-messaging-hosts", "etc/chromium/native-messaging-hosts",
             "etc/opt/edge/native-messaging-hosts")


def tree(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*")}


def path_without(tmp_path: Path, name: str) -> str:
    """A PATH with every program of the current PATH except `name` (linked into one folder)."""
    folder = tmp_path / f"bin-without-{name}"
    folder.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for entry in os.scandir(directory):
            target = folder / entry.name
            if entry.name != name and not target.exists() and os.access(entry.path, os.X_OK):
                target.symlink_to(entry.path)
    return str(folder)


def get(url: str, token: str | None = None, origin: str | None = None) -> tuple[int, dict | None]:
    """(status, JSON body) of a GET; status 0 when nothing listens."""
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if origin:
        headers["Origin"] = origin
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as error:
        return error.code, None
    except OSError:
        return 0, None


class Device:
    """A temporary machine: HOME, program prefix and the machine-wide folders under one root."""

    def __init__(self, root: Path, dist: Path, path: str, starts: bool = True):
        self.root, self.dist = root / "device", dist
        self.home = self.root / "home"
        self.home.mkdir(parents=True)
        self.prefix = self.root / "opt" / "netral"
        self.data_dir = self.home / ".local" / "share" / "netral"
        self.policy_dirs = [self.root / folder for folder in POLICY_DIRS]
        self.port = free_port()
        self.env = clean_env(
            HOME=str(self.home), PATH=path, NETRAL_USER=getpass.getuser(),
            NETRAL_PREFIX=str(self.prefix), NETRAL_PORT=str(self.port),
            NETRAL_ROOT=str(self.root),
        )
        self.ext_id = (dist / "extension" / "extension-id.txt").read_text().strip()

    def run(self, script: Path, *args: str) -> subprocess.CompletedProcess:
        result = subprocess.run(["sh", str(script), *args], env=self.env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def install(self):
        return self.run(self.dist / "install.sh")

    def uninstall(self, *args: str):
        return self.run(self.prefix / "uninstall.sh", *args)

    def check_installed(self) -> str:
        """Every file in place, no token outside the data dir; returns the device token."""
        exe = self.prefix / "companion" / "netral-companion"
        assert exe.stat().st_mode & stat.S_IXUSR
        token_file = self.data_dir / "token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(self.data_dir.stat().st_mode) == 0o700
        token = token_file.read_text().strip()
        assert len(token) == 64
        for folder in self.policy_dirs:
            text = (folder / "netral.json").read_text()
            assert token not in text and "companionToken" not in text
            forced = json.loads(text)["ExtensionSettings"][self.ext_id]
            assert forced["installation_mode"] == "force_installed"
        origin = f"chrome-extension://{self.ext_id}/"
        for folder in HOST_DIRS:
            manifest = json.loads((self.root / folder / "id.go.netral.companion.json").read_text())
            assert manifest["allowed_origins"] == [origin]
            assert manifest["path"] == str(self.prefix / "companion" / "netral-native-host")
            assert os.access(manifest["path"], os.X_OK)
        user_host = self.home / ".config/google-chrome/NativeMessagingHosts"
        manifest = json.loads((user_host / "id.go.netral.companion.json").read_text())
        assert manifest["allowed_origins"] == [origin]
        assert (self.prefix / "rules" / "trusted_keys.json").is_file()
        shim = self.home / ".local" / "bin" / "netral-companion"
        assert shim.resolve() == exe.resolve()
        return token


def test_install_with_systemd_user(dist, tmp_path):
    shim = tmp_path / "shim"
    shim.mkdir()
    calls = tmp_path / "systemctl.log"
    (shim / "systemctl").write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\n')
    (shim / "systemctl").chmod(0o755)
    device = Device(tmp_path, dist, f"{shim}{os.pathsep}{os.environ['PATH']}", starts=False)
    before = tree(device.root)

    output = device.install().stdout
    device.check_installed()
    unit = (device.home / ".config" / "systemd" / "user" / "netral-companion.service").read_text()
    assert f"ExecStart={device.prefix}/companion/netral-companion serve" in unit
    assert f"--trusted-keys {device.prefix}/rules/trusted_keys.json" in unit
    assert f"--allowed-origin chrome-extension://{device.ext_id}" in unit
    assert "Restart=on-failure" in unit
    assert "Google Chrome will force-install Netral" in output  # what the browser will really do
    logged = calls.read_text().splitlines()
    assert "--user daemon-reload" in logged
    assert "--user enable netral-companion.service" in logged

    device.uninstall()
    assert "--user disable --now netral-companion.service" in calls.read_text()
    assert tree(device.root) == before


@pytest.mark.parametrize("purge", [True, False], ids=["purge", "keep-log"])
def test_install_without_systemd_starts_it_and_uninstall_stops_it(dist, tmp_path, purge):
    device = Device(tmp_path, dist, path_without(tmp_path, "systemctl"))
    before = tree(device.root)

    device.install()
    token = device.check_installed()
    desktop = device.home / ".config" / "autostart" / "netral-companion.desktop"
    assert f"Exec={device.prefix}/companion/netral-companion serve" in desktop.read_text()
    base = f"http://127.0.0.1:{device.port}"
    deadline = time.monotonic() + 20
    while get(f"{base}/v1/health")[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert get(f"{base}/v1/health") == (200, {"status": "ok"})
    # The companion kept the device token, allows the packed extension's origin, has the rules.
    origin = f"chrome-extension://{device.ext_id}"
    status, answer = get(f"{base}/v1/status", token=token, origin=origin)
    assert status == 200 and answer["rules"]["bundle_id"] == "netral-default"
    assert get(f"{base}/v1/status", token="0" * 64, origin=origin)[0] == 401
    assert get(f"{base}/v1/status", token=token, origin="chrome-extension://" + "a" * 32)[0] == 403
    # A second terminal finds `pair` on ~/.local/bin.
    paired = subprocess.run([str(device.home / ".local/bin/netral-companion"), "pair"],
                            env=device.env, capture_output=True, text=True, timeout=60)
    assert paired.returncode == 0 and re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", paired.stdout)

    (device.data_dir / "cache").mkdir(exist_ok=True)
    (device.data_dir / "cache" / "leftover.compiled").write_bytes(b"x")
    device.uninstall(*(["--purge"] if purge else []))
    deadline = time.monotonic() + 10
    while get(f"{base}/v1/health")[0] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert get(f"{base}/v1/health")[0] == 0, "the companion is still running"
    left = tree(device.root) - before
    if purge:
        assert left == set()
    else:
        data = str(device.data_dir.relative_to(device.root))
        assert f"{data}/netral.db" in left
        assert all(path.startswith(data) or data.startswith(path) for path in left), left
        assert f"{data}/token" not in left and f"{data}/cache" not in left


def test_reinstall_keeps_the_token(dist, tmp_path):
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "systemctl").write_text("#!/bin/sh\nexit 0\n")
    (shim / "systemctl").chmod(0o755)
    device = Device(tmp_path, dist, f"{shim}{os.pathsep}{os.environ['PATH']}", starts=False)
    before = tree(device.root)
    device.install()
    token = device.check_installed()
    device.install()
    assert device.check_installed() == token
    device.uninstall()
    assert tree(device.root) == before


def test_install_refuses_a_prefix_that_is_not_netrals(dist, tmp_path):
    """Attack: NETRAL_PREFIX pointed at a folder in use; nothing in it is replaced or removed."""
    device = Device(tmp_path, dist, os.environ["PATH"], starts=False)
    device.prefix.mkdir(parents=True)
    (device.prefix / "companion").mkdir()
    (device.prefix / "companion" / "theirs").write_text("keep")
    result = subprocess.run(["sh", str(dist / "install.sh")], env=device.env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0 and len(result.stderr.strip().splitlines()) == 1
    assert "not a Netral folder" in result.stderr
    assert (device.prefix / "companion" / "theirs").read_text() == "keep"


@pytest.mark.parametrize("script", ["install.sh", "uninstall.sh"])
def test_scripts_reject_unknown_arguments(dist, tmp_path, script):
    result = subprocess.run(["sh", str(dist / script), "--bogus"], capture_output=True,
                            text=True, env=clean_env(HOME=str(tmp_path)), timeout=30)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
