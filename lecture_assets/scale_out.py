"""Where a run's steps execute: in-process workers, or dagster-celery workers on other machines."""

from __future__ import annotations

from typing import Any

from dagster import ExecutorDefinition, multiprocess_executor

from lecture_assets.stages import REGISTRY
from resources.settings import Settings

# dagster-celery reads this op tag to pick the queue a step is sent to
QUEUE_TAG = "dagster-celery/queue"
DEFAULT_QUEUE = "dagster"
# heavy stages get their own queue so a worker pool can be sized per stage (see stages.py)
STAGE_QUEUES: dict[str, str] = {s.name: s.queue for s in REGISTRY if s.queue is not None}
ALL_QUEUES: tuple[str, ...] = (DEFAULT_QUEUE, *dict.fromkeys(STAGE_QUEUES.values()))


def queue_tags(stage: str) -> dict[str, str]:
    """The op tags that route `stage` to its celery queue (ignored by the local executor)."""
    return {QUEUE_TAG: STAGE_QUEUES.get(stage, DEFAULT_QUEUE)}


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery settings shared by the run's orchestrator and every worker.

    acks_late + reject_on_worker_lost: a step is acknowledged only when it finished, so a
    worker that dies mid-step hands the step back to the queue for another worker.
    """
    return {
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {
            "visibility_timeout": settings.celery_visibility_timeout_s,
        },
        "result_backend_transport_options": {
            "visibility_timeout": settings.celery_visibility_timeout_s,
        },
    }


def executor_config(settings: Settings) -> dict[str, Any]:
    """The celery executor's config for these settings (also written for `dagster-celery`)."""
    return {
        "broker": settings.celery_broker_url,
        "backend": settings.celery_backend_url,
        "config_source": celery_config(settings),
    }


def build_executor(settings: Settings) -> ExecutorDefinition:
    """The default executor of the code location, chosen by `settings.executor`."""
    if settings.executor == "celery":
        from dagster_celery import celery_executor

        return celery_executor.configured(executor_config(settings), name="celery")
    if settings.executor == "celery-k8s":
        # broker, queues and image come from the chart's CeleryK8sRunLauncher config
        from dagster_celery_k8s import celery_k8s_job_executor

        executor: ExecutorDefinition = celery_k8s_job_executor
        return executor
    return multiprocess_executor.configured({"max_concurrent": 2}, name="multiprocess")
