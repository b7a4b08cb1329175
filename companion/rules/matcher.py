"""Matches a post against every entity of a rules bundle at once (spec matching rules 3-7)."""

from __future__ import annotations

import functools
import heapq
import re
import threading
from array import array
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain

import ahocorasick

from companion.rules.compiled import (
    ACTIONS,
    VERDICTS,
    Compiled,
    compile_payload,
    handle_key,
)
from companion.rules.normalize import hashtag_key, hashtags_in, normalize, split_hashtag
from companion.rules.timeline import Timeline

ACTION_WORDS = {
    "id": {
        "like": "menyukai",
        "comment": "mengomentari",
        "share": "membagikan",
        "post": "memposting",
        "follow": "mengikuti",
    },
    "en": {
        "like": "like",
        "comment": "comment on",
        "share": "share",
        "post": "post",
        "follow": "follow",
    },
}
# N never produces "|", so joining the searched fields with it keeps a name inside one field.
_FIELD_BREAK = " | "
# An answer stays small whatever the bundle (companion-api.md, POST /v1/check).
MAX_MATCHES = 20  # matches listed; the rest are counted in matches_truncated
MAX_VALUES = 10  # values listed per signal type of one match
MAX_NAMED = 5  # names in {entities}, then "+N"
MAX_BODY = 2000  # characters of a message body


@dataclass(frozen=True)
class Signal:
    """Why an entity matched: `type` is account|hashtag|name|weak_name|context, `value` the bundle's
    spelling of the handle, hashtag, name or context word that fired (as the agency wrote it)."""

    type: str
    value: str


@dataclass(frozen=True)
class EntityMatch:
    entity_id: str
    name: str
    kind: str
    signals: tuple[Signal, ...]
    # {"id", "name", "stage": {"id", "name", "until"}} of the election it counts for, or None for
    # an always-active entity.
    election: dict | None = None

    def body(self) -> dict:
        """The match as the check answer lists it (dataclasses.asdict, without its deep copy
        through every field: an answer lists up to 20)."""
        election = self.election
        return {
            "entity_id": self.entity_id,
            "name": self.name,
            "kind": self.kind,
            "signals": [{"type": s.type, "value": s.value} for s in self.signals],
            # A copy: the timeline keeps the one it hands out for the next check.
            "election": election and {**election, "stage": dict(election["stage"])},
        }


@dataclass(frozen=True)
class MatchResult:
    verdict: str
    matches: tuple[EntityMatch, ...]  # at most MAX_MATCHES: strong first, then most signals
    legal_refs: tuple[dict, ...]  # in the request's language where the bundle translates them
    message: dict | None
    matches_truncated: int = 0  # matched entities left out of `matches`


_ALLOW = MatchResult(verdict="allow", matches=(), legal_refs=(), message=None)


_starting = threading.Lock()  # start_build() from the listener and a first check at once


