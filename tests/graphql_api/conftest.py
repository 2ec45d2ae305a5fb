"""An API client wired to the local S3 server and a fresh job store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from dagster import DagsterInstance, instance_for_test
from fastapi.testclient import TestClient
from pydantic import SecretStr

from graphql_api.app import create_app
from graphql_api.dagster_control import DagsterControl
from resources.jobs.store import JobStoreResource
from resources.settings import Settings
from resources.storage import S3StorageResource

Gql = Callable[..., dict[str, Any]]


@pytest.fixture
def api_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"api_tokens": SecretStr("alice:alice-token,bob:bob-token")})


@pytest.fixture
def dagster_instance() -> Iterator[DagsterInstance]:
    with instance_for_test() as instance:
        yield instance


@pytest.fixture
def client(
    api_settings: Settings,
    storage: S3StorageResource,
    sqlite_store: JobStoreResource,
    dagster_instance: DagsterInstance,
) -> Iterator[TestClient]:
    control = DagsterControl(instance_factory=lambda: dagster_instance)
    app = create_app(api_settings, storage=storage, job_store=sqlite_store, dagster=control)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def gql(client: TestClient) -> Gql:
    def run(
        query: str, variables: dict[str, Any] | None = None, token: str | None = "alice-token"
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return run
