"""One lecture run through the code location's executor: `python -m tests.scale_out.run_lecture`.

A real process (not a thread of the test) submits the run, as a run worker of the daemon would:
with LECTURE_EXECUTOR=celery its steps go to whichever dagster-celery workers serve the queues.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dagster import DagsterInstance, JobDefinition, execute_job, reconstructable

from lecture_assets.definitions import build_definitions
from lecture_assets.partitions import lectures
from lecture_assets.resources_by_settings import s3_storage
from resources.jobs import JobOptions
from resources.jobs.store import JobStoreResource
from resources.settings import get_settings


def lecture_job() -> JobDefinition:
    """The `process_lecture` job as every worker rebuilds it from its own settings."""
    return build_definitions(get_settings()).get_job_def("process_lecture")


def register(video: Path, options: JobOptions) -> str:
    """What createUpload and the upload sensor do: a queued job with its upload in storage."""
    settings = get_settings()
    storage = s3_storage(settings)
    storage.ensure_bucket()
    store = JobStoreResource(url=settings.resolved_job_store_url)
    store.migrate()
    job = store.create_job(
        owner="bench",
        filename=video.name,
        content_type="video/mp4",
        size_bytes=video.stat().st_size,
        extension=video.suffix.lstrip(".") or "mp4",
        options=options,
    )
    storage.put_file(job.source_key, video)
    return job.id


def main(argv: list[str] | None = None) -> int:
    """Register the lecture, run every stage of its partition, print the outcome as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("video", type=Path)
    parser.add_argument("--max-clips", type=int, default=1)
    parser.add_argument("--min-seconds", type=float, default=10.0)
    parser.add_argument("--max-seconds", type=float, default=25.0)
    args = parser.parse_args(argv)
    options = JobOptions(
        max_clips=args.max_clips, min_seconds=args.min_seconds, max_seconds=args.max_seconds
    )
    job_id = register(args.video, options)
    with DagsterInstance.get() as instance:
        instance.add_dynamic_partitions(lectures.name, [job_id])
        with execute_job(
            reconstructable(lecture_job),
            instance,
            tags={"dagster/partition": job_id},
            raise_on_error=False,
        ) as result:
            outcome = {"job_id": job_id, "run_id": result.run_id, "success": result.success}
    sys.stdout.write(json.dumps(outcome) + "\n")
    return 0 if outcome["success"] else 1


if __name__ == "__main__":
    sys.exit(main())