class Matcher:
    """Built once per accepted bundle; `match` costs the same whatever the number of entities."""

    def __init__(self, compiled: Compiled, *, background: bool = False) -> None:
        """`background`: build the automaton in a thread, so the caller goes on at once (startup);
        the thread starts at start_build() (once `serve` is listening: the build would otherwise
        take the GIL from the startup's last steps) or at the first check that needs it, and checks
        that search text wait for it; no check ever answers without it."""
        self._c = compiled
        self.timeline = Timeline(compiled)
        self._legal_refs = compiled.meta.get("legal_refs") or []
        self._refs_in: dict[str, list[dict]] = {}
        self._messages = compiled.meta.get("messages") or {}
        self._context = frozenset(compiled.context)
        self._own_spellings = frozenset(int(key.split(",")[0]) for key in compiled.entity_spellings)
        # Matched entities recur from check to check; decode each label once in a while only.
        self._entity = functools.lru_cache(maxsize=8192)(compiled.entity)
        self.entity_count = compiled.entity_count
        self._automaton: ahocorasick.Automaton | None = None
        self._key_lengths = array("I")  # pattern -> length of its padded automaton key
        self._built = threading.Event()
        self._build_error: BaseException | None = None
        self._builder: threading.Thread | None = None
        if background:
            self._builder = threading.Thread(target=self._build, daemon=True,
                                             name="netral-automaton")
        else:
            self._build()
            if self._build_error is not None:
                raise self._build_error

    def _build(self) -> None:
        try:
            phrases = self._c.phrase_list()
            if phrases:
                # Integer values keep the automaton free of per-pattern Python objects; padding
                # each phrase with spaces makes every hit a whole-word hit.
                automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
                for p, phrase in enumerate(phrases):
                    key = f" {phrase} "
                    automaton.add_word(key, p)
                    self._key_lengths.append(len(key))
                automaton.make_automaton()
                self._automaton = automaton
        except BaseException as error:  # handed to every check that needs the automaton
            self._build_error = error
        finally:
            self._built.set()

    def start_build(self) -> None:
        """Start the background build, if there is one and it has not started."""
        with _starting:
            builder, self._builder = self._builder, None
        if builder is not None:
            builder.start()

    def _searcher(self) -> ahocorasick.Automaton | None:
        """The automaton, once built: a check that searches text waits for it rather than
        answer without it (a background build at startup takes ~0.5 s for 258k candidates)."""
        if not self._built.is_set():
            self.start_build()
            self._built.wait()
        if self._build_error is not None:
            raise RuntimeError("the rules' name automaton could not be built") from (
                self._build_error)
        return self._automaton

    @classmethod
    def from_bundle(cls, bundle: dict) -> Matcher:
        """Precompute every lookup of a (verified, schema-valid) bundle payload."""
        return cls(compile_payload(bundle))

    def match(
        self,
        *,
        platform: str,
        action: str,
        post: dict,
        draft_text: str | None = None,
        lang: str = "id",
        at: datetime | None = None,
    ) -> MatchResult:
        """The verdict, matched entities and message for one action on one post, at instant `at`
        (default now): only the entities active then take part."""
        if action not in ACTIONS:
            raise ValueError(f"Unknown action {action!r}; expected one of {', '.join(ACTIONS)}.")
        c = self._c
        state = self.timeline.state_at((at or datetime.now(UTC)).timestamp())
        if state.none_active:
            return _ALLOW  # between elections: nothing can match, so nothing need be searched
        # None: every entity counts (a bundle without elections), so no per-hit test at all.
        active = None if self.timeline.always else state.class_active
        activity = c.entity_activity
        strong: dict[int, dict[Signal, None]] = {}

        def fire(entry: list, type_: str) -> None:
            spelling, entities, own = entry
            for entity in entities:
                if active is None or active[activity[entity]]:
                    signal = Signal(type_, own.get(str(entity), spelling))
                    strong.setdefault(entity, {})[signal] = None

        handles = [post.get("author_handle"), post.get("original_author_handle")]
        handles += post.get("mentions") or []
        for raw in handles:
            if raw:
                handle = handle_key(raw)
                for table in (c.accounts.get(platform), c.accounts.get("*")):
                    if table and handle in table:
                        fire(table[handle], "account")

        texts = [t for t in (post.get("text"), draft_text) if t]
        tags = [
            *(post.get("hashtags") or []),
            *(tag for t in texts if "#" in t or "＃" in t for tag in hashtags_in(t)),
        ]
        fields = [normalize(t) for t in (*texts, post.get("author_name")) if t]
        for tag in dict.fromkeys(t for t in tags if t):
            entry = c.hashtags.get(hashtag_key(tag))
            if entry:
                fire(entry, "hashtag")
            fields.append(" ".join(split_hashtag(tag)))

        weak_values: dict[int, str] = {}
        weak_hits: list[tuple[int, int, int]] = []  # (pattern, start, end) of each weak-name hit
        context: dict[Signal, None] = {}
        automaton = self._searcher()
        if automaton is not None:
            haystack = " " + _FIELD_BREAK.join(f for f in fields if f) + " "
            for end, p in automaton.iter(haystack):
                # The hit without its padding spaces, which neighbouring hits share.
                start = end - self._key_lengths[p] + 2
                value = c.spellings.get(p) or haystack[start:end]
                names = c.name_entities[c.name_offsets[p] : c.name_offsets[p + 1]]
                if names:
                    signal = Signal("name", value)
                    for entity in names:
                        if active is None or active[activity[entity]]:
                            own = self._own_signal(p, entity, signal)
                            strong.setdefault(entity, {})[own] = None
                if c.weak_offsets[p] != c.weak_offsets[p + 1]:
                    weak_hits.append((p, start, end))
                    weak_values[p] = value
                if p in self._context:
                    context[Signal("context", value)] = None

        weak = self._confirmed_weak(weak_hits, weak_values, active,
                                    confirmed=bool(context or strong))
        if not strong and not weak:
            return _ALLOW
        n_context = len(context)
        matched = strong.keys() | weak.keys()
        # Only the listed ones need an order: a post naming hundreds lists 20.
        listed = heapq.nsmallest(
            MAX_MATCHES, matched,
            key=lambda e: (e not in strong, -len(strong.get(e, ())) - len(weak.get(e, ()))
                           - (n_context if e in weak else 0), e),
        )
        timeline = self.timeline
        matches = tuple(
            EntityMatch(
                *self._entity(e),
                signals=_capped((*strong.get(e, ()), *weak.get(e, ()),
                                 *(context if e in weak else ()))),
                election=timeline.election_of(state, activity[e], lang),
            )
            for e in listed
        )
        action_index = ACTIONS.index(action)
        # Per class of entities (their policy and elections; their legal refs), not per entity.
        levels, refs_of = c.entity_levels, c.entity_refs
        severity = max(
            timeline.severities(state, own, election)[action_index]
            for own, election in {(levels[e], activity[e]) for e in matched}
        )
        refs = sorted({r for k in {refs_of[e] for e in matched} for r in c.ref_sets[k]})
        verdict = VERDICTS[severity]
        truncated = len(matched) - len(listed)
        return MatchResult(
            verdict=verdict,
            matches=matches,
            legal_refs=tuple(self._refs(lang)[r] for r in refs),
            message=None if verdict == "allow" else self._message(lang, action, matches, truncated),
            matches_truncated=truncated,
        )

    def _refs(self, lang: str) -> list[dict]:
        """The bundle's legal references in `lang`, each field falling back to the base text."""
        refs = self._refs_in.get(lang)
        if refs is None:
            refs = [_translated(ref, lang) for ref in self._legal_refs]
            self._refs_in[lang] = refs
        return refs

    def _confirmed_weak(
        self, hits: list[tuple[int, int, int]], values: dict[int, str], active: bytes | None, *,
        confirmed: bool,
    ) -> dict[int, list[Signal]]:
        """Entities whose weak names count (rule 5): all of them when the post holds a context word
        or a strong signal, otherwise only those with two distinct weak names in the post, at places
        that do not overlap ("partai demokrat" holds "demokrat" once, not twice). Inactive
        entities (`active`: per activity class) take no part."""
        if not hits:
            return {}
        c = self._c
        activity = c.entity_activity
        signals = {p: Signal("weak_name", value) for p, value in values.items()}
        if confirmed:
            # Every active entity of every hit counts, with each of its weak names once, in the
            # order the post names them.
            weak: dict[int, list[Signal]] = {}
            for p in dict.fromkeys(p for p, _, _ in hits):
                shared, respelled = signals[p], p in self._own_spellings
                for entity in c.weak_entities[c.weak_offsets[p] : c.weak_offsets[p + 1]]:
                    if active is None or active[activity[entity]]:
                        signal = self._own_signal(p, entity, shared) if respelled else shared
                        weak.setdefault(entity, []).append(signal)
            return weak
        # Only entities listed under two different patterns can have two distinct weak names (a
        # pattern lists an entity once): counted in C, as a first name shares hundreds of them.
        patterns = dict.fromkeys(p for p, _, _ in hits)
        if len(patterns) < 2:
            return {}
        listings = Counter(chain.from_iterable(
            c.weak_entities[c.weak_offsets[p] : c.weak_offsets[p + 1]] for p in patterns))
        candidates = {entity for entity, times in listings.items()
                      if times > 1 and (active is None or active[activity[entity]])}
        if not candidates:
            return {}
        by_entity: dict[int, list[tuple[int, int, int]]] = {}
        for hit in hits:
            p = hit[0]
            for entity in c.weak_entities[c.weak_offsets[p] : c.weak_offsets[p + 1]]:
                if entity in candidates:
                    by_entity.setdefault(entity, []).append(hit)
        weak = {}
        for entity, entity_hits in by_entity.items():
            if _two_distinct(entity_hits):
                weak[entity] = [
                    self._own_signal(p, entity, signals[p])
                    for p in dict.fromkeys(p for p, _, _ in entity_hits)
                ]
        return weak

    def _own_signal(self, p: int, entity: int, shared: Signal) -> Signal:
        """The pattern's signal, unless this entity spells the phrase its own way."""
        if p not in self._own_spellings:
            return shared
        own = self._c.entity_spellings.get(f"{p},{entity}")
        return shared if own is None else Signal(shared.type, own)

    def _message(
        self, lang: str, action: str, matches: tuple[EntityMatch, ...], truncated: int
    ) -> dict | None:
        # The action word must be in the template's language: a missing template means id for both.
        lang = lang if lang in ACTION_WORDS and lang in self._messages else "id"
        template = self._messages.get(lang)
        if not template:
            return None
        names = list(dict.fromkeys(m.name for m in matches))
        more = len(names) - MAX_NAMED + truncated
        entities = ", ".join(names[:MAX_NAMED]) + (f" +{more}" if more > 0 else "")
        election = next((m.election for m in matches if m.election), None)
        fills = {
            "{entities}": entities,
            "{action}": ACTION_WORDS[lang][action],
            "{election}": election["name"] if election else "",
            "{stage}": election["stage"]["name"] if election else "",
        }
        message = {}
        for key in ("title", "body"):
            text = str(template.get(key, ""))
            # One pass over the template, not str.format (a body may hold other braces) nor
            # chained replaces (a name holding "{action}" would be filled in turn).
            text = _PLACEHOLDER.sub(lambda m: fills[m.group(0)], text)
            message[key] = text
        if len(message["body"]) > MAX_BODY:
            message["body"] = message["body"][: MAX_BODY - 1] + "…"
        return message


