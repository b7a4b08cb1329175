"""Rules lifecycle: startup choice, install, rollback across restarts, hot-swap, URL poll."""

import functools
import http.server
import logging
import shutil
import threading
import time

import pytest

from companion.cli import main
from companion.rules.bundle import BundleRejected
from companion.rules.manager import RulesManager
from companion.store import Store


def run_cli(*args: str) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    return exit_info.value.code


def copy_bundle(bundle, directory, name=None):
    name = name or bundle.name
    shutil.copy(f"{bundle}.sig", directory / f"{name}.sig")
    shutil.copy(bundle, directory / name)


def tampered(bundle, directory):
    """A copy of the bundle with one byte changed and the original signature."""
    data = bytearray(bundle.read_bytes())
    data[data.index(b"Test agency")] = ord("B")
    (directory / "tampered.bundle.json").write_bytes(bytes(data))
    shutil.copy(f"{bundle}.sig", directory / "tampered.bundle.json.sig")
    return directory / "tampered.bundle.json"


@pytest.fixture
def manager(tmp_path, signer):
    (tmp_path / "rules").mkdir()
    store = Store(tmp_path / "netral.db")
    yield RulesManager(store, signer.trusted_keys, tmp_path / "rules")
    store.close()


def test_newest_issued_at_wins_at_startup(manager, tmp_path, signer):
    older = signer.bundle(tmp_path, 3, issued_at="2024-01-01T00:00:00Z")
    newer = signer.bundle(tmp_path, 1, bundle_id="pilkada-2024", issued_at="2024-06-01T00:00:00Z")
    copy_bundle(newer, tmp_path / "rules")
    manager.load_startup([older])
    assert manager.current.bundle.bundle_id == "pilkada-2024"


def test_tampered_bundle_is_ignored_with_its_reason(manager, tmp_path, signer, caplog):
    good = signer.bundle(tmp_path, 1)
    tampered(signer.bundle(tmp_path, 2), tmp_path / "rules")
    with caplog.at_level(logging.WARNING, logger="netral.rules"):
        manager.load_startup([good])
    assert manager.current.bundle.version == 1
    assert "tampered.bundle.json" in caplog.text and "bad_signature" in caplog.text


def test_no_trusted_keys_means_no_rules_in_one_line(tmp_path, signer, caplog):
    store = Store(tmp_path / "netral.db")
    manager = RulesManager(store, tmp_path / "missing.json", tmp_path)
    with caplog.at_level(logging.WARNING, logger="netral.rules"):
        manager.load_startup([signer.bundle(tmp_path, 1)])
    store.close()
    assert manager.current is None
    assert "no rules bundle accepted" in caplog.text


def test_rollback_is_refused_across_restarts_and_rules_dir_deletion(tmp_path, signer, capsys):
    data = str(tmp_path / "data")
    keys = str(signer.trusted_keys)
    v1, v2 = signer.bundle(tmp_path, 1), signer.bundle(tmp_path, 2)
    assert run_cli("install-rules", str(v2), "--data-dir", data, "--trusted-keys", keys) == 0
    assert "installed: pemilu-2024 version 2" in capsys.readouterr().out
    shutil.rmtree(tmp_path / "data" / "rules")
    assert run_cli("install-rules", str(v1), "--data-dir", data, "--trusted-keys", keys) == 1
    assert "rejected (rollback)" in capsys.readouterr().err
    same_version = signer.bundle(tmp_path, 2, name="v2b.bundle.json",
                                 issued_at="2024-02-02T00:00:00Z")
    assert run_cli("install-rules", str(same_version), "--data-dir", data,
                   "--trusted-keys", keys) == 1
    assert "rejected (rollback)" in capsys.readouterr().err
    assert run_cli("install-rules", str(v2), "--data-dir", data, "--trusted-keys", keys) == 0


