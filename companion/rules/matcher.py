"""Matches a post against every entity of a rules bundle at once (spec matching rules 3-7)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import ahocorasick

from companion.rules.normalize import hashtag_key, hashtags_in, normalize, split_hashtag

ACTIONS = ("like", "comment", "share", "post", "follow")
VERDICTS = ("allow", "warn", "block")  # index = severity
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


@dataclass(frozen=True)
class MatchResult:
    verdict: str
    matches: tuple[EntityMatch, ...]
    legal_refs: tuple[dict, ...]
    message: dict | None


class _Entries(NamedTuple):
    """The entities listing one normalised key, with each entity's own spelling of it."""

    entities: tuple[int, ...]
    spellings: str | tuple[str, ...]  # one str when every entity spells it the same (saves memory)

    def signals(self, type_: str) -> Iterator[tuple[int, Signal]]:
        if isinstance(self.spellings, str):
            signal = Signal(type_, self.spellings)
            return ((entity, signal) for entity in self.entities)
        return (
            (entity, Signal(type_, spelling))
            for entity, spelling in zip(self.entities, self.spellings, strict=True)
        )


_NO_ENTRIES = _Entries((), ())


class _Pattern(NamedTuple):
    """What one normalised phrase means in the bundle: the automaton's value for it."""

    key: str
    names: _Entries
    weak: _Entries
    context: str | None  # the context word's spelling


def _handle(raw: str) -> str:
    return raw.strip().lstrip("@").casefold()


class _Index:
    """Normalised key -> entities and their spellings, each entity at most once per key."""

    def __init__(self) -> None:
        self._keys: dict[str, tuple[list[int], list[str]]] = {}

    def add(self, key: str, entity: int, spelling: str) -> None:
        if key:
            entities, spellings = self._keys.setdefault(key, ([], []))
            if not entities or entities[-1] != entity:
                entities.append(entity)
                spellings.append(spelling)

    def frozen(self) -> dict[str, _Entries]:
        return {
            key: _Entries(
                tuple(entities),
                spellings[0] if len(set(spellings)) == 1 else tuple(spellings),
            )
            for key, (entities, spellings) in self._keys.items()
        }


