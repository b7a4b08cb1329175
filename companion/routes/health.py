"""GET /v1/health: liveness, without a token and without saying anything else."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["health"])


@router.get("/health")
def health() -> dict:
    return {"status": "ok"}
