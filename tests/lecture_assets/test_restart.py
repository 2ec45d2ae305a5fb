"""After a stop: in-flight runs are retried or fail with advice; no job says done without files."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from dagster import DagsterInstance, DagsterRun, DagsterRunStatus, instance_for_test
from dagster._core.storage.tags import WILL_RETRY_TAG

from lecture_assets.restart import reconcile
from resources.jobs import Job, JobOptions, JobStatus
from resources.jobs.store import JobStoreResource
from resources.storage import S3StorageResource


@pytest.fixture
def instance() -> Iterator[DagsterInstance]:
    # as the embedded dagster.yaml: one automatic retry of a failed run
    with instance_for_test(overrides={"run_retries": {"enabled": True, "max_retries": 1}}) as inst:
        yield inst


def _job(store: JobStoreResource, status: JobStatus, **values: object) -> Job:
    job = store.create_job(
        owner="dev",
        filename="lecture.mp4",
        content_type="video/mp4",
        size_bytes=1000,
        extension="mp4",
        options=JobOptions(),
    )
    store.record_progress(job.id, status=status, stage="transcript", percent=40.0, message="x")
    if values:
        store.update(job.id, **values)
    found = store.get(job.id)
    assert found is not None
    return found


def _run(
    instance: DagsterInstance, job_id: str, status: DagsterRunStatus, retry_of: str | None = None
) -> DagsterRun:
    run = DagsterRun(
        job_name="process_lecture",
        run_id=str(uuid.uuid4()),
        status=status,
        tags={"dagster/partition": job_id}
        | (
            {"dagster/root_run_id": retry_of, "dagster/parent_run_id": retry_of} if retry_of else {}
        ),
        root_run_id=retry_of,
        parent_run_id=retry_of,
    )
    return instance.add_run(run)


def _done_with_clips(store: JobStoreResource, storage: S3StorageResource, clips: int) -> Job:
    job = _job(store, JobStatus.DONE)
    entries = []
    for n in range(1, clips + 1):
        files = {
            "video": f"clips/{n}/clip.mp4",
            "srt": f"clips/{n}/clip.srt",
            "vtt": f"clips/{n}/clip.vtt",
            "thumbnail": f"clips/{n}/thumb.jpg",
        }
        for relative in files.values():
            storage.put_bytes(f"jobs/{job.id}/{relative}", b"x")
        entries.append({"index": n, **files})
    storage.put_json(f"jobs/{job.id}/manifest.json", {"clips": entries})
    store.update(job.id, manifest_key=f"jobs/{job.id}/manifest.json")
    storage.put_bytes(job.source_key, b"source")
    found = store.get(job.id)
    assert found is not None
    return found


def test_a_run_in_flight_is_retried_and_its_job_keeps_running(
    instance: DagsterInstance, sqlite_store: JobStoreResource, storage: S3StorageResource
) -> None:
    job = _job(sqlite_store, JobStatus.RUNNING, source_etag="e1")
    run = _run(instance, job.id, DagsterRunStatus.STARTED)

    report = reconcile(instance, sqlite_store, storage)

    after = instance.get_run_by_id(run.run_id)
    assert after is not None and after.status == DagsterRunStatus.FAILURE
    assert after.tags.get(WILL_RETRY_TAG) == "true"  # the daemon re-executes it
    assert report.runs_retried == [run.run_id]
    state = sqlite_store.get(job.id)
    assert state is not None and state.status is JobStatus.RUNNING
    assert "retrying" in state.message


def test_a_run_that_used_its_retry_fails_the_job_with_advice(
    instance: DagsterInstance, sqlite_store: JobStoreResource, storage: S3StorageResource
) -> None:
    job = _job(sqlite_store, JobStatus.RUNNING, source_etag="e1")
    first = _run(instance, job.id, DagsterRunStatus.FAILURE)
    run = _run(instance, job.id, DagsterRunStatus.STARTED, retry_of=first.run_id)

    report = reconcile(instance, sqlite_store, storage)

    assert report.runs_failed == [run.run_id] and report.jobs_failed == [job.id]
    state = sqlite_store.get(job.id)
    assert state is not None and state.status is JobStatus.FAILED
    assert state.error_code == "PIPELINE_ERROR"
    assert "Reprocess the job" in (state.error_message or "")


def test_a_cancelling_run_ends_cancelled(
    instance: DagsterInstance, sqlite_store: JobStoreResource, storage: S3StorageResource
) -> None:
    job = _job(sqlite_store, JobStatus.RUNNING, source_etag="e1")
    run = _run(instance, job.id, DagsterRunStatus.CANCELING)
    assert reconcile(instance, sqlite_store, storage).runs_cancelled == [run.run_id]
    after = instance.get_run_by_id(run.run_id)
    assert after is not None and after.status == DagsterRunStatus.CANCELED


def test_an_upload_seen_but_never_run_goes_back_to_the_sensor(
    instance: DagsterInstance, sqlite_store: JobStoreResource, storage: S3StorageResource
) -> None:
    job = _job(sqlite_store, JobStatus.QUEUED, source_etag="e1")
    waiting = _job(sqlite_store, JobStatus.QUEUED)  # no upload yet: untouched

    report = reconcile(instance, sqlite_store, storage)

    assert report.jobs_retrying == [job.id]
    state = sqlite_store.get(job.id)
    assert state is not None and state.status is JobStatus.QUEUED and state.source_etag is None
    untouched = sqlite_store.get(waiting.id)
    assert untouched is not None and untouched.updated_at == waiting.updated_at


@pytest.mark.parametrize("in_flight", [True, False])
def test_a_run_stopped_after_its_job_finished_is_not_run_again(
    instance: DagsterInstance,
    sqlite_store: JobStoreResource,
    storage: S3StorageResource,
    in_flight: bool,
) -> None:
    # the job's clips are out; the stop caught its run in the checks after them (a kill -9
    # leaves the run started, a SIGTERM lets the worker fail it with a retry due)
    job = _done_with_clips(sqlite_store, storage, clips=1)
    status = DagsterRunStatus.STARTED if in_flight else DagsterRunStatus.FAILURE
    run = _run(instance, job.id, status)
    if not in_flight:
        instance.add_run_tags(run.run_id, {WILL_RETRY_TAG: "true"})
    running = _job(sqlite_store, JobStatus.RUNNING, source_etag="e1")
    retried = _run(instance, running.id, DagsterRunStatus.STARTED)

    report = reconcile(instance, sqlite_store, storage)

    after = instance.get_run_by_id(run.run_id)
    assert after is not None and after.tags.get(WILL_RETRY_TAG) == "false"
    assert report.retries_dropped == [run.run_id] and run.run_id not in report.runs_retried
    state = sqlite_store.get(job.id)
    assert state is not None and state.status is JobStatus.DONE
    # a job still running keeps its retry
    other = instance.get_run_by_id(retried.run_id)
    assert other is not None and other.tags.get(WILL_RETRY_TAG) == "true"


def test_finished_runs_and_jobs_are_left_alone(
    instance: DagsterInstance, sqlite_store: JobStoreResource, storage: S3StorageResource
) -> None:
    failed = _job(sqlite_store, JobStatus.FAILED, source_etag="e1")
    run = _run(instance, failed.id, DagsterRunStatus.FAILURE)
    assert reconcile(instance, sqlite_store, storage).changed == 0
    after = instance.get_run_by_id(run.run_id)
    assert after is not None and after.status == DagsterRunStatus.FAILURE
    state = sqlite_store.get(failed.id)
    assert state is not None and state.updated_at == failed.updated_at


def test_done_jobs_keep_done_only_with_all_their_files(
    instance: DagsterInstance, sqlite_store: JobStoreResource, storage: S3StorageResource
) -> None:
    whole = _done_with_clips(sqlite_store, storage, clips=3)
    lost_clip = _done_with_clips(sqlite_store, storage, clips=2)
    storage.delete_keys([f"jobs/{lost_clip.id}/clips/2/clip.vtt"])
    lost_all = _done_with_clips(sqlite_store, storage, clips=1)
    storage.delete_prefix(f"jobs/{lost_all.id}/")
    storage.delete_keys([lost_all.source_key])

    report = reconcile(instance, sqlite_store, storage)

    assert sorted(report.jobs_failed) == sorted([lost_clip.id, lost_all.id])
    kept = sqlite_store.get(whole.id)
    assert kept is not None and kept.status is JobStatus.DONE
    clip = sqlite_store.get(lost_clip.id)
    assert clip is not None and clip.status is JobStatus.FAILED
    assert "clips/2/clip.vtt" in (clip.error_message or "")
    assert "Reprocess the job" in (clip.error_message or "")
    gone = sqlite_store.get(lost_all.id)
    assert gone is not None and gone.error_code == "PIPELINE_ERROR"
    assert "upload the lecture again" in (gone.error_message or "")
    # a second start finds nothing more to do
    assert reconcile(instance, sqlite_store, storage).changed == 0
