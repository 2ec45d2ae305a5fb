"""On start, reconcile the job store with Dagster's runs and the object store after a stop."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dagster import DagsterInstance, DagsterRun, DagsterRunStatus, RunsFilter

from lecture_assets import keys
from resources.dagster_names import WILL_RETRY_TAG
from resources.jobs import Job, JobStatus
from resources.jobs.store import JobStoreResource
from resources.storage import StorageError, StorageResource

log = logging.getLogger(__name__)

PROCESS_JOB = "process_lecture"
# a run in one of these had a worker process; after a stop of the whole stack it has none
IN_FLIGHT = [
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]
STOPPED_MESSAGE = "the stack stopped while this run was in flight (restart of `make run`)"
ADVICE = "Reprocess the job; if it fails again, contact the operator with the job id."
CLIP_FILE_FIELDS = ("video", "srt", "vtt", "thumbnail")


@dataclass
class RestartReport:
    """What reconciliation changed, for the start-up log and tests."""

    runs_retried: list[str] = field(default_factory=list)
    runs_failed: list[str] = field(default_factory=list)
    runs_cancelled: list[str] = field(default_factory=list)
    jobs_failed: list[str] = field(default_factory=list)
    jobs_retrying: list[str] = field(default_factory=list)
    retries_dropped: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(
            len(v)
            for v in (
                self.runs_retried,
                self.runs_failed,
                self.runs_cancelled,
                self.jobs_failed,
                self.jobs_retrying,
                self.retries_dropped,
            )
        )


def _partition(run: DagsterRun) -> str | None:
    return run.tags.get("dagster/partition")


def settle_in_flight_runs(instance: DagsterInstance, report: RestartReport) -> None:
    """Fail (or cancel) runs whose worker went down with the stack; Dagster retries the failed.

    `run_retries` in the instance decides: the failure event gets `dagster/will_retry`, and the
    daemon re-executes the run once it is up (the run-failure sensor leaves such jobs running).
    """
    runs = instance.get_runs(RunsFilter(job_name=PROCESS_JOB, statuses=IN_FLIGHT))
    for run in runs:
        if run.status == DagsterRunStatus.CANCELING:
            instance.report_run_canceled(run, message=f"{STOPPED_MESSAGE}; cancelled")
            report.runs_cancelled.append(run.run_id)
            continue
        instance.report_run_failed(run, message=STOPPED_MESSAGE)
        after = instance.get_run_by_id(run.run_id)
        if after is not None and after.tags.get(WILL_RETRY_TAG) == "true":
            report.runs_retried.append(run.run_id)
        else:
            report.runs_failed.append(run.run_id)


def drop_retries_of_finished_jobs(
    instance: DagsterInstance, store: JobStoreResource, report: RestartReport
) -> None:
    """A run stopped in its last steps (the checks after the clips) when its job had already
    finished is not run again: its retry would only redo finished work, and the daemon would
    launch it as soon as the stack is up."""
    due = instance.get_runs(
        RunsFilter(
            job_name=PROCESS_JOB, statuses=[DagsterRunStatus.FAILURE], tags={WILL_RETRY_TAG: "true"}
        ),
        limit=200,
    )
    for run in due:
        job_id = _partition(run)
        job = store.get(job_id) if job_id else None
        if job is None or job.status not in (JobStatus.DONE, JobStatus.CANCELLED):
            continue
        if instance.get_runs(RunsFilter(tags={"dagster/parent_run_id": run.run_id}), limit=1):
            continue  # retried already
        instance.add_run_tags(run.run_id, {WILL_RETRY_TAG: "false"})
        report.retries_dropped.append(run.run_id)
        if run.run_id in report.runs_retried:
            report.runs_retried.remove(run.run_id)


def _latest_runs(instance: DagsterInstance, job_id: str) -> list[DagsterRun]:
    return list(
        instance.get_runs(
            RunsFilter(job_name=PROCESS_JOB, tags={"dagster/partition": job_id}), limit=5
        )
    )


def _pending(run: DagsterRun) -> bool:
    """The run is still going to do something: queued, running, or failed with a retry due."""
    if run.status in (DagsterRunStatus.QUEUED, *IN_FLIGHT):
        return True
    return run.status == DagsterRunStatus.FAILURE and run.tags.get(WILL_RETRY_TAG) == "true"


def settle_unfinished_jobs(
    instance: DagsterInstance, store: JobStoreResource, report: RestartReport
) -> None:
    """A started job whose runs will do nothing more is retried or fails with advice.

    Queued jobs whose upload was seen (etag set) but whose run never got created go back to
    the upload sensor (it requests the run again); running jobs with a retry due say so;
    the rest fail with PIPELINE_ERROR.
    """
    started = [
        job
        for job in store.jobs_with_status([JobStatus.RUNNING, JobStatus.QUEUED], limit=100_000)
        if job.status is JobStatus.RUNNING or job.source_etag is not None
    ]
    for job in started:
        runs = _latest_runs(instance, job.id)
        if not runs and job.status is JobStatus.QUEUED:
            store.update(job.id, source_etag=None)  # the sensor sees the upload anew
            report.jobs_retrying.append(job.id)
            continue
        if runs and _pending(runs[0]):
            if runs[0].status == DagsterRunStatus.FAILURE:
                store.record_progress(
                    job.id,
                    status=JobStatus.RUNNING,
                    stage=job.stage,
                    percent=job.percent,
                    message="the service restarted while processing; retrying the run",
                )
                report.jobs_retrying.append(job.id)
            continue
        if runs and runs[0].status == DagsterRunStatus.SUCCESS and job.manifest_key:
            store.record_progress(
                job.id, status=JobStatus.DONE, stage="done", percent=100.0, message="clips ready"
            )
            continue  # finished as the service stopped: the file check below decides
        store.fail(
            job.id,
            "PIPELINE_ERROR",
            f"Processing stopped at '{job.stage}' when the service restarted, and no retry "
            f"is left. {ADVICE}",
        )
        report.jobs_failed.append(job.id)


def missing_files(storage: StorageResource, job: Job) -> list[str]:
    """Keys the job's manifest names that are not in storage (the manifest itself included)."""
    manifest_key = job.manifest_key or keys.manifest(job.id)
    try:
        manifest: Any = storage.get_json(manifest_key)
    except StorageError:
        return [manifest_key]
    present = {o.key for o in storage.list(keys.clips_prefix(job.id))}
    wanted: Iterable[str] = (
        f"{keys.job_prefix(job.id)}{clip[name]}"
        for clip in (manifest.get("clips") or [] if isinstance(manifest, dict) else [])
        for name in CLIP_FILE_FIELDS
        if isinstance(clip, dict) and clip.get(name)
    )
    return [key for key in wanted if key not in present]


