"""A bundle's matching tables in compact form: built once per accepted bundle, cached on disk.

A full-election bundle (258k candidates, ~60 MB of JSON) parses into millions of Python objects
whose memory the interpreter never hands back, so the companion keeps only these flat arrays and
byte blobs (acceptance, in `bundle.py`, builds them in a short-lived child process for a large
bundle). The serialised form is plain JSON plus raw arrays (never pickle), cached per bundle
SHA-256 so that a restart skips the parse. This module is pure: it knows nothing of signatures or
acceptance, and imports nothing of them.
"""

from __future__ import annotations

import json
import os
import re
import struct
import sys
from array import array
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate, chain
from pathlib import Path
from typing import Any, ClassVar

# The note's name is the reader's (the entry point, which imports nothing heavy to read it).
from companion.launch import HINT as STARTUP_NOTE
from companion.rules.normalize import hashtag_key, normalize

ACTIONS = ("like", "comment", "share", "post", "follow")
VERDICTS = ("allow", "warn", "block")  # index = severity
KINDS = ("candidate_pair", "candidate", "party", "campaign")
UNSET = -1  # an action an entity's (or a stage's) own policy does not name

_MAGIC = b"NETRALC3"  # 3: patterns in order of first use, not sorted
_ARRAYS = (
    "name_offsets", "name_entities", "weak_offsets", "weak_entities", "context",
    "id_offsets", "label_offsets", "entity_levels", "entity_refs", "entity_activity",
)
_BLOBS = ("phrases", "ids", "labels", "kinds")


@dataclass(eq=False)
class Compiled:
    """Everything the matcher needs, in a few large objects rather than millions of small ones.

    Patterns are the normalised phrases (names, weak names, context words), one automaton key each;
    pattern p's name entities are name_entities[name_offsets[p]:name_offsets[p + 1]], likewise weak.
    """

    meta: dict  # the bundle payload without `entities`
    entity_count: int
    phrases: bytes  # normalised phrases joined by "\n" (N never produces one)
    spellings: dict[int, str]  # pattern -> the bundle's spelling, where it differs from the phrase
    entity_spellings: dict[str, str]  # "pattern,entity" -> that entity's spelling, where it differs
    name_offsets: array
    name_entities: array
    weak_offsets: array
    weak_entities: array
    context: array  # sorted patterns that are context words
    hashtags: dict[str, list]  # hashtag key -> [spelling, [entity, …], {entity: other spelling}]
    accounts: dict[str, dict[str, list]]  # platform -> handle -> as hashtags
    ids: bytes
    id_offsets: array
    labels: bytes  # entity display names
    label_offsets: array
    kinds: bytes  # index into KINDS, one byte per entity
    level_sets: list[list[int]]  # distinct severity-per-action tuples of own policies (UNSET: none)
    entity_levels: array  # entity -> index into level_sets
    ref_sets: list[list[int]]  # distinct legal_ref index lists
    entity_refs: array  # entity -> index into ref_sets
    # When entities count: distinct [election indices, active_from, active_until] (POSIX seconds
    # or None); class 0 is [[], None, None], "always", for every entity without elections or window.
    activity: list[list]
    entity_activity: array  # entity -> index into activity

    def phrase_list(self) -> list[str]:
        return self.phrases.decode("utf-8").split("\n") if self.phrases else []

    def entity(self, e: int) -> tuple[str, str, str]:
        """(id, display name, kind) of entity e, decoded on demand."""
        return (
            self.ids[self.id_offsets[e] : self.id_offsets[e + 1]].decode("utf-8"),
            self.labels[self.label_offsets[e] : self.label_offsets[e + 1]].decode("utf-8"),
            KINDS[self.kinds[e]],
        )


def handle_key(raw: str) -> str:
    """How handles compare (rule 3): without `@`, casefolded, otherwise exact."""
    return raw.strip().lstrip("@").casefold()


