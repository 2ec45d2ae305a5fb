"""Progress publishing from running assets into the job store, throttled, with stage ETAs."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from dagster import ConfigurableResource

from resources.jobs import JobStatus
from resources.jobs.store import JobStoreResource


@dataclass
class StageReporter:
    """Reports one stage's fraction done; created by ProgressResource.stage()."""

    store: JobStoreResource
    job_id: str
    stage: str
    min_interval_s: float = 0.5
    # this stage's (start, end) percent of the job's bar, from the code location's registry
    span: tuple[float, float] = (0.0, 100.0)
    started: float = field(default_factory=time.monotonic)
    _last_sent: float = 0.0
    _last_fraction: float = -1.0

    def __call__(self, fraction: float, message: str | None = None) -> None:
        """Report `fraction` (0..1) of this stage done; throttled except at 0 and 1."""
        fraction = max(0.0, min(1.0, fraction))
        now = time.monotonic()
        edge = fraction in (0.0, 1.0)
        if not edge and now - self._last_sent < self.min_interval_s:
            return
        if fraction == self._last_fraction and message is None:
            return
        self._last_sent, self._last_fraction = now, fraction
        lo, hi = self.span
        percent = lo + (hi - lo) * fraction
        elapsed = now - self.started
        eta = elapsed / fraction * (1.0 - fraction) if 0.02 < fraction < 1.0 else None
        job = self.store.get(self.job_id)
        if job is None or job.status is JobStatus.CANCELLED:
            return
        if job.status is JobStatus.RUNNING:
            percent = max(percent, job.percent)
        text = message or f"{self.stage.replace('_', ' ')}: {fraction * 100:.0f}%"
        self.store.record_progress(
            self.job_id,
            status=JobStatus.RUNNING,
            stage=self.stage,
            percent=percent,
            eta_s=None if eta is None else round(eta, 1),
            message=text,
        )


class ProgressResource(ConfigurableResource):
    """Publishes stage progress to the job store, where the API's subscription reads it."""

    min_interval_s: float = 0.5

    def stage(
        self,
        store: JobStoreResource,
        job_id: str,
        stage: str,
        span: tuple[float, float] = (0.0, 100.0),
    ) -> StageReporter:
        """A reporter for one stage of one job, filling `span` of the job's bar; call it with
        the fraction done."""
        return StageReporter(store, job_id, stage, self.min_interval_s, span=span)
