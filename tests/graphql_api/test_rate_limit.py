"""The rate limiter on its own: limits per caller, retry hints, and Redis shared by processes."""

from __future__ import annotations

import uuid

import pytest

from graphql_api.rate_limit import RateLimiter
from tests.conftest import redis_url


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def storage_uri(request: pytest.FixtureRequest) -> str:
    return "memory://" if request.param == "memory" else redis_url()


def test_a_caller_gets_exactly_the_limit_then_a_retry_hint(storage_uri: str) -> None:
    limiter = RateLimiter(5, storage_uri)
    caller = uuid.uuid4().hex
    assert [limiter.allow("upload", caller) for _ in range(6)] == [True] * 5 + [False]
    assert limiter.exhausted("upload", caller)
    assert 1 <= limiter.retry_after_s("upload", caller) <= 60
    # other callers and other actions keep their own counts
    assert limiter.allow("upload", uuid.uuid4().hex)
    assert limiter.allow("reprocess", caller)


@pytest.mark.redis
def test_api_processes_sharing_redis_share_one_limit() -> None:
    url = redis_url()
    caller = uuid.uuid4().hex
    first, second = RateLimiter(4, url), RateLimiter(4, url)  # two API replicas
    assert first.allow("upload", caller) and first.allow("upload", caller)
    assert second.allow("upload", caller) and second.allow("upload", caller)
    assert not first.allow("upload", caller) and not second.allow("upload", caller)


def test_memory_limits_are_per_process() -> None:
    caller = uuid.uuid4().hex
    first, second = RateLimiter(1, "memory://"), RateLimiter(1, "memory://")
    assert first.allow("upload", caller) and second.allow("upload", caller)
