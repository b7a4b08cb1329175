"""install.sh into a temporary HOME puts every file in place; uninstall.sh leaves nothing behind."""

import getpass
import json
import os
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
    """A temporary machine: HOME, program prefix and the browsers' policy folders under one root."""

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
            NETRAL_POLICY_DIRS=":".join(map(str, self.policy_dirs)),
            NETRAL_START_TIMEOUT="20" if starts else "0",
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
        """Every file in place; returns the device token."""
        exe = self.prefix / "companion" / "netral-companion"
        assert exe.stat().st_mode & stat.S_IXUSR
        token_file = self.data_dir / "token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        token = token_file.read_text().strip()
        assert len(token) == 64
        for folder in self.policy_dirs:
            text = (folder / "netral.json").read_text()
            assert "@" not in text.replace(f"chrome-extension://{self.ext_id}", "")
            storage = json.loads(text)["3rdparty"]["extensions"][self.ext_id]
            assert storage["companionToken"] == token
            assert storage["companionUrl"] == f"http://127.0.0.1:{self.port}"
        rules = self.data_dir / "rules"
        assert (rules / "netral-default.bundle.json").is_file()
        assert (rules / "netral-default.bundle.json.sig").is_file()
        assert (self.prefix / "rules" / "trusted_keys.json").is_file()
        settings = (self.prefix / "companion.env").read_text()
        assert f"NETRAL_ALLOWED_ORIGINS=chrome-extension://{self.ext_id}" in settings
        assert f"NETRAL_PORT={self.port}" in settings
        assert os.access(self.prefix / "bin" / "netral-companion-serve", os.X_OK)
        manifest = (self.prefix / "install-manifest.txt").read_text()
        assert f"file {exe}" in manifest
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
    unit = device.home / ".config" / "systemd" / "user" / "netral-companion.service"
    assert f'ExecStart="{device.prefix}/bin/netral-companion-serve"' in unit.read_text()
    assert "Restart=on-failure" in unit.read_text()
    assert f"curl http://127.0.0.1:{device.port}/v1/health" in output
    logged = calls.read_text().splitlines()
    assert "--user daemon-reload" in logged
    assert "--user enable --now netral-companion.service" in logged

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
    assert f'Exec="{device.prefix}/bin/netral-companion-serve"' in desktop.read_text()
    base = f"http://127.0.0.1:{device.port}"
    assert get(f"{base}/v1/health") == (200, {"status": "ok"})
    # The companion adopted the device token, allows the packed extension's origin, has the rules.
    origin = f"chrome-extension://{device.ext_id}"
    status, answer = get(f"{base}/v1/status", token=token, origin=origin)
    assert status == 200 and answer["rules"]["bundle_id"] == "netral-default"
    assert get(f"{base}/v1/status", token="0" * 64, origin=origin)[0] == 401
    # Without a journal the frozen companion writes its output to the log file.
    log = device.home / ".local" / "state" / "netral" / "companion.log"
    assert f"listening on http://127.0.0.1:{device.port}" in log.read_text()

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
        assert f"{data}/token" not in left
        assert f"{data}/rules/netral-default.bundle.json" not in left


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


def test_install_rejects_unknown_arguments(dist, tmp_path):
    result = subprocess.run(["sh", str(dist / "install.sh"), "--bogus"], capture_output=True,
                            text=True, env=clean_env(HOME=str(tmp_path)), timeout=30)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
