"""The packed extension: the CRX3 header, its ID against the manifest key, zip, update manifest."""

import base64
import hashlib
import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(900)


def id_from_bytes(raw_id: bytes) -> str:
    return "".join(chr(ord("a") + int(digit, 16)) for digit in raw_id.hex())


def id_from_key(public_der: bytes) -> str:
    return id_from_bytes(hashlib.sha256(public_der).digest()[:16])


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def fields(message: bytes) -> dict[int, list[bytes]]:
    """Length-delimited fields of a protobuf message by number (the CRX3 header uses no others)."""
    found: dict[int, list[bytes]] = {}
    pos = 0
    while pos < len(message):
        key, pos = read_varint(message, pos)
        assert key & 7 == 2, f"unexpected wire type {key & 7}"
        length, pos = read_varint(message, pos)
        found.setdefault(key >> 3, []).append(message[pos : pos + length])
        pos += length
    assert pos == len(message)
    return found


def parse_crx3(data: bytes) -> tuple[str, list[bytes], bytes]:
    """(crx_id from signed_header_data, RSA public keys of the proofs, the zip archive)."""
    assert data[:4] == b"Cr24"
    assert int.from_bytes(data[4:8], "little") == 3
    header_size = int.from_bytes(data[8:12], "little")
    header = fields(data[12 : 12 + header_size])
    signed_header_data = fields(header[10000][0])
    crx_id = signed_header_data[1][0]
    assert len(crx_id) == 16
    public_keys = [fields(proof)[1][0] for proof in header.get(2, [])]
    return id_from_bytes(crx_id), public_keys, data[12 + header_size :]


def check_package(folder: Path) -> str:
    """Checks the CRX, zip and updates.xml in `folder` against each other; returns the ID."""
    ext_id = (folder / "extension-id.txt").read_text().strip()
    version = json.loads((ROOT / "extension" / "manifest.json").read_text())["version"]
    crx_id, public_keys, archive = parse_crx3((folder / f"netral-{version}.crx").read_bytes())
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(archive)).read("manifest.json"))
    manifest_key = base64.b64decode(manifest["key"])
    assert crx_id == id_from_key(manifest_key) == ext_id
    assert manifest_key in public_keys

    zipped = zipfile.ZipFile(folder / f"netral-{version}.zip")
    assert json.loads(zipped.read("manifest.json"))["key"] == manifest["key"]
    assert "background/service_worker.js" in zipped.namelist()

    update = ET.parse(folder / "updates.xml").getroot()
    namespace = {"g": "http://www.google.com/update2/response"}
    app = update.find("g:app", namespace)
    assert app.get("appid") == ext_id
    check = app.find("g:updatecheck", namespace)
    assert check.get("version") == version
    assert check.get("codebase").endswith(f"/netral-{version}.crx")
    return ext_id


def test_crx3_id_matches_the_manifest_key(dist, capsys):
    ext_id = check_package(dist / "extension")
    with capsys.disabled():
        print(f"\nthrowaway-key extension ID: {ext_id}")


def test_it_supplied_key_decides_the_id(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "agency.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.TraditionalOpenSSL,
                                      serialization.NoEncryption()))
    expected = id_from_key(key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    out = tmp_path / "dist"
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--dist", str(out), "extension", "--key", str(pem),
         "--update-url", "https://intranet.example.go.id/netral/updates.xml"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert check_package(out / "extension") == expected
    policy = json.loads((out / "policies" / "linux" / "chrome.json").read_text())
    assert policy["ExtensionSettings"] == {expected: {
        "installation_mode": "force_installed",
        "update_url": "https://intranet.example.go.id/netral/updates.xml",
    }}
    config = json.loads((out / "netral-install.json").read_text())
    assert config["allowed_origins"] == [f"chrome-extension://{expected}"]
