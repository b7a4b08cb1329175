"""Tests of bundle acceptance (steps 1-4 in order, rollback), trusted keys, keygen and signing."""

import base64
import hashlib
import json
import stat
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from companion.rules import bundle as bundle_module
from companion.rules.bundle import (
    BundleRejected,
    check_rollback,
    load_trusted_keys,
    read_bundle_files,
    verify_bundle,
)
from companion.rules.keys import keygen, keyid_of, sign_bundle

BAD_INPUTS_TRIED: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def report_bad_inputs() -> Iterator[None]:
    """Print (with -s) how many bad inputs this module tried, by reason of refusal."""
    yield
    counts = {reason: BAD_INPUTS_TRIED.count(reason) for reason in sorted(set(BAD_INPUTS_TRIED))}
    print(f"\n{len(BAD_INPUTS_TRIED)} bad inputs refused: {counts}")


def rejected(reason: str, call: Callable[[], object]) -> BundleRejected:
    """Run `call`, expect BundleRejected(reason) with a one-sentence detail, and count the input."""
    with pytest.raises(BundleRejected) as caught:
        call()
    BAD_INPUTS_TRIED.append(reason)
    assert caught.value.reason == reason, caught.value.detail
    assert caught.value.detail.endswith(".") and "\n" not in caught.value.detail
    return caught.value


def test_accepts_a_signed_bundle(kit, key) -> None:
    raw = kit.encode(kit.example())
    bundle = verify_bundle(raw, kit.sig_file(key.signature(raw)), kit.trusted([key]), kit.now)
    assert (bundle.bundle_id, bundle.version) == ("pemilu-2024", 3)
    assert (bundle.issued_at, bundle.expires_at) == ("2024-01-02T00:00:00Z", "2025-01-01T00:00:00Z")
    assert bundle.sha256 == hashlib.sha256(raw).hexdigest()
    example = kit.example()
    assert bundle.data == {k: v for k, v in example.items() if k != "entities"}
    assert bundle.entity_count == len(example["entities"])
    assert bundle.signed_by == ("Kunci uji (test)",)


def test_accepts_files_read_from_disk(kit, key) -> None:
    path = kit.write_signed(kit.encode(kit.example()), key)
    raw, sig = read_bundle_files(path)
    assert verify_bundle(raw, sig, kit.trusted([key]), kit.now).version == 3


def test_accepts_unknown_fields_and_selectors(kit, key) -> None:
    data = kit.example()
    data["calendar"] = {"campaign_start": "2023-11-28"}
    data["entities"][0]["region"] = "nasional"
    data["selectors"] = {"x": {"controls": {"like": "[data-testid=like]"}}}
    raw = kit.encode(data)
    bundle = verify_bundle(raw, kit.sig_file(key.signature(raw)), kit.trusted([key]), kit.now)
    assert bundle.data["selectors"]["x"]["controls"]["like"] == "[data-testid=like]"


def test_every_single_flipped_byte_is_a_bad_signature(kit, key) -> None:
    raw = kit.encode(kit.example())
    sig, trusted = kit.sig_file(key.signature(raw)), kit.trusted([key])
    for position in range(len(raw)):
        flipped = bytearray(raw)
        flipped[position] ^= 0x01
        rejected("bad_signature", lambda f=bytes(flipped): verify_bundle(f, sig, trusted, kit.now))
    print(f"\n{len(raw)} single-byte flips rejected as bad_signature")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda raw: raw + b"\n", id="trailing-newline"),
        pytest.param(lambda raw: b" " + raw, id="leading-space"),
        pytest.param(lambda raw: raw.replace(b"\n  ", b"\n   ", 1), id="indent"),
        pytest.param(lambda raw: json.dumps(json.loads(raw)).encode(), id="reserialised"),
        pytest.param(lambda raw: raw.replace(b'"version": 3', b'"version": 4'), id="version-bump"),
    ],
)
def test_any_change_is_a_bad_signature(kit, key, change: Callable[[bytes], bytes]) -> None:
    raw = kit.encode(kit.example())
    changed = change(raw)
    assert changed != raw
    sig = kit.sig_file(key.signature(raw))
    rejected("bad_signature", lambda: verify_bundle(changed, sig, kit.trusted([key]), kit.now))


