"""Named fault-injection points for crash tests, off unless ``ALIGNWATCH_FAILPOINTS`` names them.

``ALIGNWATCH_FAILPOINTS="after_write=kill"`` makes the process SIGKILL itself at that point, the
way a crash or an OOM kill would end it, so tests can prove nothing is lost or duplicated.
"""

from __future__ import annotations

import os
import signal
import time

_ACTIONS = {"kill", "pause"}


def failpoint(name: str) -> None:
    """Act on the failpoint ``name`` if the environment arms it; otherwise return at once."""
    armed = os.environ.get("ALIGNWATCH_FAILPOINTS")
    if not armed:
        return
    for item in armed.split(","):
        point, _, action = item.partition("=")
        if point.strip() != name or action.strip() not in _ACTIONS:
            continue
        if action.strip() == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(3600)
