"""The enterprise policy files parse in their own formats and name the packed extension's ID."""

import json
import plistlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(900)
STORAGE_KEYS = {"companionUrl", "companionToken", "failMode", "enabledPlatforms"}


def parse_reg(path: Path) -> dict[str, dict[str, str]]:
    """A .reg file (UTF-16 with BOM, as regedit writes it) as {key: {value name: string}}."""
    raw = path.read_bytes()
    assert raw[:2] == b"\xff\xfe", "regedit expects UTF-16 LE with a BOM"
    lines = raw.decode("utf-16").splitlines()
    assert lines[0] == "Windows Registry Editor Version 5.00"
    keys: dict[str, dict[str, str]] = {}
    current = None
    for line in lines[1:]:
        if not line.strip() or line.startswith(";"):
            continue
        if section := re.fullmatch(r"\[(.+)\]", line):
            current = keys.setdefault(section.group(1), {})
            continue
        match = re.fullmatch(r'"((?:[^"\\]|\\.)*)"="((?:[^"\\]|\\.)*)"', line)
        assert match and current is not None, f"not a string value: {line!r}"
        name, value = (re.sub(r"\\(.)", r"\1", part) for part in match.groups())
        current[name] = value
    return keys


@pytest.fixture(scope="module")
def ext_id(dist) -> str:
    return (dist / "extension" / "extension-id.txt").read_text().strip()


def check_storage(storage: dict) -> None:
    assert set(storage) == STORAGE_KEYS
    assert storage["companionToken"] == "@NETRAL_TOKEN@"
    assert storage["companionUrl"] == "@COMPANION_URL@"
    assert storage["failMode"] == "warn"
    assert "x" in storage["enabledPlatforms"] and "other" not in storage["enabledPlatforms"]


def test_linux_json(dist, ext_id):
    policy = json.loads((dist / "policies" / "linux" / "netral.json").read_text())
    assert policy["ExtensionInstallForcelist"][0].startswith(f"{ext_id};https://")
    check_storage(policy["3rdparty"]["extensions"][ext_id])


@pytest.mark.parametrize(
    ("browser", "vendor"), [("chrome", r"Google\Chrome"), ("edge", r"Microsoft\Edge")]
)
def test_windows_reg(dist, ext_id, browser, vendor):
    keys = parse_reg(dist / "policies" / "windows" / f"netral-{browser}.reg")
    base = rf"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\{vendor}"
    assert keys[rf"{base}\ExtensionInstallForcelist"]["1"].startswith(f"{ext_id};https://")
    policy_key = rf"{base}\3rdparty\extensions\{ext_id}\policy"
    storage = dict(keys[policy_key])
    platforms = keys[rf"{policy_key}\enabledPlatforms"]
    storage["enabledPlatforms"] = [platforms[str(i)] for i in range(1, len(platforms) + 1)]
    check_storage(storage)


def test_macos_mobileconfig(dist, ext_id):
    profile = plistlib.loads((dist / "policies" / "macos" / "netral.mobileconfig").read_bytes())
    assert profile["PayloadType"] == "Configuration"
    [payload] = profile["PayloadContent"]
    assert payload["PayloadType"] == "com.apple.ManagedClient.preferences"
    uuids = {profile["PayloadUUID"], payload["PayloadUUID"]}
    assert len(uuids) == 2
    for domain in ("com.google.Chrome", "com.microsoft.Edge"):
        forced = payload["PayloadContent"][domain]["Forced"][0]["mcx_preference_settings"]
        assert forced["ExtensionInstallForcelist"][0].startswith(f"{ext_id};")
        extension = payload["PayloadContent"][f"{domain}.extensions.{ext_id}"]
        check_storage(extension["Forced"][0]["mcx_preference_settings"])


def test_autostart_templates(dist):
    unit = (dist / "autostart" / "linux" / "netral-companion.service").read_text()
    assert "Restart=on-failure" in unit and "WantedBy=default.target" in unit
    agent_path = dist / "autostart" / "macos" / "id.go.netral.companion.plist"
    agent = plistlib.loads(agent_path.read_bytes())
    assert agent["KeepAlive"] is True and agent["RunAtLoad"] is True
    task = ET.parse(dist / "autostart" / "windows" / "netral-companion.xml").getroot()
    namespace = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
    assert task.find("t:Triggers/t:LogonTrigger", namespace) is not None
    assert task.find("t:Actions/t:Exec/t:Command", namespace).text == "@EXE@"