class _Postings:
    """Key -> the entities listing it, each once, in order, with their spellings.

    Light for the common case, a key one entity spells as it is: the full-election bundle has 211k
    weak-name keys for 258k candidates, so an entry is the entity itself (an int) until a second
    one lists it, and a spelling is kept only where it differs.
    """

    def __init__(self) -> None:
        self.keys: dict[str, int | list[int]] = {}
        self.first: dict[str, str] = {}  # key -> its first spelling, where that is not the key
        self.others: dict[str, dict[str, str]] = {}  # key -> {entity: its spelling, if not first}

    def add(self, key: str, entity: int, spelling: str) -> None:
        if not key:
            return
        found = self.keys.get(key)
        if found is None:
            self.keys[key] = entity
            if spelling != key:
                self.first[key] = spelling
            return
        if type(found) is int:
            if found == entity:
                return
            self.keys[key] = [found, entity]
        elif found[-1] == entity:
            return
        else:
            found.append(entity)
        if spelling != self.first.get(key, key):
            self.others.setdefault(key, {})[str(entity)] = spelling  # str: tables travel as JSON

    def add_column(self, column: list, key_of) -> None:
        """add() for every (entity, spellings) of a column, in entity order."""
        keys, add = self.keys, self.add
        for entity, spellings in column:
            for spelling in spellings:
                key = key_of(spelling)
                if key and key == spelling and key not in keys:  # most: add(), inlined
                    keys[key] = entity
                else:
                    add(key, entity, spelling)

    def entities(self, key: str) -> list[int]:
        found = self.keys.get(key, ())
        return [found] if type(found) is int else list(found)

    def entries(self) -> dict[str, list]:
        """Key -> [first spelling, entities, {entity: other spelling}], as the tables keep
        hashtags and handles (a few hundred)."""
        return {key: [self.first.get(key, key), self.entities(key), self.others.get(key, {})]
                for key in self.keys}


def levels_of(policy: dict | None) -> tuple[int, ...]:
    """A policy as one severity per action, UNSET where it names none."""
    policy = policy or {}
    return tuple(VERDICTS.index(policy[a]) if policy.get(a) else UNSET for a in ACTIONS)


def instant(value: str | None) -> float | None:
    """POSIX seconds of an RFC 3339 timestamp with an offset (acceptance checked it has one)."""
    return None if value is None else datetime.fromisoformat(value).timestamp()


def _election(index: dict[str, int], entity_id: str, election_id: str) -> int:
    if election_id not in index:  # acceptance refuses such a bundle before it gets here
        raise ValueError(f"entity {entity_id} names election {election_id!r}, not defined")
    return index[election_id]


# A phrase of lowercase ASCII words of two letters or more is its own normal form: nothing for N
# to fold, read or join. Most of the 258k candidates' weak names are such phrases.
_PLAIN = re.compile(r"[a-z]{2,}(?: [a-z]{2,})*")
_KIND_INDEX = {kind: i for i, kind in enumerate(KINDS)}


class _Classes:
    """Per entity, the index of its raw value among the distinct ones, in order of first use;
    the raw values are turned into table rows only at the end, once the payload's other fields
    (legal refs, elections) are known."""

    def __init__(self) -> None:
        self.first: dict = {}  # raw value -> [its index, the id of the first entity using it]
        self.of = array("I")

    def rows(self, key_of, table: dict) -> array:
        """Entity -> index in `table` of key_of(raw value, first entity id), filled in order of
        first use, as one pass over the entities would."""
        remap = [table.setdefault(key_of(raw, first[1]), len(table))
                 for raw, first in self.first.items()]
        if remap == list(range(len(remap))):
            return self.of
        return array("I", map(remap.__getitem__, self.of))


