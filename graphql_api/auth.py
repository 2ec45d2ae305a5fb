"""Bearer-token authentication: tokens are kept as SHA-256 digests and compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class TokenRegistry:
    """Maps token digests to owners; the clear tokens are not kept."""

    owners_by_digest: dict[str, str]

    @classmethod
    def from_tokens(cls, tokens: dict[str, str]) -> TokenRegistry:
        return cls({digest(t): owner for t, owner in tokens.items()})

    def owner_for(self, header_or_token: str | None) -> str | None:
        """The owner of `Bearer <token>` (or a bare token), or None when unknown."""
        if not header_or_token:
            return None
        token = header_or_token.strip()
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        candidate = digest(token)
        for known, owner in self.owners_by_digest.items():
            if hmac.compare_digest(known, candidate):
                return owner
        return None


# failed token checks allowed per client address and minute before it must wait
AUTH_FAILURES_PER_MINUTE = 10


class TooManyAuthFailures(Exception):
    """A client sent too many unknown tokens; it must wait `retry_after_s`."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed authentications; retry in {retry_after_s} s")
        self.retry_after_s = retry_after_s
