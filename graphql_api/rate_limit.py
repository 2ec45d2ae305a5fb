"""Per-token rate limits on expensive mutations, with the `limits` library (memory or Redis)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from limits import RateLimitItemPerMinute, storage, strategies
from limits.storage import MemoryStorage

from graphql_api.offload import in_place_or_thread

T = TypeVar("T")

# how often the in-process counts drop the keys of windows that have passed
SWEEP_EVERY_S = 1.0


class SweptMemoryStorage(MemoryStorage):
    """limits' memory storage with its expired keys swept inline, at most once per
    `SWEEP_EVERY_S`, instead of by a timer thread.

    The stock storage starts a fresh `threading.Timer` (10 ms) on each count whenever the last
    one has finished, so under load it spawned ~100 threads a second, each taking the GIL from
    the event loop: ~8 % of a createUpload's CPU (py-spy). Counts are unchanged: reads already
    drop an expired key when they see it; the sweep only frees the keys of past windows that
    nobody reads again. Not registered as a scheme: `memory://` URIs get it through
    `RateLimiter`.
    """

    def __init__(self) -> None:
        self._next_sweep = 0.0
        super().__init__()
        self.timer.cancel()  # the one the base class starts

    def _MemoryStorage__schedule_expiry(self) -> None:  # limits calls this on every count
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_EVERY_S
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


@dataclass
class RateLimiter:
    """At most `per_minute` calls per (action, caller) in any minute, counted by a sliding
    window counter: two counters per key, the previous minute's weighted by how much of it
    the window still covers.

    Not the moving window: that keeps one timestamp per call (the memory storage shifts a
    list of up to `per_minute` entries on every call and trims it from a timer thread), and
    under load the limiter was 15-20 % of a createUpload's cost. The counter is O(1) in memory
    and time, and works the same on Redis, where the keys are shared by every API process.
    """

    per_minute: int
    storage_uri: str = "memory://"

    def __post_init__(self) -> None:
        self._item = RateLimitItemPerMinute(max(1, self.per_minute))
        counts = (
            SweptMemoryStorage()
            if self.in_process
            else storage.storage_from_string(self.storage_uri)
        )
        self._limiter = strategies.SlidingWindowCounterRateLimiter(counts)

    @property
    def in_process(self) -> bool:
        """True when the counts live in this process's memory (no network round trip)."""
        return self.storage_uri.startswith("memory")

    async def call(self, method: Callable[[str, str], T], action: str, caller: str) -> T:
        """Run one of this limiter's methods from async code: in place on memory storage, on a
        worker thread for a network store (Redis), so the event loop never waits on it."""
        return await in_place_or_thread(self.in_process, method, action, caller)

    def allow(self, action: str, caller: str) -> bool:
        """Count one call; False when the caller is over the limit."""
        return bool(self._limiter.hit(self._item, action, caller))

    def exhausted(self, action: str, caller: str) -> bool:
        """True when the caller has no calls left in the window (without counting one)."""
        return not self._limiter.test(self._item, action, caller)

    def retry_after_s(self, action: str, caller: str) -> int:
        """Seconds until the caller may try again."""
        reset, _remaining = self._limiter.get_window_stats(self._item, action, caller)
        return max(1, int(reset - time.time()))