_PLACEHOLDER = re.compile(r"\{(?:entities|action|election|stage)\}")


def _capped(signals: tuple[Signal, ...]) -> tuple[Signal, ...]:
    """At most MAX_VALUES values per signal type, in order."""
    seen: dict[str, int] = {}
    kept = []
    for signal in signals:
        seen[signal.type] = seen.get(signal.type, 0) + 1
        if seen[signal.type] <= MAX_VALUES:
            kept.append(signal)
    return tuple(kept) if len(kept) != len(signals) else signals


def _translated(ref: dict, lang: str) -> dict:
    """A legal reference in `lang`: its base fields, each replaced by a translation if present."""
    base = {key: value for key, value in ref.items() if key != "i18n"}
    translation = (ref.get("i18n") or {}).get(lang)
    if isinstance(translation, dict):
        base.update({key: value for key, value in translation.items()
                     if key in ("title", "summary", "sanction") and isinstance(value, str)
                     and value})
    return base


def _two_distinct(hits: list[tuple[int, int, int]]) -> bool:
    """Two hits of different weak names whose spans do not overlap."""
    return any(
        p1 != p2 and (e1 <= s2 or e2 <= s1)
        for i, (p1, s1, e1) in enumerate(hits)
        for p2, s2, e2 in hits[i + 1 :]
    )
