"""The Windows MSI built with wixl: its tables (msiinfo) against ADMIN.md, its files, its sequence.

The frozen Windows companion can only be built on Windows, so the MSI is built here from a stand-in
payload: placeholder files named as `python build.py companion` names them on Windows.
"""

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from build_testkit import clean_env

pytestmark = pytest.mark.timeout(600)
ROOT = Path(__file__).resolve().parents[2]
EDGE_ID = "ponmlkjihgfedcbaponmlkjihgfedcba"
CHROME_STORE_URL = "https://clients2.google.com/service/update2/crx"
EDGE_STORE_URL = "https://edge.microsoft.com/extensionwebstorebase/v1/crx"
DEFAULT_UPDATE_URL = "https://netral.invalid/extension/updates.xml"
CONTACT, HELP = "Helpdesk TI, 1500-123", "https://intranet.example.go.id/netral"
PAYLOAD = ("netral-companion.exe", "netral-companionw.exe", "netral-native-host.exe",
           "_internal/python311.dll", "_internal/base_library.zip",
           "_internal/shared_rules/netral-default.bundle.json",
           "_internal/lib&co's.pyd")  # & and ' are legal in Windows names: XML must escape them
ROOTS = {"0": "HKCR", "1": "HKCU", "2": "HKLM", "3": "HKU"}


def build(dist: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--dist", str(dist), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env=env or clean_env())


def stage_payload(folder: Path, names=PAYLOAD) -> Path:
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"stand-in for {name}\n".encode())
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory, figure):
    """(dist, msi path, CRX extension ID) for a build with an Edge Add-ons ID."""
    assert shutil.which("wixl") and shutil.which("msiinfo"), "scripts/test.sh installs msitools"
    dist = tmp_path_factory.mktemp("msi-dist")
    for args in (["rules"], ["extension", "--store-id", f"edge:{EDGE_ID}"]):
        result = build(dist, *args)
        assert result.returncode == 0, result.stdout + result.stderr
    stage_payload(dist / "netral-companion")
    started = time.monotonic()
    result = build(dist, "msi", "--contact", CONTACT, "--help-link", HELP)
    assert result.returncode == 0, result.stdout + result.stderr
    figure("build.py msi (wixl, stand-in payload)", f"{time.monotonic() - started:.2f} s")
    [msi] = dist.glob("netral-*.msi")
    return dist, msi, (dist / "extension" / "extension-id.txt").read_text().strip()


def table(msi: Path, name: str) -> list[dict[str, str]]:
    """One MSI table as rows of {column: value} (`msiinfo export`: names, types, keys, rows)."""
    out = subprocess.run(["msiinfo", "export", str(msi), name], capture_output=True, text=True,
                         check=True).stdout
    lines = out.split("\r\n") if "\r\n" in out else out.split("\n")
    columns = lines[0].split("\t")
    return [dict(zip(columns, line.split("\t"), strict=True)) for line in lines[3:] if line]


def platforms() -> list[str]:
    registry = json.loads((ROOT / "extension" / "platforms.json").read_text())["platforms"]
    return [platform["key"] for platform in registry if not platform["opt_in"]]


