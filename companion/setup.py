"""`netral-companion setup`: install steps per user and per machine, each OS behind an adapter."""

import contextlib
import json
import os
import plistlib
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import click

from companion.config import (
    DEFAULT_ORIGIN,
    load_or_create_token,
    load_settings,
    prepare_data_dir,
)
from companion.native_host import HOST_NAME, host_manifest

# The machine policy (VDI: the data dir; store IDs) is read at every start: its own module.
from companion.policy import MACHINE_POLICY_FILE, SetupError
from companion.policy import machine_policy as machine_policy

KIT_CONFIG = "netral-install.json"
ID_LETTERS = frozenset("abcdefghijklmnop")
SETUP_RECORD = "setup.json"
RUN_VALUE = "Netral"
WINDOWS_RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
# Where each browser looks for native-messaging hosts and policy (Chromium's documented places).
BROWSERS = {
    "chrome": {
        "name": "Google Chrome",
        "registry": r"Software\Google\Chrome\NativeMessagingHosts",
        "linux_user": ".config/google-chrome/NativeMessagingHosts",
        "linux_machine": "etc/opt/chrome/native-messaging-hosts",
        "linux_policy": "etc/opt/chrome/policies/managed",
        "darwin_user": "Library/Application Support/Google/Chrome/NativeMessagingHosts",
        "darwin_machine": "Library/Google/Chrome/NativeMessagingHosts",
    },
    "edge": {
        "name": "Microsoft Edge",
        "registry": r"Software\Microsoft\Edge\NativeMessagingHosts",
        "linux_user": ".config/microsoft-edge/NativeMessagingHosts",
        "linux_machine": "etc/opt/edge/native-messaging-hosts",
        "linux_policy": "etc/opt/edge/policies/managed",
        "darwin_user": "Library/Application Support/Microsoft Edge/NativeMessagingHosts",
        "darwin_machine": "Library/Microsoft/Edge/NativeMessagingHosts",
    },
    "chromium": {
        "name": "Chromium",
        "registry": r"Software\Chromium\NativeMessagingHosts",
        "linux_user": ".config/chromium/NativeMessagingHosts",
        "linux_machine": "etc/chromium/native-messaging-hosts",
        "linux_policy": "etc/chromium/policies/managed",
        "darwin_user": "Library/Application Support/Chromium/NativeMessagingHosts",
        "darwin_machine": "Library/Application Support/Chromium/NativeMessagingHosts",
    },
}
# Update URLs of the Chrome Web Store and Edge Add-ons, for --store-id items.
STORES = {
    "chrome": "https://clients2.google.com/service/update2/crx",
    "edge": "https://edge.microsoft.com/extensionwebstorebase/v1/crx",
}


# ---------------------------------------------------------------- what the kit says


@dataclass(frozen=True)
class Kit:
    """netral-install.json from `python build.py`: the extension IDs every piece must agree on."""

    extension_id: str = DEFAULT_ORIGIN.removeprefix("chrome-extension://")
    store_ids: dict = field(default_factory=dict)  # {"chrome": [ID], "edge": [ID]}
    update_url: str = ""
    folder: Path | None = None  # the kit's folder: rules/ with the agency's bundles and keys

    @property
    def rules(self) -> list[str]:
        """serve's --trusted-keys and --rules for the kit's rules/, if it ships any."""
        rules = self.folder / "rules" if self.folder else None
        if rules is None or not (rules / "trusted_keys.json").is_file():
            return []
        found = ["--trusted-keys", str(rules / "trusted_keys.json")]
        for bundle in sorted(rules.glob("*.bundle.json")):
            found += ["--rules", str(bundle)]
        return found

    @property
    def origins(self) -> list[str]:
        ids = [self.extension_id, *(i for ids in self.store_ids.values() for i in ids)]
        return [f"chrome-extension://{i}" for i in dict.fromkeys(ids)]

    @classmethod
    def load(cls, folder: Path | None) -> "Kit":
        if folder is None:
            return cls()
        path = folder / KIT_CONFIG
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            kit = cls(data["extension_id"], data.get("store_ids", {}), data.get("update_url", ""),
                      folder.resolve())
            ids = [kit.extension_id, *(i for found in kit.store_ids.values() for i in found)]
            bad = [i for i in ids if not isinstance(i, str) or len(i) != 32 or set(i) - ID_LETTERS]
            if bad:
                raise ValueError(f"{bad[0]!r} is not an extension ID")
            if not isinstance(kit.update_url, str):
                raise ValueError(f"update_url {kit.update_url!r} is not a URL")
            return kit
        except FileNotFoundError:
            raise SetupError(f"no {KIT_CONFIG} in {folder}; pass --kit the dist folder that "
                             "`python build.py all` made.") from None
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise SetupError(f"{path} is not a Netral install config ({error}); rebuild it with "
                             "`python build.py extension`.") from None


