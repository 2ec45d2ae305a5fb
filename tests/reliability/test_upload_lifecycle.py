"""Uploads over time: never finished, sent twice, replaced, twenty at once, a daemon restart."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from dagster import instance_for_test

from lecture_assets.assets.source import source_video
from resources.jobs import JobStatus
from resources.jobs.tables import jobs
from tests.reliability import media
from tests.reliability.conftest import Harness


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return media.video(tmp_path_factory.mktemp("lifecycle") / "v.mp4").read_bytes()


def test_never_completed_upload_stays_queued_then_expires(harness: Harness) -> None:
    ticket = harness.create(1000)
    job_id = ticket["job"]["id"]
    harness.tick()
    assert harness.job(job_id)["status"] == "QUEUED", "waiting is fine while the link lives"
    # the link (1 h) and the grace period have passed: backdate the job as a clock would
    old = datetime.now(tz=UTC) - timedelta(seconds=harness.settings.presign_expiry_s + 301)
    with harness.store.engine.begin() as conn:
        conn.execute(jobs.update().where(jobs.c.id == job_id).values(created_at=old))
    harness.tick()
    job = harness.job(job_id)
    assert (job["status"], job["error"]["code"]) == ("FAILED", "UPLOAD_EXPIRED")
    assert "create a new upload" in job["error"]["message"].lower()


def test_same_file_put_twice_to_one_job_starts_one_run(harness: Harness, clip: bytes) -> None:
    ticket = harness.create(len(clip))
    harness.put(ticket, clip)
    first = harness.tick()
    harness.put(ticket, clip)  # a client retrying its PUT
    assert harness.started(first) == [ticket["job"]["id"]]
    assert harness.started(harness.tick()) == []


def test_same_file_in_two_jobs_starts_two_runs(harness: Harness, clip: bytes) -> None:
    a, b = harness.upload(clip), harness.upload(clip)
    result = harness.tick()
    assert sorted(harness.started(result)) == sorted([a, b])
    keys = {r.run_key for r in result.run_requests or []}  # type: ignore[union-attr]
    assert len(keys) == 2


def test_file_replaced_after_acceptance_is_never_processed(harness: Harness, clip: bytes) -> None:
    ticket = harness.create(len(clip))
    job_id = ticket["job"]["id"]
    harness.put(ticket, clip)
    assert harness.started(harness.tick()) == [job_id]
    harness.put(ticket, b"%PDF-1.7 swapped in after the check" + b"0" * 100)
    assert harness.started(harness.tick()) == [], "no second run for the same job"
    assert not harness.run([source_video], job_id)
    error = harness.job(job_id)["error"]
    assert error["code"] == "UPLOAD_CHANGED" and "create a new upload" in error["message"].lower()


def test_twenty_uploads_in_the_same_second_each_start_exactly_one_run(
    harness: Harness, clip: bytes
) -> None:
    tickets = [harness.create(len(clip), f"talk-{n}.mp4") for n in range(20)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda t: harness.put(t, clip), tickets))
    ids = {t["job"]["id"] for t in tickets}
    first = harness.tick()
    started = harness.started(first) + harness.started(harness.tick())
    assert sorted(started) == sorted(ids)
    assert len({r.run_key for r in first.run_requests or []}) == 20  # type: ignore[union-attr]


def test_replayed_tick_starts_nothing_twice(harness: Harness, clip: bytes) -> None:
    job_id = harness.upload(clip)
    before = harness.cursor
    assert harness.started(harness.tick()) == [job_id]
    # the daemon died before saving the new cursor: the same tick runs again from the old one
    assert harness.started(harness.tick(cursor=before, fresh=before is None)) == []


def test_upload_that_arrived_while_the_daemon_was_down_is_picked_up(
    harness: Harness, clip: bytes
) -> None:
    job_id = harness.upload(clip)
    # a brand-new instance and no cursor, as after a restart with fresh Dagster storage
    with instance_for_test() as fresh:
        harness.instance, old = fresh, harness.instance
        try:
            assert harness.started(harness.tick(fresh=True)) == [job_id]
        finally:
            harness.instance = old
    assert harness.record(job_id).status is JobStatus.QUEUED
