"""A run whose worker is killed is failed by run monitoring, its job says why, and a retry works."""

import logging
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dagster import (
    AssetExecutionContext,
    DagsterEventType,
    DagsterInstance,
    DagsterRunStatus,
    asset,
    build_run_status_sensor_context,
    materialize,
)
from dagster._core.events import EngineEventData
from dagster._core.test_utils import create_run_for_test
from dagster._daemon.monitoring.run_monitoring import execute_run_monitoring_iteration

from lecture_assets.assets.common import run_stage
from lecture_assets.embedded import EMBEDDED_DAGSTER_YAML
from lecture_assets.local_launcher import LocalProcessRunLauncher
from lecture_assets.partitions import lectures
from resources.jobs import JobOptions, JobStatus
from resources.jobs.store import JobStoreResource
from resources.progress import ProgressResource
from resources.workdir import WorkdirResource
from sensors.run_status import lecture_run_failed
from tests.lecture_assets.dagster_pg import dagster_instance

log = logging.getLogger(__name__)


class _DaemonContext:
    """What execute_run_monitoring_iteration needs from the daemon's workspace context."""

    def __init__(self, instance: DagsterInstance) -> None:
        self.instance = instance

    def create_request_context(self) -> None:
        return None  # only used to resume runs, which the embedded config turns off


def _monitor(instance: DagsterInstance) -> None:
    errors = [e for e in execute_run_monitoring_iteration(_DaemonContext(instance), log) if e]
    assert not errors, errors


@asset(partitions_def=lectures, name="transcript")
def retry_transcript(
    context: AssetExecutionContext, job_store: JobStoreResource, progress: ProgressResource
) -> int:
    with run_stage(context, job_store, progress, "transcript"):
        return 1


def _kind(store: JobStoreResource) -> str:
    return "sqlite" if store.url.startswith("sqlite") else "postgres"


def test_killed_worker_fails_the_run_and_job_then_a_retry_succeeds(
    job_store: JobStoreResource, tmp_path: Path
) -> None:
    embedded = yaml.safe_load(EMBEDDED_DAGSTER_YAML)
    overrides = {
        "run_launcher": embedded["run_launcher"],
        "run_monitoring": {**embedded["run_monitoring"], "poll_interval_seconds": 1},
    }
    job = job_store.create_job(owner="alice", filename="l.mp4", content_type="video/mp4",
                               size_bytes=10, extension="mp4", options=JobOptions())  # fmt: skip
    job_store.record_progress(job.id, status=JobStatus.RUNNING, stage="transcript",
                              percent=30.0, message="transcribing")  # fmt: skip
    with dagster_instance(_kind(job_store), overrides) as instance:
        assert isinstance(instance.run_launcher, LocalProcessRunLauncher)
        assert instance.run_monitoring_enabled
        run = create_run_for_test(
            instance, job_name="process_lecture", status=DagsterRunStatus.STARTED,
            tags={"dagster/partition": job.id},
        )  # fmt: skip
        worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        started = f"Started process for run (pid: {worker.pid})."
        instance.report_engine_event(started, run, EngineEventData.in_process(worker.pid))

        # alive: monitoring leaves the run alone
        _monitor(instance)
        assert instance.get_run_by_id(run.run_id).status is DagsterRunStatus.STARTED

        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        _monitor(instance)
        failed = instance.get_run_by_id(run.run_id)
        assert failed.status is DagsterRunStatus.FAILURE
        [failure] = instance.all_logs(run.run_id, of_type=DagsterEventType.RUN_FAILURE)
        assert f"pid {worker.pid}" in failure.dagster_event.message

        # the run-failure sensor turns that into a job the user can act on
        context = build_run_status_sensor_context(
            sensor_name="lecture_run_failed",
            dagster_event=failure.dagster_event,
            dagster_instance=instance,
            dagster_run=failed,
            resources={"job_store": job_store, "workdir": WorkdirResource(root=str(tmp_path))},
        ).for_run_failure()
        lecture_run_failed(context)
        after = job_store.get(job.id)
        assert after.status is JobStatus.FAILED
        assert after.error_code == "PIPELINE_ERROR"
        assert "Processing stopped at 'transcript'" in after.error_message
        assert "Reprocess the job" in after.error_message

        # the retry: a new run of the same partition goes through and clears the error
        instance.add_dynamic_partitions(lectures.name, [job.id])
        result = materialize(
            [retry_transcript], instance=instance, partition_key=job.id,
            resources={"job_store": job_store, "progress": ProgressResource(min_interval_s=0)},
            tags={"dagster/parent_run_id": run.run_id, "dagster/root_run_id": run.run_id},
        )  # fmt: skip
        assert result.success
        retried = job_store.get(job.id)
        assert retried.status is JobStatus.RUNNING
        assert retried.error_code is None
        assert any("done in" in e.message for e in job_store.events_after(job.id))
        runs = instance.get_runs()
        assert [r.status for r in runs] == [DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE]


def test_a_run_that_has_not_reported_its_worker_is_not_failed(tmp_path: Path) -> None:
    embedded = yaml.safe_load(EMBEDDED_DAGSTER_YAML)
    with dagster_instance("sqlite", {"run_launcher": embedded["run_launcher"]}) as instance:
        run = create_run_for_test(instance, job_name="process_lecture",
                                  status=DagsterRunStatus.STARTED)  # fmt: skip
        health = instance.run_launcher.check_run_worker_health(run)
        assert health.status.value == "RUNNING"


@pytest.mark.parametrize(
    "section", ["run_launcher", "run_monitoring", "run_retries", "python_logs"]
)
def test_embedded_instance_config_loads(section: str) -> None:
    embedded = yaml.safe_load(EMBEDDED_DAGSTER_YAML)
    with dagster_instance("sqlite", {section: embedded[section]}) as instance:
        assert instance.get_settings(section) or section == "run_launcher"


def test_a_failed_run_that_dagster_retries_leaves_its_job_running(
    sqlite_store: JobStoreResource, tmp_path: Path
) -> None:
    embedded = yaml.safe_load(EMBEDDED_DAGSTER_YAML)
    job = sqlite_store.create_job(owner="alice", filename="l.mp4", content_type="video/mp4",
                                  size_bytes=10, extension="mp4", options=JobOptions())  # fmt: skip
    sqlite_store.record_progress(job.id, status=JobStatus.RUNNING, stage="layout",
                                 percent=50.0, message="layout")  # fmt: skip
    with dagster_instance("sqlite", {"run_retries": embedded["run_retries"]}) as instance:
        run = create_run_for_test(
            instance, job_name="process_lecture", status=DagsterRunStatus.STARTED,
            tags={"dagster/partition": job.id},
        )  # fmt: skip
        instance.report_run_failed(run, message="the run worker (pid 1234) is gone")
        failed = instance.get_run_by_id(run.run_id)
        assert failed.tags.get("dagster/will_retry") == "true"
        [failure] = instance.all_logs(run.run_id, of_type=DagsterEventType.RUN_FAILURE)
        context = build_run_status_sensor_context(
            sensor_name="lecture_run_failed",
            dagster_event=failure.dagster_event,
            dagster_instance=instance,
            dagster_run=failed,
            resources={"job_store": sqlite_store, "workdir": WorkdirResource(root=str(tmp_path))},
        ).for_run_failure()
        lecture_run_failed(context)
    after = sqlite_store.get(job.id)
    assert after.status is JobStatus.RUNNING and after.error_code is None
    assert after.message.startswith("retrying after: the run worker (pid 1234) is gone")
