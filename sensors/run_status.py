"""Run-status sensors: a failed or cancelled run leaves its job with a clear message."""

from __future__ import annotations

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunStatusSensorContext,
    run_failure_sensor,
    run_status_sensor,
)

from resources.dagster_names import PARTITION_TAG, WILL_RETRY_TAG
from resources.jobs import JobStatus
from resources.jobs.store import JobStoreResource
from resources.workdir import WorkdirResource


def _job_id(context: RunStatusSensorContext) -> str | None:
    """The lecture job the run was for: its partition (a run of no partition: None)."""
    return context.dagster_run.tags.get(PARTITION_TAG)


# both watch every job of the code location that wires them (so this package imports none of
# it): process_lecture runs and an operator's materialisations of a lecture from the UI alike
@run_failure_sensor(default_status=DefaultSensorStatus.RUNNING)
def lecture_run_failed(
    context: RunFailureSensorContext, job_store: JobStoreResource, workdir: WorkdirResource
) -> None:
    """Mark the job failed (unless a stage said why or Dagster retries the run); clean up."""
    job_id = _job_id(context)
    if not job_id:
        return
    store = job_store
    job = store.get(job_id)
    workdir.cleanup(job_id)
    if job is None or job.status.terminal:  # a stage already said why, or the job finished
        return
    reason = context.failure_event.message or "the run failed"
    if context.dagster_run.tags.get(WILL_RETRY_TAG) == "true":
        # run_retries re-executes it (a killed worker, a restart): the job is not lost
        store.record_progress(
            job_id,
            status=JobStatus.RUNNING,
            stage=job.stage,
            percent=job.percent,
            message=f"retrying after: {reason[:200]}",
        )
        return
    store.fail(
        job_id,
        "PIPELINE_ERROR",
        f"Processing stopped at '{job.stage}': {reason[:400]}. Reprocess the job; if it "
        "fails again, contact the operator with the job id.",
    )


@run_status_sensor(run_status=DagsterRunStatus.CANCELED, default_status=DefaultSensorStatus.RUNNING)
def lecture_run_cancelled(
    context: RunStatusSensorContext, job_store: JobStoreResource, workdir: WorkdirResource
) -> None:
    """A cancelled run leaves its job cancelled and its scratch files gone."""
    job_id = _job_id(context)
    if not job_id:
        return
    workdir.cleanup(job_id)
    store = job_store
    job = store.get(job_id)
    if job is not None and not job.status.terminal:
        store.record_progress(
            job_id,
            status=JobStatus.CANCELLED,
            stage=job.stage,
            percent=job.percent,
            message="cancelled",
        )
