"""The store on real SQLite files: hash chain, tamper evidence, idempotency, pairing, versions."""

import hashlib
import hmac
import sqlite3
import uuid

import pytest
from companion_testkit import make_client, token_headers
from sqlite_utils import Database

from companion.store import (
    LOG_COLUMNS,
    AckConflict,
    Store,
    canonical_json,
    chain_hash,
    keyed_chain_hash,
    migrations,
)


def ack(**fields) -> dict:
    return {"ack_id": str(uuid.uuid4()), "check_id": None, "platform": "x", "action": "like",
            "outcome": "proceeded", "entity_ids": ["paslon-2024-02"], "bundle_id": "pemilu-2024",
            "rules_version": 1, "occurred_at": "2024-01-10T08:00:00Z",
            "justification": None} | fields


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "netral.db")
    yield store
    store.close()


def fill(store: Store, count: int) -> list[dict]:
    return [store.record_acknowledgement(ack())[0] for _ in range(count)]


def tamper(path, *statements):
    """Edit the database behind the companion's back, as someone with file access could."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER acknowledgements_append_only_update")
    conn.execute("DROP TRIGGER acknowledgements_append_only_delete")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def test_settings_of_the_database(store, tmp_path):
    conn = sqlite3.connect(tmp_path / "netral.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    applied = conn.execute("SELECT name FROM _sqlite_migrations").fetchall()
    assert applied == [("m001_initial",), ("m002_election_ids",), ("m003_keyed_chain",),
                       ("m004_disputes",)]


def test_a_log_written_before_election_ids_still_verifies_and_new_rows_cover_them(tmp_path):
    path = tmp_path / "netral.db"
    # A database as version 1 of the schema left it: m001 only, rows without election_ids.
    conn = sqlite3.connect(path)
    old = Database(conn)
    migrations.apply(old, stop_before="m002_election_ids")
    conn.close()
    store = Store(path)  # applies m002 to the existing file
    first = store.record_acknowledgement(ack())[0]
    row = store._db.execute("SELECT * FROM acknowledgements").fetchone()
    names = [c[0] for c in store._db.execute("SELECT * FROM acknowledgements").description]
    body = {column: value for column, value in zip(names, row, strict=True)
            if column in LOG_COLUMNS}
    # The hash of a row without election ids covers exactly the columns of schema 1.
    key = bytes.fromhex((tmp_path / "chain.key").read_text().strip())
    expected = hmac.new(key, ("0" * 64 + canonical_json(body)).encode(), hashlib.sha256)
    assert first["hash"] == expected.hexdigest()
    second = store.record_acknowledgement(ack(election_ids=["pemilu-2024"]))[0]
    assert store.verify_chain() == {"ok": True, "count": 2, "first_bad_seq": None, "losses": []}
    items, _ = store.list_acknowledgements(0, 10)
    assert [item["election_ids"] for item in items] == [[], ["pemilu-2024"]]
    # A retry with other elections is a conflict; editing them breaks the chain.
    with pytest.raises(AckConflict):
        store.record_acknowledgement(ack(ack_id=items[1]["ack_id"], election_ids=["pilkada-2024"]))
    store.close()
    tamper(path, f"UPDATE acknowledgements SET election_ids = '[\"pilkada-2024\"]' "
                 f"WHERE seq = {second['seq']}")
    store = Store(path)
    assert store.verify_chain()["first_bad_seq"] == 2
    store.close()


def test_chain_links_each_row_to_the_previous(store):
    first, second = fill(store, 2)
    rows = list(store._db["acknowledgements"].rows_where(order_by="seq"))
    assert [row["seq"] for row in rows] == [1, 2]
    key = store._key
    assert rows[0]["hash"] == keyed_chain_hash(key, "0" * 64, rows[0]) == first["hash"]
    assert rows[1]["hash"] == keyed_chain_hash(key, first["hash"], rows[1]) == second["hash"]
    assert rows[0]["hash"] != chain_hash("0" * 64, rows[0])  # keyed, not plain SHA-256
    assert store.verify_chain() == {"ok": True, "count": 2, "first_bad_seq": None, "losses": []}


def test_no_post_text_column(store):
    columns = {row[1] for row in store._db.execute("PRAGMA table_info(acknowledgements)")}
    assert not columns & {"text", "post", "draft_text", "url"}


def test_same_ack_twice_is_one_row_other_content_conflicts(store):
    body = ack()
    answer, created = store.record_acknowledgement(body)
    assert created
    assert store.record_acknowledgement(dict(body)) == (answer, False)
    with pytest.raises(AckConflict):
        store.record_acknowledgement(body | {"outcome": "cancelled"})
    assert store.verify_chain()["count"] == 1


def test_log_rejects_updates_and_deletes(store):
    fill(store, 1)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store._db.execute("UPDATE acknowledgements SET outcome = 'cancelled'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store._db.execute("DELETE FROM acknowledgements")


@pytest.mark.parametrize(("statements", "first_bad"), [
    (["UPDATE acknowledgements SET outcome = 'cancelled' WHERE seq = 3"], 3),
    (["DELETE FROM acknowledgements WHERE seq = 2"], 2),
    (["DELETE FROM acknowledgements WHERE seq = 5"], 5),
    (["UPDATE acknowledgements SET seq = 100 WHERE seq = 2",
      "UPDATE acknowledgements SET seq = 2 WHERE seq = 3",
      "UPDATE acknowledgements SET seq = 3 WHERE seq = 100"], 2),
], ids=["edit", "delete", "delete-newest", "reorder"])
def test_tampering_is_found_by_cli_and_endpoint(tmp_path, statements, first_bad, capsys):
    from companion.cli import main

    data_dir = tmp_path / "data"
    with make_client(data_dir) as client:
        headers = token_headers(data_dir)
        for _ in range(5):
            answer = client.post("/v1/acknowledgements", json=ack(), headers=headers)
            assert answer.status_code == 201
        tamper(data_dir / "netral.db", *statements)
        answer = client.get("/v1/acknowledgements/verify", headers=headers).json()
    assert answer["ok"] is False
    assert answer["first_bad_seq"] == first_bad
    with pytest.raises(SystemExit) as exit_info:
        main(["acks", "verify", "--data-dir", str(data_dir)])
    assert exit_info.value.code == 1
    assert f"seq {first_bad}" in capsys.readouterr().err


def test_accepted_versions_only_go_up(store):
    assert store.accepted_bundle("pemilu-2024") is None
    store.record_accepted_bundle("pemilu-2024", 2, "b" * 64)
    store.record_accepted_bundle("pemilu-2024", 1, "a" * 64)
    assert store.accepted_bundle("pemilu-2024") == (2, "b" * 64)


def test_a_restart_on_the_same_bundle_writes_nothing(store):
    """Every start records the bundle it accepted: the same version again is not a transaction
    (a commit is a disk flush of every start); a newer one still is."""
    store.record_accepted_bundle("pemilu-2024", 2, "b" * 64)
    before = store._db.conn.total_changes
    store.record_accepted_bundle("pemilu-2024", 2, "b" * 64)
    assert store._db.conn.total_changes == before
    store.record_accepted_bundle("pemilu-2024", 3, "c" * 64)
    assert store._db.conn.total_changes == before + 1
    assert store.accepted_bundle("pemilu-2024") == (3, "c" * 64)


def test_pairing_code_is_hashed_and_single_use(store):
    code = store.create_pairing_code()
    assert code not in str(store._db.execute("SELECT * FROM pairing_codes").fetchall())
    assert store.redeem_pairing_code(code.lower().replace("-", " "))
    assert not store.pairing_code_pending()
    assert not store.redeem_pairing_code(code)


def test_five_wrong_codes_invalidate_it(store):
    code = store.create_pairing_code()
    for _ in range(5):
        assert not store.redeem_pairing_code("WRONG-CODE")
    assert not store.pairing_code_pending()
    assert not store.redeem_pairing_code(code)


def test_pairing_code_expires(store):
    code = store.create_pairing_code(ttl_seconds=-1)
    assert not store.pairing_code_pending()
    assert not store.redeem_pairing_code(code)
