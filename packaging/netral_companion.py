"""Entry of the frozen companion: output to a log file when there is no console, then the CLI."""

import os
import sys
from pathlib import Path


def redirect_output() -> None:
    """Send stdout and stderr to NETRAL_LOG_FILE, or to the user log dir if there is no console."""
    log_file = os.environ.get("NETRAL_LOG_FILE")
    if not log_file:
        if sys.stdout is not None and sys.stderr is not None:
            return
        # A windowed build (Task Scheduler at logon) has no console: print() would fail.
        import platformdirs

        log_file = platformdirs.user_log_path("netral", appauthor=False) / "companion.log"
    path = Path(log_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    stream = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - lives as long as the process
    sys.stdout = sys.stderr = stream


if __name__ == "__main__":
    import multiprocessing

    # A full-election bundle is compiled in a spawned child: the frozen exe must be able to be one.
    multiprocessing.freeze_support()
    redirect_output()
    from companion.cli import main

    main()