def test_signatures(kit) -> None:
    """Which signatures count: distinct, trusted, unexpired and valid ones, nothing else."""
    first, second = kit.make_key("first"), kit.make_key("second")
    stranger = kit.make_key("stranger")
    expired = kit.make_key("expired", expires_at="2024-05-31T23:59:59Z")
    raw = kit.encode(kit.example())
    other_raw = raw + b" "

    def verify(*signatures: dict, threshold: int = 1):
        trusted = kit.trusted([first, second, expired], threshold=threshold)
        return verify_bundle(raw, kit.sig_file(*signatures), trusted, kit.now)

    assert verify(first.signature(raw)).signed_by == ("first",)
    assert verify(second.signature(raw), first.signature(raw), threshold=2).signed_by == (
        "second",
        "first",
    )
    rejected("bad_signature", lambda: verify(stranger.signature(raw)))
    rejected("bad_signature", lambda: verify(first.signature(other_raw)))
    rejected("bad_signature", lambda: verify())
    rejected("below_threshold", lambda: verify(first.signature(raw), threshold=2))
    # The same key twice counts once.
    rejected(
        "below_threshold", lambda: verify(first.signature(raw), first.signature(raw), threshold=2)
    )
    # A stranger's valid signature and a bad one of a trusted key do not make up the threshold.
    rejected(
        "below_threshold",
        lambda: verify(
            first.signature(raw),
            stranger.signature(raw),
            second.signature(other_raw),
            threshold=2,
        ),
    )
    # Unknown keyids and junk entries are ignored, not fatal.
    junk = [
        "not an object",
        {"sig": first.signature(raw)["sig"]},
        {"keyid": first.keyid},
        {"keyid": first.keyid, "sig": "%%% not base64 %%%"},
        {"keyid": first.keyid, "sig": base64.b64encode(b"short").decode()},
        {"keyid": "00" * 32, "sig": first.signature(raw)["sig"]},
        {"keyid": 7, "sig": None},
    ]
    assert verify(*junk, first.signature(raw)).signed_by == ("first",)
    rejected("bad_signature", lambda: verify(*junk))
    # An expired key is ignored, even with a valid signature.
    rejected("bad_signature", lambda: verify(expired.signature(raw)))
    rejected(
        "below_threshold", lambda: verify(expired.signature(raw), first.signature(raw), threshold=2)
    )
    assert verify(expired.signature(raw), first.signature(raw)).signed_by == ("first",)


def test_keyid_compare_ignores_hex_case(kit, key) -> None:
    raw = kit.encode(kit.example())
    entry = key.signature(raw) | {"keyid": key.keyid.upper()}
    assert verify_bundle(raw, kit.sig_file(entry), kit.trusted([key]), kit.now).version == 3


def test_an_unexpired_key_is_used_until_its_expiry(kit) -> None:
    key = kit.make_key("until-june", expires_at="2024-06-01T00:00:01Z")
    raw = kit.encode(kit.example())
    sig, trusted = kit.sig_file(key.signature(raw)), kit.trusted([key])
    assert verify_bundle(raw, sig, trusted, kit.now).signed_by == ("until-june",)
    later = kit.now + timedelta(seconds=1)
    rejected("bad_signature", lambda: verify_bundle(raw, sig, trusted, later))


def _without(field: str) -> Callable[[dict], None]:
    return lambda data: data.pop(field)


def _set(path: str, value: object) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        *parents, last = [int(part) if part.isdigit() else part for part in path.split("/")]
        for part in parents:
            data = data.setdefault(part, {}) if isinstance(data, dict) else data[part]
        data[last] = value

    return change


