"""GET /v1/hello: the proof before the token; GET /v1/status: accepted rules, pact, log size."""

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query

from companion import __version__
from companion.answers import elections, pact_text
from companion.config import hello_proof
from companion.deps import Authorized, RulesDep, SettingsDep, StoreDep, TokenDep

router = APIRouter(prefix="/v1", tags=["status"])
NONCE = r"^[0-9a-f]{32,128}$"


@router.get("/hello")
async def hello(
    settings: SettingsDep, token: TokenDep,
    nonce: Annotated[str, Query(pattern=NONCE, description="32 to 128 lower-case hex digits")],
) -> dict:
    """No token needed, none given: proves this process holds the token, for the port it listens on.

    A client sends the bearer token only after this proof checked out against the host and port it
    dialled; a squatter or a relay on another port cannot make it.
    """
    companion_nonce = secrets.token_hex(16)
    return {"proof": hello_proof(token, nonce, companion_nonce, settings.host, settings.port),
            "companion_nonce": companion_nonce}


def _expired(expires_at: str, now: datetime) -> bool:
    return datetime.fromisoformat(expires_at.replace("Z", "+00:00")) <= now


@router.get("/status", dependencies=[Authorized])
def status(
    store: StoreDep,
    rules: RulesDep,
    token: TokenDep,
    x_netral_nonce: Annotated[str | None, Header(max_length=1024)] = None,
    lang: Annotated[str, Query(max_length=35)] = "id",
) -> dict:
    loaded = rules.current
    rules_info = pact = None
    if loaded is not None:
        bundle, now = loaded.bundle, rules.now()
        rules_info = {
            "bundle_id": bundle.bundle_id, "version": bundle.version, "sha256": bundle.sha256,
            "issued_at": bundle.issued_at, "expires_at": bundle.expires_at,
            "expired": _expired(bundle.expires_at, now), "signed_by": list(bundle.signed_by),
            "entities": loaded.matcher.entity_count,
            "issuer": bundle.data.get("issuer"),
            "elections": elections(loaded, now, lang),
            "epoch": loaded.epoch(now),
        }
        declared = bundle.data.get("pact") or {}
        if declared.get("id"):
            # The text goes along for the extension's first-run page, which shows what is signed.
            title, text = pact_text(declared, lang)
            pact = {"id": declared["id"], "title": title, "text": text,
                    "accepted_at": store.pact_accepted_at(declared["id"])}
    proof = None
    if x_netral_nonce is not None:
        proof = hmac.new(token.encode(), x_netral_nonce.encode(), hashlib.sha256).hexdigest()
    return {
        "companion_version": __version__,
        "rules": rules_info,
        "pact": pact,
        # Losses the witness found (companion/witness.py): what the pages must say was lost; the
        # head, so the extension can hold it against the seq and hash it was last answered.
        "acknowledgements": {"count": store.count_acknowledgements(), "losses": store.losses(),
                             "head": store.head()},
        "proof": proof,
    }
