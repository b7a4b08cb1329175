"""A second witness of the log: what the database must still hold, kept outside the database.

The hash chain inside `netral.db` shows an edited row, but not a database that was replaced as a
whole: an older copy put back, the WAL lost, the file emptied, or every row rewritten with the
chain recomputed. So the companion keeps two things beside it, in the per-user data dir:

- `chain.key`: 256 random bits (mode 0600). Rows are chained with HMAC-SHA256 under this key, so a
  rewritten log cannot be re-chained by someone who only has the database file.
- `netral.db.head`: the head the log reached (seq, hash), the seq from which rows are keyed, the
  highest bundle version accepted per bundle_id (rollback protection that survives an emptied
  database) and every loss found so far, the whole record MACed with the key and replaced
  atomically after each append.

A database behind its witness is recorded as a loss, permanently: the log goes on, and `acks
verify`, the status and the extension's pages say what was lost and when it was found.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path


class WitnessError(Exception):
    """The witness file exists but cannot be trusted (unreadable, not ours, or its MAC is wrong)."""


def load_or_create_key(path: Path) -> bytes:
    """The chain key in `path`, made at first use as 256 random bits with mode 0600."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = bytes.fromhex(path.read_text(encoding="utf-8").strip() or "00")
        if len(key) < 32:
            raise WitnessError(f"the chain key {path} is shorter than 256 bits") from None
        return key
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key.hex() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return key


def _canonical(record: dict) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":")).encode("utf-8")


class Witness:
    """Reads and replaces the MACed head record; never partial (write, fsync, rename)."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self._key = key

    def _mac(self, record: dict) -> str:
        return hmac.new(self._key, _canonical(record), hashlib.sha256).hexdigest()

    def read(self) -> dict | None:
        """The record; None if there is no witness file; WitnessError if it is not trustworthy."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise WitnessError(f"cannot read {self.path} ({error.strerror})") from None
        try:
            document = json.loads(raw)
            record, mac = document["record"], document["mac"]
        except (ValueError, KeyError, TypeError):
            raise WitnessError(f"{self.path} is not a witness record") from None
        if not isinstance(mac, str) or not hmac.compare_digest(mac, self._mac(record)):
            raise WitnessError(f"{self.path} was changed outside the companion")
        return record

    def write(self, record: dict) -> None:
        partial = self.path.with_name(f".{self.path.name}.partial")
        data = json.dumps({"record": record, "mac": self._mac(record)}, sort_keys=True)
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(data + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, self.path)
