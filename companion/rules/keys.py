"""Ed25519 key pairs for bundle authors, and signing a bundle file into its detached `.sig` file."""

import base64
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# cryptography's serialization (PEM, SSH: ~20 ms to import) is imported by the functions that
# need it: acceptance imports this module for keyid_of only.

_KEY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def keyid_of(public_raw: bytes) -> str:
    """The keyid of the spec: lowercase hex SHA-256 of the raw 32-byte public key."""
    if len(public_raw) != 32:
        raise ValueError(f"An Ed25519 public key has 32 bytes, not {len(public_raw)}.")
    return hashlib.sha256(public_raw).hexdigest()


def _public_raw(private_key: Ed25519PrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def keygen(name: str, out_dir: Path) -> tuple[Path, Path]:
    """Write OUT_DIR/NAME.key (PKCS#8 PEM, mode 0600) and OUT_DIR/NAME.pub.json (a trusted key)."""
    from cryptography.hazmat.primitives import serialization

    if not _KEY_NAME.fullmatch(name):
        raise ValueError(
            f"Key name {name!r} must be letters, digits, '.', '_' or '-' (it becomes a file name)."
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    key_path, pub_path = out_dir / f"{name}.key", out_dir / f"{name}.pub.json"
    private_key = Ed25519PrivateKey.generate()
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        # O_EXCL refuses an existing key; the mode is set at creation, never world-readable.
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise FileExistsError(
            f"{key_path} already exists; choose another name or move the old key away first."
        ) from None
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)  # the umask could only have removed bits
        handle.write(pem)
    public_raw = _public_raw(private_key)
    entry = {
        "keyid": keyid_of(public_raw),
        "public_key": base64.b64encode(public_raw).decode("ascii"),
        "name": name,
        "expires_at": None,
    }
    _write_atomically(pub_path, (json.dumps(entry, indent=2) + "\n").encode("utf-8"))
    return key_path, pub_path


def load_private_key(key_path: Path) -> Ed25519PrivateKey:
    """An unencrypted PKCS#8 PEM Ed25519 private key, or a one-sentence ValueError."""
    from cryptography.hazmat.primitives import serialization

    try:
        pem = Path(key_path).read_bytes()
    except OSError as error:
        raise ValueError(f"Cannot read the key file {key_path} ({error.strerror}).") from None
    try:
        private_key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise ValueError(
            f"{key_path} is not an unencrypted PKCS#8 PEM private key; make one with `keygen`."
        ) from None
    if not isinstance(private_key, Ed25519PrivateKey):
        raise ValueError(
            f"{key_path} holds a key of another type; bundles are signed with Ed25519."
        )
    return private_key


def sign_bundle(bundle_path: Path, key_path: Path) -> str:
    """Sign the exact bytes of BUNDLE into BUNDLE.sig, replacing this key's old entry; the keyid."""
    private_key = load_private_key(key_path)
    bundle_path = Path(bundle_path)
    sig_path = bundle_path.with_name(bundle_path.name + ".sig")
    try:
        raw = bundle_path.read_bytes()
    except OSError as error:
        raise ValueError(f"Cannot read the bundle {bundle_path} ({error.strerror}).") from None
    keyid = keyid_of(_public_raw(private_key))
    signature = base64.b64encode(private_key.sign(raw)).decode("ascii")
    others = [entry for entry in _existing_signatures(sig_path) if entry.get("keyid") != keyid]
    document = {"signatures": [*others, {"keyid": keyid, "sig": signature}]}
    _write_atomically(sig_path, (json.dumps(document, indent=2) + "\n").encode("utf-8"))
    return keyid


def _existing_signatures(sig_path: Path) -> list[dict]:
    """The entries already in a .sig file, so co-signers keep theirs; [] when there is none yet."""
    try:
        document = json.loads(sig_path.read_bytes())
    except FileNotFoundError:
        return []
    except (OSError, ValueError):
        raise ValueError(
            f"{sig_path} exists but is not a readable signature file; fix or delete it first."
        ) from None
    signatures = document.get("signatures") if isinstance(document, dict) else None
    if not isinstance(signatures, list) or not all(isinstance(s, dict) for s in signatures):
        raise ValueError(f"{sig_path} has no `signatures` list; fix or delete it first.")
    return signatures


def _write_atomically(path: Path, data: bytes) -> None:
    """Write beside PATH, then rename over it: a reader sees the old file or the new, never half."""
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o644)  # public files: readable by a web server, say
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
