"""Builds what IT deploys: rules, frozen companion, packed extension, policies, installers."""

import base64
import hashlib
import json
import os
import plistlib
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urljoin
from xml.sax.saxutils import quoteattr

import click

ROOT = Path(__file__).resolve().parent
WORK = ROOT / "build"
PACKAGING = ROOT / "packaging"
EXTENSION_SRC = ROOT / "extension"
COMPANION_NAME = "netral-companion"

NETRAL_POLICY_KEY = "SOFTWARE\\Policies\\Netral"
DEFAULT_UPDATE_URL = "https://netral.invalid/extension/updates.xml"
# The platform registry: every key policy may name; the opt-in ones are off unless listed.
REGISTRY = json.loads((EXTENSION_SRC / "platforms.json").read_text(encoding="utf-8"))["platforms"]
PLATFORMS = tuple(platform["key"] for platform in REGISTRY)
DEFAULT_PLATFORMS = ",".join(platform["key"] for platform in REGISTRY if not platform["opt_in"])
BROWSERS = {
    # name: (Windows registry key under HKLM\SOFTWARE\Policies, macOS preference domain)
    "chrome": ("Google\\Chrome", "com.google.Chrome"),
    "edge": ("Microsoft\\Edge", "com.microsoft.Edge"),
}
PROFILE_ID = "id.go.netral.policy"
ID_LETTERS = set("abcdefghijklmnop")


class BuildError(click.ClickException):
    """A build step that cannot go on; the message says what to do next."""


def say(message: str) -> None:
    click.echo(f"build: {message}")


def reset_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def tree_size(path: Path) -> int:
    return sum(item.lstat().st_size for item in path.rglob("*") if not item.is_dir())


# ---------------------------------------------------------------- rules


def build_rules(
    dist: Path,
    *,
    caleg: bool = False,
    keys: tuple[Path, ...] = (),
    trusted_keys: Path | None = None,
) -> Path:
    """dist/rules/: the signed bundle(s) and the trusted keys, which the installers copy."""
    from shared_rules import generate

    trusted_keys = trusted_keys or ROOT / "shared_rules" / "trusted_keys.json"
    for path in (*keys, trusted_keys):
        if not path.is_file():
            raise BuildError(f"file not found: {path}; check --rules-key and --trusted-keys.")
    out = reset_dir(dist / "rules")
    try:
        bundles = generate.build_rules(out, caleg=caleg, keys=keys or (generate.DEMO_KEY,))
    except (generate.SourceError, OSError) as error:
        raise BuildError(f"the rules generator failed: {error}") from None
    shutil.copy2(trusted_keys, out / "trusted_keys.json")
    say(f"rules: {', '.join(bundle.name for bundle in bundles)} -> {out}")
    return out


# ---------------------------------------------------------------- companion


def build_companion(dist: Path) -> Path:
    """dist/netral-companion/: the companion frozen by PyInstaller (onedir), and the install kit."""
    spec = PACKAGING / f"{COMPANION_NAME}.spec"
    started = time.monotonic()
    run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(dist), "--workpath", str(WORK / "pyinstaller"), str(spec)],
        "PyInstaller failed; its output above says which module or file is missing.",
    )
    exe = dist / COMPANION_NAME / (COMPANION_NAME + (".exe" if os.name == "nt" else ""))
    version = run([str(exe), "--version"], "the frozen companion does not start.").strip()
    if not (exe.parent / "_internal" / "shared_rules" / "netral-default.bundle.json").is_file():
        raise BuildError("the default rules bundle is not in the frozen companion; "
                         "regenerate it with `python -m shared_rules.generate`.")
    size = tree_size(exe.parent)
    took = time.monotonic() - started
    say(f"companion: {version}, {size / 2**20:.1f} MiB, built in {took:.0f} s")
    copy_install_kit(dist)
    return exe


def copy_install_kit(dist: Path) -> None:
    """The Linux/macOS install and uninstall scripts and ADMIN.md next to the frozen companion."""
    for script in ("install.sh", "uninstall.sh"):
        shutil.copy2(PACKAGING / script, dist / script)
    shutil.copy2(ROOT / "ADMIN.md", dist / "ADMIN.md")


