"""The job store keeps jobs per owner, pages them, and records progress for subscribers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from resources.jobs import JobOptions, JobStatus
from resources.jobs.store import JobStoreResource


def _job(store: JobStoreResource, owner: str = "alice", name: str = "a.mp4") -> str:
    return store.create_job(
        owner=owner,
        filename=name,
        content_type="video/mp4",
        size_bytes=1000,
        extension="mp4",
        options=JobOptions(max_clips=3),
    ).id


def test_new_job_is_queued_with_a_namespaced_upload_key(job_store: JobStoreResource) -> None:
    job_id = _job(job_store)
    job = job_store.get(job_id)
    assert job is not None
    assert job.status is JobStatus.QUEUED
    assert job.source_key == f"uploads/alice/{job_id}/source.mp4"
    assert job.options.max_clips == 3


def test_owner_cannot_read_anothers_job(job_store: JobStoreResource) -> None:
    job_id = _job(job_store, owner="alice")
    assert job_store.get(job_id, owner="bob") is None
    assert job_store.get_many([job_id], owner="bob") == {}
    assert job_store.list_jobs("bob") == []


def test_listing_pages_newest_first_without_repeats(job_store: JobStoreResource) -> None:
    ids = [_job(job_store, name=f"{n}.mp4") for n in range(7)]
    seen: list[str] = []
    after = None
    while True:
        page = job_store.list_jobs("alice", first=3, after=after)
        if not page:
            break
        seen.extend(j.id for j in page)
        after = (page[-1].created_at, page[-1].id)
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))
    assert seen[0] == ids[-1]


def test_progress_events_arrive_in_order_and_failure_keeps_its_message(
    job_store: JobStoreResource,
) -> None:
    job_id = _job(job_store)
    job_store.record_progress(
        job_id, status=JobStatus.RUNNING, stage="transcript", percent=30, message="a"
    )
    job_store.record_progress(
        job_id, status=JobStatus.RUNNING, stage="transcript", percent=45, message="b"
    )
    job_store.fail(job_id, "NO_AUDIO", "The video has no audio track.")
    events = job_store.events_after(job_id)
    assert [e.message for e in events] == ["a", "b", "The video has no audio track."]
    assert job_store.events_after(job_id, events[0].id)[0].message == "b"
    job = job_store.get(job_id)
    assert job is not None and job.status is JobStatus.FAILED
    assert (job.error_code, job.error_message) == ("NO_AUDIO", "The video has no audio track.")


def test_commands_are_handed_out_once(job_store: JobStoreResource) -> None:
    job_id = _job(job_store)
    command_id = job_store.add_command(job_id, "reprocess", {"from": "highlight_segments"})
    pending = job_store.pending_commands()
    assert [(c.id, c.kind, c.payload) for c in pending] == [
        (command_id, "reprocess", {"from": "highlight_segments"})
    ]
    job_store.mark_command_handled(command_id)
    assert job_store.pending_commands() == []


def test_migrations_are_idempotent_and_delete_removes_everything(
    job_store: JobStoreResource,
) -> None:
    job_store.migrate()
    job_id = _job(job_store)
    job_store.record_progress(job_id, status=JobStatus.RUNNING, stage="x", percent=1, message="m")
    job_store.delete(job_id)
    assert job_store.get(job_id) is None
    assert job_store.events_after(job_id) == []


def _migrate(url: str, barrier: Any) -> None:
    barrier.wait()
    JobStoreResource(url=url).migrate()


def test_workers_migrating_a_new_database_at_once_all_start(tmp_path: Path) -> None:
    # api workers start together on a fresh database; without a lock some died with
    # "table jobs already exists" (9 of 32 in 8 rounds here) and the server refused to start
    import multiprocessing

    context = multiprocessing.get_context("fork")  # no re-import: the race, not start-up
    for round_ in range(2):
        url = f"sqlite:///{tmp_path / f'jobs-{round_}.db'}"
        barrier = context.Barrier(4)
        workers = [context.Process(target=_migrate, args=(url, barrier)) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=600)
        assert [w.exitcode for w in workers] == [0, 0, 0, 0]
