"""One slow dependency must not stall the API: other requests are answered meanwhile."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from resources.job_store import JobStoreResource
from resources.jobs import JobOptions
from resources.storage import S3StorageResource

ALICE = {"Authorization": "Bearer alice-token"}
CHAPTERS = "query($id: ID!) { job(id: $id) { chapters { title } } }"


def test_a_slow_object_store_read_does_not_hold_up_other_requests(
    client: TestClient,
    sqlite_store: JobStoreResource,
    storage: S3StorageResource,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = sqlite_store.create_job(
        owner="alice",
        filename="lecture.mp4",
        content_type="video/mp4",
        size_bytes=10,
        extension="mp4",
        options=JobOptions(),
    )
    key = f"jobs/{job.id}/manifest.json"
    storage.put_json(key, {"clips": [], "topics": [{"start": 0, "end": 60, "title": "Intro"}]})
    sqlite_store.update(job.id, manifest_key=key)

    reading, answered = threading.Event(), threading.Event()
    stalled: list[bool] = []
    original = S3StorageResource.get_json

    def slow_get_json(self: S3StorageResource, key: str) -> Any:
        # S3 "answers" only once another request has been served, or gives up after 10 s
        reading.set()
        stalled.append(not answered.wait(10))
        return original(self, key)

    monkeypatch.setattr(S3StorageResource, "get_json", slow_get_json)
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(
            client.post, "/graphql", json={"query": CHAPTERS, "variables": {"id": job.id}},
            headers=ALICE,
        )  # fmt: skip
        assert reading.wait(10), "the chapters query never read its manifest"
        other = client.post("/graphql", json={"query": "{ jobs { nodes { id } } }"}, headers=ALICE)
        answered.set()
        assert other.status_code == 200 and other.json()["data"]["jobs"]["nodes"]
        assert slow.result(30).json()["data"]["job"]["chapters"] == [{"title": "Intro"}]
    assert stalled == [False], "the other request waited for the object store read"
