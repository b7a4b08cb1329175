"""GET /v1/rules/selectors: the accepted bundle's selector hot-fix table for a platform, or null."""

from fastapi import APIRouter

from companion.deps import Authorized, RulesDep
from companion.routes.models import Platform

router = APIRouter(prefix="/v1", tags=["rules"], dependencies=[Authorized])


@router.get("/rules/selectors")
async def selectors(platform: Platform, rules: RulesDep):
    loaded = rules.current
    table = loaded.bundle.data.get("selectors") if loaded else None
    return table.get(platform.value) if isinstance(table, dict) else None
