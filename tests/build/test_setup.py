"""`netral-companion setup`: a real temp HOME on Linux, Windows through a recording registry."""

import json
import os
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from build_testkit import clean_env, free_port

from companion import setup
from companion.setup import Facts, Kit

pytestmark = pytest.mark.timeout(300)
PINNED = "hpacmafgmndfplepbodgnlklobkdbkag"
STORE = "abcdefghijklmnopabcdefghijklmnop"
EDGE_STORE = "ponmlkjihgfedcbaponmlkjihgfedcba"
HOST_FILES = (".config/google-chrome/NativeMessagingHosts", ".config/chromium/NativeMessagingHosts",
              ".config/microsoft-edge/NativeMessagingHosts")


def write_kit(folder: Path, **config) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"extension_id": PINNED, "store_ids": {"chrome": [STORE]},
            "update_url": "https://intranet.example.go.id/netral/updates.xml", **config}
    (folder / setup.KIT_CONFIG).write_text(json.dumps(data))
    return folder


def run_setup(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "companion.setup", *args], env=env,
                          capture_output=True, text=True, timeout=60)


def health(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=3) as answer:
            return answer.status
    except (urllib.error.URLError, OSError):
        return 0


def wait_for(check, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def home(tmp_path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


def no_systemctl_env(home: Path, tmp_path: Path) -> dict:
    """A PATH whose systemctl fails, as on a machine without a systemd user manager."""
    shim = tmp_path / "shim"
    shim.mkdir(exist_ok=True)
    (shim / "systemctl").write_text("#!/bin/sh\nexit 1\n")
    (shim / "systemctl").chmod(0o755)
    return clean_env(HOME=str(home), PATH=f"{shim}{os.pathsep}{os.environ['PATH']}")


def test_user_setup_starts_a_real_companion_and_uninstall_removes_everything(home, tmp_path):
    """setup user in a temp HOME: files, modes, origins, a companion that proves its token."""
    env = no_systemctl_env(home, tmp_path)
    kit, data_dir, port = write_kit(tmp_path / "dist"), home / "data", free_port()
    before = {str(p) for p in home.rglob("*")}
    result = run_setup(env, "user", "--data-dir", str(data_dir), "--kit", str(kit),
                       "--port", str(port))
    assert result.returncode == 0, result.stderr
    try:
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
        token = data_dir / "token"
        assert stat.S_IMODE(token.stat().st_mode) == 0o600 and len(token.read_text().strip()) == 64
        for folder in HOST_FILES:
            manifest = json.loads((home / folder / f"{setup.HOST_NAME}.json").read_text())
            assert manifest["name"] == setup.HOST_NAME and manifest["type"] == "stdio"
            assert manifest["allowed_origins"] == [f"chrome-extension://{PINNED}/",
                                                   f"chrome-extension://{STORE}/"]
            assert Path(manifest["path"]).name == "netral-native-host"
        desktop = (home / ".config/autostart/netral-companion.desktop").read_text()
        assert f"serve --data-dir {data_dir} --port {port}" in desktop
        assert f"--allowed-origin chrome-extension://{STORE}" in desktop
        shim = home / ".local/bin/netral-companion"
        assert shim.is_symlink() and Path(os.readlink(shim)).name == "netral-companion"
        assert wait_for(lambda: health(port) == 200), "the companion did not start"
        (data_dir / "cache").mkdir(exist_ok=True)
        (data_dir / "cache" / "x.compiled").write_bytes(b"x")
    finally:
        removed = run_setup(env, "uninstall", "--data-dir", str(data_dir), "--purge")
    assert removed.returncode == 0, removed.stderr
    assert wait_for(lambda: health(port) == 0), "the companion still runs after uninstall"
    assert {str(p) for p in home.rglob("*")} - before == set()


def test_status_names_this_users_companion_and_a_stranger_on_its_port(home, tmp_path):
    """status proves the companion without sending the token; another user's is told apart."""
    env = no_systemctl_env(home, tmp_path)
    data_dir, port = home / "data", free_port()
    assert run_setup(env, "user", "--data-dir", str(data_dir), "--port", str(port),
                     "--no-autostart").returncode == 0
    try:
        assert wait_for(lambda: health(port) == 200)
        (data_dir / "port").write_text(str(port))
        out = run_setup(env, "status", "--data-dir", str(data_dir)).stdout
        assert f"companion on port {port}: answers and proved it holds this user's token" in out
        # Another user's data dir with its own token, pointed at this user's port: not "ours".
        other = home / "other"
        assert run_setup(env, "user", "--data-dir", str(other), "--no-autostart",
                         "--no-start").returncode == 0
        (other / "port").write_text(str(port))
        out = run_setup(env, "status", "--data-dir", str(other)).stdout
        assert "another user's companion answers there" in out
    finally:
        run_setup(env, "uninstall", "--data-dir", str(data_dir), "--purge")
        run_setup(env, "uninstall", "--data-dir", str(home / "other"), "--purge")
    assert wait_for(lambda: health(port) == 0)


def test_systemd_user_unit_and_uninstall_keeps_the_log(home, tmp_path):
    """With a systemd user manager: the unit is enabled; uninstall keeps netral.db and chain.key."""
    shim = tmp_path / "shim"
    shim.mkdir()
    calls = tmp_path / "systemctl.log"
    (shim / "systemctl").write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\n')
    (shim / "systemctl").chmod(0o755)
    env = clean_env(HOME=str(home), PATH=f"{shim}{os.pathsep}{os.environ['PATH']}")
    data_dir = home / "data"
    assert run_setup(env, "user", "--data-dir", str(data_dir)).returncode == 0
    unit = (home / ".config/systemd/user/netral-companion.service").read_text()
    assert f"serve --data-dir {data_dir}" in unit and "Restart=on-failure" in unit
    assert "--user enable netral-companion.service" in calls.read_text()
    assert "--user restart netral-companion.service" in calls.read_text()
    for name in ("netral.db", "chain.key", "netral.db.head"):
        (data_dir / name).write_text("log")
    (data_dir / "cache").mkdir()
    (data_dir / "cache" / "abc.compiled").write_text("x")
    (data_dir / "port").write_text("47613")
    assert run_setup(env, "uninstall", "--data-dir", str(data_dir)).returncode == 0
    assert "--user disable --now netral-companion.service" in calls.read_text()
    assert sorted(p.name for p in data_dir.iterdir()) == ["chain.key", "netral.db",
                                                          "netral.db.head"]
    assert not (home / ".config/systemd/user/netral-companion.service").exists()


def test_a_tampered_record_removes_nothing_it_did_not_make(home, tmp_path):
    """Attack: setup.json edited to list a foreign file and a foreign pid; both survive."""
    env = no_systemctl_env(home, tmp_path)
    data_dir = home / "data"
    foreign = tmp_path / "precious.txt"
    foreign.write_text("keep me")
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        assert run_setup(env, "user", "--data-dir", str(data_dir), "--no-autostart",
                         "--no-start").returncode == 0
        record = json.loads((data_dir / setup.SETUP_RECORD).read_text())
        record["files"].append(str(foreign))
        record["pid"] = bystander.pid
        (data_dir / setup.SETUP_RECORD).write_text(json.dumps(record))
        assert run_setup(env, "uninstall", "--data-dir", str(data_dir)).returncode == 0
        assert foreign.read_text() == "keep me"
        assert bystander.poll() is None, "uninstall stopped a process that is not the companion"
    finally:
        bystander.kill()


def test_a_foreign_program_on_the_shim_path_is_left_alone(home, tmp_path):
    """Attack: ~/.local/bin/netral-companion is someone's own script; setup neither replaces it
    nor removes it."""
    env = no_systemctl_env(home, tmp_path)
    own = home / ".local/bin/netral-companion"
    own.parent.mkdir(parents=True)
    own.write_text("#!/bin/sh\necho mine\n")
    data_dir = home / "data"
    assert run_setup(env, "user", "--data-dir", str(data_dir), "--no-autostart",
                     "--no-start").returncode == 0
    assert own.read_text() == "#!/bin/sh\necho mine\n"
    assert run_setup(env, "uninstall", "--data-dir", str(data_dir), "--purge").returncode == 0
    assert own.read_text() == "#!/bin/sh\necho mine\n"


def test_machine_setup_under_a_root(tmp_path):
    """setup machine --root: host manifests for every user, policy without a token, VDI data dir."""
    kit = write_kit(tmp_path / "dist")
    (kit / "policies" / "linux").mkdir(parents=True)
    for browser in ("chrome", "edge", "chromium"):
        policy = {"ExtensionSettings": {STORE: {"installation_mode": "force_installed"}}}
        (kit / "policies" / "linux" / f"{browser}.json").write_text(json.dumps(policy))
    root = tmp_path / "root"
    env = clean_env(HOME=str(tmp_path))
    result = run_setup(env, "machine", "--kit", str(kit), "--root", str(root),
                       "--data-dir", "/srv/profiles/$USER/netral")
    assert result.returncode == 0, result.stderr
    for folder in ("etc/opt/chrome/native-messaging-hosts", "etc/chromium/native-messaging-hosts",
                   "etc/opt/edge/native-messaging-hosts"):
        manifest = json.loads((root / folder / f"{setup.HOST_NAME}.json").read_text())
        assert f"chrome-extension://{STORE}/" in manifest["allowed_origins"]
    for folder in ("etc/opt/chrome/policies/managed", "etc/opt/edge/policies/managed"):
        text = (root / folder / "netral.json").read_text()
        assert "companionToken" not in text and STORE in text
    policy = setup.machine_policy(root)
    assert policy["allowed_origins"] == [f"chrome-extension://{PINNED}",
                                         f"chrome-extension://{STORE}"]
    assert policy["data_dir"] == f"/srv/profiles/{os.environ.get('USER', '$USER')}/netral"
    assert run_setup(env, "machine", "--remove", "--root", str(root)).returncode == 0
    assert [p for p in root.rglob("*") if p.is_file()] == []


# ---------------------------------------------------------------- Windows, recorded


class RecordingWindows(setup.WindowsEffects):
    """WindowsEffects with a dict for a registry and a log for commands: no real Windows here."""

    def __init__(self, home: Path, registry: dict | None = None):
        super().__init__(home)
        self.registry = registry if registry is not None else {}
        self.commands: list[list[str]] = []
        self.broadcasts = 0

    def write_registry(self, hive, key, name, value, expand=False):
        self.registry[(hive, key, name)] = (value, expand)

    def read_registry(self, hive, key, name):
        found = self.registry.get((hive, key, name))
        return found[0] if found else None

    def delete_registry(self, hive, key, name):
        self.registry.pop((hive, key, name), None)

    def broadcast_environment(self):
        self.broadcasts += 1

    def run(self, command):
        self.commands.append(command)
        return 0

    def spawn(self, command):
        self.commands.append(["spawn", *command])
        return 4242

    def stop(self, pid, marks):
        self.commands.append(["stop", str(pid)])


def test_windows_user_setup_writes_hkcu_and_uninstall_removes_exactly_that(tmp_path):
    effects = RecordingWindows(tmp_path)
    data_dir = tmp_path / "AppData" / "Local" / "netral"
    exe = tmp_path / "Netral" / "companion" / "netral-companion.exe"
    exe.parent.mkdir(parents=True)
    exe.write_bytes(b"")
    exe.with_name("netral-companionw.exe").write_bytes(b"")
    plan = setup.Plan(effects, data_dir, exe, exe.with_name("netral-native-host.exe"),
                      Kit(PINNED, {"edge": [EDGE_STORE]}))
    effects.registry[("HKCU", r"Software\Other", "Keep")] = ("1", False)
    setup.install_user(plan)
    manifest_path = data_dir / "native-host" / f"{setup.HOST_NAME}.json"
    for key in (r"Software\Google\Chrome", r"Software\Microsoft\Edge", r"Software\Chromium"):
        value = effects.read_registry("HKCU", rf"{key}\NativeMessagingHosts\{setup.HOST_NAME}", "")
        assert value == str(manifest_path)
    manifest = json.loads(manifest_path.read_text())
    assert manifest["allowed_origins"] == [f"chrome-extension://{PINNED}/",
                                           f"chrome-extension://{EDGE_STORE}/"]
    run_value = effects.read_registry("HKCU", setup.WINDOWS_RUN_KEY, "Netral")
    assert "netral-companionw.exe" in run_value and f"--data-dir {data_dir}" in run_value
    assert effects.commands[-1][:2] == ["spawn", str(exe.with_name("netral-companionw.exe"))]
    setup.uninstall_user(effects, data_dir, purge=True)
    assert effects.registry == {("HKCU", r"Software\Other", "Keep"): ("1", False)}
    assert ["stop", "4242"] in effects.commands and not data_dir.exists()


def test_windows_machine_setup_path_and_signed_in_sessions(tmp_path):
    """PATH gains the folder once, as REG_EXPAND_SZ; a look-alike folder survives the removal."""
    folder = r"C:\Program Files\Netral\companion"
    env_key = setup.WINDOWS_ENV_KEY
    effects = RecordingWindows(tmp_path, {
        ("HKLM", env_key, "Path"): (r"%SystemRoot%\system32;C:\Program Files\Netral\companion2",
                                    True),
        ("HKLM", setup.WINDOWS_RUN_KEY, "Netral"):
            (rf'"{folder}\netral-companionw.exe" serve --trusted-keys "C:\x\trusted_keys.json"',
             False),
    })
    os.environ.setdefault("TEMP", str(tmp_path))
    setup.install_machine_windows(effects, folder)
    setup.install_machine_windows(effects, folder.upper())  # a second run adds nothing
    path, expand = effects.registry[("HKLM", env_key, "Path")]
    assert expand and path.split(";").count(folder) == 1 and len(path.split(";")) == 3
    created = [c for c in effects.commands if c[:2] == ["schtasks", "/create"]]
    assert created and ["schtasks", "/run", "/tn", setup.SESSIONS_TASK] in effects.commands
    task = setup.sessions_task(effects.read_registry("HKLM", setup.WINDOWS_RUN_KEY, "Netral"))
    assert "<GroupId>S-1-5-32-545</GroupId>" in task  # BUILTIN\Users: every signed-in member
    assert "<ExecutionTimeLimit>PT0S</ExecutionTimeLimit>" in task  # never stopped after 72 h
    assert rf"<Command>{folder}\netral-companionw.exe</Command>" in task
    assert "<Arguments>serve --trusted-keys &quot;" not in task  # XML-escaped only where needed
    setup.uninstall_machine_windows(effects, folder)
    path = effects.registry[("HKLM", env_key, "Path")][0]
    assert path == r"%SystemRoot%\system32;C:\Program Files\Netral\companion2"
    assert ["schtasks", "/delete", "/tn", setup.SESSIONS_TASK, "/f"] in effects.commands


def test_windows_machine_setup_without_the_run_value_says_how_to_repair(tmp_path):
    effects = RecordingWindows(tmp_path)
    with pytest.raises(setup.SetupError, match="msiexec /fa"):
        setup.install_machine_windows(effects, r"C:\Program Files\Netral\companion")


# ---------------------------------------------------------------- what the browser will do

SETTINGS = json.dumps({PINNED: {"installation_mode": "force_installed"}})
STORE_SETTINGS = json.dumps({STORE: {"installation_mode": "force_installed"}})
SELF_HOSTED = Kit(PINNED, {}, "https://intranet.example.go.id/netral/updates.xml")
OUTLOOK = [
    (Facts("windows", policies={"chrome": SETTINGS}), "chrome", SELF_HOSTED,
     "will not force-install an off-store extension on this machine: it is not domain-joined"),
    (Facts("windows", domain_joined=True, policies={"chrome": SETTINGS}), "chrome", SELF_HOSTED,
     "this machine is domain-joined"),
    (Facts("windows", azure_ad_joined=True, policies={"edge": SETTINGS}), "edge", SELF_HOSTED,
     "this machine is Azure AD joined"),
    (Facts("windows", cloud_managed=True, policies={"chrome": SETTINGS}), "chrome", SELF_HOSTED,
     "this machine is cloud-managed"),
    # Chrome Browser Cloud Management does not make Edge honour it.
    (Facts("windows", cloud_managed=True, policies={"edge": SETTINGS}), "edge", SELF_HOSTED,
     "will not force-install"),
    (Facts("windows", mdm_enrolled=True, policies={"edge": SETTINGS}), "edge", SELF_HOSTED,
     "MDM-enrolled"),
    (Facts("windows", policies={"chrome": STORE_SETTINGS}), "chrome",
     Kit(PINNED, {"chrome": [STORE]}), "from the store"),
    (Facts("windows"), "chrome", SELF_HOSTED, "has no Netral force-install policy"),
    (Facts("windows", policies={"chrome": "{not json"}), "chrome", SELF_HOSTED,
     "is not a JSON object"),
    (Facts("windows", policies={"chrome": "[1]"}), "chrome", SELF_HOSTED, "is not a JSON object"),
    (Facts("windows", policies={"chrome": json.dumps({PINNED: "force_installed"})}), "chrome",
     SELF_HOSTED, "has no Netral force-install policy"),
    (Facts("windows", policies={"chrome": json.dumps({PINNED: {"installation_mode": "blocked"}})}),
     "chrome", SELF_HOSTED, "has no Netral force-install policy"),
    (Facts("darwin"), "chrome", SELF_HOSTED, "not MDM-enrolled"),
    (Facts("darwin", mdm_enrolled=True), "edge", SELF_HOSTED, "this Mac is MDM-enrolled"),
    (Facts("linux"), "chrome", SELF_HOSTED, "will force-install Netral from https://intranet"),
]


@pytest.mark.parametrize(("facts", "browser", "kit", "says"), OUTLOOK)
def test_what_the_browser_will_really_do(facts, browser, kit, says):
    """15 machine situations (two hostile policy values), each with one sentence for status."""
    sentence = setup.forced_outlook(facts, browser, kit)
    assert says in sentence
    assert "\n" not in sentence and sentence.endswith(".")


def test_machine_policy_from_the_windows_registry():
    values = {"DataDir": "${HOME}/vdi/netral", "AllowedOrigins": " chrome-extension://a, ,"}
    found = setup.machine_policy(reader=values.get)
    assert found == {"data_dir": f"{os.environ['HOME']}/vdi/netral",
                     "allowed_origins": ["chrome-extension://a"]}
    assert setup.machine_policy(reader={"DataDir": ""}.get) == {}  # the MSI's empty default


# ---------------------------------------------------------------- bad input

BAD = [
    (["user", "--data-dir", "{file}"], "is a file, not a directory"),
    (["user", "--data-dir", "{file}/below"], "data dir"),
    (["user", "--kit", "{empty}"], "no netral-install.json"),
    (["user", "--kit", "{broken}"], "is not a Netral install config"),
    (["user", "--kit", "{hostile}"], "is not a Netral install config"),
    (["user", "--kit", "{wrongtype}"], "is not a Netral install config"),
    (["user", "--port", "70000"], "70000"),
    (["machine"], "needs --kit"),
    (["uninstall", "--data-dir", "{tampered}"], "cannot be read"),
    (["frobnicate"], "No such command"),
]


@pytest.mark.parametrize(("args", "says"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_gives_one_line_saying_what_to_do(args, says, tmp_path, home):
    """10 bad inputs: each one line starting with error:, exit non-zero, never a traceback."""
    places = {"file": tmp_path / "a-file", "empty": tmp_path / "empty",
              "broken": tmp_path / "broken", "hostile": tmp_path / "hostile",
              "wrongtype": tmp_path / "wrongtype", "tampered": tmp_path / "tampered"}
    places["file"].write_text("x")
    places["empty"].mkdir()
    write_kit(places["broken"])
    (places["broken"] / setup.KIT_CONFIG).write_text("{not json")
    write_kit(places["hostile"], extension_id="evil/../../'; rm -rf ~")
    write_kit(places["wrongtype"], store_ids=["x"])
    places["tampered"].mkdir()
    (places["tampered"] / setup.SETUP_RECORD).write_text("[[[")
    args = [arg.format(**places) for arg in args]
    result = run_setup(no_systemctl_env(home, tmp_path), *args)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not (home / ".config").exists()


def test_every_command_has_help_with_an_example():
    for command in ("user", "machine", "uninstall", "status"):
        result = run_setup(clean_env(), command, "--help")
        assert result.returncode == 0 and "Example:" in result.stdout