def documented_registry(ext_id: str) -> set[tuple[str, str, str, str, str]]:
    """ADMIN.md's table "Registry values the MSI writes", its placeholders filled for this build."""
    text = (ROOT / "ADMIN.md").read_text(encoding="utf-8")
    section = text.split("#### Registry values the MSI writes", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| HKLM")]
    assert rows, "ADMIN.md lost its registry table"
    origins = [f"chrome-extension://{ext_id}", f"chrome-extension://{EDGE_ID}"]
    fill = {"<CHROME-ID>": ext_id, "<EDGE-ID>": EDGE_ID, "<CHROME-URL>": DEFAULT_UPDATE_URL,
            "<EDGE-URL>": EDGE_STORE_URL, "<ORIGINS>": ",".join(origins),
            "<ORIGIN-ARGS>": " ".join(f"--allowed-origin {origin}" for origin in origins)}
    found = set()
    for row in rows:
        cells = [cell.strip().strip("`") for cell in row.strip("|").split("|")]
        assert len(cells) == 5, row
        for placeholder, value in fill.items():
            cells = [cell.replace(placeholder, value) for cell in cells]
        root, key, name, kind, value = cells
        name = "" if name == "(Default)" else name
        if name == "<PLATFORMS>":
            found |= {(root, key, str(i), kind, p) for i, p in enumerate(platforms(), 1)}
        else:
            found.add((root, key, name, kind, value))
    return found


def msi_registry(msi: Path) -> set[tuple[str, str, str, str, str]]:
    found = set()
    for row in table(msi, "Registry"):
        value = row["Value"]
        kind = "REG_DWORD" if re.fullmatch(r"#-?\d+", value) else "REG_SZ"
        found.add((ROOTS[row["Root"]], row["Key"], row["Name"], kind, value.lstrip("#")
                   if kind == "REG_DWORD" else value))
    return found


def test_the_tables_are_there(built):
    _, msi, _ = built
    out = subprocess.run(["msiinfo", "tables", str(msi)], capture_output=True, text=True,
                         check=True).stdout.split()
    for name in ("File", "Component", "Registry", "Shortcut", "Property", "CustomAction",
                 "InstallExecuteSequence", "Upgrade", "Feature", "FeatureComponents"):
        assert name in out


def test_registry_table_is_exactly_what_admin_md_documents(built):
    """Every documented value is in the MSI and every MSI value is documented."""
    _, msi, ext_id = built
    documented, written = documented_registry(ext_id), msi_registry(msi)
    assert written - documented == set(), "in the MSI but not in ADMIN.md"
    assert documented - written == set(), "in ADMIN.md but not in the MSI"


def test_native_host_is_registered_for_chrome_edge_and_chromium_under_hklm(built):
    _, msi, _ = built
    rows = {(r["Root"], r["Key"], r["Name"]): r["Value"] for r in table(msi, "Registry")}
    for vendor in (r"Google\Chrome", r"Microsoft\Edge", "Chromium"):
        key = rf"Software\{vendor}\NativeMessagingHosts\id.go.netral.companion"
        assert rows[("2", key, "")] == "[INSTALLDIR]id.go.netral.companion.json"
    run = rows[("2", r"Software\Microsoft\Windows\CurrentVersion\Run", "Netral")]
    assert run.startswith('"[INSTALLDIR]companion\\netral-companionw.exe" serve ')
    assert all("companionToken" not in value and "@NETRAL" not in value for value in rows.values())


def test_files_go_to_program_files_and_the_manifest_allows_only_our_origins(built, tmp_path):
    """The File table holds the payload once each; the extracted host manifest names our IDs."""
    dist, msi, ext_id = built
    names = sorted(row["FileName"] for row in table(msi, "File"))
    rules = sorted(p.name for p in (dist / "rules").iterdir())
    expected = sorted([Path(name).name for name in PAYLOAD] + rules +
                      ["id.go.netral.companion.json", "netral-install.json", "ADMIN.md"])
    assert names == expected
    directories = {row["Directory"]: row for row in table(msi, "Directory")}
    assert directories["INSTALLDIR"]["Directory_Parent"] == "ProgramFiles64Folder"
    assert directories["INSTALLDIR"]["DefaultDir"] == "Netral"
    subprocess.run(["msiextract", "-C", str(tmp_path), str(msi)], check=True, capture_output=True)
    [manifest_path] = tmp_path.rglob("id.go.netral.companion.json")
    manifest = json.loads(manifest_path.read_text())
    assert manifest["name"] == "id.go.netral.companion" and manifest["type"] == "stdio"
    assert manifest["path"] == "companion\\netral-native-host.exe"
    assert manifest["allowed_origins"] == [f"chrome-extension://{ext_id}/",
                                           f"chrome-extension://{EDGE_ID}/"]
    [extracted] = tmp_path.rglob("lib&co's.pyd")
    assert extracted.read_text() == "stand-in for _internal/lib&co's.pyd\n"


def test_add_remove_programs_and_upgrade_properties(built):
    _, msi, _ = built
    properties = {row["Property"]: row["Value"] for row in table(msi, "Property")}
    assert properties["ARPCONTACT"] == CONTACT
    assert properties["ARPHELPLINK"] == HELP == properties["ARPURLINFOABOUT"]
    assert properties["ARPNOMODIFY"] == "1" and properties["ARPNOREPAIR"] == "1"
    assert properties["ALLUSERS"] == "1"  # per machine
    assert properties["ProductVersion"] == "0.1.0"
    assert properties["UpgradeCode"] in (ROOT / "ADMIN.md").read_text()
    upgrades = {row["ActionProperty"] for row in table(msi, "Upgrade")}
    assert upgrades == {"WIX_UPGRADE_DETECTED", "WIX_DOWNGRADE_DETECTED"}


def test_start_menu_shortcut(built):
    _, msi, _ = built
    [shortcut] = table(msi, "Shortcut")
    assert shortcut["Target"] == "[INSTALLDIR]companion\\netral-companionw.exe"
    assert shortcut["Arguments"].startswith("serve --trusted-keys")


def test_custom_actions_run_as_system_in_the_right_order(built):
    """setup machine after the registry is written; companions stopped before files change."""
    _, msi, _ = built
    actions = {row["Action"]: row for row in table(msi, "CustomAction")}
    for name in ("SetupMachine", "RemoveMachine", "StopCompanions"):
        kind = int(actions[name]["Type"])
        assert kind & 1024 and kind & 2048, f"{name} must be deferred and not impersonate"
    assert actions["SetupMachine"]["Source"] == "CompanionExe"
    assert actions["SetupMachine"]["Target"] == "setup machine"
    assert actions["RemoveMachine"]["Target"] == "setup machine --remove"
    files = {row["File"]: row["FileName"] for row in table(msi, "File")}
    assert files["CompanionExe"] == "netral-companion.exe"
    sequence = {row["Action"]: (int(row["Sequence"]), row["Condition"])
                for row in table(msi, "InstallExecuteSequence")}
    assert sequence["SetupMachine"][0] > sequence["WriteRegistryValues"][0]
    assert sequence["SetupMachine"][1] == 'NOT REMOVE~="ALL"'
    assert sequence["StopCompanions"][0] < sequence["RemoveFiles"][0] < sequence["InstallFiles"][0]
    assert sequence["RemoveMachine"][0] < sequence["StopCompanions"][0]
    assert "NOT UPGRADINGPRODUCTCODE" in sequence["RemoveMachine"][1]
    assert sequence["FindTaskkill"][0] < sequence["InstallInitialize"][0]


def test_browser_policy_is_its_own_feature(built):
    """ADDLOCAL=Companion leaves out exactly the browser policy components."""
    _, msi, _ = built
    features = {}
    for row in table(msi, "FeatureComponents"):
        features.setdefault(row["Feature_"], set()).add(row["Component_"])
    assert features["BrowserPolicy"] == {"Policy_chrome", "Policy_edge"}
    registry = table(msi, "Registry")
    policy_keys = {r["Key"] for r in registry if r["Component_"] in features["BrowserPolicy"]}
    assert all(key.startswith(("SOFTWARE\\Policies\\Google", "SOFTWARE\\Policies\\Microsoft"))
               for key in policy_keys)
    assert {"NativeHost", "Autostart", "MachinePolicy"} <= features["Companion"]


def test_bad_input_gives_one_line(built, tmp_path):
    """3 bad inputs: a payload missing the native host, a dist without the extension's config,
    a machine without wixl; each one line saying what to do, and no MSI."""
    dist, _, _ = built
    partial = stage_payload(tmp_path / "partial", PAYLOAD[:2])
    no_kit = tmp_path / "no-kit"
    stage_payload(no_kit / "netral-companion")
    without_wixl = tmp_path / "bin"  # build.py runs by absolute path; only wixl is looked up
    without_wixl.mkdir()
    cases = [
        (dist, ["msi", "--payload", str(partial)], None, "netral-native-host.exe missing"),
        (no_kit, ["msi"], None, "run `python build.py extension` first"),
        (dist, ["msi"], clean_env(PATH=str(without_wixl)), "wixl not found"),
    ]
    for folder, args, env, says in cases:
        before = set(folder.glob("*.msi"))
        result = build(folder, *args, env=env)
        assert result.returncode != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("build.py: ") and says in lines[0], lines
        assert set(folder.glob("*.msi")) == before


def test_a_chrome_web_store_id_is_forced_in_both_browsers(tmp_path):
    """--store-id ID (no edge:): Chrome and Edge force the store item; both IDs are allowed."""
    dist = tmp_path / "dist"
    result = build(dist, "extension", "--store-id", EDGE_ID)
    assert result.returncode == 0, result.stderr
    ext_id = (dist / "extension" / "extension-id.txt").read_text().strip()
    for browser in ("chrome", "edge", "chromium"):
        policy = json.loads((dist / "policies" / "linux" / f"{browser}.json").read_text())
        assert policy["ExtensionSettings"] == {
            EDGE_ID: {"installation_mode": "force_installed", "update_url": CHROME_STORE_URL}}
        assert list(policy["3rdparty"]["extensions"]) == [EDGE_ID]
    config = json.loads((dist / "netral-install.json").read_text())
    assert config["allowed_origins"] == [f"chrome-extension://{ext_id}",
                                         f"chrome-extension://{EDGE_ID}"]
