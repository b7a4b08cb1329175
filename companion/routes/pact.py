"""POST /v1/pact/acceptance: the ASN accepts the integrity pact, recorded in the hash chain."""

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, BeforeValidator, StringConstraints

from companion.deps import Authorized, StoreDep
from companion.routes.models import Name

router = APIRouter(prefix="/v1", tags=["pact"], dependencies=[Authorized])

Required = Annotated[Name, StringConstraints(min_length=1, strip_whitespace=True)]


def _blank_is_none(value):
    return None if isinstance(value, str) and not value.strip() else value


Optional = Annotated[Required | None, BeforeValidator(_blank_is_none)]
# A civil servant's NIP: 18 digits (birth date, appointment date, sex, serial number).
Nip = Annotated[
    Annotated[str, StringConstraints(pattern=r"^[0-9]{18}$", strip_whitespace=True)] | None,
    BeforeValidator(lambda v: _blank_is_none(v.replace(" ", "") if isinstance(v, str) else v)),
]


class PactAcceptanceIn(BaseModel):
    """Name and NIP are optional: the acceptance itself is what the pact asks for."""

    pact_id: Required
    name: Optional = None
    nip: Nip = None


@router.post("/pact/acceptance", status_code=201)
def accept(acceptance: PactAcceptanceIn, store: StoreDep) -> dict:
    return store.record_pact_acceptance(acceptance.pact_id, acceptance.name, acceptance.nip)