def forced_ids(kit: Kit, browser: str) -> list[tuple[str, str]]:
    """(extension ID, update URL) a browser's policy force-installs: store items over the CRX."""
    chosen = [(i, STORES["chrome"]) for i in kit.store_ids.get("chrome", [])]
    if browser == "edge" and kit.store_ids.get("edge"):
        chosen = [(i, STORES["edge"]) for i in kit.store_ids["edge"]]
    return chosen or [(kit.extension_id, kit.update_url)]


# ---------------------------------------------------------------- adapters


class Effects:
    """The effects setup has on one OS; tests replace the ones that need a real Windows."""

    os_name = "linux"

    def __init__(self, home: Path, root: Path = Path("/")):
        self.home, self.root = home, root

    def write_file(self, path: Path, data: bytes, mode: int = 0o644) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_bytes(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)

    def remove_file(self, path: Path) -> None:
        path.unlink(missing_ok=True)

    def write_registry(self, hive: str, key: str, name: str, value: str,
                       expand: bool = False) -> None:
        raise SetupError(f"there is no registry on {self.os_name}; this step is for Windows.")

    def read_registry(self, hive: str, key: str, name: str) -> str | None:
        raise SetupError(f"there is no registry on {self.os_name}; this step is for Windows.")

    def delete_registry(self, hive: str, key: str, name: str) -> None:
        raise SetupError(f"there is no registry on {self.os_name}; this step is for Windows.")

    def run(self, command: list[str]) -> int:
        try:
            return subprocess.run(command, capture_output=True, timeout=60).returncode
        except (OSError, subprocess.TimeoutExpired):
            return 127

    def spawn(self, command: list[str]) -> int:
        """Starts the companion detached from this process; returns its pid."""
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        return process.pid

    def stop(self, pid: int, marks: tuple[str, ...]) -> None:
        """Stops pid if its command line still has every mark (a pid can be reused)."""
        try:
            words = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
            if not all(mark in words for mark in marks):
                return
            os.kill(pid, signal.SIGTERM)
        except (OSError, ValueError):
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.1)

    def facts(self) -> "Facts":
        return Facts(os_name=self.os_name)


class LinuxEffects(Effects):
    os_name = "linux"


class MacEffects(Effects):
    os_name = "darwin"

    def facts(self) -> "Facts":
        try:
            out = subprocess.run(["profiles", "status", "-type", "enrollment"], text=True,
                                 capture_output=True, timeout=20).stdout
        except (OSError, subprocess.TimeoutExpired):
            out = ""
        return Facts(os_name="darwin", mdm_enrolled="MDM enrollment: Yes" in out)


