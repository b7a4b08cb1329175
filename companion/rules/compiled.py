"""A bundle's matching tables in compact form: built once per accepted bundle, cached on disk.

A full-election bundle (258k candidates, ~60 MB of JSON) parses into millions of Python objects
whose memory the interpreter never hands back, so the companion keeps only these flat arrays and
byte blobs (acceptance, in `bundle.py`, builds them in a short-lived child process for a large
bundle). The serialised form is plain JSON plus raw arrays (never pickle), cached per bundle
SHA-256 so that a restart skips the parse. This module is pure: it knows nothing of signatures or
acceptance, and imports nothing of them.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import struct
import sys
from array import array
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from companion.rules.normalize import hashtag_key, normalize

ACTIONS = ("like", "comment", "share", "post", "follow")
VERDICTS = ("allow", "warn", "block")  # index = severity
KINDS = ("candidate_pair", "candidate", "party", "campaign")
UNSET = -1  # an action an entity's (or a stage's) own policy does not name

_MAGIC = b"NETRALC2"  # 2: own policies apart, activity classes (elections and time)
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
    """Key -> [first spelling, entities listing it (each once), {entity: its other spelling}]."""

    def __init__(self) -> None:
        self.keys: dict[str, list] = {}

    def add(self, key: str, entity: int, spelling: str) -> None:
        if key:
            entry = self.keys.setdefault(key, [spelling, [], {}])
            if not entry[1] or entry[1][-1] != entity:
                entry[1].append(entity)
                if spelling != entry[0]:
                    entry[2][str(entity)] = spelling  # str: the tables travel as JSON

    def add_column(self, column: list, key_of) -> None:
        """add() for every (entity, spellings) of a column, in entity order."""
        keys = self.keys
        for entity, spellings in column:
            for spelling in spellings:
                key = key_of(spelling)
                if not key:
                    continue
                entry = keys.get(key)
                if entry is None:
                    keys[key] = [spelling, [entity], {}]
                elif entry[1][-1] != entity:
                    entry[1].append(entity)
                    if spelling != entry[0]:
                        entry[2][str(entity)] = spelling


def levels_of(policy: dict | None) -> tuple[int, ...]:
    """A policy as one severity per action, UNSET where it names none."""
    policy = policy or {}
    return tuple(VERDICTS.index(policy[a]) if policy.get(a) else UNSET for a in ACTIONS)


def instant(value: str | None) -> float | None:
    """POSIX seconds of an RFC 3339 timestamp with an offset (acceptance checked it has one)."""
    return None if value is None else datetime.fromisoformat(value).timestamp()


def _election(index: dict[str, int], entity: dict, election_id: str) -> int:
    if election_id not in index:  # acceptance refuses such a bundle before it gets here
        raise ValueError(f"entity {entity['id']} names election {election_id!r}, not defined")
    return index[election_id]


# A phrase of lowercase ASCII words of two letters or more is its own normal form: nothing for N
# to fold, read or join. Most of the 258k candidates' weak names are such phrases.
_PLAIN = re.compile(r"[a-z]{2,}(?: [a-z]{2,})*")
_KIND_INDEX = {kind: i for i, kind in enumerate(KINDS)}


def _blob(texts: list[str]) -> tuple[bytes, array]:
    """UTF-8 texts back to back, and the offsets of their boundaries."""
    parts = [text.encode("utf-8") for text in texts]
    return b"".join(parts), array("I", itertools.accumulate(map(len, parts), initial=0))


def _classes(column: list, key_of, table: dict) -> array:
    """Per entity, the index in `table` of key_of(value); computed once per distinct value.

    `column` holds hashable raw values; `table` maps a computed key to its index, filled in
    entity order of first use, as one pass over the entities would."""
    memo = dict.fromkeys(column)  # distinct values, in order of first use
    for value in memo:
        memo[value] = table.setdefault(key_of(value), len(table))
    return array("I", map(memo.__getitem__, column))


def _postings_arrays(entries: list) -> tuple[array, array]:
    """Offsets and entities of one posting kind, pattern by pattern (None: no entity)."""
    offsets = array("I", itertools.accumulate(
        (len(entry[1]) if entry else 0 for entry in entries), initial=0))
    listed = array("I", itertools.chain.from_iterable(entry[1] for entry in entries if entry))
    return offsets, listed


def compile_payload(bundle: dict) -> Compiled:
    """Compile a verified, schema-valid bundle payload into its matching tables.

    Column by column rather than entity by entity: each table is one pass over one field, and
    the few distinct policies, reference lists and activity windows are computed once each.
    """
    normalized: dict[str, str] = {}  # many candidates share a spelling: normalise each once

    def norm(text: str) -> str:
        if _PLAIN.fullmatch(text):
            return text
        found = normalized.get(text)
        if found is None:
            found = normalized[text] = normalize(text)
        return found

    legal_refs = bundle.get("legal_refs") or []
    ref_index = {ref["id"]: i for i, ref in reversed(list(enumerate(legal_refs)))}
    # An entity citing nothing (a legislative candidate, say) falls under the bundle's defaults.
    defaults = tuple(
        sorted({ref_index[r] for r in bundle.get("default_legal_refs") or () if r in ref_index})
        or range(len(legal_refs))
    )
    election_index = {election["id"]: i for i, election in enumerate(bundle.get("elections") or ())}
    entities = bundle.get("entities") or []

    ids, id_offsets = _blob([entity["id"] for entity in entities])
    labels, label_offsets = _blob([entity["name"] for entity in entities])
    kinds = bytes([_KIND_INDEX[entity["kind"]] for entity in entities])

    policies = [entity.get("policy") for entity in entities]
    level_sets: dict[tuple[int, ...], int] = {}
    entity_levels = _classes(
        [tuple(map(policy.get, ACTIONS)) if policy else None for policy in policies],
        lambda own: levels_of(dict(zip(ACTIONS, own, strict=True)) if own else None),
        level_sets,
    )
    cited = [entity.get("legal_refs") for entity in entities]
    ref_sets: dict[tuple[int, ...], int] = {}
    entity_refs = _classes(
        [tuple(refs) if refs else () for refs in cited],
        lambda refs: tuple(sorted({ref_index[r] for r in refs if r in ref_index})) or defaults,
        ref_sets,
    )
    windows = list(zip(
        [tuple(x) if x else () for x in [entity.get("elections") for entity in entities]],
        [entity.get("active_from") for entity in entities],
        [entity.get("active_until") for entity in entities],
        strict=True,
    ))

    def when(window: tuple) -> tuple:
        entity = entities[windows.index(window)]
        elections = {_election(election_index, entity, x) for x in window[0]}
        return tuple(sorted(elections)), instant(window[1]), instant(window[2])

    activity: dict[tuple, int] = {((), None, None): 0}
    entity_activity = _classes(windows, when, activity)

    names, weak, hashtags = _Postings(), _Postings(), _Postings()
    names.add_column([(e, x["names"]) for e, x in enumerate(entities) if x.get("names")], norm)
    weak.add_column(
        [(e, x["weak_names"]) for e, x in enumerate(entities) if x.get("weak_names")], norm
    )
    hashtags.add_column(
        [(e, x["hashtags"]) for e, x in enumerate(entities) if x.get("hashtags")], hashtag_key
    )
    accounts: dict[str, _Postings] = {}
    for e, entity in enumerate(entities):
        for platform, handles in (entity.get("accounts") or {}).items():
            for handle in handles:
                accounts.setdefault(platform, _Postings()).add(handle_key(handle), e, handle)

    context = {norm(w): w for w in reversed(bundle.get("context_words") or ()) if norm(w)}
    phrases = sorted(names.keys.keys() | weak.keys.keys() | context.keys())
    spellings: dict[int, str] = {}
    entity_spellings: dict[str, str] = {}
    named = [names.keys.get(phrase) for phrase in phrases]
    weakly = [weak.keys.get(phrase) for phrase in phrases]
    for p, phrase in enumerate(phrases):
        entries = (named[p], weakly[p])
        spelling = next((entry[0] for entry in entries if entry), None) or context[phrase]
        if spelling != phrase:
            spellings[p] = spelling
        for entry in entries:
            if entry and (entry[2] or entry[0] != spelling):
                for e, own in entry[2].items():
                    entity_spellings[f"{p},{e}"] = own
                if entry[0] != spelling:
                    entity_spellings.update({f"{p},{e}": entry[0] for e in entry[1]
                                             if f"{p},{e}" not in entity_spellings})
    name_offsets, name_entities = _postings_arrays(named)
    weak_offsets, weak_entities = _postings_arrays(weakly)
    context_patterns = array("I", [p for p, phrase in enumerate(phrases) if phrase in context])

    return Compiled(
        meta={k: v for k, v in bundle.items() if k != "entities"},
        entity_count=len(entities),
        phrases="\n".join(phrases).encode("utf-8"),
        spellings=spellings,
        entity_spellings=entity_spellings,
        name_offsets=name_offsets,
        name_entities=name_entities,
        weak_offsets=weak_offsets,
        weak_entities=weak_entities,
        context=context_patterns,
        hashtags=hashtags.keys,
        accounts={platform: p.keys for platform, p in accounts.items()},
        ids=ids,
        id_offsets=id_offsets,
        labels=labels,
        label_offsets=label_offsets,
        kinds=kinds,
        level_sets=[list(levels) for levels in level_sets],
        entity_levels=entity_levels,
        ref_sets=[list(refs) for refs in ref_sets],
        entity_refs=entity_refs,
        activity=[[list(elections), start, end] for elections, start, end in activity],
        entity_activity=entity_activity,
    )


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
        "sizes": [len(_raw(part)) for part in parts],
        "typecodes": [getattr(compiled, name).typecode for name in _ARRAYS],
    }
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return b"".join([_MAGIC, struct.pack("<Q", len(head)), head, *map(_raw, parts)])


def _raw(part: array | bytes) -> bytes:
    return part.tobytes() if isinstance(part, array) else part


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

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, sha256: str) -> Path:
        return self.directory / f"{sha256}.compiled"

    def has(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def get(self, sha256: str) -> Compiled | None:
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
