"""Acceptance of a signed rules bundle: size, trusted signatures, then parsing, schema, expiry.

Every acceptance step lives here; the compiled tables (`compiled.py`) are built from what this
module has accepted and know nothing of it, so the imports go one way only.
"""

import base64
import binascii
import contextlib
import functools
import gc
import hashlib
import itertools
import json
import multiprocessing
import re
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from companion.rules import child
from companion.rules.compiled import (
    Compiled,
    CompiledCache,
    Compiler,
    compile_payload,
    dumps,
    loads,
)
from companion.rules.keys import keyid_of
from companion.rules.selectors import selector_problem

FORMAT = "netral-rules/1"
MAX_BUNDLE_BYTES = 64 * 1024 * 1024
MAX_SIG_BYTES = 1024 * 1024
# A trusted keyid listed with many bad signatures must not cost one 64 MiB verification each.
MAX_TRIES_PER_KEY = 4
CHILD_THRESHOLD = 8 * 1024 * 1024  # bundles this large are parsed in a child process
# How much the child's address space may grow beyond its imports: the 258k-candidate bundle
# (56 MB) grows it by ~315 MB (275 MB resident at the peak).
CHILD_MEMORY = 768 * 1024 * 1024
SCHEMA: dict = json.loads(
    resources.files("shared_rules").joinpath("schema.json").read_text(encoding="utf-8")
)