class WindowsEffects(Effects):
    """Registry through winreg; machine facts from the registry and NetGetJoinInformation."""

    os_name = "windows"

    def _hive(self, hive: str):
        import winreg

        return {"HKCU": winreg.HKEY_CURRENT_USER, "HKLM": winreg.HKEY_LOCAL_MACHINE}[hive]

    def write_registry(self, hive: str, key: str, name: str, value: str,
                       expand: bool = False) -> None:
        import winreg

        kind = winreg.REG_EXPAND_SZ if expand else winreg.REG_SZ
        with winreg.CreateKeyEx(self._hive(hive), key, 0, winreg.KEY_SET_VALUE) as handle:
            winreg.SetValueEx(handle, name, 0, kind, value)

    def broadcast_environment(self) -> None:
        """Tells Explorer the environment changed, so new terminals see the PATH entry."""
        import ctypes

        result = ctypes.c_ulong()
        ctypes.windll.user32.SendMessageTimeoutW(0xFFFF, 0x001A, 0, "Environment", 0x0002, 5000,
                                                 ctypes.byref(result))

    def delete_registry(self, hive: str, key: str, name: str) -> None:
        import winreg

        try:
            with winreg.OpenKey(self._hive(hive), key, 0, winreg.KEY_SET_VALUE) as handle:
                winreg.DeleteValue(handle, name)
            if not name:
                winreg.DeleteKey(self._hive(hive), key)
        except OSError:
            pass

    def read_registry(self, hive: str, key: str, name: str) -> str | None:
        import winreg

        try:
            with winreg.OpenKey(self._hive(hive), key) as handle:
                return str(winreg.QueryValueEx(handle, name)[0])
        except OSError:
            return None

    def has_subkeys(self, hive: str, key: str) -> bool:
        import winreg

        try:
            with winreg.OpenKey(self._hive(hive), key) as handle:
                return winreg.QueryInfoKey(handle)[0] > 0
        except OSError:
            return False

    def mdm_enrolled(self) -> bool:
        """An MDM enrolment (Intune: ProviderID "MS DM Server") under Enrollments."""
        import winreg

        base = r"SOFTWARE\Microsoft\Enrollments"
        try:
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, base) as handle:
                names = [winreg.EnumKey(handle, i) for i in range(winreg.QueryInfoKey(handle)[0])]
        except OSError:
            return False
        return any(self.read_registry("HKLM", rf"{base}\{name}", "ProviderID") == "MS DM Server"
                   for name in names)

    def domain_joined(self) -> bool:
        import ctypes

        name, status = ctypes.c_wchar_p(), ctypes.c_int()
        netapi = ctypes.WinDLL("netapi32")
        if netapi.NetGetJoinInformation(None, ctypes.byref(name), ctypes.byref(status)) != 0:
            return False
        netapi.NetApiBufferFree(name)
        return status.value == 3  # NetSetupDomainName

    def spawn(self, command: list[str]) -> int:
        flags = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        return subprocess.Popen(command, creationflags=flags, close_fds=True).pid

    def stop(self, pid: int, marks: tuple[str, ...]) -> None:
        self.run(["taskkill", "/f", "/fi", f"PID eq {pid}", "/fi",
                  "IMAGENAME eq netral-companionw.exe"])

    def facts(self) -> "Facts":
        chrome_policy = r"SOFTWARE\Policies\Google\Chrome"
        return Facts(
            os_name="windows",
            domain_joined=self.domain_joined(),
            azure_ad_joined=self.has_subkeys(
                "HKLM", r"SYSTEM\CurrentControlSet\Control\CloudDomainJoin\JoinInfo"),
            mdm_enrolled=self.mdm_enrolled(),
            cloud_managed=bool(
                self.read_registry("HKLM", chrome_policy, "CloudManagementEnrollmentToken")),
            policies={
                browser: self.read_registry("HKLM", rf"SOFTWARE\Policies\{vendor}",
                                            "ExtensionSettings")
                for browser, vendor in (("chrome", r"Google\Chrome"), ("edge", r"Microsoft\Edge"))
            },
        )


def effects_for_this_os(root: Path = Path("/")) -> Effects:
    kind = {"win32": WindowsEffects, "darwin": MacEffects}.get(sys.platform, LinuxEffects)
    return kind(Path.home(), root)


# ---------------------------------------------------------------- what the browser will do


@dataclass(frozen=True)
class Facts:
    """What decides whether a browser honours a self-hosted force-install on this machine."""

    os_name: str
    domain_joined: bool = False
    azure_ad_joined: bool = False
    mdm_enrolled: bool = False
    cloud_managed: bool = False  # Chrome Browser Cloud Management enrollment token present
    policies: dict = field(default_factory=dict)  # browser -> ExtensionSettings JSON (Windows)


def forced_outlook(facts: Facts, browser: str, kit: Kit) -> str:
    """One sentence: what this browser will really do with Netral's force-install policy."""
    name = BROWSERS[browser]["name"]
    if facts.os_name == "windows":
        try:
            settings = json.loads(facts.policies.get(browser) or "{}")
            if not isinstance(settings, dict):
                raise ValueError("not an object")
        except ValueError:
            return (f"{name}'s ExtensionSettings policy is not a JSON object, so {name} ignores "
                    "all of it; fix the value your GPO or Intune profile writes (ADMIN.md, "
                    "section 1.2).")
        modes = [settings.get(i) for i, _ in forced_ids(kit, browser)]
        if not any(isinstance(m, dict) and m.get("installation_mode") == "force_installed"
                   for m in modes):
            return (f"{name} has no Netral force-install policy on this machine; install the MSI "
                    "or deploy the ExtensionSettings value of ADMIN.md, section 1.2.")
    store = [url for _, url in forced_ids(kit, browser) if url in STORES.values()]
    if store:
        return f"{name} will force-install Netral from the store; nothing else is needed."
    if facts.os_name == "linux":
        return f"{name} will force-install Netral from {kit.update_url or 'the update URL'}."
    if facts.os_name == "darwin":
        if facts.mdm_enrolled:
            return f"{name} will force-install Netral: this Mac is MDM-enrolled."
        return (f"{name} will not force-install an off-store extension on this Mac: it is not "
                "MDM-enrolled; deliver the profile through your MDM or publish to the store as "
                "described in ADMIN.md.")
    cloud = facts.cloud_managed and browser == "chrome"  # CBCM enrolls Chrome, not Edge
    if facts.domain_joined or facts.azure_ad_joined or facts.mdm_enrolled or cloud:
        how = ("domain-joined" if facts.domain_joined else "Azure AD joined"
               if facts.azure_ad_joined else "MDM-enrolled" if facts.mdm_enrolled
               else "cloud-managed")
        return f"{name} will force-install Netral from {kit.update_url}: this machine is {how}."
    return (f"{name} will not force-install an off-store extension on this machine: it is not "
            "domain-joined or cloud-managed; load it as described in ADMIN.md, or build with "
            "--store-id.")