class Compiler:
    """Compiles a payload's entities batch by batch, so a caller streaming a large bundle never
    holds all of them as Python objects; finish() takes the payload's other fields."""

    def __init__(self) -> None:
        self.count = 0
        self._ids, self._labels, self._kinds = bytearray(), bytearray(), bytearray()
        self._id_offsets, self._label_offsets = array("I", [0]), array("I", [0])
        self._levels, self._refs, self._windows = _Classes(), _Classes(), _Classes()
        self._names, self._weak, self._hashtags = _Postings(), _Postings(), _Postings()
        self._accounts: dict[str, _Postings] = {}
        self._normalized: dict[str, str] = {}  # many candidates share a spelling: normalise once

    def norm(self, text: str) -> str:
        if _PLAIN.fullmatch(text):
            return text
        found = self._normalized.get(text)
        if found is None:
            found = self._normalized[text] = normalize(text)
        return found

    def add(self, entities: list) -> None:
        """Entities of a verified, schema-valid payload, in bundle order."""
        ids, labels, kinds = self._ids, self._labels, self._kinds
        id_end, label_end = self._id_offsets.append, self._label_offsets.append
        classes = [(c.first, c.of.append) for c in (self._levels, self._refs, self._windows)]
        (levels, level_of), (refs, ref_of), (windows, window_of) = classes
        names, weak, hashtags = [], [], []
        kind_index, actions = _KIND_INDEX, ACTIONS
        e = self.count
        for entity in entities:
            get = entity.get
            entity_id = entity["id"]
            ids += entity_id.encode("utf-8")
            id_end(len(ids))
            labels += entity["name"].encode("utf-8")
            label_end(len(labels))
            kinds.append(kind_index[entity["kind"]])
            # Each of the three lookups below is _Classes.add, inlined: this loop runs 258k times.
            policy = get("policy")
            raw = tuple(map(policy.get, actions)) if policy else None
            if (found := levels.get(raw)) is None:
                found = levels[raw] = [len(levels), entity_id]
            level_of(found[0])
            raw = get("legal_refs")
            raw = tuple(raw) if raw else ()
            if (found := refs.get(raw)) is None:
                found = refs[raw] = [len(refs), entity_id]
            ref_of(found[0])
            raw = get("elections")
            raw = (tuple(raw) if raw else (), get("active_from"), get("active_until"))
            if (found := windows.get(raw)) is None:
                found = windows[raw] = [len(windows), entity_id]
            window_of(found[0])
            if found := get("names"):
                names.append((e, found))
            if found := get("weak_names"):
                weak.append((e, found))
            if found := get("hashtags"):
                hashtags.append((e, found))
            if found := get("accounts"):
                for platform, handles in found.items():
                    postings = self._accounts.get(platform)
                    if postings is None:
                        postings = self._accounts[platform] = _Postings()
                    for handle in handles:
                        postings.add(handle_key(handle), e, handle)
            e += 1
        self.count = e
        self._names.add_column(names, self.norm)
        self._weak.add_column(weak, self.norm)
        self._hashtags.add_column(hashtags, hashtag_key)

    def windows(self) -> list[tuple[tuple, str]]:
        """Each distinct (elections, active_from, active_until) so far, with its first entity's id,
        in order of first use."""
        return [(window, first[1]) for window, first in self._windows.first.items()]

    def finish(self, meta: dict) -> Compiled:
        """The tables, given the payload without `entities`."""
        norm = self.norm
        legal_refs = meta.get("legal_refs") or []
        ref_index = {ref["id"]: i for i, ref in reversed(list(enumerate(legal_refs)))}
        # An entity citing nothing (a legislative candidate, say) falls under the bundle's defaults.
        defaults = tuple(
            sorted({ref_index[r] for r in meta.get("default_legal_refs") or () if r in ref_index})
            or range(len(legal_refs))
        )
        elections = meta.get("elections") or ()
        election_index = {election["id"]: i for i, election in enumerate(elections)}

        level_sets: dict[tuple[int, ...], int] = {}
        entity_levels = self._levels.rows(
            lambda own, _: levels_of(dict(zip(ACTIONS, own, strict=True)) if own else None),
            level_sets,
        )
        ref_sets: dict[tuple[int, ...], int] = {}
        entity_refs = self._refs.rows(
            lambda cited, _: tuple(sorted({ref_index[r] for r in cited if r in ref_index}))
            or defaults,
            ref_sets,
        )

        def when(window: tuple, entity_id: str) -> tuple:
            elections = {_election(election_index, entity_id, x) for x in window[0]}
            return tuple(sorted(elections)), instant(window[1]), instant(window[2])

        activity: dict[tuple, int] = {((), None, None): 0}
        entity_activity = self._windows.rows(when, activity)

        names, weak = self._names, self._weak
        words = meta.get("context_words") or ()
        context = {norm(w): w for w in reversed(words) if norm(w)}  # the first spelling of each
        # Patterns in order of first use (names, then weak names, then context words): as
        # deterministic as a sorted order, without comparing 211k strings.
        phrases = list(names.keys)
        phrases += [key for key in weak.keys if key not in names.keys]
        phrases += [key for key in dict.fromkeys(map(norm, words))
                    if key and key not in names.keys and key not in weak.keys]
        index = {phrase: p for p, phrase in enumerate(phrases)}
        name_offsets, name_entities = _table(names, phrases)
        weak_offsets, weak_entities = _table(weak, phrases)

        def spelling_of(phrase: str) -> str:
            if phrase in names.keys:
                return names.first.get(phrase, phrase)
            if phrase in weak.keys:
                return weak.first.get(phrase, phrase)
            return context[phrase]

        # Only phrases spelled otherwise somewhere are looked at one by one: a few thousand.
        spellings: dict[int, str] = {}
        for phrase in [*names.first, *weak.first, *context]:
            spelling = spelling_of(phrase)
            if spelling != phrase:
                spellings[index[phrase]] = spelling
        entity_spellings: dict[str, str] = {}
        respelled = {*names.others, *weak.others}
        respelled.update(key for key in names.keys.keys() & weak.keys.keys()
                         if weak.first.get(key, key) != names.first.get(key, key))
        for p in sorted(index[phrase] for phrase in respelled):
            phrase, spelling = phrases[p], spelling_of(phrases[p])
            for postings in (names, weak):
                for e, own in postings.others.get(phrase, {}).items():
                    entity_spellings[f"{p},{e}"] = own
                first = postings.first.get(phrase, phrase)
                if phrase in postings.keys and first != spelling:
                    for e in postings.entities(phrase):
                        entity_spellings.setdefault(f"{p},{e}", first)
        context_patterns = array("I", sorted(index[phrase] for phrase in context))

        return Compiled(
            meta={k: v for k, v in meta.items() if k != "entities"},
            entity_count=self.count,
            phrases="\n".join(phrases).encode("utf-8"),
            spellings=spellings,
            entity_spellings=entity_spellings,
            name_offsets=name_offsets,
            name_entities=name_entities,
            weak_offsets=weak_offsets,
            weak_entities=weak_entities,
            context=context_patterns,
            hashtags=self._hashtags.entries(),
            accounts={platform: p.entries() for platform, p in self._accounts.items()},
            ids=bytes(self._ids),
            id_offsets=self._id_offsets,
            labels=bytes(self._labels),
            label_offsets=self._label_offsets,
            kinds=bytes(self._kinds),
            level_sets=[list(levels) for levels in level_sets],
            entity_levels=entity_levels,
            ref_sets=[list(refs) for refs in ref_sets],
            entity_refs=entity_refs,
            activity=[[list(elections), start, end] for elections, start, end in activity],
            entity_activity=entity_activity,
        )


