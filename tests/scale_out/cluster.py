"""Two (or more) dagster-celery workers on the local Redis, a run submitter, and the event log."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redis
from dagster import DagsterInstance, DagsterRun

from resources.jobs.store import JobStoreResource

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379"
CLAIM_KEY = "lecture-highlights:scale-out-test"
WORKER_EVENT = "in celery worker"


def claim_redis_db(url: str = REDIS) -> int:
    """An empty Redis database number, claimed for this test (fresh keys, no stray tasks)."""
    for db in range(15, 1, -1):
        client = redis.Redis.from_url(f"{url}/{db}", socket_connect_timeout=2)
        try:
            if client.dbsize() == 0 and client.set(CLAIM_KEY, os.getpid(), nx=True, ex=3600):
                return db
        finally:
            client.close()
    raise RuntimeError(f"no empty database among 2..15 on {url}: flush one or free one")


def release_redis_db(db: int, url: str = REDIS) -> None:
    """Drop what the test left in its database (queues, results, the claim)."""
    client = redis.Redis.from_url(f"{url}/{db}", socket_connect_timeout=2)
    try:
        client.flushdb()
    finally:
        client.close()


@dataclass(frozen=True)
class Submitted:
    """A run submitter's process and the file it writes to."""

    proc: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.is_file() else ""

    def outcome(self) -> dict[str, object]:
        """The JSON line the submitter printed last: job_id, run_id, success."""
        text = self.output()
        for line in reversed(text.splitlines()):
            if line.startswith("{") and '"run_id"' in line:
                return dict(json.loads(line))
        code = self.proc.returncode
        raise AssertionError(f"the run exited {code} without an outcome:\n{text[-3000:]}")


@dataclass
class Cluster:
    """The environment shared by the run submitter and its workers, and their processes."""

    home: Path
    env: dict[str, str]
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        """`python -m lecture_assets.celery_worker` serving every queue, one step at a time."""
        log = (self.home / f"worker-{name}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "lecture_assets.celery_worker", "--name", name],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.workers[name] = proc
        return proc

    def wait_workers_ready(self, seconds: float) -> None:
        """Until every worker logged `ready` (it consumes from the queues)."""
        deadline = time.monotonic() + seconds
        waiting = set(self.workers)
        while waiting and time.monotonic() < deadline:
            for name in list(waiting):
                proc = self.workers[name]
                assert proc.poll() is None, f"worker {name} exited:\n{self.worker_log(name)}"
                if " ready." in self.worker_log(name):
                    waiting.discard(name)
            time.sleep(0.5)
        assert not waiting, f"workers {sorted(waiting)} not ready in {seconds} s"

    def worker_log(self, name: str) -> str:
        path = self.home / f"worker-{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill_worker(self, name: str) -> None:
        """SIGKILL the worker and its pool child, as a machine that dies would."""
        proc = self.workers[name]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def submit(self, video: Path) -> Submitted:
        """Start one lecture's run in its own process (`tests.scale_out.run_lecture`)."""
        log_path = self.home / f"run-{video.stem}-{time.monotonic_ns()}.log"
        out = log_path.open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.scale_out.run_lecture", str(video)],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out.close()
        return Submitted(proc, log_path)

    def stop(self) -> None:
        for proc in self.workers.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)


@contextmanager
def celery_cluster(tmp: Path, visibility_timeout_s: int) -> Iterator[Cluster]:
    """A Dagster home, a job store and a claimed Redis db; every process killed on the way out.

    The S3 endpoint comes from LECTURE_S3_ENDPOINT_URL in the caller's environment or `env`.
    """
    db = claim_redis_db()
    home = tmp / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    # storage made once here: runs submitted together would race to create the same tables
    DagsterInstance.from_config(str(home)).dispose()
    (tmp / "data").mkdir(parents=True, exist_ok=True)
    JobStoreResource(url=f"sqlite:///{(tmp / 'data' / 'jobs.db').resolve()}").migrate()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "PYTHONUNBUFFERED": "1",
        "LECTURE_DATA_DIR": str(tmp / "data"),
        "LECTURE_WHISPER_MODEL": "tiny.en",
        "LECTURE_EXECUTOR": "celery",
        "LECTURE_CELERY_BROKER_URL": f"{REDIS}/{db}",
        "LECTURE_CELERY_BACKEND_URL": f"{REDIS}/{db}",
        # a killed worker's unacknowledged step goes back to the queue after this long
        "LECTURE_CELERY_VISIBILITY_TIMEOUT_S": str(visibility_timeout_s),
        "LECTURE_LOG_FORMAT": "text",
    }
    cluster = Cluster(home, env)
    try:
        yield cluster
    finally:
        cluster.stop()
        release_redis_db(db)


@dataclass(frozen=True)
class StepOnWorker:
    """One step execution a worker took on, from the run's event log."""

    step: str
    worker: str
    timestamp: float


def steps_on_workers(instance: DagsterInstance, run: DagsterRun) -> list[StepOnWorker]:
    """Every 'Executing steps ... in celery worker' engine event of the run, oldest first."""
    found = []
    for record in instance.all_logs(run.run_id):
        event = record.dagster_event
        if event is None or WORKER_EVENT not in (event.message or ""):
            continue
        data = event.engine_event_data
        metadata = data.metadata if data is not None else {}
        worker = metadata.get("Celery worker")
        value = getattr(worker, "value", worker)
        found.append(StepOnWorker(event.step_key or "", str(value), record.timestamp))
    return found
