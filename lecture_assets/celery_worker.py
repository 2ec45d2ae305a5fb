"""A dagster-celery worker for this code location: `python -m lecture_assets.celery_worker`."""

from __future__ import annotations

import argparse
import socket
from collections.abc import Sequence

from celery import Celery

from lecture_assets.scale_out import ALL_QUEUES, executor_config
from resources.settings import Settings, get_settings


def build_worker_app(settings: Settings) -> Celery:
    """The celery app the executor submits steps to, with dagster-celery's step task."""
    from dagster_celery.executor import CeleryExecutor
    from dagster_celery.make_app import make_app
    from dagster_celery.tasks import create_task

    # dagster-celery's helpers are untyped; the app is a plain celery.Celery
    executor = CeleryExecutor.for_cli(**executor_config(settings))  # type: ignore[no-untyped-call]
    app: Celery = make_app(executor.app_args())  # type: ignore[no-untyped-call]
    create_task(app)  # type: ignore[no-untyped-call]
    return app


def worker_argv(queues: Sequence[str], name: str, concurrency: int) -> list[str]:
    """Celery worker arguments: one step at a time per process, nothing prefetched."""
    return [
        "worker",
        f"--queues={','.join(queues)}",
        f"--hostname={name}",
        f"--concurrency={concurrency}",
        "--prefetch-multiplier=1",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
    ]


def main(argv: Sequence[str] | None = None) -> None:
    """Start a worker that executes lecture steps from the given queues until stopped."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--queues",
        default=",".join(ALL_QUEUES),
        help=f"comma-separated queues to serve (default: all of {', '.join(ALL_QUEUES)})",
    )
    parser.add_argument(
        "--name", default=f"lecture@{socket.gethostname()}", help="worker name in step events"
    )
    parser.add_argument("--concurrency", type=int, default=1, help="steps run at once")
    args = parser.parse_args(argv)
    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    unknown = sorted(set(queues) - set(ALL_QUEUES))
    if unknown:
        parser.error(f"unknown queue(s) {unknown}; choose from {', '.join(ALL_QUEUES)}")
    app = build_worker_app(get_settings())
    app.worker_main(worker_argv(queues, args.name, args.concurrency))


if __name__ == "__main__":
    main()
