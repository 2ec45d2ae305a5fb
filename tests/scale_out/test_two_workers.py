"""Steps of a lecture run on two dagster-celery worker processes; one is killed mid-step."""

from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRun

from lecture_assets.restart import missing_files
from resources.jobs import JobStatus
from resources.jobs.store import JobStoreResource
from resources.storage import S3StorageResource
from tests.conftest import redis_url
from tests.fixtures.lecture import LectureSpec, make_synthetic_lecture
from tests.scale_out.cluster import (
    Cluster,
    StepOnWorker,
    celery_cluster,
    steps_on_workers,
)

WORKERS = ("alpha@scale-out", "beta@scale-out")
# the step killed mid-way: the longest of a short lecture, so the kill lands inside it
VICTIM_STEP = "transcript"
# a killed worker's step is handed back after this; a step running longer is handed out twice
# (assets are idempotent, so that only costs time)
VISIBILITY_S = 45
READY_S = 180.0
STEP_START_S = 240.0
RUN_END_S = 240.0


def _wait_for(
    instance: DagsterInstance, cluster: Cluster, run: subprocess.Popen[bytes], step: str
) -> tuple[DagsterRun, StepOnWorker]:
    """Until a worker starts `step` of the one run; fails at once if the submitter exited."""
    deadline = time.monotonic() + STEP_START_S
    while time.monotonic() < deadline:
        assert run.poll() is None, f"the run ended ({run.returncode}) before '{step}' started"
        runs = instance.get_runs(limit=1)
        if runs:
            started = [s for s in steps_on_workers(instance, runs[0]) if s.step == step]
            if started:
                return runs[0], started[0]
        time.sleep(0.5)
    logs = {name: cluster.worker_log(name)[-1500:] for name in WORKERS}
    raise AssertionError(f"no worker started '{step}' within {STEP_START_S} s: {logs}")


@pytest.mark.slow
@pytest.mark.scale_out
@pytest.mark.timeout(900)
def test_steps_spread_over_two_workers_and_a_killed_one_is_taken_over(
    tmp_path: Path, s3_endpoint: str
) -> None:
    redis_url()  # skips where Redis is missing (fails in CI)
    lecture = make_synthetic_lecture(LectureSpec(sentences_per_topic=4))
    bucket = f"scale-{uuid.uuid4().hex[:10]}"
    with celery_cluster(tmp_path, visibility_timeout_s=VISIBILITY_S) as cluster:
        cluster.env.update(LECTURE_S3_ENDPOINT_URL=s3_endpoint, LECTURE_S3_BUCKET=bucket)
        for name in WORKERS:
            cluster.start_worker(name)
        cluster.wait_workers_ready(READY_S)
        submitted = cluster.submit(lecture.path)
        run_proc = submitted.proc
        instance = DagsterInstance.from_config(str(cluster.home))
        try:
            run, victim = _wait_for(instance, cluster, run_proc, VICTIM_STEP)
            time.sleep(2)  # well inside the step (it takes tens of seconds)
            cluster.kill_worker(victim.worker)
            killed_at = time.time()
            try:
                run_proc.wait(timeout=RUN_END_S)
            except subprocess.TimeoutExpired:
                raise AssertionError(
                    f"the run hung {RUN_END_S} s after worker {victim.worker} was killed: "
                    f"{steps_on_workers(instance, run)}"
                ) from None
            steps = steps_on_workers(instance, run)
        finally:
            if run_proc.poll() is None:
                run_proc.kill()
                run_proc.wait(timeout=30)
            instance.dispose()
        result = submitted.outcome()

    survivor = next(name for name in WORKERS if name != victim.worker)
    # steps ran on both worker processes, not on the submitting process
    assert {s.worker for s in steps} == set(WORKERS), steps
    # the killed worker's step was handed to the other one (once, or twice when it outlasted
    # the visibility timeout), and the run finished
    retaken = {s.worker for s in steps if s.step == VICTIM_STEP and s.timestamp > killed_at}
    assert retaken == {survivor}, steps
    assert result["success"] is True, (result, submitted.output()[-3000:])
    # the job is done and every file its manifest names is in storage
    job_id = str(result["job_id"])
    store = JobStoreResource(url=f"sqlite:///{(tmp_path / 'data' / 'jobs.db').resolve()}")
    job = store.get(job_id)
    assert job is not None and job.status is JobStatus.DONE, job
    storage = S3StorageResource(
        bucket=bucket,
        endpoint_url=s3_endpoint,
        access_key_id="testing",
        secret_access_key="testing",
    )
    assert missing_files(storage, job) == []