SCHEMA_BREAKS = [
    pytest.param(_without("entities"), "the top level", id="no-entities"),
    pytest.param(_without("bundle_id"), "the top level", id="no-bundle-id"),
    pytest.param(_without("messages"), "the top level", id="no-messages"),
    pytest.param(_set("version", "3"), "version", id="version-string"),
    pytest.param(_set("version", -1), "version", id="version-negative"),
    pytest.param(_set("expires_at", "2025-01-01"), "expires_at", id="date-without-time"),
    pytest.param(_set("policy/like", "maybe"), "policy/like", id="policy-value"),
    pytest.param(_set("policy/retweet", "warn"), "policy", id="policy-action"),
    pytest.param(_set("messages/id/body", 3), "messages/id/body", id="message-body"),
    pytest.param(_set("messages", {"en": {"title": "t", "body": "b"}}), "messages", id="no-id-msg"),
    pytest.param(_set("entities/0/kind", "person"), "entities/0/kind", id="entity-kind"),
    pytest.param(_set("entities/0/name", ""), "entities/0/name", id="entity-empty-name"),
    pytest.param(_set("entities/0/names", "prabowo"), "entities/0/names", id="names-not-list"),
    pytest.param(_set("entities/0/weak_names", [2]), "entities/0/weak_names/0", id="weak-number"),
    pytest.param(_set("entities/0/accounts/twitter", ["x"]), "entities/0/accounts", id="platform"),
    pytest.param(_set("entities/0/accounts/x", "prabowo"), "entities/0/accounts/x", id="handles"),
    pytest.param(_set("entities/0/policy/share", "deny"), "entities/0/policy/share", id="e-policy"),
    pytest.param(_set("legal_refs/0", {"title": "x"}), "legal_refs/0", id="legal-ref-no-id"),
    pytest.param(_set("context_words", "coblos"), "context_words", id="context-not-list"),
    pytest.param(_set("selectors/x", ["not", "a", "table"]), "selectors/x", id="selectors-list"),
    pytest.param(_set("pact", {"id": "p"}), "pact", id="pact-incomplete"),
]


@pytest.mark.parametrize(("change", "where"), SCHEMA_BREAKS)
def test_schema_violations_are_malformed(kit, key, change, where: str) -> None:
    data = kit.example()
    change(data)
    raw = kit.encode(data)
    sig = kit.sig_file(key.signature(raw))
    error = rejected("malformed", lambda: verify_bundle(raw, sig, kit.trusted([key]), kit.now))
    assert f"at {where}:" in error.detail


@pytest.mark.parametrize(("change", "where"), SCHEMA_BREAKS[:3] + SCHEMA_BREAKS[6:12])
def test_schema_means_the_same_to_an_independent_validator(kit, change, where: str) -> None:
    """The pure-Python jsonschema reads the schema as jsonschema-rs does: same places refused."""
    data = kit.example()
    change(data)
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(bundle_module.SCHEMA).iter_errors(data)
    )
    assert error is not None
    assert ("/".join(map(str, error.absolute_path)) or "the top level").startswith(where)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        pytest.param(b"{not json", "not valid JSON", id="json"),
        pytest.param(b"", "not valid JSON", id="empty"),
        pytest.param(b"\xff\xfe{}", "not UTF-8", id="utf-8"),
        pytest.param(b"\xef\xbb\xbf{}", "not valid JSON", id="bom"),
        pytest.param(b"[" * 100_000, "nested too deeply", id="deep"),
        pytest.param(b"[]", "format is None", id="array"),
        pytest.param(b'{"format": "netral-rules/2"}', "'netral-rules/2'", id="format-2"),
        pytest.param(b'{"format": "netral-rules/1", "version": NaN}', "NaN", id="nan"),
    ],
)
def test_unparseable_signed_bytes_are_malformed(kit, key, raw: bytes, words: str) -> None:
    sig = kit.sig_file(key.signature(raw))
    error = rejected("malformed", lambda: verify_bundle(raw, sig, kit.trusted([key]), kit.now))
    assert words in error.detail


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("expires_at", "2025-13-01T00:00:00Z", id="month-13"),
        pytest.param("issued_at", "2024-02-30T00:00:00Z", id="feb-30"),
    ],
)
def test_impossible_dates_are_malformed(kit, key, field: str, value: str) -> None:
    data = kit.example()
    data[field] = value
    raw = kit.encode(data)
    sig = kit.sig_file(key.signature(raw))
    error = rejected("malformed", lambda: verify_bundle(raw, sig, kit.trusted([key]), kit.now))
    assert field in error.detail


@pytest.mark.parametrize(
    "sig",
    [
        pytest.param(b"not json", id="json"),
        pytest.param(b"[]", id="array"),
        pytest.param(b'{"signatures": {}}', id="signatures-object"),
        pytest.param(b"{}", id="no-signatures"),
    ],
)
def test_unreadable_signature_file_is_malformed(kit, key, sig: bytes) -> None:
    raw = kit.encode(kit.example())
    rejected("malformed", lambda: verify_bundle(raw, sig, kit.trusted([key]), kit.now))