# ---------------------------------------------------------------- per-user setup


@dataclass
class Plan:
    """Where setup puts things for one user on one OS."""

    effects: Effects
    data_dir: Path
    executable: Path  # the netral-companion program (frozen, or the venv's console script)
    native_host: Path
    kit: Kit
    port: int | None = None
    rules_url: str | None = None

    @property
    def record_path(self) -> Path:
        return self.data_dir / SETUP_RECORD

    def serve_command(self) -> list[str]:
        exe = self.executable
        if self.effects.os_name == "windows" and exe.with_name(exe.stem + "w.exe").exists():
            exe = exe.with_name(exe.stem + "w.exe")  # the windowed twin: no console at logon
        command = [str(exe), "serve", "--data-dir", str(self.data_dir)]
        if self.port is not None:
            command += ["--port", str(self.port)]
        if self.rules_url:
            command += ["--rules-url", self.rules_url]
        command += self.kit.rules
        for origin in self.kit.origins:
            command += ["--allowed-origin", origin]
        return command


def program_paths() -> tuple[Path, Path]:
    """(netral-companion, netral-native-host) next to this program: frozen, or the venv's bin/."""
    suffix = ".exe" if sys.platform == "win32" else ""
    folder = Path(sys.executable).parent  # the frozen exe's folder, or the venv's bin/ (Scripts\\)
    return folder / f"netral-companion{suffix}", folder / f"netral-native-host{suffix}"


def write_record(plan: Plan, record: dict) -> None:
    plan.effects.write_file(plan.record_path, json.dumps(record, indent=2).encode(), 0o600)


def read_record(data_dir: Path) -> dict:
    try:
        return json.loads((data_dir / SETUP_RECORD).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"files": [], "registry": [], "autostart": None, "pid": None}
    except (OSError, ValueError) as error:
        raise SetupError(f"{data_dir / SETUP_RECORD} cannot be read ({error}); delete it and "
                         "remove Netral's files by hand as ADMIN.md lists them.") from None


def install_user(plan: Plan, *, autostart: bool = True, start: bool = True,
                 shim: bool = True) -> list[str]:
    """Data dir, token, native-host manifests, autostart, PATH shim; returns what was done."""
    effects, done = plan.effects, []
    folders = set()
    for parent in [plan.data_dir, *plan.data_dir.parents]:
        if parent.exists():
            break
        folders.add(str(parent))
    prepare_data_dir(plan.data_dir)
    record = read_record(plan.data_dir)
    folders.update(record.get("dirs", []))
    os.chmod(plan.data_dir, 0o700)
    load_or_create_token(plan.data_dir / "token")
    done.append(f"data dir {plan.data_dir} (token 0600)")
    files, registry = set(record["files"]), {tuple(item) for item in record["registry"]}

    def missing_parents(path: Path) -> set[str]:  # folders setup makes, for uninstall to remove
        made = set()
        for parent in path.parents:
            if parent.exists():
                break
            made.add(str(parent))
        return made

    manifest = json.dumps(host_manifest(str(plan.native_host), plan.kit.origins), indent=2)
    if effects.os_name == "windows":
        path = plan.data_dir / "native-host" / f"{HOST_NAME}.json"
        effects.write_file(path, manifest.encode())
        files.add(str(path))
        for browser in BROWSERS.values():
            key = rf"{browser['registry']}\{HOST_NAME}"
            effects.write_registry("HKCU", key, "", str(path))
            registry.add(("HKCU", key, ""))
    else:
        for browser in BROWSERS.values():
            path = effects.home / browser[f"{effects.os_name}_user"] / f"{HOST_NAME}.json"
            folders.update(missing_parents(path))
            effects.write_file(path, manifest.encode())
            files.add(str(path))
    done.append(f"native host {HOST_NAME} for Chrome, Edge and Chromium")

    if shim and effects.os_name != "windows":
        link = effects.home / ".local" / "bin" / "netral-companion"
        if not link.exists() or link.is_symlink():
            folders.update(missing_parents(link))
            link.parent.mkdir(parents=True, exist_ok=True)
            link.unlink(missing_ok=True)
            link.symlink_to(plan.executable)
            files.add(str(link))
            done.append(f"{link} -> {plan.executable} (open a new terminal if ~/.local/bin was "
                        "not on PATH yet)")

    if autostart:
        before = {path: missing_parents(Path(path)) for path in owned(effects, plan.data_dir)[0]}
        kind, path = create_autostart(plan)
        record["autostart"] = kind
        if path:
            files.add(str(path))
            folders.update(before[str(path)])
        if kind == "registry":
            registry.add(("HKCU", WINDOWS_RUN_KEY, RUN_VALUE))
        done.append(f"autostart: {kind}")
    record.update(files=sorted(files), registry=sorted(registry),
                  dirs=sorted(d for d in folders if not Path(d).is_relative_to(plan.data_dir)
                              or Path(d) == plan.data_dir))
    if start and record.get("autostart") != "systemd":
        if record.get("pid"):  # a second run restarts it with this run's settings
            effects.stop(record["pid"], ("serve", str(plan.data_dir)))
        record["pid"] = effects.spawn(plan.serve_command())
        done.append(f"companion started (pid {record['pid']})")
    write_record(plan, record)
    return done


