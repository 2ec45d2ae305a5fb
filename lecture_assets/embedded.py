"""`lecture-highlights serve`: local S3 (moto), Dagster webserver + daemon, and the API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from lecture_assets.resources_by_settings import s3_storage
from resources.job_store import JobStoreResource
from resources.settings import Settings

EMBEDDED_DAGSTER_YAML = """\
# written by `lecture-highlights serve`: the embedded default keeps Dagster on SQLite here
telemetry:
  enabled: false
run_coordinator:
  module: dagster._core.run_coordinator
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
  start_timeout_seconds: 180
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


def _spawn(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    # own session: `dagster dev` ignores SIGINT from a parent script otherwise
    return subprocess.Popen(cmd, env=env, start_new_session=True)


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in reversed(procs):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGINT)
            except ProcessLookupError:
                continue
    deadline = time.monotonic() + 20
    for proc in reversed(procs):
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def serve_embedded(settings: Settings, *, with_dagster: bool = True) -> int:
    """Start every embedded service, print the URLs, and stop them all on Ctrl-C."""
    root = Path.cwd()
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(EMBEDDED_DAGSTER_YAML)
    env = {**os.environ, "DAGSTER_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    bindir = Path(sys.executable).parent
    procs: list[subprocess.Popen[bytes]] = []
    stopping = False

    def _on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        s3_url = settings.s3_endpoint_url or f"http://127.0.0.1:{settings.s3_port}"
        port = s3_url.rsplit(":", 1)[-1].strip("/")
        procs.append(_spawn([str(bindir / "moto_server"), "-H", "127.0.0.1", "-p", port], env))
        if not _wait_http(s3_url, 30):
            sys.stderr.write(f"local S3 did not start on {s3_url}; is the port free?\n")
            return 1
        storage = s3_storage(settings)
        storage.ensure_bucket()
        storage.apply_lifecycle(settings.upload_expiry_days, settings.intermediate_expiry_days)
        JobStoreResource(url=settings.resolved_job_store_url).migrate()
        api = f"http://{settings.api_host}:{settings.api_port}"
        procs.append(
            _spawn(
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
                _spawn(
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
            f"local S3     {s3_url}  bucket {settings.s3_bucket}\n"
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
        _stop(procs)