def run(command: list[str], failure: str, cwd: Path | None = None) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=1800, cwd=cwd)
    except OSError as error:
        raise BuildError(f"cannot run {command[0]} ({error.strerror}); {failure}") from None
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise BuildError(failure)
    return result.stdout


# ---------------------------------------------------------------- extension


def extension_id(public_key_der: bytes) -> str:
    """Chromium's extension ID: first 16 bytes of sha256(public key DER), hex digits 0-f as a-p."""
    return id_text(hashlib.sha256(public_key_der).digest()[:16])


def id_text(raw_id: bytes) -> str:
    return "".join(chr(ord("a") + int(digit, 16)) for digit in raw_id.hex())


def require_key_file(key_path: Path | None) -> None:
    if key_path is not None and not key_path.is_file():
        raise BuildError(
            f"extension key file not found: {key_path}; pass --key (or NETRAL_EXTENSION_KEY) "
            "with your agency's PEM signing key, or leave it out for a throwaway key."
        )


def load_signing_key(key_path: Path | None, scratch: Path) -> tuple[Path, bytes]:
    """A PKCS#8 copy of the key in `scratch` (all Chromium packs with) and its public key DER.

    Without a key from IT, a throwaway key is generated there.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    if key_path is None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        say("extension: no --key given, packed with a THROWAWAY key: the ID changes every build.")
    else:
        require_key_file(key_path)
        try:
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        except (ValueError, TypeError) as error:
            raise BuildError(
                f"{key_path} is not an unencrypted PEM private key ({error}); "
                "export the signing key as PEM without a passphrase."
            ) from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise BuildError(f"{key_path} is not an RSA key; Chromium packs with RSA keys.")
    pkcs8 = scratch / "signing-key.pem"
    pkcs8.touch(mode=0o600)
    encoding, pkcs8_format = serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8
    pkcs8.write_bytes(key.private_bytes(encoding, pkcs8_format, serialization.NoEncryption()))
    public_der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pkcs8, public_der


def crx_id(crx: bytes) -> str:
    """The extension ID recorded in a CRX3 header (signed_header_data.crx_id)."""
    if crx[:4] != b"Cr24" or int.from_bytes(crx[4:8], "little") != 3:
        raise BuildError("Chromium did not write a CRX3 file.")
    header = crx[12 : 12 + int.from_bytes(crx[8:12], "little")]
    signed = protobuf_fields(header).get(10000, b"")
    return id_text(protobuf_fields(signed).get(1, b""))


def protobuf_fields(data: bytes) -> dict[int, bytes]:
    """The last length-delimited value of each field number of a protobuf message (enough here)."""
    fields, pos = {}, 0
    while pos < len(data):
        key, pos = varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            _, pos = varint(data, pos)
        elif wire_type == 2:
            length, pos = varint(data, pos)
            fields[number], pos = data[pos : pos + length], pos + length
        else:
            raise BuildError(f"unexpected protobuf wire type {wire_type} in the CRX header.")
    return fields


def varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def find_chromium(given: str | None) -> str:
    for candidate in [given] if given else ["chromium", "chromium-browser", "google-chrome"]:
        found = shutil.which(candidate)
        if found:
            return found
    raise BuildError(
        f"Chromium not found ({given or 'chromium'}); install it or pass --chromium PATH."
    )


def build_extension(
    dist: Path,
    key: Path | None,
    update_url: str,
    chromium: str | None,
    fail_mode: str,
    platforms: list[str],
    store_ids: dict[str, list[str]] | None = None,
) -> str:
    """dist/extension/ (zip, CRX3, update manifest, ID) and dist/policies/; returns the ID."""
    manifest = json.loads((EXTENSION_SRC / "manifest.json").read_text(encoding="utf-8"))
    version = manifest["version"]
    name = f"netral-{version}"
    with tempfile.TemporaryDirectory(prefix="netral-pack-") as scratch:
        key_path, public_der = load_signing_key(key, Path(scratch))
        ext_id = extension_id(public_der)
        # Chromium writes NAME.crx next to the packed folder NAME.
        stage = Path(scratch) / "netral"
        shutil.copytree(EXTENSION_SRC, stage, ignore=shutil.ignore_patterns(".*", "*.md", "*.svg"))
        # The manifest key must be the packing key, or the CRX's ID and the manifest's would differ.
        manifest["key"] = base64.b64encode(public_der).decode("ascii")
        (stage / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        result = subprocess.run(
            [find_chromium(chromium), "--headless", "--no-sandbox", "--disable-gpu",
             f"--user-data-dir={Path(scratch) / 'profile'}", f"--pack-extension={stage}",
             f"--pack-extension-key={key_path}"],
            capture_output=True, text=True, timeout=120,
        )
        packed = stage.with_suffix(".crx")
        if not packed.is_file():
            sys.stderr.write(result.stdout + result.stderr)
            raise BuildError("Chromium could not pack the extension; its messages above say why.")
        packed_id = crx_id(packed.read_bytes())
        if packed_id != ext_id:
            raise BuildError(f"the CRX's ID {packed_id} is not the manifest key's ID {ext_id}.")

        out = reset_dir(dist / "extension")
        shutil.move(packed, out / f"{name}.crx")
        with zipfile.ZipFile(out / f"{name}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(stage.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(stage).as_posix())

    codebase = urljoin(update_url, f"{name}.crx")
    (out / "updates.xml").write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        "<gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>\n"
        f"  <app appid={quoteattr(ext_id)}>\n"
        f"    <updatecheck codebase={quoteattr(codebase)} version={quoteattr(version)} />\n"
        "  </app>\n"
        "</gupdate>\n",
        encoding="utf-8",
    )
    (out / "extension-id.txt").write_text(ext_id + "\n", encoding="ascii")
    write_policies(dist, ext_id, update_url, fail_mode, platforms, store_ids)
    if update_url == DEFAULT_UPDATE_URL:
        say("extension: no --update-url given; policies point at a placeholder host, see ADMIN.md.")
    say(f"extension: ID {ext_id}, {name}.crx and {name}.zip -> {out}")
    return ext_id


# ---------------------------------------------------------------- policies


def write_policies(
    dist: Path, ext_id: str, update_url: str, fail_mode: str, platforms: list[str],
    store_ids: dict[str, list[str]] | None = None,
) -> None:
    """dist/policies/ (Chrome, Edge, Chromium, every format) and dist/netral-install.json.

    Force-install goes through ExtensionSettings (one JSON value, no numbered list slots). No
    token and no URL: each user's native host hands the extension its own companion's.
    """
    from companion.setup import KIT_CONFIG, Kit

    kit = Kit(ext_id, store_ids or {}, update_url)
    storage = {"failMode": fail_mode, "enabledPlatforms": platforms}
    (dist / KIT_CONFIG).write_text(json.dumps(
        {"extension_id": ext_id, "store_ids": kit.store_ids, "update_url": update_url,
         "allowed_origins": kit.origins}, indent=2) + "\n", encoding="utf-8")
    out = reset_dir(dist / "policies")
    for folder in ("linux", "windows", "macos"):
        (out / folder).mkdir()
    for browser in ("chrome", "edge", "chromium"):
        policy = browser_policy(kit, browser, storage)
        (out / "linux" / f"{browser}.json").write_text(
            json.dumps(policy, indent=2) + "\n", encoding="utf-8")
        if browser in BROWSERS:
            (out / "windows" / f"netral-{browser}.reg").write_text(
                windows_reg(BROWSERS[browser][0], policy), encoding="utf-16", newline="")
    (out / "macos" / "netral.mobileconfig").write_bytes(
        mobileconfig(ext_id, {b: browser_policy(kit, b, storage) for b in BROWSERS}))


def browser_policy(kit, browser: str, storage: dict) -> dict:
    """One browser's policy: ExtensionSettings force-installs, 3rdparty managed storage."""
    from companion.setup import forced_ids

    forced = forced_ids(kit, browser)
    settings = {i: {"installation_mode": "force_installed", "update_url": url} for i, url in forced}
    return {"ExtensionSettings": settings,
            "3rdparty": {"extensions": {i: dict(storage) for i, _ in forced}}}