@pytest.mark.parametrize(
    ("expires_at", "accepted"),
    [
        pytest.param("2024-05-31T23:59:59Z", False, id="yesterday"),
        pytest.param("2024-06-01T00:00:00Z", False, id="exactly-now"),
        pytest.param("2024-06-01T07:00:00+07:00", False, id="now-in-wib"),
        pytest.param("2024-06-01T00:00:01Z", True, id="one-second-left"),
        pytest.param("2024-06-01T07:00:01.5+07:00", True, id="fraction-in-wib"),
    ],
)
def test_expiry(kit, key, expires_at: str, accepted: bool) -> None:
    data = kit.example()
    data["expires_at"] = expires_at
    raw = kit.encode(data)
    sig, trusted = kit.sig_file(key.signature(raw)), kit.trusted([key])
    if accepted:
        assert verify_bundle(raw, sig, trusted, kit.now).expires_at == expires_at
    else:
        error = rejected("expired", lambda: verify_bundle(raw, sig, trusted, kit.now))
        assert expires_at in error.detail


def test_naive_now_is_utc(kit, key) -> None:
    raw = kit.encode(kit.example())
    sig, trusted = kit.sig_file(key.signature(raw)), kit.trusted([key])
    naive_later = (kit.now + timedelta(days=400)).replace(tzinfo=None)
    rejected("expired", lambda: verify_bundle(raw, sig, trusted, naive_later))


def test_order_size_then_signature_then_parsing_then_expiry(kit, key, monkeypatch) -> None:
    """A failure of an earlier step is the one reported, whatever else is wrong."""
    second, stranger = kit.make_key("second"), kit.make_key("stranger")
    trusted = kit.trusted([key, second], threshold=2)
    garbage = b"{not json"
    expired = kit.example() | {"expires_at": "2020-01-01T00:00:00Z"}
    expired_raw = kit.encode(expired)
    schema_and_expired = kit.encode(expired | {"entities": "none"})

    def verify(raw: bytes, *keys) -> object:
        return verify_bundle(raw, kit.sig_file(*(k.signature(raw) for k in keys)), trusted, kit.now)

    rejected("bad_signature", lambda: verify(garbage, stranger))
    rejected("bad_signature", lambda: verify(garbage))
    rejected("below_threshold", lambda: verify(garbage, key))
    rejected("bad_signature", lambda: verify(expired_raw, stranger))
    rejected("below_threshold", lambda: verify(expired_raw, key))
    rejected("malformed", lambda: verify(schema_and_expired, key, second))
    rejected("expired", lambda: verify(expired_raw, key, second))
    monkeypatch.setattr(bundle_module, "MAX_BUNDLE_BYTES", len(garbage) - 1)
    rejected("too_large", lambda: verify(garbage, key, second))
    rejected("too_large", lambda: verify(garbage, stranger))


def test_too_large_sparse_file_is_refused_before_reading(kit, key, monkeypatch) -> None:
    path = kit.write_signed(b"{}", key)
    with open(path, "r+b") as handle:
        handle.truncate(64 * 1024 * 1024 + 1)  # sparse: no 64 MiB written to disk

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was opened although stat shows it is too large")

    monkeypatch.setattr("builtins.open", no_reading)
    error = rejected("too_large", lambda: read_bundle_files(path))
    assert str(path) in error.detail


def test_exactly_64_mib_is_not_too_large(kit, key) -> None:
    path = kit.write_signed(b"{}", key)  # signed before padding, so the signature fails next
    with open(path, "r+b") as handle:
        handle.truncate(64 * 1024 * 1024)
    raw, sig = read_bundle_files(path)
    assert len(raw) == 64 * 1024 * 1024
    rejected("bad_signature", lambda: verify_bundle(raw, sig, kit.trusted([key]), kit.now))


def test_too_large_with_a_smaller_cap(kit, key, monkeypatch) -> None:
    raw = kit.encode(kit.example())
    path = kit.write_signed(raw, key)
    monkeypatch.setattr(bundle_module, "MAX_BUNDLE_BYTES", len(raw) - 1)
    rejected("too_large", lambda: read_bundle_files(path))
    sig = kit.sig_file(key.signature(raw))
    rejected("too_large", lambda: verify_bundle(raw, sig, kit.trusted([key]), kit.now))
    monkeypatch.setattr(bundle_module, "MAX_BUNDLE_BYTES", len(raw))
    assert verify_bundle(raw, sig, kit.trusted([key]), kit.now).version == 3


