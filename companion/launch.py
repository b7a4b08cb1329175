"""The `netral-companion` entry point: gives the compile helper of a new large bundle a head start.

A bundle over 8 MiB is compiled in a spawned child (companion.rules.bundle). Started from `serve`,
that child would wait for the command line's own imports (click, pydantic-settings, sqlite-utils:
about half a second); started here, before them, it is ready by the time `serve` knows what to
compile. Whether a compile is needed is guessed from the arguments and the environment alone: a
large startup bundle whose file is not the one the cache last compiled (`cache/startup.json`,
written by `serve`). A wrong guess costs only time: `serve` decides everything again, and a helper
nobody used is let go.
"""

import contextlib
import gc
import json
import os
import sys
from importlib import resources
from pathlib import Path

LARGE = 8 * 1024 * 1024  # companion.rules.bundle.CHILD_THRESHOLD (a test keeps them equal)
HINT = "startup.json"  # in DATA_DIR/cache: bundle path -> [size, mtime_ns, sha256] last compiled
DEFAULT_BUNDLE = "netral-default.bundle.json"
DEFAULT_TRUSTED_KEYS = "trusted_keys.json"


def embedded(name: str) -> Path | None:
    """The path of a file shipped in package `shared_rules` (also in a frozen build), or None."""
    try:
        path = Path(str(resources.files("shared_rules") / name))
    except (ModuleNotFoundError, TypeError):
        return None
    return path if path.is_file() else None


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["serve"]:
        # Starting builds 70–110k objects that live as long as the process (the web stack, the
        # rules) and almost no garbage (~760 objects in cycles, counted): the cyclic collector
        # would walk them again and again for nothing, ~0.1–0.2 s of a start here. `serve` turns
        # it back on once it listens, after freezing what exists then (companion.cli).
        gc.disable()
        with contextlib.suppress(Exception):  # only ever a head start: `serve` does it all
            head_start(args[1:], os.environ)
    from companion.cli import main as cli_main

    cli_main(argv)


def head_start(args: list[str], environ) -> None:
    """When a compile is likely: the compile itself, of a bundle named on the command line or in
    NETRAL_RULES, checked against the trusted keys `serve` will use (the machine policy names
    neither); else, for a bundle in the rules dir, whose data dir the policy may move, a helper
    that waits for `serve` to name it."""
    files = likely_compiles(args, environ)
    if not files:
        return
    from companion.rules import bundle

    named = startup_paths(args, environ)[0]
    trusted = trusted_keys_path(args, environ)
    if trusted is not None and files[0] in named:
        bundle.compile_file_early(files[0], trusted)
    else:
        bundle.spawn_spare()


def trusted_keys_path(args: list[str], environ) -> Path | None:
    """The trusted keys file `serve` reads: --trusted-keys, NETRAL_TRUSTED_KEYS, else the embedded
    one (companion.config.Settings.trusted_keys_path)."""
    given = (_values(args, "--trusted-keys") or [environ.get("NETRAL_TRUSTED_KEYS") or ""])[-1]
    return Path(given) if given else embedded(DEFAULT_TRUSTED_KEYS)


def _values(args: list[str], option: str) -> list[str]:
    """The values given to a repeatable option, as `--option VALUE` or `--option=VALUE`."""
    found = []
    for i, arg in enumerate(args):
        if arg == option and i + 1 < len(args):
            found.append(args[i + 1])
        elif arg.startswith(option + "="):
            found.append(arg.split("=", 1)[1])
    return found


def startup_paths(args: list[str], environ) -> tuple[list[Path], Path]:
    """The startup bundles named and the data dir, as `serve` would read them (without the machine
    policy, which may move the data dir: then the guess is only wrong)."""
    named = environ.get("NETRAL_RULES", "").split(os.pathsep)
    rules = _values(args, "--rules") or [p for p in named if p]
    data = (_values(args, "--data-dir") or [environ.get("NETRAL_DATA_DIR") or ""])[-1]
    if not data:
        import platformdirs

        data = platformdirs.user_data_path("netral", appauthor=False)
    data_dir = Path(data)
    return [Path(p) for p in rules], data_dir


def compile_likely(args: list[str], environ) -> bool:
    """Whether a startup bundle is large and not the file the cache last compiled."""
    return bool(likely_compiles(args, environ))


def likely_compiles(args: list[str], environ) -> list[Path]:
    """The startup bundles that are large and not the file the cache last compiled, named ones
    first."""
    rules, data_dir = startup_paths(args, environ)
    cache = data_dir / "cache"
    try:
        hint = json.loads((cache / HINT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        hint = {}
    found = []
    for path in [*rules, *sorted((data_dir / "rules").glob("*.bundle.json"))]:
        try:
            stat = path.stat()
        except OSError:
            continue
        if stat.st_size < LARGE:
            continue
        known = hint.get(str(path.resolve())) if isinstance(hint, dict) else None
        if not (isinstance(known, list) and len(known) == 3 and known[:2] == [stat.st_size,
                                                                               stat.st_mtime_ns]
                and isinstance(known[2], str) and (cache / f"{known[2]}.compiled").is_file()):
            found.append(path)
    return found
