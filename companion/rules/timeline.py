"""When a bundle's entities count: the elections, their stages, and the state at an instant.

The spec's *Elections and time*: an entity with `elections` is active while a stage of one of them
runs (and within its own `[active_from, active_until)`); one without is always active. Verdicts
and the `epoch` change only at a stage or window boundary, so the state at an instant is computed
once and reused until the next boundary: a check between boundaries costs one comparison.
"""

from __future__ import annotations

import bisect
import hashlib
import math
from dataclasses import dataclass, field

from companion.rules.compiled import ACTIONS, UNSET, Compiled, instant, levels_of

WARN = 1  # the severity of `warn`, what a policy that names no verdict means


def localized(name, lang: str) -> str:
    """An election's or stage's `name`: a string, or per language with `id` the fallback."""
    if isinstance(name, dict):
        return str(name.get(lang) or name.get("id") or next(iter(name.values()), ""))
    return "" if name is None else str(name)


@dataclass(frozen=True)
class Stage:
    id: str
    name: object  # a string or {lang: string}
    start: float
    end: float
    source: dict  # the stage as the bundle writes it (from, until as signed)
    levels: tuple[int, ...]  # its own policy, UNSET where it names none

    def describe(self, lang: str) -> dict:
        return {"id": self.id, "name": localized(self.name, lang),
                "from": self.source["from"], "until": self.source["until"]}


@dataclass
class State:
    """The timeline at every instant of [start, end): which stages run, which entities count."""

    start: float
    end: float
    stages: tuple[Stage | None, ...]  # per election, its running stage
    class_active: bytes  # per activity class, 1 if its entities count now
    none_active: bool
    key: str  # changes with the set of running stages and of active classes
    _levels: dict = field(default_factory=dict)
    _elections: dict = field(default_factory=dict)


class Timeline:
    """Built once per matcher from the compiled tables; `state_at` is cheap between boundaries."""

    def __init__(self, compiled: Compiled) -> None:
        self.elections: list[dict] = list(compiled.meta.get("elections") or ())
        self.activity = compiled.activity
        self.bundle_levels = levels_of(compiled.meta.get("policy"))
        self.level_sets = compiled.level_sets
        self.stages: list[list[Stage]] = [
            sorted(
                (
                    Stage(stage["id"], stage.get("name", stage["id"]), instant(stage["from"]),
                          instant(stage["until"]), stage, levels_of(stage.get("policy")))
                    for stage in election.get("stages") or ()
                ),
                key=lambda stage: stage.start,
            )
            for election in self.elections
        ]
        self.always = all(not els and start is None and end is None
                          for els, start, end in self.activity)
        bounds = {t for stages in self.stages for s in stages for t in (s.start, s.end)}
        bounds |= {t for _, start, end in self.activity for t in (start, end) if t is not None}
        self._bounds = sorted(bounds)
        self._state: State | None = None

    def state_at(self, t: float) -> State:
        state = self._state  # one read: another thread may replace it meanwhile, never mutate it
        if state is not None and state.start <= t < state.end:
            return state
        state = self._compute(t)
        self._state = state
        return state

    def _compute(self, t: float) -> State:
        running = tuple(_running(stages, t) for stages in self.stages)
        active = bytes(
            (start is None or start <= t) and (end is None or t < end)
            and (not els or any(running[e] is not None for e in els))
            for els, start, end in self.activity
        )
        i = bisect.bisect_right(self._bounds, t)
        start = self._bounds[i - 1] if i else -math.inf
        end = self._bounds[i] if i < len(self._bounds) else math.inf
        digest = hashlib.sha256(repr(([s and s.id for s in running], active)).encode())
        return State(start, end, running, active, not any(active), digest.hexdigest()[:12])

    def next_stage(self, election: int, t: float) -> Stage | None:
        return next((s for s in self.stages[election] if s.start > t), None)

    def severities(self, state: State, levels: int, activity: int) -> tuple[int, ...]:
        """An active entity's severity per action: the first defined of its own policy, its
        running stage's, the bundle's, warn; the most severe over its elections' running stages."""
        key = (levels, activity)
        found = state._levels.get(key)
        if found is None:
            own = self.level_sets[levels]
            running = [s.levels for e in self.activity[activity][0]
                       if (s := state.stages[e]) is not None] or [None]
            found = tuple(
                max(_first(own[a], stage[a] if stage else UNSET, self.bundle_levels[a])
                    for stage in running)
                for a in range(len(ACTIONS))
            )
            state._levels[key] = found
        return found

    def election_of(self, state: State, activity: int, lang: str) -> dict | None:
        """The `election` of a match: the entity's first election with a running stage."""
        key = (activity, lang)
        if key not in state._elections:
            info = None
            for e in self.activity[activity][0]:
                stage = state.stages[e]
                if stage is not None:
                    election = self.elections[e]
                    info = {"id": election["id"], "name": localized(election.get("name"), lang),
                            "stage": {"id": stage.id, "name": localized(stage.name, lang),
                                      "until": stage.source["until"]}}
                    break
            state._elections[key] = info
        return state._elections[key]


def _running(stages: list[Stage], t: float) -> Stage | None:
    for stage in stages:
        if stage.start <= t < stage.end:
            return stage
    return None


def _first(*levels: int) -> int:
    return next((level for level in levels if level != UNSET), WARN)


def summary(timeline: Timeline, t: float, lang: str) -> list[dict]:
    """Each election as status shows it: its name, how many stages it has, the running stage and
    the next one (None when it has none), in `lang`."""
    state = timeline.state_at(t)
    out = []
    for e, election in enumerate(timeline.elections):
        running, upcoming = state.stages[e], timeline.next_stage(e, t)
        out.append({
            "id": election["id"],
            "name": localized(election.get("name", election["id"]), lang),
            "kind": election.get("kind"),
            "stages": len(timeline.stages[e]),
            "active_stage": running.describe(lang) if running else None,
            "next_stage": upcoming.describe(lang) if upcoming else None,
        })
    return out