def test_too_large_signature_file(kit, key, monkeypatch) -> None:
    raw = kit.encode(kit.example())
    path = kit.write_signed(raw, key)
    sig = kit.sig_file(key.signature(raw))
    monkeypatch.setattr(bundle_module, "MAX_SIG_BYTES", len(sig) - 1)
    error = rejected("too_large", lambda: read_bundle_files(path))
    assert "signature file" in error.detail
    rejected("too_large", lambda: verify_bundle(raw, sig, kit.trusted([key]), kit.now))


def test_missing_files_are_unreadable(kit, key) -> None:
    path = kit.write_signed(b"{}", key)
    path.with_name(path.name + ".sig").unlink()
    error = rejected("unreadable", lambda: read_bundle_files(path))
    assert "netral-companion sign" in error.detail
    rejected("unreadable", lambda: read_bundle_files(kit.tmp_path / "absent.bundle.json"))
    rejected("unreadable", lambda: read_bundle_files(kit.tmp_path))


def test_trusted_keys_file(kit, key) -> None:
    path = kit.tmp_path / "trusted_keys.json"

    def load(document: object) -> object:
        path.write_text(json.dumps(document) if not isinstance(document, str) else document)
        return load_trusted_keys(path)

    entry = key.entry()
    loaded = load({"keys": [entry, entry]})  # threshold defaults to 1, a repeated key counts once
    assert loaded.threshold == 1
    assert list(loaded.keys) == [key.keyid]
    assert loaded.keys[key.keyid].name == "Kunci uji (test)"
    assert loaded.keys[key.keyid].expires_at is None
    dated = load({"threshold": 1, "keys": [entry | {"expires_at": "2030-01-01T00:00:00+07:00"}]})
    assert dated.keys[key.keyid].expires_at.year == 2030

    other = kit.make_key("other")
    bad_documents = [
        "not json",
        [],
        {"threshold": 1},
        {"threshold": 1, "keys": []},
        {"threshold": 0, "keys": [entry]},
        {"threshold": "1", "keys": [entry]},
        {"threshold": True, "keys": [entry]},
        {"threshold": 2, "keys": [entry]},
        {"threshold": 2, "keys": [entry, entry]},
        {"keys": [entry | {"keyid": other.keyid}]},
        {"keys": [entry | {"public_key": "AAAA"}]},
        {"keys": [entry | {"public_key": "%%%"}]},
        {"keys": [entry | {"name": None}]},
        {"keys": [entry | {"expires_at": "soon"}]},
        {"keys": [entry | {"expires_at": "2030-01-01T00:00:00"}]},
        {"keys": ["a key"]},
    ]
    for document in bad_documents:
        rejected("no_trusted_keys", lambda d=document: load(d))
    path.unlink()
    rejected("no_trusted_keys", lambda: load_trusted_keys(path))


@pytest.mark.parametrize(
    ("previous", "version", "same_bytes", "accepted"),
    [
        pytest.param(None, 1, True, True, id="first-ever"),
        pytest.param((2, "x"), 3, False, True, id="newer"),
        pytest.param((3, "SAME"), 3, True, True, id="same-version-same-bytes"),
        pytest.param((3, "other"), 3, False, False, id="same-version-other-bytes"),
        pytest.param((4, "x"), 3, False, False, id="older"),
    ],
)
def test_check_rollback(kit, key, previous, version: int, same_bytes: bool, accepted: bool) -> None:
    data = kit.example() | {"version": version}
    raw = kit.encode(data)
    bundle = verify_bundle(raw, kit.sig_file(key.signature(raw)), kit.trusted([key]), kit.now)
    if previous and previous[1] == "SAME":
        previous = (previous[0], bundle.sha256)
    if accepted:
        check_rollback(previous, bundle)
    else:
        error = rejected("rollback", lambda: check_rollback(previous, bundle))
        assert "pemilu-2024" in error.detail


def test_keygen_writes_a_usable_key_pair(tmp_path: Path) -> None:
    key_path, pub_path = keygen("agency-test", tmp_path / "keys")
    assert (key_path.name, pub_path.name) == ("agency-test.key", "agency-test.pub.json")
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    pem = key_path.read_bytes()
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8, unencrypted
    private = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(private, Ed25519PrivateKey)
    entry = json.loads(pub_path.read_text())
    assert set(entry) == {"keyid", "public_key", "name", "expires_at"}
    raw_public = base64.b64decode(entry["public_key"])
    assert entry["keyid"] == keyid_of(raw_public) == hashlib.sha256(raw_public).hexdigest()
    assert (entry["name"], entry["expires_at"]) == ("agency-test", None)


