"""The command sensor: carry out reprocess requests the API queued, as new partitioned runs."""

from __future__ import annotations

from collections.abc import Callable

from dagster import (
    AssetKey,
    DefaultSensorStatus,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from resources.dagster_names import (
    CLIPS_TAG,
    FROM_STAGE_TAG,
    JOB_ID_TAG,
    OWNER_TAG,
    PROCESS_LECTURE_JOB,
)
from resources.jobs import JobStatus
from resources.jobs.store import JobStoreResource

# `stage` and every stage downstream of it, in pipeline order (ValueError: no such stage)
StagesFrom = Callable[[str], list[str]]


def reprocess_request(
    job_id: str,
    command_id: int,
    from_stage: str,
    stages: list[str],
    owner: str,
    clips: list[int] | None = None,
) -> RunRequest:
    """A run of `stages` (`from_stage` and everything downstream of it) for one lecture
    (`clips`: only these clips are re-rendered, the studio's edits)."""
    tags = {JOB_ID_TAG: job_id, OWNER_TAG: owner, FROM_STAGE_TAG: from_stage}
    if clips:
        tags[CLIPS_TAG] = ",".join(str(int(i)) for i in clips)
    return RunRequest(
        run_key=f"reprocess:{job_id}:{command_id}",
        partition_key=job_id,
        asset_selection=[AssetKey(stage) for stage in stages],
        tags=tags,
    )


def build_command_sensor(stages_from: StagesFrom) -> SensorDefinition:
    """The command sensor for a code location whose stage graph `stages_from` walks (the
    location passes it in, so this package never imports the location that wires it)."""

    @sensor(
        job_name=PROCESS_LECTURE_JOB,
        minimum_interval_seconds=2,
        default_status=DefaultSensorStatus.RUNNING,
    )
    def command_sensor(
        context: SensorEvaluationContext, job_store: JobStoreResource
    ) -> SensorResult | SkipReason:
        """Turn each pending `reprocess` command into exactly one run (run keys dedupe
        replays)."""
        pending = job_store.pending_commands()
        if not pending:
            return SkipReason("no pending commands")
        runs: list[RunRequest] = []
        for command in pending:
            job = job_store.get(command.job_id)
            if job is not None and command.kind == "reprocess" and job.status is JobStatus.QUEUED:
                try:
                    from_stage = command.payload["from"]
                    runs.append(
                        reprocess_request(
                            job.id,
                            command.id,
                            from_stage,
                            stages_from(from_stage),
                            job.owner,
                            command.payload.get("clips"),
                        )
                    )
                except (KeyError, ValueError, TypeError) as exc:
                    job_store.fail(job.id, "INVALID_REPROCESS", f"reprocess request refused: {exc}")
            job_store.mark_command_handled(command.id)
        return SensorResult(run_requests=runs)

    return command_sensor
