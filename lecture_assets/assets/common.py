"""What every lecture asset shares: stage bookkeeping and failures users can act on."""

import errno
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from dagster import AssetExecutionContext, Failure, MetadataValue

from lecture_assets.analysis.media.ffmpeg import MediaError
from lecture_assets.stages import spans
from resources.jobs import Job, JobStatus
from resources.jobs.store import JobStoreResource
from resources.progress import ProgressResource, StageReporter
from resources.storage import StorageError

DISK_FULL = "DISK_FULL"
DISK_FULL_MESSAGE = (
    "The processing worker ran out of local disk space. Nothing is wrong with your video: "
    "reprocess the job in a few minutes; the operator has to free space in the work folder "
    "(LECTURE_DATA_DIR/work) if it happens again."
)


class StageError(Exception):
    """An expected failure with a code and a message that tells the user what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Stage:
    """The running stage: its job, its progress reporter and how long it has run."""

    job: Job
    report: StageReporter
    started: float

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started


@contextmanager
def run_stage(
    context: AssetExecutionContext,
    job_store: JobStoreResource,
    progress: ProgressResource,
    stage: str,
) -> Iterator[Stage]:
    """Mark the job running at `stage`; turn expected errors into a failed job and a Failure."""
    job_id = context.partition_key
    job = job_store.get(job_id)
    if job is None:
        raise Failure(
            description=f"job {job_id} is not in the job store; create it through the API",
            allow_retries=False,
        )
    if job.status is JobStatus.CANCELLED:
        raise Failure(description=f"job {job_id} was cancelled", allow_retries=False)
    # each stage's share of the bar comes from the stage registry
    reporter = progress.stage(job_store, job_id, stage, spans().get(stage, (0.0, 100.0)))
    reporter(0.0, f"{stage.replace('_', ' ')} started")
    started = time.monotonic()
    try:
        yield Stage(job=job, report=reporter, started=started)
    except (StageError, MediaError) as exc:
        job_store.fail(job_id, exc.code, exc.message, stage=stage)
        context.log.error(f"{stage} failed for job {job_id}: [{exc.code}] {exc.message}")
        raise Failure(
            description=exc.message, metadata={"error_code": exc.code}, allow_retries=False
        ) from exc
    except StorageError as exc:
        job_store.fail(job_id, "STORAGE_ERROR", str(exc), stage=stage)
        raise
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        job_store.fail(job_id, DISK_FULL, DISK_FULL_MESSAGE, stage=stage)
        context.log.error(f"{stage} failed for job {job_id}: local disk full ({exc})")
        raise Failure(
            description=DISK_FULL_MESSAGE, metadata={"error_code": DISK_FULL}, allow_retries=False
        ) from exc
    reporter(1.0, f"{stage.replace('_', ' ')} done in {time.monotonic() - started:.1f} s")


def duration_meta(stage: Stage, media_seconds: float) -> dict[str, Any]:
    """Wall time and realtime factor of a stage, for the Dagster UI."""
    elapsed = stage.elapsed_s
    meta: dict[str, Any] = {"stage_seconds": MetadataValue.float(round(elapsed, 2))}
    if media_seconds > 0:
        meta["realtime_factor"] = MetadataValue.float(round(elapsed / media_seconds, 4))
    return meta
