"""Re-running assets gives the same keys, no orphans, no duplicated clips; scratch files go.

Two full-graph runs live here (a spoken lecture and an entirely silent one); every other
reliability case stops after source_video/silence_map to keep the suite fast.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import build_run_status_sensor_context

from lecture_assets.assets.clips import highlight_clips
from lecture_assets.assets.content import highlight_segments
from lecture_assets.assets.source import source_video
from lecture_assets.definitions import ASSETS
from resources.jobs import JobOptions
from sensors.run_status import lecture_run_failed
from tests.fixtures.lecture import LectureSpec, make_synthetic_lecture
from tests.reliability import media
from tests.reliability.conftest import Harness

pytestmark = pytest.mark.slow


def _keys(harness: Harness, job_id: str) -> list[str]:
    return sorted(o.key for o in harness.storage.list(f"jobs/{job_id}/"))


def _media_left(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_rerunning_assets_keeps_keys_and_never_duplicates_clips(harness: Harness) -> None:
    lecture = make_synthetic_lecture(LectureSpec())
    job_id = harness.upload(lecture.path.read_bytes())
    harness.store.update(job_id, options=JobOptions(max_clips=3, min_seconds=8, max_seconds=20))
    assert harness.started(harness.tick()) == [job_id]
    assert harness.run(ASSETS, job_id), harness.record(job_id)
    first = _keys(harness, job_id)
    clips = {k.split("/")[3] for k in first if k.startswith(f"jobs/{job_id}/clips/")}
    assert harness.job(job_id)["status"] == "DONE"
    assert not _media_left(harness.work_root), "a finished run leaves no scratch media"

    # an operator re-materialises source_video: the same keys, nothing new
    assert harness.run([source_video], job_id)
    assert _keys(harness, job_id) == first

    # fewer clips, twice: the extra clip folders go, and a repeat changes nothing
    harness.store.update(job_id, options=JobOptions(max_clips=1, min_seconds=8, max_seconds=20))
    assert harness.run([highlight_segments, highlight_clips], job_id)
    fewer = _keys(harness, job_id)
    assert harness.run([highlight_segments, highlight_clips], job_id)
    assert _keys(harness, job_id) == fewer
    clip_dirs = {k.split("/")[3] for k in fewer if k.count("/") >= 4 and "/clips/" in k}
    assert len(clip_dirs) == len(harness.job(job_id)["clips"]) == 1 < len(clips) - 0
    assert set(fewer) - set(first) == set(), "no key appears that the first run did not write"
    assert not _media_left(harness.work_root)


def test_silent_lecture_is_done_with_no_clips_and_says_why(
    harness: Harness, tmp_path: Path
) -> None:
    silent = media.video(tmp_path / "silent.mp4", seconds=20.0, audio="silence")
    job_id = harness.upload(silent.read_bytes())
    harness.tick()
    ok = harness.run(ASSETS, job_id)
    _run_failure_sensor(harness, job_id)
    assert not _media_left(harness.work_root), "no raw media left behind either way"
    job = harness.job(job_id)
    record = harness.record(job_id)
    assert (job["status"], job["clips"]) == ("DONE", []), (job, record.message)
    assert "nothing was said" in (record.message or "")
    assert ok, "the Dagster run itself succeeds"


def _run_failure_sensor(harness: Harness, job_id: str) -> None:
    """Evaluate the real run-failure sensor for the job's last failed run (the daemon's job)."""
    runs = harness.instance.get_runs()
    failed = [r for r in runs if r.tags.get("dagster/partition") == job_id and r.is_failure]
    if not failed:
        return
    events = harness.instance.all_logs(failed[0].run_id)
    failure = next(
        e
        for e in events
        if e.dagster_event and e.dagster_event.event_type_value == "PIPELINE_FAILURE"
    )
    context = build_run_status_sensor_context(
        sensor_name="lecture_run_failed",
        dagster_instance=harness.instance,
        dagster_run=failed[0],
        dagster_event=failure.dagster_event,  # type: ignore[arg-type]
        resources={k: harness.resources[k] for k in ("job_store", "workdir")},
    ).for_run_failure()
    lecture_run_failed(context)


def test_failed_run_leaves_no_scratch_media_once_the_failure_sensor_ran(
    harness: Harness, tmp_path: Path
) -> None:
    job_id = harness.upload(media.video(tmp_path / "n.mp4", audio=None).read_bytes())
    harness.tick()
    assert not harness.run([source_video], job_id)
    assert _media_left(harness.work_root), "the download is still there right after the failure"
    _run_failure_sensor(harness, job_id)
    assert not _media_left(harness.work_root)
    assert harness.job(job_id)["error"]["code"] == "NO_AUDIO", "the stage's reason is kept"
