"""Default run launcher plus a worker pid check, so run monitoring fails runs whose worker died."""

from __future__ import annotations

import os
from pathlib import Path

from dagster import DagsterEventType, DagsterRun, DefaultRunLauncher

# the worker-health types of Dagster's run launcher API have no public import path
from dagster._core.launcher import CheckRunHealthResult, WorkerStatus

STARTED_PREFIX = "Started process for run"


def process_alive(pid: int) -> bool:
    """True while `pid` runs (a zombie, killed but not yet reaped, counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        state = stat.read_text().rpartition(")")[2].split()[0]
        return state not in ("Z", "X")
    return True


class LocalProcessRunLauncher(DefaultRunLauncher):
    """For the embedded default, where the daemon and run workers share one machine.

    Dagster's default launcher cannot tell whether a run's worker is alive, so a killed worker
    left its run STARTED until max_runtime_seconds; this one reads the worker pid from the
    run's "Started process for run (pid: N)" event and reports a dead pid as FAILED.
    """

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def worker_pid(self, run: DagsterRun) -> int | None:
        """The pid the run's worker reported when it started, if it has."""
        records = self._instance.all_logs(run.run_id, of_type=DagsterEventType.ENGINE_EVENT)
        for entry in reversed(records):
            event = entry.dagster_event
            message = (event.message if event else None) or entry.user_message or ""
            if event is None or not message.startswith(STARTED_PREFIX):
                continue
            pid = event.engine_event_data.metadata.get("pid")
            if pid is not None and str(pid.value).isdigit():
                return int(str(pid.value))
        return None

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        pid = self.worker_pid(run)
        if pid is None:
            return CheckRunHealthResult(WorkerStatus.RUNNING, "worker has not reported a pid yet")
        if process_alive(pid):
            return CheckRunHealthResult(WorkerStatus.RUNNING, f"worker pid {pid} is alive")
        return CheckRunHealthResult(
            WorkerStatus.FAILED,
            f"the run worker (pid {pid}) is gone: it crashed or was killed (out of memory?)",
        )
