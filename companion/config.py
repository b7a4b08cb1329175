"""Companion settings: command-line options and NETRAL_* variables over the embedded defaults."""

import hashlib
import hmac
import ipaddress
import math
import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import platformdirs
from pydantic import Field, ValidationError, field_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The files shipped in shared_rules, and how they are found, have their home in the entry point,
# which reads them before anything heavy is imported.
from companion.launch import DEFAULT_BUNDLE, DEFAULT_TRUSTED_KEYS, embedded

DEFAULT_PORT = 47613
# The pinned ID of our extension (the manifest's "key" fixes it on every machine).
DEFAULT_ORIGIN = "chrome-extension://hpacmafgmndfplepbodgnlklobkdbkag"


class CompanionError(Exception):
    """A problem the person running the companion can fix; the message says how, in one sentence."""


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
    def port_path(self) -> Path:
        return self.data_dir / "port"

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
    # What an administrator fixed for every user (HKLM\SOFTWARE\Policies\Netral, or
    # /etc/netral/policy.json): under options, and under this user's own NETRAL_* variables.
    from companion.policy import machine_policy

    for key, value in machine_policy().items():
        if f"NETRAL_{key.upper()}" not in os.environ:
            given.setdefault(key, value)
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
        if os.name == "posix" and data_dir.stat().st_mode & 0o077:
            # Made by hand or by an installer with a wide umask: the log and the token are this
            # user's alone, so no other account may even list the folder.
            os.chmod(data_dir, 0o700)
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


MIN_TOKEN_BITS = 256
_HEX = frozenset("0123456789abcdefABCDEF")
_BASE64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def token_bits(token: str) -> float:
    """The strength of a token as its alphabet allows (hex: 4 bits a character, base64url: 6).

    0 for anything else, and for a token of fewer than 8 distinct characters (``"aaaa…"``), which no
    random generator makes at this length.
    """
    if not token or len(set(token)) < 8:
        return 0.0
    if set(token) <= _HEX:
        return len(token) * 4.0
    if set(token) <= _BASE64URL:
        return len(token) * math.log2(64)
    return 0.0


def check_token(token: str, path: Path) -> str:
    """`token` if it has at least 256 bits; else CompanionError saying what to do, in one line."""
    if not token:
        raise CompanionError(
            f"token file {path} is empty; delete it so a new token is made, then pair again."
        )
    bits = token_bits(token)
    if bits < MIN_TOKEN_BITS:
        what = (f"about {int(bits)} bits" if bits else
                "no usable strength (only hex or base64url characters, not one repeated, count)")
        raise CompanionError(
            f"token file {path} holds a token of {what}, fewer than {MIN_TOKEN_BITS}; delete it so "
            "the companion makes a new 256-bit one, then pair again or rerun the installer."
        )
    return token


def load_or_create_token(path: Path) -> str:
    """The bearer token in `path`, written at first start as 256 random bits with mode 0600.

    An existing token weaker than 256 bits is refused (CompanionError), never used.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        token = check_token(path.read_text(encoding="utf-8").strip(), path)
        os.chmod(path, 0o600)
        return token
    token = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return token


def write_port_file(path: Path, port: int) -> None:
    """DATA_DIR/port: the port `serve` listens on, written atomically with mode 0600.

    Not flushed to disk (an fsync is 20-30 ms of every start): the file is written again at each
    start, and what a crash can leave, no file or an empty one, reads as no port."""
    temporary = path.with_name(f".port-{os.getpid()}-{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(f"{port}\n")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_port_file(path: Path) -> int | None:
    """The port in DATA_DIR/port, or None when the file is missing or does not hold a port."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    if not text.isdigit() or not 0 < int(text) <= 65535:
        return None
    return int(text)


# The proof of the channel (companion-api.md, "Security of the channel"). The client sends a nonce
# *without* the token; the companion answers this MAC and a nonce of its own. The message names the
# address and port the companion listens on, so a relay on another port cannot pass an answer of
# the real companion off as its own.
PROOF_LABEL = "netral-hello/1"


def hello_proof(token: str, client_nonce: str, companion_nonce: str, host: str, port: int) -> str:
    """hex(HMAC-SHA256(token, "netral-hello/1|CLIENT_NONCE|COMPANION_NONCE|HOST|PORT"))."""
    message = f"{PROOF_LABEL}|{client_nonce}|{companion_nonce}|{host}|{port}"
    return hmac.new(token.encode(), message.encode(), hashlib.sha256).hexdigest()
