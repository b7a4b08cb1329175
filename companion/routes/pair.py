"""POST /v1/pair: trade the one-time code from `netral-companion pair` for the bearer token."""

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from companion.deps import StoreDep, TokenDep
from companion.routes.models import Name

router = APIRouter(prefix="/v1", tags=["pair"])


class PairIn(BaseModel):
    code: Name


@router.post("/pair")
def pair(body: PairIn, store: StoreDep, token: TokenDep) -> dict:
    if not store.pairing_code_pending():
        raise HTTPException(410, "expired")
    if not store.redeem_pairing_code(body.code):
        raise HTTPException(403, "wrong_code")
    return {"token": token}
