"""POST /v1/check and /v1/check/batch: the accepted bundle's verdict for an action on a post."""

import dataclasses
import uuid

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from companion.deps import Authorized, RulesDep
from companion.routes.models import Action, Name, Platform, Text
from companion.rules.manager import Loaded

router = APIRouter(prefix="/v1", tags=["check"], dependencies=[Authorized])


class PostIn(BaseModel):
    author_handle: Text | None = None
    author_name: Text | None = None
    original_author_handle: Text | None = None
    text: Text | None = None
    hashtags: list[Text] = Field(default_factory=list, max_length=1000)
    mentions: list[Text] = Field(default_factory=list, max_length=1000)
    url: Text | None = None


class CheckRequest(BaseModel):
    platform: Platform
    action: Action
    post: PostIn
    draft_text: Text | None = None
    lang: Name | None = "id"


class BatchRequest(BaseModel):
    items: list[CheckRequest] = Field(max_length=200)


def _current(rules: RulesDep) -> Loaded:
    loaded = rules.current
    if loaded is None:
        raise HTTPException(503, "no_rules")
    return loaded


def _check(loaded: Loaded, request: CheckRequest) -> dict:
    result = loaded.matcher.match(
        platform=request.platform.value, action=request.action.value,
        post=request.post.model_dump(), draft_text=request.draft_text, lang=request.lang or "id",
    )
    return {
        "verdict": result.verdict,
        "check_id": str(uuid.uuid4()),
        "matches": [dataclasses.asdict(match) for match in result.matches],
        "legal_refs": list(result.legal_refs),
        "message": result.message,
        "rules": {"bundle_id": loaded.bundle.bundle_id, "version": loaded.bundle.version},
    }


# async: matching is short CPU work; skipping the threadpool hop keeps /v1/check near /v1/health.
@router.post("/check")
async def check(request: CheckRequest, rules: RulesDep) -> dict:
    return _check(_current(rules), request)


@router.post("/check/batch")
async def check_batch(batch: BatchRequest, rules: RulesDep) -> dict:
    loaded = _current(rules)  # one bundle for the whole batch, even if a swap happens meanwhile
    return {"results": [_check(loaded, item) for item in batch.items]}
