"""Helpers for the companion tests: signed bundles, an app on a temp data dir, a real `serve`."""


import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from starlette.testclient import TestClient

from companion.app import create_app
from companion.config import DEFAULT_ORIGIN, Settings
from companion.rules.keys import keygen, sign_bundle

PORT = 47613
BASE = f"http://127.0.0.1:{PORT}"
ORIGIN = DEFAULT_ORIGIN
REPO = Path(__file__).resolve().parents[2]


def bundle_payload(version: int = 1, *, bundle_id: str = "pemilu-2024",
                   issued_at: str | None = None, expires_at: str = "2099-01-01T00:00:00Z",
                   selectors: dict | None = None) -> dict:
    payload = {
        "format": "netral-rules/1",
        "bundle_id": bundle_id,
        "version": version,
        "issued_at": issued_at or f"2024-01-{version:02d}T00:00:00Z",
        "expires_at": expires_at,
        "issuer": {"name": "Test agency", "url": "https://example.org"},
        "pact": {"id": "pakta-netralitas-2024", "title": "Pakta integritas",
                 "text": "Saya netral."},
        "legal_refs": [{"id": "skb-2-2022", "title": "SKB", "summary": "Netralitas ASN",
                        "sanction": "Hukuman disiplin", "url": "https://example.org/skb"}],
        "policy": {"like": "warn", "comment": "warn", "share": "warn", "post": "warn",
                   "follow": "warn"},
        "messages": {"id": {"title": "Perhatian", "body": "Konten terkait {entities}."},
                     "en": {"title": "Careful", "body": "Content about {entities}."}},
        "context_words": ["coblos", "nomor urut"],
        "entities": [{
            "id": "paslon-2024-02", "kind": "candidate_pair",
            "name": "Prabowo Subianto – Gibran Rakabuming Raka",
            "names": ["prabowo subianto", "prabowo"], "weak_names": ["gibran"],
            "hashtags": ["prabowogibran"], "accounts": {"x": ["prabowo"]},
            "legal_refs": ["skb-2-2022"], "policy": {"share": "block"},
        }],
    }
    if selectors is not None:
        payload["selectors"] = selectors
    return payload


@dataclass
class Signer:
    """A throwaway signing key and the trusted_keys.json that trusts it."""

    key: Path
    trusted_keys: Path

    def bundle(self, directory: Path, version: int = 1, *, name: str | None = None,
               **fields) -> Path:
        path = directory / (name or f"v{version}.bundle.json")
        path.write_text(json.dumps(bundle_payload(version, **fields), indent=1), encoding="utf-8")
        sign_bundle(path, self.key)
        return path


def make_signer(directory: Path) -> Signer:
    key, pub = keygen("test-demo", directory)
    trusted = directory / "trusted_keys.json"
    entry = json.loads(pub.read_text(encoding="utf-8"))
    trusted.write_text(json.dumps({"threshold": 1, "keys": [entry]}), encoding="utf-8")
    return Signer(key, trusted)


def make_client(data_dir: Path, **settings) -> TestClient:
    app = create_app(Settings(data_dir=data_dir, port=PORT, **settings))
    return TestClient(app, base_url=BASE)


def token_headers(data_dir: Path) -> dict:
    return {"Authorization": f"Bearer {(data_dir / 'token').read_text().strip()}"}


def cli_env(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("NETRAL_")}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


@dataclass
class Served:
    """A real `serve` process; stderr goes to a file so its log can be read."""

    process: subprocess.Popen
    url: str
    data_dir: Path
    log: Path

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=token_headers(self.data_dir), timeout=10)

    def stop(self, kill: bool = False) -> None:
        if self.process.poll() is None:
            (self.process.kill if kill else self.process.terminate)()
            self.process.wait(timeout=10)


def start_serve(data_dir: Path, *args: str, log: Path | None = None, **env) -> Served:
    log = log or data_dir.with_name(data_dir.name + f"-serve-{time.monotonic_ns()}.log")
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "companion", "serve", "--port", "0", "--data-dir",
             str(data_dir), *args],
            stdout=subprocess.PIPE, stderr=log_file, env=cli_env(**env), cwd=REPO,
        )
    line = process.stdout.readline().decode().strip()
    if not line.startswith("listening on http://127.0.0.1:"):
        process.kill()
        raise AssertionError(f"serve did not start: {line!r} {log.read_text()}")
    return Served(process, line.removeprefix("listening on "), data_dir, log)
