"""Entry of the frozen companion: the native host under that name, else the CLI with `setup`."""

import os
import sys
from pathlib import Path


def redirect_output() -> None:
    """Send stdout and stderr to NETRAL_LOG_FILE, or to the user log dir if there is no console."""
    log_file = os.environ.get("NETRAL_LOG_FILE")
    if not log_file:
        if sys.stdout is not None and sys.stderr is not None:
            return
        # A windowed build (started at logon) has no console: print() would fail.
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
    if Path(sys.argv[0]).stem.lower() == "netral-native-host":
        # Browsers start this twin with the caller's origin; stdout is the messaging channel.
        from companion.native_host import main
    else:
        redirect_output()
        from companion.launch import main  # the CLI, with `setup` (the MSI's custom actions)
    main()