def test_keygen_refuses_to_overwrite(tmp_path: Path) -> None:
    key_path, _ = keygen("agency-test", tmp_path)
    before = key_path.read_bytes()
    with pytest.raises(FileExistsError, match="already exists"):
        keygen("agency-test", tmp_path)
    assert key_path.read_bytes() == before


@pytest.mark.parametrize("name", ["", "../escape", "a/b", ".hidden", "spasi nama"])
def test_keygen_refuses_unsafe_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="file name"):
        keygen(name, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_sign_then_verify_with_two_keys(kit) -> None:
    keys_dir = kit.tmp_path / "keys"
    first_key, first_pub = keygen("first", keys_dir)
    second_key, second_pub = keygen("second", keys_dir)
    trusted_path = kit.tmp_path / "trusted.json"
    entries = [json.loads(p.read_text()) for p in (first_pub, second_pub)]
    trusted_path.write_text(json.dumps({"threshold": 2, "keys": entries}))
    trusted = load_trusted_keys(trusted_path)
    path = kit.tmp_path / "b.bundle.json"
    path.write_bytes(kit.encode(kit.example()))

    assert sign_bundle(path, first_key) == entries[0]["keyid"]
    rejected("below_threshold", lambda: verify_bundle(*read_bundle_files(path), trusted, kit.now))
    sign_bundle(path, second_key)
    sign_bundle(path, first_key)  # signing again replaces the entry instead of adding one
    signatures = json.loads(path.with_name("b.bundle.json.sig").read_text())["signatures"]
    assert sorted(s["keyid"] for s in signatures) == sorted(e["keyid"] for e in entries)
    assert verify_bundle(*read_bundle_files(path), trusted, kit.now).signed_by == (
        "second",
        "first",
    )
    # A changed bundle invalidates both; re-signing with one key is below the threshold again.
    path.write_bytes(path.read_bytes() + b"\n")
    rejected("bad_signature", lambda: verify_bundle(*read_bundle_files(path), trusted, kit.now))
    sign_bundle(path, first_key)
    rejected("below_threshold", lambda: verify_bundle(*read_bundle_files(path), trusted, kit.now))
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".partial")]


def _rsa_pem() -> bytes:
    return rsa.generate_private_key(public_exponent=65537, key_size=1024).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _encrypted_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )


@pytest.mark.parametrize(
    ("content", "words"),
    [
        pytest.param(b"", "not an unencrypted PKCS#8", id="empty"),
        pytest.param(b"-----BEGIN PRIVATE KEY-----\ngarbage\n", "not an unencrypted", id="junk"),
        pytest.param(None, "Cannot read", id="missing"),
        pytest.param(_encrypted_pem(), "not an unencrypted PKCS#8", id="encrypted"),
        pytest.param(_rsa_pem(), "Ed25519", id="rsa"),
    ],
)
def test_sign_with_a_bad_key_file(tmp_path: Path, content: bytes | None, words: str) -> None:
    key_path = tmp_path / "bad.key"
    if content is not None:
        key_path.write_bytes(content)
    bundle_path = tmp_path / "b.bundle.json"
    bundle_path.write_bytes(b"{}")
    with pytest.raises(ValueError) as caught:
        sign_bundle(bundle_path, key_path)
    BAD_INPUTS_TRIED.append("bad key file")
    assert words in str(caught.value)
    assert caught.value.__cause__ is None and "\n" not in str(caught.value)
    assert not (tmp_path / "b.bundle.json.sig").exists()


@pytest.mark.parametrize(
    "sig", [b"not json", b"[]", b'{"signatures": "x"}', b'{"signatures": [1]}']
)
def test_sign_refuses_to_clobber_a_broken_signature_file(tmp_path: Path, sig: bytes) -> None:
    key_path, _ = keygen("k", tmp_path)
    bundle_path = tmp_path / "b.bundle.json"
    bundle_path.write_bytes(b"{}")
    (tmp_path / "b.bundle.json.sig").write_bytes(sig)
    with pytest.raises(ValueError, match="fix or delete it"):
        sign_bundle(bundle_path, key_path)
    BAD_INPUTS_TRIED.append("broken sig file")
    assert (tmp_path / "b.bundle.json.sig").read_bytes() == sig


def test_keyid_of_needs_32_bytes() -> None:
    assert keyid_of(bytes(32)) == "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
    with pytest.raises(ValueError, match="32 bytes"):
        keyid_of(bytes(31))