def policy_values(registry_key: str, policy: dict) -> list[tuple[str, str, str]]:
    """(key under HKLM, value name, string) for a browser policy; lists are numbered subkeys."""
    base = f"SOFTWARE\\Policies\\{registry_key}"
    values = [(base, "ExtensionSettings", json.dumps(policy["ExtensionSettings"]))]
    for ext_id, storage in policy["3rdparty"]["extensions"].items():
        policy_key = f"{base}\\3rdparty\\extensions\\{ext_id}\\policy"
        for name, value in storage.items():
            if isinstance(value, list):
                values += [(f"{policy_key}\\{name}", str(i), item)
                           for i, item in enumerate(value, 1)]
            else:
                values.append((policy_key, name, value))
    return values


def windows_reg(registry_key: str, policy: dict) -> str:
    """A .reg file of one browser's policy, for a GPO or an Intune script that imports it."""
    lines = ["Windows Registry Editor Version 5.00", "",
             "; Netral: force-install the extension (ExtensionSettings) and configure it."]
    current = None
    for key, name, value in policy_values(registry_key, policy):
        if key != current:
            lines += ["", f"[HKEY_LOCAL_MACHINE\\{key}]"]
            current = key
        lines.append(f'"{name}"={reg_string(value)}')
    return "\r\n".join(lines) + "\r\n"