def _table(postings: _Postings, phrases: list[str]) -> tuple[array, array]:
    """(offsets, entities): phrase p's entities in `postings` are entities[offsets[p]:offsets[p+1]];
    in C loops but for one short expression per phrase."""
    found = list(map(postings.keys.get, phrases))
    lengths = [1 if type(x) is int else len(x) if x else 0 for x in found]
    listed = chain.from_iterable((x,) if type(x) is int else x for x in found if x is not None)
    return array("I", accumulate(lengths, initial=0)), array("I", listed)


def compile_payload(bundle: dict) -> Compiled:
    """Compile a verified, schema-valid bundle payload (all in memory) into its matching tables."""
    compiler = Compiler()
    compiler.add(bundle.get("entities") or [])
    return compiler.finish(bundle)


def dumps(compiled: Compiled) -> bytes:
    """Serialise: magic, header length, JSON header, then the arrays and blobs back to back."""
    parts = [getattr(compiled, name) for name in (*_ARRAYS, *_BLOBS)]
    header = {
        "byteorder": sys.byteorder,
        "meta": compiled.meta,
        "entity_count": compiled.entity_count,
        "spellings": compiled.spellings,
        "entity_spellings": compiled.entity_spellings,
        "hashtags": compiled.hashtags,
        "accounts": compiled.accounts,
        "level_sets": compiled.level_sets,
        "ref_sets": compiled.ref_sets,
        "activity": compiled.activity,
        "sizes": [len(part) * getattr(part, "itemsize", 1) for part in parts],
        "typecodes": [getattr(compiled, name).typecode for name in _ARRAYS],
    }
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # join reads the arrays' buffers directly: no second copy of a 38 MB table set.
    return b"".join([_MAGIC, struct.pack("<Q", len(head)), head, *parts])


