"""POST /v1/check and /v1/check/batch: the accepted bundle's verdict for an action on a post."""

from datetime import datetime

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from companion.answers import check_answer
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


def _check(loaded: Loaded, request: CheckRequest, at: datetime) -> dict:
    return check_answer(
        loaded, platform=request.platform.value, action=request.action.value,
        post=request.post.model_dump(), draft_text=request.draft_text, lang=request.lang, at=at,
    )


# async: matching is short CPU work; skipping the threadpool hop keeps /v1/check near /v1/health.
@router.post("/check")
async def check(request: CheckRequest, rules: RulesDep) -> dict:
    return _check(_current(rules), request, rules.now())


@router.post("/check/batch")
async def check_batch(batch: BatchRequest, rules: RulesDep) -> dict:
    # One bundle and one instant for the whole batch, even if a swap or a boundary comes meanwhile.
    loaded, at = _current(rules), rules.now()
    return {"results": [_check(loaded, item, at) for item in batch.items]}