def reg_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mobileconfig(ext_id: str, policies: dict[str, dict]) -> bytes:
    """A configuration profile: managed preferences of Chrome, Edge and their extension domains."""

    def forced(settings: dict) -> dict:
        return {"Forced": [{"mcx_preference_settings": settings}]}

    def payload_uuid(name: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://netral/{ext_id}/{name}")).upper()

    content = {}
    for browser, (_, domain) in BROWSERS.items():
        policy = policies[browser]
        content[domain] = forced({"ExtensionSettings": policy["ExtensionSettings"]})
        for forced_id, storage in policy["3rdparty"]["extensions"].items():
            content[f"{domain}.extensions.{forced_id}"] = forced(storage)
    profile = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": PROFILE_ID,
        "PayloadUUID": payload_uuid("profile"),
        "PayloadDisplayName": "Netral",
        "PayloadDescription": "Installs the Netral extension in Chrome and Edge; each user's "
        "Netral companion connects to it through its native host.",
        "PayloadOrganization": "Netral",
        "PayloadScope": "System",
        "PayloadContent": [
            {
                "PayloadType": "com.apple.ManagedClient.preferences",
                "PayloadVersion": 1,
                "PayloadIdentifier": f"{PROFILE_ID}.browsers",
                "PayloadUUID": payload_uuid("browsers"),
                "PayloadDisplayName": "Netral browser policy",
                "PayloadContent": content,
            }
        ],
    }
    return plistlib.dumps(profile)


# ---------------------------------------------------------------- Windows MSI

MSI_EXES = ("netral-companion.exe", "netral-companionw.exe", "netral-native-host.exe")


def build_msi(dist: Path, payload: Path, contact: str, help_link: str) -> Path:
    """dist/netral-VERSION.msi from packaging/windows/netral.wxs and the frozen companion."""
    from companion.setup import KIT_CONFIG, Kit

    missing = [name for name in MSI_EXES if not (payload / name).is_file()]
    if missing:
        raise BuildError(f"no frozen Windows companion in {payload} ({', '.join(missing)} "
                         "missing); run `python build.py companion` on Windows and copy its "
                         "dist/netral-companion/ here, or pass --payload.")
    rules = dist / "rules"
    if not (dist / KIT_CONFIG).is_file() or not (dist / "policies").is_dir():
        raise BuildError(f"no {KIT_CONFIG} in {dist}; run `python build.py extension` first.")
    if not (rules / "trusted_keys.json").is_file():
        raise BuildError(f"no rules in {rules}; run `python build.py rules` first.")
    wixl = shutil.which("wixl")
    if not wixl:
        raise BuildError("wixl not found; install it (Debian/Ubuntu: apt-get install wixl "
                         "msitools).")
    with tempfile.TemporaryDirectory(prefix="netral-msi-") as scratch:
        return wixl_build(Path(scratch), wixl, dist, payload, Kit.load(dist), contact, help_link)


