"""Companion settings: command-line options and NETRAL_* variables over the embedded defaults."""

import ipaddress
import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import platformdirs
from pydantic import Field, ValidationError, field_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_PORT = 47613
# The pinned ID of our extension (the manifest's "key" fixes it on every machine).
DEFAULT_ORIGIN = "chrome-extension://hpacmafgmndfplepbodgnlklobkdbkag"
DEFAULT_BUNDLE = "netral-default.bundle.json"
DEFAULT_TRUSTED_KEYS = "trusted_keys.json"


class CompanionError(Exception):
    """A problem the person running the companion can fix; the message says how, in one sentence."""


def embedded(name: str) -> Path | None:
    """The path of a file shipped in package `shared_rules` (also in a frozen build), or None."""
    try:
        path = Path(str(resources.files("shared_rules") / name))
    except (ModuleNotFoundError, TypeError):
        return None
    return path if path.is_file() else None


def utc_now() -> datetime:
    return datetime.now(UTC)


class Settings(BaseSettings):
    """Everything `serve` and the other commands need; each field also reads NETRAL_<FIELD>."""

    model_config = SettingsConfigDict(env_prefix="NETRAL_", extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(DEFAULT_PORT, ge=0, le=65535)
    data_dir: Path = Field(
        default_factory=lambda: platformdirs.user_data_path("netral", appauthor=False)
    )
    rules: Annotated[list[Path], NoDecode] = []
    trusted_keys: Path | None = None
    allowed_origins: Annotated[list[str], NoDecode] = [DEFAULT_ORIGIN]
    rules_url: str | None = None
    rules_poll_seconds: float = Field(300.0, gt=0)
    rules_watch_seconds: float = Field(1.0, gt=0)
    # Connection hygiene (companion/http.py): the time a request may take to arrive, whole, and
    # how many connections may be open at once. Only tests and unusual setups change them.
    request_timeout_seconds: float = Field(10.0, gt=0, le=300)
    max_connections: int = Field(64, ge=4, le=10_000)
    # The companion's clock (expiry, running election stages). Only code sets it: tests pass a
    # clock of their own to the app factory to move time; there is no option or variable for it.
    clock: SkipJsonSchema[Callable[[], datetime]] = Field(default=utc_now, exclude=True)

    @field_validator("rules", mode="before")
    @classmethod
    def _split_paths(cls, value):
        if isinstance(value, str):
            return [part for part in value.split(os.pathsep) if part]
        return value

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value):
        if isinstance(value, str):
            value = value.split(",")
        return [origin.strip().rstrip("/") for origin in value if origin.strip()]

    @field_validator("host")
    @classmethod
    def _loopback_only(cls, value: str) -> str:
        if value == "localhost":
            return "127.0.0.1"
        try:
            loopback = ipaddress.ip_address(value.strip("[]")).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise ValueError("must be a loopback address such as 127.0.0.1 or ::1")
        return value.strip("[]")

    @field_validator("rules_url")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        if value and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("must be an http:// or https:// URL")
        return value or None

    @property
    def db_path(self) -> Path:
        return self.data_dir / "netral.db"

    @property
    def token_path(self) -> Path:
        return self.data_dir / "token"

    @property
    def rules_dir(self) -> Path:
        return self.data_dir / "rules"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    def startup_bundles(self) -> list[Path]:
        """The `--rules` paths, else the embedded default bundle when it is shipped."""
        if self.rules:
            return list(self.rules)
        default = embedded(DEFAULT_BUNDLE)
        return [default] if default else []

    def trusted_keys_path(self) -> Path | None:
        return self.trusted_keys or embedded(DEFAULT_TRUSTED_KEYS)


def load_settings(**overrides) -> Settings:
    """Settings from the options given (None: not given) over the environment; CompanionError."""
    given = {key: value for key, value in overrides.items() if value not in (None, ())}
    try:
        return Settings(**given)
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        option = "--" + field.replace("_", "-")
        raise CompanionError(
            f"{option} / NETRAL_{field.upper()}: {first['msg']}; fix the option or variable."
        ) from None


def prepare_data_dir(data_dir: Path) -> Path:
    """Create the data dir (0700) with its rules/ folder, or say clearly why it cannot be used."""
    if data_dir.exists() and not data_dir.is_dir():
        raise CompanionError(
            f"data dir {data_dir} is a file, not a directory; "
            "point --data-dir or NETRAL_DATA_DIR at a writable directory."
        )
    try:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        (data_dir / "rules").mkdir(exist_ok=True)
        probe = data_dir / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise CompanionError(
            f"cannot write to data dir {data_dir} ({error.strerror or error}); "
            "point --data-dir or NETRAL_DATA_DIR at a writable directory."
        ) from None
    return data_dir


def load_or_create_token(path: Path) -> str:
    """The bearer token in `path`, written at first start as 256 random bits with mode 0600."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        token = path.read_text(encoding="utf-8").strip()
        if not token:
            raise CompanionError(
                f"token file {path} is empty; delete it so a new token is made, then pair again."
            ) from None
        os.chmod(path, 0o600)
        return token
    token = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return token
