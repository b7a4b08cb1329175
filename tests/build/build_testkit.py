"""Helpers shared by the build tests: measured figures, free ports, a neutral environment."""

import os
import socket

FIGURES: dict[str, str] = {}


def record_figure(name: str, value: str) -> None:
    FIGURES[name] = value
    print(f"{name}: {value}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """The test process's environment without the NETRAL_*, SUDO_* and XDG_* settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NETRAL_", "SUDO_", "XDG_"))
    }
    env.update(extra)
    return env
