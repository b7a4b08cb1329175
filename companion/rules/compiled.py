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


def compile_payload(bundle: dict) -> Compiled:
    """Compile a verified, schema-valid bundle payload into its matching tables."""
    normalized: dict[str, str] = {}  # many candidates share a spelling: normalise each once

    def norm(text: str) -> str:
        if text not in normalized:
            normalized[text] = normalize(text)
        return normalized[text]

    legal_refs = bundle.get("legal_refs") or []
    ref_index = {ref["id"]: i for i, ref in reversed(list(enumerate(legal_refs)))}
    # An entity citing nothing (a legislative candidate, say) falls under the bundle's defaults.
    defaults = tuple(
        sorted({ref_index[r] for r in bundle.get("default_legal_refs") or () if r in ref_index})
        or range(len(legal_refs))
    )
    level_sets: dict[tuple[int, ...], int] = {}
    ref_sets: dict[tuple[int, ...], int] = {}
    names, weak, hashtags = _Postings(), _Postings(), _Postings()
    accounts: dict[str, _Postings] = {}
    ids, labels, kinds = bytearray(), bytearray(), bytearray()
    id_offsets, label_offsets = array("I", [0]), array("I", [0])
    entity_levels, entity_refs = array("I"), array("I")
    election_index = {election["id"]: i for i, election in enumerate(bundle.get("elections") or ())}
    activity: dict[tuple, int] = {((), None, None): 0}
    entity_activity = array("I")

    entities = bundle.get("entities") or []
    for e, entity in enumerate(entities):
        ids += entity["id"].encode("utf-8")
        id_offsets.append(len(ids))
        labels += entity["name"].encode("utf-8")
        label_offsets.append(len(labels))
        kinds.append(KINDS.index(entity["kind"]))
        own = levels_of(entity.get("policy"))
        entity_levels.append(level_sets.setdefault(own, len(level_sets)))
        elections = {_election(election_index, entity, x) for x in entity.get("elections") or ()}
        when = (
            tuple(sorted(elections)),
            instant(entity.get("active_from")),
            instant(entity.get("active_until")),
        )
        entity_activity.append(activity.setdefault(when, len(activity)))
        cited = sorted({ref_index[r] for r in entity.get("legal_refs") or () if r in ref_index})
        refs = tuple(cited) or defaults
        entity_refs.append(ref_sets.setdefault(refs, len(ref_sets)))
        for name in entity.get("names") or ():
            names.add(norm(name), e, name)
        for name in entity.get("weak_names") or ():
            weak.add(norm(name), e, name)
        for tag in entity.get("hashtags") or ():
            hashtags.add(hashtag_key(tag), e, tag)
        for platform, handles in (entity.get("accounts") or {}).items():
            for handle in handles:
                accounts.setdefault(platform, _Postings()).add(handle_key(handle), e, handle)

    context = {norm(w): w for w in reversed(bundle.get("context_words") or ()) if norm(w)}
    phrases = sorted(names.keys.keys() | weak.keys.keys() | context.keys())
    spellings: dict[int, str] = {}
    entity_spellings: dict[str, str] = {}
    name_offsets, name_entities = array("I", [0]), array("I")
    weak_offsets, weak_entities = array("I", [0]), array("I")
    context_patterns = array("I")
    for p, phrase in enumerate(phrases):
        spelling = next(
            (t[phrase][0] for t in (names.keys, weak.keys) if phrase in t), context.get(phrase)
        )
        if spelling != phrase:
            spellings[p] = spelling
        for postings, entities_of, offsets in (
            (names, name_entities, name_offsets),
            (weak, weak_entities, weak_offsets),
        ):
            entry = postings.keys.get(phrase)
            if entry:
                entities_of.extend(entry[1])
                for e, own in entry[2].items():
                    entity_spellings[f"{p},{e}"] = own
                if entry[0] != spelling:
                    entity_spellings.update({f"{p},{e}": entry[0] for e in entry[1]
                                             if f"{p},{e}" not in entity_spellings})
            offsets.append(len(entities_of))
        if phrase in context:
            context_patterns.append(p)

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
        ids=bytes(ids),
        id_offsets=id_offsets,
        labels=bytes(labels),
        label_offsets=label_offsets,
        kinds=bytes(kinds),
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
