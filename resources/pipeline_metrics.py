"""Prometheus collector of pipeline state read from the job store (runs are other processes)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from resources.jobs import JobStatus
from resources.jobs.store import JobStoreResource
from resources.jobs.tables import job_events, jobs

log = logging.getLogger(__name__)

# stage wall times run from seconds (silence map) to an hour (transcribing a long lecture)
STAGE_BUCKETS: tuple[float, ...] = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def stage_durations(store: JobStoreResource, recent: int) -> list[tuple[str, float]]:
    """(stage, seconds) of the last `recent` finished stages: '<stage> started' to '... done in'.

    Each finished stage is paired with the newest 'started' event of the same job and stage
    before it, so reprocessed stages are measured per attempt.
    """
    done = (
        sa.select(job_events.c.id, job_events.c.job_id, job_events.c.stage, job_events.c.created_at)
        .where(job_events.c.message.like("% done in %"))
        .order_by(job_events.c.id.desc())
        .limit(recent)
        .subquery("done")
    )
    started = job_events.alias("started")
    started_at = (
        sa.select(sa.func.max(started.c.created_at))
        .where(
            started.c.job_id == done.c.job_id,
            started.c.stage == done.c.stage,
            started.c.id < done.c.id,
            started.c.message.like("% started"),
        )
        .scalar_subquery()
    )
    query = sa.select(done.c.stage, done.c.created_at, started_at.label("started_at"))
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    out: list[tuple[str, float]] = []
    for stage, finished, began in rows:
        if began is None:
            continue
        seconds = (_aware(finished) - _aware(began)).total_seconds()
        out.append((str(stage), max(0.0, seconds)))
    return out


def _histogram(
    name: str, doc: str, samples: Sequence[tuple[str, float]], buckets: Sequence[float]
) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, doc, labels=["stage"])
    by_stage: dict[str, list[float]] = defaultdict(list)
    for stage, seconds in samples:
        by_stage[stage].append(seconds)
    for stage, values in sorted(by_stage.items()):
        cumulative = [(str(float(b)), float(sum(v <= b for v in values))) for b in buckets]
        cumulative.append(("+Inf", float(len(values))))
        family.add_metric([stage], cumulative, sum_value=sum(values))
    return family


class PipelineCollector(Collector):
    """Jobs by status, stage durations and failures, from a few aggregate queries per scrape."""

    def __init__(
        self,
        store: JobStoreResource,
        recent_stages: int = 2000,
        buckets: Sequence[float] = STAGE_BUCKETS,
    ) -> None:
        self.store = store
        self.recent_stages = recent_stages
        self.buckets = tuple(buckets)

    def describe(self) -> Iterator[Metric]:
        # names only, so registering the collector does not query the database
        yield GaugeMetricFamily("lecture_jobs", "Jobs by status.", labels=["status"])
        yield HistogramMetricFamily("lecture_stage_duration_seconds", "Stage wall time.")
        yield GaugeMetricFamily("lecture_job_failures", "Failed jobs.", labels=["error_code"])
        yield GaugeMetricFamily("lecture_pipeline_metrics_up", "Job store readable.")

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "lecture_pipeline_metrics_up",
            "1 when the job store answered the pipeline metrics queries, 0 when it did not.",
        )
        try:
            families = self._families()
        except Exception as exc:  # a scrape must never fail because the database is down
            log.warning("pipeline metrics unavailable: %s; check LECTURE_JOB_STORE_URL", exc)
            up.add_metric([], 0.0)
            yield up
            return
        yield from families
        up.add_metric([], 1.0)
        yield up

    def _families(self) -> list[Metric]:
        by_status = sa.select(jobs.c.status, sa.func.count()).group_by(jobs.c.status)
        failures = (
            sa.select(jobs.c.error_code, jobs.c.stage, sa.func.count())
            .where(jobs.c.status == JobStatus.FAILED.value)
            .group_by(jobs.c.error_code, jobs.c.stage)
        )
        with self.store.engine.connect() as conn:
            status_counts = {str(s): int(n) for s, n in conn.execute(by_status).all()}
            failure_rows = conn.execute(failures).all()
        status = GaugeMetricFamily("lecture_jobs", "Jobs by status.", labels=["status"])
        for value in JobStatus:
            status.add_metric([value.value], float(status_counts.get(value.value, 0)))
        failed = GaugeMetricFamily(
            "lecture_job_failures",
            "Jobs that ended failed, by error code and the stage they stopped at.",
            labels=["error_code", "stage"],
        )
        for code, stage, count in failure_rows:
            failed.add_metric([str(code or "UNKNOWN"), str(stage)], float(count))
        durations = _histogram(
            "lecture_stage_duration_seconds",
            f"Wall time of each pipeline stage over the last {self.recent_stages} finished stages.",
            stage_durations(self.store, self.recent_stages),
            self.buckets,
        )
        return [status, durations, failed]
