"""Helpers for the rules tests: the example bundle, Ed25519 keys, signed bundles in tmp dirs."""

import base64
import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from companion.rules.bundle import TrustedKeys, load_trusted_keys
from companion.rules.keys import keyid_of

NOW = datetime(2024, 6, 1, tzinfo=UTC)

EXAMPLE_BUNDLE = {
    "format": "netral-rules/1",
    "bundle_id": "pemilu-2024",
    "version": 3,
    "issued_at": "2024-01-02T00:00:00Z",
    "expires_at": "2025-01-01T00:00:00Z",
    "issuer": {"name": "Contoh BKN (test)", "url": "https://example.invalid"},
    "pact": {"id": "pakta-netralitas-2024", "title": "Pakta Netralitas", "text": "Saya netral."},
    "legal_refs": [
        {"id": "uu-5-2014", "title": "UU ASN", "summary": "Netralitas ASN."},
        {"id": "skb-2-2022", "title": "SKB 2022", "summary": "Pedoman.", "sanction": "Disiplin."},
    ],
    "policy": {"like": "warn", "comment": "warn", "share": "warn", "post": "warn"},
    "messages": {
        "id": {"title": "Perhatian: {entities}", "body": "Anda akan {action} konten {entities}."},
        "en": {"title": "Careful: {entities}", "body": "You are about to {action} {entities}."},
    },
    "context_words": [
        "coblos",
        "nomor urut",
        "caleg",
        "dapil",
        "kampanye",
        "menangkan",
        "dukung",
        "pilih",
    ],
    "entities": [
        {
            "id": "paslon-2024-02",
            "kind": "candidate_pair",
            "name": "Prabowo Subianto – Gibran Rakabuming Raka",
            "names": ["prabowo subianto", "prabowo", "gibran rakabuming raka", "prabowo gibran"],
            "weak_names": ["gibran", "gemoy", "02"],
            "hashtags": ["prabowogibran2024", "prabowogibran"],
            "accounts": {"x": ["prabowo", "gibran_tweet"], "instagram": ["prabowo"], "*": []},
            "legal_refs": ["skb-2-2022"],
            "policy": {"share": "block"},
        }
    ],
}


def example_bundle() -> dict:
    """A fresh copy of the spec's example payload, safe to change in a test."""
    return copy.deepcopy(EXAMPLE_BUNDLE)


def encode(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


@dataclass
class Key:
    """An Ed25519 key pair as a test needs it: the private key and its trusted_keys.json entry."""

    private: Ed25519PrivateKey
    name: str
    expires_at: str | None = None

    @property
    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def keyid(self) -> str:
        return keyid_of(self.public_raw)

    def entry(self) -> dict:
        return {
            "keyid": self.keyid,
            "public_key": base64.b64encode(self.public_raw).decode(),
            "name": self.name,
            "expires_at": self.expires_at,
        }

    def signature(self, raw: bytes) -> dict:
        return {"keyid": self.keyid, "sig": base64.b64encode(self.private.sign(raw)).decode()}


def make_key(name: str = "test-key", expires_at: str | None = None) -> Key:
    return Key(Ed25519PrivateKey.generate(), name, expires_at)


def sig_file(*signatures: dict) -> bytes:
    return json.dumps({"signatures": list(signatures)}).encode()


class RulesKit:
    """Everything the rules tests build: example payloads, keys, signature files, signed bundles."""

    now = NOW
    example = staticmethod(example_bundle)
    encode = staticmethod(encode)
    make_key = staticmethod(make_key)
    sig_file = staticmethod(sig_file)

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path

    def trusted(self, keys: list[Key], threshold: int = 1) -> TrustedKeys:
        """Write trusted_keys.json for `keys` and load it the way the companion does."""
        path = self.tmp_path / "trusted_keys.json"
        path.write_text(json.dumps({"threshold": threshold, "keys": [k.entry() for k in keys]}))
        return load_trusted_keys(path)

    def write_signed(self, raw: bytes, *keys: Key, name: str = "test") -> Path:
        """NAME.bundle.json holding `raw`, and its .sig signed by `keys`."""
        path = self.tmp_path / f"{name}.bundle.json"
        path.write_bytes(raw)
        path.with_name(path.name + ".sig").write_bytes(sig_file(*(k.signature(raw) for k in keys)))
        return path


@pytest.fixture
def kit(tmp_path: Path) -> RulesKit:
    return RulesKit(tmp_path)


@pytest.fixture(scope="session")
def example() -> Callable[[], dict]:
    """The factory of fresh example payloads, for fixtures wider than one test."""
    return example_bundle


@pytest.fixture
def key() -> Key:
    return make_key("Kunci uji (test)")
