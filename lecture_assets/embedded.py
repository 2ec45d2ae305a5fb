"""`lecture-highlights serve`: durable local S3 (SeaweedFS), Dagster webserver + daemon, the API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from dagster import DagsterInstance

from lecture_assets import embedded_procs
from lecture_assets.restart import reconcile
from resources.jobs.store import JobStoreResource
from resources.settings import Settings
from resources.storage.server import EmbeddedS3, EmbeddedS3Error, EmbeddedS3Exited
from resources.storage.settings import s3_storage

EMBEDDED_DAGSTER_YAML = """\
# written by `lecture-highlights serve`: the embedded default keeps Dagster on SQLite here
telemetry:
  enabled: false
run_coordinator:
  module: dagster
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 1
    tag_concurrency_limits:
      - key: lecture/asr
        limit: 1
# the default launcher plus a pid check, so a killed run worker fails its run within a poll
run_launcher:
  module: lecture_assets.local_launcher
  class: LocalProcessRunLauncher
run_monitoring:
  enabled: true
  # a run worker imports the whole code location: minutes on a machine busy with other work
  start_timeout_seconds: 600
  max_runtime_seconds: 14400
  max_resume_run_attempts: 0
  poll_interval_seconds: 30
run_retries:
  enabled: true
  max_retries: 1
python_logs:
  python_log_level: INFO
  managed_python_loggers: [lecture_assets, resources, sensors]
  dagster_handler_config:
    handlers:
      json:
        class: logging.StreamHandler
        stream: ext://sys.stdout
        formatter: json
    formatters:
      json:
        (): resources.logging_setup.JsonLogFormatter
"""


def _wait_http(url: str, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


def embedded_s3(settings: Settings) -> EmbeddedS3:
    """The durable local S3 store for these settings: port from the endpoint, data on disk."""
    url = settings.s3_endpoint_url or f"http://127.0.0.1:{settings.s3_port}"
    port = int(url.rstrip("/").rsplit(":", 1)[-1])
    return EmbeddedS3(
        data_dir=(settings.data_dir / "s3").resolve(),
        s3_port=port,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=settings.s3_secret_access_key.get_secret_value(),
    )


def _reconcile(settings: Settings, home: Path) -> None:
    """Settle what the last stop interrupted before the daemon starts (never blocks a start)."""
    try:
        instance = DagsterInstance.from_config(str(home))
        try:
            report = reconcile(
                instance,
                JobStoreResource(url=settings.resolved_job_store_url),
                s3_storage(settings),
            )
        finally:
            instance.dispose()
    except Exception as exc:  # a start with stale states beats no start; say so
        sys.stderr.write(f"could not reconcile jobs after the last stop: {exc}\n")
        return
    if report.changed:
        sys.stdout.write(
            f"after the last stop: {len(report.runs_retried)} runs will be retried, "
            f"{len(report.jobs_retrying)} jobs retrying, {len(report.jobs_failed)} jobs failed "
            "(their error says what to do)\n"
        )


def serve_embedded(settings: Settings, *, with_dagster: bool = True) -> int:
    """Start every embedded service, print the URLs, and stop them all on Ctrl-C."""
    root = Path.cwd()
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(EMBEDDED_DAGSTER_YAML)
    stack = str(settings.data_dir.resolve())
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "PYTHONUNBUFFERED": "1",
        embedded_procs.STACK_VAR: stack,
    }
    bindir = Path(sys.executable).parent
    procs: list[subprocess.Popen[bytes]] = []
    stopping = False

    def _on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        # a stack on this data dir that was killed may have left processes (and ports) behind
        if left := embedded_procs.sweep(stack):
            sys.stdout.write(f"stopped {left} processes left by the last run\n")
        s3 = embedded_s3(settings)
        s3_url = s3.endpoint_url
        for attempt in (1, 2, 3):
            # weed's internal ports are chosen free just before it binds them; another
            # program can take one in between, so an early exit is retried on fresh ports
            s3_proc = embedded_procs.spawn(s3.command(), env, s3.data_dir / "weed.log", s3.data_dir)
            procs.append(s3_proc)
            try:
                s3.wait_ready(s3_proc, timeout_s=120)
                break
            except EmbeddedS3Exited as exc:
                if attempt == 3:
                    sys.stderr.write(f"{exc}\n")
                    return 1
            except EmbeddedS3Error as exc:
                sys.stderr.write(f"{exc}\n")
                return 1
        storage = s3_storage(settings)
        storage.ensure_bucket()
        storage.apply_lifecycle(settings.upload_expiry_days, settings.intermediate_expiry_days)
        JobStoreResource(url=settings.resolved_job_store_url).migrate()
        if with_dagster:
            _reconcile(settings, home)
        api = f"http://{settings.api_host}:{settings.api_port}"
        procs.append(
            embedded_procs.spawn(
                [
                    sys.executable,
                    "-m",
                    "graphql_api.serve",
                    "--host",
                    settings.api_host,
                    "--port",
                    str(settings.api_port),
                ],
                env,
            )
        )
        if with_dagster:
            procs.append(
                embedded_procs.spawn(
                    [
                        str(bindir / "dagster"),
                        "dev",
                        "-w",
                        str(root / "workspace.yaml"),
                        "-h",
                        settings.dagster_host,
                        "-p",
                        str(settings.dagster_port),
                    ],
                    env,
                )
            )
        _wait_http(f"{api}/healthz", 60)
        sys.stdout.write(
            f"Web studio   {api}/\n"
            f"GraphQL API  {api}/graphql   (token: Authorization: Bearer dev-token)\n"
            f"Dagster UI   http://{settings.dagster_host}:{settings.dagster_port}\n"
            f"local S3     {s3_url}  bucket {settings.s3_bucket}  (data in {s3.data_dir})\n"
            "Ctrl-C stops everything.\n"
        )
        sys.stdout.flush()
        while not stopping:
            if any(p.poll() is not None for p in procs):
                sys.stderr.write("a service stopped unexpectedly; shutting the rest down\n")
                return 1
            time.sleep(0.5)
        return 0
    finally:
        embedded_procs.stop_all(procs)
        # their children (Dagster's code servers) finish shutting down after them: serve
        # returns once nothing of the stack runs any more
        embedded_procs.settle(stack)
