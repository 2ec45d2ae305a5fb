"""Shared test fixtures: a real local S3 server, job stores on SQLite and PostgreSQL, settings."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from moto.server import ThreadedMotoServer

from resources.jobs.store import JobStoreResource
from resources.settings import Settings
from resources.storage import S3StorageResource
from resources.storage.server import EmbeddedS3, stop_process

POSTGRES_URL = os.environ.get(
    "LECTURE_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("LECTURE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on loopback for the whole session (real HTTP, real boto3)."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(scope="session")
def embedded_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedS3]:
    """The embedded durable store (SeaweedFS) on loopback, data on disk, signatures checked."""
    server = EmbeddedS3(
        data_dir=tmp_path_factory.mktemp("embedded-s3"),
        s3_port=_free_port(),
        access_key_id="testing",
        secret_access_key="testing",
    )
    proc = server.start(server.data_dir / "weed.log")
    try:
        server.wait_ready(proc, timeout_s=180)
        yield server
    finally:
        stop_process(proc)


@pytest.fixture
def storage(s3_endpoint: str) -> S3StorageResource:
    """A fresh bucket per test."""
    resource = S3StorageResource(
        bucket=f"test-{uuid.uuid4().hex[:12]}",
        endpoint_url=s3_endpoint,
        access_key_id="testing",
        secret_access_key="testing",
        max_attempts=2,
    )
    resource.ensure_bucket()
    return resource


def postgres_reachable() -> bool:
    try:
        engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def _require_postgres() -> None:
    if postgres_reachable():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required in CI but is not reachable")
    pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")


def redis_url() -> str:
    """The local Redis server's URL; skips the test where it is not reachable (fails in CI)."""
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        client.close()
        return REDIS_URL
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is required in CI but is not reachable")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def job_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[JobStoreResource]:
    """The job store on SQLite and, where reachable (mandatory in CI), PostgreSQL."""
    if request.param == "sqlite":
        store = JobStoreResource(url=f"sqlite:///{tmp_path / 'jobs.db'}")
        store.migrate()
        yield store
        return
    _require_postgres()
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    store = JobStoreResource(url=url)
    store.migrate()
    yield store
    store.engine.dispose()
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> JobStoreResource:
    store = JobStoreResource(url=f"sqlite:///{tmp_path / 'jobs.db'}")
    store.migrate()
    return store


@pytest.fixture
def settings(tmp_path: Path, s3_endpoint: str) -> Settings:
    """Settings for tests: local S3 server, data under tmp_path, tiny.en for speed."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        data_dir=tmp_path / "data",
        s3_endpoint_url=s3_endpoint,
        whisper_model="tiny.en",
    )