def test_serve_refuses_an_older_bundle_after_a_newer_was_accepted(serve, tmp_path, signer):
    v1, v2 = signer.bundle(tmp_path, 1), signer.bundle(tmp_path, 2)
    keys = ("--trusted-keys", str(signer.trusted_keys))
    first = serve("--rules", str(v2), *keys)
    with first.http() as client:
        assert client.get("/v1/status").json()["rules"]["version"] == 2
    first.stop()
    again = serve("--rules", str(v1), *keys, data_dir=first.data_dir)
    with again.http() as client:
        assert client.get("/v1/status").json()["rules"] is None
    assert "rollback" in again.log.read_text()


def test_hot_swap_while_requests_run_then_tampered_bundle_ignored(serve, tmp_path, signer):
    keys = ("--trusted-keys", str(signer.trusted_keys))
    served = serve("--rules", str(signer.bundle(tmp_path, 1)), *keys,
                   NETRAL_RULES_WATCH_SECONDS="0.1")
    results, stop = [], threading.Event()

    def hammer():
        with served.http() as client:
            while not stop.is_set():
                answer = client.post("/v1/check", json={
                    "platform": "x", "action": "like", "post": {"text": "dukung prabowo"}})
                version = (answer.json().get("rules") or {}).get("version")
                results.append((answer.status_code, version))

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    copy_bundle(signer.bundle(tmp_path, 2), served.data_dir / "rules")
    with served.http() as client:
        deadline = time.monotonic() + 10
        while client.get("/v1/status").json()["rules"]["version"] != 2:
            assert time.monotonic() < deadline, served.log.read_text()
            time.sleep(0.05)
        time.sleep(0.2)
        stop.set()
        for thread in threads:
            thread.join()
        assert {status for status, _ in results} == {200}
        assert {version for _, version in results} == {1, 2}

        tampered(signer.bundle(tmp_path, 3), served.data_dir / "rules")
        deadline = time.monotonic() + 10
        while "tampered.bundle.json: bad_signature" not in served.log.read_text():
            assert time.monotonic() < deadline, served.log.read_text()
            time.sleep(0.05)
        assert client.get("/v1/status").json()["rules"]["version"] == 2
    print(f"{len(results)} checks during the swap, all 200")


def test_rules_url_is_polled_and_kept_for_later_starts(serve, tmp_path, signer):
    site = tmp_path / "site"
    site.mkdir()
    copy_bundle(signer.bundle(tmp_path, 1), site, "pemilu.bundle.json")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/pemilu.bundle.json"
    try:
        served = serve("--trusted-keys", str(signer.trusted_keys), "--rules",
                       str(tmp_path / "none.bundle.json"), "--rules-url", url,
                       "--rules-poll-seconds", "0.1")
        with served.http() as client:
            deadline = time.monotonic() + 10
            while (client.get("/v1/status").json()["rules"] or {}).get("version") != 1:
                assert time.monotonic() < deadline, served.log.read_text()
                time.sleep(0.05)
            copy_bundle(signer.bundle(tmp_path, 2), site, "pemilu.bundle.json")
            while client.get("/v1/status").json()["rules"]["version"] != 2:
                assert time.monotonic() < deadline, served.log.read_text()
                time.sleep(0.05)
    finally:
        server.shutdown()
    assert (served.data_dir / "rules" / "pemilu-2024.bundle.json").read_bytes() == (
        site / "pemilu.bundle.json").read_bytes()


def test_offer_of_the_current_bundle_is_a_no_op(manager, tmp_path, signer):
    bundle = signer.bundle(tmp_path, 1)
    raw, sig = bundle.read_bytes(), (tmp_path / "v1.bundle.json.sig").read_bytes()
    assert manager.offer(raw, sig, "test") is not None
    current = manager.current
    assert manager.offer(raw, sig, "again") is None
    assert manager.current is current
    with pytest.raises(BundleRejected) as rejected:
        manager.offer(raw + b" ", sig, "tampered")
    assert rejected.value.reason == "bad_signature"
    assert manager.current is current