def wixl_build(stage: Path, wixl: str, dist: Path, payload: Path, kit, contact: str,
               help_link: str) -> Path:
    """Stages everything under `stage`: wixl wants sources relative to its working folder."""
    from companion import __version__
    from companion.setup import HOST_NAME, KIT_CONFIG, host_manifest

    (stage / "companion").symlink_to(payload.resolve(), target_is_directory=True)
    (stage / "rules").symlink_to((dist / "rules").resolve(), target_is_directory=True)
    # Chrome resolves a relative host path against the manifest's folder (Windows only).
    manifest = host_manifest("companion\\netral-native-host.exe", kit.origins)
    (stage / f"{HOST_NAME}.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    shutil.copy2(dist / KIT_CONFIG, stage / KIT_CONFIG)
    shutil.copy2(ROOT / "ADMIN.md", stage / "ADMIN.md")
    (stage / "payload.wxs").write_text(payload_fragment(stage), encoding="utf-8")
    (stage / "policy.wxs").write_text(policy_fragment(dist, kit), encoding="utf-8")
    bundles = sorted(path.name for path in (stage / "rules").glob("*.bundle.json"))
    serve = " ".join(['--trusted-keys "[INSTALLDIR]rules\\trusted_keys.json"',
                      *(f'--rules "[INSTALLDIR]rules\\{name}"' for name in bundles),
                      *(f"--allowed-origin {origin}" for origin in kit.origins)])
    out = dist / f"netral-{__version__}.msi"
    run([wixl, "-a", "x64", "-o", str(out), "-D", f"Version={__version__}",
         "-D", f"Contact={contact}", "-D", f"HelpLink={help_link}",
         "-D", f"ServeArguments={serve}",
         str(PACKAGING / "windows" / "netral.wxs"), "payload.wxs", "policy.wxs"],
        "wixl could not build the MSI; its messages above name the element it refused.",
        cwd=stage)
    say(f"msi: {out.name}, {out.stat().st_size / 2**20:.1f} MiB -> {out}")
    return out


def wix_id(prefix: str, text: str) -> str:
    return f"{prefix}_{hashlib.sha256(text.encode()).hexdigest()[:24]}"


def payload_fragment(stage: Path) -> str:
    """The frozen companion's tree under COMPANIONDIR, the rules under RULESDIR: a file each."""
    fixed = {"companion/netral-companion.exe": "CompanionExe"}
    components: list[str] = []

    def tree(folder: Path, relative: str, indent: str) -> list[str]:
        lines = []
        for path in sorted(folder.iterdir()):
            rel = f"{relative}/{path.name}"
            if path.is_dir():
                lines.append(f'{indent}<Directory Id="{wix_id("dir", rel)}" Name="{path.name}">')
                lines += tree(path, rel, indent + "  ")
                lines.append(f"{indent}</Directory>")
            else:
                component = wix_id("cmp", rel)
                components.append(component)
                lines.append(f'{indent}<Component Id="{component}" Guid="*" Win64="yes">'
                             f'<File Id="{fixed.get(rel, wix_id("fil", rel))}" '
                             f'Source={quoteattr(rel)} KeyPath="yes"/></Component>')
        return lines

    body = ['<DirectoryRef Id="COMPANIONDIR">', *tree(stage / "companion", "companion", "  "),
            "</DirectoryRef>"]
    payload_components, components[:] = list(components), []
    body += ['<DirectoryRef Id="RULESDIR">', *tree(stage / "rules", "rules", "  "),
             "</DirectoryRef>"]
    for name, members in (("Payload", payload_components), ("Rules", components)):
        body.append(f'<ComponentGroup Id="{name}">')
        body += [f'  <ComponentRef Id="{member}"/>' for member in members]
        body.append("</ComponentGroup>")
    return wix_fragment(body)


def policy_fragment(dist: Path, kit) -> str:
    """Browser policy (ExtensionSettings, managed storage) and the machine settings of Netral."""
    storage = json.loads((dist / "policies" / "linux" / "chrome.json").read_text("utf-8"))
    storage = next(iter(storage["3rdparty"]["extensions"].values()))
    body = ['<DirectoryRef Id="INSTALLDIR">']
    members = []
    for browser, (registry_key, _) in BROWSERS.items():
        component = f"Policy_{browser}"
        members.append(component)
        body.append(f'  <Component Id="{component}" Guid="*" Win64="yes">')
        policy = browser_policy(kit, browser, storage)
        for index, (key, name, value) in enumerate(policy_values(registry_key, policy)):
            keypath = ' KeyPath="yes"' if index == 0 else ""
            body.append(f'    <RegistryValue Root="HKLM" Key={quoteattr(key)} '
                        f'Name={quoteattr(name)} Type="string" Value={quoteattr(value)}{keypath}/>')
        body.append("  </Component>")
    origins = ",".join(kit.origins)
    body += ['  <Component Id="MachinePolicy" Guid="*" Win64="yes">',
             f'    <RegistryValue Root="HKLM" Key="{NETRAL_POLICY_KEY}" Name="AllowedOrigins" '
             f'Type="string" Value={quoteattr(origins)} KeyPath="yes"/>',
             f'    <RegistryValue Root="HKLM" Key="{NETRAL_POLICY_KEY}" Name="DataDir" '
             'Type="string" Value="[NETRALDATADIR]"/>',
             "  </Component>", "</DirectoryRef>",
             '<ComponentGroup Id="BrowserPolicy">',
             *(f'  <ComponentRef Id="{member}"/>' for member in members),
             "</ComponentGroup>",
             '<ComponentGroup Id="MachinePolicy">', '  <ComponentRef Id="MachinePolicy"/>',
             "</ComponentGroup>"]
    return wix_fragment(body)


def wix_fragment(body: list[str]) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">\n<Fragment>\n'
            + "\n".join(body) + "\n</Fragment>\n</Wix>\n")


