"""One slow dependency must not stall the API: other requests are answered meanwhile."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from resources.jobs import JobOptions
from resources.jobs.store import JobStoreResource
from resources.storage import S3StorageResource

ALICE = {"Authorization": "Bearer alice-token"}
Check = Callable[[dict[str, Any]], bool]

CASES: dict[str, tuple[str, str, Check]] = {
    "manifest (chapters)": (
        "query($id: ID!) { job(id: $id) { chapters { title } } }",
        "get_json",
        lambda data: data["job"]["chapters"] == [{"title": "Intro"}],
    ),
    "artifact (transcript)": (
        "query($id: ID!) { job(id: $id) { transcript { segments { text } } } }",
        "get_json",
        lambda data: data["job"]["transcript"]["segments"] == [{"text": "hello"}],
    ),
    "artifacts (timeline)": (
        "query($id: ID!) { job(id: $id) { timeline { slideChanges } } }",
        "get_json",
        lambda data: data["job"]["timeline"]["slideChanges"] == [12.5],
    ),
    "artifact (slides)": (
        "query($id: ID!) { job(id: $id) { slides { start end title lines } } }",
        "get_json",
        lambda data: data["job"]["slides"]
        == [{"start": 0.0, "end": 9.5, "title": "Gradient Descent", "lines": ["Gradient Descent"]}],
    ),
    "deleteJob (object deletes)": (
        "mutation($id: ID!) { deleteJob(id: $id) { __typename } }",
        "delete_prefix",
        lambda data: data["deleteJob"]["__typename"] == "Deleted",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_slow_object_store_call_does_not_hold_up_other_requests(
    case: str,
    client: TestClient,
    sqlite_store: JobStoreResource,
    storage: S3StorageResource,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    query, slowed, check = CASES[case]
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
    storage.put_json(
        f"jobs/{job.id}/transcript/transcript.json",
        {"language": "en", "segments": [{"start": 0, "end": 1, "text": " hello", "words": []}]},
    )
    storage.put_json(
        f"jobs/{job.id}/screen_layout/layout.json", {"periods": [], "slide_changes": [12.5]}
    )
    storage.put_json(
        f"jobs/{job.id}/slides/slides.json",
        {"slides": [{"start": 0, "end": 9.5, "title": "Gradient Descent",
                     "text": "Gradient Descent", "lines": ["Gradient Descent"]}]},
    )  # fmt: skip
    sqlite_store.update(job.id, manifest_key=key)

    calling, answered = threading.Event(), threading.Event()
    stalled: list[bool] = []
    original = getattr(S3StorageResource, slowed)

    def slow(self: S3StorageResource, *args: Any, **kwargs: Any) -> Any:
        # S3 "answers" only once another request has been served, or gives up after 10 s
        calling.set()
        stalled.append(not answered.wait(10))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(S3StorageResource, slowed, slow)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(
            client.post, "/graphql", json={"query": query, "variables": {"id": job.id}},
            headers=ALICE,
        )  # fmt: skip
        assert calling.wait(10), f"the {case} request never reached the object store"
        other = client.post("/graphql", json={"query": "{ jobs { nodes { id } } }"}, headers=ALICE)
        answered.set()
        assert other.status_code == 200 and "errors" not in other.json()
        body = pending.result(30).json()
        assert "errors" not in body and check(body["data"]), body
    assert stalled and not any(stalled), "the other request waited for the object store"
