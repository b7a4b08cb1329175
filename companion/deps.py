"""Request dependencies (settings, store, rules, bearer auth) and the guard every request passes."""

import hmac
import json
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from companion.config import Settings
from companion.rules.manager import RulesManager
from companion.store import Store

MAX_BODY = 64 * 1024

# Async because they never block: FastAPI runs sync dependencies in its threadpool, a hop that
# would double the latency of /v1/check.


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> Store:
    return request.app.state.store


async def get_rules(request: Request) -> RulesManager:
    return request.app.state.rules


async def get_token(request: Request) -> str:
    return request.app.state.token


async def require_token(request: Request) -> None:
    """401 unless `Authorization: Bearer TOKEN` carries our token (constant-time compare)."""
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    expected = request.app.state.token
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), expected.encode()
    ):
        raise HTTPException(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
RulesDep = Annotated[RulesManager, Depends(get_rules)]
TokenDep = Annotated[str, Depends(get_token)]
Authorized = Depends(require_token)


class ChannelGuard:
    """ASGI middleware: Host allowlist (DNS rebinding), Origin allowlist, 64 KiB body cap.

    A middleware, not a dependency, because it must also cover CORS preflights and unknown paths.
    """

    def __init__(self, app, *, allowed_hosts: set[str], allowed_origins: set[str]):
        self.app = app
        self.allowed_hosts = {host.lower() for host in allowed_hosts}
        self.allowed_origins = allowed_origins

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {}
        for name, value in scope["headers"]:
            headers.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
        if headers.get("host", "").lower() not in self.allowed_hosts:
            return await _reply(send, 400, "host_not_allowed")
        if "origin" in headers and headers["origin"] not in self.allowed_origins:
            return await _reply(send, 403, "origin_not_allowed")
        declared = headers.get("content-length", "0")
        if not declared.isdigit():
            return await _reply(send, 400, "bad_content_length")
        if int(declared) > MAX_BODY:
            return await _reply(send, 413, "body_too_large")
        # Read the whole (small) body here, counting, so a streamed body cannot exceed the cap.
        body, more = [], True
        size = 0
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                return await _reply(send, 413, "body_too_large")
            body.append(chunk)
            more = message.get("more_body", False)
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(body), "more_body": False}

        await self.app(scope, replay, send)


async def _reply(send, status: int, error: str) -> None:
    payload = json.dumps({"error": error}).encode()
    await send({
        "type": "http.response.start", "status": status,
        "headers": [(b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode())],
    })
    await send({"type": "http.response.body", "body": payload})
