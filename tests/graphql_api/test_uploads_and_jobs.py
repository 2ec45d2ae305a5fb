"""createUpload signs real uploads, refuses bad ones, and jobs stay private to their owner."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from resources.jobs import JobStatus
from resources.jobs.store import JobStoreResource
from resources.storage import S3StorageResource
from tests.graphql_api.conftest import Gql

CREATE = """
mutation($input: CreateUploadInput!) {
  createUpload(input: $input) {
    __typename
    ... on UploadTicket { job { id status stage } uploadUrl uploadHeaders expiresAt }
    ... on ValidationError { code message field }
    ... on AuthError { code message }
  }
}"""

JOB = """query($id: ID!) { job(id: $id) { id status stage progress error { code message }
  clips { index start end title videoUrl srtUrl vttUrl thumbnailUrl } } }"""


def _create(gql: Gql, token: str | None = "alice-token", **overrides: object) -> dict:
    payload = {
        "filename": "Week 3: Eigenvalues.mp4",
        "contentType": "video/mp4",
        "sizeBytes": 2048,
        **overrides,
    }
    return gql(CREATE, {"input": payload}, token=token)["data"]["createUpload"]


def test_create_upload_signs_a_put_that_lands_under_owner_and_job(
    gql: Gql, storage: S3StorageResource
) -> None:
    ticket = _create(gql)
    assert ticket["__typename"] == "UploadTicket"
    assert ticket["job"]["status"] == "QUEUED"
    job_id = ticket["job"]["id"]
    body = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2024
    put = httpx.put(ticket["uploadUrl"], content=body, headers=ticket["uploadHeaders"])
    assert put.status_code == 200
    keys = [o.key for o in storage.list("uploads/")]
    assert keys == [f"uploads/alice/{job_id}/source.mp4"]


def test_a_glossary_is_kept_with_the_job_for_the_transcriber(
    gql: Gql, sqlite_store: JobStoreResource
) -> None:
    ticket = _create(gql, options={"glossary": ["Hessian", "Kullback-Leibler"]})
    assert ticket["__typename"] == "UploadTicket"
    job = sqlite_store.get(ticket["job"]["id"])
    assert job is not None and job.options.glossary == ("Hessian", "Kullback-Leibler")


def test_create_upload_on_a_worker_thread_as_for_postgres(
    client: TestClient, gql: Gql, storage: S3StorageResource
) -> None:
    """Local stores run createUpload on the event loop, networked ones off it: same result."""
    service = client.app.state.lecture.service  # type: ignore[attr-defined]
    assert service.create_upload_on_loop  # SQLite, in-memory limits, static S3 keys
    service.create_upload_on_loop = False
    ticket = _create(gql)
    assert ticket["__typename"] == "UploadTicket"
    put = httpx.put(ticket["uploadUrl"], content=b"x" * 64, headers=ticket["uploadHeaders"])
    assert put.status_code == 200
    assert [o.key for o in storage.list("uploads/")] == [
        f"uploads/alice/{ticket['job']['id']}/source.mp4"
    ]
    assert _create(gql, sizeBytes=0)["code"] == "INVALID_SIZE"


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        (
            {"filename": "notes.pdf", "contentType": "application/pdf"},
            "UNSUPPORTED_TYPE",
            "filename",
        ),
        ({"contentType": "text/html"}, "UNSUPPORTED_TYPE", "contentType"),
        ({"sizeBytes": 0}, "INVALID_SIZE", "sizeBytes"),
        ({"sizeBytes": 5 * 1024**3}, "TOO_LARGE", "sizeBytes"),
        ({"options": {"maxClips": 99}}, "INVALID_OPTIONS", "maxClips"),
        ({"options": {"minSeconds": 90, "maxSeconds": 30}}, "INVALID_OPTIONS", "minSeconds"),
        ({"options": {"glossary": ["Hessian", " "]}}, "INVALID_OPTIONS", "glossary"),
        ({"options": {"glossary": ["x" * 81]}}, "INVALID_OPTIONS", "glossary"),
    ],
)
def test_create_upload_refuses_bad_declarations(
    gql: Gql, overrides: dict, code: str, field: str
) -> None:
    result = _create(gql, **overrides)
    assert result["__typename"] == "ValidationError"
    assert (result["code"], result["field"]) == (code, field)
    assert result["message"]


def test_filenames_cannot_escape_the_owner_namespace(
    gql: Gql, sqlite_store: JobStoreResource
) -> None:
    ticket = _create(gql, filename="../../bob/evil/..\\source.mp4")
    job = sqlite_store.get(ticket["job"]["id"])
    assert job is not None
    assert job.source_key == f"uploads/alice/{job.id}/source.mp4"
    assert "/" not in job.filename and ".." not in job.filename.split(".")[0:1]


def test_requests_without_a_valid_token_are_refused(gql: Gql) -> None:
    assert _create(gql, token=None)["__typename"] == "AuthError"
    assert _create(gql, token="guess")["__typename"] == "AuthError"


def test_job_query_shows_own_jobs_and_hides_others(
    gql: Gql, sqlite_store: JobStoreResource
) -> None:
    job_id = _create(gql)["job"]["id"]
    sqlite_store.fail(job_id, "NO_AUDIO", "The video has no audio track.")
    mine = gql(JOB, {"id": job_id})["data"]["job"]
    assert mine["status"] == "FAILED"
    assert mine["error"] == {"code": "NO_AUDIO", "message": "The video has no audio track."}
    assert mine["clips"] == []
    assert gql(JOB, {"id": job_id}, token="bob-token")["data"]["job"] is None
    assert gql(JOB, {"id": "00000000-0000-0000-0000-000000000000"})["data"]["job"] is None


def test_health_endpoints(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {
        "job_store": "ok",
        "storage": "ok",
    }


def test_subscription_sends_current_state_then_events_until_terminal(
    client, gql: Gql, sqlite_store: JobStoreResource  # type: ignore[no-untyped-def]
) -> None:
    job_id = _create(gql)["job"]["id"]
    sub = "subscription($id: ID!) { jobProgress(jobId: $id) { status stage percent message } }"
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json(
            {"type": "connection_init", "payload": {"authorization": "Bearer alice-token"}}
        )
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json(
            {"id": "1", "type": "subscribe", "payload": {"query": sub, "variables": {"id": job_id}}}
        )
        first = ws.receive_json()
        assert first["payload"]["data"]["jobProgress"]["status"] == "QUEUED"
        sqlite_store.record_progress(
            job_id, status=JobStatus.RUNNING, stage="transcript", percent=40, message="transcribing"
        )
        sqlite_store.record_progress(
            job_id, status=JobStatus.DONE, stage="done", percent=100, message="3 clips ready"
        )
        seen = [ws.receive_json()["payload"]["data"]["jobProgress"] for _ in range(2)]
        assert [e["status"] for e in seen] == ["RUNNING", "DONE"]
        assert ws.receive_json()["type"] == "complete"


def test_websocket_without_token_is_rejected(client) -> None:  # type: ignore[no-untyped-def]
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {}})
        message = ws.receive()
        assert message["type"] == "websocket.close" and message["code"] == 4403
