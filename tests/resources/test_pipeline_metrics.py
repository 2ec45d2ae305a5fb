"""The pipeline collector's aggregate queries give the same answers on SQLite and PostgreSQL."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from resources.jobs.store import JobStoreResource
from resources.pipeline_metrics import PipelineCollector, stage_durations
from tests.graphql_api.test_metrics import _simulate_run


def test_collector_reads_jobs_durations_and_failures(job_store: JobStoreResource) -> None:
    _simulate_run(job_store)
    [(stage, seconds)] = stage_durations(job_store, recent=100)
    assert stage == "source_video"
    assert abs(seconds - 42.0) < 0.5
    registry = CollectorRegistry()
    registry.register(PipelineCollector(job_store))
    value = registry.get_sample_value
    assert value("lecture_jobs", {"status": "failed"}) == 1.0
    assert value("lecture_jobs", {"status": "queued"}) == 1.0
    assert value("lecture_stage_duration_seconds_count", {"stage": "source_video"}) == 1.0
    failure = {"error_code": "TRANSCRIPTION_FAILED", "stage": "transcript"}
    assert value("lecture_job_failures", failure) == 1.0
    assert value("lecture_pipeline_metrics_up") == 1.0


def test_an_unreachable_job_store_does_not_break_the_scrape() -> None:
    store = JobStoreResource(url="postgresql+psycopg2://nobody@127.0.0.1:1/none")
    registry = CollectorRegistry()
    registry.register(PipelineCollector(store))
    assert registry.get_sample_value("lecture_pipeline_metrics_up") == 0.0
