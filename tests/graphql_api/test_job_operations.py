"""Listing, cancelling, deleting and reprocessing jobs; nobody touches another owner's job."""

from __future__ import annotations

import pytest
from dagster import DagsterInstance, SensorResult, build_sensor_context

from lecture_assets.pipeline_sensors import command_sensor
from resources.jobs import JobStatus
from resources.jobs.store import JobStoreResource
from resources.storage import S3StorageResource
from tests.graphql_api.conftest import Gql

CREATE = """mutation($input: CreateUploadInput!) { createUpload(input: $input) {
  __typename ... on UploadTicket { job { id } }
  ... on QuotaExceededError { code retryAfterSeconds } } }"""
JOBS = """query($first: Int!, $after: String, $status: JobStatus) {
  jobs(first: $first, after: $after, status: $status) {
    nodes { id status } pageInfo { hasNextPage endCursor } } }"""
CANCEL = """mutation($id: ID!) { cancelJob(id: $id) { __typename
  ... on JobResult { job { status } } ... on NotFoundError { code }
  ... on ValidationError { code } } }"""
DELETE = """mutation($id: ID!) { deleteJob(id: $id) { __typename ... on Deleted { id }
  ... on NotFoundError { code } } }"""
REPROCESS = """mutation($id: ID!, $from: Stage!, $o: JobOptionsInput) {
  reprocessJob(id: $id, fromStage: $from, options: $o) { __typename
  ... on JobResult { job { status stage message } } ... on NotFoundError { code }
  ... on ValidationError { code message } } }"""
JOB = "query($id: ID!) { job(id: $id) { id status stageLog { stage message } } }"


def _new_job(gql: Gql, token: str = "alice-token") -> str:
    variables = {"input": {"filename": "l.mp4", "contentType": "video/mp4", "sizeBytes": 10}}
    return str(gql(CREATE, variables, token=token)["data"]["createUpload"]["job"]["id"])


def test_jobs_page_through_all_of_mine_and_none_of_theirs(gql: Gql) -> None:
    mine = [_new_job(gql) for _ in range(5)]
    _new_job(gql, token="bob-token")
    seen, after = [], None
    while True:
        page = gql(JOBS, {"first": 2, "after": after})["data"]["jobs"]
        seen += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(reversed(mine))
    failed = gql(JOBS, {"first": 10, "status": "FAILED"})["data"]["jobs"]["nodes"]
    assert failed == []


def test_cancel_stops_a_queued_job_once(gql: Gql) -> None:
    job_id = _new_job(gql)
    first = gql(CANCEL, {"id": job_id})["data"]["cancelJob"]
    assert first == {"__typename": "JobResult", "job": {"status": "CANCELLED"}}
    again = gql(CANCEL, {"id": job_id})["data"]["cancelJob"]
    assert again == {"__typename": "ValidationError", "code": "NOT_CANCELLABLE"}


def test_delete_removes_objects_records_and_partition(
    gql: Gql,
    storage: S3StorageResource,
    sqlite_store: JobStoreResource,
    dagster_instance: DagsterInstance,
) -> None:
    job_id = _new_job(gql)
    storage.put_bytes(f"uploads/alice/{job_id}/source.mp4", b"x")
    storage.put_bytes(f"jobs/{job_id}/clips/1/clip.mp4", b"x")
    dagster_instance.add_dynamic_partitions("lectures", [job_id])
    result = gql(DELETE, {"id": job_id})["data"]["deleteJob"]
    assert result == {"__typename": "Deleted", "id": job_id}
    assert list(storage.list(f"jobs/{job_id}/")) == []
    assert list(storage.list(f"uploads/alice/{job_id}/")) == []
    assert sqlite_store.get(job_id) is None
    assert not dagster_instance.has_dynamic_partition("lectures", job_id)
    assert gql(JOB, {"id": job_id})["data"]["job"] is None