class BundleRejected(Exception):
    """A bundle (or the trusted keys) is refused: `reason` is a code, `detail` one sentence."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class TrustedKey:
    keyid: str
    public_key: Ed25519PublicKey
    name: str
    expires_at: datetime | None

    def usable(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


@dataclass(frozen=True)
class TrustedKeys:
    threshold: int
    keys: dict[str, TrustedKey]


@dataclass(frozen=True)
class VerifiedBundle:
    """An accepted bundle as the companion keeps it: the payload's metadata and compiled tables.

    The raw bytes and the parsed entity list are not kept: a full-election bundle is ~60 MB of
    JSON, and `compiled` holds everything matching needs.
    """

    sha256: str
    data: dict  # the payload without `entities`
    bundle_id: str
    version: int
    issued_at: str
    expires_at: str
    signed_by: tuple[str, ...]  # names of the keys whose signatures counted
    compiled: Compiled

    @property
    def entity_count(self) -> int:
        return self.compiled.entity_count


def _timestamp(value: Any, what: str, reason: str) -> datetime:
    """An aware datetime from an RFC 3339 string, or BundleRejected(reason) naming `what`."""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise BundleRejected(reason, f"{what} {value!r} is not an RFC 3339 date-time.") from None
    if parsed.tzinfo is None:
        raise BundleRejected(reason, f"{what} {value!r} lacks a time zone (add Z for UTC).")
    return parsed


def load_trusted_keys(path: Path) -> TrustedKeys:
    """Read trusted_keys.json; BundleRejected("no_trusted_keys") if it cannot be used as a whole."""

    def unusable(why: str) -> BundleRejected:
        return BundleRejected("no_trusted_keys", f"The trusted keys file {path} {why}.")

    try:
        document = json.loads(Path(path).read_bytes())
    except OSError as error:
        raise unusable(f"cannot be read ({error.strerror})") from None
    except ValueError:
        raise unusable("is not valid JSON") from None
    entries = document.get("keys") if isinstance(document, dict) else None
    threshold = document.get("threshold", 1) if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise unusable('has no "keys" list')
    if type(threshold) is not int or threshold < 1:
        raise unusable('needs a "threshold" that is a whole number of at least 1')
    keys: dict[str, TrustedKey] = {}
    for number, entry in enumerate(entries, start=1):
        key = _trusted_key(entry)
        if key is None:
            raise unusable(
                f"has an unusable key entry #{number} (it needs keyid, public_key as the base64 "
                "of 32 raw bytes, name, and expires_at null or a date-time)"
            )
        if key.keyid != str(entry["keyid"]).lower():
            raise unusable(f"lists key {key.name!r} under a keyid that is not its SHA-256")
        keys[key.keyid] = key
    if threshold > len(keys):
        raise unusable(f"asks for {threshold} signatures but lists only {len(keys)} distinct keys")
    return TrustedKeys(threshold=threshold, keys=keys)


def _trusted_key(entry: Any) -> TrustedKey | None:
    if not isinstance(entry, dict):
        return None
    keyid, encoded, name = entry.get("keyid"), entry.get("public_key"), entry.get("name")
    if not (isinstance(keyid, str) and isinstance(encoded, str) and isinstance(name, str)):
        return None
    try:
        raw = base64.b64decode(encoded, validate=True)
        public_key = Ed25519PublicKey.from_public_bytes(raw)
        expires_at = entry.get("expires_at")
        if expires_at is not None:
            expires_at = _timestamp(expires_at, "expires_at", "no_trusted_keys")
    except (binascii.Error, ValueError, BundleRejected):
        return None
    return TrustedKey(keyid=keyid_of(raw), public_key=public_key, name=name, expires_at=expires_at)


def read_bundle_files(path: Path) -> tuple[bytes, bytes]:
    """The bytes of PATH and PATH.sig, refusing (by size, before reading) files over the caps."""
    path = Path(path)
    return (
        _read_capped(path, MAX_BUNDLE_BYTES, "bundle"),
        _read_capped(path.with_name(path.name + ".sig"), MAX_SIG_BYTES, "signature file"),
    )


def _read_capped(path: Path, cap: int, what: str) -> bytes:
    too_large = BundleRejected("too_large", f"The {what} {path} is larger than {cap} bytes.")
    try:
        if path.stat().st_size > cap:
            raise too_large
        with open(path, "rb") as handle:
            data = handle.read(cap + 1)  # the file may have grown since stat
    except OSError as error:
        hint = "; sign the bundle with `netral-companion sign`" if what != "bundle" else ""
        raise BundleRejected(
            "unreadable", f"Cannot read the {what} {path} ({error.strerror}){hint}."
        ) from None
    if len(data) > cap:
        raise too_large
    return data


def verify_bundle(
    raw: bytes,
    sig_raw: bytes,
    trusted: TrustedKeys,
    now: datetime,
    cache: CompiledCache | None = None,
) -> VerifiedBundle:
    """Acceptance steps 1-4 in the spec's order; the JSON is parsed only once signatures hold.

    With a cache, a bundle whose exact bytes passed step 3 before is not parsed again.
    """
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    if len(raw) > MAX_BUNDLE_BYTES:
        raise BundleRejected("too_large", f"The bundle is larger than {MAX_BUNDLE_BYTES} bytes.")
    if len(sig_raw) > MAX_SIG_BYTES:
        raise BundleRejected(
            "too_large", f"The signature file is larger than {MAX_SIG_BYTES} bytes."
        )
    sha256 = digest(raw)
    signers = _valid_signers(raw, sig_raw, trusted, now, sha256)
    if not signers:
        raise BundleRejected(
            "bad_signature", "No trusted, unexpired key has a valid signature on these exact bytes."
        )
    if len(signers) < trusted.threshold:
        raise BundleRejected(
            "below_threshold",
            f"Only {len(signers)} of the {trusted.threshold} required trusted keys signed it.",
        )
    compiled = cache.get(sha256) if cache else None
    if compiled is None:
        result = compile_verified(raw, sha256)
        if isinstance(result, tuple):
            raise BundleRejected(*result)
        compiled = loads(result)
        if cache:
            cache.put(sha256, result)
    data = compiled.meta
    expires_at = _timestamp(data["expires_at"], "expires_at", "malformed")
    _timestamp(data["issued_at"], "issued_at", "malformed")
    if expires_at <= now:
        raise BundleRejected(
            "expired", f"The bundle expired at {data['expires_at']}; ask the issuer for a new one."
        )
    return VerifiedBundle(
        sha256=sha256,
        data=data,
        bundle_id=data["bundle_id"],
        version=data["version"],
        issued_at=data["issued_at"],
        expires_at=data["expires_at"],
        signed_by=tuple(trusted.keys[keyid].name for keyid in signers),
        compiled=compiled,
    )


def _valid_signers(
    raw: bytes, sig_raw: bytes, trusted: TrustedKeys, now: datetime, sha256: str | None = None
) -> list[str]:
    """Distinct trusted, unexpired keyids with a valid signature; everything else is ignored.

    A signature prove() already found valid on bytes of this SHA-256 is not computed again;
    which keys are trusted and unexpired is decided here, every time."""
    try:
        document = json.loads(sig_raw)
    except (ValueError, RecursionError):
        raise BundleRejected("malformed", "The signature file is not valid JSON.") from None
    entries = document.get("signatures") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise BundleRejected("malformed", 'The signature file has no "signatures" list.')
    signers: list[str] = []
    tries: dict[str, int] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("keyid"), str):
            continue
        keyid = entry["keyid"].lower()
        key = trusted.keys.get(keyid)
        if key is None or keyid in signers or not key.usable(now):
            continue
        if tries.get(keyid, 0) >= MAX_TRIES_PER_KEY:
            continue
        tries[keyid] = tries.get(keyid, 0) + 1
        written = entry.get("sig")
        if isinstance(written, str) and (sha256, keyid, written) in _proven:
            signers.append(keyid)
            continue
        try:
            key.public_key.verify(base64.b64decode(entry.get("sig"), validate=True), raw)
        except (InvalidSignature, binascii.Error, ValueError, TypeError):
            continue
        signers.append(keyid)
    return signers


MAX_VERSION = 2**53 - 1  # the contract's range: exact in every JSON reader, and in SQLite


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    """object_pairs_hook: the signed bytes must mean one thing, so a repeated key is refused."""
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(f"the key {key[:80]!r} appears twice in one object")
            seen.add(key)
    return found


def parse_payload(raw: bytes) -> dict:
    """Step 3 on verified bytes: UTF-8 JSON, the netral-rules/1 format, and the schema."""
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant,
                          object_pairs_hook=_unique_keys)
    except _DuplicateKey as error:
        raise BundleRejected("malformed", f"The bundle is ambiguous: {error}.") from None
    except UnicodeDecodeError:
        raise BundleRejected("malformed", "The bundle is not UTF-8 text.") from None
    except ValueError as error:
        raise BundleRejected("malformed", f"The bundle is not valid JSON ({error}).") from None
    except RecursionError:
        raise BundleRejected("malformed", "The bundle's JSON is nested too deeply.") from None
    found = data.get("format") if isinstance(data, dict) else None
    if found != FORMAT:
        raise BundleRejected("malformed", f"The bundle's format is {found!r}, not {FORMAT!r}.")
    problem = schema_problem(data)
    if problem:
        raise BundleRejected("malformed", f"The bundle does not match the schema: {problem}.")
    if not 0 <= data["version"] <= MAX_VERSION:
        raise BundleRejected(
            "malformed", f"The bundle's version {data['version']} is outside 0 … 2^53 − 1."
        )
    _check_elections(data)
    problem = selector_problem(data.get("selectors"))
    if problem:
        raise BundleRejected("malformed", f"The bundle's selector hot-fix is broken: {problem}.")
    return data


def _check_elections(data: dict) -> None:
    """What the schema cannot say about elections and time: every timestamp real and zoned,
    election ids unique, stages of one election apart, entities naming defined elections."""
    known: set[str] = set()
    for election in data.get("elections") or ():
        eid = election["id"]
        if eid in known:
            raise BundleRejected("malformed", f"Election {eid!r} is defined twice.")
        known.add(eid)
        spans = []
        for stage in election.get("stages") or ():
            where = f"stage {stage['id']!r} of election {eid!r}"
            start = _timestamp(stage["from"], f"The from of {where}", "malformed")
            end = _timestamp(stage["until"], f"The until of {where}", "malformed")
            if start >= end:
                raise BundleRejected("malformed", f"The {where} ends before it starts.")
            spans.append((start, end, stage["id"]))
        spans.sort()
        for (_, end, first), (start, _, second) in itertools.pairwise(spans):
            if start < end:
                raise BundleRejected(
                    "malformed",
                    f"Stages {first!r} and {second!r} of election {eid!r} overlap; stages of one "
                    "election are half-open intervals [from, until) that must not overlap.",
                )
    seen: set[tuple] = set()
    for entity in data.get("entities") or ():
        # 258k candidates share a handful of windows: check each distinct one once.
        elections = entity.get("elections")
        window = (tuple(elections) if elections else (), entity.get("active_from"),
                  entity.get("active_until"))
        if window in seen:
            continue
        seen.add(window)
        for eid in window[0]:
            if eid not in known:
                raise BundleRejected(
                    "malformed",
                    f"Entity {entity['id']!r} names election {eid!r}, which the bundle does not "
                    "define in `elections`.",
                )
        bounds = [
            _timestamp(entity[field], f"The {field} of entity {entity['id']!r}", "malformed")
            for field in ("active_from", "active_until") if entity.get(field) is not None
        ]
        if len(bounds) == 2 and bounds[0] >= bounds[1]:
            raise BundleRejected(
                "malformed", f"Entity {entity['id']!r} has active_until before active_from."
            )


class _NotStreamable(Exception):
    """The streamed reading found something off: parse_payload, on the whole, says what."""


_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace, exactly
_NON_ASCII = re.compile(r"[\x80-\xff]")
BATCH = 8192  # entities checked and compiled at a time, where they are read one by one
CHUNK = 1024 * 1024  # bytes of entities decoded in one call, where boundaries allow
# The end of one entity and the start of the next: "}", whitespace, ",", whitespace, then "{".
_BOUNDARY = re.compile(r"\}[ \t\n\r]*,[ \t\n\r]*(?=\{)")


def _entity_checker() -> jsonschema_rs.Draft202012Validator:
    items = SCHEMA["properties"]["entities"]["items"]
    return jsonschema_rs.Draft202012Validator(
        {"$defs": SCHEMA["$defs"], "type": "array", "items": items}
    )


def _stream_compile(raw: bytes) -> Compiled:
    """Step 3 and the compile in one pass, never holding all entities as Python objects.

    The top-level object is read key by key with the json module's own scanner, and `entities`
    CHUNK bytes at a time where a cut decodes as a whole array, else element by element; each
    batch is schema-checked (the schema's `entities` is a plain array of
    independent items) and compiled, then dropped. Anything at all off raises _NotStreamable, and
    the caller lets parse_payload judge the whole bundle, so the reasons stay its reasons.

    The scanner reads the bytes as Latin-1 (one character per byte: a str of 1 byte per
    character, where one non-ASCII character anywhere would make a UTF-8 decode 2 per character,
    107 MB for the full-election bundle), so an index is a byte offset; JSON outside strings is
    ASCII, and a value holding any other byte is decoded again from its own bytes as UTF-8.
    """
    text = raw.decode("latin-1")
    decoder = json.JSONDecoder(parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    scan, space, foreign = decoder.scan_once, _SPACE.match, _NON_ASCII.search
    # Chunks are decoded into dicts directly (1.0 s for the 258k bundle's entities, 1.2 s through
    # the hook), and kept only when their counts show no key was written twice (_one_meaning).
    fast = json.JSONDecoder(parse_constant=_reject_constant).scan_once
    checker, compiler = _entity_checker(), Compiler()
    meta: dict = {}

    def value(i: int) -> tuple[Any, int]:
        found, end = scan(text, i)
        if foreign(text, i, end):
            utf8 = raw[i:end].decode("utf-8")  # UnicodeDecodeError is a ValueError
            found, stop = scan(utf8, 0)
            if stop != len(utf8):
                raise _NotStreamable
        return found, end

    def flush(batch: list) -> None:
        if not checker.is_valid(batch):
            raise _NotStreamable
        compiler.add(batch)

    try:
        i = space(text, 0).end()
        if text[i] != "{":
            raise _NotStreamable
        i = space(text, i + 1).end()
        while text[i] != "}":
            if text[i] != '"':
                raise _NotStreamable
            key, i = value(i)
            i = space(text, i).end()
            if text[i] != ":" or key in meta:
                raise _NotStreamable
            i = space(text, i + 1).end()
            if key == "entities" and text[i] == "[":
                meta[key] = []
                batch: list = []
                chunks = True
                i = space(text, i + 1).end()
                while text[i] != "]":
                    cut = _BOUNDARY.search(text, i + CHUNK) if chunks else None
                    if cut is not None:
                        # Many entities in one C call: a cut at a "},{" inside a string or a
                        # nested value cannot decode as a whole array, so it is never taken.
                        chunks = False
                        wrapped = f"[{raw[i : cut.start() + 1].decode('utf-8')}]"
                        with contextlib.suppress(ValueError, StopIteration, RecursionError):
                            found, stop = fast(wrapped, 0)
                            if stop == len(wrapped) and not _one_meaning(wrapped, found):
                                found, stop = scan(wrapped, 0)  # the hook finds the repeat
                            if stop == len(wrapped):
                                flush(batch)
                                batch = []
                                flush(found)
                                i, chunks = cut.end(), True
                                continue
                    entity, i = value(i)
                    batch.append(entity)
                    if len(batch) == BATCH:
                        flush(batch)
                        batch = []
                    i = space(text, i).end()
                    if text[i] == ",":
                        i = space(text, i + 1).end()
                        if text[i] == "]":
                            raise _NotStreamable
                    elif text[i] != "]":
                        raise _NotStreamable
                flush(batch)
                i += 1
            else:
                meta[key], i = value(i)
            i = space(text, i).end()
            if text[i] == ",":
                i = space(text, i + 1).end()
                if text[i] == "}":
                    raise _NotStreamable
            elif text[i] != "}":
                raise _NotStreamable
        if space(text, i + 1).end() != len(text):
            raise _NotStreamable
        text = ""  # 56 MB for the full-election bundle, not needed while the tables are built
    except (ValueError, IndexError, StopIteration, RecursionError):  # _DuplicateKey included
        raise _NotStreamable from None
    if meta.get("format") != FORMAT or not isinstance(meta.get("entities"), list):
        raise _NotStreamable
    if schema_problem(meta) or not 0 <= meta["version"] <= MAX_VERSION:
        raise _NotStreamable
    try:
        # 258k candidates share a handful of windows: each distinct one, with its first entity.
        windows = [
            {"id": first, "elections": list(elections), "active_from": start, "active_until": end}
            for (elections, start, end), first in compiler.windows()
        ]
        _check_elections({**meta, "entities": windows})
    except BundleRejected:
        raise _NotStreamable from None
    if selector_problem(meta.get("selectors")):
        raise _NotStreamable
    return compiler.finish(meta)


def _one_meaning(text: str, objects: list) -> bool:
    """Whether JSON text that decoded to this list of objects repeats no key within an object,
    judged from counts alone. When the only "{" are the objects' own, every ":" is one key of one
    of them or sits inside a string, so as many ":" as keys kept means none was dropped as a
    repeat; a "{" or ":" inside a string only makes the answer no, never a wrong yes."""
    return (
        set(map(type, objects)) <= {dict}
        and text.count("{") == len(objects)
        and text.count(":") == sum(map(len, objects))
    )


def compile_raw(raw: bytes) -> bytes | tuple[str, str]:
    """Step 3 (parse, format, schema, elections) and compilation of verified bytes, serialised.

    A rejection comes back as (reason, detail) rather than raised: it crosses a process boundary.
    """
    # A parse builds millions of objects and frees few of them until the end: the cyclic
    # collector would walk them again and again for nothing (a third of the time, measured).
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            return dumps(_stream_compile(raw))
        except _NotStreamable:
            return dumps(compile_payload(parse_payload(raw)))
    except BundleRejected as error:
        return (error.reason, error.detail)
    finally:
        if collecting:
            gc.enable()


def compile_verified(raw: bytes, sha256: str | None = None) -> bytes | tuple[str, str]:
    """compile_raw; in a child process for a large bundle, so its parse garbage dies with it.

    Called only once the signatures on `raw` hold. A child compile_early() started for the same
    bytes (by SHA-256) is taken over instead of starting another.
    """
    if len(raw) < CHILD_THRESHOLD:
        return compile_raw(raw)
    sha256 = sha256 or digest(raw)
    early = _early.pop(sha256, None)
    if early is not None:
        pool, future = early
        with pool:
            read, result = _outcome(future)
        if read in (sha256, None):  # None: the child failed, and the result says how
            return result
        # The file changed between the two reads: the child's tables are not of these bytes.
    with take_spare() or child_pool() as pool:
        return _outcome(pool.submit(_compile_given, raw, sha256))[1]


def _compile_given(raw: bytes, sha256: str) -> tuple[str, bytes | tuple[str, str]]:
    """In the child: compile_raw of bytes the parent has verified, answered as _compile_signed."""
    return sha256, compile_raw(raw)


def _outcome(future) -> tuple[str | None, bytes | tuple[str, str]]:
    """A child's (SHA-256 of the bytes it compiled, their tables or rejection), or (None, why it
    failed) when it did not finish."""
    try:
        return future.result()
    except MemoryError:
        return None, ("too_large", f"Compiling the bundle needs more than the "
                      f"{CHILD_MEMORY >> 20} MB the compile helper may use; the current rules "
                      "stay.")
    except BrokenProcessPool:
        return None, ("unreadable", "The compile helper ended before it finished (killed, or "
                      "out of memory); the current rules stay; restart the companion to try "
                      "again.")


# SHA-256 -> (pool, future) of child compiles started ahead of acceptance by compile_early.
_early: dict[str, tuple[ProcessPoolExecutor, Any]] = {}


def compile_early(
    raw: bytes, sig_raw: bytes, trusted_keys_path: Path, path: Path | None = None
) -> None:
    """Start the child compile of a large bundle now, so that it overlaps the companion's imports.

    With the `path` raw was read from, the child reads the file itself rather than receive 56 MB
    through a pipe (a third of a second of the parent's imports); the SHA-256 of what it read
    comes back with the tables, and other bytes than raw's are never used.

    The acceptance order still holds: the child parses only after it has checked the signatures
    itself, and nothing it returns is used until verify_bundle's own signature check has passed
    (verify_bundle -> compile_verified is its only reader).
    """
    if len(raw) < CHILD_THRESHOLD or len(raw) > MAX_BUNDLE_BYTES:
        return
    sha256 = digest(raw)
    if sha256 in _early:
        return
    started = _by_path.pop(_file_key(path, trusted_keys_path), None) if path else None
    if started is not None:
        # The entry point's compile of this file: its answer names the SHA-256 of what it read,
        # and compile_verified uses it only if that is raw's.
        _early[sha256] = started
        return
    pool = take_spare() or child_pool()
    now = datetime.now(UTC)
    source = raw if path is None else Path(path)
    _early[sha256] = (pool, pool.submit(_compile_signed, source, sig_raw, trusted_keys_path, now))


# (bundle file, trusted keys file) -> (pool, future) of a child compile the entry point started
# before `serve` read any bytes (companion.launch); compile_early takes it over for those bytes.
_by_path: dict[tuple[Path, Path], tuple[ProcessPoolExecutor, Any]] = {}


def _file_key(path: Path, trusted_keys_path: Path) -> tuple[Path, Path]:
    return Path(path).resolve(), Path(trusted_keys_path).resolve()


def compile_file_early(path: Path, trusted_keys_path: Path) -> None:
    """Start the child compile of a large bundle file before the command line's imports.

    The child reads the file and its .sig itself, checks the signatures against the trusted keys
    file and only then parses, as compile_early's child does. `serve` later reads the file, and
    compile_early takes this compile over; its tables are used only for bytes of the same
    SHA-256 (a file replaced in between is compiled again), and only after verify_bundle's own
    signature check. Half a second sooner than compile_early: the child's own imports end before
    `serve` has read the file.
    """
    key = _file_key(path, trusted_keys_path)
    if key in _by_path:
        return
    pool = take_spare() or child_pool()
    now = datetime.now(UTC)
    _by_path[key] = (pool, pool.submit(_compile_signed, Path(path), None, Path(trusted_keys_path),
                                       now))


# (SHA-256 of the bytes, keyid, signature as written) found valid by prove(): a fact about
# bytes and a public key only, whatever the trust or the time when it is used.
_proven: set[tuple[str, str, str]] = set()
# Threads doing startup work ahead of acceptance (read-ahead, signature checks): await_early joins.
_ahead: list[threading.Thread] = []


def prove(raw: bytes, sig_raw: bytes, trusted_keys_path: Path) -> None:
    """Check a startup bundle's signatures ahead of acceptance, which then reuses the results;
    anything wrong is left for acceptance to find and say (it checks again)."""
    try:
        keys = load_trusted_keys(trusted_keys_path).keys
        entries = json.loads(sig_raw)["signatures"]
        sha256 = digest(raw)
        for entry in entries[: MAX_TRIES_PER_KEY * len(keys)]:
            key = keys.get(str(entry["keyid"]).lower())
            if key is not None:
                key.public_key.verify(base64.b64decode(entry["sig"], validate=True), raw)
                _proven.add((sha256, key.keyid, entry["sig"]))
    except Exception:  # acceptance checks again and says why
        return


def run_early(job, *args, name: str = "netral-ahead") -> None:
    """Run job(*args) in a thread that await_early() joins: startup work (reading and hashing
    56 MB, the Ed25519 check) that releases the GIL and so overlaps the web stack's imports."""
    thread = threading.Thread(target=job, args=args, daemon=True, name=name)
    thread.start()
    _ahead.append(thread)


# A compile helper started before the command line's imports (companion.launch), for compile_early.
_spare: list[ProcessPoolExecutor] = []


def spawn_spare() -> None:
    """Start one compile helper now, ahead of knowing what it will compile (its interpreter and
    imports take a few hundred ms); compile_early takes it, discard_early lets an unused one go."""
    if not _spare:
        pool = child_pool()
        pool.submit(_ready)  # a pool starts its worker at the first task
        _spare.append(pool)


def _ready() -> None:
    """The task that makes a spare helper start."""


def take_spare() -> ProcessPoolExecutor | None:
    return _spare.pop() if _spare else None


def discard_early() -> None:
    """Let go of early compiles nobody took over (their bundle was rejected or cached), and of a
    spare helper nobody used."""
    while _spare:
        # Waited for in a thread of its own: a helper still starting up must finish its start before
        # it can be told to exit (shut down without waiting, it could stay behind, idle).
        spare = _spare.pop()
        threading.Thread(target=spare.shutdown, daemon=True, name="netral-spare-exit").start()
    while _early:
        pool, _ = _early.popitem()[1]
        pool.shutdown(wait=False, cancel_futures=True)
    while _by_path:
        # Started for a file acceptance then did not compile (its tables were cached after all):
        # the helper is ended, not left to finish a compile nobody reads.
        pool, _ = _by_path.popitem()[1]
        _end_helper(pool)
    _proven.clear()
    _digests.clear()


def _end_helper(pool: ProcessPoolExecutor) -> None:
    """End a helper now, even mid-compile: its process is terminated (the executor has no public
    way to; its future fails with BrokenProcessPool, and nobody reads it), the pool shut down."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


# id -> (bytes, their SHA-256) of the startup bundles read ahead: the same 56 MB object goes from
# the read-ahead to the signature thread, the child compile and acceptance, and is hashed once.
_digests: dict[int, tuple[bytes, str]] = {}
_digesting = threading.Lock()


def digest(raw: bytes, *, remember: bool = False) -> str:
    """The SHA-256 of raw; computed once per bytes object `remember`ed until discard_early
    (bytes are immutable, and the entry keeps the object alive, so its id is not reused)."""
    with _digesting:
        found = _digests.get(id(raw))
        if found is not None and found[0] is raw:
            return found[1]
        sha256 = hashlib.sha256(raw).hexdigest()
        if remember:
            _digests[id(raw)] = (raw, sha256)
        return sha256


def await_early() -> None:
    """Wait for the threads run_early started (a second ago, before the imports)."""
    while _ahead:
        _ahead.pop().join()


def _compile_signed(
    source: bytes | Path, sig_raw: bytes | None, trusted_keys_path: Path, now: datetime
) -> tuple[str, bytes | tuple[str, str]]:
    """In the child: steps 2 and 3 in order, so no unsigned bytes are ever parsed. The bytes are
    given, or read from a file (and without `sig_raw`, its .sig too); the answer is (their
    SHA-256, the tables or a rejection)."""
    try:
        if sig_raw is None:
            raw, sig_raw = read_bundle_files(Path(source))
        elif isinstance(source, bytes):
            raw = source
        else:
            raw = _read_capped(source, MAX_BUNDLE_BYTES, "bundle")
    except BundleRejected as error:
        return ("", (error.reason, error.detail))
    sha256 = hashlib.sha256(raw).hexdigest()
    try:
        trusted = load_trusted_keys(trusted_keys_path)
        signers = _valid_signers(raw, sig_raw, trusted, now)
    except BundleRejected as error:
        return (sha256, (error.reason, error.detail))
    if not signers or len(signers) < trusted.threshold:
        return (sha256, ("bad_signature", "No trusted, unexpired key has a valid signature."))
    return (sha256, compile_raw(raw))


def child_pool() -> ProcessPoolExecutor:
    """One spawned worker (no fork: the companion runs threads) that dies with its parent and
    may grow by at most CHILD_MEMORY."""
    spawn = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=1, mp_context=spawn, initializer=child.setup,
                               initargs=(CHILD_MEMORY,))


def schema_problem(data: Any) -> str | None:
    """Where and how `data` breaks SCHEMA ("at entities/3/kind: ..."), or None if it is valid."""
    validator = _validator()
    if validator.is_valid(data):
        return None
    error = next(iter(validator.iter_errors(data)))
    where = "/".join(map(str, error.instance_path)) or "the top level"
    return f"at {where}: {error.message[:200]}"


@functools.cache
def _validator() -> jsonschema_rs.Draft202012Validator:
    """jsonschema-rs: it checks a 258k-entity bundle in ~0.1 s, where pure-Python takes ~20 s."""
    return jsonschema_rs.Draft202012Validator(SCHEMA)


def check_rollback(previous: tuple[int, str] | None, bundle: VerifiedBundle) -> None:
    """Step 5 given the highest (version, sha256) accepted before for this bundle_id, if any."""
    if previous is None:
        return
    version, sha256 = previous
    if bundle.version > version or (bundle.version == version and bundle.sha256 == sha256):
        return
    if bundle.version == version:
        detail = f"Version {version} of {bundle.bundle_id} was accepted before with other content."
    else:
        detail = (
            f"Version {bundle.version} of {bundle.bundle_id} is older than version {version}, "
            "already accepted."
        )
    raise BundleRejected("rollback", detail)