# ---------------------------------------------------------------- command line

key_option = click.option(
    "--key", type=click.Path(path_type=Path, dir_okay=False), envvar="NETRAL_EXTENSION_KEY",
    help="PEM private key that signs the CRX (env NETRAL_EXTENSION_KEY); default: a throwaway key.",
)
update_url_option = click.option(
    "--update-url", envvar="NETRAL_UPDATE_URL", default=DEFAULT_UPDATE_URL, show_default=True,
    help="Where the devices fetch updates.xml (env NETRAL_UPDATE_URL); the CRX sits next to it.",
)
chromium_option = click.option(
    "--chromium", envvar="CHROMIUM", help="Chromium binary that packs the CRX (env CHROMIUM)."
)
fail_mode_option = click.option(
    "--fail-mode", type=click.Choice(["warn", "allow"]), default="warn", show_default=True,
    help="Policy failMode: what the extension does when the companion cannot be reached.",
)
store_id_option = click.option(
    "--store-id", "store_ids", multiple=True, metavar="[edge:]ID",
    help="The extension's Chrome Web Store ID (edge:ID for Edge Add-ons); repeatable. Policy "
    "force-installs it from the store and the companion and native host allow it too.",
)
platforms_option = click.option(
    "--platforms", default=DEFAULT_PLATFORMS, show_default=True,
    help=f"Policy enabledPlatforms, comma-separated, from: {', '.join(PLATFORMS)}.",
)


def rules_options(command):
    command = click.option(
        "--caleg", is_flag=True,
        help="Also build pemilu-2024-caleg: every legislative candidate (large).",
    )(command)
    command = click.option(
        "--rules-key", "rules_keys", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
        help="Ed25519 key that signs the bundles; repeatable (default: the DEMO key).",
    )(command)
    return click.option(
        "--trusted-keys", type=click.Path(path_type=Path, dir_okay=False),
        help="trusted_keys.json the devices get (default: shared_rules/trusted_keys.json).",
    )(command)


def extension_options(command):
    for option in reversed(
        [key_option, update_url_option, chromium_option, fail_mode_option, platforms_option,
         store_id_option]
    ):
        command = option(command)
    return command


def parse_store_ids(values: tuple[str, ...]) -> dict[str, list[str]]:
    """{"chrome": [ID], "edge": [ID]} from --store-id values; a bad ID is a one-line error."""
    chosen: dict[str, list[str]] = {}
    for value in values:
        store, _, ext_id = value.rpartition(":")
        store = store or "chrome"
        if store not in ("chrome", "edge") or len(ext_id) != 32 or set(ext_id) - ID_LETTERS:
            raise BuildError(
                f"--store-id {value!r} is not an extension ID; give the 32 letters a-p the store "
                "shows, as ID (Chrome Web Store) or edge:ID (Edge Add-ons)."
            )
        chosen.setdefault(store, []).append(ext_id)
    return chosen


