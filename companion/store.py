"""The companion's SQLite database: hash-chained acknowledgement log, bundle versions, pairing."""

import hashlib
import hmac
import json
import logging
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from companion.witness import Witness, WitnessError, load_or_create_key

log = logging.getLogger("netral.store")

GENESIS = "0" * 64
PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I/O/0/1: codes are read aloud and typed
PAIRING_TRIES = 5
# What the client decides about an acknowledgement; a retry must repeat exactly these.
ACK_FIELDS = (
    "ack_id", "check_id", "platform", "action", "outcome", "entity_ids",
    "bundle_id", "rules_version", "occurred_at", "justification",
)
LOG_COLUMNS = ("seq", "kind", *ACK_FIELDS, "pact_id", "name", "nip", "recorded_at")
# Columns added after rows existed: a row's hash covers them only when they are set, so every
# chain written before them still verifies. The elections an acknowledged match counted for.
LATER_COLUMNS = ("election_ids", "signals", "note")
JSON_LIST_COLUMNS = ("entity_ids", "election_ids", "signals")

migrations = Migrations("netral")


@migrations()
def m001_initial(db: Database) -> None:
    db["acknowledgements"].create(
        {column: str for column in LOG_COLUMNS} | {"seq": int, "rules_version": int, "hash": str},
        pk="seq",
    )
    db["acknowledgements"].create_index(["ack_id"], unique=True)
    db["acknowledgements"].create_index(["kind", "pact_id"])
    # The head anchors the chain's end, so deleting the newest rows is caught too.
    db["chain_head"].create({"id": int, "seq": int, "hash": str}, pk="id")
    db["chain_head"].insert({"id": 1, "seq": 0, "hash": GENESIS})
    for verb in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER acknowledgements_append_only_{verb.lower()} BEFORE {verb} "
            "ON acknowledgements BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END"
        )
    db["accepted_bundles"].create(
        {"bundle_id": str, "version": int, "sha256": str, "accepted_at": str}, pk="bundle_id"
    )
    db["pairing_codes"].create(
        {"code_hash": str, "expires_at": float, "failures": int}, pk="code_hash"
    )


@migrations()
def m002_election_ids(db: Database) -> None:
    db["acknowledgements"].add_column("election_ids", str)


@migrations()
def m003_keyed_chain(db: Database) -> None:
    """Rows from here on are chained with HMAC under the data dir's chain key; older rows keep
    their plain SHA-256 links (the first keyed row's link covers them)."""
    head_seq = db.execute("SELECT seq FROM chain_head").fetchone()[0]
    db["chain_meta"].create({"id": int, "keyed_from": int}, pk="id")
    db["chain_meta"].insert({"id": 1, "keyed_from": head_seq + 1})


@migrations()
def m004_disputes(db: Database) -> None:
    """A disputed match keeps the signals that fired and the user's short note (no post text)."""
    db["acknowledgements"].add_column("signals", str)
    db["acknowledgements"].add_column("note", str)


class AckConflict(Exception):
    """The ack_id was already recorded with different content."""


class StoreError(Exception):
    """The database cannot be used; the message names the file and says what to do."""


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _chained(prev_hash: str, row: dict) -> bytes:
    body = {column: row[column] for column in LOG_COLUMNS}
    body |= {column: row[column] for column in LATER_COLUMNS if row.get(column) is not None}
    return (prev_hash + canonical_json(body)).encode("utf-8")


def chain_hash(prev_hash: str, row: dict) -> str:
    """sha256(prev_hash + canonical JSON of the row without its hash): rows before the key."""
    return hashlib.sha256(_chained(prev_hash, row)).hexdigest()


def keyed_chain_hash(key: bytes, prev_hash: str, row: dict) -> str:
    """HMAC-SHA256 under the chain key of the same bytes: every row since m003."""
    return hmac.new(key, _chained(prev_hash, row), hashlib.sha256).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