def test_reprocess_queues_one_run_of_the_chosen_stage_and_downstream_only(
    gql: Gql, sqlite_store: JobStoreResource, dagster_instance: DagsterInstance
) -> None:
    job_id = _new_job(gql)
    busy = gql(REPROCESS, {"id": job_id, "from": "HIGHLIGHT_SEGMENTS"})["data"]["reprocessJob"]
    assert busy["code"] == "JOB_BUSY"
    sqlite_store.update(job_id, source_etag="etag1")
    sqlite_store.record_progress(
        job_id, status=JobStatus.DONE, stage="done", percent=100, message="ok"
    )
    result = gql(
        REPROCESS,
        {"id": job_id, "from": "HIGHLIGHT_SEGMENTS", "o": {"maxClips": 3, "maxSeconds": 45}},
    )["data"]["reprocessJob"]
    assert result["job"]["status"] == "QUEUED"
    job = sqlite_store.get(job_id)
    assert job is not None and (job.options.max_clips, job.options.max_seconds) == (3, 45)
    tick = command_sensor(
        build_sensor_context(instance=dagster_instance, resources={"job_store": sqlite_store})
    )
    assert isinstance(tick, SensorResult)
    [request] = tick.run_requests or []
    assert request.partition_key == job_id
    assert sorted(k.path[-1] for k in request.asset_selection or []) == [
        "highlight_clips",
        "highlight_segments",
    ]
    replay = command_sensor(
        build_sensor_context(instance=dagster_instance, resources={"job_store": sqlite_store})
    )
    assert not getattr(replay, "run_requests", None)


@pytest.mark.parametrize("operation", ["job", "cancel", "delete", "reprocess", "subscribe"])
def test_other_owners_get_not_found_for_every_operation(
    gql: Gql, client, sqlite_store: JobStoreResource, operation: str  # type: ignore[no-untyped-def]
) -> None:
    job_id = _new_job(gql, token="alice-token")
    sqlite_store.record_progress(
        job_id, status=JobStatus.DONE, stage="done", percent=100, message="ok"
    )
    if operation == "job":
        assert gql(JOB, {"id": job_id}, token="bob-token")["data"]["job"] is None
    elif operation == "cancel":
        assert (
            gql(CANCEL, {"id": job_id}, token="bob-token")["data"]["cancelJob"]["code"]
            == "NOT_FOUND"
        )
    elif operation == "delete":
        assert (
            gql(DELETE, {"id": job_id}, token="bob-token")["data"]["deleteJob"]["code"]
            == "NOT_FOUND"
        )
        assert sqlite_store.get(job_id) is not None
    elif operation == "reprocess":
        r = gql(REPROCESS, {"id": job_id, "from": "TRANSCRIPT"}, token="bob-token")
        assert r["data"]["reprocessJob"]["code"] == "NOT_FOUND"
    else:
        sub = "subscription($id: ID!) { jobProgress(jobId: $id) { status } }"
        with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            ws.send_json(
                {"type": "connection_init", "payload": {"authorization": "Bearer bob-token"}}
            )
            ws.receive_json()
            ws.send_json(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": sub, "variables": {"id": job_id}},
                }
            )
            message = ws.receive_json()
            assert message["type"] in ("next", "error")
            assert "status" not in str(message.get("payload", {}).get("data") or "")
    job = sqlite_store.get(job_id)
    assert job is not None and job.status is JobStatus.DONE


def test_create_upload_is_rate_limited_per_token(gql: Gql, api_settings) -> None:  # type: ignore[no-untyped-def]
    variables = {"input": {"filename": "l.mp4", "contentType": "video/mp4", "sizeBytes": 10}}
    results = [
        gql(CREATE, variables)["data"]["createUpload"]
        for _ in range(api_settings.rate_limit_per_minute + 1)
    ]
    assert results[-1]["__typename"] == "QuotaExceededError"
    assert results[-1]["retryAfterSeconds"] >= 1
    assert (
        gql(CREATE, variables, token="bob-token")["data"]["createUpload"]["__typename"]
        == "UploadTicket"
    )


def test_deep_or_huge_queries_are_refused_without_a_500(client) -> None:  # type: ignore[no-untyped-def]
    deep = "query { jobs { nodes { " * 6 + "id" + " } }" * 6 + " }"
    response = client.post(
        "/graphql", json={"query": deep}, headers={"Authorization": "Bearer alice-token"}
    )
    assert response.status_code in (200, 400) and response.json()["errors"]
    aliases = "query {" + " ".join(f"a{i}: jobs {{ nodes {{ id }} }}" for i in range(100)) + "}"
    response = client.post(
        "/graphql", json={"query": aliases}, headers={"Authorization": "Bearer alice-token"}
    )
    assert response.status_code in (200, 400) and response.json()["errors"]