def loads(data: bytes) -> Compiled:
    """The inverse of dumps; ValueError for anything but a complete, intact serialisation."""
    if data[: len(_MAGIC)] != _MAGIC:
        raise ValueError("not a compiled rules file")
    (head_len,) = struct.unpack_from("<Q", data, len(_MAGIC))
    start = len(_MAGIC) + 8
    header = json.loads(data[start : start + head_len])
    if header["byteorder"] != sys.byteorder:
        raise ValueError("compiled on a machine of the other byte order")
    position = start + head_len
    sizes = header["sizes"]
    if position + sum(sizes) != len(data):
        raise ValueError("truncated compiled rules file")
    fields: dict[str, Any] = {}
    for name, size in zip((*_ARRAYS, *_BLOBS), sizes, strict=True):
        chunk = data[position : position + size]
        position += size
        if name in _BLOBS:
            fields[name] = chunk
        else:
            fields[name] = array(header["typecodes"][_ARRAYS.index(name)])
            fields[name].frombytes(chunk)
    return Compiled(
        meta=header["meta"],
        entity_count=header["entity_count"],
        spellings={int(p): s for p, s in header["spellings"].items()},
        entity_spellings=header["entity_spellings"],
        hashtags=header["hashtags"],
        accounts=header["accounts"],
        level_sets=header["level_sets"],
        ref_sets=header["ref_sets"],
        activity=header["activity"],
        **fields,
    )


class CompiledCache:
    """DATA_DIR/cache/<sha256>.compiled: written only after that exact bundle passed step 3.

    It sits in the per-user data dir beside the token and the database: whoever can write it can
    already write those. An unreadable or damaged file is ignored and rebuilt.
    """

    KEEP = 4  # compiled files kept; older ones are removed when a new one is written
    # Files decoded ahead by load_ahead() and not yet taken by get(): path -> tables.
    _ahead: ClassVar[dict[Path, Compiled]] = {}

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, sha256: str) -> Path:
        return self.directory / f"{sha256}.compiled"

    def has(self, sha256: str) -> bool:
        """Whether a compiled file of this format is there (one written by an older version is
        not, so the first start after an upgrade still compiles ahead, during the imports)."""
        try:
            with open(self._path(sha256), "rb") as handle:
                return handle.read(len(_MAGIC)) == _MAGIC
        except OSError:
            return False

    def get(self, sha256: str) -> Compiled | None:
        found = CompiledCache._ahead.pop(self._path(sha256), None)
        return found if found is not None else self._load(sha256)

    def load_ahead(self, sha256: str) -> bool:
        """Read and decode the file now, in a startup thread (reading 38 MB releases the GIL),
        for get() to take; False when there is no usable file."""
        found = self._load(sha256)
        if found is not None:
            CompiledCache._ahead[self._path(sha256)] = found
        return found is not None

    @classmethod
    def discard_ahead(cls) -> None:
        """Let go of files decoded ahead that no acceptance took (their bundle was refused)."""
        cls._ahead.clear()

    def remember_startup(self, compiled: dict[Path, str]) -> None:
        """Note which files the startup bundles were (path -> the SHA-256 of the bytes compiled):
        companion.launch reads it to guess, before any import, whether the next start compiles.
        Best effort, like put()."""
        entries = {}
        for path, sha256 in compiled.items():
            try:
                stat = path.stat()
            except OSError:
                continue
            if self._path(sha256).is_file():
                entries[str(path.resolve())] = [stat.st_size, stat.st_mtime_ns, sha256]
        target = self.directory / STARTUP_NOTE
        try:
            if target.is_file() and json.loads(target.read_text(encoding="utf-8")) == entries:
                return  # nothing new: no write at every start
        except (OSError, ValueError):
            pass
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial = self.directory / f".{STARTUP_NOTE}.partial"
            partial.write_text(json.dumps(entries), encoding="utf-8")
            os.replace(partial, target)
        except OSError:
            return

    def _load(self, sha256: str) -> Compiled | None:
        try:
            return loads(self._path(sha256).read_bytes())
        except (OSError, ValueError, KeyError, TypeError, struct.error):
            return None

    def put(self, sha256: str, data: bytes) -> None:
        """Best effort: a full disk or read-only dir only costs the next start its speed."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial = self.directory / f".{sha256}.partial"
            partial.write_bytes(data)
            os.replace(partial, self._path(sha256))
            self._prune(keep=self._path(sha256))
        except OSError:
            return

    def _prune(self, keep: Path) -> None:
        """Keep the newest KEEP files, the one just written among them."""
        others = [p for p in self.directory.glob("*.compiled") if p != keep]
        others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in others[self.KEEP - 1 :]:
            old.unlink(missing_ok=True)
