"""Fixtures for the companion tests (helpers live in companion_testkit.py)."""

from pathlib import Path

import pytest
from companion_testkit import Served, Signer, make_client, make_signer, start_serve, token_headers


@pytest.fixture(scope="session")
def signer(tmp_path_factory) -> Signer:
    return make_signer(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def client(tmp_path, signer):
    """A started app (lifespan run) with a v1 bundle on a temp data dir, sending the token."""
    bundles = tmp_path / "bundles"
    bundles.mkdir()
    data_dir = tmp_path / "data"
    with make_client(data_dir, rules=[signer.bundle(bundles, 1)],
                     trusted_keys=signer.trusted_keys) as test_client:
        test_client.headers.update(token_headers(data_dir))
        yield test_client


@pytest.fixture
def serve(tmp_path):
    """Start real `serve` processes (on --port 0); all are killed at the end of the test."""
    started: list[Served] = []

    def start(*args: str, data_dir: Path | None = None, **env) -> Served:
        served = start_serve(data_dir or tmp_path / "data", *args, **env)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop(kill=True)
