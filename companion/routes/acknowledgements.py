"""The acknowledgement log: append (idempotent by ack_id), page through, verify the hash chain."""

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import AwareDatetime, BaseModel, Field, model_validator

from companion.deps import Authorized, StoreDep
from companion.routes.models import Action, Name, Note, Outcome, Platform, Text
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


@router.get("/acknowledgements")
def listing(
    store: StoreDep,
    after_seq: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict:
    items, next_after_seq = store.list_acknowledgements(after_seq, limit)
    return {"items": items, "next_after_seq": next_after_seq}


@router.get("/acknowledgements/verify")
def verify(store: StoreDep) -> dict:
    return store.verify_chain()
