"""The command sensor: carry out reprocess requests the API queued, as new partitioned runs."""

from __future__ import annotations

from dagster import (
    AssetKey,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from lecture_assets.clip_edit_store import CLIPS_TAG
from lecture_assets.jobs import process_lecture
from lecture_assets.stages import downstream_of
from resources.job_store import JobStoreResource
from resources.jobs import JobStatus


def reprocess_request(
    job_id: str, command_id: int, from_stage: str, owner: str, clips: list[int] | None = None
) -> RunRequest:
    """A run of `from_stage` and everything downstream of it for one lecture (`clips`: only
    these clips are re-rendered, the studio's edits)."""
    tags = {"lecture/job_id": job_id, "lecture/owner": owner, "lecture/from": from_stage}
    if clips:
        tags[CLIPS_TAG] = ",".join(str(int(i)) for i in clips)
    return RunRequest(
        run_key=f"reprocess:{job_id}:{command_id}",
        partition_key=job_id,
        asset_selection=[AssetKey(stage) for stage in downstream_of(from_stage)],
        tags=tags,
    )


@sensor(job=process_lecture, minimum_interval_seconds=2, default_status=DefaultSensorStatus.RUNNING)
def command_sensor(
    context: SensorEvaluationContext, job_store: JobStoreResource
) -> SensorResult | SkipReason:
    """Turn each pending `reprocess` command into exactly one run (run keys dedupe replays)."""
    pending = job_store.pending_commands()
    if not pending:
        return SkipReason("no pending commands")
    runs: list[RunRequest] = []
    for command in pending:
        job = job_store.get(command.job_id)
        if job is not None and command.kind == "reprocess" and job.status is JobStatus.QUEUED:
            try:
                runs.append(
                    reprocess_request(
                        job.id,
                        command.id,
                        command.payload["from"],
                        job.owner,
                        command.payload.get("clips"),
                    )
                )
            except (KeyError, ValueError, TypeError) as exc:
                job_store.fail(job.id, "INVALID_REPROCESS", f"reprocess request refused: {exc}")
        job_store.mark_command_handled(command.id)
    return SensorResult(run_requests=runs)