class Matcher:
    """Built once per accepted bundle; `match` costs the same whatever the number of entities."""

    def __init__(
        self,
        *,
        automaton: ahocorasick.Automaton | None,
        accounts: dict[str, dict[str, _Entries]],
        hashtags: dict[str, _Entries],
        entities: list[tuple[str, str, str]],
        levels: list[tuple[int, ...]],
        entity_refs: list[tuple[int, ...]],
        legal_refs: list[dict],
        messages: dict[str, dict],
    ) -> None:
        self._automaton = automaton
        self._accounts = accounts
        self._hashtags = hashtags
        self._entities = entities
        self._levels = levels
        self._entity_refs = entity_refs
        self._legal_refs = legal_refs
        self._messages = messages
        self.entity_count = len(entities)

    @classmethod
    def from_bundle(cls, bundle: dict) -> Matcher:
        """Precompute every lookup of a (verified, schema-valid) bundle payload."""
        normalized: dict[str, str] = {}  # many candidates share a spelling: normalise each once

        def norm(text: str) -> str:
            if text not in normalized:
                normalized[text] = normalize(text)
            return normalized[text]

        bundle_policy = bundle.get("policy") or {}
        default_levels = _levels(bundle_policy, {})
        legal_refs = list(bundle.get("legal_refs") or [])
        ref_index = {ref["id"]: i for i, ref in reversed(list(enumerate(legal_refs)))}
        shared_refs: dict[tuple[int, ...], tuple[int, ...]] = {}

        names, weak, hashtags = _Index(), _Index(), _Index()
        accounts: dict[str, _Index] = {}
        entities: list[tuple[str, str, str]] = []
        levels: list[tuple[int, ...]] = []
        entity_refs: list[tuple[int, ...]] = []
        for i, entity in enumerate(bundle.get("entities") or []):
            entities.append((entity["id"], entity["name"], entity["kind"]))
            own_policy = entity.get("policy")
            levels.append(_levels(bundle_policy, own_policy) if own_policy else default_levels)
            refs = tuple(
                sorted({ref_index[r] for r in entity.get("legal_refs") or () if r in ref_index})
            )
            entity_refs.append(shared_refs.setdefault(refs, refs))
            for name in entity.get("names") or ():
                names.add(norm(name), i, name)
            for name in entity.get("weak_names") or ():
                weak.add(norm(name), i, name)
            for tag in entity.get("hashtags") or ():
                hashtags.add(hashtag_key(tag), i, tag)
            for platform, handles in (entity.get("accounts") or {}).items():
                for handle in handles:
                    accounts.setdefault(platform, _Index()).add(_handle(handle), i, handle)

        context: dict[str, str] = {}
        for word in bundle.get("context_words") or ():
            if norm(word):
                context.setdefault(norm(word), word)
        return cls(
            automaton=_build_automaton(names.frozen(), weak.frozen(), context),
            accounts={platform: index.frozen() for platform, index in accounts.items()},
            hashtags=hashtags.frozen(),
            entities=entities,
            levels=levels,
            entity_refs=entity_refs,
            legal_refs=legal_refs,
            messages=bundle.get("messages") or {},
        )

    def match(
        self,
        *,
        platform: str,
        action: str,
        post: dict,
        draft_text: str | None = None,
        lang: str = "id",
    ) -> MatchResult:
        """The verdict, matched entities (bundle order) and message for one action on one post."""
        if action not in ACTIONS:
            raise ValueError(f"Unknown action {action!r}; expected one of {', '.join(ACTIONS)}.")
        action_index = ACTIONS.index(action)
        strong: dict[int, dict[Signal, None]] = {}

        def fire(signals: Iterable[tuple[int, Signal]]) -> None:
            for entity, signal in signals:
                strong.setdefault(entity, {})[signal] = None

        handles = [post.get("author_handle"), post.get("original_author_handle")]
        handles += post.get("mentions") or []
        for raw in handles:
            if raw:
                handle = _handle(raw)
                for table in (self._accounts.get(platform), self._accounts.get("*")):
                    if table and handle in table:
                        fire(table[handle].signals("account"))

        texts = [t for t in (post.get("text"), draft_text) if t]
        tags = [
            *(post.get("hashtags") or []),
            *(tag for t in texts if "#" in t or "＃" in t for tag in hashtags_in(t)),
        ]
        fields = [normalize(t) for t in (*texts, post.get("author_name")) if t]
        for tag in dict.fromkeys(t for t in tags if t):
            key = hashtag_key(tag)
            if key in self._hashtags:
                fire(self._hashtags[key].signals("hashtag"))
            fields.append(" ".join(split_hashtag(tag)))

        weak_hits: dict[str, _Entries] = {}
        context: dict[Signal, None] = {}
        if self._automaton is not None:
            haystack = " " + _FIELD_BREAK.join(f for f in fields if f) + " "
            for _, pattern in self._automaton.iter(haystack):
                fire(pattern.names.signals("name"))
                if pattern.weak.entities:
                    weak_hits[pattern.key] = pattern.weak
                if pattern.context:
                    context[Signal("context", pattern.context)] = None

        weak = self._confirmed_weak(weak_hits, confirmed=bool(context or strong))
        matched = sorted(strong.keys() | weak.keys())
        matches = tuple(
            EntityMatch(
                *self._entities[e],
                signals=(*strong.get(e, ()), *weak.get(e, ()), *(context if e in weak else ())),
            )
            for e in matched
        )
        severity = max((self._levels[e][action_index] for e in matched), default=0)
        refs = sorted({r for e in matched for r in self._entity_refs[e]})
        verdict = VERDICTS[severity]
        return MatchResult(
            verdict=verdict,
            matches=matches,
            legal_refs=tuple(self._legal_refs[r] for r in refs),
            message=None if verdict == "allow" else self._message(lang, action, matches),
        )

    @staticmethod
    def _confirmed_weak(
        weak_hits: dict[str, _Entries], *, confirmed: bool
    ) -> dict[int, list[Signal]]:
        """Entities whose weak names count (rule 5): all of them when the post holds a context word
        or a strong signal, otherwise only those with two distinct weak names in the post."""
        if not weak_hits or (not confirmed and len(weak_hits) < 2):
            return {}
        weak: dict[int, list[Signal]] = {}
        for entries in weak_hits.values():
            for entity, signal in entries.signals("weak_name"):
                weak.setdefault(entity, []).append(signal)
        if confirmed:
            return weak
        return {e: signals for e, signals in weak.items() if len(signals) > 1}

    def _message(self, lang: str, action: str, matches: tuple[EntityMatch, ...]) -> dict | None:
        # The action word must be in the template's language: a missing template means id for both.
        lang = lang if lang in ACTION_WORDS and lang in self._messages else "id"
        template = self._messages.get(lang)
        if not template:
            return None
        entities = ", ".join(dict.fromkeys(m.name for m in matches))
        word = ACTION_WORDS[lang][action]
        # str.replace, not str.format: a body may hold other braces.
        return {
            key: str(template.get(key, ""))
            .replace("{entities}", entities)
            .replace("{action}", word)
            for key in ("title", "body")
        }


def _levels(bundle_policy: dict[str, str], own_policy: dict[str, Any]) -> tuple[int, ...]:
    """Severity per action: the entity's policy, else the bundle's, else warn."""
    return tuple(
        VERDICTS.index(own_policy.get(action) or bundle_policy.get(action) or "warn")
        for action in ACTIONS
    )


def _build_automaton(
    names: dict[str, _Entries], weak: dict[str, _Entries], context: dict[str, str]
) -> ahocorasick.Automaton | None:
    """One automaton over every phrase; padding with spaces makes each hit a whole-word hit."""
    phrases = names.keys() | weak.keys() | context.keys()
    if not phrases:
        return None
    automaton = ahocorasick.Automaton()
    for phrase in phrases:
        pattern = _Pattern(
            phrase,
            names.get(phrase, _NO_ENTRIES),
            weak.get(phrase, _NO_ENTRIES),
            context.get(phrase),
        )
        automaton.add_word(f" {phrase} ", pattern)
    automaton.make_automaton()
    return automaton