def parse_platforms(value: str) -> list[str]:
    chosen = [item.strip() for item in value.split(",") if item.strip()]
    unknown = [item for item in chosen if item not in PLATFORMS]
    if unknown or not chosen:
        raise BuildError(
            f"unknown platform(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(PLATFORMS)}."
        )
    return chosen


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--dist", type=click.Path(path_type=Path, file_okay=False), envvar="NETRAL_DIST",
    default=ROOT / "dist", show_default="dist/", help="Output folder (env NETRAL_DIST).",
)
@click.pass_context
def cli(ctx, dist):
    """Build Netral's deployable parts into dist/.

    Example: python build.py all --key agency-extension.pem --update-url https://intranet/netral/updates.xml
    """
    ctx.obj = dist.resolve()


@cli.command()
@rules_options
@click.pass_obj
def rules(dist, caleg, rules_keys, trusted_keys):
    """Generate the signed rules bundle(s) and trusted keys into dist/rules/.

    Example: python build.py rules --rules-key keys/agency.key --trusted-keys agency-trusted.json
    """
    build_rules(dist, caleg=caleg, keys=rules_keys, trusted_keys=trusted_keys)


@cli.command()
@click.pass_obj
def companion(dist):
    """Freeze the companion with PyInstaller into dist/netral-companion/, with the install kit.

    Example: python build.py companion
    """
    build_companion(dist)


@cli.command()
@extension_options
@click.pass_obj
def extension(dist, key, update_url, chromium, fail_mode, platforms, store_ids):
    """Pack the extension (zip and CRX3), its update manifest and the enterprise policies.

    Example: python build.py extension --key agency-extension.pem
    """
    stores = parse_store_ids(store_ids)
    build_extension(dist, key, update_url, chromium, fail_mode, parse_platforms(platforms), stores)


@cli.command()
@click.option("--payload", type=click.Path(path_type=Path, file_okay=False),
              help="The frozen Windows companion folder (default: dist/netral-companion/).")
@click.option("--contact", default="Your agency's IT helpdesk", show_default=True,
              help="Add/Remove Programs 'contact' (ARPCONTACT).")
@click.option("--help-link", default="https://netral.invalid/help", show_default=True,
              help="Add/Remove Programs 'help link' (ARPHELPLINK).")
@click.pass_obj
def msi(dist, payload, contact, help_link):
    """Build the per-machine Windows installer dist/netral-VERSION.msi with wixl.

    Needs `python build.py rules` and `extension` here and the companion frozen on Windows.
    Example: python build.py msi --payload win-dist/netral-companion --contact "IT 1500-123"
    """
    build_msi(dist, payload or dist / COMPANION_NAME, contact, help_link)


@cli.command(name="all")
@rules_options
@extension_options
@click.pass_obj
def build_all(
    dist, caleg, rules_keys, trusted_keys, key, update_url, chromium, fail_mode, platforms,
    store_ids,
):
    """Everything IT deploys: rules, companion, extension and policies, in dist/.

    Example: python build.py all --update-url https://intranet.example.go.id/netral/updates.xml
    """
    chosen, stores = parse_platforms(platforms), parse_store_ids(store_ids)
    require_key_file(key)  # the one-line error now, not after the long companion build
    build_rules(dist, caleg=caleg, keys=rules_keys, trusted_keys=trusted_keys)
    build_companion(dist)
    build_extension(dist, key, update_url, chromium, fail_mode, chosen, stores)
    say(f"done: {dist}")


def main() -> None:
    """Runs the command line; any bad input ends with one line on stderr and exit status 2."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as error:
        click.echo(error.ctx.get_help())
        sys.exit(2)
    except click.exceptions.Abort:
        sys.exit("build.py: aborted.")
    except click.ClickException as error:
        click.echo(f"build.py: {error.format_message()}", err=True)
        sys.exit(2 if isinstance(error, click.UsageError) else 1)
    except OSError as error:
        sys.exit(f"build.py: {error.strerror or error}: {error.filename}; check that path.")


if __name__ == "__main__":
    main()