def settle_done_jobs(
    storage: StorageResource, store: JobStoreResource, report: RestartReport
) -> None:
    """No job says `done` without its files: a done job missing any fails with advice."""
    for job in store.jobs_with_status([JobStatus.DONE], limit=100_000):
        gone = missing_files(storage, job)
        if not gone:
            continue
        upload = storage.head(job.source_key) is not None
        again = (
            "Reprocess the job to render them again."
            if upload
            else "The upload is gone too: upload the lecture again."
        )
        store.fail(
            job.id,
            "PIPELINE_ERROR",
            f"{len(gone)} of the job's files are missing from storage (e.g. {gone[0]}); the "
            f"object store lost them or was replaced. {again}",
        )
        report.jobs_failed.append(job.id)


def reconcile(
    instance: DagsterInstance, store: JobStoreResource, storage: StorageResource
) -> RestartReport:
    """Bring the job store in line with Dagster and storage; run before the daemon starts."""
    report = RestartReport()
    settle_in_flight_runs(instance, report)
    drop_retries_of_finished_jobs(instance, store, report)
    settle_unfinished_jobs(instance, store, report)
    settle_done_jobs(storage, store, report)
    if report.changed:
        log.info(
            "restart reconciled: %d runs retried, %d runs failed, %d jobs failed, %d retrying, "
            "%d retries dropped (their job had finished)",
            len(report.runs_retried),
            len(report.runs_failed),
            len(report.jobs_failed),
            len(report.jobs_retrying),
            len(report.retries_dropped),
        )
    return report