def owned(effects: Effects, data_dir: Path) -> tuple[set[str], set[tuple[str, str, str]]]:
    """Every file and registry value install_user can write for this user and data dir."""
    home = effects.home
    files = {str(data_dir / "native-host" / f"{HOST_NAME}.json"), str(data_dir / "token"),
             str(home / ".local" / "bin" / "netral-companion"),
             str(home / "Library" / "LaunchAgents" / f"{HOST_NAME}.plist"),
             str(home / ".config" / "systemd" / "user" / "netral-companion.service"),
             str(home / ".config" / "autostart" / "netral-companion.desktop")}
    files |= {str(home / browser[f"{os_name}_user"] / f"{HOST_NAME}.json")
              for browser in BROWSERS.values() for os_name in ("linux", "darwin")}
    keys = {("HKCU", rf"{browser['registry']}\{HOST_NAME}", "") for browser in BROWSERS.values()}
    return files, keys | {("HKCU", WINDOWS_RUN_KEY, RUN_VALUE)}


def create_autostart(plan: Plan) -> tuple[str, Path | None]:
    """This user's logon entry: systemd --user, else XDG autostart; a LaunchAgent; HKCU Run."""
    effects, command = plan.effects, plan.serve_command()
    if effects.os_name == "windows":
        effects.write_registry("HKCU", WINDOWS_RUN_KEY, RUN_VALUE, subprocess.list2cmdline(command))
        return "registry", None
    if effects.os_name == "darwin":
        path = effects.home / "Library" / "LaunchAgents" / f"{HOST_NAME}.plist"
        agent = {"Label": HOST_NAME, "ProgramArguments": command, "RunAtLoad": True,
                 "KeepAlive": True}
        effects.write_file(path, plistlib.dumps(agent))
        effects.run(["launchctl", "bootstrap", f"gui/{os.getuid()}", str(path)])
        return "launchd", path
    exec_line = " ".join(shlex.quote(part) for part in command)
    if effects.run(["systemctl", "--user", "show-environment"]) == 0:
        path = effects.home / ".config" / "systemd" / "user" / "netral-companion.service"
        unit = ("[Unit]\nDescription=Netral companion\n\n[Service]\nType=simple\n"
                f"ExecStart={exec_line}\nRestart=on-failure\nRestartSec=5\n\n"
                "[Install]\nWantedBy=default.target\n")
        effects.write_file(path, unit.encode())
        effects.run(["systemctl", "--user", "daemon-reload"])
        effects.run(["systemctl", "--user", "enable", "netral-companion.service"])
        # restart, not start: an upgrade's new program and settings take effect now
        effects.run(["systemctl", "--user", "restart", "netral-companion.service"])
        return "systemd", path
    path = effects.home / ".config" / "autostart" / "netral-companion.desktop"
    desktop = ("[Desktop Entry]\nType=Application\nName=Netral companion\n"
               f"Exec={exec_line}\nTerminal=false\nNoDisplay=true\n")
    effects.write_file(path, desktop.encode())
    return "xdg", path


