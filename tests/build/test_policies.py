"""The enterprise policy files parse in their own formats and name the packed extension's ID."""

import json
import plistlib
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(900)
STORAGE_KEYS = {"failMode", "enabledPlatforms"}


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
    """Managed storage without a token or URL: each user's native host hands those over."""
    assert set(storage) == STORAGE_KEYS
    assert storage["failMode"] == "warn"
    assert "x" in storage["enabledPlatforms"] and "other" not in storage["enabledPlatforms"]


def check_forced(settings: dict, ext_id: str) -> None:
    assert list(settings) == [ext_id]
    assert settings[ext_id]["installation_mode"] == "force_installed"
    assert settings[ext_id]["update_url"].startswith("https://")


@pytest.mark.parametrize("browser", ["chrome", "edge", "chromium"])
def test_linux_json(dist, ext_id, browser):
    policy = json.loads((dist / "policies" / "linux" / f"{browser}.json").read_text())
    assert set(policy) == {"ExtensionSettings", "3rdparty"}  # no numbered force-install list
    check_forced(policy["ExtensionSettings"], ext_id)
    check_storage(policy["3rdparty"]["extensions"][ext_id])


@pytest.mark.parametrize(
    ("browser", "vendor"), [("chrome", r"Google\Chrome"), ("edge", r"Microsoft\Edge")]
)
def test_windows_reg(dist, ext_id, browser, vendor):
    keys = parse_reg(dist / "policies" / "windows" / f"netral-{browser}.reg")
    base = rf"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\{vendor}"
    assert not any("ExtensionInstallForcelist" in key for key in keys)
    check_forced(json.loads(keys[base]["ExtensionSettings"]), ext_id)
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
        check_forced(forced["ExtensionSettings"], ext_id)
        extension = payload["PayloadContent"][f"{domain}.extensions.{ext_id}"]
        check_storage(extension["Forced"][0]["mcx_preference_settings"])


def test_install_config_names_the_extension(dist, ext_id):
    config = json.loads((dist / "netral-install.json").read_text())
    assert config["extension_id"] == ext_id
    assert config["allowed_origins"] == [f"chrome-extension://{ext_id}"]


def test_no_policy_file_carries_a_token(dist):
    """Issue 12: machine-wide policy is readable by every local user, so it holds no token."""
    for path in (dist / "policies").rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-16" if path.suffix == ".reg" else "utf-8")
            assert "companionToken" not in text and "@NETRAL_TOKEN@" not in text, path
