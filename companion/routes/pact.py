"""POST /v1/pact/acceptance: the ASN accepts the integrity pact, recorded in the hash chain."""

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, StringConstraints

from companion.deps import Authorized, StoreDep
from companion.routes.models import Name

router = APIRouter(prefix="/v1", tags=["pact"], dependencies=[Authorized])

Required = Annotated[Name, StringConstraints(min_length=1, strip_whitespace=True)]


class PactAcceptanceIn(BaseModel):
    pact_id: Required
    name: Required
    nip: Required


@router.post("/pact/acceptance", status_code=201)
def accept(acceptance: PactAcceptanceIn, store: StoreDep) -> dict:
    return store.record_pact_acceptance(acceptance.pact_id, acceptance.name, acceptance.nip)
