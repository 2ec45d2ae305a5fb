"""/metrics shows HTTP and GraphQL traffic and the pipeline's state read from the job store."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
import strawberry
from fastapi.testclient import TestClient
from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from graphql_api.schema import Mutation, Query, Subscription, build_schema
from resources.jobs import JobOptions
from resources.jobs.store import JobStoreResource
from resources.jobs.tables import job_events
from resources.progress import ProgressResource
from tests.graphql_api.conftest import Gql

CREATE = """
mutation CreateLectureUpload($input: CreateUploadInput!) {
  createUpload(input: $input) { __typename ... on UploadTicket { job { id } } } }"""


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in the Prometheus text format, 0 when absent."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        metric, _, raw_labels = head.partition("{")
        found = dict(re.findall(r'(\w+)="([^"]*)"', raw_labels))
        if metric == name and all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    return 0.0


def _simulate_run(store: JobStoreResource) -> tuple[str, str]:
    """One job whose source_video took 42 s and whose transcript failed; one queued job."""
    job = store.create_job(
        owner="alice",
        filename="l.mp4",
        content_type="video/mp4",
        size_bytes=10,
        extension="mp4",
        options=JobOptions(),
    )
    queued = store.create_job(
        owner="bob",
        filename="m.mp4",
        content_type="video/mp4",
        size_bytes=10,
        extension="mp4",
        options=JobOptions(),
    )
    progress = ProgressResource(min_interval_s=0.0)
    source = progress.stage(store, job.id, "source_video")
    source(0.0, "source video started")
    source(0.5, "decoding audio")
    source(1.0, "source video done in 42.0 s")
    transcript = progress.stage(store, job.id, "transcript")
    transcript(0.0, "transcript started")
    store.fail(job.id, "TRANSCRIPTION_FAILED", "the model could not be loaded", stage="transcript")
    # the events were written within milliseconds: move the start back to 42 s before the end
    with store.engine.begin() as conn:
        done_at = conn.execute(
            sa.select(job_events.c.created_at).where(job_events.c.message.like("% done in %"))
        ).scalar_one()
        conn.execute(
            job_events.update()
            .where(job_events.c.message == "source video started")
            .values(created_at=done_at - timedelta(seconds=42))
        )
    return job.id, queued.id


def test_metrics_after_a_graphql_request_and_a_run(
    client: TestClient, gql: Gql, sqlite_store: JobStoreResource
) -> None:
    variables = {"input": {"filename": "a.mp4", "contentType": "video/mp4", "sizeBytes": 2048}}
    body = gql(CREATE, variables)
    assert body["data"]["createUpload"]["__typename"] == "UploadTicket"
    _simulate_run(sqlite_store)

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text

    # HTTP: counted by route template, method and status, with latency buckets
    post = {"route": "/graphql", "method": "POST", "status": "200"}
    assert _sample(text, "lecture_api_requests_total", **post) == 1.0
    assert _sample(text, "lecture_api_request_duration_seconds_count", **post) == 1.0
    assert _sample(text, "lecture_api_request_duration_seconds_bucket", **post, le="+Inf") == 1.0
    assert _sample(text, "lecture_api_request_duration_seconds_bucket", **post, le="10.0") == 1.0
    # GraphQL: by operation name and the union member that came back
    op = {"operation": "CreateLectureUpload", "type": "mutation", "field": "createUpload"}
    assert _sample(text, "lecture_graphql_operations_total", **op, result="UploadTicket") == 1.0

    # pipeline, read from the job store: jobs by status (the API's job + 2 simulated)
    assert _sample(text, "lecture_jobs", status="queued") == 2.0
    assert _sample(text, "lecture_jobs", status="failed") == 1.0
    assert _sample(text, "lecture_jobs", status="done") == 0.0
    # stage duration: one source_video stage of 42 s, in the 60 s bucket but not the 30 s one
    stage = {"stage": "source_video"}
    assert _sample(text, "lecture_stage_duration_seconds_count", **stage) == 1.0
    assert abs(_sample(text, "lecture_stage_duration_seconds_sum", **stage) - 42.0) < 0.5
    assert _sample(text, "lecture_stage_duration_seconds_bucket", **stage, le="60.0") == 1.0
    assert _sample(text, "lecture_stage_duration_seconds_bucket", **stage, le="30.0") == 0.0
    # the failed transcript never finished, so it has no duration sample
    assert _sample(text, "lecture_stage_duration_seconds_count", stage="transcript") == 0.0
    failure = {"error_code": "TRANSCRIPTION_FAILED", "stage": "transcript"}
    assert _sample(text, "lecture_job_failures", **failure) == 1.0
    assert _sample(text, "lecture_pipeline_metrics_up") == 1.0


def test_metrics_label_unknown_routes_without_their_path(client: TestClient) -> None:
    assert client.get("/no/such/thing/8f3a").status_code == 404
    text = client.get("/metrics").text
    assert _sample(text, "lecture_api_requests_total", route="unmatched", status="404") == 1.0
    assert "8f3a" not in text


def test_graphql_errors_and_anonymous_operations_are_counted(client: TestClient) -> None:
    headers = {"Authorization": "Bearer alice-token"}
    client.post("/graphql", json={"query": '{ job(id: "nope") { id } }'}, headers=headers)
    text = client.get("/metrics").text
    anonymous = {"operation": "job", "type": "query", "field": "job"}
    assert _sample(text, "lecture_graphql_operations_total", **anonymous) == 1.0


def test_resolve_hooks_run_on_root_fields_only() -> None:
    """Extensions' `resolve` sees the root fields; nested fields resolve without the wrapper."""
    seen: list[list[str | int]] = []

    class Recorder(SchemaExtension):
        def resolve(
            self, _next: Callable[..., Any], root: Any, info: GraphQLResolveInfo, *a: Any, **k: Any
        ) -> Any:
            seen.append(info.path.as_list())
            return _next(root, info, *a, **k)

    schema = build_schema()
    schema.extensions = (*schema.extensions, Recorder)
    query = "{ __typename all: jobs { nodes { id } pageInfo { hasNextPage endCursor } } }"
    result = asyncio.run(schema.execute(query, context_value=SimpleNamespace(owner=None)))
    assert result.errors is None
    assert result.data == {
        "__typename": "Query",
        "all": {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}},
    }
    assert sorted(seen) == [["__typename"], ["all"]]


def test_cached_name_converter_keeps_the_schema() -> None:
    plain = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)
    assert build_schema().as_str() == plain.as_str()
