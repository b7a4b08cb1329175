"""Channel security: the auth matrix, Host and Origin allowlists, CORS, body cap, HMAC proof."""

import hashlib
import hmac
import itertools
import uuid

import pytest
from companion_testkit import ORIGIN, PORT, make_client, token_headers


def _ack() -> dict:
    return {"ack_id": str(uuid.uuid4()), "platform": "x", "action": "like",
            "outcome": "proceeded", "occurred_at": "2024-01-10T08:00:00Z"}


CHECK = {"platform": "x", "action": "like", "post": {"author_handle": "prabowo"}}
# (method, path, body factory, needs token, status when everything is right)
ENDPOINTS = [
    ("GET", "/v1/health", None, False, 200),
    ("GET", "/v1/status", None, True, 200),
    ("POST", "/v1/check", lambda: CHECK, True, 200),
    ("POST", "/v1/check/batch", lambda: {"items": [CHECK]}, True, 200),
    ("POST", "/v1/acknowledgements", _ack, True, 201),
    ("GET", "/v1/acknowledgements?after_seq=0&limit=10", None, True, 200),
    ("GET", "/v1/acknowledgements/verify", None, True, 200),
    ("POST", "/v1/pact/acceptance",
     lambda: {"pact_id": "pakta-netralitas-2024", "name": "Siti", "nip": "198001012005011001"},
     True, 201),
    ("POST", "/v1/pair", lambda: {"code": "AAAA-AAAA"}, False, 410),  # no code pending
    ("GET", "/v1/rules/selectors?platform=x", None, True, 200),
]
TOKENS = ["none", "wrong", "right"]
ORIGINS = ["none", "foreign", "allowed"]
HOSTS = ["good", "foreign"]


def expected_status(needs_token, ok_status, token, origin, host) -> int:
    if host == "foreign":
        return 400
    if origin == "foreign":
        return 403
    if needs_token and token != "right":
        return 401
    return ok_status


@pytest.fixture(scope="module")
def app_client(tmp_path_factory, signer):
    tmp = tmp_path_factory.mktemp("matrix")
    with make_client(tmp / "data", rules=[signer.bundle(tmp, 1)],
                     trusted_keys=signer.trusted_keys) as client:
        client.token = token_headers(tmp / "data")["Authorization"]
        yield client


@pytest.mark.parametrize(
    ("endpoint", "token", "origin", "host"),
    list(itertools.product(ENDPOINTS, TOKENS, ORIGINS, HOSTS)),
    ids=lambda value: value[1].split("?")[0] if isinstance(value, tuple) else value,
)
def test_auth_matrix(app_client, endpoint, token, origin, host):
    method, path, body, needs_token, ok_status = endpoint
    headers = {}
    if token != "none":
        headers["Authorization"] = app_client.token if token == "right" else "Bearer " + "0" * 64
    if origin != "none":
        headers["Origin"] = ORIGIN if origin == "allowed" else "https://evil.example"
    if host == "foreign":
        headers["Host"] = f"evil.example:{PORT}"  # a DNS-rebinding page resolves to 127.0.0.1
    answer = app_client.request(method, path, headers=headers, json=body() if body else None)
    assert answer.status_code == expected_status(needs_token, ok_status, token, origin, host)
    cors = answer.headers.get("access-control-allow-origin")
    assert cors == (ORIGIN if origin == "allowed" and host == "good" else None)


@pytest.mark.parametrize("host", [f"127.0.0.1:{PORT}", f"localhost:{PORT}", f"[::1]:{PORT}",
                                  f"LOCALHOST:{PORT}"])
def test_loopback_host_names_are_allowed(app_client, host):
    assert app_client.get("/v1/health", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["127.0.0.1", f"127.0.0.1:{PORT + 1}", "netral.example"])
def test_other_hosts_are_refused(app_client, host):
    assert app_client.get("/v1/health", headers={"Host": host}).status_code == 400


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"])
def test_no_framework_pages_are_served_with_or_without_the_token(app_client, path):
    """FastAPI's API pages: 4 paths, each asked without and with the token, answer 404 with our
    error body, and nothing that names a CDN (those pages load their scripts from one)."""
    for headers in ({}, {"Authorization": app_client.token}):
        response = app_client.get(path, headers=headers)
        assert response.status_code == 404
        assert response.json() == {"error": "not_found"}
        assert "cdn" not in response.text


def test_preflight_for_allowed_origin_only(app_client):
    request = {"Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": "authorization,content-type"}
    allowed = app_client.options("/v1/check", headers=request | {"Origin": ORIGIN})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    foreign = app_client.options("/v1/check", headers=request | {"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert "access-control-allow-origin" not in foreign.headers
    assert "*" not in str(allowed.headers.values())


def test_configured_origin_replaces_the_default(tmp_path):
    other = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
    with make_client(tmp_path, allowed_origins=[other]) as client:
        assert client.get("/v1/health", headers={"Origin": other}).status_code == 200
        assert client.get("/v1/health", headers={"Origin": ORIGIN}).status_code == 403


def test_body_over_64_kib_is_413_by_header_and_by_stream(client):
    big = b'{"platform": "x", "action": "like", "post": {"text": "' + b"a" * 70_000 + b'"}}'
    assert client.post("/v1/check", content=big).status_code == 413

    def chunks():  # no Content-Length: the cap must count what actually arrives
        for start in range(0, len(big), 8192):
            yield big[start:start + 8192]

    answer = client.post("/v1/check", content=chunks())
    assert answer.status_code == 413
    assert answer.json() == {"error": "body_too_large"}
    exactly = b'{"items": []' + b" " * (64 * 1024 - 13) + b"}"
    assert len(exactly) == 64 * 1024
    answer = client.post("/v1/check/batch", content=exactly,
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 200


def test_status_proof_is_hmac_of_the_nonce(client):
    token = client.headers["Authorization"].removeprefix("Bearer ")
    answer = client.get("/v1/status", headers={"X-Netral-Nonce": "n-123"}).json()
    assert answer["proof"] == hmac.new(token.encode(), b"n-123", hashlib.sha256).hexdigest()
    assert client.get("/v1/status").json()["proof"] is None


def test_token_file_is_256_bits_mode_0600_and_kept(tmp_path):
    with make_client(tmp_path):
        token = (tmp_path / "token").read_text().strip()
    assert len(bytes.fromhex(token)) == 32
    assert (tmp_path / "token").stat().st_mode & 0o777 == 0o600
    with make_client(tmp_path):
        assert (tmp_path / "token").read_text().strip() == token


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org", "::"])
def test_serve_refuses_non_loopback_bind(host, capsys):
    from companion.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--host", host, "--port", "0"])
    assert exit_info.value.code == 1
    assert "loopback" in capsys.readouterr().err
