"""Restarts of the real stack: kill -9 mid-run, SIGTERM, start again, nothing lost, Ctrl-C."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.stack import FINISHED, STARTUP_S, Stack, check_clip, left_running
from tests.fixtures.lecture import LectureSpec, make_synthetic_lecture

CLIP_URLS = ("videoUrl", "srtUrl", "vttUrl", "thumbnailUrl")
# a kill -9 takes the object store down with the run: the step then fails on storage
ADVISED_FAILURES = {"PIPELINE_ERROR", "STORAGE_ERROR"}


def _finished_well(stack: Stack, job_id: str, dest: Path) -> dict[str, Any]:
    """A job interrupted by a stop ends done with a playable clip, or failed with advice."""
    job = stack.wait_job(job_id, FINISHED)
    if job["status"] == "FAILED":  # no retry left: the job says what to do
        assert job["error"]["code"] in ADVISED_FAILURES, job
        assert "reprocess" in job["error"]["message"].lower(), job
    else:
        assert job["status"] == "DONE", (job, stack.tail())
        check_clip(job["clips"][0]["videoUrl"], dest)
    return job


def _nothing_done_without_files(stack: Stack, job_ids: list[str]) -> None:
    for job_id in job_ids:
        job = stack.job(job_id)
        if job["status"] != "DONE":
            continue
        assert job["clips"], job
        for clip in job["clips"]:
            for name in CLIP_URLS:
                answer = httpx.get(clip[name], timeout=60)
                assert answer.status_code == 200, (job_id, name, answer.status_code)


def _kill_mid_run(stack: Stack, job_id: str) -> None:
    """Once a run is processing `job_id`, kill -9 the supervisor."""
    deadline = time.monotonic() + STARTUP_S
    while stack.job(job_id)["status"] not in {"RUNNING", *FINISHED}:
        assert time.monotonic() < deadline, f"job {job_id} never started\n{stack.tail()}"
        time.sleep(1)
    assert stack.kill(signal.SIGKILL) == -signal.SIGKILL


@pytest.mark.slow
@pytest.mark.timeout(2400)
def test_serve_survives_kill_mid_run_and_sigterm_and_stops_cleanly(tmp_path: Path) -> None:
    # the shortest synthetic lecture that still yields a clip (about a minute)
    lecture = make_synthetic_lecture(LectureSpec(sentences_per_topic=4))
    stack = Stack(tmp_path)
    stack.start()
    try:
        # 1. an upload is processed
        first = stack.upload(lecture.path)
        done = stack.wait_job(first, FINISHED)
        assert done["status"] == "DONE", (done, stack.tail())
        [clip] = done["clips"]
        video = check_clip(clip["videoUrl"], tmp_path / "clip.mp4")

        # 2. kill -9 of the supervisor while a second lecture is processed
        second = stack.upload(lecture.path)
        _kill_mid_run(stack, second)
        stack.start()
        again = stack.job(first)
        assert again["status"] == "DONE" and len(again["clips"]) == 1, again
        # the link handed out before the restart still works, and fresh ones too
        assert httpx.get(clip["videoUrl"], timeout=60).content == video
        _finished_well(stack, second, tmp_path / "clip2.mp4")

        # 3. SIGTERM (a service manager's stop) is a clean exit, and the next start has it all
        assert stack.kill(signal.SIGTERM) == 0, stack.tail()
        stack.start()
        assert stack.job(first)["status"] == "DONE"
        _nothing_done_without_files(stack, [first, second])
    finally:
        children = stack.children()
        mark = stack.log.stat().st_size if stack.log.exists() else 0
        code = stack.ctrl_c()
    time.sleep(2)
    alive = left_running(children)
    assert alive == [], f"processes left running after Ctrl-C: {alive}"
    assert code == 0, stack.tail()
    after_ctrl_c = stack.log.read_bytes()[mark:].decode(errors="replace")
    assert "Traceback" not in after_ctrl_c, after_ctrl_c[-3000:]
