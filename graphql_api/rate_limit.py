"""Per-token rate limits on expensive mutations, with the `limits` library (memory or Redis)."""

from __future__ import annotations

from dataclasses import dataclass

from limits import RateLimitItemPerMinute, storage, strategies


@dataclass
class RateLimiter:
    """A moving-window limit of `per_minute` calls per (action, caller)."""

    per_minute: int
    storage_uri: str = "memory://"

    def __post_init__(self) -> None:
        self._item = RateLimitItemPerMinute(max(1, self.per_minute))
        self._limiter = strategies.MovingWindowRateLimiter(
            storage.storage_from_string(self.storage_uri)
        )

    def allow(self, action: str, caller: str) -> bool:
        """Count one call; False when the caller is over the limit."""
        return bool(self._limiter.hit(self._item, action, caller))

    def exhausted(self, action: str, caller: str) -> bool:
        """True when the caller has no calls left in the window (without counting one)."""
        return not self._limiter.test(self._item, action, caller)

    def retry_after_s(self, action: str, caller: str) -> int:
        """Seconds until the caller may try again."""
        reset, _remaining = self._limiter.get_window_stats(self._item, action, caller)
        import time

        return max(1, int(reset - time.time()))
