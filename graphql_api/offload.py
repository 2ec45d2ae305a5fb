"""Run blocking work from async resolvers: in place when local and short, else on a thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def in_place_or_thread(local: bool, method: Callable[..., T], *args: Any) -> T:
    """`method(*args)` right here when `local` (a SQLite row, in-memory counters: cheaper than
    a thread hop), on a worker thread otherwise (PostgreSQL, Redis, S3 round trips)."""
    if local:
        return method(*args)
    return await asyncio.to_thread(method, *args)
