"""The `netral-companion` entry point: gives the compile helper of a new large bundle a head start.

A bundle over 8 MiB is compiled in a spawned child (companion.rules.bundle). Started from `serve`,
that child would wait for the command line's own imports (click, pydantic-settings, sqlite-utils:
about half a second); started here, before them, it is ready by the time `serve` knows what to
compile. Whether a compile is needed is guessed from the arguments and the environment alone: a
large startup bundle whose file is not the one the cache last compiled (`cache/startup.json`,
written by `serve`). A wrong guess costs only time: `serve` decides everything again, and a helper
nobody used is let go.
"""

import json
import os
import sys
from pathlib import Path

LARGE = 8 * 1024 * 1024  # companion.rules.bundle.CHILD_THRESHOLD (a test keeps them equal)
HINT = "startup.json"  # in DATA_DIR/cache: bundle path -> [size, mtime_ns, sha256] last compiled


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["serve"]:
        try:
            if compile_likely(args[1:], os.environ):
                from companion.rules.bundle import spawn_spare

                spawn_spare()
        except Exception:  # only ever a head start: `serve` does it all itself
            pass
    from companion.cli import main as cli_main

    cli_main(argv)


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
    rules, data_dir = startup_paths(args, environ)
    cache = data_dir / "cache"
    try:
        hint = json.loads((cache / HINT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        hint = {}
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
            return True
    return False
