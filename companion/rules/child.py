"""The start of a compile helper (companion.rules.bundle.child_pool), kept in a module that
imports nothing heavy.

A spawned helper imports the module of its initializer before anything of ours runs: were that
companion.rules.bundle, its imports (cryptography, jsonschema-rs, the compiler: ~50k objects)
would run under the cyclic collector. From here, the collector is off first. The helper does one
compile and exits, and compile_raw parses without the collector anyway, so it stays off.
"""

import gc
import multiprocessing
import multiprocessing.connection
import os
import sys
import threading


def setup(memory: int) -> None:
    """In the helper: the collector off, the compile's imports, then a cap on its address space
    growth beyond them (POSIX; a MemoryError becomes a too_large rejection rather than a machine
    that swaps), then a watch on the parent."""
    gc.disable()
    import companion.rules.bundle  # noqa: F401 - what every task needs, before the cap is measured

    if sys.platform.startswith("linux"):  # macOS does not enforce RLIMIT_AS; Windows has none
        import resource

        with open("/proc/self/statm") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + memory
        if hard == resource.RLIM_INFINITY or limit < hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    die_with_parent()


def die_with_parent() -> None:
    """Exit as soon as the parent is gone, even if it was killed mid-compile (a killed
    companion must not leave a 300 MB parse running). The parent's sentinel is readable on every
    OS once the parent process ends."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="netral-parent-watch").start()