def uninstall_user(effects: Effects, data_dir: Path, *, purge: bool = False) -> list[str]:
    """Undoes install_user from its record; keeps netral.db and its witness unless purge."""
    record, done = read_record(data_dir), []
    if record.get("autostart") == "systemd":
        effects.run(["systemctl", "--user", "disable", "--now", "netral-companion.service"])
    if record.get("autostart") == "launchd":
        effects.run(["launchctl", "bootout", f"gui/{os.getuid()}/{HOST_NAME}"])
    if record.get("pid"):
        effects.stop(record["pid"], ("serve", str(data_dir)))
    # Only what setup can have made: a record edited to name other files or keys removes nothing.
    owned_files, owned_keys = owned(effects, data_dir)
    for hive, key, name in record["registry"]:
        if (hive, key, name) in owned_keys:
            effects.delete_registry(hive, key, name)
    for path in record["files"]:
        if path in owned_files:
            effects.remove_file(Path(path))
    done.append(f"removed {len(record['files'])} files and {len(record['registry'])} registry "
                "values")
    # The log, its chain key and witness stay: the civil servant's record of having been warned.
    keep = set() if purge else {"netral.db", "netral.db-wal", "netral.db-shm", "netral.db.head",
                                "chain.key"}
    if data_dir.is_dir():
        for item in sorted(data_dir.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            relative = item.relative_to(data_dir)
            if relative.parts[0] in keep:
                continue
            if item.is_dir() and not item.is_symlink():
                if not any(item.iterdir()):
                    item.rmdir()
            else:
                item.unlink()
        if not any(data_dir.iterdir()):
            data_dir.rmdir()
    for folder in sorted(record.get("dirs", []), key=len, reverse=True):
        if any(Path(path).is_relative_to(folder) for path in owned_files):
            with contextlib.suppress(OSError):  # only when empty: what the user put there stays
                Path(folder).rmdir()
    done.append(f"data dir {data_dir}: " + ("removed" if purge else
                "cache, rules, token and port removed; the acknowledgement log is kept"))
    return done


# ---------------------------------------------------------------- per-machine setup (Linux, macOS)


WINDOWS_ENV_KEY = r"SYSTEM\CurrentControlSet\Control\Session Manager\Environment"
SESSIONS_TASK = r"\Netral\Start companions"


def path_with(value: str, folder: str) -> str:
    """A PATH value with `folder` appended once (Windows compares case-insensitively)."""
    parts = [part for part in value.split(";") if part]
    if folder.lower().rstrip("\\") not in {part.lower().rstrip("\\") for part in parts}:
        parts.append(folder)
    return ";".join(parts)


def path_without(value: str, folder: str) -> str:
    return ";".join(part for part in value.split(";")
                    if part and part.lower().rstrip("\\") != folder.lower().rstrip("\\"))


def sessions_task(command_line: str) -> str:
    """Task Scheduler XML: run the logon command in every signed-in session of a Users member."""
    from xml.sax.saxutils import escape

    exe, _, arguments = command_line.partition('" ') if command_line.startswith('"') else \
        command_line.partition(" ")
    return f"""<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>Starts each signed-in user's Netral companion after an install.</Description>
  </RegistrationInfo>
  <Principals>
    <Principal id="Users">
      <GroupId>S-1-5-32-545</GroupId><RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>Parallel</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <Hidden>true</Hidden>
  </Settings>
  <Actions Context="Users">
    <Exec><Command>{escape(exe.strip('"'))}</Command><Arguments>{escape(arguments)}</Arguments></Exec>
  </Actions>
</Task>
"""


def install_machine_windows(effects: Effects, folder: str) -> list[str]:
    """What the MSI cannot do itself: the PATH entry, and companions of users signed in now."""
    done = []
    current = effects.read_registry("HKLM", WINDOWS_ENV_KEY, "Path") or ""
    if path_with(current, folder) != current:
        effects.write_registry("HKLM", WINDOWS_ENV_KEY, "Path", path_with(current, folder),
                               expand=True)
        effects.broadcast_environment()
        done.append(f"PATH: {folder} added (new terminals find netral-companion)")
    command = effects.read_registry("HKLM", WINDOWS_RUN_KEY, RUN_VALUE)
    if not command:
        raise SetupError(f"no HKLM Run value {RUN_VALUE}; repair the install with "
                         "`msiexec /fa netral.msi` as ADMIN.md describes.")
    task = Path(os.environ.get("TEMP", ".")) / "netral-sessions.xml"
    effects.write_file(task, sessions_task(command).encode("utf-16"))
    effects.run(["schtasks", "/create", "/tn", SESSIONS_TASK, "/xml", str(task), "/f"])
    effects.remove_file(task)
    started = effects.run(["schtasks", "/run", "/tn", SESSIONS_TASK]) == 0
    done.append("companions of signed-in users " + ("started" if started else
                "not started; they start at the next sign-in"))
    return done


def uninstall_machine_windows(effects: Effects, folder: str) -> list[str]:
    current = effects.read_registry("HKLM", WINDOWS_ENV_KEY, "Path") or ""
    if path_without(current, folder) != current:
        effects.write_registry("HKLM", WINDOWS_ENV_KEY, "Path", path_without(current, folder),
                               expand=True)
        effects.broadcast_environment()
    effects.run(["schtasks", "/delete", "/tn", SESSIONS_TASK, "/f"])
    return [f"PATH entry {folder} and the task {SESSIONS_TASK} removed"]


def install_machine(effects: Effects, kit_dir: Path, native_host: Path, *,
                    data_dir: str | None = None) -> list[str]:
    """Machine-wide native-host manifests, browser policy without any token, machine policy."""
    kit, done = Kit.load(kit_dir), []
    manifest = json.dumps(host_manifest(str(native_host), kit.origins), indent=2).encode()
    for key, browser in BROWSERS.items():
        path = effects.root / browser[f"{effects.os_name}_machine"] / f"{HOST_NAME}.json"
        effects.write_file(path, manifest)
        policy = kit_dir / "policies" / "linux" / f"{key}.json"
        if effects.os_name == "linux" and policy.is_file():
            effects.write_file(effects.root / browser["linux_policy"] / "netral.json",
                               policy.read_bytes())
    done.append(f"native host {HOST_NAME} for every user, origins {', '.join(kit.origins)}")
    settings = {"allowed_origins": kit.origins}
    if data_dir:
        settings["data_dir"] = data_dir
    effects.write_file(effects.root / MACHINE_POLICY_FILE, json.dumps(settings).encode())
    done.append(f"machine policy {effects.root / MACHINE_POLICY_FILE}")
    if effects.os_name == "linux":
        done.append("browser policy: ExtensionSettings, no token (the native host hands it over)")
    return done


def uninstall_machine(effects: Effects) -> list[str]:
    paths = [effects.root / MACHINE_POLICY_FILE]
    for browser in BROWSERS.values():
        paths.append(effects.root / browser[f"{effects.os_name}_machine"] / f"{HOST_NAME}.json")
        if effects.os_name == "linux":
            paths.append(effects.root / browser["linux_policy"] / "netral.json")
    for path in paths:
        effects.remove_file(path)
        for parent in path.parents:  # the folders left empty, up to the first one in use
            if parent == effects.root or not parent.is_relative_to(effects.root):
                break
            try:
                parent.rmdir()
            except OSError:
                break
    return ["machine-wide native host, browser policy and machine policy removed"]


# ---------------------------------------------------------------- status


def user_status(plan: Plan) -> list[str]:
    """This user's pieces, and whether their own companion answers (the token is never sent)."""
    from companion.config import check_token, read_port_file
    from companion.native_host import probe

    if not plan.data_dir.is_dir():
        return [f"data dir {plan.data_dir}: missing; run `netral-companion setup user`."]
    lines = [f"data dir {plan.data_dir}: ok"]
    token_path = plan.data_dir / "token"
    try:
        token = check_token(token_path.read_text(encoding="utf-8").strip(), token_path)
        lines.append("token: ok (256 bits or more)")
    except FileNotFoundError:
        token = None
        lines.append("token: missing; run `netral-companion setup user`.")
    except PermissionError:
        token = None
        lines.append(f"token: {token_path} cannot be read by this user; run setup as the user "
                     "who uses Netral.")
    port = read_port_file(plan.data_dir / "port") or plan.port or 47613
    who = probe("127.0.0.1", port, token) if token else "other"
    lines.append(f"companion on port {port}: " + {
        "ours": "answers and proved it holds this user's token",
        "companion": "another user's companion answers there; start yours with "
                     "`netral-companion serve` (it picks a free port)",
        "other": "not answering as this user's companion; start it with `netral-companion serve` "
                 "or sign in again",
    }[who])
    autostart = read_record(plan.data_dir).get("autostart")
    lines.append(f"autostart: {autostart or 'none; run `netral-companion setup user`'}")
    return lines


# ---------------------------------------------------------------- command line


def make_plan(data_dir: Path | None, kit_dir: Path | None, port: int | None,
              native_host: Path | None, rules_url: str | None = None) -> Plan:
    settings = load_settings(data_dir=data_dir, rules_url=rules_url)
    exe, host = program_paths()
    return Plan(effects_for_this_os(), settings.data_dir, exe, native_host or host,
                Kit.load(kit_dir), port, settings.rules_url)


kit_option = click.option(
    "--kit", "kit_dir", type=click.Path(path_type=Path, file_okay=False),
    help=f"The dist folder from `python build.py all` ({KIT_CONFIG}: extension and store IDs).")
data_dir_option = click.option(
    "--data-dir", type=click.Path(path_type=Path),
    help="Data directory (env NETRAL_DATA_DIR; default: the per-user data dir).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def setup() -> None:
    """Install or remove Netral for this user or this machine, and say what the browser will do.

    Example: netral-companion setup user --kit ./dist
    """


@setup.command()
@data_dir_option
@kit_option
@click.option("--port", type=click.IntRange(0, 65535), help="Port for this user's companion.")
@click.option("--native-host", type=click.Path(path_type=Path, dir_okay=False),
              help="The netral-native-host program (default: next to this program).")
@click.option("--rules-url", help="http(s) URL the companion polls for newer signed bundles.")
@click.option("--no-autostart", is_flag=True, help="Do not start the companion at logon.")
@click.option("--no-start", is_flag=True, help="Do not start the companion now.")
def user(data_dir, kit_dir, port, native_host, rules_url, no_autostart, no_start):
    """Set Netral up for the user running this: data dir, token, native host, autostart, PATH.

    Example: netral-companion setup user --kit ./dist
    """
    plan = make_plan(data_dir, kit_dir, port, native_host, rules_url)
    for line in install_user(plan, autostart=not no_autostart, start=not no_start):
        click.echo(f"setup: {line}")


@setup.command()
@kit_option
@click.option("--native-host", type=click.Path(path_type=Path, dir_okay=False),
              help="The netral-native-host program (default: next to this program).")
@click.option("--data-dir", "data_dir",
              help="Data dir for every user, e.g. '/srv/profiles/$USER/netral' (VDI).")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default="/",
              help="Write under this folder instead of / (an image being built).")
@click.option("--remove", is_flag=True, help="Remove what `setup machine` wrote.")
def machine(kit_dir, native_host, data_dir, root, remove):
    """Per-machine pieces (root; on Windows the MSI runs it): native host, policy, PATH.

    Example: sudo netral-companion setup machine --kit ./dist
    """
    effects = effects_for_this_os(root)
    folder = str(program_paths()[0].parent)
    if effects.os_name == "windows":
        # The MSI runs these as SYSTEM (custom actions SetupMachine and RemoveMachine).
        lines = (uninstall_machine_windows if remove else install_machine_windows)(effects, folder)
    elif remove:
        lines = uninstall_machine(effects)
    else:
        if kit_dir is None:
            raise SetupError("setup machine needs --kit, the dist folder that "
                             "`python build.py all` made.")
        lines = install_machine(effects, kit_dir, native_host or program_paths()[1],
                                data_dir=data_dir)
    for line in lines:
        click.echo(f"setup: {line}")


@setup.command()
@data_dir_option
@click.option("--purge", is_flag=True, help="Also delete the acknowledgement log.")
def uninstall(data_dir, purge):
    """Remove what `setup user` made for this user, including DATA_DIR/cache/.

    Example: netral-companion setup uninstall --purge
    """
    settings = load_settings(data_dir=data_dir)
    for line in uninstall_user(effects_for_this_os(), settings.data_dir, purge=purge):
        click.echo(f"setup: {line}")


@setup.command()
@data_dir_option
@kit_option
def status(data_dir, kit_dir):
    """Say what this user's pieces are and what each browser will really do with the policy.

    Example: netral-companion setup status --kit ./dist
    """
    plan = make_plan(data_dir, kit_dir, None, None)
    for line in user_status(plan):
        click.echo(line)
    facts = plan.effects.facts()
    for browser in ("chrome", "edge"):
        click.echo(forced_outlook(facts, browser, plan.kit))


def main(argv: list[str] | None = None) -> None:
    """`python -m companion.setup …`: the same as `netral-companion setup …` (one error line,
    never a traceback), for the MSI's custom actions and older scripts."""
    from companion.cli import main as cli_main

    cli_main(["setup", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
