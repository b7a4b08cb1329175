"""What an administrator fixed for every user's companion (the machine policy), read at each start.

Apart from companion.setup so that every command, `serve` first, reads it without importing the
installer's code.
"""

import json
import os
import sys
from pathlib import Path

from companion.config import CompanionError

MACHINE_POLICY_FILE = "etc/netral/policy.json"
WINDOWS_POLICY_KEY = r"SOFTWARE\Policies\Netral"


class SetupError(CompanionError):
    """A setup step that cannot be done; the message says what to do next, in one sentence."""


def machine_policy(root: Path = Path("/"), reader=None) -> dict:
    """Settings an administrator fixed for every user: {"data_dir", "allowed_origins"} if set.

    Windows: HKLM\\SOFTWARE\\Policies\\Netral (DataDir, AllowedOrigins); elsewhere
    /etc/netral/policy.json. `reader(name) -> str | None` replaces the registry in tests.
    """
    if reader is None and sys.platform == "win32":
        from companion.setup import WindowsEffects

        windows = WindowsEffects(Path.home())

        def reader(name):
            return windows.read_registry("HKLM", WINDOWS_POLICY_KEY, name)
    if reader is not None:
        found = {"data_dir": reader("DataDir"), "allowed_origins": reader("AllowedOrigins")}
        found = {key: os.path.expandvars(value) if key == "data_dir" else value
                 for key, value in found.items() if value}
        if "allowed_origins" in found:
            found["allowed_origins"] = [o.strip() for o in found["allowed_origins"].split(",")
                                        if o.strip()]
        return found
    try:
        data = json.loads((root / MACHINE_POLICY_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise SetupError(f"{root / MACHINE_POLICY_FILE} cannot be read ({error}); fix or delete "
                         "it (sudo netral-companion setup machine writes it).") from None
    if not isinstance(data, dict):
        raise SetupError(f"{root / MACHINE_POLICY_FILE} is not a JSON object; fix or delete it.")
    if "data_dir" in data:
        data["data_dir"] = os.path.expandvars(os.path.expanduser(data["data_dir"]))
    return {key: data[key] for key in ("data_dir", "allowed_origins") if key in data}
