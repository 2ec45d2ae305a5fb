"""What the API asks of Dagster directly: stop a job's runs, drop its partition, read its steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

from resources.dagster_names import LECTURE_PARTITIONS, PARTITION_TAG

ACTIVE = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]


@dataclass
class DagsterControl:
    """Talks to the Dagster instance (DAGSTER_HOME or the production storage)."""

    instance_factory: Callable[[], DagsterInstance] = DagsterInstance.get
    _instance: DagsterInstance | None = field(default=None, init=False)

    @property
    def instance(self) -> DagsterInstance:
        if self._instance is None:
            self._instance = self.instance_factory()
        return self._instance

    def active_runs(self, job_id: str) -> list[str]:
        """Run ids of this lecture's queued or running runs."""
        records = self.instance.get_runs(RunsFilter(tags={PARTITION_TAG: job_id}, statuses=ACTIVE))
        return [run.run_id for run in records]

    def cancel_runs(self, job_id: str) -> int:
        """Ask Dagster to stop every active run of this lecture; returns how many."""
        stopped = 0
        for run_id in self.active_runs(job_id):
            if self.instance.run_coordinator.cancel_run(run_id):
                stopped += 1
        return stopped

    def delete_partition(self, job_id: str) -> None:
        """Remove the lecture's dynamic partition (its materialisations stay in history)."""
        if self.instance.has_dynamic_partition(LECTURE_PARTITIONS, job_id):
            self.instance.delete_dynamic_partition(LECTURE_PARTITIONS, job_id)

    def ping(self) -> None:
        """Raise when the instance's storage cannot be read."""
        self.instance.get_runs(limit=1)
