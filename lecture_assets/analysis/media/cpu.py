"""How many cores this process may use."""

from __future__ import annotations

import os


def usable_cores(default: int = 1) -> int:
    """Cores in this process's CPU affinity (a container's cpuset), else the machine's count,
    else `default`."""
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
        if cores:
            return cores
    return os.cpu_count() or default
