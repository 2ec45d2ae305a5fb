"""A harness that drives uploads through the real API, moto S3, the sensor and Dagster."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from dagster import (
    AssetsDefinition,
    DagsterInstance,
    SensorResult,
    SkipReason,
    build_sensor_context,
    instance_for_test,
    materialize,
)
from fastapi.testclient import TestClient
from pydantic import SecretStr

from graphql_api.app import create_app
from graphql_api.dagster_control import DagsterControl
from lecture_assets import stage_assets
from lecture_assets.resources_by_settings import build_resources
from resources.jobs import Job
from resources.jobs.store import JobStoreResource
from resources.settings import Settings
from resources.storage import S3StorageResource
from sensors.upload_sensor import upload_sensor

CREATE = """mutation($input: CreateUploadInput!) { createUpload(input: $input) {
  __typename ... on UploadTicket { job { id status } uploadUrl uploadHeaders }
  ... on ValidationError { code message field } ... on QuotaExceededError { code } } }"""
JOB = """query($id: ID!) { job(id: $id) { id status stage progress
  error { code message } clips { index } } }"""
TOKENS = {"alice": "alice-token", "bob": "bob-token"}


@dataclass
class Harness:
    """One API, bucket, job store and Dagster instance; the sensor cursor is kept across ticks."""

    settings: Settings
    storage: S3StorageResource
    store: JobStoreResource
    instance: DagsterInstance
    client: TestClient
    resources: dict[str, Any]
    cursor: str | None = None
    ticks: list[SensorResult | SkipReason] = field(default_factory=list)

    def gql(self, query: str, variables: dict[str, Any] | None = None, owner: str = "alice") -> Any:
        response = self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {TOKENS[owner]}"},
        )
        assert response.status_code == 200, response.text
        return response.json()

    def create(
        self,
        size: int,
        filename: str = "lecture.mp4",
        content_type: str = "video/mp4",
        owner: str = "alice",
    ) -> dict[str, Any]:
        variables = {
            "input": {"filename": filename, "contentType": content_type, "sizeBytes": size}
        }
        result: dict[str, Any] = self.gql(CREATE, variables, owner)["data"]["createUpload"]
        return result

    def put(self, ticket: dict[str, Any], body: bytes) -> None:
        response = httpx.put(ticket["uploadUrl"], content=body, headers=ticket["uploadHeaders"])
        assert response.status_code == 200, response.text

    def upload(
        self,
        body: bytes,
        *,
        declared: int | None = None,
        filename: str = "lecture.mp4",
        content_type: str = "video/mp4",
        owner: str = "alice",
    ) -> str:
        """createUpload through the API, then PUT the bytes to the presigned URL; the job id."""
        ticket = self.create(
            declared if declared is not None else max(1, len(body)), filename, content_type, owner
        )
        assert ticket["__typename"] == "UploadTicket", ticket
        self.put(ticket, body)
        return str(ticket["job"]["id"])

    def tick(self, cursor: str | None = None, fresh: bool = False) -> SensorResult | SkipReason:
        """One evaluation of the real upload sensor; partitions it asks for are added."""
        context = build_sensor_context(
            instance=self.instance,
            cursor=None if fresh else (cursor if cursor is not None else self.cursor),
            resources=self.resources,
        )
        result = upload_sensor(context)
        self.ticks.append(result)
        if isinstance(result, SensorResult):
            self.cursor = result.cursor
            for request in result.dynamic_partitions_requests or []:
                self.instance.add_dynamic_partitions(
                    request.partitions_def_name,  # type: ignore[arg-type]
                    list(request.partition_keys or []),
                )
        return result

    def started(self, result: SensorResult | SkipReason) -> list[str]:
        if isinstance(result, SkipReason):
            return []
        return [str(r.partition_key) for r in result.run_requests or []]

    def run(self, assets: Sequence[AssetsDefinition], job_id: str, **overrides: Any) -> bool:
        """Materialise `assets` for one partition in-process; True when the run succeeded.

        Their upstream stages' outputs load from storage, as in a reprocess from a stage."""
        resources = {**self.resources, **overrides}
        result = materialize(
            stage_assets.assets(),
            selection=[a.key for a in assets],
            partition_key=job_id,
            resources=resources,
            instance=self.instance,
            raise_on_error=False,
        )
        return bool(result.success)

    def job(self, job_id: str, owner: str = "alice") -> dict[str, Any]:
        """The job as its owner sees it through the API."""
        found: dict[str, Any] = self.gql(JOB, {"id": job_id}, owner)["data"]["job"]
        return found

    def record(self, job_id: str) -> Job:
        job = self.store.get(job_id)
        assert job is not None
        return job

    @property
    def work_root(self) -> Path:
        return Path(self.resources["workdir"].root)


@pytest.fixture
def rel_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"api_tokens": SecretStr("alice:alice-token,bob:bob-token")})


@pytest.fixture
def harness(
    rel_settings: Settings, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> Iterator[Harness]:
    with instance_for_test() as instance:
        resources = build_resources(rel_settings)
        resources.update(storage=storage, job_store=sqlite_store)
        control = DagsterControl(instance_factory=lambda: instance)
        app = create_app(rel_settings, storage=storage, job_store=sqlite_store, dagster=control)
        with TestClient(app) as client:
            yield Harness(rel_settings, storage, sqlite_store, instance, client, resources)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reliability-media")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