class Store:
    """One SQLite file; every method is safe to call from FastAPI's threadpool."""

    def __init__(self, path: Path):
        # One connection behind one lock: SQLite serialises writers anyway, and the chain's
        # read-head-then-append must be atomic per process, so per-thread connections buy nothing.
        self._lock = threading.Lock()
        self.path = path
        try:
            self._db = Database(sqlite3.connect(path, check_same_thread=False, timeout=10))
            self._db.enable_wal()
            self._db.execute("PRAGMA synchronous=FULL")
            migrations.apply(self._db)
        except sqlite3.DatabaseError as error:
            if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
                raise
            raise StoreError(
                f"the database {path} is damaged ({error}); move it aside (keep it for review) "
                "and start the companion again: it makes a new log and reports the old one as lost"
            ) from None
        try:
            self._key = load_or_create_key(path.with_name("chain.key"))
        except (WitnessError, ValueError) as error:
            raise StoreError(f"{error}; restore chain.key from a backup, or move the data dir "
                             "aside to start a new log") from None
        self._witness = Witness(path.with_name(path.name + ".head"), self._key)
        self._keyed_from = self._db.execute("SELECT keyed_from FROM chain_meta").fetchone()[0]
        with self._lock:
            self._head = self._reconcile()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _write(self):
        """An IMMEDIATE transaction: the write lock up front, so a concurrent CLI cannot deadlock"""
        conn = self._db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _rows(self, sql: str, params=()) -> list[dict]:
        cursor = self._db.conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]

    def _append(self, fields: dict) -> dict:
        with self._write() as conn:
            head_seq, head_hash = conn.execute("SELECT seq, hash FROM chain_head").fetchone()
            row = dict.fromkeys((*LOG_COLUMNS, *LATER_COLUMNS)) | fields
            row |= {"seq": head_seq + 1, "recorded_at": _now()}
            row["hash"] = self._link(head_hash, row)
            columns = (*LOG_COLUMNS, *LATER_COLUMNS, "hash")
            conn.execute(
                f"INSERT INTO acknowledgements ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})",
                [row[column] for column in columns],
            )
            conn.execute("UPDATE chain_head SET seq = ?, hash = ?", (row["seq"], row["hash"]))
        self._witness_head(row["seq"], row["hash"])
        return row

    def _link(self, prev_hash: str, row: dict) -> str:
        if row["seq"] >= self._keyed_from:
            return keyed_chain_hash(self._key, prev_hash, row)
        return chain_hash(prev_hash, row)

    # --- the witness (companion/witness.py) -----------------------------------------------

    def _witness_head(self, seq: int, hash_: str, **changes) -> None:
        """Move the witness to the new head; a failed write costs only freshness (the next start
        finds it behind and catches up), never the row already committed."""
        self._head = self._head | {"seq": seq, "hash": hash_} | changes
        try:
            self._witness.write(self._head)
        except OSError as error:
            log.warning("could not update %s (%s); it catches up at the next start",
                        self._witness.path, error.strerror)

    def _reconcile(self) -> dict:
        """Compare the database with its witness at open; record what is missing, for good."""
        seq, hash_ = self._db.execute("SELECT seq, hash FROM chain_head").fetchone()
        bundles = {row[0]: [row[1], row[2]] for row in self._db.execute(
            "SELECT bundle_id, version, sha256 FROM accepted_bundles")}
        try:
            record, untrusted = self._witness.read(), None
        except WitnessError as error:
            record, untrusted = None, str(error)
        losses = list((record or {}).get("losses") or [])
        found = {"detected_at": _now(), "found_seq": seq}
        if untrusted:
            losses.append(found | {"kind": "witness_untrusted", "detail": untrusted})
        elif record is None and (seq or bundles):
            losses.append(found | {"kind": "witness_missing",
                                   "detail": f"{self._witness.path} was deleted"})
        elif record is not None:
            expected = record["seq"]
            if expected > seq:
                losses.append(found | {
                    "kind": "rolled_back", "expected_seq": expected, "lost": expected - seq,
                    "detail": f"the log held {expected} entries, the database now {seq}: an "
                              "older copy was put back, its WAL was lost, or it was emptied"})
            elif record.get("keyed_from") != self._keyed_from or record["hash"] != (
                self._hash_at(expected)
            ):
                losses.append(found | {
                    "kind": "rewritten", "expected_seq": expected,
                    "detail": f"entry {expected} is not the one the log held: the database was "
                              "rewritten or replaced"})
            for bundle_id, (version, sha256) in (record.get("bundles") or {}).items():
                if bundle_id not in bundles or bundles[bundle_id][0] < version:
                    bundles[bundle_id] = [version, sha256]
                    self._save_bundle(bundle_id, version, sha256)
        head = {"seq": seq, "hash": hash_, "keyed_from": self._keyed_from, "bundles": bundles,
                "losses": losses}
        for loss in losses[len((record or {}).get("losses") or []):]:
            log.warning("acknowledgement log: %s", loss["detail"])
        self._head = head
        try:
            self._witness.write(head)
        except OSError as error:
            log.warning("could not write %s (%s)", self._witness.path, error.strerror)
        return head

    def _hash_at(self, seq: int) -> str | None:
        if seq == 0:
            return GENESIS
        row = self._db.execute("SELECT hash FROM acknowledgements WHERE seq = ?", (seq,)).fetchone()
        return row[0] if row else None

    def losses(self) -> list[dict]:
        """Every loss of log entries found so far (oldest first), as the witness records them."""
        with self._lock:
            return list(self._head["losses"])

    def record_acknowledgement(self, ack: dict) -> tuple[dict, bool]:
        """Append once per ack_id: ({ack_id, seq, hash}, created); AckConflict on other content"""
        content = {field: ack.get(field) for field in (*ACK_FIELDS, *LATER_COLUMNS)}
        content["entity_ids"] = canonical_json(list(content["entity_ids"] or []))
        for column in ("election_ids", "signals"):
            if content[column] is not None:
                content[column] = canonical_json(list(content[column]))
        with self._lock:
            existing = self._rows(
                "SELECT * FROM acknowledgements WHERE ack_id = ?", (content["ack_id"],)
            )
            if existing:
                row = existing[0]
                if any(row[field] != content[field] for field in (*ACK_FIELDS, *LATER_COLUMNS)):
                    raise AckConflict(content["ack_id"])
                created = False
            else:
                row = self._append({"kind": "acknowledgement", **content})
                created = True
        return {"ack_id": row["ack_id"], "seq": row["seq"], "hash": row["hash"]}, created

    def record_pact_acceptance(self, pact_id: str, name: str | None, nip: str | None) -> dict:
        """Append the civil servant's acceptance of a pact to the same chain."""
        with self._lock:
            row = self._append({
                "kind": "pact_acceptance", "ack_id": secrets.token_hex(16),
                "pact_id": pact_id, "name": name, "nip": nip,
            })
        return {"pact_id": pact_id, "accepted_at": row["recorded_at"],
                "seq": row["seq"], "hash": row["hash"]}

    def list_acknowledgements(self, after_seq: int, limit: int) -> tuple[list[dict], int | None]:
        """One page of the log in seq order, and the after_seq of the next page (None at end)."""
        with self._lock:
            rows = self._rows(
                "SELECT * FROM acknowledgements WHERE seq > ? ORDER BY seq LIMIT ?",
                (after_seq, limit + 1),
            )
        more = len(rows) > limit
        items = [self._public(row) for row in rows[:limit]]
        return items, (items[-1]["seq"] if more else None)

    def all_acknowledgements(self) -> list[dict]:
        with self._lock:
            rows = self._rows("SELECT * FROM acknowledgements ORDER BY seq")
        return [self._public(row) for row in rows]

    @staticmethod
    def _public(row: dict) -> dict:
        return row | {column: json.loads(row[column]) if row[column] else []
                      for column in JSON_LIST_COLUMNS}

    def verify_chain(self) -> dict:
        """Recompute every hash: {"ok", "count", "first_bad_seq", "losses"}: where the chain first
        breaks, and what the witness knows is missing (ok only if neither)."""
        with self._lock:
            rows = self._rows("SELECT * FROM acknowledgements ORDER BY seq")
            head_seq, head_hash = self._db.conn.execute(
                "SELECT seq, hash FROM chain_head"
            ).fetchone()
        prev, first_bad = GENESIS, None
        for expected, row in enumerate(rows, start=1):
            if row["seq"] != expected or row["hash"] != self._link(prev, row):
                first_bad = expected
                break
            prev = row["hash"]
        else:
            if (head_seq, head_hash) != (len(rows), prev):
                first_bad = len(rows) + 1 if head_seq > len(rows) else max(head_seq, 1)
        losses = self.losses()
        return {"ok": first_bad is None and not losses, "count": len(rows),
                "first_bad_seq": first_bad, "losses": losses}

    def head(self) -> dict | None:
        """The newest row of the log as {seq, hash}, or None for an empty log: what a client that
        was answered a seq compares with its own record (status `acknowledgements.head`)."""
        with self._lock:
            row = self._db.conn.execute(
                "SELECT seq, hash FROM acknowledgements ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        return {"seq": row[0], "hash": row[1]} if row else None

    def count_acknowledgements(self) -> int:
        with self._lock:
            return self._db.conn.execute(
                "SELECT count(*) FROM acknowledgements WHERE kind = 'acknowledgement'"
            ).fetchone()[0]

    def pact_accepted_at(self, pact_id: str) -> str | None:
        with self._lock:
            row = self._db.conn.execute(
                "SELECT max(recorded_at) FROM acknowledgements "
                "WHERE kind = 'pact_acceptance' AND pact_id = ?",
                (pact_id,),
            ).fetchone()
        return row[0]

    def accepted_bundle(self, bundle_id: str) -> tuple[int, str] | None:
        """The highest (version, sha256) ever accepted for this bundle_id (database or witness,
        so an emptied database cannot reset rollback protection)."""
        with self._lock:
            row = self._db.conn.execute(
                "SELECT version, sha256 FROM accepted_bundles WHERE bundle_id = ?", (bundle_id,)
            ).fetchone()
            witnessed = self._head["bundles"].get(bundle_id)
        found = [tuple(x) for x in (row, witnessed) if x]
        return max(found) if found else None

    def record_accepted_bundle(self, bundle_id: str, version: int, sha256: str) -> None:
        with self._lock:
            row = self._db.conn.execute(
                "SELECT version FROM accepted_bundles WHERE bundle_id = ?", (bundle_id,)
            ).fetchone()
            if row is None or row[0] < version:  # a restart on the same bundle writes nothing
                self._save_bundle(bundle_id, version, sha256)
            known = self._head["bundles"].get(bundle_id)
            if known is None or known[0] < version:
                bundles = self._head["bundles"] | {bundle_id: [version, sha256]}
                self._witness_head(self._head["seq"], self._head["hash"], bundles=bundles)

    def _save_bundle(self, bundle_id: str, version: int, sha256: str) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO accepted_bundles (bundle_id, version, sha256, accepted_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (bundle_id) DO UPDATE SET "
                "version = excluded.version, sha256 = excluded.sha256, "
                "accepted_at = excluded.accepted_at WHERE excluded.version > version",
                (bundle_id, version, sha256, _now()),
            )

    def create_pairing_code(self, ttl_seconds: float = 600) -> str:
        """A fresh one-time code like `K7QM-3XTA`; it replaces any earlier code."""
        code = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(8))
        with self._lock, self._write() as conn:
            conn.execute("DELETE FROM pairing_codes")
            conn.execute(
                "INSERT INTO pairing_codes (code_hash, expires_at, failures) VALUES (?, ?, 0)",
                (_hash_code(code), time.time() + ttl_seconds),
            )
        return f"{code[:4]}-{code[4:]}"

    def pairing_code_pending(self) -> bool:
        with self._lock:
            row = self._db.conn.execute(
                "SELECT 1 FROM pairing_codes WHERE expires_at > ?", (time.time(),)
            ).fetchone()
        return row is not None

    def redeem_pairing_code(self, code: str) -> bool:
        """True (and the code is used up) for the right code; the fifth wrong try invalidates it."""
        typed = "".join(code.split()).replace("-", "").upper()
        with self._lock, self._write() as conn:
            row = conn.execute(
                "SELECT code_hash, failures FROM pairing_codes WHERE expires_at > ?",
                (time.time(),),
            ).fetchone()
            if row is None:
                return False
            code_hash, failures = row
            if hmac.compare_digest(_hash_code(typed), code_hash):
                conn.execute("DELETE FROM pairing_codes")
                return True
            if failures + 1 >= PAIRING_TRIES:
                conn.execute("DELETE FROM pairing_codes")
            else:
                conn.execute(
                    "UPDATE pairing_codes SET failures = failures + 1 WHERE code_hash = ?",
                    (code_hash,),
                )
            return False
