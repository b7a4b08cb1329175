"""Evidence that survives the file: seven tricks on a real data dir, each found and reported.

An older netral.db put back, its WAL lost, the file emptied, every outcome rewritten with the
plain chain recomputed, the witness deleted, the witness edited, the database made garbage.
"""

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
import uuid

import pytest
from companion_testkit import REPO, cli_env, make_client, token_headers

from companion.store import LOG_COLUMNS, Store, StoreError, canonical_json


def ack(**fields) -> dict:
    return {"ack_id": str(uuid.uuid4()), "check_id": None, "platform": "x", "action": "like",
            "outcome": "cancelled", "entity_ids": ["paslon-2024-02"], "bundle_id": "b",
            "rules_version": 1, "occurred_at": "2024-01-10T08:00:00Z",
            "justification": None} | fields


def fill(data_dir, count: int) -> None:
    store = Store(data_dir / "netral.db")
    for _ in range(count):
        store.record_acknowledgement(ack())
    store.close()


def verify_cli(data_dir) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "companion", "acks", "verify", "--data-dir",
                           str(data_dir)], capture_output=True, text=True, env=cli_env(),
                          cwd=REPO, timeout=60)


def losses(data_dir) -> list[dict]:
    store = Store(data_dir / "netral.db")
    try:
        return store.verify_chain()["losses"]
    finally:
        store.close()


@pytest.fixture
def data_dir(tmp_path):
    path = tmp_path / "data"
    path.mkdir()
    return path


def test_an_intact_log_verifies_and_says_nothing_was_lost(data_dir):
    fill(data_dir, 3)
    result = verify_cli(data_dir)
    assert result.returncode == 0 and "nothing lost" in result.stdout
    assert losses(data_dir) == []


def test_an_older_database_put_back_is_a_loss_that_stays_reported(data_dir):
    fill(data_dir, 2)
    db = data_dir / "netral.db"
    shutil.copy(db, data_dir / "old.db")
    fill(data_dir, 3)
    db.unlink()
    for side in ("netral.db-wal", "netral.db-shm"):
        (data_dir / side).unlink(missing_ok=True)
    shutil.copy(data_dir / "old.db", db)
    found = losses(data_dir)
    assert [(x["kind"], x["expected_seq"], x["found_seq"], x["lost"]) for x in found] == [
        ("rolled_back", 5, 2, 3)]
    fill(data_dir, 1)  # the log goes on, and the loss is still reported after new entries
    result = verify_cli(data_dir)
    assert result.returncode == 1
    assert "the log held 5 entries, the database now 2" in result.stderr
    assert "3 entries present are intact" in result.stderr


def test_a_lost_wal_is_a_loss(data_dir):
    db = data_dir / "netral.db"
    store = Store(db)
    store.record_acknowledgement(ack())
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    snapshot = db.read_bytes()  # the main file before the next rows, which live in the WAL
    for _ in range(2):
        store.record_acknowledgement(ack())
    store._db.conn.close()  # the process dies here; its WAL is then lost
    db.write_bytes(snapshot)
    for side in ("netral.db-wal", "netral.db-shm"):
        (data_dir / side).unlink(missing_ok=True)
    assert [(x["kind"], x["lost"]) for x in losses(data_dir)] == [("rolled_back", 2)]


def test_an_emptied_database_keeps_rollback_protection(data_dir, tmp_path, signer):
    fill(data_dir, 2)
    store = Store(data_dir / "netral.db")
    store.record_accepted_bundle("pemilu-2024", 5, "a" * 64)
    store.close()
    (data_dir / "netral.db").write_bytes(b"")  # truncated to 0 bytes
    for side in ("netral.db-wal", "netral.db-shm"):
        (data_dir / side).unlink(missing_ok=True)
    store = Store(data_dir / "netral.db")
    try:
        assert store.accepted_bundle("pemilu-2024") == (5, "a" * 64)
        assert [x["kind"] for x in store.losses()] == ["rolled_back"]
    finally:
        store.close()
    # And through the real install path: version 1 after version 5 is a rollback.
    bundle = signer.bundle(tmp_path, 1)
    install = subprocess.run(
        [sys.executable, "-m", "companion", "install-rules", str(bundle), "--data-dir",
         str(data_dir), "--trusted-keys", str(signer.trusted_keys)],
        capture_output=True, text=True, env=cli_env(), cwd=REPO, timeout=60)
    assert install.returncode == 1 and "rejected (rollback)" in install.stderr


def test_rewritten_outcomes_with_the_plain_chain_recomputed_are_found(data_dir):
    fill(data_dir, 3)
    conn = sqlite3.connect(data_dir / "netral.db")
    conn.execute("DROP TRIGGER acknowledgements_append_only_update")
    names = [c[1] for c in conn.execute("PRAGMA table_info(acknowledgements)")]
    prev = "0" * 64
    for values in conn.execute("SELECT * FROM acknowledgements ORDER BY seq").fetchall():
        row = dict(zip(names, values, strict=True)) | {"outcome": "proceeded"}
        body = {column: row[column] for column in LOG_COLUMNS}
        prev = hashlib.sha256((prev + canonical_json(body)).encode()).hexdigest()
        conn.execute("UPDATE acknowledgements SET outcome = ?, hash = ? WHERE seq = ?",
                     ("proceeded", prev, row["seq"]))
    conn.execute("UPDATE chain_head SET hash = ?", (prev,))
    conn.commit()
    conn.close()
    result = verify_cli(data_dir)
    assert result.returncode == 1 and "hash chain broken at seq 1" in result.stderr


def test_a_deleted_or_edited_witness_is_reported(data_dir):
    fill(data_dir, 2)
    witness = data_dir / "netral.db.head"
    record = json.loads(witness.read_text())
    witness.unlink()
    assert [x["kind"] for x in losses(data_dir)] == ["witness_missing"]
    edited = json.loads(witness.read_text())
    edited["record"]["seq"] = 1  # claim less than the log holds, to hide later entries
    witness.write_text(json.dumps(edited))
    kinds = [x["kind"] for x in losses(data_dir)]
    assert kinds == ["witness_untrusted"]  # the earlier loss went with the edited record
    assert record["record"]["seq"] == 2


def test_a_damaged_database_names_its_file_and_what_to_do(data_dir):
    (data_dir / "netral.db").write_bytes(b"not a database at all, just bytes" * 100)
    with pytest.raises(StoreError) as caught:
        Store(data_dir / "netral.db")
    assert str(data_dir / "netral.db") in str(caught.value)
    assert "move it aside" in str(caught.value)
    result = verify_cli(data_dir)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "damaged" in result.stderr and "free space" not in result.stderr


def test_status_reports_losses_to_the_extension(data_dir, tmp_path, signer):
    fill(data_dir, 3)
    shutil.copy(data_dir / "netral.db", tmp_path / "old.db")
    (data_dir / "netral.db").write_bytes(b"")
    with make_client(data_dir, rules=[signer.bundle(tmp_path, 1)],
                     trusted_keys=signer.trusted_keys) as client:
        client.headers.update(token_headers(data_dir))
        found = client.get("/v1/status").json()["acknowledgements"]["losses"]
        assert [(x["kind"], x["lost"]) for x in found] == [("rolled_back", 3)]
        verify = client.get("/v1/acknowledgements/verify").json()
        assert verify["ok"] is False and verify["count"] == 0
