"""The upload sensor starts one run per good upload and fails bad ones without a run."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from dagster import DagsterInstance, SensorResult, build_sensor_context, instance_for_test

from resources.jobs import JobOptions, JobStatus
from resources.jobs.store import JobStoreResource
from resources.limits import LimitsResource
from resources.storage import S3StorageResource, StoredObject
from sensors.upload_sensor import UploadCursor, upload_sensor

MP4_HEAD = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 64


@pytest.fixture
def instance() -> DagsterInstance:
    with instance_for_test() as inst:
        yield inst


def _job(store: JobStoreResource, size: int, name: str = "talk.mp4") -> str:
    return store.create_job(
        owner="alice",
        filename=name,
        content_type="video/mp4",
        size_bytes=size,
        extension="mp4",
        options=JobOptions(),
    ).id


def _tick(
    instance: DagsterInstance,
    storage: S3StorageResource,
    store: JobStoreResource,
    cursor: str | None = None,
) -> SensorResult:
    context = build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={"storage": storage, "job_store": store, "limits": LimitsResource()},
    )
    result = upload_sensor(context)
    assert isinstance(result, SensorResult), result
    return result


def test_good_upload_adds_partition_and_one_keyed_run(
    instance: DagsterInstance, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> None:
    job_id = _job(sqlite_store, len(MP4_HEAD))
    job = sqlite_store.get(job_id)
    assert job is not None
    storage.put_bytes(job.source_key, MP4_HEAD)
    result = _tick(instance, storage, sqlite_store)
    etag = storage.head(job.source_key).etag  # type: ignore[union-attr]
    assert [r.run_key for r in result.run_requests or []] == [f"{job_id}:{etag}"]
    assert result.run_requests[0].partition_key == job_id  # type: ignore[index]
    assert result.dynamic_partitions_requests[0].partition_keys == [job_id]  # type: ignore[index]
    # the same tick replayed with its cursor starts nothing new
    again = upload_sensor(
        build_sensor_context(
            instance=instance,
            cursor=result.cursor,
            resources={"storage": storage, "job_store": sqlite_store, "limits": LimitsResource()},
        )
    )
    assert not getattr(again, "run_requests", None)


@pytest.mark.parametrize(
    ("body", "declared", "code"),
    [
        (b"", 10, "EMPTY_FILE"),
        (b"<!DOCTYPE html><html><body>not a video</body></html>", 100, "NOT_A_VIDEO"),
        (b"%PDF-1.7\n" + b"x" * 200, 300, "NOT_A_VIDEO"),
        (MP4_HEAD * 4, len(MP4_HEAD), "SIZE_MISMATCH"),
    ],
    ids=["empty", "html", "pdf", "larger-than-declared"],
)
def test_bad_upload_fails_its_job_and_starts_no_run(
    instance: DagsterInstance,
    storage: S3StorageResource,
    sqlite_store: JobStoreResource,
    body: bytes,
    declared: int,
    code: str,
) -> None:
    bad = _job(sqlite_store, declared)
    good = _job(sqlite_store, len(MP4_HEAD), "ok.mp4")
    storage.put_bytes(sqlite_store.get(bad).source_key, body)  # type: ignore[union-attr]
    storage.put_bytes(sqlite_store.get(good).source_key, MP4_HEAD)  # type: ignore[union-attr]
    result = _tick(instance, storage, sqlite_store)
    failed = sqlite_store.get(bad)
    assert failed is not None and failed.status is JobStatus.FAILED
    assert failed.error_code == code
    assert "upload" in (failed.error_message or "").lower()
    # the other job in the same tick is untouched and runs
    assert [r.partition_key for r in result.run_requests or []] == [good]


def test_unknown_keys_are_ignored_without_crashing(
    instance: DagsterInstance, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> None:
    storage.put_bytes("uploads/mallory/not-a-job/source.mp4", MP4_HEAD)
    storage.put_bytes("uploads/../../etc/passwd", b"x")
    result = _tick(instance, storage, sqlite_store)
    assert not result.run_requests


def test_cursor_never_misses_two_uploads_in_the_same_second() -> None:
    second = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    first = StoredObject("uploads/a/1/source.mp4", 1, "e1", second)
    cursor = UploadCursor()
    cursor.advance(first)
    late_same_second = StoredObject("uploads/b/2/source.mp4", 1, "e2", second)
    assert cursor.is_new(late_same_second)
    assert not cursor.is_new(first)
    restored = UploadCursor.parse(cursor.dump())
    assert restored.is_new(late_same_second) and not restored.is_new(first)


def test_twenty_uploads_in_one_second_each_get_one_run(
    instance: DagsterInstance, storage: S3StorageResource, sqlite_store: JobStoreResource
) -> None:
    ids = [_job(sqlite_store, len(MP4_HEAD), f"{n}.mp4") for n in range(20)]
    for job_id in ids[:10]:
        storage.put_bytes(sqlite_store.get(job_id).source_key, MP4_HEAD)  # type: ignore[union-attr]
    first = _tick(instance, storage, sqlite_store)
    for job_id in ids[10:]:
        storage.put_bytes(sqlite_store.get(job_id).source_key, MP4_HEAD)  # type: ignore[union-attr]
    second = _tick(instance, storage, sqlite_store, first.cursor)
    started = [r.partition_key for r in (first.run_requests or []) + (second.run_requests or [])]
    assert sorted(started) == sorted(ids)
