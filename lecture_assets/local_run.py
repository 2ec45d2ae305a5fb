"""Run the whole asset graph in-process on a local file (the CLI's `process` and benchmarks)."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagster import DagsterInstance, materialize

from lecture_assets import keys, stage_assets, stages
from lecture_assets.resources_by_settings import build_resources
from resources.jobs import Job, JobEvent, JobOptions
from resources.jobs.store import JobStoreResource
from resources.settings import Settings
from resources.storage import LocalStorageResource
from resources.workdir import WorkdirResource

EventCallback = Callable[[JobEvent], None]


@dataclass(frozen=True)
class LocalRunResult:
    job: Job
    manifest: dict[str, Any] | None
    out_dir: Path
    stage_seconds: dict[str, float]
    succeeded: bool


def process_local(
    video: Path,
    out_dir: Path,
    settings: Settings,
    options: JobOptions,
    *,
    on_event: EventCallback | None = None,
    selection: list[str] | None = None,
) -> LocalRunResult:
    """Materialise the lecture graph for `video`, writing manifest and clips into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir / ".work"
    shutil.rmtree(work, ignore_errors=True)
    storage = LocalStorageResource(root=str(work / "storage"))
    store = JobStoreResource(url=f"sqlite:///{(work / 'jobs.db').resolve()}")
    store.migrate()
    ext = video.suffix.lower().lstrip(".") or "mp4"
    job = store.create_job(
        owner="local",
        filename=video.name,
        content_type="video/mp4",
        size_bytes=video.stat().st_size,
        extension=ext,
        options=options,
    )
    storage.put_file(job.source_key, video)
    resources = build_resources(settings)
    resources.update(
        storage=storage, job_store=store, workdir=WorkdirResource(root=str(work / "scratch"))
    )

    everything = stage_assets.assets()

    def run(group: list[str]) -> tuple[bool, dict[str, float]]:
        chosen = [name for name in group if selection is None or name in selection]
        if not chosen:
            return True, {}
        # one in-memory instance per group: they are not safe to share between threads, and
        # each is disposed of in the thread that made it (its sqlite connections belong there)
        with DagsterInstance.ephemeral() as instance:
            instance.add_dynamic_partitions("lectures", [job.id])
            # the whole graph, this group selected: upstream outputs load through the IO manager
            result = materialize(
                everything,
                selection=chosen,
                partition_key=job.id,
                resources=resources,
                instance=instance,
                raise_on_error=False,
                # stage progress is shown from the job store; only warnings from dagster itself
                run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
            )
            return result.success, _stage_seconds(instance, result.run_id)

    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(store, job.id, on_event, stop), daemon=True)
    watcher.start()
    stage_seconds: dict[str, float] = {}
    succeeded = True
    try:
        # waves from the registry's graph: a registered stage cannot be left out
        for wave in stages.waves():
            # independent stages side by side, as the daemon's multiprocess executor runs them
            with ThreadPoolExecutor(max_workers=len(wave)) as pool:
                outcomes = list(pool.map(run, wave))
            for _, seconds in outcomes:
                stage_seconds.update(seconds)
            if not all(ok for ok, _ in outcomes):
                succeeded = False
                break
    finally:
        stop.set()
        watcher.join(timeout=5)
    manifest = None
    final = store.get(job.id) or job
    # a selection without the render stage writes no manifest and no clips
    renders = selection is None or "highlight_clips" in selection
    if succeeded and renders:
        manifest = storage.get_json(keys.manifest(job.id))
        _export(storage, job.id, out_dir)
        shutil.rmtree(work, ignore_errors=True)
    return LocalRunResult(final, manifest, out_dir, stage_seconds, succeeded)


def _watch(
    store: JobStoreResource, job_id: str, on_event: EventCallback | None, stop: threading.Event
) -> None:
    last = 0
    while True:
        for event in store.events_after(job_id, last):
            last = event.id
            if on_event is not None:
                on_event(event)
        if stop.is_set():
            return
        time.sleep(0.2)


def _stage_seconds(instance: DagsterInstance, run_id: str) -> dict[str, float]:
    """Wall seconds of each step, from the run's event log."""
    starts: dict[str, float] = {}
    durations: dict[str, float] = {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type_value == "STEP_START":
            starts[event.step_key] = record.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            start = starts.get(event.step_key, record.timestamp)
            durations[event.step_key] = round(record.timestamp - start, 3)
    return durations


def _export(storage: LocalStorageResource, job_id: str, out_dir: Path) -> None:
    prefix = keys.job_prefix(job_id)
    for obj in storage.list(keys.clips_prefix(job_id)):
        storage.get_file(obj.key, out_dir / obj.key[len(prefix) :])
    storage.get_file(keys.manifest(job_id), out_dir / "manifest.json")
