"""The acknowledgement log: append (idempotent by ack_id), page through, verify the hash chain."""

import threading
from array import array
from bisect import bisect_left
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import AwareDatetime, BaseModel, Field, model_validator

from companion.deps import Authorized, RulesDep, StoreDep
from companion.routes.models import Action, Name, Note, Outcome, Platform, Text
from companion.rules.compiled import Compiled
from companion.rules.manager import Loaded
from companion.store import AckConflict

router = APIRouter(prefix="/v1", tags=["acknowledgements"], dependencies=[Authorized])

MAX_SEQ = 2**63 - 1  # SQLite's INTEGER range


class SignalIn(BaseModel):
    type: Literal["account", "hashtag", "name", "weak_name", "context"]
    value: Name


class AcknowledgementIn(BaseModel):
    ack_id: UUID
    check_id: UUID | None = None
    platform: Platform
    action: Action
    outcome: Outcome
    entity_ids: list[Name] = Field(default_factory=list, max_length=1000)
    # The elections the matched entities counted for (a match's `election.id`), for the history.
    election_ids: list[Name] | None = Field(None, max_length=20)
    # With outcome `disputed`: the signals that fired (type and value, never post text) and the
    # user's optional short note, so the agency can fix its bundle.
    signals: list[SignalIn] | None = Field(None, max_length=60)
    note: Note | None = None

    @model_validator(mode="after")
    def _dispute_fields_only_with_disputed(self):
        if self.outcome != Outcome.disputed and (self.signals is not None or self.note is not None):
            raise ValueError("signals and note belong to outcome disputed only")
        return self
    bundle_id: Name | None = None
    rules_version: int | None = Field(None, ge=0, le=MAX_SEQ)
    occurred_at: AwareDatetime
    justification: Text | None = None


@router.post("/acknowledgements", status_code=201)
def record(ack: AcknowledgementIn, store: StoreDep, response: Response) -> dict:
    try:
        answer, created = store.record_acknowledgement(ack.model_dump(mode="json"))
    except AckConflict:
        raise HTTPException(409, "ack_conflict") from None
    if not created:
        response.status_code = 200
    return answer


class _EntityIndex:
    """The accepted bundle's entities sorted by id, for looking display names up by binary search.

    The ids sit back to back in one blob (258,000 of them in the candidate bundle): a searched blob
    costs up to a second for an id that is a common substring ("2024"), and a dict of every id some
    40 MB; one array of entity numbers costs 4 bytes per entity, built once per bundle, at its
    first history request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sha256: str | None = None
        self._order = array("I")

    def _sorted(self, sha256: str, compiled: Compiled) -> array:
        with self._lock:
            if self._sha256 != sha256:
                ids, offsets = compiled.ids, compiled.id_offsets
                self._order = array("I", sorted(range(compiled.entity_count),
                                                key=lambda e: ids[offsets[e]:offsets[e + 1]]))
                self._sha256 = sha256
            return self._order

    def name(self, loaded: Loaded, entity_id: str) -> str | None:
        """The display name of `entity_id` in the bundle `loaded`; None when it has no such id."""
        compiled = loaded.bundle.compiled
        order = self._sorted(loaded.bundle.sha256, compiled)
        ids, offsets = compiled.ids, compiled.id_offsets
        needle = entity_id.encode("utf-8")
        i = bisect_left(order, needle, key=lambda e: ids[offsets[e]:offsets[e + 1]])
        if i < len(order) and ids[offsets[order[i]]:offsets[order[i] + 1]] == needle:
            return compiled.entity(order[i])[1]
        return None


_entities = _EntityIndex()


@router.get("/acknowledgements")
def listing(
    store: StoreDep,
    rules: RulesDep,
    after_seq: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict:
    """One page of the log; each item's `entity_names` gives {id: display name} for the ids the
    currently accepted bundle still has (entity names are not translated in a bundle)."""
    items, next_after_seq = store.list_acknowledgements(after_seq, limit)
    loaded = rules.current
    names: dict[str, str | None] = {}
    for item in items:
        if loaded is not None:
            for entity_id in item["entity_ids"]:
                if entity_id not in names:
                    names[entity_id] = _entities.name(loaded, entity_id)
        item["entity_names"] = {entity_id: names[entity_id] for entity_id in item["entity_ids"]
                                if names.get(entity_id) is not None}
    return {"items": items, "next_after_seq": next_after_seq}


@router.get("/acknowledgements/verify")
def verify(store: StoreDep) -> dict:
    return store.verify_chain()
