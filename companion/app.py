"""create_app(settings): the companion's FastAPI application; all work happens in its lifespan."""

import sqlite3
from contextlib import asynccontextmanager
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware

from companion import __version__
from companion.config import Settings, load_or_create_token, prepare_data_dir
from companion.deps import ChannelGuard
from companion.routes import acknowledgements, check, health, pact, pair, rules, status
from companion.rules.manager import RulesManager
from companion.store import Store


def _readable(error: dict) -> str:
    """`field.path: what is wrong`, never echoing the (possibly huge) input."""
    if error.get("type") == "json_invalid":
        reason = error.get("ctx", {}).get("error", "malformed")
        return f"body: not valid JSON ({reason} at character {error['loc'][-1]})"
    where = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
    return f"{where}: {error.get('msg', 'invalid')}"


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        prepare_data_dir(settings.data_dir)
        app.state.token = load_or_create_token(settings.token_path)
        app.state.store = store = Store(settings.db_path)
        app.state.rules = manager = RulesManager(
            store, settings.trusted_keys_path(), settings.rules_dir, clock=settings.clock,
            cache_dir=settings.cache_dir,
        )
        manager.load_startup(settings.startup_bundles())
        manager.start(settings.rules_watch_seconds, settings.rules_url,
                      settings.rules_poll_seconds)
        try:
            yield
        finally:
            manager.stop()
            store.close()

    # No /docs, /redoc or /openapi.json: the API is the contract (docs/ and ../shared/spec), and
    # FastAPI's pages would answer any local process without a token and load their scripts from
    # a CDN, where nothing of the companion's may leave the laptop.
    app = FastAPI(title="Netral companion", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    for router in (health, status, check, acknowledgements, pact, pair, rules):
        app.include_router(router.router)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError):
        detail = [_readable(item) for item in error.errors()]
        return JSONResponse({"error": "invalid_request", "detail": detail}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException):
        if error.status_code == 400:  # FastAPI's answer to a body it cannot decode (not UTF-8)
            detail = [f"body: {error.detail}"]
            return JSONResponse({"error": "invalid_request", "detail": detail}, status_code=422)
        # Our routes raise snake_case names; FastAPI's own errors carry the status phrase.
        name = str(error.detail)
        if not name.isidentifier() or not name.islower():
            name = HTTPStatus(error.status_code).phrase.lower().replace(" ", "_")
        return JSONResponse({"error": name}, status_code=error.status_code, headers=error.headers)

    @app.exception_handler(sqlite3.Error)
    async def storage_error(request: Request, error: sqlite3.Error):
        return JSONResponse({"error": "storage_unavailable"}, status_code=503)

    origins = list(settings.allowed_origins)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type", "X-Netral-Nonce"],
        max_age=600,
    )
    port = settings.port
    app.add_middleware(
        ChannelGuard,
        allowed_hosts={f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"},
        allowed_origins=set(origins),
    )
    return app
