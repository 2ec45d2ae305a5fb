"""The rate limiter on its own: limits per caller, retry hints, and Redis shared by processes."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from dagster import DagsterInstance
from fastapi.testclient import TestClient
from pydantic import SecretStr

from graphql_api.app import create_app
from graphql_api.dagster_control import DagsterControl
from graphql_api.rate_limit import RateLimiter, SweptMemoryStorage
from resources.jobs.store import JobStoreResource
from resources.settings import Settings
from resources.storage import S3StorageResource
from tests.conftest import redis_url

CREATE = "mutation($input: CreateUploadInput!) { createUpload(input: $input) { __typename } }"


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


def test_memory_counts_start_no_threads_and_forget_past_windows() -> None:
    counts = SweptMemoryStorage()
    threads = threading.active_count()
    counts.incr("gone", expiry=0.05)
    counts.incr("kept", expiry=60)
    for _ in range(2000):
        counts.incr("busy", expiry=60)
    assert threading.active_count() <= threads  # the stock storage starts a timer per 10 ms
    time.sleep(0.1)
    counts._next_sweep = 0.0  # the next count sweeps (at most once a second otherwise)
    counts.incr("busy", expiry=60)
    assert "gone" not in counts.storage and "gone" not in counts.expirations
    assert counts.get("kept") == 1 and counts.get("busy") == 2001


def test_memory_limits_are_per_process() -> None:
    caller = uuid.uuid4().hex
    first, second = RateLimiter(1, "memory://"), RateLimiter(1, "memory://")
    assert first.allow("upload", caller) and second.allow("upload", caller)


@pytest.mark.redis
def test_api_replicas_on_redis_share_the_upload_and_token_guessing_limits(
    api_settings: Settings,
    storage: S3StorageResource,
    sqlite_store: JobStoreResource,
    dagster_instance: DagsterInstance,
) -> None:
    # a fresh owner and client address, so earlier runs' counts in the shared Redis don't matter
    owner, token = f"o{uuid.uuid4().hex[:8]}", f"t-{uuid.uuid4().hex}"
    address = (f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7", 50000)
    settings = api_settings.model_copy(
        update={
            "rate_limit_storage_uri": redis_url(),
            "rate_limit_per_minute": 3,
            "api_tokens": SecretStr(f"{owner}:{token}"),
        }
    )
    control = DagsterControl(instance_factory=lambda: dagster_instance)
    replicas = [
        TestClient(
            create_app(settings, storage=storage, job_store=sqlite_store, dagster=control),
            client=address,
        )
        for _ in range(2)
    ]
    variables = {"input": {"filename": "l.mp4", "contentType": "video/mp4", "sizeBytes": 10}}
    body = {"query": CREATE, "variables": variables}
    mine = {"Authorization": f"Bearer {token}"}
    kinds = [
        replicas[n % 2].post("/graphql", json=body, headers=mine).json()["data"]["createUpload"]
        for n in range(4)
    ]
    assert [k["__typename"] for k in kinds] == ["UploadTicket"] * 3 + ["QuotaExceededError"]
    # ten wrong tokens spread over both replicas lock this address out on both
    for n in range(10):
        guess = replicas[n % 2].post("/graphql", json=body, headers={"Authorization": f"x{n}"})
        assert guess.status_code == 200
    for replica in replicas:
        response = replica.post("/graphql", json=body, headers=mine)
        assert response.status_code == 429
        assert response.json()["error"]["code"] == "TOO_MANY_AUTH_FAILURES"
